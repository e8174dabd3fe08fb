"""``manage.py demo`` and the deployment check that refuses demo accounts."""

import datetime
import io
import random

import pytest
from django.core import checks
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.db.models import Count
from django_scopes import scope, scopes_disabled

from waymark.accounts.models import User
from waymark.core import demo
from waymark.core.actor import Actor
from waymark.core.checks import demo_data_check
from waymark.core.models import AuditEvent
from waymark.evidence.models import Share
from waymark.plans.models import Adjustment, Outcome, PlanSection, PlanVersion, ReadReceipt, SupportPlan
from waymark.plans.selectors import version_list
from waymark.plans.services import publish_problems, unedited_bank_items
from waymark.plans.snapshot import build_snapshot, prefetch_for_snapshot
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


# ----- plans -----


def _plan_counts():
    with scopes_disabled():
        return {
            "plans": SupportPlan.objects.count(),
            "versions": dict(PlanVersion.objects.values_list("status").annotate(n=Count("id"))),
            "sections": PlanSection.objects.count(),
            "outcomes": Outcome.objects.count(),
            "adjustments": Adjustment.objects.count(),
            "receipts": ReadReceipt.objects.count(),
        }


def _items(snapshot, key):
    return next((section.get("items", []) for section in snapshot["sections"] if section["key"] == key), [])


