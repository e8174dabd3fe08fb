"""The release: a ZIP of a readable PDF, the stored documents, data.json, a CSV per section, a README."""

import csv
import hashlib
import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled

from waymark.core.models import AuditEvent
from waymark.core.personal_data import PERSONAL_DATA
from waymark.exchange.models import SubjectAccessRequest
from waymark.exchange.subject_access.release import PDF_NAME, sar_release
from waymark.tests.pdf import needs_poppler, pdf_objects, pdf_text

from .test_subject_access_redaction import redact
from .test_subject_access_setup import (
    DOCUMENT_BODY,
    FORMULA_NOTE,
    NOTE_TEXT,
    OTHER_ONLY_SESSION_NOTE,
    OTHER_PUPIL_NOTE,
    SHARED_SESSION_NOTE,
    actor_for,
    log_request,
    rich_record,
)

CO_PARENT_WORDS = ("Pangolin worry only Cleo has shared", "Heron hopes the school shared with the family")


def release(cast, request, *, by=None):
    with scope(school=[cast.school.pk]):
        return sar_release(actor=actor_for(by or cast.senco), request=request, expected_version=request.lock_version)


def open_zip(request):
    with scopes_disabled(), request.release_file.open("rb") as handle:
        data = handle.read()
    return data, zipfile.ZipFile(io.BytesIO(data))


@pytest.fixture
def released(cast):
    """Paula Parent's request, with one field and one whole item withheld by staff, released."""
    record = rich_record(cast)
    request = log_request(cast)
    redact(cast, request, record.note, field="written_by", reason="A member of staff's safety")
    redact(cast, request, record.review, model="plans.Review", reason="Legal advice about the review")
    record.request = release(cast, request)
    record.data, record.zip = open_zip(record.request)
    return record


@pytest.mark.django_db
def test_the_zip_holds_the_pdf_the_documents_the_data_and_a_readme(released):
    names = released.zip.namelist()
    assert names[:2] == ["README.txt", PDF_NAME]
    assert "data.json" in names
    csvs = [name for name in names if name.startswith("data/") and name.endswith(".csv")]
    assert len(csvs) == len(PERSONAL_DATA)  # one per register entry, even the empty ones
    documents = [name for name in names if name.startswith("documents/")]
    assert documents == ["documents/01-Speech-and-language-report.pdf"]
    assert released.zip.read(documents[0]) == DOCUMENT_BODY
    assert all(not name.startswith("/") and ".." not in name for name in names)
    readme = released.zip.read("README.txt").decode()
    assert "Everything Ashdown Academy holds about Zephyrine Quartermaine" in readme
    assert "[withheld: reason]" in readme and "ico.org.uk" in readme


@pytest.mark.django_db
def test_the_request_is_released_stored_with_its_hash_and_audited_with_counts_only(released, cast):
    request = released.request
    assert request.status == SubjectAccessRequest.Status.RELEASED
    assert request.released_by_id == cast.senco.pk and request.released_at
    assert request.release_sha256 == hashlib.sha256(released.data).hexdigest()
    assert request.release_file.name.startswith("releases/") and "Zephyrine" not in request.release_file.name
    with scopes_disabled():
        event = AuditEvent.objects.get(action="exchange.sar.released")
    assert event.pupil_id == cast.pupil.public_id
    assert set(event.data) == {
        "sections",
        "items",
        "withheld_items",
        "withheld_fields",
        "flagged_items",
        "restricted_items",
        "restricted_released",
        "documents",
        "documents_missing",
    }
    assert all(isinstance(value, int) for value in event.data.values())
    assert event.data["documents"] == 1 and event.data["sections"] == len(PERSONAL_DATA)
    assert event.data["restricted_released"] >= 1  # the restricted note, which the SENCO did not withhold


