"""``manage.py demo`` and the deployment check that refuses demo accounts."""

import datetime
import io
import random
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core import checks
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection, transaction
from django.db.models import Count, F, Q
from django.test import TestCase, override_settings
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from waymark.accounts.models import User
from waymark.core import demo, demo_delivery, demo_exchange
from waymark.core.access import Action
from waymark.core.actor import Actor
from waymark.core.checks import demo_data_check
from waymark.core.models import AuditEvent, Notification
from waymark.evidence.models import Document, Note, Share
from waymark.evidence.selectors import documents_visible_to
from waymark.exchange.models import LegalHold, ReceivedTransfer, SubjectAccessRequest
from waymark.exchange.subject_access.requests import due_date
from waymark.exchange.subject_access.selectors import sar_open_list
from waymark.exchange.tests.test_samples import assert_samples_preview_cleanly
from waymark.plans.dashboard import senco_dashboard
from waymark.plans.family_selectors import family_child_page
from waymark.plans.meetings import meetings_this_year
from waymark.plans.models import (
    Adjustment,
    AgreementResponse,
    ContributionChannel,
    Outcome,
    ParentContribution,
    ParentMeeting,
    ParentRequest,
    PlanSection,
    PlanVersion,
    Provision,
    PupilVoice,
    ReadReceipt,
    Review,
    SupportPlan,
)
from waymark.plans.pupil_voice import FACE_CHOICES
from waymark.plans.selectors import version_list
from waymark.plans.services import publish_problems, unedited_bank_items
from waymark.plans.snapshot import build_snapshot, prefetch_for_snapshot
from waymark.provision.delivery import today_sessions
from waymark.provision.family import TOOK_PART, family_support
from waymark.provision.impact import intervention_summary
from waymark.provision.models import (
    Attendance,
    GroupMember,
    Intervention,
    InterventionGroup,
    Measure,
    OtherCost,
    SessionLog,
    StaffRole,
    ratio_gain,
    ratio_gain_band,
)
from waymark.provision.provision_map import provision_map
from waymark.pupils.models import Enrolment, Need, ParentInvitation, ParentLink, Pupil, SenStatus
from waymark.pupils.upn import validate_upn
from waymark.schools.models import ClassGroup, GroupStaff, Membership, School
from waymark.tests.helpers import text_of

