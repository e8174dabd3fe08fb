"""The census check: the school's SEN figures as the spring census will see them, and the records
that would fail it, before the MIS sends the return.

The spring census is taken on its census day, the third Thursday of January. It counts the
pupils on roll that day (joined on or before it, not left before it) by SEN provision code
(K SEN support, E EHC plan; N is not on the SEN register) and, for pupils on the register,
by their primary (rank 1) and secondary (rank 2) type of need. Everything here is read as
it stood on that day, from the dated status and need history, so a past or future day can
be checked too.

What fails is what the census cannot take, or takes wrongly (DOMAIN.md, census codes):

- more than one SEN provision covering the day (history that overlaps), or none at all;
- a legacy code (S, A, P) covering the day, or a tier that does not go with the code;
- SEN support or an EHC plan with no primary need; two needs at the same rank; the same
  need at rank 1 and 2; NSA with an EHC plan, or NSA with a secondary need;
- needs recorded for a pupil whose provision is N;
- a pupil on the register with no UPN, and any UPN whose check letter is wrong;
- DS (Down syndrome) on a census day before the January 2025 census, which first took it.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy

from waymark.core.access import Action
from waymark.core.audit import audit_record
from waymark.core.services import require
from waymark.provision.dates import day_text
from waymark.pupils.models import (
    LEGACY_PROVISIONS,
    ON_REGISTER_PROVISIONS,
    TIERS_FOR_PROVISION,
    Need,
    NeedType,
    Provision,
    Pupil,
    SenStatus,
    Tier,
)
from waymark.pupils.upn import UPNError, validate_upn
from waymark.schools.services import academic_year_current

from .permissions import can_check_census

# DS was added to the need types for the January 2025 census (DOMAIN.md; its letters are unsettled).
DS_CODE = "DS"
DS_FIRST_CENSUS_YEAR = 2025
NSA_CODE = "NSA"
THURSDAY = 3


def third_thursday_of_january(year):
    first = datetime.date(year, 1, 1)
    return first + datetime.timedelta(days=(THURSDAY - first.weekday()) % 7 + 14)


def census_day(school, today):
    """The spring census day of the school year ``today`` is in: the third Thursday of January.

    The school's own academic year decides which January that is; without one, the school
    year starts on 1 September.
    """
    year = academic_year_current(school, today)
    if year is not None:
        starts = year.starts_on
        january = starts.year if starts.month == 1 and starts.day == 1 else starts.year + 1
    else:
        january = today.year + 1 if today.month >= 9 else today.year
    return third_thursday_of_january(january)


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


@dataclass
class PupilCheck:
    """One pupil as the census would see them on the day."""

    pupil: Pupil
    status: SenStatus | None
    statuses: list
    primary: list  # needs at rank 1 on the day
    secondary: list  # needs at rank 2 on the day
    needs: list  # every need on the day
    problems: list = field(default_factory=list)

    @property
    def provision(self):
        return self.status.provision if self.status else ""

    @property
    def on_register(self):
        return self.provision in ON_REGISTER_PROVISIONS

    @property
    def need_codes(self):
        return _codes(self.needs)


@dataclass
class NeedCount:
    code: str
    name: str
    active: bool = True
    primary: int = 0
    secondary: int = 0


@dataclass
class CensusCheck:
    day: datetime.date
    pupils: int = 0  # on roll on the day
    by_provision: dict = field(default_factory=dict)  # "K", "E", "N", "legacy", "none"
    needs: list = field(default_factory=list)  # NeedCount, in the census order of need types
    failing: list = field(default_factory=list)  # PupilCheck with problems, by name

    @property
    def on_register(self):
        return self.by_provision.get("K", 0) + self.by_provision.get("E", 0)

    @property
    def problem_count(self):
        return sum(len(check.problems) for check in self.failing)

    @property
    def primary_total(self):
        return sum(count.primary for count in self.needs)

    @property
    def secondary_total(self):
        return sum(count.secondary for count in self.needs)


def _on_the_day(day):
    statuses = SenStatus.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day)
    # "No longer a need from" is the first day without it; a need identified after the day is not seen.
    needs = Need.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day)).filter(
        Q(starts_on__isnull=True) | Q(starts_on__lte=day)
    )
    return (
        Prefetch("sen_statuses", queryset=statuses.order_by("starts_on", "pk"), to_attr="census_statuses"),
        Prefetch("needs", queryset=needs.select_related("need_type").order_by("rank", "pk"), to_attr="census_needs"),
    )


def census_pupils(actor, day):
    """The pupils the census would count on ``day``: on roll then, not archived, in the actor's school."""
    return (
        Pupil.objects.restrict(actor, Action.EXPORT, audience="staff")
        .filter(school=actor.school, date_joined__lte=day)
        .on_roll(day)
        .not_archived()
        .prefetch_related(*_on_the_day(day))
        .order_by("legal_surname", "legal_forename", "pk")
    )


