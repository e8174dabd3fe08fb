"""What the school already holds, read once per check in a fixed number of queries, whatever the file's size.

A roster is checked row by row against these dictionaries rather than with a query per
row: a school has at most a few thousand pupils, so reading them all is cheaper and
keeps the preview's query count the same for 10 rows or 10,000.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from waymark.core.access import NOT_DELIVERING_ROLES
from waymark.pupils.models import Enrolment, Need, NeedType, ParentLink, Pupil, SenStatus
from waymark.schools.models import ClassGroup, GroupStaff, Membership
from waymark.schools.services import academic_year_current

PUPIL_COLUMNS = (
    "pk",
    "upn",
    "legal_forename",
    "legal_surname",
    "preferred_name",
    "date_of_birth",
    "year_group",
    "sex",
    "date_joined",
    "date_left",
    "lock_version",
    "archived_at",
)
LINK_COLUMNS = ("pk", "pupil_id", "full_name", "email", "phone", "relationship", "parental_responsibility",
                "lock_version")  # fmt: skip


def name_key(forename, surname, date_of_birth):
    return (forename.strip().lower(), surname.strip().lower(), date_of_birth)


@dataclass
class SchoolHoldings:
    """The school's pupils, their open status, needs, class and family, its classes this year and its staff."""

    today: object
    year: object  # the current AcademicYear, or None
    pupils: dict = field(default_factory=dict)  # pk -> {column: value}
    by_upn: dict = field(default_factory=dict)  # upn -> pk
    by_name: dict = field(default_factory=dict)  # (forename, surname, dob) lower -> [pk]
    statuses: dict = field(default_factory=dict)  # pupil pk -> {"provision", "tier", "starts_on"}
    needs: dict = field(default_factory=dict)  # pupil pk -> {rank: {"pk", "code", "lock_version", "starts_on"}}
    enrolments: dict = field(default_factory=dict)  # pupil pk -> {"group_id", "name", "starts_on"} (registration)
    links: dict = field(default_factory=dict)  # pupil pk -> [{column: value}]
    classes: dict = field(default_factory=dict)  # class name lower -> {"pk", "name"} (this year, registration)
    staff_by_email: dict = field(default_factory=dict)  # email lower -> {"pk", "name"}
    staff_by_name: dict = field(default_factory=dict)  # full name lower -> [{"pk", "name"}]
    group_staff: set = field(default_factory=set)  # {(group pk, user pk)} current today
    need_types: dict = field(default_factory=dict)  # code -> NeedType (active ones)


def school_holdings(school, today):
    """Read everything a roster check compares against (about ten queries)."""
    held = SchoolHoldings(today=today, year=academic_year_current(school, today))
    for row in Pupil.objects.filter(school=school).order_by("pk").values(*PUPIL_COLUMNS):
        held.pupils[row["pk"]] = row
        if row["upn"]:
            held.by_upn[row["upn"]] = row["pk"]
        key = name_key(row["legal_forename"], row["legal_surname"], row["date_of_birth"])
        held.by_name.setdefault(key, []).append(row["pk"])
    for pupil_id, provision, tier, starts_on in SenStatus.objects.filter(
        pupil__school=school, ends_on__isnull=True
    ).values_list("pupil_id", "provision", "tier", "starts_on"):
        held.statuses[pupil_id] = {"provision": provision, "tier": tier, "starts_on": starts_on}
    for pk, pupil_id, rank, code, version, starts_on in Need.objects.filter(
        pupil__school=school, ends_on__isnull=True
    ).values_list("pk", "pupil_id", "rank", "need_type__code", "lock_version", "starts_on"):
        held.needs.setdefault(pupil_id, {})[rank] = {
            "pk": pk,
            "code": code,
            "lock_version": version,
            "starts_on": starts_on,
        }
    for pupil_id, group_id, name, starts_on in (
        Enrolment.objects.filter(
            pupil__school=school,
            group__kind=ClassGroup.Kind.REGISTRATION,
            starts_on__lte=today,
            ends_on__gte=today,
        )
        .order_by("starts_on", "pk")
        .values_list("pupil_id", "group_id", "group__name", "starts_on")
    ):
        held.enrolments[pupil_id] = {"group_id": group_id, "name": name, "starts_on": starts_on}
    for row in ParentLink.objects.filter(pupil__school=school).order_by("pk").values(*LINK_COLUMNS):
        held.links.setdefault(row["pupil_id"], []).append(row)
    if held.year is not None:
        for pk, name in ClassGroup.objects.filter(
            academic_year=held.year, kind=ClassGroup.Kind.REGISTRATION
        ).values_list("pk", "name"):
            held.classes[name.strip().lower()] = {"pk": pk, "name": name}
        held.group_staff = set(
            GroupStaff.objects.filter(
                group__academic_year=held.year, starts_on__lte=today, ends_on__gte=today
            ).values_list("group_id", "user_id")
        )
    memberships = (
        Membership.objects.filter(school=school, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .values_list("user_id", "user__email", "user__full_name", "roles")
    )
    for user_id, email, full_name, roles in memberships:
        if not set(roles) - NOT_DELIVERING_ROLES:
            continue
        person = {"pk": user_id, "name": full_name}
        held.staff_by_email[email.lower()] = person
        held.staff_by_name.setdefault(" ".join(full_name.lower().split()), []).append(person)
    held.need_types = {need_type.code.upper(): need_type for need_type in NeedType.objects.filter(is_active=True)}
    return held