NAMED_ROLES = [
    "senco", "head", "teacher", "teacher2", "ta", "governor", "parent", "parent2", "parent3", "specialist",
    "other-school-senco",
]  # fmt: skip
OTHER_ROLES = ["dsl", "deputy-senco", "head-of-year", "trust-lead", "last-years-teacher"]
THIS_YEAR_STARTS = datetime.date(demo.THIS_YEAR, 9, 1)


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture(scope="module")
def built_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, built once for every test here that reads it, and rolled back after the module.

    Each test still runs in its own savepoint inside this transaction. One build instead of
    one a test: on PostgreSQL each rolled-back build leaves the tables full of dead rows,
    and the builds after it grew from under a minute to several.
    """
    var_dir = tmp_path_factory.mktemp("demo-var")
    with django_db_blocker.unblock(), override_settings(VAR_DIR=var_dir):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with TestCase.captureOnCommitCallbacks() as callbacks:
                output = run_demo()
            yield SimpleNamespace(output=output, var_dir=var_dir, on_commit_callbacks=callbacks)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


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
            "invitations": ParentInvitation.objects.count(),
            "shares": Share.objects.count(),
            "reviews": dict(Review.objects.values_list("status").annotate(n=Count("id"))),
            "meetings": ParentMeeting.objects.count(),
            "contributions": ParentContribution.objects.count(),
            "responses": AgreementResponse.objects.count(),
            "requests": ParentRequest.objects.count(),
            "voices": PupilVoice.objects.count(),
            "groups_run": InterventionGroup.objects.count(),
            "sessions": SessionLog.objects.count(),
            "measures": Measure.objects.count(),
            "documents": Document.objects.count(),
            "audit_events": AuditEvent.objects.count(),
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
def test_deploy_check_is_a_deployment_check_and_passes_without_the_demo():
    assert demo_data_check in checks.registry.registry.get_checks(include_deployment_checks=True)
    assert demo_data_check not in checks.registry.registry.get_checks(include_deployment_checks=False)
    assert demo_data_check() == []


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


@pytest.mark.django_db
def test_demo_twice_builds_the_same_schools_and_logins(built_demo):
    first_output = built_demo.output
    first = snapshot()
    first_plans = _plan_counts()
    first_logins = (built_demo.var_dir / demo.LOGINS_FILE).read_text()

    second_output = run_demo()

    assert snapshot() == first
    assert _plan_counts() == first_plans
    assert (built_demo.var_dir / demo.LOGINS_FILE).read_text() == first_logins
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
def test_demo_data_tells_the_stories_the_cast_needs(built_demo):
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

        # Valid UPNs from the school's own numbers (a pupil who came from another school keeps the
        # one it gave them: test_demo_exchange); a few Reception children have none.
        for pupil in Pupil.objects.exclude(upn="").select_related("school"):
            assert validate_upn(pupil.upn) == pupil.upn
            assert pupil.upn[1:8] == pupil.school.dfe_number or pupil.received_transfers.exists(), pupil
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
def test_deploy_check_errors_after_the_demo(built_demo):
    errors = demo_data_check()
    assert [error.id for error in errors] == ["waymark.E001"]
    assert errors[0].level == checks.ERROR
    assert "Demo accounts exist" in errors[0].msg


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
def test_demo_plans_in_every_state_written_through_the_services(built_demo):
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


# ----- parents, reviews and the pupil's voice -----

SENCO_EMAILS = {demo.PRIMARY.urn: "senco@demo.waymark.test", demo.SECONDARY.urn: "other-school-senco@demo.waymark.test"}


def _before_demo_date(queryset, *fields):
    """Rows of ``queryset`` with any of ``fields`` on or after the demo's today (there should be none)."""
    demo_end = datetime.datetime.combine(demo.DEMO_DATE, datetime.time(), tzinfo=datetime.UTC)
    late = [name for name in fields if queryset.filter(**{f"{name}__gte": demo_end}).exists()]
    return late


def _assert_contact_records(school):
    register = Pupil.objects.filter(
        school=school, sen_statuses__ends_on__isnull=True, sen_statuses__provision__in=["K", "E"]
    )
    links = ParentLink.objects.filter(pupil__school=school)
    with_contacts = register.filter(parent_links__isnull=False).distinct().count()
    assert with_contacts > 0.75 * register.count(), school.name
    assert links.filter(user__isnull=True).count() > 0.95 * links.count()  # a MIS's contacts, not accounts
    # Families as they are: no email (phone or letter), another language with an interpreter,
    # large print, paper or phone, and parents living apart at two addresses.
    no_email = links.filter(email="")
    assert no_email.exists() and not no_email.filter(contact_by_email=True).exists()
    assert links.filter(needs_interpreter=True).exclude(language="").exists(), school.name
    formats = set(links.values_list("preferred_format", flat=True))
    assert ParentLink.Format.PHONE in formats and formats & {ParentLink.Format.LARGE_PRINT, ParentLink.Format.PAPER}
    assert len(set(links.values_list("relationship", flat=True))) >= 3
    apart = [
        pupil
        for pupil in register.prefetch_related("parent_links")
        if len({link.address for link in pupil.parent_links.all() if link.address and link.parental_responsibility})
        >= 2
    ]
    assert apart, school.name
    return links


