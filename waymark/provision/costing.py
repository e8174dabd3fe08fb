"""What provision costs: staff hourly cost × hours a week × weeks ÷ group size, plus other costs.

DOMAIN.md, "Costing provision". The sums are pure functions on ``Decimal`` over plain
values (``GroupInputs``), so hypothesis can check them without a database; the selector
at the bottom (``provision_costing``) loads one school's year in a fixed number of queries
and hands the plain values to them.

- A session's staff cost is the sum, over the group's leaders, of their role's hourly
  cost × the session's length in hours.
- A group's year is its sessions a week (one per timetable slot) × the school weeks it
  runs this school year (ISO weeks with at least one planned session, in term time, at
  most the school's ``school_weeks``), plus the group's other costs. When the school has
  entered no terms for the year, every group is costed for a full ``school_weeks`` year
  and the page says so.
- That cost is shared equally by the pupils in the group on the day costed (today, or the
  group's first or last day when it has not started or has finished). A group with no
  pupils costs nobody, but still counts in the totals by intervention and by funding.
- A pupil's year is their share of each group plus the costs entered for them alone.

Nothing is rounded in the sums; ``pennies`` rounds for the page and the exports only.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch

from waymark.core.services import require

from .delivery import last_day, weekdays_of
from .permissions import can_see_provision_map
from .schedule import planned_dates, term_ranges

ZERO = Decimal("0")
PENNY = Decimal("0.01")
MINUTES_AN_HOUR = 60


def pennies(amount):
    """``amount`` to the nearest penny, halves up: for display and exports, never for sums."""
    return Decimal(amount).quantize(PENNY, rounding=ROUND_HALF_UP)


def _add(into, key, amount):
    into[key] = into.get(key, ZERO) + amount


# ----- pure sums -----


@dataclass(frozen=True)
class GroupInputs:
    """One group as plain values, its dates already limited to the year being costed."""

    key: object
    intervention: object
    funding: str
    weekdays: tuple
    starts_on: datetime.date
    ends_on: datetime.date
    minutes_per_session: int
    hourly_costs: tuple = ()  # one per leader
    other_costs: tuple = ()  # (annual amount, funding) pairs
    members: tuple = ()  # pupils in the group on the day costed

    @property
    def sessions_a_week(self):
        return len(set(self.weekdays))

    @property
    def minutes_a_week(self):
        return self.minutes_per_session * self.sessions_a_week


def session_staff_cost(group):
    """What one session's staff time costs: Σ leader's hourly cost × minutes ÷ 60."""
    return sum((Decimal(hourly) * group.minutes_per_session for hourly in group.hourly_costs), ZERO) / MINUTES_AN_HOUR


def weeks(group, terms, school_weeks):
    """School weeks the group runs: ISO weeks holding at least one planned session, at most
    ``school_weeks``; a full ``school_weeks`` when no terms are entered for the year."""
    if group.ends_on < group.starts_on:
        return 0
    if not terms:
        return school_weeks
    dates = planned_dates(group.weekdays, group.starts_on, group.ends_on, terms)
    return min(len({day.isocalendar()[:2] for day in dates}), school_weeks)


def group_annual_cost_by_funding(group, weeks_run):
    """The group's year split by where the money comes from: staff time from the group's
    funding, each other cost from its own."""
    by_funding = {group.funding: session_staff_cost(group) * group.sessions_a_week * weeks_run}
    for amount, funding in group.other_costs:
        _add(by_funding, funding, Decimal(amount))
    return by_funding


def group_annual_cost(group, weeks_run):
    """session_staff_cost × sessions a week × weeks + the group's other costs."""
    return sum(group_annual_cost_by_funding(group, weeks_run).values(), ZERO)


def group_size(group):
    """Pupils sharing the cost: those in the group on the day costed, at least 1 for dividing."""
    return max(len(set(group.members)), 1)


def per_pupil_share(annual_cost, size):
    """Each pupil's equal share of a group's year."""
    return Decimal(annual_cost) / max(size, 1)


def pupil_annual_cost(shares, own_costs=()):
    """A pupil's year: their shares of their groups plus the costs entered for them alone."""
    return sum((Decimal(share) for share in shares), ZERO) + sum((Decimal(cost) for cost in own_costs), ZERO)


@dataclass
class GroupCost:
    group: GroupInputs
    weeks: int
    session_cost: Decimal
    total: Decimal
    by_funding: dict
    size: int  # pupils on the day costed; 0 for an empty group
    share: Decimal
    share_by_funding: dict


@dataclass
class PupilCost:
    pupil: object
    total: Decimal = ZERO
    by_funding: dict = field(default_factory=dict)
    groups: list = field(default_factory=list)  # GroupCost of each group they are in
    own: list = field(default_factory=list)  # (amount, funding) entered for them alone


@dataclass
class CostingSummary:
    groups: list
    pupils: dict  # pupil key -> PupilCost
    unallocated: Decimal  # groups with nobody in them on the day costed
    by_funding: dict
    by_intervention: dict  # intervention key -> total; None for costs entered for one pupil
    weeks_estimated: bool  # no terms entered: every group costed for a full year

    @property
    def total(self):
        return sum(self.by_funding.values(), ZERO)


