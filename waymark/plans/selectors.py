"""Reads that decide which plans and which parts of them someone may see."""

from django.core.exceptions import ValidationError
from django.db.models import Q

from waymark.core.access import Action, Reach
from waymark.core.models import Visibility
from waymark.pupils.models import Pupil

from .models import BankEntry, PlanTemplate, PlanVersion
from .snapshot import prefetch_for_snapshot


def visible_levels(actor):
    """The content levels a member of staff may read. Parents get ``EVERYONE`` only (later issue)."""
    levels = {Visibility.EVERYONE}
    if actor.is_staff_member or actor.is_system:
        levels.add(Visibility.STAFF)
    if actor.can_see_restricted():
        levels.add(Visibility.RESTRICTED)
    return levels


def can_edit_plans(actor, pupil):
    return Pupil.objects.restrict(actor, Action.EDIT, audience="staff").filter(pk=pupil.pk).exists()


def sees_every_version(actor):
    """Leaders see drafts and history; teachers and TAs see only the plan in force."""
    return actor.reach(Action.VIEW) == Reach.ALL or actor.reach(Action.EDIT) == Reach.ALL


def version_list(actor, *, action=Action.VIEW):
    """Plan versions ``actor`` may open as staff."""
    versions = PlanVersion.objects.restrict(actor, action, audience="staff")
    if not sees_every_version(actor):
        versions = versions.filter(status=PlanVersion.Status.ACTIVE)
    return versions


def version_get(actor, public_id, *, action=Action.VIEW):
    """One version with what its page needs, or ``PlanVersion.DoesNotExist``."""
    return prefetch_for_snapshot(version_list(actor, action=action).select_related("plan__pupil")).get(
        public_id=public_id
    )


def pupil_versions(actor, pupil):
    """The versions of ``pupil``'s plan that ``actor`` may see, newest first."""
    return (
        version_list(actor)
        .filter(plan__pupil=pupil)
        .select_related("owner", "published_by", "frozen_by")
        .order_by("-number")
    )


def templates_for(school):
    """Templates a school may use: built-in, its trust's and its own."""
    return PlanTemplate.objects.filter(
        Q(is_builtin=True) | Q(school=school) | Q(trust__isnull=False, trust_id=school.trust_id)
    )


def bank_entries(school):
    """The strategy bank as one school sees it, as a queryset: built-ins, less those it replaced, plus its own."""
    return BankEntry.objects.filter(Q(school=school) | Q(school__isnull=True), is_active=True).exclude(
        pk__in=BankEntry.objects.filter(school=school, replaces__isnull=False).values("replaces_id")
    )


def bank_entry(school, public_id):
    """One entry of ``school``'s bank (``bank_entries``), or ``None``, whatever the id looks like."""
    try:
        return bank_entries(school).select_related("area").filter(public_id=public_id).first()
    except (ValidationError, ValueError):
        return None


def bank_for(school, *, kind=None, search="", need_codes=(), area=None):
    """The strategy bank as one school sees it (``bank_entries``), filtered.

    Entries matching the pupil's need codes come first.
    """
    entries = bank_entries(school)
    if kind:
        entries = entries.filter(kind=kind)
    if area:
        entries = entries.filter(area__code=area)
    for term in search.split():
        entries = entries.filter(Q(text__icontains=term) | Q(rationale__icontains=term))
    entries = list(entries.select_related("area"))
    wanted = set(need_codes)
    entries.sort(key=lambda entry: (not wanted.intersection(entry.need_codes), entry.kind, entry.text))
    return entries
