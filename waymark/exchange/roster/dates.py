"""Dates as MIS exports and spreadsheets write them, read the British way.

Accepted: 2015-03-14 (ISO, also with a time after it), 14/03/2015, 14-03-2015, 14.03.2015,
14/3/15, 14 March 2015 or 14 Mar 2015, an Excel serial number (42077, from a date cell saved as
a number) and the dates a workbook holds as dates.

- Day first, always: 03/04/2015 is 3 April. Where the first number cannot be a day-first
  date but would be a month-first one (03/14/2015), the date is refused with a message
  rather than read silently in the American order.
- Two-digit years: 00 to the current year's last two digits mean 20xx, the rest 19xx (in
  2026, "14/3/15" is 2015 and "14/3/30" is 1930). Pupils are children, so a birth year in the
  future is never meant.
- An impossible date (31/02/2015) is refused, naming it.
"""

import datetime
import re

from django.utils.translation import gettext as _

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
NUMERIC = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{2}|\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$")
WORDS = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[ \-]([A-Za-z]+)\.?,?[ \-](\d{2}|\d{4})$")
SERIAL = re.compile(r"^(\d{5})(?:\.0+)?$")
EXCEL_EPOCH = datetime.date(1899, 12, 30)  # serial 1 is 1 January 1900, counting Excel's phantom 29 February 1900


class DateError(ValueError):
    """A date that could not be read; ``str()`` is the message for the person."""


def parse_date(text, *, today=None):
    """``text`` as a ``datetime.date``, or ``DateError`` saying what is wrong."""
    text = (text or "").strip()
    today = today or datetime.date.today()
    if match := ISO.match(text):
        year, month, day = (int(part) for part in match.groups())
        return _make(year, month, day, text)
    if match := NUMERIC.match(text):
        day, _separator, month, year = match.groups()
        day, month = int(day), int(month)
        if month > 12 and day <= 12:
            raise DateError(
                _("%(text)s looks like month first (the American order). Write dates day first, as 14/03/2015.")
                % {"text": text}
            )
        return _make(_full_year(year, today), month, day, text)
    if match := WORDS.match(text):
        day, month_name, year = match.groups()
        month = MONTHS.get(month_name.lower())
        if month is None:
            raise DateError(_("%(text)s is not a date in a form this import reads.") % {"text": text})
        return _make(_full_year(year, today), month, int(day), text)
    if match := SERIAL.match(text):
        return EXCEL_EPOCH + datetime.timedelta(days=int(match.group(1)))
    raise DateError(
        _("%(text)s is not a date in a form this import reads. Write it as 14/03/2015 or 2015-03-14.") % {"text": text}
    )


def _full_year(year, today):
    if len(year) == 4:
        return int(year)
    two = int(year)
    return 2000 + two if two <= today.year % 100 else 1900 + two


def _make(year, month, day, text):
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise DateError(_("%(text)s is not a real date.") % {"text": text}) from None