def _assert_reviews(school):
    reviews = Review.objects.filter(plan__pupil__school=school).prefetch_related("ratings")
    completed = reviews.filter(status=Review.Status.COMPLETED)
    assert completed.count() >= 10, school.name
    assert reviews.filter(status=Review.Status.DRAFT).exists(), school.name  # being written
    scale = {step["value"] for step in school.review_scale}
    carried = 0
    for review in completed.select_related("next_version"):
        ratings = list(review.ratings.all())
        assert ratings and all(rating.rating in scale and rating.evidence for rating in ratings), review
        assert all(rating.met == school.rating_counts_as_met(rating.rating) for rating in ratings), review
        assert review.participants and review.decisions and review.next_review_on > review.held_on, review
        # Completing the review opened the next draft: unmet outcomes carried into it, met ones not.
        next_outcomes = set(Outcome.objects.filter(version=review.next_version).values_list("carried_from", flat=True))
        unmet = {rating.outcome_id for rating in ratings if not rating.met}
        assert unmet <= next_outcomes, review
        assert not {rating.outcome_id for rating in ratings if rating.met} & next_outcomes, review
        carried += len(unmet)
    assert carried > 0
    assert completed.filter(pupil_views_hidden_from_parents=False).exclude(pupil_views="").exists()
    # Meetings with parents, counted for this school year: at reviews and outside them.
    this_year = ParentMeeting.objects.filter(pupil__school=school, held_on__gte=datetime.date(2026, 9, 1))
    assert {ParentMeeting.Kind.REVIEW, ParentMeeting.Kind.PLANNING} <= set(this_year.values_list("kind", flat=True))
    met_pupil = this_year.first().pupil
    assert meetings_this_year(met_pupil, demo.DEMO_DATE).held >= 1
    assert not _before_demo_date(reviews, "created_at", "completed_at")
    assert not _before_demo_date(ParentMeeting.objects.filter(pupil__school=school), "recorded_at")
    assert not completed.filter(held_on__gte=demo.DEMO_DATE).exists()
    return completed


def _assert_parents_words(school):
    contributions = ParentContribution.objects.filter(plan__pupil__school=school)
    online = contributions.filter(given_via=ContributionChannel.ONLINE)
    assert online.exists() and not online.filter(link__user__isnull=True).exists()
    recorded = contributions.exclude(given_via=ContributionChannel.ONLINE)
    assert recorded.exists() and not recorded.filter(recorded_by__isnull=True).exists()
    assert recorded.filter(link__user__isnull=True).exists()  # parents without accounts are heard too
    responses = AgreementResponse.objects.filter(version__plan__pupil__school=school)
    on_shared = responses.filter(version__status=PlanVersion.Status.SHARED)
    assert on_shared.filter(agrees=True).exists() and on_shared.filter(agrees=False).exists(), school.name
    assert responses.filter(given_via=ContributionChannel.ONLINE).exists()
    assert responses.exclude(given_via=ContributionChannel.ONLINE).filter(recorded_by__isnull=False).exists()
    assert not responses.filter(agrees=False, comment="").exists()
    assert ParentRequest.objects.filter(plan__pupil__school=school, resolved_at__isnull=True).exists()
    assert not _before_demo_date(contributions, "created_at", "seen_at")
    assert not _before_demo_date(responses, "responded_at", "replied_at")
    assert not _before_demo_date(ParentRequest.objects.filter(plan__pupil__school=school), "created_at")
    for response in responses.select_related("version"):
        assert response.responded_at > response.version.frozen_at, response
        assert response.replied_at is None or response.replied_at > response.responded_at, response


def _assert_the_senco_sees_every_list(school):
    senco = User.objects.get(email=SENCO_EMAILS[school.urn])
    actor = Actor.for_user(senco, today=demo.DEMO_DATE)
    with scope(school=[school.pk]):
        lists = senco_dashboard(actor)
    for name in ("due_soon", "overdue", "no_meeting", "contributions", "disagreements", "requests"):
        assert lists[name].total > 0, (school.name, name)


