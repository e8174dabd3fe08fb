"""Fixtures shared by every app's tests: the role cast across two schools and signed-in clients."""

import datetime
from types import SimpleNamespace

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from waymark.pupils.models import NeedType, ParentLink
from waymark.tests import factories as f

# Sign test clients in through allauth's backend: axes' backend, first in the list, never logs anyone in.
LOGIN_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"

# Every signed-in member of the cast, by attribute name. Anonymous is tested separately.
CAST_PEOPLE = (
    "senco",
    "dsl",
    "head",
    "head_of_year",
    "teacher",
    "teacher2",
    "last_year_teacher",
    "ta",
    "governor",
    "parent",
    "parent2",
    "co_parent",
    "other_parent",
    "specialist",
    "expired_specialist",
    "trust_lead",
    "other_senco",
)


def build_cast():
    """Two schools in one trust and one of everyone DESIGN.md names.

    School A ("Ashdown Academy", secondary) holds ``pupil`` (Year 8, class 8A, taught by
    ``teacher`` with ``ta``; last year in 7A with ``last_year_teacher``) and ``other_pupil``
    (Year 9, class 9B, ``teacher2``). School B ("Brookfield School") holds
    ``other_school_pupil`` and ``other_senco``. ``pupil`` has three parents: ``parent`` and
    ``co_parent`` (active links) and ``parent2`` (restricted by a court order). The trust
    lead belongs to both; their first school (by name) is School A.
    """
    today = datetime.date.today()
    c = SimpleNamespace()
    with scopes_disabled():
        c.trust = f.TrustFactory(name="Downland Learning Trust")
        c.school = f.SchoolFactory(name="Ashdown Academy", trust=c.trust, phase="secondary")
        c.other_school = f.SchoolFactory(name="Brookfield School", trust=c.trust, phase="secondary")
        c.year = f.AcademicYearFactory(school=c.school)
        c.last_year = f.AcademicYearFactory(school=c.school, offset=-1)
        c.other_year = f.AcademicYearFactory(school=c.other_school)
        c.term = f.TermFactory(academic_year=c.year)

        def person(attr, name, school=None, roles=None, **membership):
            user = f.UserFactory(email=f"{attr.replace('_', '.')}@example.test", full_name=name)
            setattr(c, attr, user)
            if roles:
                m = f.MembershipFactory(user=user, school=school or c.school, roles=roles, **membership)
                setattr(c, f"{attr}_membership", m)
            return user

        person("senco", "Sam Senco", roles=["senco"])
        person("dsl", "Dee Safeguarding", roles=["dsl"])
        person("head", "Hana Head", roles=["head"])
        person("head_of_year", "Yusuf Yearlead", roles=["head_of_year"], year_groups=[8])
        person("teacher", "Tess Teacher", roles=["teacher"])
        person("teacher2", "Theo Teacher", roles=["teacher"])
        person("last_year_teacher", "Lena Lastyear", roles=["teacher"])
        person("ta", "Tariq Assistant", roles=["ta"])
        person("governor", "Gail Governor", roles=["governor"])
        person("trust_lead", "Trina Trustlead", roles=["trust_lead"])
        f.MembershipFactory(user=c.trust_lead, school=c.other_school, roles=["trust_lead"])
        person("other_senco", "Otto Othersenco", school=c.other_school, roles=["senco"])
        person("parent", "Paula Parent")
        person("parent2", "Piers Restricted")
        person("co_parent", "Cleo Coparent")
        person("other_parent", "Priya Otherparent")
        person("specialist", "Sian Specialist")
        person("expired_specialist", "Ezra Expired")

        c.class_group = f.ClassGroupFactory(school=c.school, academic_year=c.year, name="8A", year_group=8)
        c.other_class_group = f.ClassGroupFactory(school=c.school, academic_year=c.year, name="9B", year_group=9)
        c.last_year_class = f.ClassGroupFactory(school=c.school, academic_year=c.last_year, name="7A", year_group=7)
        c.other_school_class = f.ClassGroupFactory(
            school=c.other_school, academic_year=c.other_year, name="8B", year_group=8
        )
        f.GroupStaffFactory(group=c.class_group, user=c.teacher)
        f.GroupStaffFactory(group=c.class_group, user=c.ta, kind="ta")
        f.GroupStaffFactory(group=c.other_class_group, user=c.teacher2)
        # Last school year only: their class has moved on to someone else.
        f.GroupStaffFactory(group=c.last_year_class, user=c.last_year_teacher)

        c.pupil = f.PupilFactory(
            school=c.school, legal_forename="Zephyrine", legal_surname="Quartermaine", year_group=8
        )
        c.other_pupil = f.PupilFactory(
            school=c.school, legal_forename="Oswin", legal_surname="Blackthorn", year_group=9, sex="M"
        )
        c.other_school_pupil = f.PupilFactory(
            school=c.other_school, legal_forename="Marisol", legal_surname="Featherstone", year_group=8
        )
        for p in (c.pupil, c.other_pupil, c.other_school_pupil):
            f.SenStatusFactory(pupil=p, provision="K", tier="targeted")
        f.EnrolmentFactory(pupil=c.pupil, group=c.class_group)
        f.EnrolmentFactory(pupil=c.pupil, group=c.last_year_class)
        f.EnrolmentFactory(pupil=c.other_pupil, group=c.other_class_group)
        f.EnrolmentFactory(pupil=c.other_school_pupil, group=c.other_school_class)
        c.need = f.NeedFactory(pupil=c.pupil, need_type=NeedType.objects.get(code="ASD"), rank=1)
        c.other_school_need = f.NeedFactory(pupil=c.other_school_pupil, rank=1)

        c.parent_link = f.ParentLinkFactory(pupil=c.pupil, user=c.parent)
        c.restricted_link = f.ParentLinkFactory(
            pupil=c.pupil,
            user=c.parent2,
            relationship=ParentLink.Relationship.FATHER,
            status=ParentLink.Status.RESTRICTED,
            status_reason="Court order",
        )
        # A second parent of the same child, living apart, with a link of her own: each parent's
        # own contributions stay theirs unless the school shares them.
        c.co_parent_link = f.ParentLinkFactory(
            pupil=c.pupil, user=c.co_parent, relationship=ParentLink.Relationship.STEP_PARENT
        )
        c.other_parent_link = f.ParentLinkFactory(pupil=c.other_pupil, user=c.other_parent)
        c.other_school_link = f.ParentLinkFactory(pupil=c.other_school_pupil)

        c.share = f.ShareFactory(pupil=c.pupil, specialist=c.specialist, created_by=c.senco)
        c.expired_share = f.ShareFactory(
            pupil=c.pupil,
            specialist=c.expired_specialist,
            created_by=c.senco,
            starts_on=today - datetime.timedelta(days=120),
            expires_on=today - datetime.timedelta(days=1),
        )
        _add_intervention_groups(c)
    c.people = {name: getattr(c, name) for name in CAST_PEOPLE}
    return c


