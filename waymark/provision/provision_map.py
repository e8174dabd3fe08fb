"""The provision map: the costed year (costing.py) by pupil, by intervention and by funding source.

Rows are built in Python from ``provision_costing`` plus two queries for the pupils, so a
page or an export runs the same number of queries whatever the number of groups and
pupils; sorting and filtering happen here, on the server, before a page is cut.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from waymark.core.access import Action
from waymark.pupils.models import ON_REGISTER_PROVISIONS, Pupil, SenStatus

from .costing import ZERO, pennies, provision_costing
from .group_selectors import on_register
from .models import Funding, GroupMember, OtherCost

PUPIL, INTERVENTION, FUNDING = "pupil", "intervention", "funding"
VIEWS = (PUPIL, INTERVENTION, FUNDING)

PUPIL_ORDERS = {
    "name": lambda row: (row.pupil.legal_surname.lower(), row.pupil.legal_forename.lower(), row.pupil.pk),
    "year": lambda row: (row.pupil.year_group, row.pupil.legal_surname.lower(), row.pupil.pk),
    "-cost": lambda row: (-row.total, row.pupil.legal_surname.lower(), row.pupil.pk),
    "cost": lambda row: (row.total, row.pupil.legal_surname.lower(), row.pupil.pk),
}
INTERVENTION_ORDERS = {
    "name": lambda row: (row.individual, row.name.lower()),
    "-cost": lambda row: (-row.total, row.name.lower()),
}


def funding_label(key):
    return str(Funding(key).label) if key in Funding.values else str(key)


def hours(minutes):
    """Minutes as hours to two decimal places, for exports."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


@dataclass
class PupilLine:
    name: str
    minutes_a_week: int
    share: Decimal


@dataclass
class PupilRow:
    pupil: Pupil
    provision: SenStatus | None
    total: Decimal
    by_funding: list  # (label, amount) in the order of Funding
    lines: list = field(default_factory=list)  # PupilLine per group, then costs for them alone
    own_costs: Decimal = ZERO
    over_threshold: bool = False

    @property
    def minutes_a_week(self):
        return sum(line.minutes_a_week for line in self.lines)


@dataclass
class InterventionRow:
    name: str
    groups: int
    pupils: int
    minutes_a_week: int
    total: Decimal
    individual: bool = False  # costs entered for one pupil, not through a group


@dataclass
class FundingRow:
    key: str
    label: str
    pupils: int
    total: Decimal


@dataclass
class ProvisionMap:
    costing: object
    threshold: Decimal
    pupil_rows: list
    intervention_rows: list
    funding_rows: list

    @property
    def summary(self):
        return self.costing.summary

    @property
    def total(self):
        return self.summary.total

    @property
    def unallocated(self):
        return self.summary.unallocated

    @property
    def pupils_total(self):
        return sum((row.total for row in self.pupil_rows), ZERO)


def _funding_split(by_funding):
    order = {key: index for index, key in enumerate(Funding.values)}
    return [
        (funding_label(key), amount)
        for key, amount in sorted(by_funding.items(), key=lambda item: order.get(item[0], len(order)))
        if amount
    ]


def _pupils(actor, costing):
    """The pupils with costed provision and those on the register without any (two queries)."""
    year = costing.year
    in_groups = GroupMember.objects.filter(group_id__in=list(costing.groups)).values("pupil_id")
    with_costs = OtherCost.objects.filter(school=actor.school, pupil__isnull=False).values("pupil_id")
    registered = (
        Pupil.objects.filter(on_register(), school=actor.school).on_roll(min(actor.today, year.ends_on)).values("pk")
    )
    return list(
        Pupil.objects.restrict(actor, Action.EXPORT, audience="staff")
        .filter(Q(pk__in=in_groups) | Q(pk__in=with_costs) | Q(pk__in=registered))
        .prefetch_related(
            Prefetch("sen_statuses", queryset=SenStatus.objects.filter(ends_on__isnull=True), to_attr="open_statuses")
        )
    )


def _pupil_rows(actor, costing, threshold):
    summary = costing.summary
    rows = []
    for pupil in _pupils(actor, costing):
        status = pupil.open_statuses[0] if pupil.open_statuses else None
        line = summary.pupils.get(pupil.pk)
        if line is None and (status is None or status.provision not in ON_REGISTER_PROVISIONS):
            continue  # in a group once, but neither costed this year nor on the register
        row = PupilRow(pupil=pupil, provision=status, total=ZERO, by_funding=[])
        if line is not None:
            row.total = line.total
            row.by_funding = _funding_split(line.by_funding)
            for cost in line.groups:
                group = costing.groups[cost.group.key]
                row.lines.append(PupilLine(group.intervention.name, cost.group.minutes_a_week, cost.share))
            row.own_costs = sum((amount for amount, _funding in line.own), ZERO)
        # Compared in pennies, so the flag agrees with the amount shown: £6,000.00 is not over.
        row.over_threshold = pennies(row.total) > threshold
        rows.append(row)
    return rows