@needs_poppler
@pytest.mark.django_db
def test_the_pdf_is_readable_tagged_and_shows_what_is_withheld(released):
    data = released.zip.read(PDF_NAME)
    text = pdf_text(data)
    assert "Everything held about Zephyrine Quartermaine" in text
    assert NOTE_TEXT in text
    assert "[withheld: A member of staff's safety]" in text  # one field of the note
    assert "[withheld: Legal advice about the review]" in text  # the whole review
    assert "Short daily reading sessions worked well" not in text  # the review's own words
    assert "[withheld: another person's information]" in text
    for words in CO_PARENT_WORDS:
        assert words not in text
    assert "The bus ride to school is hard for her" in text  # the requester's own words
    assert "Who viewed or changed the record" in text and "viewed the pupil's record" in text
    objects = pdf_objects(data)
    assert b"/StructTreeRoot" in objects and b"/MarkInfo" in objects
    assert b"/Lang" in objects


@needs_poppler
@pytest.mark.django_db
def test_another_pupil_is_nowhere_in_the_release(released):
    everything = [pdf_text(released.zip.read(PDF_NAME))]
    everything += [
        released.zip.read(name).decode("utf-8-sig") for name in released.zip.namelist() if not name.endswith(".pdf")
    ]
    joined = "\n".join(everything)
    for words in ("Blackthorn", "Oswin", OTHER_ONLY_SESSION_NOTE, OTHER_PUPIL_NOTE, SHARED_SESSION_NOTE):
        assert words not in joined


@pytest.mark.django_db
def test_data_json_holds_every_section_with_withheld_parts_marked(released):
    data = json.loads(released.zip.read("data.json"))
    assert data["about"]["pupil"] == "Zephyrine Quartermaine"
    assert [section["what"] for section in data["sections"]] == [entry.what for entry in PERSONAL_DATA]
    notes = next(section for section in data["sections"] if section["what"].startswith("Notes on the pupil's timeline"))
    note = next(item for item in notes["items"] if item.get("fields", {}).get("Note") == NOTE_TEXT)
    assert note["fields"]["Written by"] == "[withheld: A member of staff's safety]"
    reviews = next(section for section in data["sections"] if section["what"].startswith("Reviews:"))
    assert reviews["items"] == [{"title": reviews["items"][0]["title"], "withheld": "Legal advice about the review"}]
    assert json.dumps(data).count("Pangolin") == 0


@pytest.mark.django_db
def test_every_csv_is_formula_safe_and_shows_what_is_withheld(released):
    notes_csv = next(name for name in released.zip.namelist() if name.endswith("-notes.csv"))
    rows = list(csv.reader(io.StringIO(released.zip.read(notes_csv).decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[0] == "Item" and "Note" in header
    cells = [cell for row in body for cell in row]
    assert "'" + FORMULA_NOTE in cells and FORMULA_NOTE not in cells
    assert "[withheld: A member of staff's safety]" in cells
    for name in released.zip.namelist():
        if name.endswith(".csv"):
            for row in csv.reader(io.StringIO(released.zip.read(name).decode("utf-8-sig"))):
                assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), (name, row)


@pytest.mark.django_db
def test_a_withheld_document_is_left_out_of_the_zip(cast):
    record = rich_record(cast)
    request = log_request(cast)
    redact(cast, request, record.document, reason="Third-party report")
    request = release(cast, request)
    _data, archive = open_zip(request)
    assert not [name for name in archive.namelist() if name.startswith("documents/")]
    assert DOCUMENT_BODY not in b"".join(archive.read(name) for name in archive.namelist())


@pytest.mark.django_db
def test_a_stale_or_second_release_is_refused(cast):
    rich_record(cast)
    request = log_request(cast)
    with scope(school=[cast.school.pk]), pytest.raises(ValidationError) as caught:
        sar_release(actor=actor_for(cast.senco), request=request, expected_version=request.lock_version + 1)
    assert caught.value.code == "stale"
    released = release(cast, request)
    with scope(school=[cast.school.pk]), pytest.raises(ValidationError) as caught:
        sar_release(actor=actor_for(cast.head), request=released, expected_version=released.lock_version)
    assert caught.value.code == "closed"
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="exchange.sar.released").count() == 1