def _add_intervention_groups(c):
    """``group``: a phonics group the TA runs, with ``pupil`` in it; ``other_group``: one ``teacher2``
    runs for ``other_pupil``; ``other_school_group`` in School B. Each meets every school day."""
    from waymark.provision.tests import factories as pf

    c.staff_role = pf.StaffRoleFactory(school=c.school, name="Teaching assistant", hourly_cost="18.00")
    c.intervention = pf.InterventionFactory(school=c.school, name="Phonics catch-up")
    c.group = pf.InterventionGroupFactory(school=c.school, intervention=c.intervention, name="Phonics (Year 8)")
    c.other_group = pf.InterventionGroupFactory(school=c.school, intervention=c.intervention, name="Phonics (Year 9)")
    c.other_school_group = pf.InterventionGroupFactory(school=c.other_school, name="Brookfield reading")
    for group, leader, member in (
        (c.group, c.ta, c.pupil),
        (c.other_group, c.teacher2, c.other_pupil),
        (c.other_school_group, c.other_senco, c.other_school_pupil),
    ):
        role = c.staff_role if group.school == c.school else pf.StaffRoleFactory(school=group.school)
        pf.GroupLeaderFactory(group=group, user=leader, staff_role=role)
        pf.GroupMemberFactory(group=group, pupil=member)
        for weekday in range(5):
            pf.GroupSlotFactory(group=group, weekday=weekday)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth's sign-in rate limits live in the cache, which outlives each test's database."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cast(db):
    return build_cast()


@pytest.fixture
def client_for(db):
    """``client_for(user)``: a fresh test client signed in as ``user`` (or anonymous for ``None``)."""

    def make(user=None):
        client = Client()
        if user is not None:
            client.force_login(user, backend=LOGIN_BACKEND)
        return client

    return make
