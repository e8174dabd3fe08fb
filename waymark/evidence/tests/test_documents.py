"""Documents: adding one (the SENCO, or a specialist through a share), who may download it, what a refusal leaves.

Files are built in memory (``filemakers``). A refused file must leave nothing in the
private storage or the document table, but its refusal is in the audit trail. Every
download is audited, and the download list follows the rules in ``evidence.selectors``.
"""

import datetime
import io
import os
import uuid

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from PIL import Image

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent, Visibility
from waymark.evidence import documents as services
from waymark.evidence.models import Document, Share
from waymark.evidence.selectors import documents_visible_to
from waymark.tests import factories as f
from waymark.tests.helpers import cast_mismatches, date_fields, error_summary

from .filemakers import EXECUTABLE, GPS_IFD, docx, jpeg_with_gps, pdf, upload

TODAY = datetime.date.today()
STAFF_READERS = {"senco", "dsl", "head", "trust_lead", "head_of_year", "teacher", "ta"}
FAMILY = {"parent", "co_parent"}  # active links; parent2's link is restricted


@pytest.fixture(autouse=True)
def no_scanner(settings):
    settings.WAYMARK_VIRUS_SCANNER = "none"


def stored_files():
    root = django_settings.WAYMARK_PRIVATE_MEDIA_ROOT
    return sorted(os.path.join(folder, name) for folder, _dirs, names in os.walk(root) for name in names)


def add(cast, *, user=None, name="report.pdf", data=None, visibility=Visibility.STAFF, share=None, **fields):
    with scope(school=[cast.school.pk]):
        actor = Actor.for_user(user or cast.senco)
        return services.document_upload(
            actor=actor,
            pupil=cast.pupil,
            upload=upload(name, data if data is not None else pdf()),
            title=fields.pop("title", "Speech and language report"),
            kind=fields.pop("kind", Document.Kind.ASSESSMENT),
            written_on=fields.pop("written_on", TODAY - datetime.timedelta(days=3)),
            visibility=visibility,
            share=share,
            **fields,
        )


def refused_by(cast, **kwargs):
    with pytest.raises(ValidationError) as caught:
        add(cast, **kwargs)
    return caught.value


@pytest.fixture
def docs(cast):
    """A document at each visibility, and a report the specialist added through their share."""
    with scopes_disabled():
        Share.objects.filter(pk=cast.share.pk).update(can_see_documents=True, can_add_report=True)
        cast.share.refresh_from_db()
    return {
        "staff": add(cast, title="Staff document", visibility=Visibility.STAFF),
        "everyone": add(cast, title="Family document", visibility=Visibility.EVERYONE),
        "restricted": add(cast, title="Restricted document", visibility=Visibility.RESTRICTED),
        "report": add(cast, user=cast.specialist, title="EP report", share=cast.share, data=docx(), name="ep.docx"),
    }


# ----- adding -----


def test_the_senco_adds_a_document_kept_privately_under_a_random_name(cast):
    before = stored_files()
    document = add(cast, name="Dr Okonkwo's report.pdf", author="Dr Ada Okonkwo")
    new = sorted(set(stored_files()) - set(before))
    assert len(new) == 1
    path = new[0]
    assert path.startswith(os.path.realpath(django_settings.WAYMARK_PRIVATE_MEDIA_ROOT)) or path.startswith(
        django_settings.WAYMARK_PRIVATE_MEDIA_ROOT
    )
    assert "Okonkwo" not in path and path.endswith(".pdf")
    assert "static" not in path and str(django_settings.MEDIA_ROOT or "/nonexistent") not in path
    with open(path, "rb") as handle:
        assert handle.read() == pdf()
    assert document.original_name == "Dr Okonkwo's report.pdf"
    assert document.content_type == "application/pdf"
    assert document.size == len(pdf())
    assert document.scan == Document.Scan.NOT_SCANNED
    assert document.uploaded_by == cast.senco
    event = AuditEvent.objects.get(action="evidence.document.uploaded")
    assert event.target_id == str(document.public_id) and event.pupil_id == cast.pupil.public_id
    assert "Okonkwo" not in str(event.data)  # ids and codes, never content


