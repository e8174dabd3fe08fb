"""The retention setting page and the legal hold pages: who may open them, what they change, bad input."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent
from waymark.exchange.models import LegalHold
from waymark.exchange.retention import legal_hold_lift, legal_hold_place, retention_settings_update
from waymark.pupils.models import Pupil
from waymark.schools.models import School
from waymark.tests import factories as f
from waymark.tests.helpers import cast_mismatches, error_summary, text_of

SETTINGS = reverse("exchange:retention-settings")
RECORDS_ADMINISTRATORS = {"senco", "head", "other_senco"}  # other_senco: School B's own page


def expired_pupil(school, **fields):
    pupil = f.PupilFactory(
        school=school,
        date_of_birth=datetime.date(1980, 3, 14),
        date_joined=datetime.date(1984, 9, 1),
        date_left=datetime.date(1998, 7, 20),
        archived_at=timezone.now(),
        **fields,
    )
    f.SenStatusFactory(pupil=pupil, provision="K", tier="targeted", starts_on=datetime.date(1990, 9, 1))
    return pupil


def place_url(pupil):
    return reverse("exchange:hold-place", args=[pupil.public_id])


def lift_url(pupil):
    return reverse("exchange:hold-lift", args=[pupil.public_id])


def school_now(cast):
    return School.objects.get(pk=cast.school.pk)


# ----- the retention setting -----


def test_who_may_open_the_settings_page(cast, client_for):
    assert cast_mismatches(cast, client_for, SETTINGS, RECORDS_ADMINISTRATORS) == []


def test_a_deputy_senco_may_not(cast, client_for):
    deputy = f.UserFactory()
    f.MembershipFactory(user=deputy, school=cast.school, roles=["deputy_senco"])
    assert client_for(deputy).get(SETTINGS).status_code == 404


def test_the_page_lists_what_has_passed_retention_and_the_open_holds(cast, client_for):
    due = expired_pupil(cast.school, legal_forename="Duedate", legal_surname="Pastretention")
    held = expired_pupil(cast.school, legal_forename="Heldfast", legal_surname="Onhold")
    with scopes_disabled():
        LegalHold.objects.create(pupil=held, reason="A claim from 2019", placed_by=cast.head)
        LegalHold.objects.create(pupil=cast.pupil, reason="Safeguarding review", placed_by=cast.senco)
    expired_pupil(cast.other_school, legal_forename="Elsewhere")
    text = text_of(client_for(cast.senco).get(SETTINGS))
    assert "Duedate Pastretention" in text and "14 March 2011" in text
    assert "1 more record has passed its retention date but is kept by a legal hold" in text
    assert "Heldfast Onhold" in text and "A claim from 2019" in text
    assert "Zephyrine Quartermaine" in text and "Safeguarding review" in text
    assert "Elsewhere" not in text
    event = AuditEvent.objects.filter(action="pupils.register.viewed").latest("pk")
    assert event.data["list"] == "retention"
    assert set(event.data["pupils"]) == {str(due.public_id), str(held.public_id), str(cast.pupil.public_id)}


def test_the_page_runs_the_same_queries_whatever_the_number_of_records(cast, client_for, django_assert_max_num_queries):
    client = client_for(cast.head)
    for index in range(2):
        pupil = expired_pupil(cast.school)
        if index == 0:
            with scopes_disabled():
                LegalHold.objects.create(pupil=pupil, reason="A claim", placed_by=cast.head)
    client.get(SETTINGS)
    with CaptureQueriesContext(connection) as small:
        client.get(SETTINGS)
    for index in range(20):
        pupil = expired_pupil(cast.school)
        if index % 3 == 0:
            with scopes_disabled():
                LegalHold.objects.create(pupil=pupil, reason="A claim", placed_by=cast.head)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(SETTINGS).status_code == 200


def test_saving_the_number_of_years(cast, client_for):
    school = school_now(cast)
    response = client_for(cast.head).post(
        SETTINGS, {"years_after_birth": "40", "lock_version": str(school.lock_version)}
    )
    assert response.status_code == 302 and response["Location"] == SETTINGS
    assert school_now(cast).retention_years_after_birth == 40
    event = AuditEvent.objects.get(action="exchange.retention.updated")
    assert event.data == {"from": 31, "to": 40} and event.actor == cast.head and event.school == cast.school


@pytest.mark.parametrize(
    ("years", "message"),
    [
        ("", "Enter the number of years"),
        ("thirty", "must be a whole number"),
        ("17", "must be 18 or more"),
        ("101", "must be 100 or fewer"),
        ("31.5", "must be a whole number"),
    ],
)
def test_bad_years_are_refused_and_nothing_changes(cast, client_for, years, message):
    school = school_now(cast)
    response = client_for(cast.senco).post(
        SETTINGS, {"years_after_birth": years, "lock_version": str(school.lock_version)}
    )
    assert response.status_code == 200
    assert message in error_summary(response)
    assert school_now(cast).retention_years_after_birth == 31
    assert not AuditEvent.objects.filter(action="exchange.retention.updated").exists()


def test_a_stale_setting_is_refused_and_the_saved_one_shown(cast, client_for):
    school = school_now(cast)
    with scope(school=[cast.school.pk]):
        retention_settings_update(
            actor=Actor.for_user(cast.head), school=school, years_after_birth=35, expected_version=school.lock_version
        )
    response = client_for(cast.senco).post(
        SETTINGS, {"years_after_birth": "50", "lock_version": str(school.lock_version)}
    )
    assert "Someone else saved changes" in error_summary(response)
    assert 'value="35"' in response.content.decode()
    assert school_now(cast).retention_years_after_birth == 35


@pytest.mark.parametrize("who", ["teacher", "dsl", "trust_lead", "other_senco"])
def test_the_service_refuses_others(cast, who):
    school = school_now(cast)
    with scope(school=[cast.school.pk]), pytest.raises(PermissionDenied):
        retention_settings_update(
            actor=Actor.for_user(getattr(cast, who)),
            school=school,
            years_after_birth=40,
            expected_version=school.lock_version,
        )


# ----- legal holds -----


def test_who_may_open_the_hold_pages(cast, client_for):
    assert cast_mismatches(cast, client_for, place_url(cast.pupil), {"senco", "head"}) == []
    assert cast_mismatches(cast, client_for, lift_url(cast.pupil), {"senco", "head"}) == []
    assert client_for(cast.senco).get(place_url(cast.other_school_pupil)).status_code == 404


def test_placing_and_lifting_a_hold_from_the_pages(cast, client_for):
    client = client_for(cast.head)
    response = client.post(place_url(cast.pupil), {"reason": "A claim against the school, letter of 3 March"})
    assert response.status_code == 302
    with scopes_disabled():
        hold = LegalHold.objects.get(pupil=cast.pupil)
    assert hold.reason.startswith("A claim") and hold.placed_by == cast.head and hold.lifted_at is None
    placed = AuditEvent.objects.get(action="exchange.hold.placed")
    assert placed.pupil_id == cast.pupil.public_id and "claim" not in str(placed.data)

    page = text_of(client.get(lift_url(cast.pupil)))
    assert "A claim against the school" in page
    assert client.post(lift_url(cast.pupil), {}).status_code == 302
    with scopes_disabled():
        hold.refresh_from_db()
    assert hold.lifted_at is not None and hold.lifted_by == cast.head
    assert AuditEvent.objects.filter(action="exchange.hold.lifted", pupil_id=cast.pupil.public_id).count() == 1


def test_a_hold_on_an_archived_record(cast, client_for):
    pupil = expired_pupil(cast.school)
    response = client_for(cast.senco).post(place_url(pupil), {"reason": "Inquiry"})
    assert response.status_code == 302
    with scopes_disabled():
        assert LegalHold.objects.filter(pupil=pupil, lifted_at__isnull=True).exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_hold_needs_a_reason(cast, client_for, reason):
    response = client_for(cast.senco).post(place_url(cast.pupil), {"reason": reason})
    assert response.status_code == 200
    assert "Give the reason for the legal hold" in error_summary(response)
    with scopes_disabled():
        assert not LegalHold.objects.exists()


def test_a_second_hold_is_refused(cast, client_for):
    client = client_for(cast.senco)
    client.post(place_url(cast.pupil), {"reason": "First"})
    assert "already has a legal hold" in text_of(client.get(place_url(cast.pupil)))
    response = client.post(place_url(cast.pupil), {"reason": "Second"})
    assert "already has a legal hold" in error_summary(response)
    with scopes_disabled():
        assert LegalHold.objects.filter(pupil=cast.pupil).count() == 1


def test_lifting_when_there_is_no_hold(cast, client_for):
    client = client_for(cast.senco)
    assert "There is no legal hold on this record" in text_of(client.get(lift_url(cast.pupil)))
    response = client.post(lift_url(cast.pupil), {})
    assert "There is no legal hold on this record" in error_summary(response)


def test_a_lifted_hold_is_kept_and_a_new_one_may_be_placed(cast):
    with scope(school=[cast.school.pk]):
        actor = Actor.for_user(cast.senco)
        legal_hold_place(actor=actor, pupil=cast.pupil, reason="First")
        legal_hold_lift(actor=actor, pupil=cast.pupil)
        legal_hold_place(actor=actor, pupil=cast.pupil, reason="Second")
        with pytest.raises(ValidationError):
            legal_hold_place(actor=actor, pupil=cast.pupil, reason="Third")
    with scopes_disabled():
        assert LegalHold.objects.filter(pupil=cast.pupil).count() == 2


@pytest.mark.parametrize("who", ["teacher", "dsl", "trust_lead", "other_senco"])
def test_the_hold_services_refuse_others(cast, who):
    with scope(school=[cast.school.pk]), pytest.raises(PermissionDenied):
        legal_hold_place(actor=Actor.for_user(getattr(cast, who)), pupil=cast.pupil, reason="A claim")


def test_the_archive_list_and_hold_pages_take_only_get_and_post(cast, client_for):
    assert client_for(cast.senco).delete(place_url(cast.pupil)).status_code == 405
    assert client_for(cast.senco).post(reverse("exchange:archive-list")).status_code == 405


def test_an_archived_pupil_page_for_holds_still_opens(cast, client_for):
    with scopes_disabled():
        Pupil.objects.filter(pk=cast.pupil.pk).update(date_left=datetime.date.today(), archived_at=timezone.now())
    assert client_for(cast.head).get(place_url(cast.pupil)).status_code == 200


def test_the_hold_pages_say_when_and_by_whom_the_hold_was_placed(cast, client_for):
    client = client_for(cast.head)
    client.post(place_url(cast.pupil), {"reason": "A claim against the school"})
    today = timezone.localdate()
    stamp = f"{today.day} {today:%B %Y} by {cast.head.full_name}"
    assert stamp in text_of(client.get(lift_url(cast.pupil)))
    assert f"already has a legal hold, placed on {stamp}." in text_of(client.get(place_url(cast.pupil)))
    assert stamp in text_of(client.get(SETTINGS))


def test_the_pupil_page_offers_the_whole_record_pages_to_those_they_open_for(cast, client_for):
    pupil_page = reverse("pupils:pupil-detail", args=[cast.pupil.public_id])
    links = {
        reverse("exchange:chronology", args=[cast.pupil.public_id]),
        reverse("exchange:transfer-export", args=[cast.pupil.public_id]),
        reverse("exchange:hold-place", args=[cast.pupil.public_id]),
    }
    wrong = []
    for name, user in cast.people.items():
        client = client_for(user)
        response = client.get(pupil_page)
        if response.status_code != 200:
            continue
        content = response.content.decode()
        for link in links:
            offered = f'href="{link}"' in content
            opens = client.get(link).status_code == 200
            if offered != opens:
                wrong.append(f"{name}: {link} offered={offered}, opens={opens}")
    assert wrong == []
