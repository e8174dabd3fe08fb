""" "My classes" and its printable sheet: who sees which pupils, what each row shows, audit and query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent
from waymark.plans import services
from waymark.plans.classes import works_with_groups_today
from waymark.plans.models import PlanVersion, SupportPlan
from waymark.pupils.models import Enrolment, Need, NeedType, Pupil
from waymark.schools.models import ClassGroup
from waymark.tests import factories as f

MY_CLASSES = reverse("plans:my-classes")
EMPTY_STATE = "You do not work with any classes or teaching groups this term."
# A ceiling well above today's count, so a new query per page is a choice, not an accident.
MAX_QUERIES = 25


def print_url(group, **params):
    url = reverse("plans:class-sheet-print", kwargs={"public_id": group.public_id})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def adjustment(text, *, key=True, subject="", visibility="everyone"):
    return {"text": text, "is_key": key, "subject": subject, "visibility": visibility}


def make_plan(senco, pupil, adjustments=(), *, status="active"):
    """A plan written, and shared or published, through the services as the SENCO would."""
    actor = Actor.for_user(senco)
    today = datetime.date.today()
    with scopes_disabled():
        version = services.plan_start(actor=actor, pupil=pupil)
        services.item_add(
            actor=actor,
            version=version,
            section_key="outcomes",
            fields={
                "text": "Read aloud with confidence",
                "baseline": "Reads 40 words a minute",
                "target": "Reads 70 words a minute",
                "measure": "Timed reading each half-term",
                "by_date": today + datetime.timedelta(days=120),
            },
        )
        review = services.section_for(version, "review")
        services.section_save(
            actor=actor,
            section=review,
            data={"arrangements": "Termly meeting", "next_review_on": today + datetime.timedelta(days=90)},
            visibility="everyone",
            expected_version=review.lock_version,
        )
        for fields in adjustments:
            services.item_add(actor=actor, version=version, section_key="adjustments", fields=dict(fields))
        if status == "draft":
            return version
        if status == "shared":
            return services.plan_share(actor=actor, version=version)
        return services.plan_publish(actor=actor, version=version)


def teacher_in(school, group, *, kind="teacher", name=None):
    user = f.UserFactory(full_name=name or "Extra Teacher")
    f.MembershipFactory(user=user, school=school, roles=["ta" if kind == "ta" else "teacher"])
    f.GroupStaffFactory(group=group, user=user, kind=kind)
    return user


def page(client, url=MY_CLASSES, params=None):
    response = client.get(url, params or {})
    return response, response.content.decode()


@pytest.fixture
def planned(cast):
    """The cast's two school A pupils with plans in force, each with a key adjustment."""
    make_plan(cast.senco, cast.pupil, [adjustment("Give instructions one step at a time")])
    make_plan(cast.senco, cast.other_pupil, [adjustment("Let Oswin start tasks with a partner")])
    return cast


# ----- who sees what -----


@pytest.mark.parametrize("who", ["teacher", "ta"])
def test_teacher_and_ta_see_their_class_and_only_its_pupils(planned, client_for, who):
    cast = planned
    response, content = page(client_for(getattr(cast, who)))
    assert response.status_code == 200
    assert "8A" in content
    assert "Zephyrine Quartermaine" in content
    assert "Give instructions one step at a time" in content
    assert "ASD – Autistic spectrum disorder" in content
    assert reverse("plans:plan-detail", kwargs={"public_id": cast.pupil.public_id}) in content
    # Another teacher's class and its pupil are not theirs.
    assert "Oswin" not in content
    # The group's name as a heading: "9B" alone also turns up inside random tokens and nonces.
    assert f"{planned.other_class_group.public_id}" not in content
    assert ">9B</h2>" not in content
    assert print_url(cast.class_group) in content


def test_second_teacher_sees_only_their_own_class(planned, client_for):
    _, content = page(client_for(planned.teacher2))
    assert "Oswin Blackthorn" in content
    assert "Let Oswin start tasks with a partner" in content
    assert "Zephyrine" not in content


def test_last_years_teacher_sees_nothing(planned, client_for):
    client = client_for(planned.last_year_teacher)
    response, content = page(client)
    assert response.status_code == 200
    assert EMPTY_STATE in content
    assert "Zephyrine" not in content
    assert client.get(print_url(planned.last_year_class)).status_code == 404
    assert client.get(print_url(planned.class_group)).status_code == 404


@pytest.mark.parametrize("who", ["senco", "head_of_year", "head", "dsl", "trust_lead", "other_senco"])
def test_leaders_without_groups_see_the_empty_state(planned, client_for, who):
    response, content = page(client_for(getattr(planned, who)))
    assert response.status_code == 200
    assert EMPTY_STATE in content
    assert "Zephyrine" not in content
    assert "Oswin" not in content


