"""Costing settings, staff roles and other costs: who may open each page, the services, and bad input.

Only those who manage provision (the SENCO and deputy SENCO) open these pages; everyone
else in the cast gets a 404. The other school's SENCO has the school-level pages for
their own school, never School A's roles or costs. Bad input shows the GOV.UK error
summary and changes nothing.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent
from waymark.provision import costs
from waymark.provision.models import OtherCost, StaffRole
from waymark.schools.models import School
from waymark.tests.helpers import cast_mismatches, error_summary, text_of

from . import factories as pf

MANAGERS = {"senco"}  # the cast has no deputy SENCO; test_deputy_senco_manages_costs covers them


@pytest.fixture
def setup(cast):
    cast.cost = pf.OtherCostFactory(
        school=cast.school, group=cast.group, description="Phonics books", created_by=cast.senco
    )
    cast.pupil_cost = pf.OtherCostFactory(
        school=cast.school,
        pupil=cast.pupil,
        kind=OtherCost.Kind.OUTSIDE_SERVICE,
        description="Speech and language therapy",
        annual_amount=Decimal("1450.00"),
        funding="experts_at_hand",
        created_by=cast.senco,
    )
    return cast


PAGES = {
    # Pages about the school: the other school's SENCO has their own.
    "costs": (lambda c: reverse("provision:costs"), MANAGERS | {"other_senco"}),
    "staff-role-list": (lambda c: reverse("provision:staff-role-list"), MANAGERS | {"other_senco"}),
    "staff-role-create": (lambda c: reverse("provision:staff-role-create"), MANAGERS | {"other_senco"}),
    "cost-list": (lambda c: reverse("provision:cost-list"), MANAGERS | {"other_senco"}),
    "cost-create": (lambda c: reverse("provision:cost-create"), MANAGERS | {"other_senco"}),
    # One school's rows.
    "staff-role-edit": (lambda c: reverse("provision:staff-role-edit", args=[c.staff_role.public_id]), MANAGERS),
    "cost-remove": (lambda c: reverse("provision:cost-remove", args=[c.cost.public_id]), MANAGERS),
}


@pytest.mark.parametrize("page", PAGES)
def test_who_may_open_each_page(setup, client_for, page):
    build_url, allowed = PAGES[page]
    url = build_url(setup)
    wrong = cast_mismatches(setup, client_for, url, allowed)
    assert not wrong, f"{page} ({url}):\n" + "\n".join(wrong)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_sign_in(setup, client_for, page):
    response = client_for(None).get(PAGES[page][0](setup))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_deputy_senco_manages_costs(cast, client_for):
    from waymark.tests import factories as f

    deputy = f.UserFactory(email="deputy@example.test")
    f.MembershipFactory(user=deputy, school=cast.school, roles=["deputy_senco"])
    assert client_for(deputy).get(reverse("provision:costs")).status_code == 200
    assert client_for(cast.head).get(reverse("provision:costs")).status_code == 404


def test_posts_from_those_who_may_not_manage_change_nothing(setup, client_for):
    with scopes_disabled():
        count = OtherCost.objects.count()
        roles = list(StaffRole.objects.values_list("name", "hourly_cost"))
    for name in ("head", "ta", "trust_lead", "other_senco", "parent", "specialist"):
        client = client_for(setup.people[name])
        assert client.post(reverse("provision:cost-remove", args=[setup.cost.public_id])).status_code == 404
        assert (
            client.post(
                reverse("provision:staff-role-edit", args=[setup.staff_role.public_id]),
                {"name": "Hacked", "hourly_cost": "1", "lock_version": "0"},
            ).status_code
            == 404
        )
    with scopes_disabled():
        assert OtherCost.objects.count() == count
        assert list(StaffRole.objects.values_list("name", "hourly_cost")) == roles


# ----- costing settings -----


def test_changing_the_costing_settings(cast, client_for):
    school = School.objects.get(pk=cast.school.pk)
    response = client_for(cast.senco).post(
        reverse("provision:costs"),
        {"school_weeks": "39", "notional_threshold": "£6,500.50", "lock_version": str(school.lock_version)},
    )
    assert response.status_code == 302 and response["Location"] == reverse("provision:costs")
    school.refresh_from_db()
    assert (school.school_weeks, school.notional_threshold) == (39, Decimal("6500.50"))
    event = AuditEvent.objects.get(action="provision.settings.updated")
    assert event.data == {"school_weeks": 39, "notional_threshold": "6500.50"}


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"school_weeks": "0"}, "The weeks in the school year must be 1 or more"),
        ({"school_weeks": "53"}, "The weeks in the school year must be 52 or fewer"),
        ({"school_weeks": "thirty"}, "Enter the weeks in the school year as a whole number"),
        ({"school_weeks": ""}, "Enter the weeks in the school year"),
        ({"notional_threshold": "-1"}, "Enter a threshold of £0 or more"),
        ({"notional_threshold": "lots"}, "Enter the threshold in pounds"),
        ({"notional_threshold": "6000.001"}, "Enter the threshold to the nearest penny"),
    ],
)
def test_bad_costing_settings_show_the_error_summary(cast, client_for, changes, message):
    school = School.objects.get(pk=cast.school.pk)
    data = {"school_weeks": "38", "notional_threshold": "6000", "lock_version": str(school.lock_version), **changes}
    response = client_for(cast.senco).post(reverse("provision:costs"), data)
    assert response.status_code == 200
    assert message in error_summary(response)
    school.refresh_from_db()
    assert (school.school_weeks, school.notional_threshold) == (38, Decimal("6000"))
    assert not AuditEvent.objects.filter(action="provision.settings.updated").exists()


def test_a_stale_settings_save_is_refused(cast, client_for):
    school = School.objects.get(pk=cast.school.pk)
    old = {"school_weeks": "38", "notional_threshold": "6000", "lock_version": str(school.lock_version)}
    assert client_for(cast.senco).post(reverse("provision:costs"), {**old, "school_weeks": "40"}).status_code == 302
    response = client_for(cast.senco).post(reverse("provision:costs"), {**old, "school_weeks": "36"})
    assert "Someone else saved changes" in error_summary(response)
    assert School.objects.get(pk=school.pk).school_weeks == 40
    assert 'value="40"' in response.content.decode()  # what is saved now is shown


def test_the_settings_service_checks_permission_and_values(cast):
    with scope(school=[cast.school.pk]):
        school = School.objects.get(pk=cast.school.pk)
        with pytest.raises(PermissionDenied):
            costs.costing_settings_update(
                actor=Actor.for_user(cast.head), school=school, school_weeks=39, notional_threshold=6000,
                expected_version=school.lock_version,
            )  # fmt: skip
        with pytest.raises(PermissionDenied):
            costs.costing_settings_update(
                actor=Actor.for_user(cast.other_senco), school=school, school_weeks=39, notional_threshold=6000,
                expected_version=school.lock_version,
            )  # fmt: skip
        with pytest.raises(ValidationError) as error:
            costs.costing_settings_update(
                actor=Actor.for_user(cast.senco), school=school, school_weeks=60, notional_threshold=-5,
                expected_version=school.lock_version,
            )  # fmt: skip
    assert set(error.value.message_dict) == {"school_weeks", "notional_threshold"}


def test_the_settings_page_says_when_no_terms_are_entered(cast, client_for):
    from waymark.schools.models import Term

    assert "No terms are entered" not in text_of(client_for(cast.senco).get(reverse("provision:costs")))
    with scopes_disabled():
        Term.objects.all().delete()
    assert "costed as running for a full 38-week year" in text_of(
        client_for(cast.senco).get(reverse("provision:costs"))
    )


# ----- staff roles -----


def test_adding_and_changing_a_staff_role(cast, client_for):
    client = client_for(cast.senco)
    response = client.post(
        reverse("provision:staff-role-create"), {"name": " Higher level  TA ", "hourly_cost": "22.5"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("provision:staff-role-list")
    with scopes_disabled():
        role = StaffRole.objects.get(school=cast.school, name="Higher level TA")
    assert role.hourly_cost == Decimal("22.50")
    page = text_of(client.get(reverse("provision:staff-role-list")))
    assert "Higher level TA £22.50" in page and "Teaching assistant £18.00" in page
    edit = reverse("provision:staff-role-edit", args=[role.public_id])
    response = client.post(edit, {"name": "HLTA", "hourly_cost": "23", "lock_version": str(role.lock_version)})
    assert response.status_code == 302
    role.refresh_from_db()
    assert (role.name, role.hourly_cost) == ("HLTA", Decimal("23"))
    events = AuditEvent.objects.filter(action="provision.staff_role.saved").order_by("pk")
    assert [event.data["created"] for event in events] == [True, False]
    # A stale save of the same role is refused.
    response = client.post(edit, {"name": "HLTA", "hourly_cost": "1", "lock_version": str(role.lock_version - 1)})
    assert "Someone else saved changes" in error_summary(response)
    role.refresh_from_db()
    assert role.hourly_cost == Decimal("23")


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "teaching ASSISTANT", "hourly_cost": "20"}, "There is already a staff role called"),
        ({"name": "Tutor", "hourly_cost": "-1"}, "Enter a cost an hour of £0 or more"),
        ({"name": "Tutor", "hourly_cost": "twenty"}, "Enter the cost an hour in pounds"),
        ({"name": "Tutor", "hourly_cost": ""}, "Enter the cost an hour"),
        ({"name": "", "hourly_cost": "20"}, "Enter the role"),
    ],
)
def test_bad_staff_roles_show_the_error_summary(cast, client_for, data, message):
    with scopes_disabled():
        before = list(StaffRole.objects.order_by("pk").values_list("name", "hourly_cost"))
    response = client_for(cast.senco).post(reverse("provision:staff-role-create"), data)
    assert response.status_code == 200 and message in error_summary(response)
    with scopes_disabled():
        assert list(StaffRole.objects.order_by("pk").values_list("name", "hourly_cost")) == before


def test_a_role_of_another_school_cannot_be_saved_through_the_service(cast):
    with scopes_disabled():
        other_role = StaffRole.objects.get(school=cast.other_school)
    with scope(school=[cast.school.pk]), pytest.raises(PermissionDenied):
        costs.staff_role_save(
            actor=Actor.for_user(cast.senco), school=cast.school, staff_role=other_role, name="X", hourly_cost=1
        )


# ----- other costs -----


def cost_post(target, **changes):
    return {
        "for_whom": target,
        "kind": "resources",
        "description": "Coloured overlays",
        "annual_amount": "35.00",
        "funding": "sen_budget",
        **changes,
    }


def test_adding_a_cost_for_a_group_and_for_a_pupil(cast, client_for):
    client = client_for(cast.senco)
    page = client.get(reverse("provision:cost-create")).content.decode()
    # One list, with the groups and the pupils on the register under their own headings.
    assert '<optgroup label="Intervention groups">' in page and '<optgroup label="Pupils on the SEN register">' in page
    assert "Zephyrine Quartermaine (Year 8)" in page and "Marisol" not in page
    response = client.post(reverse("provision:cost-create"), cost_post(f"group:{cast.group.public_id}"))
    assert response.status_code == 302 and response["Location"] == reverse("provision:cost-list")
    response = client.post(
        reverse("provision:cost-create"),
        cost_post(f"pupil:{cast.pupil.public_id}", kind="outside_service", annual_amount="1,200", funding="imf"),
    )
    assert response.status_code == 302
    with scopes_disabled():
        group_cost = OtherCost.objects.get(group=cast.group)
        pupil_cost = OtherCost.objects.get(pupil=cast.pupil)
    assert (group_cost.annual_amount, group_cost.created_by) == (Decimal("35"), cast.senco)
    assert (pupil_cost.annual_amount, pupil_cost.funding) == (Decimal("1200"), "imf")
    added = AuditEvent.objects.filter(action="provision.cost.added").order_by("pk")
    assert [event.pupil_id for event in added] == [None, cast.pupil.public_id]
    listing = text_of(client.get(reverse("provision:cost-list")))
    assert "Coloured overlays Phonics (Year 8) Resources School SEN budget £35.00" in listing
    assert "Zephyrine Quartermaine Outside service Inclusive Mainstream Fund £1,200.00" in listing


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"annual_amount": "-10"}, "Enter a cost of £0 or more."),
        ({"annual_amount": "ten pounds"}, "Enter the cost a year in pounds, like 120 or 120.50"),
        ({"annual_amount": "10.001"}, "Enter the cost a year to the nearest penny"),
        ({"annual_amount": "123456789"}, "Enter an amount of less than £10,000,000"),
        ({"for_whom": ""}, "Choose a group or a pupil the cost is for"),
        ({"kind": ""}, "Select the kind of cost"),
        ({"description": ""}, "Enter what the cost is"),
    ],
)
def test_bad_costs_show_the_error_summary_and_change_nothing(cast, client_for, changes, message):
    response = client_for(cast.senco).post(
        reverse("provision:cost-create"), cost_post(f"group:{cast.group.public_id}", **changes)
    )
    assert response.status_code == 200 and message in error_summary(response)
    with scopes_disabled():
        assert not OtherCost.objects.exists()
    assert not AuditEvent.objects.filter(action="provision.cost.added").exists()


def test_a_cost_cannot_be_for_another_school_s_group_or_pupil(cast, client_for):
    client = client_for(cast.senco)
    for target in (f"group:{cast.other_school_group.public_id}", f"pupil:{cast.other_school_pupil.public_id}"):
        response = client.post(reverse("provision:cost-create"), cost_post(target))
        assert "Choose a group or a pupil from the list" in error_summary(response)
    with scopes_disabled():
        assert not OtherCost.objects.exists()


def test_the_cost_service_refuses_a_negative_amount_and_both_or_neither(cast):
    with scope(school=[cast.school.pk]):
        actor = Actor.for_user(cast.senco)
        arguments = {"actor": actor, "school": cast.school, "kind": "resources", "description": "Books"}
        with pytest.raises(ValidationError) as error:
            costs.cost_add(**arguments, group=cast.group, annual_amount=Decimal("-0.01"), funding="sen_budget")
        assert error.value.message_dict == {"annual_amount": ["Enter a cost of £0 or more."]}
        with pytest.raises(ValidationError):
            costs.cost_add(**arguments, annual_amount=1, funding="sen_budget")
        with pytest.raises(ValidationError):
            costs.cost_add(**arguments, group=cast.group, pupil=cast.pupil, annual_amount=1, funding="sen_budget")
        with pytest.raises(PermissionDenied):
            costs.cost_add(**arguments, pupil=cast.other_school_pupil, annual_amount=1, funding="sen_budget")
    with scopes_disabled():
        assert not OtherCost.objects.exists()


def test_removing_a_cost_asks_first_then_removes_it(setup, client_for):
    client = client_for(setup.senco)
    url = reverse("provision:cost-remove", args=[setup.pupil_cost.public_id])
    page = text_of(client.get(url))
    assert "Are you sure you want to remove this cost?" in page and "£1,450.00" in page
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("provision:cost-list")
    with scopes_disabled():
        assert not OtherCost.objects.filter(pk=setup.pupil_cost.pk).exists()
    event = AuditEvent.objects.get(action="provision.cost.removed")
    assert event.pupil_id == setup.pupil.public_id and event.data["annual_amount"] == "1450.00"
    assert client.post(url).status_code == 404  # already gone


def test_cost_pages_take_only_get_and_post(setup, client_for):
    client = client_for(setup.senco)
    assert client.put(reverse("provision:cost-create")).status_code == 405
    assert client.delete(reverse("provision:cost-remove", args=[setup.cost.public_id])).status_code == 405
    assert client.post(reverse("provision:cost-list")).status_code == 405
