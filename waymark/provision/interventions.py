"""Writes to the school's intervention list: add (from a built-in type or from scratch), change, archive.

Only those who manage provision (``permissions.can_manage_provision``: the SENCO and
deputy SENCO) change the list, and only their own school's rows: an intervention another
school of the trust shares is read-only here, usable for groups but never edited.
Nothing on the list is about a pupil, so no event names one.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from waymark.core.audit import audit_record
from waymark.core.services import save_versioned
from waymark.pupils.models import AreaOfNeed

from .models import Intervention, InterventionType, MeasureType, measure_types_for
from .permissions import require_manager

# What a form may change; the school, the type it started from and the archive flag are set here.
EDITABLE_FIELDS = (
    "name",
    "area",
    "description",
    "sessions_per_week",
    "minutes_per_session",
    "group_size",
    "measure_type",
    "shared_with_trust",
)


def _check(school, fields, *, instance=None):
    """Plain-English problems with ``fields`` for ``school``'s list, raised together."""
    errors = {}
    name = (fields.get("name") or "").strip()
    fields["name"] = name
    if not name:
        errors["name"] = _("Enter a name for the intervention.")
    else:
        same = Intervention.objects.filter(school=school, name__iexact=name)
        if instance is not None:
            same = same.exclude(pk=instance.pk)
        # Case-insensitive, unlike the database constraint: "Phonics" and "phonics" would read as one.
        if same.exists():
            errors["name"] = _("Your school already has an intervention called ‘%(name)s’. Choose another name.") % {
                "name": name
            }
    if not isinstance(fields.get("area"), AreaOfNeed):
        errors["area"] = _("Choose the broad area of need.")
    measure = fields.get("measure_type")
    if measure is not None and (
        not isinstance(measure, MeasureType) or not measure_types_for(school).filter(pk=measure.pk).exists()
    ):
        errors["measure_type"] = _("Choose how progress is measured from the list.")
    if fields.get("shared_with_trust") and not school.trust_id:
        errors["shared_with_trust"] = _("Your school is not part of a trust, so there is nobody to share it with.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def intervention_create(
    *,
    actor,
    name,
    area,
    sessions_per_week,
    minutes_per_session,
    group_size,
    description="",
    measure_type=None,
    shared_with_trust=False,
    intervention_type=None,
):
    """Add an intervention to the actor's school's list.

    Guarantees a name no other intervention of the school has (whatever its capitals), a
    broad area, a measure the school has, sharing only within a trust, and the model's own
    limits (at least half a session a week, 5 minutes, one pupil). ``intervention_type`` is
    the built-in type it started from, kept so the list can say so; nothing is copied later.
    """
    require_manager(actor)
    if intervention_type is not None and not isinstance(intervention_type, InterventionType):
        raise ValidationError(_("Choose a built-in intervention from the list."))
    fields = {
        "name": name,
        "area": area,
        "description": (description or "").strip(),
        "sessions_per_week": sessions_per_week,
        "minutes_per_session": minutes_per_session,
        "group_size": group_size,
        "measure_type": measure_type,
        "shared_with_trust": bool(shared_with_trust),
    }
    _check(actor.school, fields)
    intervention = save_versioned(Intervention(school=actor.school, intervention_type=intervention_type, **fields))
    audit_record(
        actor=actor,
        action="provision.intervention.created",
        target=intervention,
        data={"type": intervention_type.code if intervention_type else None, "shared": intervention.shared_with_trust},
    )
    return intervention


@transaction.atomic
def intervention_update(*, actor, intervention, expected_version, **fields):
    """Change one of the school's own interventions.

    Refuses a stale save (someone saved since ``expected_version``) and another school's
    intervention, and checks the same things as ``intervention_create``. Groups already
    running keep their own session length: changing the typical one does not move them.
    """
    # Another school's row (even one shared with the trust) is not the actor's to change.
    require_manager(actor, intervention.school_id)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"intervention_update() cannot change {sorted(unknown)}")
    values = {name: getattr(intervention, name) for name in EDITABLE_FIELDS}
    values.update(fields)
    values["description"] = (values.get("description") or "").strip()
    values["shared_with_trust"] = bool(values.get("shared_with_trust"))
    _check(actor.school, values, instance=intervention)
    for name, value in values.items():
        setattr(intervention, name, value)
    save_versioned(intervention, expected_version=expected_version)
    audit_record(
        actor=actor,
        action="provision.intervention.updated",
        target=intervention,
        data={"fields": sorted(fields), "shared": intervention.shared_with_trust},
    )
    return intervention


@transaction.atomic
def intervention_archive(*, actor, intervention, archived=True, expected_version=None):
    """Take an intervention off the list of those offered (``archived=False`` puts it back).

    Groups already set up with it carry on; no new group can choose it while it is
    archived, here or (if it was shared) at the other schools of the trust.
    """
    require_manager(actor, intervention.school_id)
    intervention.is_archived = bool(archived)
    save_versioned(intervention, expected_version=expected_version)
    audit_record(
        actor=actor,
        action="provision.intervention.updated",
        target=intervention,
        data={"archived": intervention.is_archived},
    )
    return intervention
