"""What a parent reads about their own child's support this term: what the plan promises and what happened.

Only this child: their places in groups, the sessions of those groups while they were a
member, and their own attendance. Never another child's name or attendance, never a
session's note (it may mention other children), never staff-only or restricted content.
Session rows are read as plain values, so a note or another child's row is never loaded.

How sessions are counted, the same way as the staff pages (``provision.delivery``): a
group's planned sessions are the dates on its weekdays between its first and last session
(or the day it was ended), inside the school's terms, while the child was in the group.
A planned day before today with nothing logged is listed as not recorded; a session
logged on another day counts too.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from waymark.core.access import Action
from waymark.core.models import Visibility
from waymark.evidence.models import Note
from waymark.evidence.selectors import documents_visible_to
from waymark.plans.family_content import family_plan, parent_content
from waymark.plans.models import PlanVersion
from waymark.schools.models import Term

from .delivery import last_day, member_on_any, weekdays_of
from .models import Attendance, GroupMember, GroupSlot, SessionLog
from .schedule import planned_dates, term_ranges

# Without a term around today, the page covers this many weeks back.
FALLBACK_WEEKS = 12

# Why a session was cancelled, in words for parents.
CANCEL_WORDS = {
    SessionLog.CancelReason.STAFF_ABSENT: _("the adult who runs it was away"),
    SessionLog.CancelReason.PUPILS_AWAY: _("the children were out of class (a trip, event or test)"),
    SessionLog.CancelReason.ROOM: _("there was no room free"),
    SessionLog.CancelReason.SCHOOL_EVENT: _("a whole-school event or closure"),
    SessionLog.CancelReason.OTHER: _("another reason"),
}

TOOK_PART, MISSED, CANCELLED, NO_REGISTER, NOT_RECORDED = (
    "took_part",
    "missed",
    "cancelled",
    "no_register",
    "not_recorded",
)


@dataclass(frozen=True)
class SupportPeriod:
    start: datetime.date
    end: datetime.date
    term_name: str  # "" when the school has no term around today
    terms: list  # (first day, last day) pairs: planned sessions fall only inside these


@dataclass(frozen=True)
class SessionRow:
    date: datetime.date
    intervention: str
    outcome: str  # TOOK_PART, MISSED, CANCELLED, NO_REGISTER or NOT_RECORDED
    reason: str = ""

    @property
    def took_place(self):
        return self.outcome in (TOOK_PART, MISSED, NO_REGISTER)


@dataclass
class InterventionCount:
    name: str
    sessions: int = 0
    took_place: int = 0
    took_part: int = 0
    cancelled: int = 0
    not_recorded: int = 0

    @property
    def recorded(self):
        """Sessions the school logged (took place or cancelled); unrecorded ones may yet be logged."""
        return self.sessions - self.not_recorded


@dataclass
class FamilySupport:
    pupil: object
    period: SupportPeriod
    version: PlanVersion | None
    support: list
    sessions: list
    counts: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    documents: list = field(default_factory=list)


def support_period(school, today):
    """The school's term containing ``today``; without one, the last ``FALLBACK_WEEKS`` weeks (in term time)."""
    term = (
        Term.objects.filter(academic_year__school=school, starts_on__lte=today, ends_on__gte=today)
        .order_by("starts_on")
        .first()
    )
    if term is not None:
        return SupportPeriod(term.starts_on, term.ends_on, term.name, [(term.starts_on, term.ends_on)])
    start = today - datetime.timedelta(weeks=FALLBACK_WEEKS)
    return SupportPeriod(start, today, "", term_ranges(school, start, today))


def _planned_support(actor, pupil):
    """The plan in force and its support in plain words (only what everyone may read)."""
    version = (
        PlanVersion.objects.restrict(actor, Action.VIEW)
        .filter(plan__pupil_id=pupil.pk, status=PlanVersion.Status.ACTIVE)
        .order_by("-number")
        .first()
    )
    if version is None:
        return None, []
    plan = family_plan(parent_content(version.snapshot or {"sections": []}), name=pupil.forename)
    return version, plan["support"]


