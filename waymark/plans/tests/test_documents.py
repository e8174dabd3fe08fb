"""The PDF and Word files: the same words as the page, tagged, titled, and frozen with the version."""

import io
import re

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from waymark.core.models import AuditEvent
from waymark.plans import documents
from waymark.plans.models import BankEntry, PlanTemplate
from waymark.plans.sections import sections_for
from waymark.plans.tests.test_versions import (
    RESTRICTED_WORDS,
    STAFF_ONLY_WORDS,
    publish,
    senco_actor,
    text_of,
    write_draft,
)
from waymark.tests.pdf import needs_poppler, pdf_objects, pdf_text, run

# Words of the plan written by write_draft, one from each section and each kind of item.
PLAN_WORDS = (
    "Kind to younger pupils and loves drawing dragons",
    "My cat Pepper and my drawing club",
    "Excellent memory for facts about space",
    "Finds busy corridors overwhelming",
    "Reads a short passage aloud with confidence, goal 1",
    "Reads 70 words a minute",
    "Timed reading probe each half-term",
    "Precision teaching, block 1",
    "3 times a week, 20 minutes",
    "Tariq Assistant (Teaching assistant)",
    "School SEN budget",
    "Seat her near the door",
    "Dr Ada Okonkwo, Educational Psychology Service",
    "Give instructions in short chunks",
    "Read with her for ten minutes at home",
    "A meeting with the family each term",
    STAFF_ONLY_WORDS,
)


@pytest.fixture
def version(cast):
    with scope(school=[cast.school.pk]):
        return publish(cast, write_draft(cast))