@pytest.mark.django_db
def test_demo_plans_in_every_state_written_through_the_services(var_dir):

    run_demo()
    first = _plan_counts()
    run_demo()
    assert _plan_counts() == first  # a second run creates nothing new

    with scopes_disabled():
        # Every register pupil has a plan; a few who came off the register have a closed one.
        register = Pupil.objects.filter(sen_statuses__ends_on__isnull=True, sen_statuses__provision__in=["K", "E"])
        assert not register.filter(support_plan__isnull=True).exists()
        versions = PlanVersion.objects.select_related("plan__pupil__school")
        for school in School.objects.filter(is_demo=True):
            statuses = set(versions.filter(plan__pupil__school=school).values_list("status", flat=True))
            assert {"active", "superseded", "draft"} <= statuses, school.name
        assert set(versions.values_list("status", flat=True)) == {"draft", "shared", "active", "superseded", "closed"}
        histories = {
            "+".join(plan.versions.order_by("number").values_list("status", flat=True))
            for plan in SupportPlan.objects.all()
        }
        assert {"active", "superseded+active", "active+draft", "active+shared", "draft", "closed"} <= histories
        active = versions.filter(status="active")
        assert active.count() > 0.8 * register.count()  # most pupils have a plan in force
        assert 2 <= versions.filter(status="closed").count() <= 6
        assert not versions.filter(status="closed", plan__pupil__in=register).exists()
        assert versions.filter(template__name="SEN support plan (SEND Code of Practice 2015)").exists()

        # Every frozen version was frozen by the services: stamped, audited, and its snapshot is
        # exactly what build_snapshot makes of its rows.
        frozen = versions.exclude(status="draft")
        assert not frozen.filter(snapshot__isnull=True).exists()
        assert not frozen.filter(frozen_by__isnull=True).exists()
        published = versions.filter(published_at__isnull=False)
        assert AuditEvent.objects.filter(action="plans.version.published").count() == published.count()
        assert AuditEvent.objects.filter(action="plans.version.started").count() == versions.count()
        demo_end = datetime.datetime.combine(demo.DEMO_DATE, datetime.time(), tzinfo=datetime.UTC)
        assert not frozen.filter(frozen_at__gte=demo_end).exists()
        assert not versions.filter(created_at__gte=demo_end).exists()
        for version in versions.filter(status="superseded"):
            following = versions.get(plan=version.plan, number=version.number + 1)
            assert version.ended_at == following.published_at
        sample = random.Random(1).sample(list(frozen.values_list("pk", flat=True)), 8)
        for version in prefetch_for_snapshot(PlanVersion.objects.filter(pk__in=sample)):
            assert build_snapshot(version) == version.snapshot

        # What an active plan holds.
        overdue = 0
        restricted = staff_only = 0
        subjects = set()
        for version in active:
            content, tier = version.snapshot, version.tier
            about = next(section for section in content["sections"] if section["key"] == "about_me")
            assert all(field["value"] for field in about["fields"]), version
            assert 2 <= len(_items(content, "outcomes")) <= 4, version
            assert _items(content, "provision"), version
            adjustments = _items(content, "adjustments")
            assert 3 <= len(adjustments) <= 9 and any(item["is_key"] for item in adjustments), version
            assert all(item["group_size"] >= 1 for item in _items(content, "provision"))
            keys = {section["key"] for section in content["sections"]}
            assert ("ehc_plan" in keys) is (tier == "specialist"), version
            if tier == "specialist":
                ehc = next(section for section in content["sections"] if section["key"] == "ehc_plan")
                assert {field["key"]: field["value"] for field in ehc["fields"]}["local_authority"]
            if tier in ("targeted_plus", "specialist"):
                assert _items(content, "specialist_input"), version
            overdue += version.next_review_on < demo.DEMO_DATE
            every_item = [item for section in content["sections"] for item in section.get("items", [])]
            restricted += sum(item["visibility"] == "restricted" for item in every_item)
            staff_only += sum(item["visibility"] == "staff" for item in every_item)
            subjects |= {item["subject"] for item in adjustments if item["subject"]}
            if version.plan.pupil.school.urn == demo.PRIMARY.urn:
                assert not any(item["subject"] for item in adjustments)
        assert 0 < overdue < active.count() / 4
        assert restricted and staff_only
        assert subjects == {"Maths", "English", "Science"}

        # Drafts in progress show what still stops them being published.
        drafts = list(versions.filter(status="draft"))
        assert any(publish_problems(draft) for draft in drafts)
        assert any(unedited_bank_items(draft) for draft in drafts)

        # The demo teacher and TA (Beech Class) and the maths teacher have pupils with plans in force.
        def pupils_of(role):
            user = User.objects.get(email=f"{role}@{demo.EMAIL_DOMAIN}")
            groups = GroupStaff.objects.filter(
                user=user, starts_on__lte=demo.DEMO_DATE, ends_on__gte=demo.DEMO_DATE
            ).values("group")
            return user, register.filter(enrolments__group__in=groups).distinct()

        for role in ("teacher", "ta", "teacher2"):
            user, pupils = pupils_of(role)
            assert pupils.count() >= 3, role
            actor = Actor.for_user(user, today=demo.DEMO_DATE)
            with scope(school=[actor.school.pk]):
                seen = set(version_list(actor).values_list("plan__pupil", flat=True))
            for pupil in pupils:
                assert pupil.pk in seen, (role, pupil)
                adjustments = _items(active.get(plan__pupil=pupil).snapshot, "adjustments")
                key = [item for item in adjustments if item["is_key"]]
                assert key, (role, pupil)
                if role == "teacher2":
                    assert any(item["subject"] == "Maths" for item in key), pupil
            receipts = ReadReceipt.objects.filter(user=user, version__status="active").count()
            assert 0 < receipts < pupils.count(), role

        # The parents' child has a version shared for agreement; the psychologist's pupil has her advice.
        child = ParentLink.objects.get(user__email="parent@demo.waymark.test").pupil
        assert list(child.support_plan.versions.order_by("number").values_list("status", flat=True)) == [
            "superseded",
            "active",
            "shared",
        ]
        child_active = child.support_plan.versions.get(status="active").snapshot
        assert {item["visibility"] for item in _items(child_active, "adjustments")} == {
            "everyone",
            "staff",
            "restricted",
        }
        shared_pupil = Share.objects.get(specialist__email="specialist@demo.waymark.test").pupil
        advice = _items(shared_pupil.support_plan.versions.get(status="active").snapshot, "specialist_input")
        assert any("Nadia Farrow" in item["who"] for item in advice)