# Every rule's message, by code: plain English, saying what to change.
MESSAGES = {
    "overlapping_status": gettext_lazy(
        "More than one SEN provision covers census day (%(codes)s): end the earlier one so only one applies."
    ),
    "no_status": gettext_lazy(
        "No SEN provision is recorded for census day, so the census will count them as N (no SEN)."
    ),
    "legacy_status": gettext_lazy(
        "Their provision on census day is %(code)s, a legacy code the census no longer takes."
    ),
    "tier_E": gettext_lazy(
        "They have an EHC plan (E) but are in the %(tier)s tier: a pupil with an EHC plan is in the specialist tier."
    ),
    "tier_N": gettext_lazy(
        "Their provision is N (no SEN) but they are in the %(tier)s tier: a pupil with no SEN is in the universal tier."
    ),
    "tier_K": gettext_lazy(
        "They are on SEN support (K) but in the %(tier)s tier: "
        "SEN support goes with the targeted or targeted plus tier."
    ),
    "no_primary_need": gettext_lazy(
        "They are on SEN support or have an EHC plan, but no primary need (rank 1) is recorded."
    ),
    "secondary_without_primary": gettext_lazy("They have a secondary need (rank 2) but no primary need (rank 1)."),
    "two_needs_at_rank": gettext_lazy(
        "More than one need at rank %(rank)s on census day (%(codes)s): the census takes one."
    ),
    "same_need_twice": gettext_lazy("%(code)s is recorded as both the primary and the secondary need."),
    "nsa_with_ehc_plan": gettext_lazy(
        "NSA (no specialist assessment of the type of need) is recorded, "
        "but they have an EHC plan, which names their needs."
    ),
    "nsa_with_secondary": gettext_lazy(
        "The primary need is NSA (no specialist assessment of the type of need), so there should be no secondary need."
    ),
    "ds_before_2025": gettext_lazy(
        "DS (Down syndrome) was first collected in the January 2025 census; it is not a valid code on %(day)s."
    ),
    "needs_without_sen": gettext_lazy(
        "Needs are recorded (%(codes)s) but their provision is N (no SEN): change the provision, or end the needs."
    ),
    "no_upn": gettext_lazy(
        "No UPN is recorded. The census needs one for every pupil: "
        "use a temporary UPN until the permanent one is known."
    ),
    "bad_upn": gettext_lazy("The UPN %(upn)s is not valid: %(reason)s"),
}


def _problem(rule, message_key=None, **params):
    message = str(MESSAGES[message_key or rule])
    return Problem(rule, message % params if params else message)


def _codes(needs):
    return ", ".join(need.need_type.code for need in needs)


def _tier_problem(status):
    allowed = TIERS_FOR_PROVISION.get(status.provision)
    if not allowed or status.tier in allowed:
        return None
    tier = str(dict(Tier.choices).get(status.tier, status.tier)).lower()
    return _problem("tier", f"tier_{status.provision}", tier=tier)


def _status_problems(check):
    problems = []
    if len(check.statuses) > 1:
        codes = ", ".join(status.provision for status in check.statuses)
        problems.append(_problem("overlapping_status", codes=codes))
    status = check.status
    if status is None:
        problems.append(_problem("no_status"))
    elif status.provision in LEGACY_PROVISIONS:
        problems.append(_problem("legacy_status", code=status.provision))
    else:
        tier = _tier_problem(status)
        if tier:
            problems.append(tier)
    return problems


def _need_problems(check, day):
    primary, secondary = check.primary, check.secondary
    if not check.on_register:
        if check.needs and check.provision == Provision.NO_SEN:
            return [_problem("needs_without_sen", codes=check.need_codes)]
        return []
    problems = []
    if not primary:
        problems.append(_problem("no_primary_need", "secondary_without_primary" if secondary else None))
    for rank, needs in ((1, primary), (2, secondary)):
        if len(needs) > 1:
            problems.append(_problem("two_needs_at_rank", rank=rank, codes=_codes(needs)))
    both = {n.need_type.code for n in primary} & {n.need_type.code for n in secondary}
    problems += [_problem("same_need_twice", code=code) for code in sorted(both)]
    codes = [need.need_type.code for need in check.needs if need.rank in (1, 2)]
    if NSA_CODE in codes and check.provision == Provision.EHC_PLAN:
        problems.append(_problem("nsa_with_ehc_plan"))
    if any(n.need_type.code == NSA_CODE for n in primary) and secondary:
        problems.append(_problem("nsa_with_secondary"))
    if DS_CODE in codes and day.year < DS_FIRST_CENSUS_YEAR:
        problems.append(_problem("ds_before_2025", day=day_text(day)))
    return problems