def docx_text(data):
    """Every paragraph of the body, the tables and the header, one per line."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    lines += [p.text for p in doc.sections[0].header.paragraphs]
    return "\n".join(lines)


def section_labels(version):
    with scopes_disabled():
        template = PlanTemplate.objects.get(pk=version.template_id)
    return [section["label"] for section in sections_for(template.sections, version.tier)]


def download(client, version, kind):
    response = client.get(reverse(f"plans:version-{kind}", args=[version.public_id]))
    assert response.status_code == 200
    return response


# ----- PDF -----


@needs_poppler
def test_the_pdf_holds_every_section_and_its_content(cast, version, client_for):
    text = pdf_text(download(client_for(cast.senco), version, "pdf").content)
    labels = section_labels(version)
    assert len(labels) == 9  # the ISP template for a pupil on the targeted tier: no EHC plan facts
    for words in (*labels, *PLAN_WORDS, RESTRICTED_WORDS, "Confidential", "Support plan for Zephyrine Quartermaine"):
        assert words in text, words
    assert text.index("Seat her near the door") < text.index("Use a visual timetable")  # key first


@needs_poppler
def test_the_pdf_is_tagged_titled_in_english_with_its_fonts_embedded(cast, version, client_for):
    data = download(client_for(cast.senco), version, "pdf").content
    info = run("pdfinfo", "-", data=data)
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(r"^Title:\s+Support plan for Zephyrine Quartermaine, version 1$", info, re.M)
    structure = run("pdfinfo", "-struct", "-", data=data)
    for tag in ("Document", "H1", "H2", "H3", "Table", "TH", "TD", "L", "LI"):
        assert re.search(rf"^\s*{tag}\b", structure, re.M), tag
    objects = pdf_objects(data)
    assert b"/StructTreeRoot" in objects
    assert b"/Lang (en-GB)" in objects
    assert b"pdfuaid:part" in objects  # declares PDF/UA-1 in its XMP metadata
    assert b"/DisplayDocTitle true" in objects
    fonts = run("pdffonts", "-", data=data).splitlines()[2:]
    assert fonts and all(" yes " in line for line in fonts), fonts
    assert all("Liberation" in line for line in fonts), fonts


@needs_poppler
def test_a_teachers_pdf_leaves_out_restricted_parts(cast, version, client_for):
    text = pdf_text(download(client_for(cast.teacher), version, "pdf").content)
    assert STAFF_ONLY_WORDS in text
    assert RESTRICTED_WORDS not in text


@needs_poppler
def test_a_draft_pdf_says_it_is_a_draft(cast, client_for):
    with scope(school=[cast.school.pk]):
        draft = write_draft(cast)
    text = pdf_text(download(client_for(cast.senco), draft, "pdf").content)
    assert "This is a draft" in text and "Version 1: draft, not yet agreed" in text


def test_the_pdf_builder_fetches_nothing_but_its_own_stylesheet():
    fetcher = documents.static_only_fetcher_class()()
    css = fetcher.fetch(documents.PDF_BASE_URL + "static/plans/print.css")
    assert b"@page" in css.read()
    for url in (
        "https://example.com/static/plans/print.css",
        "file:///etc/passwd",
        documents.PDF_BASE_URL + "static/../../etc/passwd",
        documents.PDF_BASE_URL + "media/anything.png",
        "http://169.254.169.254/latest/meta-data/",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


# ----- Word -----


def test_the_word_file_holds_the_same_words_with_headings_and_a_provision_table(cast, version, client_for):
    from docx import Document

    data = download(client_for(cast.senco), version, "docx").content
    doc = Document(io.BytesIO(data))
    assert doc.core_properties.title == "Support plan for Zephyrine Quartermaine, version 1"
    assert doc.core_properties.language == "en-GB"
    assert b'w:val="en-GB"' in doc.styles.element.xml.encode()
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    for label in section_labels(version):
        assert label in headings, label
    provision = next(t for t in doc.tables if t.rows[0].cells[0].text == "What")
    assert [c.text for c in provision.rows[1].cells] == [
        "Precision teaching, block 1",
        "Tariq Assistant (Teaching assistant)",
        "3 times a week, 20 minutes",
        "1 to 1",
        provision.rows[1].cells[4].text,
        "School SEN budget",
    ]
    text = docx_text(data)
    for words in (*PLAN_WORDS, RESTRICTED_WORDS, "Confidential – Ashdown Academy", "Key: Seat her near the door"):
        assert words in text, words


def test_a_teachers_word_file_leaves_out_restricted_parts(cast, version, client_for):
    text = docx_text(download(client_for(cast.ta), version, "docx").content)
    assert STAFF_ONLY_WORDS in text and RESTRICTED_WORDS not in text


# ----- downloads -----


@pytest.mark.parametrize(
    ("kind", "content_type"),
    [("pdf", "application/pdf"), ("docx", documents.DOCX_TYPE)],
)
def test_downloads_are_named_attachments_and_audited(cast, version, client_for, kind, content_type):
    response = download(client_for(cast.teacher), version, kind)
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="support-plan-quartermaine-v1.{kind}"'
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="plans.version.downloaded")
    assert event.data == {"format": kind}
    assert event.actor_id == cast.teacher.pk and event.target_id == str(version.public_id)


# ----- frozen words -----


@needs_poppler
def test_template_bank_and_name_edits_never_change_a_published_version(cast, client_for):
    bank = BankEntry.objects.create(
        kind=BankEntry.Kind.ADJUSTMENT, text="Offer a movement break every twenty minutes", rationale="Regulation"
    )
    from waymark.plans import services

    with scope(school=[cast.school.pk]):
        draft = write_draft(cast)
        services.item_add(
            actor=senco_actor(cast),
            version=draft,
            section_key="adjustments",
            fields={"text": bank.text},
            bank_entry=bank,
            bank_text=bank.text,
        )
        version = publish(cast, draft)
    old_labels = section_labels(version)
    template = PlanTemplate.objects.get(pk=version.template_id)
    template.sections = [{**section, "label": f"Relabelled {section['key']}"} for section in template.sections]
    template.save()
    bank.text = "Entirely rewritten bank wording"
    bank.save()
    with scopes_disabled():
        for user, name in ((cast.senco, "Samira Renamed"), (cast.ta, "Tomasz Renamed")):
            user.full_name = name
            user.save()

    client = client_for(cast.senco)
    old_words = (*old_labels, "Offer a movement break every twenty minutes", "Sam Senco", "Tariq Assistant")
    new_words = ("Relabelled", "Entirely rewritten bank wording", "Samira Renamed", "Tomasz Renamed")
    pdf = pdf_text(download(client, version, "pdf").content)
    docx = docx_text(download(client, version, "docx").content)
    page = text_of(client.get(reverse("plans:version-detail", args=[version.public_id])))
    for words in old_words:
        assert words in pdf, words
        assert words in docx, words
        assert words in page, words
    for words in new_words:
        assert words not in pdf, words
        assert words not in docx, words
    # The page's content is frozen too; only its "published by" stamp names the account as it is now.
    content = page[page.index("About this plan") :]
    for words in new_words:
        assert words not in content, words


# ----- words -----


@pytest.mark.parametrize(
    ("sessions", "minutes", "expected"),
    [
        ("3", 20, "3 times a week, 20 minutes"),
        ("1", 60, "Once a week, 1 hour"),
        ("2", 90, "Twice a week, 1 hour 30 minutes"),
        ("0.5", 45, "Once a fortnight, 45 minutes"),
        ("2.5", 1, "2.5 times a week, 1 minute"),
        ("5", 120, "5 times a week, 2 hours"),
    ],
)
def test_how_often_reads_as_plain_english(sessions, minutes, expected):
    assert documents.how_often(sessions, minutes) == expected


def test_group_sizes_read_as_plain_english():
    assert documents.group_size(1) == "1 to 1"
    assert documents.group_size(6) == "Group of 6"


def test_filenames_use_the_surname_only(cast, version):
    with scopes_disabled():
        cast.pupil.legal_surname = "O'Brien-Smith"
        cast.pupil.save()
        version.plan.pupil.refresh_from_db()
    assert documents.filename(version, "pdf") == "support-plan-obrien-smith-v1.pdf"
