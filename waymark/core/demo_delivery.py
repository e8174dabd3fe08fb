"""The demo's sessions and measures: a term of session logs up to the demo's today, entry and exit measures.

Part of ``manage.py demo``, run by ``demo_provision`` for each school once its groups exist.
Written through ``provision.sessions.session_log`` and ``provision.measures.measure_record``
by the person who runs each group, signed in on the day (``dataclasses.replace(actor,
today=day)``), with the services' "now" (``logged_at``, ``recorded_at``) then moved onto
that day. Stories, the same in every build:

- every session planned (the group's days inside the school's terms, ``schedule``) from
  the group's first up to the last school day before the demo's today is logged: delivered,
  with each pupil there about nine times in ten and at least one always there, or now and
  then cancelled for one of the usual reasons, including two days the demo TA was off sick
  and a whole-school event in each school;
- the demo's Term rows hold whole terms with no half-term holiday, so the October half-term
  week is planned; those sessions are logged as cancelled for a closure. Were the autumn
  term entered as two halves, nothing would be planned that week and nothing logged;
- the demo TA's running groups each have their last session (last Friday's) not logged yet,
  so the TA's "today" page asks for them; no session is logged on the demo's today;
- an entry measure for each pupil at the start of every measured group, and for the groups
  that finished at October half-term an exit measure the week after: reading ages whose
  ratio gains run from modest to remarkable, and SDQ scores, mostly lower (better).
"""

import dataclasses
import datetime
from decimal import Decimal

from django.utils import timezone

from waymark.core.actor import Actor
from waymark.provision.measures import measure_record
from waymark.provision.models import (
    GroupMember,
    Measure,
    MeasureType,
    RatioGainBand,
    SessionLog,
    ratio_gain,
    ratio_gain_band,
)
from waymark.provision.schedule import planned_dates, term_ranges
from waymark.provision.sessions import session_log

D, DAY = datetime.date, datetime.timedelta(days=1)
HALF_TERM = (D(2026, 10, 26), D(2026, 10, 30))
HALF_TERM_CLOSED = "October half-term: the school was closed."
RETEST_AFTER = datetime.timedelta(days=11)  # exit measures are taken the week after a group ends
CANCEL_CHANCE = 0.035  # besides the days below; about one in twelve sessions is cancelled in all
Reason = SessionLog.CancelReason
REASONS = {
    Reason.STAFF_ABSENT: (4, ["Covering a class for an absent teacher.", "Called to a meeting about a pupil.", ""]),
    Reason.PUPILS_AWAY: (3, ["Class trip.", "Year group assessment in the hall.", "Flu vaccinations for the class."]),
    Reason.ROOM: (2, ["The room was needed for a parents' meeting.", "Room used for an exam access assessment."]),
    Reason.OTHER: (1, ["Fire drill took the whole slot.", "Network down: the programme would not load."]),
}
# A day each school's groups all stopped, and the days a member of staff was away (by cast role).
SCHOOL_EVENTS = {
    "primary": {D(2026, 10, 2): "Harvest festival: rehearsal and assembly in the hall all day."},
    "secondary": {D(2026, 10, 8): "Open evening: the school closed at lunchtime."},
}
STAFF_AWAY = {"ta": (D(2026, 9, 30), D(2026, 10, 1)), "teacher2": (D(2026, 11, 4),)}
SESSION_NOTES = [
    "Good focus from everyone today.",
    "Started late after assembly overran.",
    "Went over last week's work before moving on.",
    "New resources used for the first time; they worked well.",
    "Noisy start; settled after the first activity.",
]
# Spread of ratio gains for the reading groups that finished: more useful or better than modest.
BANDS = [RatioGainBand.MODEST, RatioGainBand.USEFUL, RatioGainBand.SUBSTANTIAL, RatioGainBand.REMARKABLE]
BANDS += [RatioGainBand.USEFUL, RatioGainBand.SUBSTANTIAL]


def deliver(rng, school, groups, users, *, today):
    """Session logs and measures for ``groups`` of ``school``, inside its scope."""
    Delivery(rng, school, groups, users, today).build()


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _age_in_months(born, on):
    return (on.year - born.year) * 12 + on.month - born.month - (on.day < born.day)


