"""When a group is planned to meet: its weekdays, between its dates, in term time only.

Pure functions over plain values, so they are cheap to test (hypothesis) and to call for
many groups at once: load the school's terms once with ``term_ranges`` and pass them in.
"""

import datetime

from waymark.schools.models import Term


def term_ranges(school, start, end):
    """The school's terms overlapping ``start``..``end`` as (first day, last day) pairs, in order."""
    return [
        (term.starts_on, term.ends_on)
        for term in Term.objects.filter(academic_year__school=school, starts_on__lte=end, ends_on__gte=start).order_by(
            "starts_on"
        )
    ]


def planned_dates(weekdays, start, end, terms):
    """Every date from ``start`` to ``end`` (inclusive) that falls on one of ``weekdays``
    (0 = Monday) inside one of ``terms``. No term means no planned session: holidays are
    whatever lies outside the terms the school has entered."""
    weekdays = set(weekdays)
    dates = []
    for term_start, term_end in terms:
        day = max(start, term_start)
        last = min(end, term_end)
        while day <= last:
            if day.weekday() in weekdays:
                dates.append(day)
            day += datetime.timedelta(days=1)
    return sorted(set(dates))


def is_planned_on(weekdays, start, end, terms, day):
    """Whether the group is planned to meet on ``day``."""
    return (
        start <= day <= end
        and day.weekday() in set(weekdays)
        and any(term_start <= day <= term_end for term_start, term_end in terms)
    )
