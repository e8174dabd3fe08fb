"""Measure values in words: ages as years and months, scores as plain numbers, gains with their sign.

Ages (reading and spelling ages) are stored in months (``Measure.value``) and always shown as
"7 years 4 months"; every other kind is a number on its scale's own units.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MONTHS_A_YEAR = 12


def whole_months(value) -> int:
    """A stored age, to the nearest month (ages typed as years and months are already whole)."""
    return int(Decimal(value).quantize(Decimal("1"), ROUND_HALF_UP))


def format_age(months) -> str:
    """``88`` → "7 years 4 months"; ``84`` → "7 years"; ``13`` → "1 year 1 month"."""
    total = whole_months(months)
    years, rest = divmod(abs(total), MONTHS_A_YEAR)
    parts = []
    if years:
        parts.append(ngettext("%(count)d year", "%(count)d years", years) % {"count": years})
    if rest or not years:
        parts.append(ngettext("%(count)d month", "%(count)d months", rest) % {"count": rest})
    words = " ".join(parts)
    return f"minus {words}" if total < 0 else words


def format_number(value) -> str:
    """``Decimal("95.00")`` → "95"; ``Decimal("2.50")`` → "2.5"; no exponent, ever."""
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{number.quantize(Decimal('1')):f}"
    return f"{number.normalize():f}"


def format_value(measure_type, value) -> str:
    """A value as the scale shows it: an age in years and months, anything else as a number."""
    if value is None:
        return ""
    return format_age(value) if measure_type.is_age else format_number(value)


def format_gain(measure_type, gain) -> str:
    """A gain with its sign: "+5 months" for ages, "+4" or "−3" on other scales; "no change" at 0."""
    if gain is None:
        return ""
    gain = Decimal(gain)
    if measure_type.is_age:
        months = abs(gain).quantize(Decimal("0.1"), ROUND_HALF_UP)
        size = format_number(months)
        unit = _("month") if months == 1 else _("months")
        text = f"{size} {unit}"
    else:
        text = format_number(abs(gain).quantize(Decimal("0.1"), ROUND_HALF_UP))
    if gain.quantize(Decimal("0.1"), ROUND_HALF_UP) == 0:
        return _("no change")
    # A real minus sign reads better than a hyphen and screen readers say "minus".
    return f"+{text}" if gain > 0 else f"\u2212{text}"


def range_words(measure_type) -> str:
    """The scale's range, for hints and messages: "3 years to 18 years" or "40 to 160"."""
    low = format_value(measure_type, measure_type.min_value)
    high = format_value(measure_type, measure_type.max_value)
    return _("%(low)s to %(high)s") % {"low": low, "high": high}


def direction_words(measure_type) -> str:
    return _("A higher value is better.") if measure_type.higher_is_better else _("A lower value is better.")
