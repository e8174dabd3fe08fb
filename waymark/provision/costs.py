"""Writes to what provision costs: the costing settings, staff roles' hourly costs, and other costs.

Only those who manage the school's provision (``can_manage_provision``: the SENCO and
deputy SENCO) write here. Each service checks that again, validates, saves and audits in
one transaction, and refuses anything wrong with a plain-English message, changing nothing.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waymark.core.access import Action
from waymark.core.audit import audit_record
from waymark.core.services import require, require_pupil, save_versioned

from .models import Funding, OtherCost, StaffRole
from .permissions import can_see_provision_map, require_manager

NEGATIVE_COST = gettext_lazy("Enter a cost of £0 or more.")
MAX_WEEKS = 52


def _money(value, field, message):
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: message}) from None
    if not amount.is_finite():
        raise ValidationError({field: message})
    return amount


@transaction.atomic
def costing_settings_update(*, actor, school, school_weeks, notional_threshold, expected_version):
    """Change the weeks in the school's year (1 to 52) and the notional SEN threshold (£0 or more).

    Refuses a save made on an out-of-date page; one audit event with the new values.
    """
    require_manager(actor, school.pk)
    errors = {}
    if not isinstance(school_weeks, int) or isinstance(school_weeks, bool) or not 1 <= school_weeks <= MAX_WEEKS:
        errors["school_weeks"] = _("Enter the weeks in the school year as a whole number from 1 to 52.")
    threshold = _money(notional_threshold, "notional_threshold", _("Enter the threshold in pounds, like 6000."))
    if threshold < 0:
        errors["notional_threshold"] = _("Enter a threshold of £0 or more.")
    if errors:
        raise ValidationError(errors)
    school.school_weeks = school_weeks
    school.notional_threshold = threshold
    save_versioned(school, expected_version=expected_version)
    audit_record(
        actor=actor,
        action="provision.settings.updated",
        target=school,
        school=school,
        data={"school_weeks": school_weeks, "notional_threshold": str(threshold)},
    )
    return school


@transaction.atomic
def staff_role_save(*, actor, school, name, hourly_cost, staff_role=None, expected_version=None):
    """Add a staff role (``staff_role`` None) or change one, with its hourly cost.

    Guarantees a name used once in the school (whatever its capitals), a cost of £0 or
    more, a refusal of a save made on an out-of-date page, and one audit event. Groups
    already led by someone in the role are costed at the new rate from now on.
    """
    require_manager(actor, school.pk)
    if staff_role is not None:
        require(staff_role.school_id == school.pk)
    name = " ".join(str(name).split())
    cost = _money(hourly_cost, "hourly_cost", _("Enter the cost an hour in pounds, like 18.50"))
    if cost < 0:
        raise ValidationError({"hourly_cost": _("Enter a cost an hour of £0 or more.")})
    same_name = StaffRole.objects.filter(school=school, name__iexact=name)
    if staff_role is not None:
        same_name = same_name.exclude(pk=staff_role.pk)
    if name and same_name.exists():
        raise ValidationError({"name": _("There is already a staff role called ‘%(name)s’.") % {"name": name}})
    created = staff_role is None
    role = StaffRole(school=school) if created else staff_role
    role.name = name
    role.hourly_cost = cost
    save_versioned(role, expected_version=None if created else expected_version)
    audit_record(
        actor=actor,
        action="provision.staff_role.saved",
        target=role,
        school=school,
        data={"created": created, "hourly_cost": str(role.hourly_cost)},
    )
    return role


@transaction.atomic
def cost_add(*, actor, school, kind, description, annual_amount, funding, group=None, pupil=None):
    """Add a yearly cost for one group (shared by its pupils) or for one pupil.

    Guarantees exactly one of ``group`` and ``pupil``, from the actor's school (a pupil
    the actor may edit), an amount of £0 or more and one audit event.
    """
    require_manager(actor, school.pk)
    if (group is None) == (pupil is None):
        raise ValidationError({"for_whom": _("Choose a group or one pupil the cost is for.")})
    if group is not None:
        require(group.school_id == school.pk)
    if pupil is not None:
        require(pupil.school_id == school.pk)
        require_pupil(actor, pupil, Action.EDIT)
    amount = _money(annual_amount, "annual_amount", _("Enter the cost a year in pounds, like 120 or 120.50"))
    if amount < 0:
        raise ValidationError({"annual_amount": NEGATIVE_COST})
    if funding not in Funding.values:
        raise ValidationError({"funding": _("Choose where the money comes from.")})
    cost = OtherCost(
        school=school,
        group=group,
        pupil=pupil,
        kind=kind,
        description=" ".join(str(description).split()),
        annual_amount=amount,
        funding=funding,
        created_by=actor.user,
    )
    cost.full_clean()
    cost.save()
    audit_record(
        actor=actor,
        action="provision.cost.added",
        target=cost,
        pupil=pupil,
        school=school,
        data={
            "kind": cost.kind,
            "annual_amount": str(cost.annual_amount),
            "funding": cost.funding,
            "group": str(group.public_id) if group else None,
        },
    )
    return cost


@transaction.atomic
def cost_remove(*, actor, cost):
    """Remove a cost; the audit event keeps what it was (kind, amount, funding, for whom)."""
    require_manager(actor, cost.school_id)
    if cost.pupil_id is not None:
        require_pupil(actor, cost.pupil, Action.EDIT)
    audit_record(
        actor=actor,
        action="provision.cost.removed",
        target=cost,
        pupil=cost.pupil,
        school=actor.school,
        data={
            "kind": cost.kind,
            "annual_amount": str(cost.annual_amount),
            "funding": cost.funding,
            "group": str(cost.group.public_id) if cost.group_id else None,
        },
    )
    cost.delete()
    return cost


@transaction.atomic
def provision_map_export(*, actor, view, file_format, filters=None, order="name", intervention_order="name"):
    """The provision map's ``view`` as a table for a download, and a file name; audited as a disclosure.

    Returns ``(filename, (title, header, rows, money columns))``. Those who may not see
    the map are refused (``provision_costing`` checks again).
    """
    from .provision_map import INTERVENTION, PUPIL, VIEWS, export_table, provision_map

    require(can_see_provision_map(actor))
    if view not in VIEWS:
        raise ValidationError(_("Choose a view of the provision map to download."))
    provision = provision_map(actor, filters=filters, order=order, intervention_order=intervention_order)
    table = export_table(provision, view)
    data = {"format": file_format, "view": view, "rows": len(table[2])}
    if view == PUPIL:
        data["pupils"] = [str(row.pupil.public_id) for row in provision.pupil_rows]
        data["filters"] = {k: str(v) for k, v in (filters or {}).items() if v not in (None, "", False) and k != "sort"}
    audit_record(actor=actor, action="provision.map.exported", school=actor.school, data=data)
    label = {PUPIL: "pupils", INTERVENTION: "interventions"}.get(view, "funding")
    filename = f"provision-map-{label}-{actor.today.isoformat()}.{file_format}"
    return filename, table
