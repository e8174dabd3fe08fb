"""``manage.py demo`` and the deployment check that refuses demo accounts."""

import datetime
import io

import pytest
from django.core import checks
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.db.models import Count
from django_scopes import scopes_disabled

from waymark.accounts.models import User
from waymark.core import demo
from waymark.core.checks import demo_data_check
from waymark.evidence.models import Share
from waymark.pupils.models import Enrolment, Need, ParentLink, Pupil, SenStatus
from waymark.pupils.upn import validate_upn
from waymark.schools.models import ClassGroup, GroupStaff, Membership, School

NAMED_ROLES = [
    "senco", "head", "teacher", "teacher2", "ta", "governor", "parent", "parent2", "specialist", "other-school-senco",
]  # fmt: skip
OTHER_ROLES = ["dsl", "deputy-senco", "head-of-year", "trust-lead", "last-years-teacher"]


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def run_demo():
    out = io.StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def snapshot():
    """Counts that a second run must leave exactly as they were."""
    with scopes_disabled():
        return {
            "users": User.objects.filter(is_demo=True).count(),
            "schools": School.objects.filter(is_demo=True).count(),
            "memberships": Membership.objects.count(),
            "groups": ClassGroup.objects.count(),
            "group_staff": GroupStaff.objects.count(),
            "pupils": dict(Pupil.objects.values_list("school__urn").annotate(n=Count("id"))),
            "register": dict(
                SenStatus.objects.filter(ends_on__isnull=True, provision__in=["K", "E"])
                .values_list("pupil__school__urn")
                .annotate(n=Count("id"))
            ),
            "statuses": SenStatus.objects.count(),
            "needs": Need.objects.count(),
            "enrolments": Enrolment.objects.count(),
            "parent_links": ParentLink.objects.count(),
            "shares": Share.objects.count(),
        }


@pytest.mark.django_db
@pytest.mark.parametrize("env", ["production", "staging", None])
def test_demo_refuses_outside_development_and_test(settings, var_dir, env):
    settings.WAYMARK_ENV = env

    with pytest.raises(CommandError, match="only runs when WAYMARK_ENV is development"):
        run_demo()

    assert not School.objects.exists()
    assert not User.objects.exists()
    assert not (var_dir / demo.LOGINS_FILE).exists()


@pytest.mark.django_db
def test_demo_twice_builds_the_same_schools_and_logins(var_dir):
    first_output = run_demo()
    first = snapshot()
    first_logins = (var_dir / demo.LOGINS_FILE).read_text()

    second_output = run_demo()

    assert snapshot() == first
    assert (var_dir / demo.LOGINS_FILE).read_text() == first_logins
    assert "Created" in first_output
    assert "nothing created" in second_output
    assert first_output.splitlines()[1:] == second_output.splitlines()[1:]  # the same login table
    assert 190 <= first["pupils"][demo.PRIMARY.urn] <= 230
    assert 560 <= first["pupils"][demo.SECONDARY.urn] <= 640
    assert 40 <= first["register"][demo.PRIMARY.urn] <= 50
    assert 90 <= first["register"][demo.SECONDARY.urn] <= 110
    lines = [line.split(" ") for line in first_logins.splitlines()]
    assert [role for role, _, _ in lines] == NAMED_ROLES + OTHER_ROLES
    with scopes_disabled():
        for role, email, password in lines:
            user = User.objects.get(email=email)
            assert user.is_demo, role
            assert user.check_password(password), role
            assert len(password) >= 12


