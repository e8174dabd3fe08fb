"""Archiving a leaver's record and bringing it back: the rules, the read-only record, the pages.

An archived record stays readable and exportable but nothing can change it: the rule table
(``core.access.ARCHIVED_RECORD_ACTIONS``) takes editing away, which the tests prove through
a plan service, a pupil service and the plan editor's page.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent
from waymark.exchange.retention import pupil_archive, pupil_restore
from waymark.plans import services as plan_services
from waymark.plans.models import PlanSection
from waymark.plans.tests.factories import draft_version
from waymark.pupils import services as pupil_services
from waymark.pupils.models import Pupil
from waymark.pupils.selectors import register_list
from waymark.tests import factories as f
from waymark.tests.helpers import cast_mismatches, error_summary, text_of

TODAY = datetime.date.today()
D = datetime.timedelta(days=1)


def leave(pupil, on=TODAY - 30 * D):
    with scopes_disabled():
        Pupil.objects.filter(pk=pupil.pk).update(date_left=on)
        pupil.refresh_from_db()
    return pupil


def as_user(cast, user, service, **kwargs):
    with scope(school=[cast.school.pk]):
        return service(actor=Actor.for_user(user), **kwargs)


def archived(cast, pupil=None, by=None):
    pupil = leave(pupil or cast.pupil)
    return as_user(cast, by or cast.senco, pupil_archive, pupil=pupil)


def deputy(cast):
    user = f.UserFactory(full_name="Dara Deputy")
    f.MembershipFactory(user=user, school=cast.school, roles=["deputy_senco"])
    return user


# ----- the service -----


def test_archiving_a_leaver_marks_the_record_and_is_audited(cast):
    pupil = archived(cast)
    assert pupil.is_archived
    assert pupil.archived_by == cast.senco
    with scopes_disabled():
        stored = Pupil.objects.get(pk=cast.pupil.pk)
    assert stored.archived_at is not None and stored.archived_by == cast.senco
    event = AuditEvent.objects.get(action="exchange.pupil.archived")
    assert event.pupil_id == cast.pupil.public_id and event.actor == cast.senco


def test_a_pupil_who_left_today_may_be_archived(cast):
    assert archived(cast, pupil=leave(cast.pupil, TODAY)).is_archived


@pytest.mark.parametrize(
    ("left", "message"),
    [
        (None, "Only a leaver's record can be archived"),
        (TODAY + D, "Their record can be archived from that day"),
    ],
)
def test_only_a_leaver_may_be_archived(cast, left, message):
    with scopes_disabled():
        Pupil.objects.filter(pk=cast.pupil.pk).update(date_left=left)
        cast.pupil.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        as_user(cast, cast.senco, pupil_archive, pupil=cast.pupil)
    assert message in " ".join(caught.value.messages)
    with scopes_disabled():
        assert Pupil.objects.get(pk=cast.pupil.pk).archived_at is None
    assert not AuditEvent.objects.filter(action="exchange.pupil.archived").exists()


def test_an_archived_record_is_not_archived_twice(cast):
    archived(cast)
    with pytest.raises(ValidationError):
        as_user(cast, cast.senco, pupil_archive, pupil=cast.pupil)


def test_a_stale_archive_is_refused(cast):
    leave(cast.pupil)
    with pytest.raises(ValidationError) as caught:
        as_user(cast, cast.senco, pupil_archive, pupil=cast.pupil, expected_version=cast.pupil.lock_version + 1)
    assert caught.value.code == "stale"


def test_a_deputy_senco_may_archive_and_restore(cast):
    user = deputy(cast)
    archived(cast, by=user)
    restored = as_user(cast, user, pupil_restore, pupil=cast.pupil)
    assert not restored.is_archived and restored.archived_by is None
    assert AuditEvent.objects.filter(action="exchange.pupil.restored", actor=user).count() == 1


@pytest.mark.parametrize("who", ["head", "dsl", "teacher", "trust_lead", "governor", "other_senco"])
def test_others_may_not_archive(cast, who):
    leave(cast.pupil)
    with pytest.raises(PermissionDenied):
        as_user(cast, getattr(cast, who), pupil_archive, pupil=cast.pupil)


@pytest.mark.parametrize("who", ["head", "teacher", "other_senco"])
def test_others_may_not_restore(cast, who):
    archived(cast)
    with pytest.raises(PermissionDenied):
        as_user(cast, getattr(cast, who), pupil_restore, pupil=cast.pupil)


def test_restoring_a_record_that_is_not_archived_is_refused(cast):
    with pytest.raises(ValidationError):
        as_user(cast, cast.senco, pupil_restore, pupil=cast.pupil)


# ----- read-only -----


def test_an_archived_pupils_plan_cannot_be_edited_through_the_service(cast):
    version = draft_version(cast.pupil)
    archived(cast)
    with scopes_disabled():
        section = PlanSection.objects.get(version=version, key="strengths")
    with pytest.raises(PermissionDenied):
        as_user(
            cast,
            cast.senco,
            plan_services.section_save,
            section=section,
            data={"strengths": "Changed"},
            visibility="everyone",
            expected_version=section.lock_version,
        )
    with scopes_disabled():
        assert PlanSection.objects.get(pk=section.pk).data == section.data


def test_an_archived_pupils_details_cannot_be_changed(cast):
    archived(cast)
    with scopes_disabled():
        pupil = Pupil.objects.get(pk=cast.pupil.pk)
    with pytest.raises(PermissionDenied):
        as_user(
            cast,
            cast.senco,
            pupil_services.pupil_update,
            pupil=pupil,
            expected_version=pupil.lock_version,
            pronouns="they/them",
        )


def test_an_archived_pupils_plan_editor_is_missing_but_the_record_still_reads(cast, client_for):
    version = draft_version(cast.pupil)
    edit_url = reverse("plans:version-edit", kwargs={"public_id": version.public_id})
    client = client_for(cast.senco)
    assert client.get(edit_url).status_code == 200
    archived(cast)
    assert client.get(edit_url).status_code == 404
    assert client.get(reverse("pupils:pupil-edit", kwargs={"public_id": cast.pupil.public_id})).status_code == 404
    # Reading stays: the plan page still opens.
    assert client.get(reverse("plans:plan-detail", kwargs={"public_id": cast.pupil.public_id})).status_code == 200


def test_a_restored_record_can_be_edited_again(cast, client_for):
    version = draft_version(cast.pupil)
    archived(cast)
    as_user(cast, cast.senco, pupil_restore, pupil=cast.pupil)
    edit_url = reverse("plans:version-edit", kwargs={"public_id": version.public_id})
    assert client_for(cast.senco).get(edit_url).status_code == 200


def test_an_archived_leaver_is_out_of_the_register(cast):
    archived(cast)
    with scope(school=[cast.school.pk]):
        shown = list(register_list(Actor.for_user(cast.senco), filters={"provision": "all"}))
    assert cast.pupil not in shown and cast.other_pupil in shown


# ----- the pages -----


def archive_url(pupil):
    return reverse("exchange:pupil-archive", args=[pupil.public_id])


def restore_url(pupil):
    return reverse("exchange:pupil-restore", args=[pupil.public_id])


def test_who_may_open_the_archive_and_restore_pages(cast, client_for):
    leave(cast.pupil)
    assert cast_mismatches(cast, client_for, archive_url(cast.pupil), {"senco"}) == []
    archived(cast)
    assert cast_mismatches(cast, client_for, restore_url(cast.pupil), {"senco"}) == []
    # The archive page is for records not archived yet, the restore page for archived ones.
    assert client_for(cast.senco).get(archive_url(cast.pupil)).status_code == 404
    assert client_for(cast.senco).get(restore_url(cast.other_pupil)).status_code == 404


def test_another_schools_pupil_is_missing(cast, client_for):
    leave(cast.other_school_pupil)
    assert client_for(cast.senco).get(archive_url(cast.other_school_pupil)).status_code == 404


def test_archiving_from_the_page(cast, client_for):
    leave(cast.pupil)
    client = client_for(cast.senco)
    page = client.get(archive_url(cast.pupil))
    assert "it leaves the SEN register" in text_of(page)
    response = client.post(archive_url(cast.pupil), {"lock_version": str(cast.pupil.lock_version)})
    assert response.status_code == 302
    assert response["Location"] == reverse("pupils:pupil-detail", kwargs={"public_id": cast.pupil.public_id})
    with scopes_disabled():
        assert Pupil.objects.get(pk=cast.pupil.pk).is_archived
    assert AuditEvent.objects.filter(action="exchange.pupil.archived", actor=cast.senco).count() == 1


def test_the_page_says_why_a_pupil_on_roll_cannot_be_archived(cast, client_for):
    client = client_for(cast.senco)
    text = text_of(client.get(archive_url(cast.pupil)))
    assert "Only a leaver's record can be archived" in text
    assert "Archive the record" not in text
    response = client.post(archive_url(cast.pupil), {"lock_version": str(cast.pupil.lock_version)})
    assert response.status_code == 200
    assert "Only a leaver's record can be archived" in error_summary(response)
    with scopes_disabled():
        assert not Pupil.objects.get(pk=cast.pupil.pk).is_archived


def test_a_stale_archive_page_is_refused(cast, client_for):
    leave(cast.pupil)
    response = client_for(cast.senco).post(archive_url(cast.pupil), {"lock_version": str(cast.pupil.lock_version + 1)})
    assert response.status_code == 200
    assert "Someone else saved changes" in error_summary(response)
    with scopes_disabled():
        assert not Pupil.objects.get(pk=cast.pupil.pk).is_archived


def test_restoring_from_the_page(cast, client_for):
    pupil = archived(cast)
    client = client_for(cast.senco)
    assert "Bring the record back" in text_of(client.get(restore_url(pupil)))
    response = client.post(restore_url(pupil), {"lock_version": str(pupil.lock_version)})
    assert response.status_code == 302
    with scopes_disabled():
        assert not Pupil.objects.get(pk=pupil.pk).is_archived


def test_the_pages_take_only_get_and_post(cast, client_for):
    leave(cast.pupil)
    assert client_for(cast.senco).put(archive_url(cast.pupil)).status_code == 405


# ----- the list of archived pupils -----

LIST = reverse("exchange:archive-list")


def test_who_may_open_the_list(cast, client_for):
    assert cast_mismatches(cast, client_for, LIST, {"senco", "head", "other_senco"}) == []


def test_the_list_shows_this_schools_archived_pupils_only(cast, client_for):
    archived(cast)
    leave(cast.other_school_pupil)
    with scope(school=[cast.other_school.pk]):
        pupil_archive(actor=Actor.for_user(cast.other_senco), pupil=cast.other_school_pupil)
    text = text_of(client_for(cast.senco).get(LIST))
    assert "Zephyrine Quartermaine" in text
    assert "Oswin" not in text  # on roll
    assert "Marisol" not in text  # School B
    assert "1 archived pupil" in text
    event = AuditEvent.objects.filter(action="pupils.register.viewed").latest("pk")
    assert event.data["list"] == "archived" and event.data["pupils"] == [str(cast.pupil.public_id)]


def test_the_head_sees_the_list_without_restore_links(cast, client_for):
    archived(cast)
    response = client_for(cast.head).get(LIST)
    assert "Zephyrine Quartermaine" in text_of(response)
    assert restore_url(cast.pupil) not in response.content.decode()
    assert restore_url(cast.pupil) in client_for(cast.senco).get(LIST).content.decode()


def test_the_list_is_searchable_by_name_and_upn(cast, client_for):
    archived(cast)
    archived(cast, pupil=cast.other_pupil)
    client = client_for(cast.senco)
    by_name = text_of(client.get(LIST, {"q": "quarter"}))
    assert "Zephyrine" in by_name and "Oswin" not in by_name
    by_upn = text_of(client.get(LIST, {"q": cast.other_pupil.upn.lower()}))
    assert "Oswin" in by_upn and "Zephyrine" not in by_upn
    assert "No archived pupils match your search" in text_of(client.get(LIST, {"q": "nobody"}))


def test_the_list_is_paginated_with_a_fixed_number_of_queries(
    cast, client_for, settings, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.WAYMARK_REGISTER_PAGE_SIZE = 5
    left = TODAY - 100 * D
    for _ in range(3):
        f.PupilFactory(school=cast.school, date_left=left, archived_at=datetime.datetime.now(datetime.UTC))
    client = client_for(cast.senco)
    client.get(LIST)
    with CaptureQueriesContext(connection) as small:
        client.get(LIST)
    for _ in range(9):
        f.PupilFactory(school=cast.school, date_left=left, archived_at=datetime.datetime.now(datetime.UTC))
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(LIST)
    text = text_of(response)
    assert "12 archived pupils" in text and "page 1 of 3" in text
    assert "page 3 of 3" in text_of(client.get(LIST, {"page": 3}))


def test_parents_and_specialists_lose_an_archived_record_but_staff_still_read_it(cast, client_for):
    family_page = reverse("plans:family-child", args=[cast.pupil.public_id])
    shared_page = reverse("evidence:shared-detail", args=[cast.share.public_id])
    assert client_for(cast.parent).get(family_page).status_code == 200
    assert client_for(cast.specialist).get(shared_page).status_code == 200

    archived(cast)

    assert client_for(cast.parent).get(family_page).status_code == 404
    assert client_for(cast.specialist).get(shared_page).status_code == 404
    pupil_page = reverse("pupils:pupil-detail", args=[cast.pupil.public_id])
    assert client_for(cast.senco).get(pupil_page).status_code == 200