def test_a_photo_is_kept_without_its_location(cast):
    document = add(cast, name="work.jpg", data=jpeg_with_gps(), kind=Document.Kind.WORK_SAMPLE)
    with document.file.open("rb") as handle:
        kept = Image.open(io.BytesIO(handle.read()))
    assert not kept.getexif() and not kept.getexif().get_ifd(GPS_IFD)
    assert document.content_type == "image/jpeg"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "report.pdf", "data": EXECUTABLE}, "The file is not a PDF, though its name ends in .pdf."),
        (
            {"data": pdf(b"<< /S /JavaScript /JS (app.alert(1)) >>")},
            "PDFs with scripts or attachments cannot be added.",
        ),
        (
            {"name": "report.docm", "data": docx()},
            "Files with macros cannot be added. Save it as a .docx or PDF and try again.",
        ),
        (
            {"name": "report.docx", "data": docx(extra={"word/vbaProject.bin": b"\x00" * 10})},
            "Files with macros cannot be added. Save it as a .docx or PDF and try again.",
        ),
        ({"name": "notes.txt", "data": b"hello"}, "Add a PDF, Word (.docx), JPEG or PNG file."),
    ],
)
def test_a_refused_file_leaves_nothing_but_the_audit_of_its_refusal(cast, kwargs, message):
    before = stored_files()
    error = refused_by(cast, **kwargs)
    assert error.message_dict == {"upload": [message]}
    assert stored_files() == before
    with scopes_disabled():
        assert not Document.objects.exists()
    event = AuditEvent.objects.get(action="evidence.document.refused")
    assert event.pupil_id == cast.pupil.public_id and event.data["reason"]
    assert not AuditEvent.objects.filter(action="evidence.document.uploaded").exists()


def test_an_oversized_file_is_refused(cast, settings):
    settings.WAYMARK_UPLOAD_MAX_BYTES = 2 * 1024
    error = refused_by(cast, data=pdf(b"<< /Padding (" + b"x" * 4000 + b") >>"))
    assert error.message_dict == {"upload": ["The file must be smaller than 2 KB."]}
    assert AuditEvent.objects.get(action="evidence.document.refused").data == {"reason": "too_large"}


def test_an_infected_file_is_refused_and_a_clean_one_recorded_as_checked(cast, settings):
    settings.WAYMARK_VIRUS_SCANNER = "waymark.evidence.tests.test_scanning.FakeScanner"
    from . import test_scanning

    test_scanning.FakeScanner.answer = test_scanning.INFECTED
    before = stored_files()
    error = refused_by(cast)
    assert error.message_dict == {"upload": ["This file contains a virus and has not been added."]}
    assert stored_files() == before
    test_scanning.FakeScanner.answer = test_scanning.CLEAN
    assert add(cast).scan == Document.Scan.CLEAN


def test_insisting_on_clamav_without_it_refuses_every_file(cast, settings, monkeypatch):
    from waymark.evidence import scanning

    settings.WAYMARK_VIRUS_SCANNER = "clamd"
    monkeypatch.setattr(scanning.shutil, "which", lambda name: None)
    error = refused_by(cast)
    assert error.message_dict == {"upload": ["The virus checker is not available. Try again later."]}
    assert AuditEvent.objects.get(action="evidence.document.refused").data == {"reason": "scanner_unavailable"}


@pytest.mark.parametrize("who", ["dsl", "head", "teacher", "ta", "parent", "specialist", "other_senco"])
def test_only_those_who_edit_the_pupils_record_add_documents(cast, who):
    with pytest.raises(PermissionDenied):
        add(cast, user=getattr(cast, who))
    assert not AuditEvent.objects.filter(action__startswith="evidence.document").exists()


