"""The transfer pages: who may open each, sending a package, receiving one in two steps, reading it."""

import datetime
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent
from waymark.evidence.models import Document
from waymark.exchange.models import ImportBatch, ReceivedTransfer
from waymark.exchange.transfer.format import schema_bytes
from waymark.exchange.transfer.receive import transfer_check
from waymark.pupils.models import Pupil
from waymark.tests import factories as f
from waymark.tests.helpers import cast_mismatches, error_summary, text_of

from .transfer_support import PASSPHRASE, minimal_document, rich_record, sealed, unchanged_state, upload

TODAY = datetime.date.today()
EXPORTERS = {"senco", "head", "trust_lead"}
STAFF_WHO_VIEW = {"senco", "dsl", "head", "head_of_year", "teacher", "ta", "trust_lead"}


@pytest.fixture(autouse=True)
def no_scanner(settings):
    settings.WAYMARK_VIRUS_SCANNER = "none"


def export_url(cast):
    return reverse("exchange:transfer-export", args=[cast.pupil.public_id])


def received(pupil, document=None, **fields):
    with scopes_disabled():
        return ReceivedTransfer.objects.create(
            pupil=pupil,
            from_school_name="Old Mill Primary",
            from_school_urn="123456",
            package_version="1.0",
            exported_at=timezone.now() - datetime.timedelta(days=40),
            package_sha256=fields.pop("sha", "a" * 64),
            document=document or minimal_document(plans=1, measures=1),
            received_by=fields.pop("by"),
        )


def checked_batch(cast, data=None):
    with scope(school=[cast.school.pk]):
        return transfer_check(
            actor=Actor.for_user(cast.senco),
            school=cast.school,
            uploaded_file=upload(data or sealed()),
            passphrase=PASSPHRASE,
        )


# ----- who may open each page -----


def test_who_may_open_the_export_page(cast, client_for):
    assert cast_mismatches(cast, client_for, export_url(cast), EXPORTERS) == []


def test_who_may_open_the_import_page(cast, client_for):
    # Each SENCO imports into their own school.
    assert cast_mismatches(cast, client_for, reverse("exchange:transfer-import"), {"senco", "other_senco"}) == []


def test_who_may_open_a_checked_package(cast, client_for):
    batch = checked_batch(cast)
    url = reverse("exchange:transfer-preview", args=[batch.public_id])
    assert cast_mismatches(cast, client_for, url, {"senco"}) == []


def test_who_may_read_a_received_record_and_the_list(cast, client_for):
    transfer = received(cast.pupil, by=cast.senco)
    for url in (
        reverse("exchange:received-detail", args=[transfer.public_id]),
        reverse("exchange:received-list", args=[cast.pupil.public_id]),
    ):
        assert cast_mismatches(cast, client_for, url, STAFF_WHO_VIEW) == [], url


