"""The subject access pages: who may open them, the forms, the request's page, the release and download."""

import datetime
import io
import zipfile

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from waymark.core.models import AuditEvent
from waymark.exchange.models import Redaction, SubjectAccessRequest
from waymark.tests.helpers import cast_mismatches, date_fields, error_summary, text_of

from .test_subject_access_gather import add_more
from .test_subject_access_setup import NOTE_TEXT, RESTRICTED_NOTE, log_request, rich_record

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
ADMINS = {"senco", "head"}  # administer the school's records


def url(name, obj):
    return reverse(f"exchange:{name}", args=[obj.public_id])


def counts():
    with scopes_disabled():
        return (SubjectAccessRequest.objects.count(), Redaction.objects.count(), AuditEvent.objects.count())


@pytest.fixture
def sar(cast):
    return log_request(cast)


# ----- who may open what -----


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page", ["sar-list", "sar-create", "sar-detail", "sar-extend", "sar-close", "sar-release", "sar-download"]
)
def test_only_the_senco_and_head_open_each_page(cast, client_for, sar, page):
    if page == "sar-list":
        target = reverse("exchange:sar-list")
    elif page == "sar-create":
        target = url(page, cast.pupil)
    else:
        target = url(page, sar)
    if page == "sar-download":
        from django_scopes import scope

        from waymark.exchange.subject_access.release import sar_release

        from .test_subject_access_setup import actor_for

        with scope(school=[cast.school.pk]):
            sar_release(actor=actor_for(cast.senco), request=sar, expected_version=sar.lock_version)
    allowed = ADMINS | ({"other_senco"} if page == "sar-list" else set())
    assert cast_mismatches(cast, client_for, target, allowed) == []


@pytest.mark.django_db
def test_the_other_schools_senco_cannot_log_a_request_about_our_pupil(cast, client_for):
    assert client_for(cast.other_senco).get(url("sar-create", cast.pupil)).status_code == 404
    assert client_for(cast.other_senco).get(url("sar-create", cast.other_school_pupil)).status_code == 200


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client_for, sar):
    response = client_for(None).get(url("sar-detail", sar))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
def test_nobody_else_can_withhold_or_put_back(cast, client_for, record):
    request, prefix = record.request, f"withhold-evidence-note-{record.note.pk}"
    withhold = {
        f"{prefix}-model": "evidence.Note",
        f"{prefix}-object_pk": str(record.note.pk),
        f"{prefix}-part": "__all__",
        f"{prefix}-reason": "Names a visitor",
    }
    with scopes_disabled():
        redaction = Redaction.objects.filter(request=request).first()
    put_back = {f"put-back-{redaction.pk}-redaction": str(redaction.pk)}
    before = counts()
    wrong = []
    for name, user in cast.people.items():
        if name in ADMINS:
            continue
        for page, data in (("sar-redact", withhold), ("sar-unredact", put_back)):
            got = client_for(user).post(url(page, request), data).status_code
            if got != 404:
                wrong.append(f"{name} {page}: expected 404, got {got}")
    assert wrong == []
    assert counts() == before
    # The same posts from the head are valid and change things, so the 404s above were not bad forms.
    head = client_for(cast.head)
    assert head.post(url("sar-redact", request), withhold).status_code == 302
    assert head.post(url("sar-unredact", request), put_back).status_code == 302
    assert counts() != before


@pytest.mark.django_db
def test_pages_that_change_things_refuse_get_and_the_download_refuses_post(cast, client_for, sar):
    client = client_for(cast.senco)
    assert client.get(url("sar-redact", sar)).status_code == 405
    assert client.get(url("sar-unredact", sar)).status_code == 405
    assert client.post(url("sar-detail", sar)).status_code == 405


# ----- the list -----


