"""Recording measures: entry and exit values for a pupil in a group, checks along the way, and
the school's own scales.

Entry and exit measures are recorded by the staff who run the group and by those who manage
provision (``permissions.group_restrict``), for any pupil who is or was in the group: an exit
measure is often taken just after a pupil leaves. A check along the way, outside a group, is
for those who manage provision. Every rule below gives a plain-English message and changes
nothing when it refuses.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from waymark.core.access import Action
from waymark.core.audit import audit_record
from waymark.core.services import require, require_pupil, save_versioned

from .dates import day_text
from .measure_values import range_words
from .models import GroupMember, InterventionGroup, Measure, MeasureType, measure_types_for
from .permissions import can_manage_provision, runs_or_manages

POINTS_IN_A_GROUP = (Measure.Point.ENTRY, Measure.Point.EXIT)


def duplicate_message(point):
    if point == Measure.Point.EXIT:
        return _("An exit measure on this scale is already recorded for this pupil in this group. Change it instead.")
    return _("An entry measure on this scale is already recorded for this pupil in this group. Change it instead.")


def _check_permission(actor, pupil, group, point):
    require(actor is not None and actor.is_staff_member and pupil.school_id == actor.school.pk)
    if group is None:
        if point in POINTS_IN_A_GROUP:
            raise ValidationError(_("Entry and exit measures belong to a group. Choose the group."))
        # A check outside any group: for those who manage the school's provision.
        require(can_manage_provision(actor))
        require_pupil(actor, pupil, Action.EDIT)
        return
    require(runs_or_manages(actor, group))
    if not GroupMember.objects.filter(group=group, pupil=pupil).exists():
        raise ValidationError({"group": _("Choose a group this pupil is or was in.")})


def _check_scale(actor, measure_type, value):
    if not measure_types_for(actor.school).filter(pk=measure_type.pk).exists():
        raise ValidationError({"measure_type": _("Choose one of the school's measures.")})
    if value is None:
        raise ValidationError({"value": _("Enter the value.")})
    if not (measure_type.min_value <= value <= measure_type.max_value):
        if measure_type.is_age:
            message = _("Enter %(name)s from %(range)s.")
        else:
            message = _("Enter a value from %(range)s for %(name)s.")
        raise ValidationError(
            {"value": message % {"name": measure_type.name.lower(), "range": range_words(measure_type)}}
        )


def _check_date(actor, taken_on):
    if taken_on is None:
        raise ValidationError({"taken_on": _("Enter the date the measure was taken.")})
    if taken_on > actor.today:
        raise ValidationError({"taken_on": _("The date taken must be today or in the past.")})


def _check_order(*, pupil, group, measure_type, point, taken_on, exclude_pk=None):
    """An exit needs an entry to compare with, on or before it; an entry cannot come after the exit."""
    if point not in POINTS_IN_A_GROUP:
        return
    pair = Measure.objects.filter(pupil=pupil, group=group, measure_type=measure_type)
    if exclude_pk is not None:
        pair = pair.exclude(pk=exclude_pk)
    if point == Measure.Point.EXIT:
        entry = pair.filter(point=Measure.Point.ENTRY).first()
        if entry is None:
            raise ValidationError(_("Record the entry measure first: an exit measure is compared with it."))
        if taken_on < entry.taken_on:
            raise ValidationError(
                {
                    "taken_on": _("The exit measure must be on or after the entry measure (%(date)s).")
                    % {"date": day_text(entry.taken_on)}
                }
            )
    else:
        exit_ = pair.filter(point=Measure.Point.EXIT).first()
        if exit_ is not None and taken_on > exit_.taken_on:
            raise ValidationError(
                {
                    "taken_on": _("The entry measure must be on or before the exit measure (%(date)s).")
                    % {"date": day_text(exit_.taken_on)}
                }
            )


def _lock_group(group):
    """Two people recording the same pupil's entry at once: the second waits, then finds the first."""
    if group is not None:
        InterventionGroup.objects.select_for_update().filter(pk=group.pk).order_by("pk").first()


def _audit_data(measure):
    return {
        "point": measure.point,
        "measure_type": str(measure.measure_type.public_id),
        "group": str(measure.group.public_id) if measure.group_id else None,
        **({"received_in": str(measure.received_in.public_id)} if measure.received_in_id else {}),
    }


def _check_received(actor, pupil, group, received_in):
    """A measure from the previous school (a transfer package): the pupil's own transfer, no group here."""
    require(can_manage_provision(actor) and pupil.school_id == actor.school.pk)
    require_pupil(actor, pupil, Action.EDIT)
    require(group is None and received_in.pupil_id == pupil.pk)


