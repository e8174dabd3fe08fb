"""Small template helpers for Waymark's pages: labels, plain yes/no, dates and pagination."""

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def year_label(year_group):
    """``-1`` → "Nursery", ``0`` → "Reception", ``5`` → "Year 5"."""
    from waymark.schools.models import year_group_label

    if year_group in (None, ""):
        return ""
    try:
        return year_group_label(int(year_group))
    except (TypeError, ValueError):
        return str(year_group)


@register.filter
def yesno_plain(value):
    """ "Yes" or "No", translated; Django's ``yesno`` needs its labels spelt out in every template."""
    return _("Yes") if value else _("No")


@register.filter
def role_labels(roles):
    """Role codes (as stored on invitations and memberships) as their plain-English names."""
    from waymark.schools.models import Role

    labels = dict(Role.choices)
    return [str(labels.get(role, role)) for role in roles or ()]


@register.filter
def is_past(moment):
    """True when a date or time has gone by (an invitation's expiry, say)."""
    if moment is None:
        return False
    if hasattr(moment, "hour"):
        return moment <= timezone.now()
    return moment < timezone.localdate()


@register.simple_tag
def page_items(page, on_each_side=2, on_ends=1):
    """The page numbers to show in GOV.UK pagination, with ``None`` where an ellipsis goes."""
    ellipsis = page.paginator.ELLIPSIS
    return [
        None if number == ellipsis else number
        for number in page.paginator.get_elided_page_range(page.number, on_each_side=on_each_side, on_ends=on_ends)
    ]


@register.filter
def stamped(moment, person):
    """ "4 March 2027 by Jo Bloggs", or just the date when nobody is recorded."""
    if not moment:
        return ""
    day = formats.date_format(timezone.localtime(moment) if timezone.is_aware(moment) else moment, "j F Y")
    if person is None:
        return day
    return _("%(date)s by %(name)s") % {"date": day, "name": person.full_name}


@register.filter
def any_errors(forms):
    """True when any of a page's several forms (its ``forms``) came back with errors.

    The layout puts "Error: " before the title for these as it does for a page's one ``form``,
    so a screen reader hears that the page failed before anything else.
    """
    try:
        return any(getattr(form, "errors", None) for form in forms or ())
    except TypeError:  # not a collection of forms: some other page's "forms"
        return False
