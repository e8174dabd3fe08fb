"""Review dates: when the next review falls due on the school's cycle, and the latest it may be.

The duty says no plan goes more than twelve months without a review, whatever the cycle.
"""

import calendar
import datetime

from waymark.schools.models import MAX_MONTHS_BETWEEN_REVIEWS

# "Due soon" on the SENCO's home page and for the owner's reminder email.
DUE_SOON_DAYS = 14


def add_months(day, months):
    """The same day ``months`` later, or the month's last day when it is shorter (31 Jan + 1 = 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_review_default(school, from_day):
    """The next review on the school's cycle (termly unless the school chose otherwise)."""
    return add_months(from_day, school.review_cycle_months)


def latest_review_date(from_day):
    return add_months(from_day, MAX_MONTHS_BETWEEN_REVIEWS)


def review_date_problem(review_on, *, from_day):
    """Why ``review_on`` cannot be the next review date counted from ``from_day``, or ``""``."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    if review_on is None:
        return _("Enter the date of the next review.")
    if review_on <= from_day:
        return _("The next review date must be in the future.")
    latest = latest_review_date(from_day)
    if review_on > latest:
        return _("A plan must be reviewed at least once a year: choose a date no later than %(date)s.") % {
            "date": date_format(latest, "j F Y")
        }
    return ""