@pytest.mark.django_db
def test_the_list_shows_open_requests_by_deadline_with_overdue_flagged_and_closed_below(cast, client_for):
    overdue = log_request(cast, received_on=TODAY - 40 * DAY)
    fresh = log_request(cast, received_on=TODAY)
    with scopes_disabled():
        SubjectAccessRequest.objects.filter(pk=fresh.pk).update(status=SubjectAccessRequest.Status.WITHDRAWN)
    soon = log_request(cast, received_on=TODAY - 29 * DAY)
    response = client_for(cast.head).get(reverse("exchange:sar-list"))
    text = text_of(response)
    assert response.status_code == 200
    days = (TODAY - overdue.due_on).days
    assert f"Overdue {days} day{'s' if days != 1 else ''} overdue" in text
    assert text.index("Open requests") < text.index("Overdue") < text.index("Closed requests")
    assert "Withdrawn" in text[text.index("Closed requests") :]
    assert text.index(overdue.due_on.strftime("%B")) < text.index("Log a new request")
    assert "15 school days" in text
    del soon


@pytest.mark.django_db
def test_the_list_finds_pupils_to_log_a_request_for(cast, client_for):
    response = client_for(cast.senco).get(reverse("exchange:sar-list"), {"q": "Zephyr quarter"})
    assert url("sar-create", cast.pupil) in response.content.decode()
    assert url("sar-create", cast.other_pupil) not in response.content.decode()
    response = client_for(cast.senco).get(reverse("exchange:sar-list"), {"q": "Featherstone"})
    assert "No pupil matches" in text_of(response)  # School B's pupil


# ----- logging -----


def create_data(cast, **changes):
    data = {
        "requester_kind": "parent",
        "parent_link": str(cast.parent_link.public_id),
        "requester_name": "",
        "acting_for": "",
        "identity_check": "known_parent",
        "identity_details": "Asked in person at parents' evening",
        **date_fields("received_on", TODAY - DAY),
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_logging_a_request_from_a_parent_goes_to_its_page(cast, client_for):
    client = client_for(cast.senco)
    page = client.get(url("sar-create", cast.pupil))
    text = text_of(page)
    assert "Paula Parent (mother)" in text and "Cleo Coparent (step-parent)" in text
    assert "Piers Restricted" not in text  # a restricted link is not offered
    assert "15 school days" in text
    response = client.post(url("sar-create", cast.pupil), create_data(cast))
    with scopes_disabled():
        created = SubjectAccessRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == url("sar-detail", created)
    assert created.parent_link_id == cast.parent_link.pk
    assert created.identity_details == "Asked in person at parents' evening"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (date_fields("received_on", TODAY + DAY), "Date the request was received must be today or in the past"),
        (date_fields("received_on", None), "Enter the date the request was received"),
        ({"parent_link": ""}, "Choose the parent or carer who is asking."),
        ({"requester_kind": ""}, "Choose who is asking"),
        (
            {"requester_kind": "representative", "parent_link": "", "identity_check": "authority"},
            "Say who they act for and what authority they showed.",
        ),
        ({"identity_check": "pupil_in_person"}, "Choose a check of identity that fits who is asking."),
    ],
)
def test_bad_input_is_explained_and_nothing_is_logged(cast, client_for, changes, message):
    before = counts()
    response = client_for(cast.senco).post(url("sar-create", cast.pupil), create_data(cast, **changes))
    assert response.status_code == 200
    assert message in error_summary(response)
    assert counts() == before


# ----- the request's page -----


@pytest.fixture
def record(cast):
    rich = rich_record(cast)
    rich.request = log_request(cast)
    return rich


@pytest.mark.django_db
def test_the_page_shows_every_section_the_deadline_and_what_is_withheld_and_is_audited(cast, client_for, record):
    from waymark.core.personal_data import PERSONAL_DATA

    response = client_for(cast.senco).get(url("sar-detail", record.request))
    text = text_of(response)
    assert response.status_code == 200
    assert "<title>Subject access request" in response.content.decode()
    for entry in PERSONAL_DATA:
        assert entry.what in text
    assert NOTE_TEXT in text and RESTRICTED_NOTE in text
    assert "another person's information" in text
    assert "Staff opinions and professional judgements are not withheld automatically" in text
    assert record.request.due_on.strftime("%B %Y") in text
    with scopes_disabled():
        event = AuditEvent.objects.filter(action="exchange.sar.viewed").get()
    assert event.pupil_id == cast.pupil.public_id