@pytest.mark.django_db
def test_demo_families_reviews_and_parents_in_both_schools(built_demo):
    # Nothing was emailed or queued: no invitation emails, no notices about plans shared,
    # published or reviewed (core/quiet.py), which the worker would otherwise send on `make run`.
    assert built_demo.on_commit_callbacks == []
    with scopes_disabled():
        assert not Notification.objects.exists()
        schools = list(School.objects.filter(is_demo=True).order_by("urn"))
        assert len(schools) == 2
        for school in schools:
            _assert_contact_records(school)
            _assert_reviews(school)
            _assert_parents_words(school)
            _assert_the_senco_sees_every_list(school)

        # Everything above went through the services: one audit event for each thing written.
        counted = {
            "pupils.parent_link.created": ParentLink.objects.count(),
            "pupils.parent_link.invited": ParentInvitation.objects.count(),
            "plans.review.started": Review.objects.count(),
            "plans.review.completed": Review.objects.filter(status=Review.Status.COMPLETED).count(),
            "plans.contribution.added": ParentContribution.objects.filter(given_via="online").count(),
            "plans.contribution.recorded": ParentContribution.objects.exclude(given_via="online").count(),
            "plans.response.given": AgreementResponse.objects.filter(given_via="online").count(),
            "plans.response.recorded": AgreementResponse.objects.exclude(given_via="online").count(),
            "plans.response.replied": AgreementResponse.objects.exclude(reply="").count(),
            "plans.request.made": ParentRequest.objects.count(),
            "plans.pupil_voice.given": PupilVoice.objects.count(),
            "plans.meeting.recorded": ParentMeeting.objects.exclude(kind=ParentMeeting.Kind.REVIEW).count(),
        }
        audited = dict(AuditEvent.objects.filter(action__in=counted).values_list("action").annotate(n=Count("id")))
        assert audited == counted

        # The demo parents: Laura Bennett disagreed with the version shared for agreement and the
        # SENCO replied; the secondary parent agreed with hers, and sees her former partner's views
        # because the school shared them. Both see their child's completed reviews.
        laura = ParentLink.objects.get(user__email="parent@demo.waymark.test")
        parent3 = ParentLink.objects.get(user__email="parent3@demo.waymark.test")
        assert parent3.status == ParentLink.Status.ACTIVE
        assert (parent3.pupil.school.urn, parent3.pupil.year_group) == (demo.SECONDARY.urn, 8)
        for link, agrees in ((laura, False), (parent3, True)):
            actor = Actor.for_user(link.user, today=demo.DEMO_DATE)
            with scope(school=[link.pupil.school_id]):
                page = family_child_page(actor, link)
            assert page["shared"] is not None and page["shared_response"].agrees is agrees, link
            assert page["reviews"] and page["open_requests"] and page["own_views"], link
            if not agrees:
                assert page["shared_response"].reply and page["shared_response"].comment
            else:
                assert [view.link.user_id for view in page["shared_views"]] == [None]
            assert ParentInvitation.objects.get(link=link).accepted_at is not None

        # Invitations sent and not yet accepted in each school, as the SENCO sees them on the demo's today.
        noon = datetime.datetime.combine(demo.DEMO_DATE, datetime.time(12), tzinfo=datetime.UTC)
        for school in schools:
            invited = ParentInvitation.objects.filter(link__pupil__school=school, accepted_at__isnull=True)
            assert sum(invitation.is_usable(noon) for invitation in invited) >= 3, school.name
            assert not _before_demo_date(invited, "created_at")

        # The pupil's own voice: a younger pupil on the picture scale, older pupils in their own
        # words, one of them kept from their parents.
        voices = PupilVoice.objects.select_related("version__plan__pupil__school")
        faces = {str(label) for _, label in FACE_CHOICES}
        younger = voices.filter(style=PupilVoice.Style.YOUNGER, version__plan__pupil__school__urn=demo.PRIMARY.urn)
        assert younger.exists() and all(answer["answer"] in faces for answer in younger.first().answers[:3])
        older = voices.filter(style=PupilVoice.Style.OLDER)
        assert older.filter(visibility="everyone").exists() and older.filter(visibility="staff").exists()
        assert not _before_demo_date(voices, "given_at")

        # Nobody with a restricted link has anything: no views, responses, requests, invitations or emails.
        restricted = ParentLink.objects.exclude(status=ParentLink.Status.ACTIVE)
        assert {link.pupil.school.urn for link in restricted} == {demo.PRIMARY.urn, demo.SECONDARY.urn}
        for related in (ParentContribution, AgreementResponse, ParentRequest, ParentInvitation):
            assert not related.objects.filter(link__in=restricted).exists(), related
        assert not Notification.objects.filter(user__parent_links__in=restricted).exists()
        assert not ParentMeeting.objects.filter(parents__in=restricted).exists()


