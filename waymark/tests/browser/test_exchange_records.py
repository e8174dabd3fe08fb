"""The whole record in a real browser (issue 6): axe-core's WCAG 2.2 AA checks and reflow at 320
CSS pixels on the census check, archived pupils, legal holds, the retention setting, subject
access requests, transfer packages, the chronology and the pupil page's "The whole record",
with an error state for each form; and the subject access request's withhold and put-back
controls worked by keyboard alone.

Each person's pages are checked in one test, signed in once, every problem on every page listed
together (``test_provision.check_pages``). The imports are in ``test_exchange.py``.
"""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from waymark.core.actor import Actor
from waymark.exchange.models import LegalHold, ReceivedTransfer, Redaction
from waymark.exchange.retention import legal_hold_place, pupil_archive
from waymark.exchange.tests import test_subject_access_setup as sar_setup
from waymark.exchange.tests import transfer_support
from waymark.exchange.transfer.receive import transfer_check, transfer_confirm
from waymark.pupils.models import Pupil
from waymark.tests import factories as f
from waymark.tests.browser.conftest import axe_check, sign_in
from waymark.tests.browser.exchange_pages import (
    error_summary_says,
    looks_right,
    open_every_details,
    path,
    shows,
    summary_lists,
)
from waymark.tests.browser.test_plans import activate, tab_to
from waymark.tests.browser.test_provision import check_pages, errors_after, fill

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
WRONG_PASSPHRASE = "not-the-passphrase-they-sent"
STALE = "Someone else saved changes to this record after you opened it."
WRONG_PASSPHRASE_SAYS = "The passphrase is wrong or the file has been changed."


def saved_meanwhile(surname):
    """``before``: someone else saves the pupil's record while the page is open, so its save is stale."""

    def then(page):
        with scopes_disabled():
            Pupil.objects.filter(legal_surname=surname).update(lock_version=F("lock_version") + 1)

    return then


# ---------------------------------------------------------------------------
# Census, archive, legal holds, retention, the pupil page
# ---------------------------------------------------------------------------


def _expired(school, forename, surname):
    """An archived leaver born in 1980: past a retention of 31 years after birth."""
    pupil = f.PupilFactory(
        school=school,
        legal_forename=forename,
        legal_surname=surname,
        date_of_birth=datetime.date(1980, 3, 14),
        date_joined=datetime.date(1984, 9, 1),
        date_left=datetime.date(1998, 7, 20),
        archived_at=timezone.now(),
    )
    f.SenStatusFactory(pupil=pupil, provision="K", tier="targeted", starts_on=datetime.date(1990, 9, 1))
    return pupil


@pytest.fixture
def records_data(cast):
    """Leavers and holds for the records pages, through the services where there is one.

    - ``leaver``: left last month, not archived yet (the archive page);
    - ``archived``: left last month, archived, under a legal hold, with a record received from a
      previous school (restore, lift, the pupil page's banner and links);
    - ``due``: archived and past retention (the retention page); ``held``: the same, under a hold;
    - ``cast.other_pupil``: SEN support with no primary need, so it fails the census check.
    """
    data = SimpleNamespace()
    with scopes_disabled():
        left = TODAY - 30 * DAY
        data.leaver = f.PupilFactory(
            school=cast.school, legal_forename="Lowri", legal_surname="Leaving", year_group=11, date_left=left
        )
        data.archived = f.PupilFactory(
            school=cast.school, legal_forename="Arlo", legal_surname="Archived", year_group=11, date_left=left
        )
        f.SenStatusFactory(pupil=data.archived, provision="K", tier="targeted")
        data.due = _expired(cast.school, "Duedate", "Pastretention")
        data.held = _expired(cast.school, "Heldfast", "Onhold")
        data.received = ReceivedTransfer.objects.create(
            pupil=data.archived,
            from_school_name="Old Mill Primary",
            from_school_urn="123456",
            package_version="1.0",
            exported_at=timezone.now() - 400 * DAY,
            package_sha256="b" * 64,
            document=transfer_support.minimal_document(plans=1, measures=1),
            received_by=cast.senco,
        )
    with scope(school=[cast.school.pk]):
        actor = Actor.for_user(cast.senco)
        pupil_archive(actor=actor, pupil=data.archived)
        legal_hold_place(actor=actor, pupil=data.archived, reason="A claim against the school about 2025.")
        legal_hold_place(actor=actor, pupil=data.held, reason="An inquiry asked for it to be kept.")
    with scopes_disabled():
        for name in ("leaver", "archived", "due", "held"):
            setattr(data, name, Pupil.objects.get(pk=getattr(data, name).pk))
    return data


