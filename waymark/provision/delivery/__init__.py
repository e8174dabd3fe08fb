"""Planned against delivered: what a group was planned to meet, what it did, and what each pupil had.

How we count (the pages say the same in plain words):

- A group's *planned* sessions are the dates on its weekdays, between its first and last
  session (or the day it was ended), inside the school's terms (``schedule.planned_dates``),
  up to today. A session logged on another day (a catch-up) counts as delivered but was
  never planned.
- A pupil's sessions are counted only while they were a member of the group (each place
  in a group, from the day they joined to the day they left).
- A commitment's *expected* sessions so far are its sessions a week times the school weeks
  from its start to its end or today, whichever is sooner. A school week is five school
  days (Monday to Friday inside the terms), so a half-term holiday or a short week counts
  for less. The result is rounded down to a whole session.

Every selector here runs a fixed number of queries whatever the number of groups,
sessions or pupils: rows are loaded in a few queries and counted in Python.
"""

from .counting import (
    CATCH_UP_DAYS,
    SCHOOL_DAYS_A_WEEK,
    Tally,
    expected_sessions,
    last_day,
    member_on_any,
    school_days,
    slot_on,
    weekdays_of,
)
from .groups import (
    GroupDelivery,
    Today,
    TodaySession,
    group_delivery,
    group_detail_queryset,
    group_terms,
    today_sessions,
)
from .pupils import CommitmentDelivery, Period, PlaceRow, PupilDelivery, delivery_periods, pupil_delivery

__all__ = [
    "CATCH_UP_DAYS",
    "SCHOOL_DAYS_A_WEEK",
    "CommitmentDelivery",
    "GroupDelivery",
    "Period",
    "PlaceRow",
    "PupilDelivery",
    "Tally",
    "Today",
    "TodaySession",
    "delivery_periods",
    "expected_sessions",
    "group_delivery",
    "group_detail_queryset",
    "group_terms",
    "last_day",
    "member_on_any",
    "pupil_delivery",
    "school_days",
    "slot_on",
    "today_sessions",
    "weekdays_of",
]