# ----- provision delivered, its impact, costs and evidence -----


def _actor(role, today=demo.DEMO_DATE):
    return Actor.for_user(User.objects.get(email=f"{role}@{demo.EMAIL_DOMAIN}"), today=today)


def _assert_provision(school):
    roles = dict(StaffRole.objects.filter(school=school).values_list("name", "hourly_cost"))
    assert sorted(roles.values()) == [Decimal("17.50"), Decimal("21.00"), Decimal("42.00"), Decimal("48.00")]
    assert (school.school_weeks, school.notional_threshold) == (38, 6000)
    listed = Intervention.objects.filter(school=school)
    assert 8 <= listed.count() <= 12 and not listed.filter(intervention_type__isnull=True).exists()
    assert {"reading_age", "spelling_age", "sdq"} <= set(listed.values_list("measure_type__kind", flat=True))
    # This school year's groups (the group a leaver was in last year is demo_exchange's: test_demo_exchange).
    groups = InterventionGroup.objects.filter(school=school, starts_on__gte=THIS_YEAR_STARTS).annotate(
        n=Count("members")
    )
    assert 5 <= groups.count() <= 8, school.name
    assert {2 <= group.n <= 6 for group in groups} == {True}
    # Sessions are planned in the autumn term; two groups finished at October half-term.
    assert {group.starts_on.month for group in groups} == {9}
    assert groups.filter(ends_on=datetime.date(2026, 10, 23)).count() == 2, school.name
    places = GroupMember.objects.filter(group__school=school)
    assert places.filter(commitment__isnull=False).count() > places.count() / 2
    for place in places.filter(commitment__isnull=False):
        in_force = Provision.objects.filter(version__plan__pupil=place.pupil_id, version__status="active")
        assert in_force.filter(lineage=place.commitment).exists(), place


def _assert_sessions():
    sessions = SessionLog.objects.all()
    assert sessions.count() > 200
    assert not sessions.filter(date__gte=demo.DEMO_DATE).exists()
    assert not _before_demo_date(sessions, "logged_at")
    assert AuditEvent.objects.filter(action="provision.session.logged").count() == sessions.count()
    cancelled = sessions.filter(status="cancelled")
    closed = cancelled.filter(note=demo_delivery.HALF_TERM_CLOSED)  # the demo's terms have no half-term
    rate = (cancelled.count() - closed.count()) / (sessions.count() - closed.count())
    assert 0.04 < rate < 0.14
    assert len(set(cancelled.values_list("cancel_reason", flat=True))) >= 4
    came = Count("attendances", filter=Q(attendances__attended=True))
    delivered = sessions.filter(status="delivered").annotate(came=came)
    assert not delivered.filter(came=0).exists()  # a delivered session has somebody there
    attendance = Attendance.objects.all()
    assert 0.82 < attendance.filter(attended=True).count() / attendance.count() < 0.95
    assert not Attendance.objects.filter(session__status="cancelled").exists()


def _assert_measures():
    # In this school year's groups: last year's, and measures received from a previous school, are in
    # test_demo_exchange.
    measures = Measure.objects.filter(group__starts_on__gte=THIS_YEAR_STARTS).select_related("measure_type", "group")
    measured = GroupMember.objects.filter(
        group__starts_on__gte=THIS_YEAR_STARTS, group__intervention__measure_type__isnull=False
    )
    entries = measures.filter(point="entry")
    assert entries.count() == measured.count()
    assert not entries.exclude(taken_on=F("group__starts_on")).exists()
    exits = measures.filter(point="exit")
    assert set(exits.values_list("group__ends_on", flat=True)) == {datetime.date(2026, 10, 23)}
    assert not _before_demo_date(measures, "recorded_at")
    bands = set()
    for exit_ in exits.filter(measure_type__kind="reading_age"):
        entry = entries.get(pupil=exit_.pupil_id, group=exit_.group_id, measure_type=exit_.measure_type_id)
        bands.add(ratio_gain_band(ratio_gain(entry.value, exit_.value, entry.taken_on, exit_.taken_on)))
    assert bands == {"modest", "useful", "substantial", "remarkable"}
    assert exits.filter(measure_type__kind="sdq").count() >= 4
    assert entries.filter(measure_type__kind="boxall", pupil__school__urn=demo.PRIMARY.urn).exists()