class Delivery:
    """Logs one school's sessions and records its measures, each as the person who runs the group."""

    def __init__(self, rng, school, groups, users, today):
        self.rng, self.school, self.groups, self.today = rng, school, groups, today
        self.key = "primary" if school.phase == "primary" else "secondary"
        self.roles = {user.pk: role for role, user in users.items()}
        self.actors = {}
        self.latest = today - DAY  # nothing is logged on the demo's today
        self.terms = term_ranges(school, min(group.starts_on for group in groups), today)

    def actor(self, user, day):
        if user.pk not in self.actors:
            self.actors[user.pk] = Actor.for_user(user, today=self.today)
        return dataclasses.replace(self.actors[user.pk], today=day)

    def build(self):
        logged_at = []
        for group in self.groups:
            leader = group.leaders.select_related("user").order_by("pk").first().user
            members = list(GroupMember.objects.filter(group=group).select_related("pupil").order_by("pupil_id"))
            logged_at += self.sessions(group, leader, members)
            self.measures(group, leader, members)
        stamped = SessionLog.objects.in_bulk([pk for pk, _ in logged_at])
        for pk, when in logged_at:
            stamped[pk].logged_at = when
        SessionLog.objects.bulk_update(stamped.values(), ["logged_at"], batch_size=200)

    # ----- sessions -----

    def sessions(self, group, leader, members):
        role = self.roles.get(leader.pk)
        weekdays = [slot.weekday for slot in group.slots.all()]
        days = planned_dates(weekdays, group.starts_on, min(group.ends_on, self.latest), self.terms)
        if role == "ta" and group.ends_on >= self.today and days:
            days = days[:-1]  # last Friday's, waiting on the "today" page
        rates = {member.pupil_id: self.rng.uniform(0.8, 0.98) for member in members}
        logged = []
        for day in days:
            status, reason, note = self.outcome(role, day)
            attended = ()
            if status == SessionLog.Status.DELIVERED:
                there = [member for member in members if member.is_member_on(day)]
                attended = [m.pupil.public_id for m in there if self.rng.random() < rates[m.pupil_id]]
                if there and not attended:
                    attended = [self.rng.choice(there).pupil.public_id]
                note = self.rng.choice(SESSION_NOTES) if self.rng.random() < 0.12 else ""
            session = session_log(
                actor=self.actor(leader, day),
                group=group,
                date=day,
                status=status,
                cancel_reason=reason,
                note=note,
                attended_pupil_ids=attended,
            )
            slot = next(slot for slot in group.slots.all() if slot.weekday == day.weekday())
            finished = datetime.datetime.combine(day, slot.starts_at) + datetime.timedelta(
                minutes=group.minutes_per_session + self.rng.randint(5, 90)
            )
            logged.append((session.pk, timezone.make_aware(finished)))
        return logged

    def outcome(self, role, day):
        """(status, cancel reason, note) for a session on ``day`` run by cast member ``role``."""
        cancelled = SessionLog.Status.CANCELLED
        if HALF_TERM[0] <= day <= HALF_TERM[1]:
            return cancelled, Reason.SCHOOL_EVENT, HALF_TERM_CLOSED
        if day in SCHOOL_EVENTS[self.key]:
            return cancelled, Reason.SCHOOL_EVENT, SCHOOL_EVENTS[self.key][day]
        if day in STAFF_AWAY.get(role, ()):
            return cancelled, Reason.STAFF_ABSENT, "Off sick; nobody free to cover the group."
        if self.rng.random() < CANCEL_CHANCE:
            reasons = list(REASONS)
            reason = self.rng.choices(reasons, weights=[REASONS[r][0] for r in reasons])[0]
            return cancelled, reason, self.rng.choice(REASONS[reason][1])
        return SessionLog.Status.DELIVERED, "", ""

    # ----- measures -----

    def measures(self, group, leader, members):
        scale = group.intervention.measure_type
        if scale is None or not members:
            return
        exit_on = group.ends_on + RETEST_AFTER
        while exit_on.weekday() >= 5:
            exit_on += DAY
        finished = exit_on <= self.latest
        bands = BANDS[: len(members)]
        self.rng.shuffle(bands)
        recorded = []
        for index, member in enumerate(members):
            pupil = member.pupil
            entry = self.entry_value(scale, pupil, group.starts_on)
            recorded.append(self.record(leader, group, pupil, scale, Measure.Point.ENTRY, entry, group.starts_on))
            if finished:
                band = bands[index % len(bands)]
                value = self.exit_value(scale, entry, group.starts_on, exit_on, band)
                recorded.append(self.record(leader, group, pupil, scale, Measure.Point.EXIT, value, exit_on))
        for measure in recorded:
            measure.recorded_at = _at(measure.taken_on, 15, 50)
        Measure.objects.bulk_update(recorded, ["recorded_at"])

    def record(self, leader, group, pupil, scale, point, value, on):
        return measure_record(
            actor=self.actor(leader, on),
            pupil=pupil,
            group=group,
            measure_type=scale,
            point=point,
            value=Decimal(value),
            taken_on=on,
        )

    def entry_value(self, scale, pupil, on):
        rng = self.rng
        if scale.kind in MeasureType.AGE_KINDS:
            behind = rng.randint(10, 28) if self.key == "primary" else rng.randint(20, 50)
            return max(50, _age_in_months(pupil.date_of_birth, on) - behind)
        if scale.kind == MeasureType.Kind.SDQ:
            return rng.randint(15, 27)
        if scale.kind == MeasureType.Kind.BOXALL:
            return rng.randint(58, 96)
        if scale.kind == MeasureType.Kind.STANDARD_SCORE:
            return rng.randint(72, 89)
        return int(scale.min_value + (scale.max_value - scale.min_value) / 3)

    def exit_value(self, scale, entry, entry_on, exit_on, band):
        if scale.kind in MeasureType.AGE_KINDS:
            # The months gained that put this pupil's ratio gain in ``band``.
            fits = [m for m in range(25) if ratio_gain_band(ratio_gain(entry, entry + m, entry_on, exit_on)) == band]
            if not fits:
                return entry + 2
            # The least of them for "remarkable": a year gained in two months is not believable.
            return entry + (fits[0] if band == RatioGainBand.REMARKABLE else self.rng.choice(fits))
        if scale.kind == MeasureType.Kind.SDQ:  # lower is better
            return max(0, entry - self.rng.choice([6, 5, 4, 3, 2, -1]))
        step = self.rng.choice([8, 5, 3, 0]) if scale.higher_is_better else -self.rng.choice([3, 2, 0])
        return min(max(entry + step, scale.min_value), scale.max_value)