@pytest.mark.parametrize("who", ["governor", "parent", "parent2", "other_parent", "specialist", "expired_specialist"])
def test_governors_parents_and_specialists_get_404(planned, client_for, who):
    client = client_for(getattr(planned, who))
    assert client.get(MY_CLASSES).status_code == 404
    assert client.get(print_url(planned.class_group)).status_code == 404


def test_anonymous_is_sent_to_sign_in(planned, client_for):
    response = client_for(None).get(MY_CLASSES)
    assert response.status_code == 302
    assert "Zephyrine" not in response.content.decode()


def test_another_schools_teacher_never_sees_this_schools_pupils(planned, client_for):
    cast = planned
    make_plan(cast.other_senco, cast.other_school_pupil, [adjustment("Check understanding privately")])
    other_teacher = teacher_in(cast.other_school, cast.other_school_class, name="Olga Otherschool")
    client = client_for(other_teacher)
    _, content = page(client)
    assert "Marisol Featherstone" in content
    assert "Zephyrine" not in content
    assert "Oswin" not in content
    assert client.get(print_url(cast.class_group)).status_code == 404
    # Nor the other way round: this school's teacher cannot print the other school's group.
    assert client_for(cast.teacher).get(print_url(cast.other_school_class)).status_code == 404


def test_a_senco_who_teaches_sees_their_own_class(planned, client_for):
    cast = planned
    f.GroupStaffFactory(group=cast.other_class_group, user=cast.senco)
    _, content = page(client_for(cast.senco))
    assert "9B" in content
    assert "Oswin Blackthorn" in content
    assert "Zephyrine" not in content  # 8A is not one of the SENCO's groups


def test_a_pupil_who_left_the_class_is_not_shown(planned, client_for):
    cast = planned
    with scopes_disabled():
        Enrolment.objects.filter(pupil=cast.pupil, group=cast.class_group).update(
            ends_on=datetime.date.today() - datetime.timedelta(days=1)
        )
    _, content = page(client_for(cast.teacher))
    assert "Zephyrine" not in content
    assert "No pupils in this group have a support plan in force." in content


# ----- what each row shows -----


def test_only_plans_in_force_appear(cast, client_for):
    with scopes_disabled():
        pupils = {
            state: f.PupilFactory(school=cast.school, legal_forename=f"Pupil{state.title()}", legal_surname="Stateful")
            for state in ("active", "draft", "shared", "closed")
        }
        for pupil in pupils.values():
            f.EnrolmentFactory(pupil=pupil, group=cast.class_group)
    for state, pupil in pupils.items():
        version = make_plan(cast.senco, pupil, [adjustment(f"Adjustment while {state}")], status=state)
        if state == "closed":
            with scopes_disabled():
                services.plan_close(actor=Actor.for_user(cast.senco), version=version)
    _, content = page(client_for(cast.teacher))
    assert "PupilActive Stateful" in content
    assert "Adjustment while active" in content
    for state in ("draft", "shared", "closed"):
        assert f"Pupil{state.title()}" not in content
        assert f"Adjustment while {state}" not in content
    # No plan at all: the cast's pupil in the same class is not listed either.
    assert "Zephyrine" not in content


def test_the_sheet_shows_the_published_version_not_a_newer_draft(planned, client_for):
    cast = planned
    actor = Actor.for_user(cast.senco)
    with scopes_disabled():
        active = PlanVersion.objects.get(plan__pupil=cast.pupil, status="active")
        draft = services.plan_start(actor=actor, pupil=cast.pupil, copy_from=active)
        services.item_add(
            actor=actor, version=draft, section_key="adjustments", fields=adjustment("Only in the new draft")
        )
    _, content = page(client_for(cast.teacher))
    assert "Give instructions one step at a time" in content
    assert "Only in the new draft" not in content


def test_restricted_and_non_key_adjustments_never_appear(cast, client_for):
    make_plan(
        cast.senco,
        cast.pupil,
        [
            adjustment("Everyone may read this"),
            adjustment("Staff may read this", visibility="staff"),
            adjustment("Known only to the SENCO and DSL", visibility="restricted"),
            adjustment("Not a key adjustment", key=False),
        ],
    )
    # The SENCO teaches the class too: a printed sheet still never carries restricted content.
    f.GroupStaffFactory(group=cast.class_group, user=cast.senco)
    for who in ("teacher", "ta", "senco"):
        client = client_for(getattr(cast, who))
        for url in (MY_CLASSES, print_url(cast.class_group)):
            _, content = page(client, url)
            assert "Everyone may read this" in content
            assert "Staff may read this" in content
            assert "Known only to the SENCO and DSL" not in content
            assert "Not a key adjustment" not in content