@pytest.mark.django_db
def test_demo_data_tells_the_stories_the_cast_needs(var_dir):
    run_demo()

    with scopes_disabled():
        schools = School.objects.filter(is_demo=True)
        assert {school.mfa_required_roles == [] for school in schools} == {True}
        assert {school.trust.name for school in schools} == {demo.TRUST_NAME}

        # Every tier, provision and tier agree, and most need codes appear.
        open_statuses = SenStatus.objects.filter(ends_on__isnull=True)
        assert set(open_statuses.values_list("provision", "tier")) == {
            ("N", "universal"),
            ("K", "targeted"),
            ("K", "targeted_plus"),
            ("E", "specialist"),
        }
        assert Pupil.objects.exclude(sen_statuses__ends_on__isnull=True).count() == 0
        assert SenStatus.objects.filter(
            ends_on__isnull=False, provision="K", pupil__sen_statuses__provision="E"
        ).exists()
        assert len(set(Need.objects.values_list("need_type__code", flat=True))) >= 12
        assert Need.objects.filter(rank=2).exists()
        assert Need.objects.filter(visibility="staff").exists()
        assert Need.objects.filter(visibility="restricted").exists()

        # Valid UPNs from the school's own numbers; a few Reception children have none.
        for pupil in Pupil.objects.exclude(upn="").select_related("school"):
            assert validate_upn(pupil.upn) == pupil.upn
            assert pupil.upn[1:8] == pupil.school.dfe_number
        without_upn = Pupil.objects.filter(upn="")
        assert 1 <= without_upn.count() <= 5
        assert set(without_upn.values_list("year_group", flat=True)) == {0}

        # Two parents of one child who live apart; the second link is restricted, with a reason.
        links = ParentLink.objects.filter(user__email__in=["parent@demo.waymark.test", "parent2@demo.waymark.test"])
        assert len({link.pupil_id for link in links}) == 1
        restricted = links.get(user__email="parent2@demo.waymark.test")
        assert restricted.status == ParentLink.Status.RESTRICTED
        assert "court" in restricted.status_reason
        assert links.get(user__email="parent@demo.waymark.test").status == ParentLink.Status.ACTIVE

        # The psychologist's share is live in the demo's autumn term.
        share = Share.objects.live(demo.DEMO_DATE).get(specialist__email="specialist@demo.waymark.test")
        assert share.pupil.school.urn == demo.PRIMARY.urn

        # The class teacher's class has pupils on the register; last year's teacher only taught last year.
        teacher_group = GroupStaff.objects.get(user__email="teacher@demo.waymark.test").group
        assert teacher_group.enrolments.filter(
            pupil__sen_statuses__ends_on__isnull=True, pupil__sen_statuses__provision__in=["K", "E"]
        ).exists()
        last_year = GroupStaff.objects.filter(user__email="last-years-teacher@demo.waymark.test")
        assert [staff.ends_on for staff in last_year] == [datetime.date(2026, 8, 31)]
        assert teacher_group.enrolments.filter(pupil__enrolments__group=last_year.get().group).exists()
        assert GroupStaff.objects.filter(user__email="teacher2@demo.waymark.test", group__kind="teaching").count() > 2

        trust_lead = Membership.objects.filter(user__email="trust-lead@demo.waymark.test")
        assert trust_lead.count() == 2
        head_of_year = Membership.objects.get(user__email="head-of-year@demo.waymark.test")
        assert head_of_year.year_groups == [9]
        assert Membership.objects.get(user__email="other-school-senco@demo.waymark.test").school.urn == (
            demo.SECONDARY.urn
        )


@pytest.mark.django_db
def test_deploy_check_errors_after_the_demo_and_not_before(var_dir):
    assert demo_data_check in checks.registry.registry.get_checks(include_deployment_checks=True)
    assert demo_data_check not in checks.registry.registry.get_checks(include_deployment_checks=False)
    assert demo_data_check() == []

    run_demo()

    errors = demo_data_check()
    assert [error.id for error in errors] == ["waymark.E001"]
    assert errors[0].level == checks.ERROR
    assert "Demo accounts exist" in errors[0].msg


@pytest.mark.django_db
def test_deploy_check_passes_before_migrations(monkeypatch):
    monkeypatch.setattr(connection.introspection, "table_names", lambda *args, **kwargs: [])

    assert demo_data_check() == []


@pytest.mark.django_db
def test_deploy_check_warns_when_the_database_cannot_be_read(monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("could not connect")

    monkeypatch.setattr(connection.introspection, "table_names", unreachable)

    assert [message.id for message in demo_data_check()] == ["waymark.W001"]
