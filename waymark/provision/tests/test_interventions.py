"""The school's intervention list: services, pages, who may open them, and what the trust shares."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent
from waymark.provision import interventions
from waymark.provision.group_selectors import intervention_list, interventions_for_groups
from waymark.provision.models import Intervention, InterventionType, MeasureType
from waymark.provision.tests import factories as pf
from waymark.pupils.models import AreaOfNeed
from waymark.tests import factories as f
from waymark.tests.helpers import cast_mismatches

MANAGERS = {"senco"}


def text_of(response):
    import html

    body = response.content.decode()
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def fields(**changes):
    return {
        "name": "Reading buddies",
        "area": AreaOfNeed.objects.get(code="cognition-learning"),
        "description": "Paired reading with an older pupil.",
        "sessions_per_week": Decimal("2"),
        "minutes_per_session": 15,
        "group_size": 2,
        "measure_type": pf.builtin_measure(MeasureType.Kind.READING_AGE),
        **changes,
    }


@pytest.fixture
def senco(cast):
    return Actor.for_user(cast.senco)


@pytest.fixture
def in_school(cast):
    with scope(school=[cast.school.pk]):
        yield


# ----- services -----


def test_an_intervention_is_added_from_a_built_in_type(cast, senco, in_school):
    kind = InterventionType.objects.get(code="precision-teaching")
    item = interventions.intervention_create(actor=senco, intervention_type=kind, **fields(name="  Precision  "))
    assert item.school == cast.school and item.intervention_type == kind and item.name == "Precision"
    event = AuditEvent.objects.get(action="provision.intervention.created")
    assert event.target_id == str(item.public_id) and event.data["type"] == "precision-teaching"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "phonics CATCH-UP"}, "name"),  # the cast's "Phonics catch-up", whatever its capitals
        ({"name": ""}, "name"),
        ({"area": None}, "area"),
        ({"sessions_per_week": Decimal("0.2")}, "sessions_per_week"),
        ({"minutes_per_session": 2}, "minutes_per_session"),
        ({"group_size": 0}, "group_size"),
    ],
)
def test_bad_interventions_are_refused_with_nothing_saved(cast, senco, in_school, changes, field):
    before = Intervention.objects.count()
    with pytest.raises(ValidationError) as error:
        interventions.intervention_create(actor=senco, **fields(**changes))
    assert field in error.value.message_dict
    assert Intervention.objects.count() == before
    assert not AuditEvent.objects.filter(action="provision.intervention.created").exists()


def test_the_duplicate_name_message_is_clear(cast, senco, in_school):
    with pytest.raises(ValidationError) as error:
        interventions.intervention_create(actor=senco, **fields(name="phonics catch-up"))
    assert error.value.message_dict["name"] == [
        "Your school already has an intervention called ‘phonics catch-up’. Choose another name."
    ]


def test_another_schools_measure_and_sharing_without_a_trust_are_refused(cast, senco, in_school):
    with scopes_disabled():
        theirs = MeasureType.objects.create(
            school=cast.other_school, kind="scale", name="Brookfield scale", min_value=0, max_value=10
        )
    with pytest.raises(ValidationError) as error:
        interventions.intervention_create(actor=senco, **fields(measure_type=theirs))
    assert "measure_type" in error.value.message_dict
    with scopes_disabled():
        school = f.SchoolFactory(name="Lone School", trust=None)
        lone = Actor.for_user(f.MembershipFactory(school=school, roles=["senco"]).user)
    with scope(school=[school.pk]), pytest.raises(ValidationError) as error:
        interventions.intervention_create(actor=lone, **fields(shared_with_trust=True))
    assert "not part of a trust" in " ".join(error.value.message_dict["shared_with_trust"])


def test_only_managers_change_the_list(cast, in_school):
    for who in ("ta", "teacher", "head", "dsl", "trust_lead", "governor"):
        with pytest.raises(PermissionDenied):
            interventions.intervention_create(actor=Actor.for_user(getattr(cast, who)), **fields())
    assert not Intervention.objects.filter(name="Reading buddies").exists()


def test_a_stale_change_is_refused(cast, senco, in_school):
    item = cast.intervention
    version = item.lock_version
    interventions.intervention_update(actor=senco, intervention=item, expected_version=version, group_size=6)
    stale = Intervention.objects.get(pk=item.pk)
    stale.lock_version = version
    with pytest.raises(ValidationError) as error:
        interventions.intervention_update(actor=senco, intervention=stale, expected_version=version, group_size=2)
    assert error.value.code == "stale"
    assert Intervention.objects.get(pk=item.pk).group_size == 6


def test_archiving_takes_it_off_the_list_for_new_groups(cast, senco, in_school):
    item = cast.intervention
    interventions.intervention_archive(actor=senco, intervention=item, expected_version=item.lock_version)
    assert item not in interventions_for_groups(cast.school)
    listed = intervention_list(senco)
    assert [row.pk for row in listed["archived"]] == [item.pk]
    assert all(item.pk != row.pk for section in listed["sections"] for row in section.interventions)
    interventions.intervention_archive(actor=senco, intervention=item, archived=False)
    assert item in interventions_for_groups(cast.school)
    assert AuditEvent.objects.filter(action="provision.intervention.updated").count() == 2


def test_a_trust_shared_intervention_is_read_but_not_changed_by_other_schools(cast, senco, in_school):
    item = cast.intervention
    interventions.intervention_update(
        actor=senco, intervention=item, expected_version=item.lock_version, shared_with_trust=True
    )
    other = Actor.for_user(cast.other_senco)
    with scope(school=[cast.other_school.pk]):
        assert [row.pk for row in intervention_list(other)["shared"]] == [item.pk]
        assert item in interventions_for_groups(cast.other_school)
        with pytest.raises(PermissionDenied):
            interventions.intervention_update(
                actor=other, intervention=item, expected_version=item.lock_version, name="Taken over"
            )
        with pytest.raises(PermissionDenied):
            interventions.intervention_archive(actor=other, intervention=item)
    assert Intervention.objects.get(pk=item.pk).name == "Phonics catch-up"


# ----- who may open each page -----

PAGES = {
    "intervention-list": (lambda c: reverse("provision:intervention-list"), MANAGERS | {"other_senco"}),
    "intervention-type-list": (lambda c: reverse("provision:intervention-type-list"), MANAGERS | {"other_senco"}),
    "intervention-create": (lambda c: reverse("provision:intervention-create"), MANAGERS | {"other_senco"}),
    "intervention-edit": (
        lambda c: reverse("provision:intervention-edit", args=[c.intervention.public_id]),
        MANAGERS,
    ),
}


@pytest.mark.parametrize("page", PAGES)
def test_who_may_open_each_page(cast, client_for, page):
    build_url, allowed = PAGES[page]
    url = build_url(cast)
    wrong = cast_mismatches(cast, client_for, url, allowed)
    assert not wrong, f"{page} ({url}):\n" + "\n".join(wrong)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_sign_in(cast, client_for, page):
    response = client_for(None).get(PAGES[page][0](cast))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_deputy_senco_manages_the_list(cast, client_for):
    with scopes_disabled():
        deputy = f.MembershipFactory(school=cast.school, roles=["deputy_senco"]).user
    client = client_for(deputy)
    for build_url, _allowed in PAGES.values():
        assert client.get(build_url(cast)).status_code == 200


def test_archive_answers_only_post_and_only_for_the_owning_school(cast, client_for):
    url = reverse("provision:intervention-archive", args=[cast.intervention.public_id])
    assert client_for(cast.senco).get(url).status_code == 405
    with scopes_disabled():
        cast.intervention.shared_with_trust = True
        cast.intervention.save()
    assert client_for(cast.other_senco).post(url, {"archived": "1"}).status_code == 404
    assert client_for(cast.ta).post(url, {"archived": "1"}).status_code == 404
    with scopes_disabled():
        assert not Intervention.objects.get(pk=cast.intervention.pk).is_archived
    response = client_for(cast.senco).post(url, {"archived": "1", "lock_version": cast.intervention.lock_version})
    assert response.status_code == 302 and response["Location"] == reverse("provision:intervention-list")
    with scopes_disabled():
        assert Intervention.objects.get(pk=cast.intervention.pk).is_archived


# ----- the pages -----


def test_the_list_shows_the_schools_interventions_by_area_and_the_trusts(cast, client_for):
    with scopes_disabled():
        pf.InterventionFactory(
            school=cast.other_school, name="Brookfield talk group", shared_with_trust=True, group_size=6
        )
        pf.InterventionFactory(school=cast.other_school, name="Brookfield private")
        pf.InterventionFactory(school=cast.school, name="Old programme", is_archived=True)
    response = client_for(cast.senco).get(reverse("provision:intervention-list"))
    page = text_of(response)
    assert "Cognition and learning" in page
    assert "Phonics catch-up" in page
    assert "3 times a week, 20 minutes, group of 4" in page
    # Both cast groups run the cast's intervention today.
    sections = response.context["sections"]
    row = next(item for section in sections for item in section.interventions if item.name == "Phonics catch-up")
    assert row.running_groups == 2
    assert "Shared by other schools in Downland Learning Trust" in page
    assert "Brookfield talk group" in page and "Brookfield School" in page
    assert "Brookfield private" not in page
    assert "1 archived intervention" in page and "Old programme" in page


def test_the_built_in_types_are_listed_with_use_this(cast, client_for):
    response = client_for(cast.senco).get(reverse("provision:intervention-type-list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("Use this") == InterventionType.objects.count() >= 40
    assert reverse("provision:intervention-create") + "?type=phonics-catch-up" in body


def test_use_this_fills_in_the_form_from_the_type(cast, client_for):
    url = reverse("provision:intervention-create") + "?type=reading-one-to-one"
    response = client_for(cast.senco).get(url)
    initial = response.context["form"].initial
    assert initial["name"] == "One-to-one reading"
    assert initial["area"] == "cognition-learning"
    assert str(initial["sessions_per_week"]) == "3" and initial["minutes_per_session"] == 15
    assert initial["group_size"] == 1
    assert initial["measure_type"] == pf.builtin_measure(MeasureType.Kind.READING_AGE).public_id
    response = client_for(cast.senco).post(
        url,
        {
            "type": "reading-one-to-one",
            "name": "Reading with an adult",
            "area": "cognition-learning",
            "description": "",
            "sessions_per_week": "2.5",
            "minutes_per_session": "15",
            "group_size": "1",
            "measure_type": str(initial["measure_type"]),
            "shared_with_trust": "on",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        item = Intervention.objects.get(name="Reading with an adult")
    assert item.intervention_type.code == "reading-one-to-one"
    assert item.sessions_per_week == Decimal("2.5") and item.shared_with_trust


def test_a_duplicate_name_is_shown_in_the_error_summary(cast, client_for):
    response = client_for(cast.senco).post(
        reverse("provision:intervention-create"),
        {
            "name": "Phonics catch-up",
            "area": "cognition-learning",
            "sessions_per_week": "3",
            "minutes_per_session": "20",
            "group_size": "4",
        },
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert "Your school already has an intervention called ‘Phonics catch-up’" in text_of(response)


def test_a_stale_edit_keeps_what_was_typed_and_changes_nothing(cast, client_for):
    url = reverse("provision:intervention-edit", args=[cast.intervention.public_id])
    data = {
        "lock_version": cast.intervention.lock_version,
        "name": "Phonics catch-up",
        "area": "cognition-learning",
        "sessions_per_week": "3",
        "minutes_per_session": "20",
        "group_size": "4",
    }
    client = client_for(cast.senco)
    assert client.post(url, {**data, "group_size": "5"}).status_code == 302
    response = client.post(url, {**data, "name": "My late change"})
    assert response.status_code == 200
    page = text_of(response)
    assert "Someone else saved changes to this record" in page
    assert response.context["form"]["name"].value() == "My late change"
    with scopes_disabled():
        item = Intervention.objects.get(pk=cast.intervention.pk)
    assert item.name == "Phonics catch-up" and item.group_size == 5


def test_the_list_runs_a_fixed_number_of_queries(cast, client_for, django_assert_max_num_queries):
    client = client_for(cast.senco)
    url = reverse("provision:intervention-list")
    client.get(url)  # warm caches (sessions, content types)

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    with scopes_disabled():
        for number in range(15):
            item = pf.InterventionFactory(school=cast.school, name=f"Programme {number}")
            pf.InterventionGroupFactory(school=cast.school, intervention=item)
            pf.InterventionFactory(school=cast.other_school, name=f"Shared {number}", shared_with_trust=True)
            pf.InterventionFactory(school=cast.school, name=f"Archived {number}", is_archived=True)
    with django_assert_max_num_queries(small):
        assert client.get(url).status_code == 200
