"""Writes to places in intervention groups: add a pupil, change their place, take them out.

The same people as for groups themselves (``groups.py``) make these changes, and only while
the group has not ended. A place may name the commitment in the pupil's plan it delivers, by
its lineage, so a new plan version keeps it; the plan itself is never written.
"""

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from waymark.core.access import Action
from waymark.core.audit import audit_record
from waymark.core.services import require_pupil

from .dates import day_text
from .group_selectors import commitments_for, on_register
from .groups import raise_if_errors, refuse_if_ended
from .models import Attendance, GroupMember, InterventionGroup
from .permissions import require_manager


def _lock(group):
    """Places are checked against each other: a second request for the same group waits for the first."""
    InterventionGroup._base_manager.select_for_update().filter(pk=group.pk).order_by("pk").first()


def _check_commitment(pupil, commitment, errors):
    """The lineage ``commitment`` names (a UUID or its text), which must be in the pupil's plan in force; ``None``
    for no commitment."""
    if commitment in (None, ""):
        return None
    try:
        lineage = commitment if isinstance(commitment, uuid.UUID) else uuid.UUID(str(commitment))
    except ValueError:
        lineage = None
    if lineage is None or lineage not in {row.lineage for row in commitments_for(pupil)}:
        errors["commitment"] = _("Choose a part of %(name)s's plan in force.") % {"name": pupil.full_name}
    return lineage


def _check_place(group, pupil, joined_on, left_on, errors, *, member=None):
    """Dates inside the group's, left on or after joined, and no other place of the pupil's at the same time."""
    if joined_on is None:
        errors["joined_on"] = _("Enter the date they join.")
        return
    if not group.starts_on <= joined_on <= group.ends_on:
        errors["joined_on"] = _("The date they join must be from %(start)s to %(end)s, the group's dates.") % {
            "start": day_text(group.starts_on),
            "end": day_text(group.ends_on),
        }
        return
    if left_on is not None and left_on < joined_on:
        errors["left_on"] = _("The date they leave must be on or after the date they joined (%(date)s).") % {
            "date": day_text(joined_on)
        }
        return
    if pupil.date_left and pupil.date_left < joined_on:
        errors["joined_on"] = _("%(name)s left the school on %(date)s.") % {
            "name": pupil.full_name,
            "date": day_text(pupil.date_left),
        }
        return
    last = left_on or group.ends_on
    others = GroupMember.objects.filter(group=group, pupil=pupil)
    if member is not None:
        others = others.exclude(pk=member.pk)
    for other in others:
        if other.joined_on <= last and joined_on <= (other.left_on or group.ends_on):
            errors["joined_on"] = _("%(name)s is already in this group from %(date)s.") % {
                "name": pupil.full_name,
                "date": day_text(other.joined_on),
            }
            return


@transaction.atomic
def member_add(*, actor, group, pupil, joined_on, commitment=None):
    """Give a pupil a place in a group from ``joined_on``, optionally delivering a commitment in their plan.

    Guarantees a pupil of the group's school whom the actor reaches, on the SEN register
    (an open K or E status) and on roll, a date inside the group's dates, no other place
    of theirs in the group at the same time, and a commitment (a ``Provision.lineage``)
    from the pupil's own plan in force. The group must not have ended.
    """
    require_manager(actor, group.school_id)
    require_pupil(actor, pupil, Action.EDIT)
    if pupil.school_id != group.school_id:
        raise PermissionDenied
    refuse_if_ended(group)
    _lock(group)
    errors = {}
    if not type(pupil).objects.filter(on_register(), pk=pupil.pk).exists():
        errors["pupil"] = _(
            "%(name)s is not on the SEN register. Record their SEN support before adding them to a group."
        ) % {"name": pupil.full_name}
        raise_if_errors(errors)
    _check_place(group, pupil, joined_on, None, errors)
    lineage = _check_commitment(pupil, commitment, errors)
    raise_if_errors(errors)
    member = GroupMember(group=group, pupil=pupil, joined_on=joined_on, commitment=lineage)
    member.full_clean()
    member.save()
    audit_record(
        actor=actor,
        action="provision.member.added",
        target=group,
        pupil=pupil,
        data={"joined_on": joined_on.isoformat(), "commitment": str(lineage) if lineage else None},
    )
    return member


@transaction.atomic
def member_update(*, actor, member, joined_on, commitment=None):
    """Change when a pupil joined and which commitment in their plan the place delivers (``None``: none).

    Checks the same as ``member_add``, against the pupil's other places in the group.
    """
    group = member.group
    require_manager(actor, group.school_id)
    require_pupil(actor, member.pupil, Action.EDIT)
    refuse_if_ended(group)
    _lock(group)
    errors = {}
    _check_place(group, member.pupil, joined_on, member.left_on, errors, member=member)
    if "left_on" in errors:
        errors["joined_on"] = errors.pop("left_on")
    lineage = _check_commitment(member.pupil, commitment, errors)
    raise_if_errors(errors)
    changed = sorted(
        name for name, value in (("joined_on", joined_on), ("commitment", lineage)) if getattr(member, name) != value
    )
    member.joined_on, member.commitment = joined_on, lineage
    member.full_clean()
    member.save()
    audit_record(
        actor=actor,
        action="provision.member.updated",
        target=group,
        pupil=member.pupil,
        data={"fields": changed, "commitment": str(lineage) if lineage else None},
    )
    return member


def _check_leaving(member, left_on, errors):
    """From the day they joined to the group's last session, with no attendance recorded after it."""
    group = member.group
    if left_on is None:
        errors["left_on"] = _("Enter the date they leave.")
    elif left_on < member.joined_on:
        errors["left_on"] = _("The date they leave must be on or after the date they joined (%(date)s).") % {
            "date": day_text(member.joined_on)
        }
    elif left_on > group.ends_on:
        errors["left_on"] = _("The date they leave must be on or before the group's last session (%(date)s).") % {
            "date": day_text(group.ends_on)
        }
    else:
        attended = (
            Attendance.objects.filter(session__group=group, pupil=member.pupil, session__date__gt=left_on)
            .order_by("session__date")
            .values_list("session__date", flat=True)
            .first()
        )
        if attended is not None:
            errors["left_on"] = _("Attendance is recorded for %(name)s on %(date)s, after this date.") % {
                "name": member.pupil.full_name,
                "date": day_text(attended),
            }


@transaction.atomic
def member_remove(*, actor, member, left_on):
    """Take a pupil out of a group: their place ends on ``left_on``.

    Guarantees a date from the day they joined to the group's last session, a place that
    has not already ended, and no attendance recorded for them after that date.
    """
    group = member.group
    require_manager(actor, group.school_id)
    require_pupil(actor, member.pupil, Action.EDIT)
    refuse_if_ended(group)
    _lock(group)
    if member.left_on is not None:
        raise ValidationError(
            _("%(name)s already left this group on %(date)s.")
            % {"name": member.pupil.full_name, "date": day_text(member.left_on)}
        )
    errors = {}
    _check_leaving(member, left_on, errors)
    raise_if_errors(errors)
    member.left_on = left_on
    member.full_clean()
    member.save(update_fields=["left_on"])
    audit_record(
        actor=actor,
        action="provision.member.left",
        target=group,
        pupil=member.pupil,
        data={"left_on": left_on.isoformat()},
    )
    return member
