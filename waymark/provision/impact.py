"""Impact: what each pupil gained, what each intervention achieved, and a pupil's progress over time.

Pure sums first (``pupil_gain``, ``Attendance``, ``MeasureSummary``), then selectors that
take the actor and run a fixed number of queries whatever the number of groups, pupils or
sessions: everything is read in a handful of flat queries and put together in Python.

Summaries are for staff who see the provision map (``permissions.can_see_provision_map``):
they name pupils, so small numbers are not hidden, but a mean over fewer than
``WAYMARK_SMALL_NUMBER_THRESHOLD`` pupils is flagged "treat with care".
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from waymark.core.access import Action
from waymark.core.services import require
from waymark.pupils.models import Pupil

from .measure_values import format_gain, format_value
from .models import (
    USEFUL_OR_BETTER,
    Attendance,
    GroupMember,
    Intervention,
    InterventionGroup,
    Measure,
    MeasureType,
    RatioGainBand,
    SessionLog,
    months_between,
    ratio_gain,
    ratio_gain_band,
)
from .permissions import can_see_provision_map

# ----- pure sums -----


@dataclass(frozen=True)
class Gain:
    """The change from an entry to an exit measure on one scale, signed so improvement is positive."""

    entry: Measure
    exit: Measure
    gain: Decimal
    ratio: Decimal | None = None
    band: str | None = None

    @property
    def measure_type(self):
        return self.entry.measure_type

    @property
    def months_elapsed(self):
        return months_between(self.entry.taken_on, self.exit.taken_on)

    @property
    def useful_or_better(self):
        return self.band in USEFUL_OR_BETTER

    @property
    def gain_text(self):
        return format_gain(self.measure_type, self.gain)

    @property
    def ratio_text(self):
        # Always two places, as ratio gains are quoted ("2.00"), so 1.99 and 2.00 read apart.
        return f"{self.ratio:.2f}" if self.ratio is not None else ""

    @property
    def band_label(self):
        return str(RatioGainBand(self.band).label) if self.band else ""


def pupil_gain(entry, exit):
    """The gain from ``entry`` to ``exit`` (both on one scale), or ``None`` if either is missing.

    On a scale where lower is better (the SDQ), a fall is an improvement and counts as a
    positive gain. For reading and spelling ages, the ratio gain and its band come too
    (``None`` when both were taken on the same day).
    """
    if entry is None or exit is None:
        return None
    if entry.measure_type_id != exit.measure_type_id:
        raise ValueError("An entry and an exit measure must be on the same scale.")
    measure_type = entry.measure_type
    change = Decimal(exit.value) - Decimal(entry.value)
    gain = change if measure_type.higher_is_better else -change
    if not measure_type.is_age:
        return Gain(entry=entry, exit=exit, gain=gain)
    ratio = ratio_gain(entry.value, exit.value, entry.taken_on, exit.taken_on)
    return Gain(entry=entry, exit=exit, gain=gain, ratio=ratio, band=ratio_gain_band(ratio))


def percent(part, whole):
    """A whole-number percentage, or ``None`` when there is nothing to divide by."""
    if not whole:
        return None
    return int((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("1"), ROUND_HALF_UP))


@dataclass
class AttendanceCount:
    """Sessions attended, out of the delivered sessions held while the pupil (or pupils) were in the group."""

    attended: int = 0
    expected: int = 0

    def add(self, other):
        self.attended += other.attended
        self.expected += other.expected

    @property
    def percent(self):
        return percent(self.attended, self.expected)


@dataclass
class MeasureSummary:
    """One scale's results for one intervention: the pupils with an entry and an exit, and their gains."""

    measure_type: MeasureType
    gains: list = field(default_factory=list)

    @property
    def pupils(self):
        return len(self.gains)

    @property
    def mean_gain(self):
        if not self.gains:
            return None
        total = sum((gain.gain for gain in self.gains), Decimal(0))
        return (total / len(self.gains)).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def mean_gain_text(self):
        return format_gain(self.measure_type, self.mean_gain)

    @property
    def useful_or_better(self):
        """How many had a useful or better ratio gain (reading and spelling ages only)."""
        if not self.measure_type.is_age:
            return None
        return sum(1 for gain in self.gains if gain.useful_or_better)

    @property
    def useful_or_better_percent(self):
        return percent(self.useful_or_better, self.pupils) if self.measure_type.is_age else None

    @property
    def few(self):
        return 0 < self.pupils < settings.WAYMARK_SMALL_NUMBER_THRESHOLD