def lifted_meanwhile(surname):
    """``before``: someone else lifts the pupil's legal hold while the page is open."""

    def then(page):
        with scopes_disabled():
            LegalHold.objects.filter(pupil__legal_surname=surname, lifted_at__isnull=True).update(
                lifted_at=timezone.now()
            )

    return then


def years(value):
    return fill({"Keep a pupil's record until their date of birth plus how many years?": value})


RECORDS_PAGES = {
    "census": (path("exchange:census"), shows("Records that would fail", "Oswin Blackthorn")),
    "census-errors": (
        path("exchange:census", query="on_day=31&on_month=2&on_year=2026"),
        summary_lists("Day to check must be a real date"),
    ),
    "archive-list": (path("exchange:archive-list"), shows("Arlo Archived", "On hold")),
    "pupil-archive": (path("exchange:pupil-archive", "leaver"), shows("Archive the record")),
    "pupil-archive-not-a-leaver": (
        path("exchange:pupil-archive", "pupil"),
        shows("Only a leaver's record can be archived."),
    ),
    "pupil-archive-errors": (
        path("exchange:pupil-archive", "leaver"),
        errors_after("Archive the record", STALE, before=saved_meanwhile("Leaving")),
    ),
    "pupil-restore": (path("exchange:pupil-restore", "archived"), shows("Bring the record back")),
    "hold-place": (path("exchange:hold-place", "leaver"), shows("Place the legal hold")),
    "hold-place-errors": (
        path("exchange:hold-place", "leaver"),
        errors_after("Place the legal hold", "Give the reason for the legal hold."),
    ),
    "hold-lift": (path("exchange:hold-lift", "archived"), shows("A claim against the school about 2025.")),
    "retention-settings": (
        path("exchange:retention-settings"),
        shows(
            "Duedate Pastretention",
            "1 more record has passed its retention date but is kept by a legal hold",
            "Records under a legal hold",
            "Heldfast Onhold",
        ),
    ),
    "retention-settings-errors": (
        path("exchange:retention-settings"),
        errors_after("Save", "The number of years must be 18 or more", before=years("17")),
    ),
    "pupil-page-archived": (
        path("pupils:pupil-detail", "archived"),
        shows(
            "This is an archived leaver's record",
            "A legal hold stops it being deleted.",
            "The whole record",
            "Record from Old Mill Primary",
            "Bring the record back from the archive",
            "Lift the legal hold",
        ),
    ),
    "received-list-archived": (path("exchange:received-list", "archived"), shows("Old Mill Primary")),
    # Last: these change what the pages above show.
    "pupil-restore-errors": (
        path("exchange:pupil-restore", "archived"),
        errors_after("Bring the record back", STALE, before=saved_meanwhile("Archived")),
    ),
    "hold-lift-errors": (
        path("exchange:hold-lift", "held"),
        errors_after(
            "Lift the legal hold", "There is no legal hold on this record.", before=lifted_meanwhile("Onhold")
        ),
    ),
}


def test_every_records_page_passes_axe_and_reflows(page, live_server, cast, records_data):
    sign_in(page, live_server, cast.senco)
    check_pages(page, live_server, cast, records_data, RECORDS_PAGES)
    with scopes_disabled():
        assert not Pupil.objects.get(pk=records_data.leaver.pk).is_archived, "A stale archive was saved"
        assert Pupil.objects.get(pk=records_data.archived.pk).is_archived, "A stale restore was saved"
        assert not LegalHold.objects.filter(pupil=records_data.leaver).exists(), "A hold with no reason was placed"


# ---------------------------------------------------------------------------
# Transfer packages and the chronology
# ---------------------------------------------------------------------------


@pytest.fixture
def transfer_data(cast, settings):
    """``cast.pupil``'s rich record (to send, and for the chronology); a package checked and waiting
    to be confirmed (``waiting``); and one received into a new pupil, Grace (``received``)."""
    settings.WAYMARK_VIRUS_SCANNER = "none"
    data = SimpleNamespace(rich=transfer_support.rich_record(cast))
    grace = transfer_support.minimal_document(plans=2, measures=2)
    grace["pupil"].update(legal_forename="Grace", legal_surname="Hopper", date_of_birth="2015-12-09")
    with scope(school=[cast.school.pk]):
        actor = Actor.for_user(cast.senco)
        data.waiting = transfer_check(
            actor=actor,
            school=cast.school,
            uploaded_file=transfer_support.upload(transfer_support.sealed(transfer_support.minimal_document())),
            passphrase=transfer_support.PASSPHRASE,
        )
        checked = transfer_check(
            actor=actor,
            school=cast.school,
            uploaded_file=transfer_support.upload(transfer_support.sealed(grace), name="grace.waymark"),
            passphrase=transfer_support.PASSPHRASE,
        )
        data.received = transfer_confirm(actor=actor, batch=checked, passphrase=transfer_support.PASSPHRASE)
    data.grace = data.received.pupil
    return data


