"""Demonstration data for ``manage.py demo``: one fictional trust, two schools and a cast of logins.

Kingfisher Primary Academy (Reception to Year 6, seven classes) and Riverside High
Academy (Years 7 to 11, forms and English, maths and science sets) belong to Riverside
Learning Trust. Both have this school year (2026 to 2027) and last year with its classes,
so "last year's teacher" exists. Every person and pupil is made up.

The data is deterministic (one ``random.Random(SEED)`` and fixed dates in the autumn term
of 2026) and the build is idempotent: when the demo schools exist already, nothing is
created and only the demo users' passwords are set again. People, pupils and classes are
written directly with ``bulk_create`` (docs/adr/0002). Families and plans are the
exception, written through the services as of the day each thing happened: parents'
contact records and the demo parents' invitations (``demo_contacts``), plans with the
reviews that moved them on (``demo_plans``, ``demo_reviews``), what parents and pupils
said (``demo_family``), the psychologist's share, and the provision delivered: staff costs,
interventions, groups, a term of sessions, measures and other costs (``demo_provision``,
``demo_delivery``), with notes, documents and her report (``demo_evidence``); and last, a pupil
who moved from the primary to the secondary with a transfer package, archived leavers, a legal
hold and a parent's subject access request (``demo_exchange``).

The whole build runs inside ``core.quiet.email_held``: the services would otherwise email
every invitation and queue a notice to parents for every plan shared, published or
reviewed, which the task worker started by ``make run`` would then send about things that
"happened" weeks ago. Nothing is sent or queued, and no ``Notification`` is recorded.
"""

import datetime
import random
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Min
from django_scopes import scopes_disabled

from waymark.accounts.models import User
from waymark.accounts.services import email_address_verify
from waymark.pupils.models import Enrolment, Pupil, SenStatus
from waymark.schools.models import AcademicYear, ClassGroup, GroupStaff, Membership, School, Term, Trust

from . import demo_contacts, demo_evidence, demo_exchange, demo_family, demo_plans, demo_provision, demo_pupils
from .quiet import email_held

SEED = 2026
PASSWORD = "waymark-demo-2026"  # noqa: S105 (published on purpose: demo accounts only, never deployed)
EMAIL_DOMAIN = "demo.waymark.test"
ALLOWED_ENVIRONMENTS = ("development", "test")
THIS_YEAR = 2026  # the school year 2026 to 2027 is "this year"; 2025 to 2026 is last year
# The demo is set in the autumn term of 2026: nothing in it happens after this day.
DEMO_DATE = datetime.date(2026, 11, 16)
LOGINS_FILE = "demo-logins.txt"

TRUST_NAME = "Riverside Learning Trust"
LA_NUMBER = "999"  # not a real local authority


@dataclass(frozen=True)
class SchoolPlan:
    key: str
    name: str
    urn: str
    establishment_number: str
    phase: str
    year_groups: range


PRIMARY = SchoolPlan("primary", "Kingfisher Primary Academy", "990101", "2001", "primary", range(0, 7))
SECONDARY = SchoolPlan("secondary", "Riverside High Academy", "990102", "4001", "secondary", range(7, 12))
SCHOOLS = (PRIMARY, SECONDARY)

TERMS = {
    2025: [("Autumn term", (2025, 9, 1), (2025, 12, 19)), ("Spring term", (2026, 1, 5), (2026, 3, 27)),
           ("Summer term", (2026, 4, 13), (2026, 7, 22))],
    2026: [("Autumn term", (2026, 9, 1), (2026, 12, 18)), ("Spring term", (2027, 1, 4), (2027, 3, 26)),
           ("Summer term", (2027, 4, 12), (2027, 7, 21))],
}  # fmt: skip
PRIMARY_CLASSES = {0: "Acorns", 1: "Hazel", 2: "Rowan", 3: "Willow", 4: "Beech", 5: "Oak", 6: "Cedar"}
FORMS = "ABCD"
SUBJECTS = {"English": "En", "Maths": "Ma", "Science": "Sc"}
SETS_PER_SUBJECT = 4
# (targeted, targeted plus, EHC plan) on each school's register.
REGISTER_COUNTS = {"primary": (22, 14, 9), "secondary": (50, 32, 18)}


@dataclass(frozen=True)
class CastMember:
    """One demo login. ``groups`` are (school year, group name, teacher or ta) in its first school."""

    role: str
    full_name: str
    describes: str
    schools: tuple = ()
    roles: tuple = ()
    year_groups: tuple = ()
    since: datetime.date = datetime.date(2019, 9, 1)
    groups: tuple = ()

    @property
    def email(self):
        return f"{self.role}@{EMAIL_DOMAIN}"


