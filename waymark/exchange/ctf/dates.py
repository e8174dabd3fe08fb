"""Dates as a CTF writes them (ISO, perhaps with a time), and as Waymark shows them ("4 March 2027")."""

import datetime
import re

from django.utils.translation import gettext as _

from waymark.provision.dates import day_text

ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")


def show_date(value):
    return day_text(value) if value else ""


class DateProblem(ValueError):
    pass


def parse_date(text):
    """A CTF date (``2015-03-14``, or a date and time) as a ``date``; ``DateProblem`` in plain English."""
    match = ISO_DATE.match(text)
    if not match:
        raise DateProblem(_('"%(text)s" is not a date as a CTF writes one (for example 2015-03-14).') % {"text": text})
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise DateProblem(_('"%(text)s" is not a real date.') % {"text": text}) from None
