"""Reads for recording measures: the groups someone may record for, the scale in use, and a
group's entry and exit measures, one row per pupil who is or was in it."""

from dataclasses import dataclass

from .impact import pupil_gain
from .measure_values import format_value
from .models import GroupMember, Measure, measure_types_for
from .permissions import group_restrict


def group_for_measures(actor, public_id):
    """A group the actor runs or manages, with its intervention's scale; ``None`` for anyone else."""
    return (
        group_restrict(actor).filter(public_id=public_id).select_related("intervention__measure_type", "school").first()
    )


def scale_for(group, chosen, measure_types):
    """The scale a group's measures are on: the intervention's own; else the one chosen; else the
    one the group's measures were first recorded on (``None`` until one is chosen).

    ``chosen`` is a public id (from the page's address); only scales the school uses count.
    """
    if group.intervention.measure_type_id is not None:
        return group.intervention.measure_type
    if chosen:
        return chosen_scale(chosen, measure_types)
    used = (
        Measure.objects.filter(group=group, point__in=[Measure.Point.ENTRY, Measure.Point.EXIT])
        .order_by("recorded_at", "pk")
        .values_list("measure_type_id", flat=True)
        .first()
    )
    return next((mt for mt in measure_types if mt.pk == used), None)


def chosen_scale(public_id, measure_types):
    """The scale among ``measure_types`` whose public id is ``public_id`` (text from an address); ``None`` if none."""
    if not public_id:
        return None
    return next((mt for mt in measure_types if str(mt.public_id) == str(public_id)), None)


def school_scales(school):
    return list(measure_types_for(school).order_by("school_id", "name"))


@dataclass
class MeasureRow:
    pupil: object
    joined_on: object
    left_on: object
    entry: Measure | None
    exit: Measure | None
    measure_type: object

    @property
    def is_current(self):
        return self.left_on is None

    @property
    def entry_text(self):
        return format_value(self.measure_type, self.entry.value) if self.entry else ""

    @property
    def exit_text(self):
        return format_value(self.measure_type, self.exit.value) if self.exit else ""

    @property
    def gain(self):
        return pupil_gain(self.entry, self.exit)


def group_measure_rows(group, measure_type):
    """Every pupil who is or was in ``group``, with their entry and exit on ``measure_type``. Two queries.

    A pupil who left and came back has one row, dated from their first joining to their
    latest leaving (none while they are still in the group).
    """
    rows = {}
    members = (
        GroupMember.objects.filter(group=group)
        .select_related("pupil")
        .order_by("pupil__legal_surname", "pupil__legal_forename", "pupil_id", "joined_on")
    )
    for member in members:
        row = rows.get(member.pupil_id)
        if row is None:
            rows[member.pupil_id] = MeasureRow(member.pupil, member.joined_on, member.left_on, None, None, measure_type)
        else:
            row.left_on = None if row.left_on is None or member.left_on is None else max(row.left_on, member.left_on)
    if measure_type is not None:
        for measure in Measure.objects.filter(
            group=group, measure_type=measure_type, point__in=[Measure.Point.ENTRY, Measure.Point.EXIT]
        ).select_related("measure_type"):
            row = rows.get(measure.pupil_id)
            if row is not None:
                setattr(row, measure.point, measure)
    return list(rows.values())


def member_of_group(group, pupil_public_id):
    """The pupil, if they are or were in ``group``; ``None`` otherwise."""
    member = GroupMember.objects.filter(group=group, pupil__public_id=pupil_public_id).select_related("pupil").first()
    return member.pupil if member else None


def recorded(pupil, group, measure_type, point):
    """The entry or exit already recorded for this pupil, group and scale, if any."""
    return Measure.objects.filter(pupil=pupil, group=group, measure_type=measure_type, point=point).first()