KP, RH = "Kingfisher Primary", "Riverside High"
CAST = (
    CastMember("senco", "Joanna Pembridge", f"SENCO, {KP}", ("primary",), ("senco",), since=datetime.date(2017, 9, 1)),
    CastMember("head", "Martin Hollis", f"Headteacher, {KP}", ("primary",), ("head",), since=datetime.date(2015, 1, 5)),
    CastMember(
        "teacher", "Rachel Fenwick", f"Class teacher of Beech Class (Year 4), {KP}", ("primary",), ("teacher",),
        groups=((2026, "Beech Class", "teacher"),),
    ),
    CastMember(
        "teacher2", "Daniel Asante", f"Maths teacher with five sets, {RH}", ("secondary",), ("teacher",),
        groups=tuple((2026, name, "teacher") for name in ("7Ma4", "9Ma2", "9Ma4", "10Ma3", "11Ma1")),
    ),
    CastMember(
        "ta", "Sam Whitlock", f"Teaching assistant in Beech Class (Year 4), {KP}", ("primary",), ("ta",),
        groups=((2026, "Beech Class", "ta"),),
    ),
    CastMember("governor", "Margaret Ellery", f"SEN governor, {KP}", ("primary",), ("governor",)),
    CastMember("parent", "Laura Bennett", f"Mother of a Year 4 pupil at {KP} (link active)"),
    CastMember("parent2", "Craig Bennett", "Father of the same pupil, living apart (link restricted by a court order)"),
    CastMember("parent3", "Funmilayo Adeyemi", f"Parent of a Year 8 pupil at {RH} (link active)"),
    CastMember("specialist", "Nadia Farrow", f"Educational psychologist; a live share of a Year 4 pupil at {KP}"),
    CastMember(
        "other-school-senco", "Imran Siddiqui", f"SENCO, {RH}", ("secondary",), ("senco",),
        since=datetime.date(2021, 4, 12),
    ),
    CastMember(
        "dsl", "Claire Donnelly", f"Designated safeguarding lead and Cedar Class (Year 6) teacher, {KP}",
        ("primary",), ("dsl", "teacher"), groups=((2026, "Cedar Class", "teacher"),),
    ),
    CastMember(
        "deputy-senco", "Tom Abbott", f"Deputy SENCO and Rowan Class (Year 2) teacher, {KP}", ("primary",),
        ("deputy_senco", "teacher"), groups=((2026, "Rowan Class", "teacher"),),
    ),
    CastMember(
        "head-of-year", "Grace Adebayo", f"Head of Year 9, tutor of 9A and English teacher, {RH}", ("secondary",),
        ("head_of_year", "teacher"), (9,), groups=((2026, "9A", "teacher"), (2026, "9En1", "teacher")),
    ),
    CastMember(
        "trust-lead", "Helen Carrick", f"Trust inclusion lead, {KP} and {RH}", ("primary", "secondary"),
        ("trust_lead",), since=datetime.date(2024, 9, 2),
    ),
    CastMember(
        "last-years-teacher", "Peter Lindqvist", f"Taught Willow Class (Year 3) last year, {KP}; no class this year",
        ("primary",), ("teacher",), groups=((2025, "Willow Class", "teacher"),),
    ),
)  # fmt: skip


@dataclass(frozen=True)
class Login:
    role: str
    email: str
    password: str
    describes: str


@dataclass(frozen=True)
class DemoResult:
    created: bool
    logins: list


class DemoRefused(Exception):
    """The demo may not be built here (the environment, or accounts in the way)."""


def check_environment():
    env = getattr(settings, "WAYMARK_ENV", None)
    if env not in ALLOWED_ENVIRONMENTS:
        raise DemoRefused(
            f"The demo only runs when WAYMARK_ENV is development (or test), and here it is {env!r}. "
            "Demo accounts share a published password and must never exist on a live server."
        )


def logins():
    return [Login(member.role, member.email, PASSWORD, member.describes) for member in CAST]


def build_demo():
    """Create the demo trust, schools, pupils and cast once; on later runs only reset the passwords."""
    check_environment()
    password_hash = make_password(PASSWORD)  # hashed once: Argon2 per user would be slow
    # A command runs outside any request, across two schools and users who belong to none:
    # the tenant scope is lifted here, by name, for the whole build. The services it calls
    # would email parents about months of made-up history and queue a task for each plan
    # shared, published or reviewed: with email held (core/quiet.py) nothing is sent or queued.
    with scopes_disabled(), email_held(), transaction.atomic():
        if School.objects.filter(urn__in=[plan.urn for plan in SCHOOLS]).exists():
            User.objects.filter(email__in=[member.email for member in CAST], is_demo=True).update(
                password=password_hash
            )
            return DemoResult(created=False, logins=logins())
        _create(random.Random(SEED), password_hash)
    return DemoResult(created=True, logins=logins())