def test_only_the_senco_and_dsl_may_restrict_a_document(cast):
    with scopes_disabled():
        deputy = f.MembershipFactory(school=cast.school, roles=["deputy_senco"]).user
    error = refused_by(cast, user=deputy, visibility=Visibility.RESTRICTED)
    assert error.message_dict == {"visibility": ["Only the SENCO and the DSL can restrict a document."]}
    assert add(cast, user=deputy).visibility == Visibility.STAFF


def test_a_document_dated_in_the_future_is_refused_before_the_file_is_read(cast):
    before = stored_files()
    error = refused_by(cast, written_on=TODAY + datetime.timedelta(days=1), data=EXECUTABLE)
    assert "written_on" in error.message_dict
    assert stored_files() == before
    assert not AuditEvent.objects.filter(action="evidence.document.refused").exists()


# ----- a specialist's report through their share -----


def test_a_specialist_adds_a_report_through_their_live_share(cast):
    with scopes_disabled():
        Share.objects.filter(pk=cast.share.pk).update(can_add_report=True)
        cast.share.refresh_from_db()
    report = add(
        cast,
        user=cast.specialist,
        share=cast.share,
        visibility=Visibility.EVERYONE,  # the SENCO decides that, not the specialist
        kind=Document.Kind.LETTER,
        recommendations="Give instructions in short chunks",
    )
    assert report.share == cast.share
    assert report.kind == Document.Kind.PROFESSIONAL_REPORT
    assert report.visibility == Visibility.STAFF
    assert report.author == "Sian Specialist, Educational psychology service"
    assert report.recommendations == "Give instructions in short chunks"
    event = AuditEvent.objects.get(action="evidence.document.uploaded")
    assert event.data["share"] == str(cast.share.public_id)


def test_a_specialist_may_not_add_a_report_without_a_live_share_that_allows_it(cast):
    # The cast's share does not allow reports.
    with pytest.raises(PermissionDenied):
        add(cast, user=cast.specialist, share=cast.share)
    with scopes_disabled():
        Share.objects.filter(pk=cast.expired_share.pk).update(can_add_report=True)
        cast.expired_share.refresh_from_db()
    with pytest.raises(PermissionDenied):
        add(cast, user=cast.expired_specialist, share=cast.expired_share)
    # Nor through someone else's share, or for another pupil.
    with scopes_disabled():
        Share.objects.filter(pk=cast.share.pk).update(can_add_report=True)
        cast.share.refresh_from_db()
    with pytest.raises(PermissionDenied):
        add(cast, user=cast.expired_specialist, share=cast.share)
    with scope(school=[cast.school.pk]), pytest.raises(PermissionDenied):
        services.document_upload(
            actor=Actor.for_user(cast.specialist),
            pupil=cast.other_pupil,
            upload=upload("r.pdf", pdf()),
            title="Report",
            kind=Document.Kind.PROFESSIONAL_REPORT,
            written_on=TODAY,
            share=cast.share,
        )
    with scopes_disabled():
        assert not Document.objects.exists()


# ----- who may download -----


DOWNLOADS = {
    "staff": STAFF_READERS,
    "everyone": STAFF_READERS | FAMILY | {"specialist"},
    "restricted": {"senco", "dsl"},
    "report": STAFF_READERS | {"specialist"},
}


@pytest.mark.parametrize("which", DOWNLOADS)
def test_who_may_download_each_document(cast, docs, client_for, which):
    url = reverse("evidence:document-download", args=[docs[which].public_id])
    allowed = DOWNLOADS[which]
    wrong = cast_mismatches(cast, client_for, url, allowed)
    assert not wrong, f"{which}:\n" + "\n".join(wrong)
    events = AuditEvent.objects.filter(action="evidence.document.downloaded", target_id=str(docs[which].public_id))
    assert events.count() == len(allowed)
    assert set(events.values_list("actor__email", flat=True)) == {getattr(cast, name).email for name in allowed}