def _places(actor, pupil, start, end):
    """The child's places in groups that overlap ``start``..``end``, with group, intervention and weekdays."""
    return list(
        GroupMember.objects.restrict(actor, Action.VIEW)
        .filter(member_on_any(start, end), pupil_id=pupil.pk, group__starts_on__lte=end, group__ends_on__gte=start)
        .select_related("group__intervention")
        .prefetch_related(Prefetch("group__slots", queryset=GroupSlot.objects.only("pk", "group_id", "weekday")))
        .order_by("joined_on", "pk")
    )


def _session_rows(pupil, places, period, today):
    """One row per session of the child's groups while they were in them, newest first."""
    if not places:
        return []
    end = min(period.end, today)
    group_ids = {place.group_id for place in places}
    # Values only: a session's note and other children's attendance are never read.
    logs = list(
        SessionLog.objects.filter(group_id__in=group_ids, date__gte=period.start, date__lte=end).values(
            "pk", "group_id", "date", "status", "cancel_reason"
        )
    )
    attended = dict(
        Attendance.objects.filter(session_id__in=[log["pk"] for log in logs], pupil_id=pupil.pk).values_list(
            "session_id", "attended"
        )
    )
    by_day = {(log["group_id"], log["date"]): log for log in logs}
    yesterday = today - datetime.timedelta(days=1)
    rows = {}
    for place in places:
        group = place.group
        first = max(place.joined_on, group.starts_on, period.start)
        last = min(place.left_on or datetime.date.max, last_day(group), end)
        if last < first:
            continue
        days = set(planned_dates(weekdays_of(group), first, min(last, yesterday), period.terms))
        days |= {log["date"] for log in logs if log["group_id"] == group.pk and first <= log["date"] <= last}
        for day in days:
            log = by_day.get((group.pk, day))
            rows[(group.pk, day)] = _row(day, group.intervention.name, log, attended)
    return sorted(rows.values(), key=lambda row: (row.date, row.intervention), reverse=True)


def _row(day, name, log, attended):
    if log is None:
        return SessionRow(day, name, NOT_RECORDED)
    if log["status"] == SessionLog.Status.CANCELLED:
        return SessionRow(day, name, CANCELLED, str(CANCEL_WORDS.get(log["cancel_reason"], CANCEL_WORDS["other"])))
    came = attended.get(log["pk"])
    if came is None:
        return SessionRow(day, name, NO_REGISTER)
    return SessionRow(day, name, TOOK_PART if came else MISSED)


def _counts(rows):
    counts = {}
    for row in rows:
        count = counts.setdefault(row.intervention, InterventionCount(row.intervention))
        count.sessions += 1
        count.took_place += row.took_place
        count.took_part += row.outcome == TOOK_PART
        count.cancelled += row.outcome == CANCELLED
        count.not_recorded += row.outcome == NOT_RECORDED
    return sorted(counts.values(), key=lambda count: count.name)


def family_support(actor, link):
    """Everything the "support this term" page shows for the child of ``link`` (the actor's own active link).

    A fixed number of queries whatever the number of groups and sessions: the term, the
    plan in force, the child's places (and their groups' weekdays), the sessions, the
    child's own attendance, notes and documents marked for everyone.
    """
    pupil = link.pupil
    today = actor.today
    period = support_period(pupil.school, today)
    version, support = _planned_support(actor, pupil)
    places = _places(actor, pupil, period.start, min(period.end, today))
    sessions = _session_rows(pupil, places, period, today)
    notes = list(
        Note.objects.restrict(actor, Action.VIEW)
        .filter(
            pupil_id=pupil.pk, visibility=Visibility.EVERYONE, happened_on__gte=period.start, happened_on__lte=today
        )
        .select_related("written_by")
        .order_by("-happened_on", "-written_at")
    )
    # Marked for everyone, whatever else the actor may be: this is a parent's page.
    documents = list(
        documents_visible_to(actor, pupil)
        .filter(visibility=Visibility.EVERYONE)
        .order_by("-written_on", "-uploaded_at")
    )
    return FamilySupport(
        pupil=pupil,
        period=period,
        version=version,
        support=support,
        sessions=sessions,
        counts=_counts(sessions),
        notes=notes,
        documents=documents,
    )