def passphrases(first, second):
    def then(page):
        main = page.locator("main")
        main.get_by_label("Passphrase", exact=True).fill(first)
        main.get_by_label("Passphrase again", exact=True).fill(second)
        main.get_by_label("I will give the passphrase to the new school separately, not with the file").check()

    return then


def package_with_wrong_passphrase(page):
    main = page.locator("main")
    main.get_by_label("Transfer package").set_input_files(
        files=[{"name": "ada.waymark", "mimeType": "application/octet-stream", "buffer": transfer_support.sealed()}]
    )
    main.get_by_label("Passphrase", exact=True).fill(WRONG_PASSPHRASE)


TRANSFER_PAGES = {
    "transfer-export": (path("exchange:transfer-export", "pupil"), shows("Download the transfer package")),
    "transfer-export-errors": (
        path("exchange:transfer-export", "pupil"),
        errors_after(
            "Download the transfer package",
            "The passphrases do not match.",
            before=passphrases("maple-otter-violin-harbor", "maple-otter-violin-harbour"),
        ),
    ),
    "transfer-import": (path("exchange:transfer-import"), None),
    "transfer-import-errors": (
        path("exchange:transfer-import"),
        errors_after("Check the file", WRONG_PASSPHRASE_SAYS, before=package_with_wrong_passphrase),
    ),
    "transfer-preview": (path("exchange:transfer-preview", "waiting"), shows("Ada Lovelace", "Import the record")),
    "transfer-preview-errors": (
        path("exchange:transfer-preview", "waiting"),
        errors_after("Import the record", WRONG_PASSPHRASE_SAYS, before=fill({"Passphrase": WRONG_PASSPHRASE})),
    ),
    "received-detail": (path("exchange:received-detail", "received"), shows("Old Mill Primary")),
    "received-detail-first-plan": (path("exchange:received-detail", "received", query="version=1"), None),
    "received-list": (path("exchange:received-list", "grace"), shows("Old Mill Primary")),
    "chronology": (path("exchange:chronology", "pupil"), shows("The chronology, oldest first")),
    "chronology-with-restricted": (path("exchange:chronology", "pupil", query="restricted=on"), None),
    "pupil-page": (
        path("pupils:pupil-detail", "grace"),
        shows("The whole record", "Record from Old Mill Primary", "Chronology for an EHC needs assessment request"),
    ),
}


def test_every_transfer_and_chronology_page_passes_axe_and_reflows(page, live_server, cast, transfer_data):
    sign_in(page, live_server, cast.senco)
    check_pages(page, live_server, cast, transfer_data, TRANSFER_PAGES)
    with scopes_disabled():
        assert not Pupil.objects.filter(legal_forename="Ada", legal_surname="Lovelace").exists()


# ---------------------------------------------------------------------------
# Subject access requests
# ---------------------------------------------------------------------------


@pytest.fixture
def sar_data(cast):
    """``cast.pupil``'s record with something in every part of the register, and a request from a
    parent about it: items withheld by default (another parent's words) and flagged (a group
    session's note), as ``test_subject_access_setup`` builds them."""
    data = sar_setup.rich_record(cast)
    data.request = sar_setup.log_request(cast)
    with scopes_disabled():
        assert Redaction.objects.filter(request=data.request).exists(), "Nothing is withheld by default"
    return data


def detail_with_everything_open(page):
    main = page.locator("main")
    expect(main.locator(".govuk-summary-card .govuk-tag", has_text="Withheld").first).to_be_attached()
    expect(main.locator(".govuk-summary-card .govuk-tag", has_text="Read carefully").first).to_be_attached()
    open_every_details(page)


