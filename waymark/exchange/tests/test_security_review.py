"""The security and privacy review of the exchange app: each finding that was fixed has its test here.

- every page about one batch, request, received record or pupil is a 404, GET and POST alike and
  with nothing changed, for everyone the rules leave out: other staff, parents, specialists,
  governors, School B's SENCO, and the trust lead working in School B;
- a roster's cells are escaped on the column page (the form renderer prints hints unescaped);
- a workbook naming a far-off row is refused before its made-up empty rows are read;
- a subject access release leaves no trace of what is withheld: not in an item's heading (a
  withheld parent's name), nor in a stored document's name in the ZIP;
- restricted words are released only by someone who may read them (the SENCO), never unread;
- when a parent asks, another parent's own subject access request and their visits to the
  record are withheld by default;
- ``manage.py retention --school ""`` is refused, not widened to every school;
- a large import queued by a deputy runs, and is audited, as the deputy rather than the uploader;
- a transfer abandoned from the imports page keeps only counts, not the pupil's details.
"""

import io
import json
import re
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from waymark.core.audit import audit_record
from waymark.core.middleware import SESSION_SCHOOL_KEY
from waymark.core.models import AuditEvent
from waymark.exchange.models import (
    DeletionRecord,
    ImportBatch,
    ImportKind,
    LegalHold,
    ReceivedTransfer,
    Redaction,
    SubjectAccessRequest,
)
from waymark.exchange.roster import reading
from waymark.exchange.roster.reading import MAX_FILE_ROWS, FileRejected, read_table
from waymark.exchange.subject_access.redaction import ANOTHER_PERSON
from waymark.exchange.subject_access.release import release_preview, sar_release
from waymark.pupils.models import Pupil
from waymark.tests import factories as f
from waymark.tests.helpers import fingerprint, text_of
from waymark.tests.pdf import needs_poppler, pdf_text

from .roster_files import csv_bytes
from .test_roster_pages import generated_rows, journey
from .test_subject_access_redaction import redact
from .test_subject_access_release import open_zip
from .test_subject_access_setup import actor_for, log_request, rich_record
from .transfer_support import PASSPHRASE, minimal_document

Status = ImportBatch.Status
IMPORTERS = {"senco"}
VIEWERS = {"senco", "dsl", "head", "head_of_year", "teacher", "ta", "trust_lead"}
EXPORTERS = {"senco", "head", "trust_lead"}
ADMINS = {"senco", "head"}


# ----- everyone the rules leave out gets a 404, and changes nothing -----


def _objects(cast):
    """One of each object the exchange pages are about, all in School A."""
    o = type("Objects", (), {})()
    with scopes_disabled():

        def batch(kind, summary):
            return ImportBatch.objects.create(
                school=cast.school,
                kind=kind,
                original_name="file",
                sha256="0" * 64,
                size=1,
                summary=summary,
                created_by=cast.senco,
            )

        o.roster = batch(ImportKind.ROSTER, {"headers": ["UPN"], "samples": {}, "checked": True})
        o.ctf = batch(ImportKind.CTF, {})
        o.transfer = batch(ImportKind.TRANSFER, {"match": {}, "pupil": {}, "counts": {}})
        o.received = ReceivedTransfer.objects.create(
            pupil=cast.pupil,
            from_school_name="Old Mill Primary",
            package_version="1.0",
            exported_at=timezone.now(),
            package_sha256="1" * 64,
            document=minimal_document(),
            received_by=cast.senco,
        )
        o.hold = LegalHold.objects.create(pupil=cast.pupil, reason="A claim", placed_by=cast.head)
        o.leaver = f.PupilFactory(
            school=cast.school,
            year_group=8,
            date_left=timezone.localdate(),
            archived_at=timezone.now(),
            archived_by=cast.senco,
        )
    o.sar = log_request(cast)
    with scopes_disabled():
        o.redaction = Redaction.objects.create(
            request=o.sar, model="pupils.Pupil", object_pk=str(cast.pupil.pk), reason="A reason", redacted_by=cast.senco
        )
    return o


