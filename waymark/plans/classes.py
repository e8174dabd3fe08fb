"""Reads for "My classes": the plans in force for the pupils in the groups someone works with today.

A teacher or TA sees, for each class or teaching group they work with today, every pupil
enrolled in it today who has a plan in force, with their needs in a line and the key
adjustments from the published (frozen) version. The whole page is four queries however
many groups and pupils there are: the groups, the plans in force, who is in which group,
and the pupils' open needs. Snapshots are read in Python.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from waymark.core.access import Action, Reach
from waymark.core.models import Visibility
from waymark.pupils.models import Enrolment, Need
from waymark.schools.models import GroupStaff

from .models import PlanVersion
from .selectors import version_list, visible_levels
from .snapshot import content_for, visible_content

# Staff whose reach names pupils; governors (figures only), office staff, parents and
# specialists get nothing from these pages.
CLASS_SHEET_REACHES = (Reach.OWN_GROUPS, Reach.YEAR_GROUP, Reach.ALL)


def may_view_class_sheets(actor):
    """Whether "My classes" exists for ``actor`` at all; what it shows is decided by their groups."""
    return (
        actor is not None
        and actor.is_staff_member
        and actor.user is not None
        and actor.reach(Action.VIEW) in CLASS_SHEET_REACHES
    )


@dataclass
class SheetGroup:
    """A class or group the actor works with today, and the pupils with a plan in force in it."""

    group: object
    staff_kinds: list = field(default_factory=list)
    rows: list = field(default_factory=list)


@dataclass
class SheetRow:
    pupil: object
    needs: list  # [(code, name)] in rank order; empty when needs are left out
    adjustments: list  # [{"text", "subject"}], subject-first for a subject group


def _assignments_today(actor):
    if not may_view_class_sheets(actor) or actor.school is None:
        return GroupStaff.objects.none()
    today = actor.today
    return GroupStaff.objects.filter(
        user=actor.user, starts_on__lte=today, ends_on__gte=today, group__school=actor.school
    )


def works_with_groups_today(actor):
    """Whether ``actor`` works with any class or group in their school today (one query), for the navigation."""
    return _assignments_today(actor).exists()


def my_groups(actor):
    """The classes and groups ``actor`` works with today in their current school, as ``SheetGroup``s."""
    assignments = (
        _assignments_today(actor)
        .select_related("group")
        .order_by("group__kind", "group__year_group", "group__name", "group_id", "kind")
    )
    groups = {}
    for assignment in assignments:
        entry = groups.setdefault(assignment.group_id, SheetGroup(group=assignment.group))
        label = assignment.get_kind_display()
        if label not in entry.staff_kinds:
            entry.staff_kinds.append(label)
    return list(groups.values())


def _norm(subject):
    return (subject or "").strip().casefold()


def key_adjustments(content, levels, subject=""):
    """The key adjustments of a plan's content that ``levels`` may see, ordered for ``subject``.

    For a teaching group with a subject: that subject's adjustments first, then general
    ones; adjustments for other subjects are left out. For a class without a subject (a
    primary class teacher teaches everything): general ones first, then each subject's.
    """
    content = visible_content(content, levels)
    items = next((section.get("items", []) for section in content["sections"] if section["key"] == "adjustments"), [])
    key = [{"text": item["text"], "subject": item.get("subject", "")} for item in items if item.get("is_key")]
    general = [item for item in key if not _norm(item["subject"])]
    wanted = _norm(subject)
    if wanted:
        return [item for item in key if _norm(item["subject"]) == wanted] + general
    return general + [item for item in key if _norm(item["subject"])]


def sheet_levels(actor):
    """What a class sheet may show: what the actor may read, but never restricted content.

    A class sheet is read at a glance in the classroom and printed, so content restricted
    to the SENCO and DSL stays on the plan itself even when a SENCO prints their own class.
    """
    return visible_levels(actor) - {Visibility.RESTRICTED}


def class_sheets(actor, groups, *, leave_out_needs=False):
    """Fill each of ``groups`` (from ``my_groups``) with its rows, in surname order. Returns ``groups``."""
    if not groups:
        return groups
    today = actor.today
    group_ids = [entry.group.pk for entry in groups]
    enrolled = Enrolment.objects.filter(group_id__in=group_ids, starts_on__lte=today, ends_on__gte=today)
    # Restricted by the rule table, so the sheet never shows a pupil whose plan the actor cannot open.
    versions = (
        version_list(actor)
        .filter(status=PlanVersion.Status.ACTIVE, plan__pupil__in=enrolled.values("pupil_id"))
        .filter(Q(plan__pupil__date_left__isnull=True) | Q(plan__pupil__date_left__gte=today))
        .select_related("plan__pupil")
    )
    by_pupil = {version.plan.pupil_id: version for version in versions}
    if not by_pupil:
        return groups
    membership = {}
    for group_id, pupil_id in enrolled.filter(pupil_id__in=list(by_pupil)).values_list("group_id", "pupil_id"):
        membership.setdefault(group_id, set()).add(pupil_id)
    needs = {}
    if not leave_out_needs:
        open_needs = (
            Need.objects.filter(pupil_id__in=list(by_pupil), ends_on__isnull=True)
            .select_related("need_type")
            .order_by("pupil_id", "rank")
        )
        for need in open_needs:
            needs.setdefault(need.pupil_id, []).append((need.need_type.code, need.need_type.name))
    levels = sheet_levels(actor)
    contents = {pupil_id: content_for(version) for pupil_id, version in by_pupil.items()}
    for entry in groups:
        pupils = sorted(
            (by_pupil[pupil_id].plan.pupil for pupil_id in membership.get(entry.group.pk, ())),
            key=lambda pupil: (pupil.legal_surname.casefold(), pupil.forename.casefold(), pupil.pk),
        )
        entry.rows = [
            SheetRow(
                pupil=pupil,
                needs=needs.get(pupil.pk, []),
                adjustments=key_adjustments(contents[pupil.pk], levels, entry.group.subject),
            )
            for pupil in pupils
        ]
    return groups


def pupils_shown(groups):
    """The public ids of the pupils on the sheets, once each, for the audit event."""
    seen = {}
    for entry in groups:
        for row in entry.rows:
            seen.setdefault(str(row.pupil.public_id), None)
    return list(seen)