SAR_PAGES = {
    "sar-list": (path("exchange:sar-list"), shows("Open requests", "Zephyrine Quartermaine")),
    "sar-list-search": (path("exchange:sar-list", query="q=Blackthorn"), shows("Oswin")),
    "sar-create": (path("exchange:sar-create", "pupil"), None),
    "sar-create-errors": (
        path("exchange:sar-create", "pupil"),
        errors_after("Log the request", "Choose who is asking", "Enter the date the request was received"),
    ),
    "sar-detail": (path("exchange:sar-detail", "request"), detail_with_everything_open),
    "sar-extend": (path("exchange:sar-extend", "request"), None),
    "sar-extend-errors": (
        path("exchange:sar-extend", "request"),
        errors_after("Extend the deadline", "Enter the new due date", "Give the reason for extending the deadline"),
    ),
    "sar-close": (path("exchange:sar-close", "request"), None),
    "sar-close-errors": (
        path("exchange:sar-close", "request"),
        errors_after(
            "Close the request", "Choose whether the request was withdrawn or refused", "Give the reason the request"
        ),
    ),
    "sar-release": (
        path("exchange:sar-release", "request"),
        shows("Release everything held", "Items withheld in full"),
    ),
}


def test_every_subject_access_page_passes_axe_and_reflows(page, live_server, cast, sar_data):
    sign_in(page, live_server, cast.senco)
    check_pages(page, live_server, cast, sar_data, SAR_PAGES)


def test_a_withhold_form_with_no_reason_shows_its_error_and_passes_axe(page, live_server, cast, sar_data):
    sign_in(page, live_server, cast.senco)
    page.goto(f"{live_server.url}{reverse('exchange:sar-detail', args=[sar_data.request.public_id])}")
    card = page.locator(f"#item-evidence-note-{sar_data.note.pk}")
    open_every_details(page)
    card.get_by_role("button", name="Withhold", exact=True).click()
    page.wait_for_load_state()
    error_summary_says(page, "Give the reason it is withheld")
    # The failed form is shown open, in place, with the error by its field.
    card = page.locator(f"#item-evidence-note-{sar_data.note.pk}")
    expect(card.locator(".govuk-error-message")).to_contain_text("Give the reason it is withheld")
    expect(card.get_by_label("Reason", exact=True)).to_be_visible()
    looks_right(page)


def focused_inside(page, locator):
    return locator.evaluate("el => el.contains(document.activeElement) && document.activeElement !== el")


def test_withholding_and_putting_back_by_keyboard(page, live_server, cast, sar_data):
    """Tab to a note on the request's page, withhold it with Enter; after the page comes back, the
    next Tab is on that note's "Put it back", which Enter presses; the page comes back to the note."""
    sign_in(page, live_server, cast.senco)
    detail = f"{live_server.url}{reverse('exchange:sar-detail', args=[sar_data.request.public_id])}"
    anchor = f"item-evidence-note-{sar_data.note.pk}"
    page.goto(detail)
    card = page.locator(f"#{anchor}")
    expect(card).to_be_hidden()  # its section starts closed

    # Open the section, then the note's withhold form, by keyboard.
    section = page.locator("main details.govuk-details").filter(has=card).first
    activate(page, section.locator("summary").first, max_presses=150)
    expect(card).to_be_visible()
    activate(page, card.locator("summary"), max_presses=10)
    reason = card.get_by_label("Reason", exact=True)
    expect(reason).to_be_visible()
    tab_to(page, reason, max_presses=5)
    page.keyboard.type("Names a visitor to the school")
    activate(page, card.get_by_role("button", name="Withhold", exact=True), max_presses=5)

    # Back on the page at the note, withheld; the keyboard carries on from the note.
    page.wait_for_url(f"{detail}#{anchor}")
    page.wait_for_load_state("load")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Withheld: it will not be in the release."
    )
    card = page.locator(f"#{anchor}")
    expect(card).to_be_in_viewport()
    expect(card.locator(".govuk-tag", has_text="Withheld")).to_be_visible()
    expect(card).to_contain_text("Withheld in full: Names a visitor to the school.")
    put_back = card.get_by_role("button", name=re.compile("^Put it back"))
    page.keyboard.press("Tab")
    expect(put_back).to_be_focused()
    with scopes_disabled():
        redaction = Redaction.objects.get(
            request=sar_data.request, model="evidence.Note", object_pk=str(sar_data.note.pk)
        )
        assert (redaction.field, redaction.reason) == ("", "Names a visitor to the school")
    axe_check(page)

    page.keyboard.press("Enter")
    page.wait_for_url(f"{detail}#{anchor}")
    page.wait_for_load_state("load")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Put back: it will be in the release.")
    card = page.locator(f"#{anchor}")
    expect(card).to_be_in_viewport()
    expect(card.locator(".govuk-tag", has_text="Withheld")).to_have_count(0)
    page.keyboard.press("Tab")
    assert focused_inside(page, card), "After putting it back, Tab does not carry on inside the note"
    with scopes_disabled():
        assert not Redaction.objects.filter(pk=redaction.pk).exists()
    looks_right(page)
