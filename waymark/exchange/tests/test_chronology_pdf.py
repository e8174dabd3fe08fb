"""The chronology as a PDF: tagged (PDF/UA-1), titled, in English, headings in order, tables with
header rows, the same words as the page, and never another child's name."""

import itertools
import re

import pytest
from django_scopes import scopes_disabled

from waymark.exchange.models import ReceivedTransfer
from waymark.exchange.tests.test_chronology import (
    OTHER_FORENAME,
    OTHER_NOTE,
    OTHER_SURNAME,
    REPORT_RECOMMENDATIONS,
    RESTRICTED_NEED,
    RESTRICTED_OUTCOME,
    RESTRICTED_REPORT,
    STAFF_OUTCOME,
    chronology_url,
    everything,
    transfer_document,
)
from waymark.tests.pdf import needs_poppler, pdf_objects, pdf_text, run

RESTRICTED = (RESTRICTED_OUTCOME, RESTRICTED_REPORT, RESTRICTED_NEED)


def download(client, pupil, query=""):
    response = client.get(chronology_url(pupil, "chronology-pdf") + query)
    assert response.status_code == 200
    return response.content


@pytest.fixture
def record(cast):
    made = everything(cast)
    with scopes_disabled():
        ReceivedTransfer.objects.filter(pupil=cast.pupil).update(document=transfer_document(cast))
    return made


@needs_poppler
def test_the_pdf_is_tagged_titled_in_english_with_headings_in_order_and_fonts_embedded(cast, record, client_for):
    data = download(client_for(cast.senco), cast.pupil)
    info = run("pdfinfo", "-", data=data)
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(r"^Title:\s+Chronology for Zephyrine Quartermaine$", info, re.M)
    structure = run("pdfinfo", "-struct", "-", data=data)
    for tag in ("Document", "H1", "H2", "H3", "H4", "Table", "THead", "TH", "TD", "Caption"):
        assert re.search(rf"^\s*{tag}\b", structure, re.M), tag
    levels = [int(level) for level in re.findall(r"^\s*H([1-6])\b", structure, re.M)]
    assert levels[0] == 1 and levels.count(1) == 1 and {2, 3, 4} <= set(levels)
    assert all(later - earlier <= 1 for earlier, later in itertools.pairwise(levels)), levels  # none skipped
    objects = pdf_objects(data)
    assert b"/StructTreeRoot" in objects
    assert b"/Lang (en-GB)" in objects
    assert b"pdfuaid:part" in objects
    assert b"/DisplayDocTitle true" in objects
    fonts = run("pdffonts", "-", data=data).splitlines()[2:]
    assert fonts and all(" yes " in line for line in fonts), fonts


@needs_poppler
def test_the_pdf_holds_the_front_page_the_summary_and_every_kind_of_entry_in_date_order(cast, record, client_for):
    text = pdf_text(download(client_for(cast.head), cast.pupil))
    for words in (
        "Chronology for Zephyrine Quartermaine",
        "Date of birth",
        cast.pupil.upn,
        "Current SEN provision K – SEN support (Targeted)",
        "Produced by Hana Head",
        "Entries in this chronology, by kind",
        "Support plan version 2 (active)",
        "Paula Parent (mother) agreed on",
        "Request an EHC needs assessment",
        "Attended 2 of 3 delivered sessions (missed 1)",
        "(remarkable)",
        REPORT_RECOMMENDATIONS,
        "Intervention: Chalk Hill reading club",
        "History from the previous school: Downs Primary School",
        STAFF_OUTCOME,
        "3 items restricted to the SENCO and DSL are left out.",
    ):
        assert words in text, words
    in_order = [
        "Support plan version 1 (superseded) History from the previous school",
        "Record received from Downs Primary School",
        "Review of the support plan Plan reviewed Version 1 Decisions Adjust the plan",
        "Support plan version 2 (active)",
        "Entry and exit measures in Reading recovery 1",
        "Outside report: Educational psychology assessment",
    ]
    positions = [text.index(words) for words in in_order]
    assert positions == sorted(positions)


@needs_poppler
@pytest.mark.parametrize("who", ["senco", "head", "trust_lead"])
def test_no_other_pupil_is_ever_named(cast, record, client_for, who):
    text = pdf_text(download(client_for(getattr(cast, who)), cast.pupil, "?restricted=on"))
    for never in (OTHER_FORENAME, OTHER_SURNAME, OTHER_NOTE, "Oswin", "Blackthorn", "Marisol"):
        assert never not in text, never


@needs_poppler
@pytest.mark.parametrize("who", ["head", "trust_lead"])
def test_restricted_content_is_never_in_the_heads_or_trust_leads_pdf(cast, record, client_for, who):
    text = pdf_text(download(client_for(getattr(cast, who)), cast.pupil, "?restricted=on"))
    for words in RESTRICTED:
        assert words not in text, words
    assert STAFF_OUTCOME in text


@needs_poppler
def test_the_senco_leaves_restricted_content_out_unless_they_choose_it(cast, record, client_for):
    client = client_for(cast.senco)
    text = pdf_text(download(client, cast.pupil))
    assert not any(words in text for words in RESTRICTED)
    text = pdf_text(download(client, cast.pupil, "?restricted=on"))
    assert all(words in text for words in RESTRICTED)
    assert "This chronology includes content restricted to the SENCO and DSL" in text
    assert "Capybara family assessment Restricted" in text