def _intervention_rows(costing):
    summary = costing.summary
    by_intervention, pupils = {}, {}
    for cost in summary.groups:
        key = cost.group.intervention
        row = by_intervention.get(key)
        if row is None:
            row = by_intervention[key] = InterventionRow(costing.interventions[key].name, 0, 0, 0, ZERO)
        row.groups += 1
        row.minutes_a_week += cost.group.minutes_a_week
        row.total += cost.total
        pupils.setdefault(key, set()).update(cost.group.members)
    for key, row in by_intervention.items():
        row.pupils = len(pupils[key])
    rows = list(by_intervention.values())
    individual = [line for line in summary.pupils.values() if line.own]
    if individual:
        rows.append(
            InterventionRow(
                _("Costs entered for individual pupils"),
                groups=0,
                pupils=len(individual),
                minutes_a_week=0,
                total=summary.by_intervention.get(None, ZERO),
                individual=True,
            )
        )
    return rows


def _funding_rows(costing):
    summary = costing.summary
    rows = []
    for key in [*Funding.values, *sorted(set(summary.by_funding) - set(Funding.values))]:
        if key not in summary.by_funding:
            continue
        pupils = sum(1 for line in summary.pupils.values() if line.by_funding.get(key))
        rows.append(FundingRow(key, funding_label(key), pupils, summary.by_funding[key]))
    return rows


def provision_map(actor, *, filters=None, order="name", intervention_order="name"):
    """The provision map of the actor's school: the three views, the by-pupil rows filtered and sorted.

    ``filters`` may hold ``year_group``, ``over_threshold`` and ``funding``. Ten queries
    whatever the number of groups or pupils.
    """
    filters = filters or {}
    costing = provision_costing(actor)
    threshold = actor.school.notional_threshold
    rows = _pupil_rows(actor, costing, threshold)
    if filters.get("year_group") is not None:
        rows = [row for row in rows if row.pupil.year_group == filters["year_group"]]
    if filters.get("over_threshold"):
        rows = [row for row in rows if row.over_threshold]
    if filters.get("funding"):
        label = funding_label(filters["funding"])
        rows = [row for row in rows if any(name == label and amount for name, amount in row.by_funding)]
    rows.sort(key=PUPIL_ORDERS.get(order, PUPIL_ORDERS["name"]))
    intervention_rows = sorted(
        _intervention_rows(costing), key=INTERVENTION_ORDERS.get(intervention_order, INTERVENTION_ORDERS["name"])
    )
    return ProvisionMap(
        costing=costing,
        threshold=threshold,
        pupil_rows=rows,
        intervention_rows=intervention_rows,
        funding_rows=_funding_rows(costing),
    )


# ----- exports -----


def export_table(provision, view):
    """``(title, header, rows, money columns)`` for one view, with amounts in pounds and pence."""
    if view == INTERVENTION:
        header = [_("Intervention"), _("Groups"), _("Pupils"), _("Hours a week"), _("Cost a year (£)")]
        rows = [
            [row.name, row.groups, row.pupils, hours(row.minutes_a_week), pennies(row.total)]
            for row in provision.intervention_rows
        ]
        return _("By intervention"), header, rows, frozenset({4})
    if view == FUNDING:
        header = [_("Funding source"), _("Pupils"), _("Cost a year (£)")]
        rows = [[row.label, row.pupils, pennies(row.total)] for row in provision.funding_rows]
        return _("By funding source"), header, rows, frozenset({2})
    labels = [str(label) for label in Funding.labels]
    header = [
        _("Pupil"),
        _("UPN"),
        _("Year group"),
        _("SEN provision"),
        _("Interventions"),
        _("Hours a week"),
        _("Cost a year (£)"),
        *[_("%(source)s (£)") % {"source": label} for label in labels],
        _("Over the threshold of £%(amount)s") % {"amount": f"{pennies(provision.threshold):,}"},
    ]
    rows = []
    for row in provision.pupil_rows:
        split = dict(row.by_funding)
        rows.append(
            [
                row.pupil.full_name,
                row.pupil.upn,
                row.pupil.year_group_label,
                row.provision.provision if row.provision else "",
                "; ".join(f"{line.name} ({hours(line.minutes_a_week)} hours a week)" for line in row.lines),
                hours(row.minutes_a_week),
                pennies(row.total),
                *[pennies(split.get(label, ZERO)) for label in labels],
                row.over_threshold,
            ]
        )
    money = frozenset({6, *range(7, 7 + len(labels))})
    return _("By pupil"), header, rows, money
