"""Evidence in a real browser: axe-core's WCAG 2.2 AA checks on the timeline, notes, documents and
shares (with an error state for each form), a new person accepting a share signed out, and the
specialist's pages, which also reflow at 320 CSS pixels."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from waymark.evidence.tests.filemakers import EXECUTABLE
from waymark.tests.browser.conftest import assert_reflows, axe_check, sign_in
from waymark.tests.browser.provision_data import NEW_SPECIALIST_EMAIL, SCHOOL_DAY, build_provision, pin_school_day
from waymark.tests.browser.test_provision import check_pages, errors_after, url

PASSPHRASE = "a long and memorable passphrase"


@pytest.fixture
def data(cast, monkeypatch):
    pin_school_day(monkeypatch)
    return build_provision(cast)


def renamed_executable(page):
    """A program named like a PDF, with every other answer on the form good."""
    main = page.locator("main")
    main.get_by_label("Upload a file").set_input_files(
        files=[{"name": "report.pdf", "mimeType": "application/pdf", "buffer": EXECUTABLE}]
    )
    main.get_by_label("Title", exact=True).fill("Speech and language report")
    main.get_by_label("Professional report", exact=True).check()
    main.get_by_label("Day", exact=True).fill(str(SCHOOL_DAY.day))
    main.get_by_label("Month", exact=True).fill(str(SCHOOL_DAY.month))
    main.get_by_label("Year", exact=True).fill(str(SCHOOL_DAY.year))
    main.get_by_label("Staff only: the family does not see it", exact=True).check()


# name: (the page's path, what to do there before axe looks)
SENCO_PAGES = {
    "timeline": (url("evidence:timeline", "pupil"), None),
    "note-create": (url("evidence:note-create", "pupil"), None),
    "note-create-errors": (url("evidence:note-create", "pupil"), errors_after("Add the note", "Enter the note")),
    "note-edit": (url("evidence:note-edit", "note"), None),
    "document-upload": (url("evidence:document-upload", "pupil"), None),
    "document-upload-errors": (
        url("evidence:document-upload", "pupil"),
        errors_after(
            "Add the document", "The file is not a PDF, though its name ends in .pdf.", before=renamed_executable
        ),
    ),
    "document-edit": (url("evidence:document-edit", "document"), None),
    "share-list": (url("evidence:share-list", "pupil"), None),
    "share-create": (url("evidence:share-create", "pupil"), None),
    "share-create-errors": (
        url("evidence:share-create", "pupil"),
        errors_after("Share and send the link", "Enter their email address", "Enter their name"),
    ),
    "share-end": (url("evidence:share-end", "share"), None),
}


def test_every_evidence_page_passes_axe(page, live_server, cast, data):
    sign_in(page, live_server, cast.senco)
    check_pages(page, live_server, cast, data, SENCO_PAGES)


def test_a_new_person_accepts_a_share_signed_out(page, live_server, cast, data):
    page.goto(f"{live_server.url}{reverse('evidence:share-accept', args=[data.invitation.token])}")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    main = page.locator("main")
    expect(main.get_by_label("Your full name")).to_be_visible()
    axe_check(page)

    errors_after("Create account and accept", "Enter your full name", "Create a password")(page)
    axe_check(page)

    main.get_by_label("Your full name").fill("Erin Psych")
    main.get_by_label("Create a password").fill(PASSPHRASE)
    main.get_by_role("button", name="Create account and accept").click()
    page.wait_for_url(re.compile(r"/evidence/shared/[0-9a-f-]+/$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "You can now see what the school has shared with you."
    )
    expect(page.get_by_role("button", name="Sign out")).to_have_count(1)
    axe_check(page)
    assert NEW_SPECIALIST_EMAIL not in page.url


def test_specialist_pages_pass_axe_and_reflow(page, live_server, cast, data):
    sign_in(page, live_server, cast.specialist)
    page.goto(f"{live_server.url}{reverse('evidence:shared-detail', args=[cast.share.public_id])}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text(data.document.title)
    axe_check(page)
    assert_reflows(page)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("main").get_by_role("link", name="Add a report or recommendations").click()
    page.wait_for_url(re.compile(r"/report/$"))
    axe_check(page)
    errors_after("Add the report", "Enter a title", "Choose the file of your report")(page)
    axe_check(page)
    assert_reflows(page)