def _state():
    """``fingerprint`` and everything the exchange pages could change."""
    with scopes_disabled():
        return {
            **fingerprint(),
            "batches": list(ImportBatch.objects.order_by("pk").values_list("pk", "status", "file")),
            "received": ReceivedTransfer.objects.count(),
            "requests": list(SubjectAccessRequest.objects.order_by("pk").values_list("pk", "status", "lock_version")),
            "redactions": list(Redaction.objects.order_by("pk").values_list("pk", "model", "object_pk", "field")),
            "holds": list(LegalHold.objects.order_by("pk").values_list("pk", "lifted_at")),
            "archived": list(Pupil.objects.order_by("pk").values_list("pk", "archived_at")),
        }


def _pages(cast, o):
    """(name, url, methods, who may open it, what a POST sends): every page about one object."""
    sar_version = {"lock_version": o.sar.lock_version}
    pupil, leaver = cast.pupil.public_id, o.leaver.public_id
    return [
        ("roster-mapping", reverse("exchange:roster-mapping", args=[o.roster.public_id]), "GP", IMPORTERS, {}),
        ("roster-preview", reverse("exchange:roster-preview", args=[o.roster.public_id]), "G", IMPORTERS, {}),
        ("roster-commit", reverse("exchange:roster-commit", args=[o.roster.public_id]), "P", IMPORTERS, {}),
        ("import-detail", reverse("exchange:import-detail", args=[o.ctf.public_id]), "G", IMPORTERS, {}),
        ("import-abandon", reverse("exchange:import-abandon", args=[o.ctf.public_id]), "P", IMPORTERS, {}),
        ("ctf-preview", reverse("exchange:ctf-preview", args=[o.ctf.public_id]), "G", IMPORTERS, {}),
        ("ctf-commit", reverse("exchange:ctf-commit", args=[o.ctf.public_id]), "P", IMPORTERS, {}),
        (
            "transfer-preview",
            reverse("exchange:transfer-preview", args=[o.transfer.public_id]),
            "GP",
            IMPORTERS,
            {"passphrase": PASSPHRASE},
        ),
        (
            "transfer-abandon",
            reverse("exchange:transfer-preview", args=[o.transfer.public_id]),
            "P",
            IMPORTERS,
            {"abandon": "1"},
        ),
        ("received-detail", reverse("exchange:received-detail", args=[o.received.public_id]), "G", VIEWERS, {}),
        ("received-list", reverse("exchange:received-list", args=[pupil]), "G", VIEWERS, {}),
        (
            "transfer-export",
            reverse("exchange:transfer-export", args=[pupil]),
            "GP",
            EXPORTERS,
            {"passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE, "separately": "on"},
        ),
        ("chronology", reverse("exchange:chronology", args=[pupil]), "G", EXPORTERS, {}),
        ("chronology-pdf", reverse("exchange:chronology-pdf", args=[pupil]), "G", EXPORTERS, {}),
        (
            "sar-create",
            reverse("exchange:sar-create", args=[pupil]),
            "GP",
            ADMINS,
            {"requester_kind": "pupil", "identity_check": "pupil_in_person", "received_on_day": "1"},
        ),
        ("sar-detail", reverse("exchange:sar-detail", args=[o.sar.public_id]), "G", ADMINS, {}),
        (
            "sar-redact",
            reverse("exchange:sar-redact", args=[o.sar.public_id]),
            "P",
            ADMINS,
            {
                f"withhold-pupils-pupil-{cast.pupil.pk}-model": "pupils.Pupil",
                f"withhold-pupils-pupil-{cast.pupil.pk}-object_pk": str(cast.pupil.pk),
                f"withhold-pupils-pupil-{cast.pupil.pk}-part": "upn",
                f"withhold-pupils-pupil-{cast.pupil.pk}-reason": "A reason",
            },
        ),
        (
            "sar-unredact",
            reverse("exchange:sar-unredact", args=[o.sar.public_id]),
            "P",
            ADMINS,
            {f"put-back-{o.redaction.pk}-redaction": str(o.redaction.pk)},
        ),
        (
            "sar-extend",
            reverse("exchange:sar-extend", args=[o.sar.public_id]),
            "GP",
            ADMINS,
            {**sar_version, "extension_reason": "Big"},
        ),
        (
            "sar-close",
            reverse("exchange:sar-close", args=[o.sar.public_id]),
            "GP",
            ADMINS,
            {**sar_version, "status": "withdrawn", "closed_reason": "Withdrawn"},
        ),
        ("sar-release", reverse("exchange:sar-release", args=[o.sar.public_id]), "GP", ADMINS, sar_version),
        ("sar-download", reverse("exchange:sar-download", args=[o.sar.public_id]), "G", ADMINS, {}),
        ("pupil-archive", reverse("exchange:pupil-archive", args=[pupil]), "GP", IMPORTERS, {"lock_version": "0"}),
        ("pupil-restore", reverse("exchange:pupil-restore", args=[leaver]), "GP", IMPORTERS, {"lock_version": "0"}),
        ("hold-place", reverse("exchange:hold-place", args=[leaver]), "GP", ADMINS, {"reason": "A claim"}),
        ("hold-lift", reverse("exchange:hold-lift", args=[pupil]), "GP", ADMINS, {"confirm": "on"}),
    ]


def _trust_lead_in_school_b(cast, client_for):
    client = client_for(cast.trust_lead)
    session = client.session
    session[SESSION_SCHOOL_KEY] = str(cast.other_school.public_id)
    session.save()
    return client


@pytest.mark.django_db
def test_nobody_the_rules_leave_out_reaches_a_page_about_one_object(cast, client_for):
    o = _objects(cast)
    pages = _pages(cast, o)
    before = _state()
    wrong = []
    clients = {name: client_for(user) for name, user in cast.people.items()}
    clients["trust lead in School B"] = _trust_lead_in_school_b(cast, client_for)
    for page, url, methods, allowed, data in pages:
        for name, client in clients.items():
            if name in allowed:
                continue
            if "G" in methods and (got := client.get(url).status_code) != 404:
                wrong.append(f"{page} GET as {name}: {got}")
            if "P" in methods and (got := client.post(url, data).status_code) != 404:
                wrong.append(f"{page} POST as {name}: {got}")
    assert wrong == []
    assert _state() == before
    # The URLs are right: the SENCO reaches every page the GETs above were refused (the download
    # only once there is a release).
    senco = clients["senco"]
    missing = [
        page
        for page, url, methods, _allowed, _data in pages
        if "G" in methods and page != "sar-download" and senco.get(url).status_code == 404
    ]
    assert missing == []


# ----- a roster's cells on the column page -----


@pytest.mark.django_db
def test_a_rosters_cells_are_escaped_where_the_column_page_shows_them_as_examples(cast, client_for):
    senco = client_for(cast.senco)
    cell = '<img src=x onerror="alert(1)"><b>Smith</b>'
    data = csv_bytes([["A", cell, "Zeph", "14/03/2013", "8", "F"]])
    upload = senco.post(reverse("exchange:roster-upload"), {"upload": SimpleUploadedFile("pupils.csv", data)})
    assert upload.status_code == 302
    page = senco.get(upload["Location"]).content.decode()
    assert "<img src=x" not in page and "<b>Smith</b>" not in page
    assert "&lt;b&gt;Smith&lt;/b&gt;" in page  # shown, as words


# ----- a workbook naming a far-off row -----


def _workbook_with_a_far_row(row_number):
    """A small workbook whose third row claims to be row ``row_number``: a few kilobytes on disk."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in (["UPN", "Surname", "Forename", "DOB"], ["A", "B", "C", "D"], ["E", "F", "G", "H"]):
        sheet.append(row)
    plain = io.BytesIO()
    workbook.save(plain)
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                far = str(row_number).encode()
                data = re.sub(rb'r="3"', b'r="' + far + b'"', data)
                data = re.sub(rb'r="([A-D])3"', rb'r="\g<1>' + far + b'"', data)
            archive.writestr(info, data)
    return out.getvalue()


def test_a_workbook_naming_a_far_off_row_is_refused_before_its_empty_rows_are_read(monkeypatch):
    # Before the fix this read a thousand million made-up empty rows, one by one.
    read = []
    real_clean = reading._clean

    def counting_clean(value):
        read.append(1)
        return real_clean(value)

    monkeypatch.setattr(reading, "_clean", counting_clean)
    with pytest.raises(FileRejected) as caught:
        read_table(_workbook_with_a_far_row(1_000_000_000))
    assert "counting blank ones" in caught.value.messages[0]
    assert len(read) < (MAX_FILE_ROWS + 2) * 110  # at most the rows allowed, each at most 101 cells (+ headers)


def test_a_workbook_with_a_few_blank_rows_still_reads():
    table = read_table(_workbook_with_a_far_row(40))
    assert [number for number, _cells in table.rows] == [2, 40]


# ----- subject access: what is withheld leaves no trace -----


@needs_poppler
@pytest.mark.django_db
def test_a_withheld_parents_name_is_not_left_as_the_heading_of_their_item(cast):
    # Before the fix the item read "Cleo Coparent (step-parent)" above "[withheld: ...]".
    rich_record(cast)
    request = log_request(cast)
    redact(cast, request, cast.co_parent_link, reason="Another person's information")
    released = _release(cast, request)
    _data, archive = open_zip(released)
    sections = json.loads(archive.read("data.json"))["sections"]
    links = next(section for section in sections if section["title"] == "Parent links")
    assert {"title": "Parent link 1", "withheld": "Another person's information"} in links["items"]
    assert "Paula Parent (mother)" in [item["title"] for item in links["items"]]  # the requester's own
    assert b"Cleo" not in archive.read(links["file"])
    pdf = pdf_text(archive.read("everything-held.pdf"))
    part = pdf[pdf.index("4. Parent links") : pdf.index("5. Enrolments")]
    assert "Cleo" not in part and "Parent link 1 [withheld: Another person's information]" in part


@pytest.mark.django_db
def test_a_withheld_date_is_not_left_in_the_heading_it_names(cast):
    record = rich_record(cast)
    request = log_request(cast)
    redact(cast, request, record.note, field="happened_on", reason="Another person's information")
    released = _release(cast, request)
    _data, archive = open_zip(released)
    sections = json.loads(archive.read("data.json"))["sections"]
    notes = next(section for section in sections if section["title"] == "Notes")
    withheld = [item for item in notes["items"] if item.get("fields", {}).get("Note") == record.note.text]
    assert [item["title"] for item in withheld] == ["Note 1"]


@pytest.mark.django_db
def test_a_documents_withheld_name_is_not_its_file_name_in_the_zip(cast):
    record = rich_record(cast)
    request = log_request(cast)
    redact(cast, request, record.document, field="original_name", reason="Names another child")
    released = _release(cast, request)
    _data, archive = open_zip(released)
    names = [name for name in archive.namelist() if name.startswith("documents/")]
    assert names == ["documents/01-document.pdf"]
    assert not any("Speech and language report" in name for name in archive.namelist())


@pytest.mark.django_db
def test_a_documents_original_name_is_kept_when_nothing_about_it_is_withheld(cast):
    rich_record(cast)
    released = _release(cast, log_request(cast))
    _data, archive = open_zip(released)
    names = [name for name in archive.namelist() if name.startswith("documents/")]
    assert len(names) == 1 and names[0].startswith("documents/01-Speech") and names[0].endswith(".pdf")


def _release(cast, request, by=None):
    with scopes_disabled():
        request.refresh_from_db()
    with scope(school=[cast.school.pk]):
        return sar_release(actor=actor_for(by or cast.senco), request=request, expected_version=request.lock_version)


# ----- subject access: restricted words are released only by someone who has read them -----


@pytest.mark.django_db
def test_the_head_cannot_release_restricted_words_nobody_who_releases_can_read(cast, client_for):
    record = rich_record(cast)
    request = log_request(cast, by=cast.head)
    with pytest.raises(ValidationError) as caught:
        _release(cast, request, by=cast.head)
    assert caught.value.code == "restricted_unread"
    with scopes_disabled():
        request.refresh_from_db()
    assert request.status == SubjectAccessRequest.Status.GATHERING and not request.release_file
    # The page says so before the head presses the button, and shows the refusal after.
    page = client_for(cast.head).get(reverse("exchange:sar-release", args=[request.public_id]))
    assert "only the SENCO can read" in text_of(page)
    response = client_for(cast.head).post(
        reverse("exchange:sar-release", args=[request.public_id]), {"lock_version": request.lock_version}
    )
    assert "Ask the SENCO to decide about it" in text_of(response)
    # Once the SENCO has withheld the restricted items (the restricted link's reason is withheld by
    # default when a parent asks), the head may release.
    with scope(school=[cast.school.pk]):
        sections, _counts = release_preview(request)
    restricted = [item for section in sections for item in section.items if item.restricted]
    assert str(record.restricted_note.pk) in [item.pk for item in restricted]
    for item in restricted:
        redact(cast, request, item.obj, reason="Exempt: serious harm")
    released = _release(cast, request, by=cast.head)
    assert released.status == SubjectAccessRequest.Status.RELEASED


@pytest.mark.django_db
def test_the_senco_may_release_restricted_words_they_have_read(cast):
    rich_record(cast)
    released = _release(cast, log_request(cast))
    assert released.status == SubjectAccessRequest.Status.RELEASED


# ----- subject access: another parent's request and visits are withheld by default -----


@pytest.mark.django_db
def test_another_parents_request_and_visits_are_withheld_when_a_parent_asks(cast):
    rich_record(cast)
    with scope(school=[cast.school.pk]):
        audit_record(actor=actor_for(cast.co_parent), action="pupils.pupil.viewed", target=cast.pupil, pupil=cast.pupil)
    theirs = log_request(cast, link=cast.co_parent_link)
    ours = log_request(cast)
    with scopes_disabled():
        withheld = set(Redaction.objects.filter(request=ours).values_list("model", "object_pk", "field", "reason"))
        co_parent_views = list(
            AuditEvent.objects.filter(pupil_id=cast.pupil.public_id, actor=cast.co_parent).values_list("pk", flat=True)
        )
    assert ("exchange.SubjectAccessRequest", str(theirs.pk), "", ANOTHER_PERSON) in withheld
    assert ("exchange.SubjectAccessRequest", str(ours.pk), "", ANOTHER_PERSON) not in withheld
    assert co_parent_views and all(
        ("core.AuditEvent", str(pk), "actor", ANOTHER_PERSON) in withheld for pk in co_parent_views
    )
    released = _release(cast, ours)
    _data, archive = open_zip(released)
    sections = {section["title"]: section for section in json.loads(archive.read("data.json"))["sections"]}
    requests = sections["Subject access requests"]["items"]
    assert [item["withheld"] for item in requests if "withheld" in item] == [ANOTHER_PERSON]
    assert "Cleo" not in json.dumps(requests)
    visits = sections["Who viewed or changed the record"]
    assert "Cleo" not in json.dumps(visits) and b"Cleo" not in archive.read(visits["file"])
    assert "Tess Teacher" in json.dumps(visits)  # staff who looked at the record are named


def _withheld_by_default(request):
    with scopes_disabled():
        return set(Redaction.objects.filter(request=request).values_list("model", "object_pk", "field"))


@pytest.mark.django_db
def test_when_the_pupil_asks_every_parents_contact_details_are_withheld_by_default(cast):
    record = rich_record(cast)
    log_request(cast, link=cast.co_parent_link)
    pupils_request = log_request(
        cast,
        requester_kind=SubjectAccessRequest.Requester.PUPIL,
        parent_link=None,
        requester_name="Zephyrine Quartermaine",
        identity_check=SubjectAccessRequest.IdentityCheck.PUPIL_IN_PERSON,
    )
    withheld = _withheld_by_default(pupils_request)
    for link in (cast.parent_link, cast.co_parent_link):
        assert ("pupils.ParentLink", str(link.pk), "email") in withheld
    assert ("pupils.ParentLink", str(cast.co_parent_link.pk), "phone") in withheld
    assert ("pupils.ParentLink", str(cast.restricted_link.pk), "status_reason") in withheld
    assert {model for model, _pk, field in withheld if field == "email"} >= {
        "pupils.ParentInvitation",
        "core.Notification",
    }
    # Their parents' words are not someone else's to keep from the pupil; requests and visits neither.
    models = {model for model, _pk, _field in withheld}
    assert not models & {"plans.ParentContribution", "exchange.SubjectAccessRequest", "core.AuditEvent"}
    assert ("plans.AgreementResponse", str(record.co_response.pk), "") not in withheld


@pytest.mark.django_db
def test_when_someone_acts_for_another_every_parents_words_and_contacts_are_withheld_by_default(cast):
    record = rich_record(cast)
    solicitors_request = log_request(
        cast,
        requester_kind=SubjectAccessRequest.Requester.REPRESENTATIVE,
        parent_link=None,
        requester_name="A. Solicitor",
        acting_for="Piers Restricted, the father: signed letter of authority",
        identity_check=SubjectAccessRequest.IdentityCheck.AUTHORITY,
    )
    withheld = _withheld_by_default(solicitors_request)
    assert ("plans.AgreementResponse", str(record.co_response.pk), "") in withheld
    assert ("plans.AgreementResponse", str(record.own_response.pk), "") in withheld
    assert ("plans.ParentRequest", str(record.co_request.pk), "") in withheld
    assert ("pupils.ParentLink", str(cast.co_parent_link.pk), "email") in withheld
    released = _release(cast, solicitors_request)
    _data, archive = open_zip(released)
    assert b"Happy with it" not in b"".join(
        archive.read(name) for name in archive.namelist() if name != "everything-held.pdf"
    )


# ----- retention: an empty --school is not every school -----


@pytest.mark.django_db
def test_retention_with_an_empty_school_is_refused_not_run_over_every_school(cast):
    with scopes_disabled():
        gone = f.PupilFactory(
            school=cast.other_school,
            date_of_birth=timezone.localdate().replace(year=timezone.localdate().year - 40),
            date_left=timezone.localdate().replace(year=timezone.localdate().year - 20),
            archived_at=timezone.now(),
        )
    before = _state()
    for blank in ("", "  "):
        with pytest.raises(CommandError, match="without a URN"):
            call_command("retention", "--apply", "--school", blank, stdout=io.StringIO())
    assert _state() == before
    with scopes_disabled():
        assert Pupil.objects.filter(pk=gone.pk).exists()
        assert not DeletionRecord.objects.exists()
    # Left out altogether, it does run over every school (and deletes the leaver past retention).
    call_command("retention", "--apply", stdout=io.StringIO())
    with scopes_disabled():
        assert not Pupil.objects.filter(pk=gone.pk).exists()


# ----- a queued import runs as the person who pressed "Import" -----


@pytest.mark.django_db
def test_a_large_import_queued_by_a_deputy_runs_and_is_audited_as_the_deputy(
    cast, client_for, settings, django_capture_on_commit_callbacks
):
    settings.WAYMARK_IMPORT_BACKGROUND_ROWS = 2
    deputy = f.MembershipFactory(school=cast.school, roles=["deputy_senco"]).user
    batch, _preview = journey(client_for(cast.senco), csv_bytes(generated_rows(5)))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(deputy).post(reverse("exchange:roster-commit", args=[batch.public_id]))
    assert response.status_code == 302
    with scopes_disabled():
        batch.refresh_from_db()
        committed = AuditEvent.objects.get(action="exchange.import.committed", target_id=str(batch.public_id))
        created = set(AuditEvent.objects.filter(action="pupils.pupil.created").values_list("actor_id", flat=True))
    assert batch.status == Status.COMMITTED
    assert committed.actor_id == deputy.pk
    assert created == {deputy.pk}


# ----- a transfer abandoned from the imports page keeps no more than counts -----


@pytest.mark.django_db
def test_a_transfer_abandoned_from_the_imports_page_keeps_only_its_counts(cast, client_for):
    with scopes_disabled():
        batch = ImportBatch.objects.create(
            school=cast.school,
            kind=ImportKind.TRANSFER,
            original_name="ada.waymark",
            sha256="0" * 64,
            size=1,
            summary={
                "pupil": {"name": "Ada Lovelace", "date_of_birth": "2015-03-14", "upn": "A123"},
                "counts": {"reviews": 2},
            },
            created_by=cast.senco,
        )
    response = client_for(cast.senco).post(reverse("exchange:import-abandon", args=[batch.public_id]))
    assert response.status_code == 302
    with scopes_disabled():
        batch.refresh_from_db()
    assert batch.status == Status.ABANDONED
    assert batch.summary == {"counts": {"reviews": 2}}


def test_any_abandoned_import_keeps_only_its_counts_and_no_problems(cast, client_for):
    with scopes_disabled():
        batch = ImportBatch.objects.create(
            school=cast.school,
            kind=ImportKind.ROSTER,
            original_name="roster.csv",
            sha256="0" * 64,
            size=1,
            summary={"headers": ["UPN", "Surname"], "samples": {"Surname": ["Lovelace"]}, "create": 3},
            problems=[{"row": 2, "column": "Surname", "message": "Lovelace is too long"}],
            created_by=cast.senco,
        )
    response = client_for(cast.senco).post(reverse("exchange:import-abandon", args=[batch.public_id]))
    assert response.status_code == 302
    with scopes_disabled():
        batch.refresh_from_db()
    assert batch.status == Status.ABANDONED
    assert batch.summary == {"create": 3}
    assert batch.problems == []
