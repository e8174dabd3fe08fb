"""The counting every delivery page shares: a group's last day, school days, expected sessions, a tally."""

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import Q
from django.utils import timezone

from ..models import SessionLog
from ..schedule import planned_dates

# Planned sessions this many days back that are not logged yet are listed on the "today" page.
CATCH_UP_DAYS = 14
SCHOOL_DAYS_A_WEEK = 5
MONDAY_TO_FRIDAY = range(SCHOOL_DAYS_A_WEEK)


def last_day(group):
    """The group's last possible session: its last session date, or the day it was ended if that was sooner."""
    if group.ended_at is not None:
        return min(group.ends_on, timezone.localdate(group.ended_at))
    return group.ends_on


def weekdays_of(group):
    return [slot.weekday for slot in group.slots.all()]


def slot_on(group, day):
    """The group's slot on ``day``'s weekday, or ``None``."""
    return next((slot for slot in group.slots.all() if slot.weekday == day.weekday()), None)


def school_days(terms, start, end):
    """Monday-to-Friday dates from ``start`` to ``end`` inside ``terms``."""
    if end < start:
        return 0
    return len(planned_dates(MONDAY_TO_FRIDAY, start, end, terms))


def expected_sessions(sessions_per_week, terms, start, end):
    """Whole sessions expected from ``start`` to ``end``: sessions a week × school days ÷ 5, rounded down."""
    try:
        per_week = Decimal(str(sessions_per_week))
    except (InvalidOperation, ValueError):
        return 0
    return math.floor(per_week * school_days(terms, start, end) / SCHOOL_DAYS_A_WEEK)


def window(place, group, start, end):
    """The days ``place`` (a member row) was in ``group`` between ``start`` and ``end``: (first, last)."""
    first = max(place.joined_on, group.starts_on, start)
    last = min(place.left_on or datetime.date.max, last_day(group), end)
    return first, last


@dataclass
class Tally:
    """Sessions counted one way: planned, what happened to them, and (for a pupil) whether they came."""

    planned: int = 0
    delivered: int = 0
    cancelled: int = 0
    not_logged: int = 0
    attended: int = 0
    missed: int = 0

    def add(self, other):
        for name in ("planned", "delivered", "cancelled", "not_logged", "attended", "missed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def count_sessions(planned, sessions, attendance=None):
    """Count ``planned`` dates and ``sessions`` (logs in the same window); ``attendance`` maps a log's pk to a
    pupil's Attendance row."""
    logged = {session.date for session in sessions}
    tally = Tally(
        planned=len(planned),
        delivered=sum(1 for session in sessions if session.status == SessionLog.Status.DELIVERED),
        cancelled=sum(1 for session in sessions if session.status == SessionLog.Status.CANCELLED),
        not_logged=sum(1 for day in planned if day not in logged),
    )
    if attendance is not None:
        for session in sessions:
            row = attendance.get(session.pk)
            if row is not None:
                if row.attended:
                    tally.attended += 1
                else:
                    tally.missed += 1
    return tally


def attendance_counts(session):
    rows = session.attendances.all()
    return sum(1 for row in rows if row.attended), len(rows)


def member_on_any(start, end):
    """Member rows current on at least one day from ``start`` to ``end``."""
    return Q(joined_on__lte=end) & (Q(left_on__isnull=True) | Q(left_on__gte=start))