def _upn_problems(check):
    upn = check.pupil.upn
    if not upn:
        return [_problem("no_upn")] if check.on_register else []
    try:
        validate_upn(upn)
    except UPNError as error:
        return [_problem("bad_upn", upn=upn, reason=str(error))]
    return []


def check_pupil(pupil, day):
    """What the census would make of ``pupil`` on ``day`` (needs the ``census_pupils`` prefetches)."""
    statuses = pupil.census_statuses
    needs = pupil.census_needs
    check = PupilCheck(
        pupil=pupil,
        status=statuses[-1] if statuses else None,
        statuses=statuses,
        primary=[need for need in needs if need.rank == 1],
        secondary=[need for need in needs if need.rank == 2],
        needs=needs,
    )
    check.problems = [*_status_problems(check), *_need_problems(check, day), *_upn_problems(check)]
    return check


def census_check(actor, day):
    """The census figures and the failing records on ``day`` for the actor's school.

    A fixed number of queries whatever the school's size: the pupils, their statuses and
    needs on the day, and the list of need types.
    """
    require(can_check_census(actor))
    result = CensusCheck(day=day)
    counts = {
        need_type.code: NeedCount(need_type.code, need_type.name, need_type.is_active)
        for need_type in NeedType.objects.all()
    }
    by_provision = {"K": 0, "E": 0, "N": 0, "legacy": 0, "none": 0}
    for pupil in census_pupils(actor, day):
        check = check_pupil(pupil, day)
        result.pupils += 1
        provision = check.provision
        key = "none" if not provision else "legacy" if provision in LEGACY_PROVISIONS else provision
        by_provision[key] += 1
        if check.on_register:
            # One primary and one secondary per pupil, as the census takes them; extras are flagged above.
            for need, attr in ((check.primary[:1], "primary"), (check.secondary[:1], "secondary")):
                if need:
                    count = counts[need[0].need_type.code]
                    setattr(count, attr, getattr(count, attr) + 1)
        if check.problems:
            result.failing.append(check)
    result.by_provision = by_provision
    # Every need type in use today, and any retired one still recorded.
    result.needs = [count for count in counts.values() if count.active or count.primary or count.secondary]
    return result


def census_viewed(*, actor, check):
    """Audit that the named pupils on the census check page were seen (ids only)."""
    audit_record(
        actor=actor,
        action="exchange.census.viewed",
        data={"census_day": check.day.isoformat(), "pupils": [str(c.pupil.public_id) for c in check.failing]},
    )


EXPORT_HEADER = (
    "Surname",
    "Forename",
    "UPN",
    "Year group",
    "Provision on census day",
    "Needs on census day",
    "Problem",
)


def census_export(*, actor, day, file_format):
    """The check as rows for a spreadsheet, audited as a disclosure before it is built.

    Returns ``(filename, counts, need_rows, failing_rows)``: the counts by provision,
    the counts by need type (primary, secondary), and one row per problem, naming the pupil.
    """
    check = census_check(actor, day)
    audit_record(
        actor=actor,
        action="exchange.census.exported",
        data={
            "census_day": day.isoformat(),
            "format": file_format,
            "pupils": [str(c.pupil.public_id) for c in check.failing],
        },
    )
    counts = [("Pupils on roll on census day", check.pupils)]
    counts += [
        ("K – SEN support", check.by_provision["K"]),
        ("E – EHC plan", check.by_provision["E"]),
        ("N – no SEN (not on the register)", check.by_provision["N"]),
    ]
    if check.by_provision["legacy"]:
        counts.append(("Legacy code (S, A or P)", check.by_provision["legacy"]))
    if check.by_provision["none"]:
        counts.append(("No provision recorded", check.by_provision["none"]))
    need_rows = [(f"{n.code} – {n.name}", n.primary, n.secondary) for n in check.needs]
    failing = [
        (
            c.pupil.legal_surname,
            c.pupil.legal_forename,
            c.pupil.upn,
            c.pupil.year_group_label,
            c.provision or "None",
            c.need_codes,
            problem.message,
        )
        for c in check.failing
        for problem in c.problems
    ]
    filename = f"census-check-{day.isoformat()}.{file_format}"
    return filename, counts, need_rows, failing