def write_logins(result, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{login.role} {login.email} {login.password}\n" for login in result.logins))


def _date(parts):
    return datetime.date(*parts)


def _create(rng, password_hash):
    trust = Trust.objects.filter(name=TRUST_NAME).first() or Trust.objects.create(name=TRUST_NAME)
    schools, years = {}, {}
    for plan in SCHOOLS:
        school = School.objects.create(
            trust=trust,
            name=plan.name,
            urn=plan.urn,
            la_number=LA_NUMBER,
            establishment_number=plan.establishment_number,
            phase=plan.phase,
            mfa_required_roles=[],  # two-factor sign-in stays optional in the demo
            is_demo=True,
        )
        schools[plan.key] = school
        for start in TERMS:
            year = AcademicYear.objects.create(
                school=school,
                name=f"{start} to {start + 1}",
                starts_on=datetime.date(start, 9, 1),
                ends_on=datetime.date(start + 1, 8, 31),
            )
            years[plan.key, start] = year
            Term.objects.bulk_create(
                Term(academic_year=year, name=name, starts_on=_date(first), ends_on=_date(last))
                for name, first, last in TERMS[start]
            )
    users = _users(password_hash)
    Membership.objects.bulk_create(
        Membership(
            user=users[member.role],
            school=schools[key],
            roles=list(member.roles),
            year_groups=list(member.year_groups),
            starts_on=member.since,
        )
        for member in CAST
        for key in member.schools
    )
    groups, enrolments = {}, []
    primary_pupils = _primary(rng, schools["primary"], years, users["senco"], groups, enrolments)
    secondary_child = _secondary(rng, schools["secondary"], years, users["other-school-senco"], groups, enrolments)
    Enrolment.objects.bulk_create(enrolments)
    GroupStaff.objects.bulk_create(
        GroupStaff(
            group=groups[member.schools[0], start, name],
            user=users[member.role],
            kind=kind,
            starts_on=years[member.schools[0], start].starts_on,
            ends_on=years[member.schools[0], start].ends_on,
        )
        for member in CAST
        for start, name, kind in member.groups
    )
    _share(primary_pupils["shared"], users)
    # Parents first, so that reviews can name who came; what they said about the plans after.
    children = {"primary": primary_pupils["child"], "secondary": secondary_child}
    demo_contacts.build_contacts(rng, schools, users, children, today=DEMO_DATE)
    _refresh_planner_statistics()
    demo_plans.build_plans(rng, schools, users, today=DEMO_DATE)
    demo_family.build_family(rng, schools, users, today=DEMO_DATE)
    _refresh_planner_statistics()
    demo_provision.build_provision(rng, schools, users, today=DEMO_DATE)
    _refresh_planner_statistics()
    demo_exchange.build_exchange(rng, schools, users, today=DEMO_DATE)


def _users(password_hash):
    emails = [member.email for member in CAST]
    existing = {user.email: user for user in User.objects.filter(email__in=emails)}
    users = {}
    for member in CAST:
        user = existing.get(member.email) or User(email=member.email)
        if user.pk and not user.is_demo:
            raise DemoRefused(f"{member.email} already belongs to an account that is not a demo account.")
        user.full_name = member.full_name
        user.is_demo = True
        user.password = password_hash
        user.save()
        email_address_verify(user=user)
        users[member.role] = user
    return users


def _make_groups(school, year, kind, specs, groups):
    """Create groups from (name, subject, year group) and file them by (school key, start year, name)."""
    made = ClassGroup.objects.bulk_create(
        ClassGroup(school=school, academic_year=year, kind=kind, name=name, subject=subject, year_group=year_group)
        for name, subject, year_group in specs
    )
    key = "primary" if school.urn == PRIMARY.urn else "secondary"
    for group in made:
        groups[key, year.starts_on.year, group.name] = group
    return {group.name: group for group in made}


def _primary(rng, school, years, senco, groups, enrolments):
    sizes = {year_group: rng.randint(28, 30) for year_group in PRIMARY.year_groups}
    pupils = demo_pupils.build_pupils(
        rng, school=school, sizes=sizes, first_year=0, this_year=THIS_YEAR, latest=DEMO_DATE, without_upn=3
    )
    # The parents' child and the child shared with the psychologist are in Beech Class (Year 4).
    year_4 = [index for index, pupil in enumerate(pupils) if pupil.year_group == 4]
    child, shared = pupils[year_4[0]], pupils[year_4[1]]
    child.legal_surname = "Bennett"
    register = demo_pupils.choose_register(
        rng,
        pupils,
        counts=REGISTER_COUNTS["primary"],
        forced=[(year_4[0], ("K", "targeted")), (year_4[1], ("K", "targeted_plus"))],
        weight=lambda pupil: 0.3 if pupil.year_group == 0 else 1.0,  # few are identified in Reception
    )
    demo_pupils.save_pupils(rng, pupils, register, phase="primary", recorded_by=senco, latest=DEMO_DATE)
    registration = ClassGroup.Kind.REGISTRATION
    for start in TERMS:
        year = years["primary", start]
        age = THIS_YEAR - start  # how many year groups lower the pupils were in that school year
        classes = _make_groups(
            school,
            year,
            registration,
            [(f"{PRIMARY_CLASSES[year_group]} Class", "", year_group) for year_group in PRIMARY.year_groups
             if year_group + age in PRIMARY.year_groups],
            groups,
        )  # fmt: skip
        for pupil in pupils:
            if pupil.year_group - age >= 0:
                name = f"{PRIMARY_CLASSES[pupil.year_group - age]} Class"
                demo_pupils.enrol(enrolments, pupil, classes[name], year)
    return {"child": child, "shared": shared}


def _secondary(rng, school, years, senco, groups, enrolments):
    sizes = {year_group: rng.randint(116, 124) for year_group in SECONDARY.year_groups}
    pupils = demo_pupils.build_pupils(
        rng, school=school, sizes=sizes, first_year=7, this_year=THIS_YEAR, latest=DEMO_DATE
    )
    register = demo_pupils.choose_register(rng, pupils, counts=REGISTER_COUNTS["secondary"])
    open_statuses = demo_pupils.save_pupils(
        rng, pupils, register, phase="secondary", recorded_by=senco, latest=DEMO_DATE
    )
    # A form stays together from Year 7 to Year 11; sets are redrawn each year.
    forms = {}
    for year_group in SECONDARY.year_groups:
        cohort = [pupil for pupil in pupils if pupil.year_group == year_group]
        rng.shuffle(cohort)
        forms.update((pupil, FORMS[index % len(FORMS)]) for index, pupil in enumerate(cohort))
    for start in TERMS:
        year = years["secondary", start]
        age = THIS_YEAR - start
        year_groups = [year_group for year_group in SECONDARY.year_groups if year_group + age in SECONDARY.year_groups]
        made = _make_groups(
            school,
            year,
            ClassGroup.Kind.REGISTRATION,
            [(f"{year_group}{form}", "", year_group) for year_group in year_groups for form in FORMS],
            groups,
        )
        made |= _make_groups(
            school,
            year,
            ClassGroup.Kind.TEACHING,
            [
                (f"{year_group}{code}{number}", subject, year_group)
                for year_group in year_groups
                for subject, code in SUBJECTS.items()
                for number in range(1, SETS_PER_SUBJECT + 1)
            ],
            groups,
        )
        for year_group in year_groups:
            cohort = [pupil for pupil in pupils if pupil.year_group - age == year_group]
            for pupil in cohort:
                demo_pupils.enrol(enrolments, pupil, made[f"{year_group}{forms[pupil]}"], year)
            for code in SUBJECTS.values():
                # Setting by a made-up attainment score, on which SEND pulls pupils down a little.
                scored = sorted(
                    cohort, key=lambda pupil: rng.gauss(0, 1) - 0.8 * (open_statuses[pupil][0] != "N"), reverse=True
                )
                size = -(-len(scored) // SETS_PER_SUBJECT)
                for index, pupil in enumerate(scored):
                    group = made[f"{year_group}{code}{index // size + 1}"]
                    demo_pupils.enrol(enrolments, pupil, group, year)
    return _secondary_child(open_statuses)


def _secondary_child(open_statuses):
    """The secondary demo parent's child: the Year 8 pupil on SEN support longest (a plan with a history)."""
    candidates = [pupil for pupil, (provision, _tier) in open_statuses.items() if pupil.year_group == 8]
    candidates = [pupil for pupil in candidates if open_statuses[pupil][0] == "K"]
    since = dict(
        SenStatus.objects.filter(pupil__in=candidates, provision="K")
        .values_list("pupil_id")
        .annotate(first=Min("starts_on"))
    )
    child = min(candidates, key=lambda pupil: (since[pupil.pk], pupil.pk))
    child.legal_surname = "Adeyemi"
    Pupil.objects.filter(pk=child.pk).update(legal_surname=child.legal_surname)
    return child


def _share(shared, users):
    """The psychologist's live share of a Year 4 pupil at the primary, through the share services (the
    SENCO shares by email, she accepts); the parents come with demo_contacts."""
    demo_evidence.share_with_specialist(shared, users)


def _refresh_planner_statistics():
    """Tell PostgreSQL how big the tables just became.

    Thousands of rows arrive at once, in one transaction that autovacuum cannot see. With
    statistics saying the tables are empty, the planner chose nested loops that turned
    second-long queries into minutes. ANALYZE inside the transaction samples its own rows.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