def test_a_subject_teacher_sees_their_subjects_adjustments_first(cast, client_for):
    with scopes_disabled():
        maths = f.ClassGroupFactory(
            school=cast.school,
            academic_year=cast.year,
            kind=ClassGroup.Kind.TEACHING,
            name="8 Maths set 2",
            subject="Maths",
        )
        f.EnrolmentFactory(pupil=cast.pupil, group=maths)
    maths_teacher = teacher_in(cast.school, maths, name="Mo Maths")
    make_plan(
        cast.senco,
        cast.pupil,
        [
            adjustment("Seat near the front, away from the door"),
            adjustment("Pair with a calm partner for practicals", subject="Science"),
            adjustment("Give a number line and worked example", subject="maths"),
        ],
    )
    _, content = page(client_for(maths_teacher))
    assert content.index("Give a number line and worked example") < content.index(
        "Seat near the front, away from the door"
    )
    assert "Pair with a calm partner for practicals" not in content
    # The form tutor of 8A, a class with no subject, sees every key adjustment, general ones first.
    _, content = page(client_for(cast.teacher))
    general = content.index("Seat near the front, away from the door")
    assert general < content.index("Pair with a calm partner for practicals")
    assert general < content.index("Give a number line and worked example")


def test_needs_are_listed_in_rank_order_and_can_be_left_out(planned, client_for):
    cast = planned
    with scopes_disabled():
        Need.objects.create(pupil=cast.pupil, need_type=NeedType.objects.get(code="SPLD"), rank=2)
        Need.objects.create(
            pupil=cast.pupil,
            need_type=NeedType.objects.get(code="SEMH"),
            rank=3,
            ends_on=datetime.date.today() - datetime.timedelta(days=10),
        )
    client = client_for(cast.teacher)
    _, content = page(client)
    assert content.index("ASD – Autistic spectrum disorder") < content.index("SPLD – Specific learning difficulty")
    assert "SEMH" not in content  # no longer a need

    for url in (MY_CLASSES, print_url(cast.class_group)):
        _, content = page(client, url, {"leave_out_needs": "on"})
        assert "Zephyrine Quartermaine" in content
        assert "Give instructions one step at a time" in content
        for hidden in ("ASD", "Autistic spectrum disorder", "SPLD", "Specific learning difficulty"):
            assert hidden not in content
    # The print link keeps the option.
    _, content = page(client, MY_CLASSES, {"leave_out_needs": "on"})
    assert print_url(cast.class_group, leave_out_needs="on") in content


def test_one_group_can_be_shown_on_its_own(planned, client_for):
    cast = planned
    with scopes_disabled():
        science = f.ClassGroupFactory(
            school=cast.school, academic_year=cast.year, kind="teaching", name="8 Science", subject="Science"
        )
    f.GroupStaffFactory(group=science, user=cast.teacher)
    client = client_for(cast.teacher)
    _, content = page(client)
    assert "8 Science" in content and "Zephyrine" in content
    _, content = page(client, MY_CLASSES, {"group": str(science.public_id)})
    assert 'id="group-' + str(science.public_id) in content
    assert "Zephyrine" not in content
    # An unknown group is ignored, not an error: every group is shown, and the needs stay left out.
    _, content = page(client, MY_CLASSES, {"group": "not-a-group", "leave_out_needs": "on"})
    assert "Zephyrine" in content
    assert "govuk-error-message" not in content
    assert "ASD" not in content
    # Another teacher's group is no different from an unknown one.
    _, content = page(client, MY_CLASSES, {"group": str(cast.other_class_group.public_id)})
    assert "Zephyrine" in content and "Oswin" not in content


@pytest.mark.parametrize(
    ("who", "shown"),
    [("teacher", True), ("ta", True), ("last_year_teacher", False), ("senco", False), ("governor", False)],
)
def test_the_navigation_can_ask_whether_someone_works_with_a_group_today(cast, who, shown):
    with scopes_disabled():
        assert works_with_groups_today(Actor.for_user(getattr(cast, who))) is shown


# ----- the printed sheet -----


def test_the_print_sheet_is_marked_confidential_dated_and_a4(planned, client_for):
    cast = planned
    response, content = page(client_for(cast.teacher), print_url(cast.class_group))
    assert response.status_code == 200
    assert "Confidential – do not leave unattended" in content
    assert "waymark-sheet__running-head" in content  # repeated at the top of every printed page
    assert datetime.date.today().strftime("%-d %B %Y") in content
    assert "Class sheet: 8A" in content
    assert "Zephyrine Quartermaine" in content
    assert "Oswin" not in content
    assert "plans/class_sheet.css" in content
    from django.contrib.staticfiles import finders

    with open(finders.find("plans/class_sheet.css")) as stylesheet:
        assert "size: A4" in stylesheet.read()