def test_a_specialist_sees_no_documents_when_the_share_does_not_allow_it(cast, docs, client_for):
    with scopes_disabled():
        Share.objects.filter(pk=cast.share.pk).update(can_see_documents=False)
    client = client_for(cast.specialist)
    assert client.get(reverse("evidence:document-download", args=[docs["everyone"].public_id])).status_code == 404
    # Their own report stays theirs to read while the share is live.
    assert client.get(reverse("evidence:document-download", args=[docs["report"].public_id])).status_code == 200
    with scopes_disabled():
        Share.objects.filter(pk=cast.share.pk).update(expires_on=TODAY - datetime.timedelta(days=1))
    assert client.get(reverse("evidence:document-download", args=[docs["report"].public_id])).status_code == 404


def test_a_download_is_an_attachment_the_browser_may_not_render_or_keep(cast, docs, client_for):
    response = client_for(cast.teacher).get(reverse("evidence:document-download", args=[docs["staff"].public_id]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="report.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]


def test_every_download_is_audited(cast, docs, client_for):
    client = client_for(cast.parent)
    url = reverse("evidence:document-download", args=[docs["everyone"].public_id])
    for _ in range(3):
        assert client.get(url).status_code == 200
    events = AuditEvent.objects.filter(action="evidence.document.downloaded", actor=cast.parent)
    assert events.count() == 3
    assert {event.pupil_id for event in events} == {cast.pupil.public_id}


def test_downloads_answer_get_only_and_unknown_ids_are_missing(cast, docs, client_for):
    client = client_for(cast.senco)
    assert client.post(reverse("evidence:document-download", args=[docs["staff"].public_id])).status_code == 405
    assert client.get(reverse("evidence:document-download", args=[uuid.uuid4()])).status_code == 404
    assert client.get(reverse("evidence:document-download", args=[cast.pupil.public_id])).status_code == 404
    assert (
        client_for(None).get(reverse("evidence:document-download", args=[docs["staff"].public_id])).status_code == 302
    )


def test_the_visible_list_follows_the_same_rules(cast, docs):
    expected = {
        "senco": {"staff", "everyone", "restricted", "report"},
        "teacher": {"staff", "everyone", "report"},
        "parent": {"everyone"},
        "parent2": set(),
        "specialist": {"everyone", "report"},
        "expired_specialist": set(),
        "other_senco": set(),
        "governor": set(),
    }
    names = {doc.pk: key for key, doc in docs.items()}
    for who, keys in expected.items():
        actor = Actor.for_user(getattr(cast, who))
        with scope(school=actor.scope_school_ids):
            seen = {names[pk] for pk in documents_visible_to(actor, cast.pupil).values_list("pk", flat=True)}
        assert seen == keys, who


# ----- the pages -----


def upload_data(**changes):
    data = {
        "upload": upload("report.pdf", pdf()),
        "title": "Educational psychology report",
        "kind": Document.Kind.PROFESSIONAL_REPORT,
        **date_fields("written_on", TODAY),
        "author": "Dr Ada Okonkwo",
        "visibility": Visibility.STAFF,
    }
    data.update(changes)
    return data


def test_who_may_open_the_upload_and_edit_pages(cast, docs, client_for):
    pages = {
        reverse("evidence:document-upload", args=[cast.pupil.public_id]): {"senco"},
        reverse("evidence:document-edit", args=[docs["staff"].public_id]): {"senco"},
        reverse("evidence:document-edit", args=[docs["restricted"].public_id]): {"senco"},
        reverse("evidence:document-upload", args=[cast.other_school_pupil.public_id]): {"other_senco"},
    }
    wrong = []
    for url, allowed in pages.items():
        for name, user in cast.people.items():
            expected = 200 if name in allowed else 404
            got = client_for(user).get(url).status_code
            if got != expected:
                wrong.append(f"{url} {name}: expected {expected}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_the_senco_uploads_through_the_page(cast, client_for):
    url = reverse("evidence:document-upload", args=[cast.pupil.public_id])
    response = client_for(cast.senco).post(url, upload_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("evidence:timeline", args=[cast.pupil.public_id])
    with scopes_disabled():
        document = Document.objects.get()
    assert document.title == "Educational psychology report" and document.author == "Dr Ada Okonkwo"


def test_a_refused_upload_shows_the_reason_in_the_error_summary(cast, client_for):
    url = reverse("evidence:document-upload", args=[cast.pupil.public_id])
    before = stored_files()
    response = client_for(cast.senco).post(url, upload_data(upload=upload("report.pdf", EXECUTABLE)))
    assert response.status_code == 200
    assert error_summary(response) == "The file is not a PDF, though its name ends in .pdf."
    assert 'href="#id_upload"' in response.content.decode()
    assert stored_files() == before
    assert AuditEvent.objects.filter(action="evidence.document.refused").count() == 1


def test_missing_answers_are_listed(cast, client_for):
    url = reverse("evidence:document-upload", args=[cast.pupil.public_id])
    response = client_for(cast.senco).post(
        url, {"title": "", **date_fields("written_on", None), "visibility": Visibility.STAFF}
    )
    summary = error_summary(response)
    for words in ("Select a file", "Enter a title", "Choose what kind of document it is", "Enter the date"):
        assert words in summary


def test_the_upload_page_says_plainly_when_files_are_not_checked_for_viruses(cast, client_for, settings):
    url = reverse("evidence:document-upload", args=[cast.pupil.public_id])
    words = "No virus scanner is set up on this server: files are not checked for viruses."
    page = client_for(cast.senco).get(url).content.decode()
    assert words in page
    assert 'enctype="multipart/form-data"' in page
    assert "smaller than 10 MB" in page
    settings.WAYMARK_VIRUS_SCANNER = "waymark.evidence.tests.test_scanning.FakeScanner"
    assert words not in client_for(cast.senco).get(url).content.decode()


def test_the_senco_changes_who_can_see_a_document(cast, docs, client_for):
    document = docs["staff"]
    url = reverse("evidence:document-edit", args=[document.public_id])
    response = client_for(cast.senco).post(
        url, {"visibility": Visibility.EVERYONE, "lock_version": str(document.lock_version)}
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.visibility == Visibility.EVERYONE
    event = AuditEvent.objects.get(action="evidence.document.updated")
    assert event.data == {"visibility": "everyone", "was": "staff"}
    # The parent may now download it.
    assert (
        client_for(cast.parent).get(reverse("evidence:document-download", args=[document.public_id])).status_code == 200
    )


def test_a_stale_visibility_change_is_refused(cast, docs, client_for):
    document = docs["staff"]
    url = reverse("evidence:document-edit", args=[document.public_id])
    stale = str(document.lock_version)
    client = client_for(cast.senco)
    assert client.post(url, {"visibility": Visibility.EVERYONE, "lock_version": stale}).status_code == 302
    response = client.post(url, {"visibility": Visibility.RESTRICTED, "lock_version": stale})
    assert response.status_code == 200
    assert "Someone else saved changes" in error_summary(response)
    document.refresh_from_db()
    assert document.visibility == Visibility.EVERYONE
    # The page now shows their choice with their version, so saving again from it goes through.
    form = response.context["form"]
    assert form["visibility"].value() == Visibility.EVERYONE
    assert form["lock_version"].value() == str(document.lock_version)
    again = client.post(url, {"visibility": Visibility.RESTRICTED, "lock_version": form["lock_version"].value()})
    assert again.status_code == 302
    document.refresh_from_db()
    assert document.visibility == Visibility.RESTRICTED