def summarise(groups, pupil_costs, terms, school_weeks):
    """Every group's cost, each pupil's, and the totals by intervention and by funding.

    ``pupil_costs`` are ``(pupil, amount, funding)`` for costs entered for one pupil alone.
    The pupils' totals plus ``unallocated`` equal the total by funding and by intervention.
    """
    pupils, by_funding, by_intervention = {}, {}, {}
    unallocated = ZERO
    group_costs = []
    for group in groups:
        weeks_run = weeks(group, terms, school_weeks)
        split = group_annual_cost_by_funding(group, weeks_run)
        total = sum(split.values(), ZERO)
        members = sorted(set(group.members), key=str)
        size = group_size(group)
        cost = GroupCost(
            group=group,
            weeks=weeks_run,
            session_cost=session_staff_cost(group),
            total=total,
            by_funding=split,
            size=len(members),
            share=per_pupil_share(total, size) if members else ZERO,
            share_by_funding={key: per_pupil_share(amount, size) for key, amount in split.items()} if members else {},
        )
        group_costs.append(cost)
        _add(by_intervention, group.intervention, total)
        for key, amount in split.items():
            _add(by_funding, key, amount)
        if not members:
            unallocated += total
        for pupil in members:
            line = pupils.setdefault(pupil, PupilCost(pupil=pupil))
            line.groups.append(cost)
            for key, amount in cost.share_by_funding.items():
                _add(line.by_funding, key, amount)
    for pupil, amount, funding in pupil_costs:
        amount = Decimal(amount)
        line = pupils.setdefault(pupil, PupilCost(pupil=pupil))
        line.own.append((amount, funding))
        _add(line.by_funding, funding, amount)
        _add(by_funding, funding, amount)
        _add(by_intervention, None, amount)
    for line in pupils.values():
        line.total = sum(line.by_funding.values(), ZERO)
    return CostingSummary(
        groups=group_costs,
        pupils=pupils,
        unallocated=unallocated,
        by_funding=by_funding,
        by_intervention=by_intervention,
        weeks_estimated=not terms,
    )


# ----- the school's year, from the database -----


@dataclass(frozen=True)
class CostingYear:
    """The school year being costed: the school's own, or 1 September to 31 August if none is entered."""

    starts_on: datetime.date
    ends_on: datetime.date
    name: str
    terms: tuple


def costing_year(school, today):
    from waymark.schools.services import academic_year_current

    year = academic_year_current(school, today)
    if year is not None:
        starts_on, ends_on, name = year.starts_on, year.ends_on, year.name
    else:
        first = today.year if today.month >= 9 else today.year - 1
        starts_on, ends_on = datetime.date(first, 9, 1), datetime.date(first + 1, 8, 31)
        name = f"{first} to {first + 1}"
    return CostingYear(starts_on, ends_on, name, tuple(term_ranges(school, starts_on, ends_on)))


def group_inputs(group, year, today):
    """``group`` (with ``slots``, ``leaders`` and their roles, ``members`` and ``other_costs``
    prefetched) as plain values for the year being costed."""
    last = last_day(group)
    # A finished group's cost still belongs to the pupils who were in it at the end.
    day_costed = min(max(today, group.starts_on), last)
    return GroupInputs(
        key=group.pk,
        intervention=group.intervention_id,
        funding=group.funding,
        weekdays=tuple(weekdays_of(group)),
        starts_on=max(group.starts_on, year.starts_on),
        ends_on=min(last, year.ends_on),
        minutes_per_session=group.minutes_per_session,
        hourly_costs=tuple(leader.staff_role.hourly_cost for leader in group.leaders.all()),
        other_costs=tuple((cost.annual_amount, cost.funding) for cost in group.other_costs.all()),
        members=tuple(sorted({m.pupil_id for m in group.members.all() if m.is_member_on(day_costed)})),
    )


@dataclass
class ProvisionCosting:
    """A school's costed year: the summary, and the rows it was built from, by id."""

    year: CostingYear
    summary: CostingSummary
    groups: dict  # group id -> InterventionGroup (with its intervention)
    interventions: dict  # intervention id -> Intervention
    school_weeks: int


def provision_costing(actor):
    """The costed year of the actor's school, for those who see the provision map.

    Eight queries whatever the number of groups, pupils or costs.
    """
    from .models import GroupLeader, InterventionGroup, OtherCost

    require(can_see_provision_map(actor))
    school = actor.school
    year = costing_year(school, actor.today)
    groups = list(
        InterventionGroup.objects.filter(school=school, starts_on__lte=year.ends_on, ends_on__gte=year.starts_on)
        .select_related("intervention")
        .prefetch_related(
            "slots",
            Prefetch("leaders", queryset=GroupLeader.objects.select_related("staff_role")),
            "members",
            "other_costs",
        )
        .order_by("name", "pk")
    )
    pupil_costs = [
        (cost.pupil_id, cost.annual_amount, cost.funding)
        for cost in OtherCost.objects.filter(school=school, pupil__isnull=False).order_by("pk")
    ]
    inputs = [group_inputs(group, year, actor.today) for group in groups]
    summary = summarise(inputs, pupil_costs, year.terms, school.school_weeks)
    return ProvisionCosting(
        year=year,
        summary=summary,
        groups={group.pk: group for group in groups},
        interventions={group.intervention_id: group.intervention for group in groups},
        school_weeks=school.school_weeks,
    )