def _assert_costs_and_the_map():
    costs = OtherCost.objects.all()
    assert costs.filter(kind="licence", group__isnull=False).exists()
    assert costs.filter(kind="resources", group__isnull=False).exists()
    assert costs.filter(kind="outside_service", pupil__isnull=False, description__icontains="speech").exists()
    actor = _actor("senco")
    with scope(school=[actor.school.pk]):
        rows = provision_map(actor).pupil_rows
        summary = intervention_summary(actor)
    over = [row for row in rows if row.over_threshold]
    assert 1 <= len(over) and len(over) < len(rows) / 5
    assert over[0].pupil.sen_statuses.filter(ends_on__isnull=True, provision="E").exists()
    reading = [m for impact in summary for m in impact.measures if m.measure_type.kind == "reading_age" and m.pupils]
    assert reading and reading[0].useful_or_better


@pytest.mark.django_db
def test_demo_provision_and_evidence(built_demo):
    _assert_share_report_notes_and_documents()

    with scopes_disabled():
        for school in School.objects.filter(is_demo=True):
            _assert_provision(school)
        _assert_sessions()
        _assert_measures()
        _assert_costs_and_the_map()
        ta_groups = InterventionGroup.objects.filter(leaders__user__email=f"ta@{demo.EMAIL_DOMAIN}")
        assert ta_groups.count() >= 2
        link = ParentLink.objects.select_related("pupil", "user").get(user__email="parent@demo.waymark.test")
        assert GroupMember.objects.filter(pupil=link.pupil, group__in=ta_groups).exists()

    # The TA has a group to run on the demo's Monday, not logged yet, and last Friday's to catch up on.
    ta = _actor("ta")
    with scope(school=[ta.school.pk]):
        today = today_sessions(ta)
    assert today.sessions and {session.log for session in today.sessions} == {None}
    assert 1 <= len(today.not_logged) <= 2

    # The parent's "Support this term": sessions the child took part in, a note and a letter for everyone.
    parent = _actor("parent")
    with scope(school=[link.pupil.school_id]):
        support = family_support(parent, link)
    assert any(row.outcome == TOOK_PART for row in support.sessions)
    assert support.notes and support.documents


def _assert_share_report_notes_and_documents():
    with scopes_disabled():
        share = Share.objects.select_related("pupil").get(specialist__email="specialist@demo.waymark.test")
        assert share.email == "specialist@demo.waymark.test"
        assert share.accepted_at is not None and share.token_hash is None
        for action in ("evidence.share.created", "evidence.share.accepted", "evidence.report.added"):
            assert AuditEvent.objects.filter(action=action).count() == 1, action
        report = Document.objects.get(share=share)
        assert (report.kind, report.visibility) == ("professional_report", "staff")
        assert report.content_type == "application/pdf"
        assert report.recommendations
        with report.file.open("rb") as handle:
            assert handle.read(5) == b"%PDF-"
        for_everyone = Document.objects.filter(visibility="everyone", share__isnull=True)
        assert set(for_everyone.values_list("pupil", flat=True)) == {
            share.pupil_id,
            ParentLink.objects.get(user__email="parent@demo.waymark.test").pupil_id,
        }
        notes = Note.objects.all()
        assert notes.filter(outcome__isnull=False).exists() and notes.filter(outcome__isnull=True).exists()
        assert notes.filter(visibility="everyone").exists()
        assert not _before_demo_date(notes, "written_at")

    specialist = _actor("specialist")
    with scope(school=[share.pupil.school_id]):
        seen = set(documents_visible_to(specialist, share.pupil).values_list("pk", flat=True))
    assert report.pk in seen and set(for_everyone.filter(pupil=share.pupil).values_list("pk", flat=True)) <= seen


