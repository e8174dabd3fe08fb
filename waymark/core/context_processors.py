"""What the layout needs on every page: the school, the switcher, the navigation, the timeout."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from waymark.core.access import Action, Reach
from waymark.plans.classes import may_view_class_sheets, works_with_groups_today


def _nav_items(request, actor):
    items = [(_("Home"), reverse("core:home"))]
    if actor.membership:
        if actor.reach(Action.VIEW) in (Reach.ALL, Reach.YEAR_GROUP, Reach.OWN_GROUPS):
            items.append((_("SEN register"), reverse("pupils:register-list")))
        if may_view_class_sheets(actor) and (actor.has_role("teacher", "ta") or works_with_groups_today(actor)):
            items.append((_("My classes"), reverse("plans:my-classes")))
        if actor.can_see_figures():
            items.append((_("Figures"), reverse("pupils:figures-detail")))
        if actor.can_administer() or actor.reach(Action.INVITE) == Reach.ALL:
            items.append((_("Staff"), reverse("schools:staff-list")))
        if actor.can_administer():
            items.append((_("School settings"), reverse("schools:school-settings")))
    # Pages that belong under a navigation item without sharing its address.
    sections = {reverse("schools:school-settings"): ("/school/years/",)}
    if actor.la_school_ids:
        items.append((_("Local authority figures"), reverse("pupils:la-figures-detail")))
    path = request.path
    result = []
    for label, url in items:
        active = path == url if url == "/" else path.startswith((url, *sections.get(url, ())))
        result.append({"label": label, "url": url, "active": active})
    return result


def navigation(request):
    actor = getattr(request, "actor", None)
    if actor is None:
        return {
            "current_school": None,
            "school_choices": [],
            "nav_items": [],
            "session_timeout_seconds": None,
            "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
        }
    return {
        "current_school": actor.school,
        "school_choices": actor.schools,
        "nav_items": _nav_items(request, actor),
        "session_timeout_seconds": settings.SESSION_COOKIE_AGE,
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
    }
