"""One group's planned against delivered, and the "today" page's sessions."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch

from ..models import GroupLeader, GroupMember, InterventionGroup, SessionLog
from ..permissions import delivers_provision, group_restrict
from ..schedule import is_planned_on, planned_dates, term_ranges
from .counting import (
    CATCH_UP_DAYS,
    Tally,
    attendance_counts,
    count_sessions,
    last_day,
    member_on_any,
    slot_on,
    weekdays_of,
    window,
)

# ----- one group -----


@dataclass
class PlaceDelivery:
    """One pupil's place in a group and their sessions in it."""

    place: GroupMember
    tally: Tally


@dataclass
class GroupDelivery:
    tally: Tally
    not_logged: list
    sessions: list
    places: list = field(default_factory=list)


def group_detail_queryset(actor):
    """The groups ``actor`` may open, with everything the group page and ``group_delivery`` read."""
    return (
        group_restrict(actor)
        .select_related("intervention")
        .prefetch_related(
            "slots",
            Prefetch("leaders", queryset=GroupLeader.objects.select_related("user", "staff_role").order_by("pk")),
            Prefetch(
                "members",
                queryset=GroupMember.objects.select_related("pupil").order_by(
                    "pupil__legal_surname", "pupil__legal_forename", "joined_on", "pk"
                ),
            ),
            Prefetch(
                "sessions",
                queryset=SessionLog.objects.select_related("logged_by")
                .prefetch_related("attendances")
                .order_by("-date"),
            ),
        )
    )


def group_delivery(group, terms, until):
    """Planned against delivered for ``group`` up to ``until``, for the group and for each place in it.

    ``terms`` are the school's terms as ``schedule.term_ranges`` gives them. Reads the
    group's slots, members and sessions (with attendance) through their prefetch caches
    when the group came from ``group_detail_queryset``.
    """
    weekdays = weekdays_of(group)
    end = min(last_day(group), until)
    planned = planned_dates(weekdays, group.starts_on, end, terms)
    sessions = list(group.sessions.all())
    for session in sessions:
        session.attended_count, session.register_count = attendance_counts(session)
    counted = [session for session in sessions if session.date <= until]
    logged = {session.date for session in counted}
    delivery = GroupDelivery(
        tally=count_sessions(planned, counted),
        not_logged=[day for day in planned if day not in logged],
        sessions=sessions,
    )
    for place in group.members.all():
        first, last = window(place, group, group.starts_on, until)
        place_planned = [day for day in planned if first <= day <= last]
        place_sessions = [session for session in counted if first <= session.date <= last]
        attendance = {
            session.pk: row
            for session in place_sessions
            for row in session.attendances.all()
            if row.pupil_id == place.pupil_id
        }
        delivery.places.append(
            PlaceDelivery(place=place, tally=count_sessions(place_planned, place_sessions, attendance))
        )
    return delivery


def group_terms(group, until):
    """The school's terms over the group's dates up to ``until`` (one query)."""
    return term_ranges(group.school_id, group.starts_on, max(group.starts_on, min(last_day(group), until)))


# ----- the "today" page -----


@dataclass
class TodaySession:
    group: InterventionGroup
    date: datetime.date
    starts_at: datetime.time | None
    members: list
    log: SessionLog | None = None

    @property
    def attended(self):
        return attendance_counts(self.log)[0] if self.log else 0

    @property
    def register(self):
        return attendance_counts(self.log)[1] if self.log else 0


@dataclass
class Today:
    sessions: list
    not_logged: list
    has_terms: bool


def today_sessions(actor):
    """The sessions ``actor`` runs today, by time, and those of the last ``CATCH_UP_DAYS`` days not logged yet.

    Only groups the actor leads (a GroupLeader row), in the actor's school, that have not
    been ended, planned on today by their weekdays, dates and the school's terms. Six
    queries whatever the number of groups: groups, slots, members (with pupils), sessions,
    attendance, terms.
    """
    today = actor.today
    since = today - datetime.timedelta(days=CATCH_UP_DAYS)
    if not delivers_provision(actor):
        # As ``group_restrict``: a leader row left on a governor or trust lead names nobody.
        return Today(sessions=[], not_logged=[], has_terms=bool(term_ranges(actor.school, since, today)))
    groups = list(
        InterventionGroup.objects.filter(
            school=actor.school,
            leaders__user=actor.user,
            ended_at__isnull=True,
            starts_on__lte=today,
            ends_on__gte=since,
        )
        .select_related("intervention")
        .prefetch_related(
            "slots",
            Prefetch(
                "members",
                queryset=GroupMember.objects.filter(member_on_any(since, today))
                .select_related("pupil")
                .order_by("pupil__legal_surname", "pupil__legal_forename", "pk"),
            ),
            Prefetch(
                "sessions",
                queryset=SessionLog.objects.filter(date__gte=since, date__lte=today).prefetch_related("attendances"),
            ),
        )
        .order_by("name", "pk")
    )
    terms = term_ranges(actor.school, since, today)
    sessions, not_logged = [], []
    for group in groups:
        weekdays = weekdays_of(group)
        logs = {log.date: log for log in group.sessions.all()}
        if is_planned_on(weekdays, group.starts_on, last_day(group), terms, today):
            slot = slot_on(group, today)
            sessions.append(
                TodaySession(
                    group=group,
                    date=today,
                    starts_at=slot.starts_at if slot else None,
                    members=[place.pupil for place in group.members.all() if place.is_member_on(today)],
                    log=logs.get(today),
                )
            )
        yesterday = today - datetime.timedelta(days=1)
        for day in planned_dates(weekdays, max(since, group.starts_on), min(last_day(group), yesterday), terms):
            if day not in logs:
                slot = slot_on(group, day)
                not_logged.append(
                    TodaySession(group=group, date=day, starts_at=slot.starts_at if slot else None, members=[])
                )
    sessions.sort(key=lambda item: (item.starts_at or datetime.time.max, item.group.name))
    not_logged.sort(key=lambda item: (item.date, item.starts_at or datetime.time.max, item.group.name))
    return Today(sessions=sessions, not_logged=not_logged, has_terms=bool(terms))