# ----- reading the school's groups once -----


def _groups_for(actor, year):
    require(can_see_provision_map(actor))
    groups = InterventionGroup.objects.filter(school=actor.school)
    if year is not None:
        groups = groups.filter(starts_on__lte=year.ends_on, ends_on__gte=year.starts_on)
    return groups


@dataclass
class _Loaded:
    groups: dict
    members: list
    measures: dict  # (group_id, pupil_id, measure_type_id) -> {point: Measure}
    attendance: dict  # (group_id, pupil_id) -> AttendanceCount


def _load(actor, groups, year, *, with_pupils=False):
    """Five queries: groups, their members, entry and exit measures, delivered sessions, attendances."""
    groups = {
        group.pk: group
        for group in groups.select_related("intervention__measure_type", "intervention__area").order_by("name", "pk")
    }
    pupils = Pupil.objects.restrict(actor, Action.VIEW, audience="staff")
    members = GroupMember.objects.filter(group_id__in=list(groups), pupil__in=pupils).order_by(
        "pupil__legal_surname", "pupil__legal_forename", "joined_on", "pk"
    )
    if with_pupils:
        members = members.select_related("pupil")
    members = list(members)
    measures = defaultdict(dict)
    for measure in Measure.objects.filter(
        group_id__in=list(groups), pupil__in=pupils, point__in=[Measure.Point.ENTRY, Measure.Point.EXIT]
    ).select_related("measure_type"):
        measures[(measure.group_id, measure.pupil_id, measure.measure_type_id)][measure.point] = measure
    sessions = SessionLog.objects.filter(group_id__in=list(groups), status=SessionLog.Status.DELIVERED)
    if year is not None:
        sessions = sessions.filter(date__gte=year.starts_on, date__lte=year.ends_on)
    session_days = defaultdict(list)
    session_group = {}
    for pk, group_id, day in sessions.values_list("pk", "group_id", "date"):
        session_days[group_id].append(day)
        session_group[pk] = (group_id, day)
    attended = defaultdict(set)
    for session_id, pupil_id in Attendance.objects.filter(
        session__in=sessions, attended=True, pupil__in=pupils
    ).values_list("session_id", "pupil_id"):
        group_id, day = session_group.get(session_id, (None, None))
        if group_id is not None:
            attended[(group_id, pupil_id)].add(day)
    attendance = defaultdict(AttendanceCount)
    for member in members:
        days = [day for day in session_days[member.group_id] if member.is_member_on(day)]
        count = attendance[(member.group_id, member.pupil_id)]
        count.add(
            AttendanceCount(
                attended=sum(1 for day in days if day in attended[(member.group_id, member.pupil_id)]),
                expected=len(days),
            )
        )
    return _Loaded(groups=groups, members=members, measures=measures, attendance=attendance)


def _places(loaded):
    """One row per pupil per group (a pupil who left and came back is one place)."""
    seen, places = set(), []
    for member in loaded.members:
        key = (member.group_id, member.pupil_id)
        if key not in seen:
            seen.add(key)
            places.append(member)
    return places


# ----- the intervention summary -----


@dataclass
class InterventionImpact:
    intervention: object
    groups: int = 0
    pupils: int = 0
    attendance: AttendanceCount = field(default_factory=AttendanceCount)
    measures: list = field(default_factory=list)


def _scales_in_order(intervention, measure_types):
    """The intervention's own scale first, then any other used with its groups, by name."""
    own = intervention.measure_type
    others = sorted((mt for mt in measure_types.values() if own is None or mt.pk != own.pk), key=lambda mt: mt.name)
    return ([own] if own is not None else []) + others