def test_anonymous_is_sent_to_sign_in_and_forbidden_posts_are_missing(cast, client_for):
    batch = checked_batch(cast)
    transfer = received(cast.pupil, by=cast.senco, sha="c" * 64)
    urls = [
        export_url(cast),
        reverse("exchange:transfer-import"),
        reverse("exchange:transfer-preview", args=[batch.public_id]),
        reverse("exchange:received-detail", args=[transfer.public_id]),
        reverse("exchange:received-list", args=[cast.pupil.public_id]),
    ]
    for url in urls:
        response = client_for(None).get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    before, audit = unchanged_state(), AuditEvent.objects.count()
    posts = [
        (
            cast.teacher,
            export_url(cast),
            {"passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE, "separately": "on"},
        ),
        (cast.head, reverse("exchange:transfer-import"), {"upload": SimpleUploadedFile("a.waymark", sealed())}),
        (cast.other_senco, urls[2], {"passphrase": PASSPHRASE}),
        (cast.other_senco, urls[2], {"abandon": "1"}),
    ]
    for user, url, data in posts:
        assert client_for(user).post(url, {**data, "passphrase": PASSPHRASE}).status_code == 404, url
    assert unchanged_state() == before and AuditEvent.objects.count() == audit


def test_the_schema_is_public_and_is_the_file_in_the_repository(client_for):
    response = client_for(None).get(reverse("exchange:transfer-schema"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    assert response.content == schema_bytes()
    assert json.loads(response.content)["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert client_for(None).post(reverse("exchange:transfer-schema")).status_code == 405


def test_other_kinds_of_batch_and_unknown_ids_are_missing(cast, client_for):
    with scopes_disabled():
        roster = ImportBatch.objects.create(
            school=cast.school, kind="roster", original_name="a.csv", sha256="0" * 64, size=1, created_by=cast.senco
        )
    client = client_for(cast.senco)
    for public_id in (roster.public_id, "6f1c1f0e-1111-4b4b-8c8c-000000000000"):
        assert client.get(reverse("exchange:transfer-preview", args=[public_id])).status_code == 404


# ----- sending -----


def test_the_export_page_suggests_a_passphrase_and_says_what_never_travels(cast, client_for):
    page = text_of(client_for(cast.senco).get(export_url(cast)))
    assert re.search(r"for example: [a-z]+-[a-z]+-[a-z]+-[a-z]+", page)
    assert "never holds restricted content" in page


@pytest.mark.parametrize(
    "data, message",
    [
        ({"passphrase": "too-short", "passphrase_again": "too-short", "separately": "on"}, "at least 12 characters"),
        (
            {"passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE + "x", "separately": "on"},
            "The passphrases do not match",
        ),
        ({"passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE}, "Confirm you will give the passphrase separately"),
    ],
)
def test_a_bad_passphrase_or_no_promise_is_refused_and_nothing_is_sent(cast, client_for, data, message):
    response = client_for(cast.senco).post(export_url(cast), data)
    assert response.status_code == 200
    assert message in error_summary(response)
    assert PASSPHRASE not in response.content.decode()  # never shown back
    assert not AuditEvent.objects.filter(action="exchange.transfer.exported").exists()


def test_the_package_downloads_under_a_name_without_the_childs_name(cast, client_for):
    data = {"passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE, "separately": "on"}
    response = client_for(cast.senco).post(export_url(cast), data)
    assert response.status_code == 200
    assert response.content.startswith(b"WAYMARK-TRANSFER\x01")
    disposition = response["Content-Disposition"]
    assert disposition == f'attachment; filename="transfer-{cast.pupil.upn.lower()}-{TODAY.isoformat()}.waymark"'
    assert "Quartermaine" not in disposition and "Zephyrine" not in disposition
    assert response["Cache-Control"] == "no-store, private"
    event = AuditEvent.objects.get(action="exchange.transfer.exported")
    assert event.pupil_id == cast.pupil.public_id
    assert PASSPHRASE not in json.dumps(event.data)


# ----- receiving, through the pages -----


def import_form(data, passphrase=PASSPHRASE):
    return {"upload": SimpleUploadedFile("from-ashdown.waymark", data), "passphrase": passphrase}


def test_a_record_goes_from_one_school_to_the_next_through_the_pages(cast, client_for):
    rich_record(cast)
    sender, receiver = client_for(cast.senco), client_for(cast.other_senco)
    package = sender.post(
        export_url(cast), {"passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE, "separately": "on"}
    ).content

    checked = receiver.post(reverse("exchange:transfer-import"), import_form(package))
    with scopes_disabled():
        batch = ImportBatch.objects.get(school=cast.other_school)
    assert checked.status_code == 302
    assert checked["Location"] == reverse("exchange:transfer-preview", args=[batch.public_id])
    # Kept as it came, still locked; the passphrase is kept nowhere.
    with scopes_disabled(), batch.file.open("rb") as handle:
        assert handle.read() == package
    everything = json.dumps([batch.summary, batch.problems, list(AuditEvent.objects.values_list("data", flat=True))])
    assert PASSPHRASE not in everything

    preview = receiver.get(checked["Location"])
    page = text_of(preview)
    assert "Zephyrine Quartermaine" in page
    assert "This pupil is not on roll here yet" in page
    assert "Plan versions (as agreed) 2" in page and "Measures 3" in page and "Documents 1" in page
    with scopes_disabled():
        assert not Pupil.objects.filter(school=cast.other_school, upn=cast.pupil.upn).exists()

    wrong = receiver.post(checked["Location"], {"passphrase": "not-the-passphrase"})
    assert wrong.status_code == 200
    assert "The passphrase is wrong or the file has been changed" in error_summary(wrong)
    assert "not-the-passphrase" not in wrong.content.decode()
    with scopes_disabled():
        assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.PREVIEWED
        assert not ReceivedTransfer.objects.exists()

    done = receiver.post(checked["Location"], {"passphrase": PASSPHRASE})
    with scopes_disabled():
        pupil = Pupil.objects.get(school=cast.other_school, upn=cast.pupil.upn)
        transfer = ReceivedTransfer.objects.get(pupil=pupil)
        batch.refresh_from_db()
    assert done.status_code == 302
    assert done["Location"] == reverse("pupils:pupil-detail", args=[pupil.public_id])
    assert batch.status == ImportBatch.Status.COMMITTED and not batch.file.name

    detail = receiver.get(reverse("exchange:received-detail", args=[transfer.public_id]))
    page = text_of(detail)
    assert f"From Ashdown Academy, received {TODAY.strftime('%-d %B %Y')}" in page
    assert "Version 2 (active)" in page and "Reads and spells the next set of common words" in page
    assert "Review on" in page and "She reads to her little brother now" in page
    assert "Views of the pupil’s mother, given" in page
    assert "Phonics catch-up" in page and "Speech and language report" in page
    assert "7 years" in page  # a reading age of 84 months
    assert AuditEvent.objects.filter(action="exchange.transfer.viewed", pupil_id=pupil.public_id).count() == 1
    older = text_of(receiver.get(reverse("exchange:received-detail", args=[transfer.public_id]) + "?version=1"))
    assert "Version 1 (superseded)" in older


def test_a_match_on_name_and_date_of_birth_must_be_confirmed_on_the_page(cast, client_for):
    with scopes_disabled():
        here = f.PupilFactory(
            school=cast.school,
            upn="",
            legal_forename="Ada",
            legal_surname="Lovelace",
            date_of_birth=TODAY.replace(2015, 3, 14),
        )
    batch = checked_batch(cast)
    url = reverse("exchange:transfer-preview", args=[batch.public_id])
    client = client_for(cast.senco)
    assert "Matched by name and date of birth to Ada Lovelace" in text_of(client.get(url))
    refused = client.post(url, {"passphrase": PASSPHRASE})
    assert "Confirm the record is for this pupil" in error_summary(refused)
    done = client.post(url, {"passphrase": PASSPHRASE, "same_pupil": "on"})
    assert done["Location"] == reverse("pupils:pupil-detail", args=[here.public_id])
    with scopes_disabled():
        assert ReceivedTransfer.objects.get().pupil == here


def test_a_record_that_cannot_be_imported_says_why_and_offers_no_import(cast, client_for):
    transfer_data = sealed(minimal_document(upn="A823410215001"))  # a wrong check letter
    batch = checked_batch(cast, transfer_data)
    page = client_for(cast.senco).get(reverse("exchange:transfer-preview", args=[batch.public_id]))
    assert "wrong check letter" in text_of(page)
    assert "Import the record" not in text_of(page)


def test_an_import_can_be_abandoned_and_its_file_is_deleted(cast, client_for, django_capture_on_commit_callbacks):
    batch = checked_batch(cast)
    name = batch.file.name
    url = reverse("exchange:transfer-preview", args=[batch.public_id])
    before = unchanged_state()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.senco).post(url, {"abandon": "1"})
    assert response["Location"] == reverse("exchange:transfer-import")
    with scopes_disabled():
        batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.ABANDONED
    assert not batch.file.storage.exists(name)
    assert "Lovelace" not in json.dumps(batch.summary) and batch.summary["counts"]["measures"] == 0
    after = unchanged_state()
    assert {k: v for k, v in after.items() if k != "batches"} == {k: v for k, v in before.items() if k != "batches"}
    # Nothing more can be done with it.
    gone = client_for(cast.senco).post(url, {"passphrase": PASSPHRASE})
    assert "already abandoned" in error_summary(gone)


def test_a_refused_file_is_explained_on_the_import_page(cast, client_for):
    response = client_for(cast.senco).post(reverse("exchange:transfer-import"), import_form(b"not a package"))
    assert response.status_code == 200
    assert "This is not a Waymark transfer package" in error_summary(response)
    assert not ImportBatch.objects.exists()


# ----- the received record's page runs a fixed number of queries -----


def bigger_document():
    document = minimal_document(plans=6, measures=40)
    document["notes"] = [
        {"happened_on": f"2026-01-0{day}", "text": f"Note {day}", "visibility": "staff", "outcome_lineage": None}
        for day in range(1, 9)
    ]
    document["provision_delivered"] = [
        {
            "intervention": f"Intervention {n}",
            "joined_on": "2025-09-01",
            "planned": 10,
            "delivered": 9,
            "cancelled": 1,
            "attended": 8,
            "missed": 1,
            "commitment": None,
        }
        for n in range(6)
    ]
    document["previous_transfers"] = [
        {
            "from_school_name": "Little Acorns Nursery",
            "exported_at": "2019-07-20T10:00:00+00:00",
            "package_version": "1.0",
            "document": minimal_document(plans=2),
        }
    ]
    return document


def with_documents(transfer, count):
    with scopes_disabled():
        for n in range(count):
            Document.objects.create(
                pupil=transfer.pupil,
                title=f"Report {n}",
                kind="assessment",
                written_on=TODAY,
                file=f"documents/report-{n}.pdf",
                original_name="report.pdf",
                content_type="application/pdf",
                size=10,
                sha256="0" * 64,
                scan="not_scanned",
                uploaded_by=transfer.received_by,
                received_in=transfer,
            )


@pytest.mark.parametrize("size", ["small", "large"])
def test_the_received_record_runs_a_fixed_number_of_queries(cast, client_for, django_assert_max_num_queries, size):
    if size == "small":
        transfer = received(cast.pupil, by=cast.senco)
        with_documents(transfer, 1)
    else:
        transfer = received(cast.pupil, bigger_document(), by=cast.senco, sha="b" * 64)
        with_documents(transfer, 8)
    client = client_for(cast.senco)
    url = reverse("exchange:received-detail", args=[transfer.public_id])
    client.get(url)  # warm the session and the actor's caches
    # 13 measured at both sizes: session, user, memberships and relations (the actor), the transfer,
    # its documents, the audit event, the header's class check, and the session save.
    with django_assert_max_num_queries(13):
        response = client.get(url)
    assert response.status_code == 200
    assert ("Report 7" in text_of(response)) is (size == "large")


def test_every_table_of_the_received_record_is_labelled_by_its_own_caption(cast, client_for):
    transfer = received(cast.pupil, bigger_document(), by=cast.senco, sha="b" * 64)
    response = client_for(cast.senco).get(reverse("exchange:received-detail", args=[transfer.public_id]))
    content = response.content.decode()
    regions = re.findall(r'role="region" aria-labelledby="([^"]+)"', content)
    captions = re.findall(r'<caption[^>]*\bid="([^"]+)"', content)
    assert len(regions) >= 5 and sorted(regions) == sorted(captions)
    assert len(set(captions)) == len(captions)  # one table, one caption id
    assert "govuk-table__cell--numeric" in content  # the sessions counted, set right
    assert "Intervention 5" in text_of(response)


def test_a_received_document_made_restricted_is_listed_only_for_the_senco_and_dsl(cast, client_for):
    transfer = received(cast.pupil, by=cast.senco)
    with_documents(transfer, 2)
    with scopes_disabled():
        Document.objects.filter(title="Report 1").update(visibility="restricted")
    url = reverse("exchange:received-detail", args=[transfer.public_id])
    for user, sees in ((cast.senco, True), (cast.dsl, True), (cast.teacher, False), (cast.head_of_year, False)):
        page = text_of(client_for(user).get(url))
        assert "Report 0" in page, user
        assert ("Report 1" in page) is sees, user


def test_the_received_list_runs_the_same_queries_for_one_record_or_several(
    cast, client_for, django_assert_max_num_queries
):
    client = client_for(cast.senco)
    url = reverse("exchange:received-list", args=[cast.pupil.public_id])
    received(cast.pupil, by=cast.senco, sha="d" * 64)
    client.get(url)  # warm the session and the actor's caches
    with django_assert_max_num_queries(30) as one:
        client.get(url)
    for n in range(4):
        received(cast.pupil, by=cast.head, sha=f"{n}" * 64)
    with django_assert_max_num_queries(len(one)):
        response = client.get(url)
    assert text_of(response).count("Old Mill Primary") == 5
