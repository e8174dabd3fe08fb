"""Dates as provision's messages write them and as its links carry them."""

import datetime

from django.utils import formats


def day_text(day):
    """A date as messages and summaries write it: "4 March 2027"."""
    return formats.date_format(day, "j F Y")


def parse_iso_date(value):
    """``value`` ("2027-03-04", as a link or a plan snapshot carries it) as a date; ``None`` if missing or malformed."""
    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None