def _summarise(loaded):
    """Per intervention in ``loaded``: groups, pupils, attendance and each scale's gains (no queries)."""
    by_intervention = {}
    for group in loaded.groups.values():
        impact = by_intervention.setdefault(group.intervention_id, InterventionImpact(group.intervention))
        impact.groups += 1
    pupils = defaultdict(set)
    for place in _places(loaded):
        group = loaded.groups[place.group_id]
        pupils[group.intervention_id].add(place.pupil_id)
        by_intervention[group.intervention_id].attendance.add(loaded.attendance[(place.group_id, place.pupil_id)])
    scales = defaultdict(dict)
    gains = defaultdict(list)
    for (group_id, _pupil_id, _type_id), points in loaded.measures.items():
        group = loaded.groups[group_id]
        measure_type = next(iter(points.values())).measure_type
        scales[group.intervention_id][measure_type.pk] = measure_type
        gain = pupil_gain(points.get(Measure.Point.ENTRY), points.get(Measure.Point.EXIT))
        if gain is not None:
            gains[(group.intervention_id, measure_type.pk)].append(gain)
    for intervention_id, impact in by_intervention.items():
        impact.pupils = len(pupils[intervention_id])
        impact.measures = [
            MeasureSummary(measure_type=mt, gains=gains[(intervention_id, mt.pk)])
            for mt in _scales_in_order(impact.intervention, scales[intervention_id])
        ]
    return sorted(
        by_intervention.values(), key=lambda impact: (impact.intervention.name.lower(), impact.intervention.pk)
    )


def intervention_summary(actor, year=None):
    """Per intervention run by the school's groups (in ``year``, if given): groups, pupils,
    attendance, and per scale the pupils with an entry and an exit, their mean gain and, for
    reading and spelling ages, how many made a useful or better ratio gain.

    Five queries whatever the number of interventions, groups, pupils or sessions. Raises
    ``PermissionDenied`` for anyone who does not see the provision map.
    """
    return _summarise(_load(actor, _groups_for(actor, year), year))


# ----- one intervention's pupils -----


@dataclass
class PupilResult:
    """One pupil's place in one group of the intervention, on one scale."""

    pupil: Pupil
    group: InterventionGroup
    measure_type: MeasureType | None
    entry: Measure | None
    exit: Measure | None
    attendance: AttendanceCount

    @property
    def gain(self):
        return pupil_gain(self.entry, self.exit)

    @property
    def entry_text(self):
        return format_value(self.measure_type, self.entry.value) if self.entry else ""

    @property
    def exit_text(self):
        return format_value(self.measure_type, self.exit.value) if self.exit else ""


@dataclass
class InterventionDetail:
    """One intervention's summary, the scales used with its groups, and a row per pupil and scale."""

    summary: InterventionImpact | None
    scales: list
    rows: list


def intervention_pupils(actor, intervention, year=None):
    """Every pupil in the intervention's groups (in ``year``, if given), on each scale used, with
    entry, exit, gain, ratio gain and attendance, and the intervention's summary. Five queries.

    A pupil with nothing recorded appears on the intervention's own scale (or, if it has
    none, once with no scale), so nobody in a group is left off the page.
    """
    groups = _groups_for(actor, year).filter(intervention=intervention)
    loaded = _load(actor, groups, year, with_pupils=True)
    summaries = _summarise(loaded)
    used = {}
    for points in loaded.measures.values():
        measure_type = next(iter(points.values())).measure_type
        used[measure_type.pk] = measure_type
    scales = _scales_in_order(intervention, used)
    rows = []
    for place in _places(loaded):
        group = loaded.groups[place.group_id]
        attendance = loaded.attendance[(place.group_id, place.pupil_id)]
        placed = False
        for measure_type in scales:
            points = loaded.measures.get((place.group_id, place.pupil_id, measure_type.pk))
            is_own = intervention.measure_type_id == measure_type.pk
            if points or is_own:
                points = points or {}
                rows.append(
                    PupilResult(
                        pupil=place.pupil,
                        group=group,
                        measure_type=measure_type,
                        entry=points.get(Measure.Point.ENTRY),
                        exit=points.get(Measure.Point.EXIT),
                        attendance=attendance,
                    )
                )
                placed = True
        if not placed:
            rows.append(PupilResult(place.pupil, group, None, None, None, attendance))
    return InterventionDetail(summary=summaries[0] if summaries else None, scales=scales, rows=rows)


def intervention_for(actor, public_id):
    """An intervention on the school's list (its own, or one its trust shares), for the impact page."""
    require(can_see_provision_map(actor))
    school = actor.school
    # ``available_to`` without reading the trust row: the school's own, or shared in its trust.
    shared = Q(shared_with_trust=True, school__trust_id=school.trust_id) if school.trust_id else Q(pk__in=[])
    intervention = (
        Intervention.objects.filter(Q(school=school) | shared)
        .filter(public_id=public_id)
        .select_related("measure_type", "area")
        .first()
    )
    if intervention is None:
        raise PermissionDenied
    return intervention
