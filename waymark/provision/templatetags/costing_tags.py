"""Money and time as the costing pages show them: "£1,234.56", "1 hour 40 minutes"."""

from decimal import Decimal

from django import template
from django.utils.translation import ngettext

from waymark.provision.costing import pennies

register = template.Library()


@register.filter
def money(amount):
    """£ with thousands commas and pence, rounded half up: ``£1,234.56``."""
    if amount is None or amount == "":
        return ""
    value = pennies(Decimal(amount))
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.2f}"


@register.filter
def duration(minutes):
    """Whole minutes in words: ``1 hour 40 minutes``, ``45 minutes``, ``2 hours``."""
    minutes = int(minutes or 0)
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours})
    if rest or not hours:
        parts.append(ngettext("%(count)d minute", "%(count)d minutes", rest) % {"count": rest})
    return " ".join(parts)