def test_every_print_is_audited(planned, client_for):
    cast = planned
    client = client_for(cast.teacher)
    client.get(print_url(cast.class_group))
    client.get(print_url(cast.class_group, leave_out_needs="on"))
    with scopes_disabled():
        events = list(AuditEvent.objects.filter(action="plans.class_sheet.printed").order_by("id"))
    assert len(events) == 2
    for event, left_out in zip(events, (False, True), strict=True):
        assert event.actor == cast.teacher
        assert event.school == cast.school
        assert event.target_id == str(cast.class_group.public_id)
        assert event.data["group"] == str(cast.class_group.public_id)
        assert event.data["pupils"] == [str(cast.pupil.public_id)]
        assert event.data["needs_left_out"] is left_out
    # Refused prints are not disclosures and leave no event.
    client.get(print_url(cast.other_class_group))
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="plans.class_sheet.printed").count() == 2


def test_each_view_is_audited_with_the_pupils_shown(planned, client_for):
    cast = planned
    client_for(cast.teacher).get(MY_CLASSES)
    with scopes_disabled():
        event = AuditEvent.objects.get(action="plans.class_sheet.viewed")
    assert event.actor == cast.teacher
    assert event.data["pupils"] == [str(cast.pupil.public_id)]
    assert event.data["groups"] == [str(cast.class_group.public_id)]
    assert event.data["needs_left_out"] is False


# ----- a fixed number of queries -----


def add_class(school, year, teacher, template_version, index, size):
    """A class of ``size`` pupils, each with a need and a plan in force cloned from ``template_version``."""
    with scopes_disabled():
        group = f.ClassGroupFactory(school=school, academic_year=year, name=f"Bulk {index}")
        f.GroupStaffFactory(group=group, user=teacher)
        pupils = Pupil.objects.bulk_create(
            Pupil(
                school=school,
                upn="",
                legal_forename=f"Bulk{index}x{n}",
                legal_surname=f"Pupil{index:02d}{n:03d}",
                date_of_birth=datetime.date(2013, 1, 1),
                year_group=8,
                sex="F",
                date_joined=datetime.date(2018, 9, 1),
            )
            for n in range(size)
        )
        Enrolment.objects.bulk_create(
            Enrolment(pupil=p, group=group, starts_on=year.starts_on, ends_on=year.ends_on) for p in pupils
        )
        asd = NeedType.objects.get(code="ASD")
        Need.objects.bulk_create(Need(pupil=p, need_type=asd, rank=1) for p in pupils)
        plans = SupportPlan.objects.bulk_create(SupportPlan(pupil=p) for p in pupils)
        # Published copies of one real published version: the page reads only the frozen snapshot.
        PlanVersion.objects.bulk_create(
            PlanVersion(
                plan=plan,
                number=1,
                status="active",
                template_id=template_version.template_id,
                tier=template_version.tier,
                snapshot=template_version.snapshot,
                frozen_at=template_version.frozen_at,
                published_at=template_version.published_at,
            )
            for plan in plans
        )


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_my_classes_runs_the_same_queries_for_10_or_150_pupils(cast, client_for, django_assert_max_num_queries):
    teacher = f.UserFactory(full_name="Busy Teacher")
    f.MembershipFactory(user=teacher, school=cast.school, roles=["teacher"])
    published = make_plan(
        cast.senco,
        cast.other_pupil,
        [adjustment("General key adjustment"), adjustment("Restricted bulk adjustment", visibility="restricted")],
    )
    for index in range(2):
        add_class(cast.school, cast.year, teacher, published, index, 5)
    client = client_for(teacher)
    small = count_queries(client, MY_CLASSES)
    with scopes_disabled():
        first_group = ClassGroup.objects.get(name="Bulk 0")
    small_print = count_queries(client, print_url(first_group))
    for index in range(2, 6):
        add_class(cast.school, cast.year, teacher, published, index, 25)
    with scopes_disabled():
        Enrolment.objects.bulk_create(
            Enrolment(pupil=p, group=first_group, starts_on=cast.year.starts_on, ends_on=cast.year.ends_on)
            for p in Pupil.objects.filter(legal_forename__startswith="Bulk5x")
        )
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(MY_CLASSES)
    content = response.content.decode()
    assert content.count("General key adjustment") == 2 * 5 + 4 * 25 + 25
    assert "Restricted bulk adjustment" not in content
    assert count_queries(client, MY_CLASSES) == small
    assert count_queries(client, print_url(first_group)) == small_print