# ----- data in and out: a pupil who moved school, archived leavers, a legal hold, a subject access request -----


@pytest.mark.django_db
def test_demo_exchange_moves_a_pupil_archives_leavers_holds_one_and_logs_a_request(built_demo, client):
    demo_end = datetime.datetime.combine(demo.DEMO_DATE, datetime.time(), tzinfo=datetime.UTC)
    with scopes_disabled():
        primary, secondary = School.objects.get(urn=demo.PRIMARY.urn), School.objects.get(urn=demo.SECONDARY.urn)
        senco = User.objects.get(email=SENCO_EMAILS[demo.PRIMARY.urn])
        other_senco = User.objects.get(email=SENCO_EMAILS[demo.SECONDARY.urn])

        # Theo's record from the primary, received at the secondary: the same UPN, the primary's name on it.
        transfer = ReceivedTransfer.objects.select_related("pupil").get()
        moved = transfer.pupil
        left = Pupil.objects.get(school=primary, upn=moved.upn)
        assert (transfer.from_school_name, transfer.from_school_urn) == (primary.name, primary.urn)
        assert (moved.school, moved.year_group, moved.date_joined) == (secondary, 7, datetime.date(2026, 9, 1))
        assert moved.upn[1:8] == primary.dfe_number and transfer.received_by == other_senco
        assert transfer.exported_at < transfer.received_at < demo_end
        package = transfer.document
        assert datetime.datetime.fromisoformat(package["exported_at"]) == transfer.exported_at
        assert [version["status"] for version in package["plan_versions"]] == ["superseded", "active"]
        assert [bool(review["completed_at"]) for review in package["reviews"]] == [True]
        assert sorted(measure["point"] for measure in package["measures"]) == ["entry", "exit"]
        assert len(package["documents"]) == len(package["provision_delivered"]) == 1
        assert package["provision_delivered"][0]["commitment"] is not None
        # Only his record: not a word about the classmate who shared his reading group.
        places = GroupMember.objects.filter(group__name=demo_exchange.GROUP_NAME).select_related("pupil")
        assert {place.pupil.school for place in places} == {primary} and left in {place.pupil for place in places}
        for place in places.exclude(pupil=left):
            assert place.pupil.legal_surname not in str(package) and place.pupil.upn not in str(package)
        # What came with him is marked as from the previous school; his SEN history and needs came too.
        assert Measure.objects.filter(received_in=transfer, pupil=moved).count() == 2
        assert Document.objects.filter(received_in=transfer, pupil=moved).count() == 1
        history = ("provision", "tier", "starts_on", "ends_on")
        assert list(moved.sen_statuses.order_by("starts_on").values_list(*history)) == list(
            left.sen_statuses.order_by("starts_on").values_list(*history)
        )
        assert sorted(moved.needs.values_list("need_type__code", "rank", "ends_on")) == sorted(
            left.needs.values_list("need_type__code", "rank", "ends_on")
        )
        # At the primary: two versions on the old template, the first reviewed and superseded; at the
        # secondary, his first Individual Support Plan, and a form and sets this year.
        assert list(left.support_plan.versions.order_by("number").values_list("status", "template__name")) == [
            ("superseded", "SEN support plan (SEND Code of Practice 2015)"),
            ("active", "SEN support plan (SEND Code of Practice 2015)"),
        ]
        assert Review.objects.filter(plan__pupil=left, status=Review.Status.COMPLETED).count() == 1
        assert list(moved.support_plan.versions.values_list("status", "template__name")) == [
            ("active", "Individual Support Plan")
        ]
        assert {enrolment.group.name for enrolment in moved.enrolments.all()} == set(demo_exchange.MOVER_CLASSES)
        # Last year's measures at the primary are in last year's group (test_demo_provision_and_evidence
        # counts this year's); both taken by the member of staff who ran it, while it ran or just after.
        taken = Measure.objects.filter(group__name=demo_exchange.GROUP_NAME)
        assert taken.count() == 2 * places.count() and not _before_demo_date(taken, "recorded_at")

        # Two archived leavers, one in each school: read-only, and one of them under a legal hold.
        archived = Pupil.objects.filter(archived_at__isnull=False)
        callum = archived.get(school=secondary)
        assert set(archived) == {left, callum}
        assert not _before_demo_date(archived, "archived_at")
        assert {pupil.date_left for pupil in archived} == {datetime.date(2026, 7, 22)}
        assert {pupil.archived_by for pupil in archived} == {senco, other_senco}
        for pupil, user in ((left, senco), (callum, other_senco)):
            actor = Actor.for_user(user, today=demo.DEMO_DATE)
            with scope(school=[pupil.school_id]):
                assert Pupil.objects.restrict(actor, Action.VIEW).filter(pk=pupil.pk).exists()
                assert not Pupil.objects.restrict(actor, Action.EDIT).filter(pk=pupil.pk).exists()
        hold = LegalHold.objects.get()
        assert (hold.pupil, hold.placed_by, hold.lifted_at) == (callum, other_senco, None)
        assert hold.reason.startswith("Insurance claim notified on ")
        assert not _before_demo_date(LegalHold.objects.all(), "placed_at")

        # Laura Bennett's request for everything held about her child: open, due in about three weeks.
        laura = ParentLink.objects.get(user__email="parent@demo.waymark.test")
        actor = Actor.for_user(senco, today=demo.DEMO_DATE)
        with scope(school=[primary.pk]):
            [request] = sar_open_list(actor)
        assert (request.pupil_id, request.parent_link, request.requester_name) == (
            laura.pupil_id,
            laura,
            "Laura Bennett",
        )
        assert request.identity_check == SubjectAccessRequest.IdentityCheck.KNOWN_PARENT
        assert request.received_on == demo.DEMO_DATE - datetime.timedelta(days=7)
        assert request.due_on == due_date(request.received_on) == datetime.date(2026, 12, 9)
        assert 20 <= (request.deadline - demo.DEMO_DATE).days <= 24
        assert not _before_demo_date(SubjectAccessRequest.objects.all(), "logged_at")

        # All of it through the exchange services: one audit event for each thing they did.
        counted = {
            "exchange.transfer.exported": 1,
            "exchange.transfer.received": ReceivedTransfer.objects.count(),
            "exchange.pupil.archived": archived.count(),
            "exchange.hold.placed": LegalHold.objects.count(),
            "exchange.sar.logged": SubjectAccessRequest.objects.count(),
        }
        audited = dict(AuditEvent.objects.filter(action__in=counted).values_list("action").annotate(n=Count("id")))
        assert audited == counted
        received = AuditEvent.objects.get(action="exchange.transfer.received")
        exported = AuditEvent.objects.get(action="exchange.transfer.exported")
        assert received.pupil_id == moved.public_id and exported.pupil_id == left.public_id
        # The package the primary sealed is the one the secondary opened, whole: nothing refused or left out.
        assert exported.data["sha256"] == received.data["sha256"] == transfer.package_sha256
        assert (received.data["new_pupil"], received.data["files_refused"], received.data["left_out"]) == (1, 0, 0)

        # The sample files for trying the imports are clean against this demo secondary.
        with scope(school=[secondary.pk]):
            assert_samples_preview_cleanly(secondary, demo.DEMO_DATE)

    # Riverside High's SENCO sees where Theo's record came from; the hold shows on Callum's page.
    client.force_login(other_senco)
    page = text_of(client.get(reverse("pupils:pupil-detail", args=[moved.public_id])))
    assert "Record from Kingfisher Primary Academy (sent 17 July 2026)" in page
    page = text_of(client.get(reverse("pupils:pupil-detail", args=[callum.public_id])))
    assert "archived leaver's record (left 22 July 2026)" in page and "A legal hold stops it being deleted." in page