@transaction.atomic
def measure_record(*, actor, pupil, group, measure_type, point, value, taken_on, note="", received_in=None):
    """Record one measure for ``pupil``: an entry or exit in ``group``, or a check along the way.

    Guarantees: the actor runs the group or manages provision (a check outside a group:
    manages provision); the pupil is or was in the group; the scale is one the school uses and
    the value is within its range; the date is not in the future; at most one entry and one
    exit per pupil, group and scale ("change it instead"); an exit has an entry on or before
    it, and an entry is on or before any exit. Audited as ``provision.measure.recorded``.

    ``received_in`` (an ``exchange.ReceivedTransfer`` of this pupil) records a measure taken at
    the previous school, from a transfer package: for those who manage provision, with no
    group here (the previous school's group stays in the package), so the group rules above
    do not apply; the scale, range and date rules do.
    """
    if point not in Measure.Point.values:
        raise ValidationError({"point": _("Choose entry, exit or a check along the way.")})
    if received_in is not None:
        _check_received(actor, pupil, group, received_in)
    else:
        _check_permission(actor, pupil, group, point)
    _check_scale(actor, measure_type, value)
    _check_date(actor, taken_on)
    if received_in is None:
        _lock_group(group)
        if (
            point in POINTS_IN_A_GROUP
            and Measure.objects.filter(pupil=pupil, group=group, measure_type=measure_type, point=point).exists()
        ):
            raise ValidationError(duplicate_message(point), code="duplicate")
        _check_order(pupil=pupil, group=group, measure_type=measure_type, point=point, taken_on=taken_on)
    measure = Measure(
        pupil=pupil,
        group=group,
        measure_type=measure_type,
        point=point,
        value=value,
        taken_on=taken_on,
        note=note or "",
        recorded_by=actor.user,
        received_in=received_in,
    )
    measure.full_clean()
    try:
        with transaction.atomic():
            measure.save()
    except IntegrityError:
        # Someone recorded the same measure between our check and our save.
        raise ValidationError(duplicate_message(point), code="duplicate") from None
    audit_record(
        actor=actor, action="provision.measure.recorded", target=measure, pupil=pupil, data=_audit_data(measure)
    )
    return measure


@transaction.atomic
def measure_correct(*, actor, measure, expected_version, value, taken_on, note):
    """Correct a measure's value, date or note; its pupil, group, scale and point stay as they were.

    Guarantees the same rules as ``measure_record`` (who, range, date, entry on or before
    exit) and refuses a stale save (someone corrected it since ``expected_version``).
    Audited as ``provision.measure.corrected``.
    """
    _check_permission(actor, measure.pupil, measure.group, measure.point)
    _check_scale(actor, measure.measure_type, value)
    _check_date(actor, taken_on)
    _lock_group(measure.group)
    _check_order(
        pupil=measure.pupil,
        group=measure.group,
        measure_type=measure.measure_type,
        point=measure.point,
        taken_on=taken_on,
        exclude_pk=measure.pk,
    )
    measure.value = value
    measure.taken_on = taken_on
    measure.note = note or ""
    save_versioned(measure, expected_version=expected_version)
    audit_record(
        actor=actor,
        action="provision.measure.corrected",
        target=measure,
        pupil=measure.pupil,
        data=_audit_data(measure),
    )
    return measure


@transaction.atomic
def measure_type_create(*, actor, name, min_value, max_value, higher_is_better):
    """Add one of the school's own scales (kind "the school's own scale").

    Guarantees: only those who manage provision; a name no other scale the school uses has
    (built-in ones included, ignoring case); a lowest value below the highest. Audited as
    ``provision.measure_type.created``.
    """
    require(can_manage_provision(actor))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter a name for the scale.")})
    if measure_types_for(actor.school).filter(name__iexact=name).exists():
        raise ValidationError({"name": _("The school already has a scale called ‘%(name)s’.") % {"name": name}})
    if min_value is not None and max_value is not None and max_value <= min_value:
        raise ValidationError({"max_value": _("The highest value must be more than the lowest.")})
    measure_type = MeasureType(
        school=actor.school,
        kind=MeasureType.Kind.SCALE,
        name=name,
        min_value=min_value,
        max_value=max_value,
        higher_is_better=higher_is_better,
    )
    measure_type.full_clean()
    measure_type.save()
    audit_record(actor=actor, action="provision.measure_type.created", target=measure_type, school=actor.school)
    return measure_type