@pytest.mark.django_db
def test_the_head_sees_that_restricted_words_are_there_but_not_what_they_say(cast, client_for, record):
    text = text_of(client_for(cast.head).get(url("sar-detail", record.request)))
    assert RESTRICTED_NOTE not in text
    assert "Court order" not in text
    assert "Restricted: only the SENCO or the DSL can read this." in text


@pytest.mark.django_db
def test_withholding_a_field_from_the_page_then_putting_it_back(cast, client_for, record):
    client = client_for(cast.senco)
    prefix = f"withhold-evidence-note-{record.note.pk}"
    response = client.post(
        url("sar-redact", record.request),
        {
            f"{prefix}-model": "evidence.Note",
            f"{prefix}-object_pk": str(record.note.pk),
            f"{prefix}-part": "text",
            f"{prefix}-reason": "Names a visitor",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("sar-detail", record.request) + f"#item-evidence-note-{record.note.pk}"
    with scopes_disabled():
        redaction = Redaction.objects.get(request=record.request, model="evidence.Note", object_pk=str(record.note.pk))
    assert (redaction.field, redaction.reason, redaction.redacted_by_id) == ("text", "Names a visitor", cast.senco.pk)
    page = client.get(url("sar-detail", record.request))
    assert "Names a visitor" in text_of(page)
    response = client.post(
        url("sar-unredact", record.request), {f"put-back-{redaction.pk}-redaction": str(redaction.pk)}
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert not Redaction.objects.filter(pk=redaction.pk).exists()


@pytest.mark.django_db
def test_withholding_without_a_reason_shows_the_error_and_changes_nothing(cast, client_for, record):
    before = counts()
    prefix = f"withhold-evidence-note-{record.note.pk}"
    response = client_for(cast.senco).post(
        url("sar-redact", record.request),
        {
            f"{prefix}-model": "evidence.Note",
            f"{prefix}-object_pk": str(record.note.pk),
            f"{prefix}-part": "__all__",
            f"{prefix}-reason": "",
        },
    )
    assert response.status_code == 200
    assert "Give the reason it is withheld" in error_summary(response)
    assert f'href="#id_{prefix}-reason"' in response.content.decode()
    # The page's forms are a collection (``forms``): the layout's title still says it failed.
    assert "<title>Error: Subject access request" in response.content.decode()
    assert counts() == before


def _detail_queries(client, request):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url("sar-detail", request)).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_page_runs_a_fixed_number_of_queries_at_two_sizes(cast, client_for, record, django_assert_max_num_queries):
    client = client_for(cast.senco)
    small = _detail_queries(client, record.request)
    add_more(cast, 40)  # more than a page of notes, attendance, measures, meetings and audit events
    with django_assert_max_num_queries(small):
        response = client.get(url("sar-detail", record.request))
    assert response.status_code == 200
    assert small < 80, small


# ----- extending, closing, releasing, downloading -----


@pytest.mark.django_db
def test_extending_from_the_page(cast, client_for, sar):
    new_date = sar.due_on + 20 * DAY
    response = client_for(cast.senco).post(
        url("sar-extend", sar),
        {
            **date_fields("extended_to", new_date),
            "extension_reason": "Very large record",
            "lock_version": sar.lock_version,
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        sar.refresh_from_db()
    assert sar.extended_to == new_date


@pytest.mark.django_db
def test_extending_without_a_reason_or_too_far_is_explained(cast, client_for, sar):
    from waymark.exchange.subject_access.requests import latest_extension

    before = counts()
    response = client_for(cast.senco).post(
        url("sar-extend", sar),
        {
            **date_fields("extended_to", latest_extension(sar) + DAY),
            "extension_reason": "",
            "lock_version": sar.lock_version,
        },
    )
    summary = error_summary(response)
    assert "Give the reason for extending the deadline" in summary
    assert counts() == before
    response = client_for(cast.senco).post(
        url("sar-extend", sar),
        {
            **date_fields("extended_to", latest_extension(sar) + DAY),
            "extension_reason": "Big",
            "lock_version": sar.lock_version,
        },
    )
    assert "at most two further months" in error_summary(response)
    assert counts() == before


@pytest.mark.django_db
def test_closing_without_a_reason_is_explained_then_closing_works(cast, client_for, sar):
    client = client_for(cast.head)
    before = counts()
    response = client.post(
        url("sar-close", sar), {"status": "refused", "closed_reason": "", "lock_version": sar.lock_version}
    )
    assert "Give the reason the request is closed" in error_summary(response)
    assert counts() == before
    response = client.post(
        url("sar-close", sar),
        {"status": "refused", "closed_reason": "Manifestly excessive", "lock_version": sar.lock_version},
    )
    assert response.status_code == 302
    with scopes_disabled():
        sar.refresh_from_db()
    assert sar.status == SubjectAccessRequest.Status.REFUSED
    # Closed: the forms send people back to the request's page.
    assert client.get(url("sar-extend", sar)).status_code == 302
    assert client.get(url("sar-download", sar)).status_code == 404


@pytest.mark.django_db
def test_releasing_from_the_page_then_downloading_the_zip(cast, client_for, record):
    client = client_for(cast.senco)
    confirm = client.get(url("sar-release", record.request))
    text = text_of(confirm)
    assert "Items withheld in full" in text and "Stored documents included 1" in text
    response = client.post(url("sar-release", record.request), {"lock_version": record.request.lock_version})
    assert response.status_code == 302
    with scopes_disabled():
        record.request.refresh_from_db()
    assert record.request.status == SubjectAccessRequest.Status.RELEASED
    page = client.get(url("sar-detail", record.request))
    assert "Download the release" in text_of(page)
    assert NOTE_TEXT not in text_of(page)  # read-only now: nothing more to review or withhold
    download = client.get(url("sar-download", record.request))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "Zephyrine" not in download["Content-Disposition"]
    assert download["Cache-Control"] == "no-store, private"
    body = b"".join(download.streaming_content)
    assert "everything-held.pdf" in zipfile.ZipFile(io.BytesIO(body)).namelist()
    with scopes_disabled():
        event = AuditEvent.objects.get(action="exchange.sar.downloaded")
    assert event.pupil_id == cast.pupil.public_id
    # After the release nothing can be withheld: the forms are gone and the service refuses.
    prefix = f"withhold-evidence-note-{record.note.pk}"
    before = counts()
    response = client.post(
        url("sar-redact", record.request),
        {
            f"{prefix}-model": "evidence.Note",
            f"{prefix}-object_pk": str(record.note.pk),
            f"{prefix}-part": "__all__",
            f"{prefix}-reason": "Too late",
        },
    )
    assert response.status_code == 302
    assert counts() == before


@pytest.mark.django_db
def test_a_stale_release_is_refused_with_the_reason(cast, client_for, sar):
    client = client_for(cast.senco)
    response = client.post(url("sar-release", sar), {"lock_version": sar.lock_version + 5}, follow=True)
    assert "Someone else saved changes" in text_of(response)
    with scopes_disabled():
        sar.refresh_from_db()
    assert sar.status == SubjectAccessRequest.Status.GATHERING


@pytest.mark.django_db
def test_the_list_runs_a_fixed_number_of_queries_at_two_sizes(cast, client_for, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(count):
        for _ in range(count):
            closed = log_request(cast)
            with scopes_disabled():
                SubjectAccessRequest.objects.filter(pk=closed.pk).update(status=SubjectAccessRequest.Status.REFUSED)
            log_request(cast, link=cast.co_parent_link)

    add(1)
    client = client_for(cast.senco)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("exchange:sar-list"), {"q": "Zeph"})
    add(8)
    with django_assert_max_num_queries(len(queries)):
        response = client.get(reverse("exchange:sar-list"), {"q": "Zeph"})
    assert text_of(response).count("Refused") == 9
    assert text_of(response).count("Cleo Coparent") == 9


@pytest.mark.django_db
def test_a_later_page_of_a_section_and_a_failed_withhold_there_are_shown(cast, client_for, record):
    from waymark.evidence.models import Note

    add_more(cast, 30)  # more notes than fit on one page of the section
    with scopes_disabled():
        oldest = Note.objects.filter(pupil=cast.pupil).order_by("happened_on", "pk").first()
    client = client_for(cast.senco)
    page_one = client.get(url("sar-detail", record.request)).content.decode()
    assert f'id="item-evidence-note-{oldest.pk}"' not in page_one
    page_two = client.get(url("sar-detail", record.request), {"section": "evidence-note", "page": 2}).content.decode()
    assert f'id="item-evidence-note-{oldest.pk}"' in page_two
    prefix = f"withhold-evidence-note-{oldest.pk}"
    response = client.post(
        url("sar-redact", record.request),
        {f"{prefix}-model": "evidence.Note", f"{prefix}-object_pk": str(oldest.pk), f"{prefix}-part": "text"},
    )
    body = response.content.decode()
    assert "Give the reason it is withheld" in error_summary(response)
    assert f'id="id_{prefix}-reason"' in body  # the form with the error is on the page the summary links to


# ----- a release that sent restricted words goes only to those who may read them -----


def _release_as(cast, request, user):
    from django_scopes import scope

    from waymark.exchange.subject_access.release import sar_release

    from .test_subject_access_setup import actor_for

    with scopes_disabled():
        request.refresh_from_db()
    with scope(school=[cast.school.pk]):
        return sar_release(actor=actor_for(user), request=request, expected_version=request.lock_version)


@pytest.mark.django_db
def test_the_head_cannot_download_a_release_the_senco_made_with_restricted_words(cast, client_for, record):
    released = _release_as(cast, record.request, cast.senco)  # the restricted note is not withheld
    with scopes_disabled():
        event = AuditEvent.objects.get(action="exchange.sar.released")
    assert event.data["restricted_released"] >= 1
    head = client_for(cast.head)
    assert head.get(url("sar-download", released)).status_code == 404
    page = text_of(head.get(url("sar-detail", released)))
    assert "only the SENCO can download it" in page and "Download the release" not in page
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="exchange.sar.downloaded").exists()
    # The SENCO, who read the restricted words before releasing them, downloads it as before.
    senco = client_for(cast.senco)
    assert "Download the release" in text_of(senco.get(url("sar-detail", released)))
    assert senco.get(url("sar-download", released)).status_code == 200


def _withhold_restricted(cast, request):
    from django_scopes import scope

    from waymark.exchange.subject_access.release import release_preview

    from .test_subject_access_redaction import redact

    with scope(school=[cast.school.pk]):
        sections, _counts = release_preview(request)
    for item in (item for section in sections for item in section.items if item.releases_restricted):
        redact(cast, request, item.obj, model=item.model, reason="Exempt: serious harm")


@pytest.mark.django_db
def test_the_head_downloads_a_release_whose_restricted_words_were_withheld(cast, client_for, record):
    _withhold_restricted(cast, record.request)
    released = _release_as(cast, record.request, cast.senco)
    with scopes_disabled():
        assert AuditEvent.objects.get(action="exchange.sar.released").data["restricted_released"] == 0
    head = client_for(cast.head)
    assert "Download the release" in text_of(head.get(url("sar-detail", released)))
    assert head.get(url("sar-download", released)).status_code == 200


@pytest.mark.django_db
def test_without_the_release_event_only_the_senco_may_download(cast, client_for, record):
    _withhold_restricted(cast, record.request)
    released = _release_as(cast, record.request, cast.senco)
    # Past the audit retention period the event is purged: what the release held is unknown then.
    with scopes_disabled():
        AuditEvent.objects.filter(action="exchange.sar.released").purge_expired(
            before=datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=1)
        )
    assert client_for(cast.head).get(url("sar-download", released)).status_code == 404
    assert client_for(cast.senco).get(url("sar-download", released)).status_code == 200
