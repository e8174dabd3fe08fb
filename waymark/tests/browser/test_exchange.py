"""Imports in a real browser (issue 6): the SENCO importing a roster by keyboard, a file with a
mistake first (every problem by row and column, nothing imported) and then a good one through
its column mapping and preview; a large file imported in the background, its progress page
open while the import waits to start and while it runs; and axe-core's WCAG 2.2 AA checks and
reflow at 320 CSS pixels on every import page, with an error state for each form.

The records pages (census, archive, holds, retention, subject access, transfers, chronology)
are in ``test_exchange_records.py``.
"""

import re
import threading
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from waymark.core.actor import Actor
from waymark.exchange import batches
from waymark.exchange import roster as roster_module
from waymark.exchange.models import ColumnMapping, ImportBatch
from waymark.exchange.tests.ctf_helpers import ctf_bytes, ctf_document, ctf_pupil, need, numbered_as_in_files
from waymark.exchange.tests.roster_files import csv_bytes
from waymark.pupils.models import Pupil
from waymark.tests.browser.conftest import sign_in
from waymark.tests.browser.exchange_pages import (
    checked_ctf,
    checked_roster,
    choose_file,
    error_summary_says,
    looks_right,
    path,
    shows,
    steps,
    summary_lists,
    upload_then,
)
from waymark.tests.browser.test_plans import activate, tab_to
from waymark.tests.browser.test_provision import check_pages, errors_after
from waymark.tests.factories import make_upn
from waymark.tests.helpers import fingerprint

Status = ImportBatch.Status
# Held long enough for every check on the progress page, never for ever (a failed test lets go at once).
GATE_SECONDS = 60
# The progress page asks every 3 seconds; give it two chances.
POLL_WAIT_MS = 8_000


def upn(serial):
    return make_upn("873", "4001", serial, year="13")


GOOD_UPNS = [upn(serial) for serial in (101, 102, 103)]
# A UPN whose check letter is wrong.
BAD_CHECK_LETTER = next(letter for letter in "ABC" if letter != upn(104)[0]) + upn(104)[1:]
# "Born" is not a name MIS exports use for the date of birth: the SENCO chooses what it holds.
GOOD_HEADERS = ["UPN", "Surname", "Forename", "Born", "Year", "Sex"]
GOOD_ROWS = [
    [GOOD_UPNS[0], "Adebayo", "Tolu", "14/03/2013", "8", "F"],
    [GOOD_UPNS[1], "Byrne", "Niamh", "02/11/2012", "9", "F"],
    [GOOD_UPNS[2], "Chowdhury", "Imran", "21/07/2013", "8", "M"],
]
BAD_ROWS = [
    [upn(105), "Dimitrov", "Vera", "14/03/2013", "8", "F"],
    [BAD_CHECK_LETTER, "Evans", "Rhys", "21/07/2013", "8", "M"],
]


def records():
    """What an import could change, without the audit count (checking a file is audited)."""
    return fingerprint(audit=False)


def pupils_with(upns):
    with scopes_disabled():
        return list(Pupil.objects.filter(upn__in=upns).order_by("upn").values_list("upn", flat=True))


# ---------------------------------------------------------------------------
# The SENCO imports a roster, by keyboard where it matters
# ---------------------------------------------------------------------------


def test_senco_imports_a_roster_by_keyboard(page, live_server, cast):
    sign_in(page, live_server, cast.senco)
    before = records()
    main = page.locator("main")

    # The list of imports, then the upload page, by keyboard.
    page.goto(f"{live_server.url}{reverse('exchange:import-list')}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Imports")
    looks_right(page)
    activate(page, main.get_by_role("button", name="Import pupils from your MIS"))
    page.wait_for_url(f"{live_server.url}{reverse('exchange:roster-upload')}")
    looks_right(page)

    # A file with one bad row: its columns are all recognised, so "Check the file" goes straight on.
    choose_file(page, "Upload a roster file", "pupils-with-a-mistake.csv", csv_bytes(BAD_ROWS))
    activate(page, main.get_by_role("button", name="Upload and continue"))
    page.wait_for_url(re.compile(r"/exchange/roster/[0-9a-f-]{36}/columns/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("What each column holds")
    looks_right(page)
    activate(page, main.get_by_role("button", name="Check the file"))
    page.wait_for_url(re.compile(r"/exchange/roster/[0-9a-f-]{36}/$"))

    # Every problem by row and column: in the error summary (focused) and the table.
    error_summary_says(page, "Row 3, UPN:")
    problems = main.get_by_role("table", name="Problems to put right")
    to_fix = problems.locator("tbody tr").filter(has_text="To fix")
    expect(to_fix).to_have_count(1)
    cells = to_fix.locator("td")
    expect(cells.nth(0)).to_have_text("3")
    expect(cells.nth(1)).to_have_text("UPN")
    expect(cells.nth(2)).to_contain_text("The check letter does not match")
    expect(main.get_by_role("table", name="What importing would do")).to_contain_text("Rows with problems")
    expect(main.get_by_role("button", name=re.compile(r"^Import \d+ pupil"))).to_have_count(0)
    expect(main).to_contain_text("Nothing has been imported yet.")
    looks_right(page)
    # The summary's link takes the keyboard to the problem in the table.
    activate(page, page.locator(".govuk-error-summary a").first, max_presses=5)
    expect(page).to_have_url(re.compile(r"#problem-\d+$"))
    assert records() == before, "A file with problems changed the records"
    assert pupils_with([row[0] for row in BAD_ROWS]) == []

    activate(page, main.get_by_role("button", name="Finish without importing"))
    page.wait_for_url(f"{live_server.url}{reverse('exchange:import-list')}")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("nothing was imported")
    looks_right(page)

    # A good file whose date of birth column has a name of its own.
    page.goto(f"{live_server.url}{reverse('exchange:roster-upload')}")
    choose_file(page, "Upload a roster file", "year-8-and-9.csv", csv_bytes(GOOD_ROWS, headers=GOOD_HEADERS))
    activate(page, main.get_by_role("button", name="Upload and continue"))
    page.wait_for_url(re.compile(r"/columns/$"))
    mapping_url = page.url
    born = main.get_by_role("combobox", name=re.compile(r"^Born\b"))
    expect(born).to_have_value("")  # "Do not import this column"
    # Remembering the choices is ticked already; the test checks below that it is done.
    expect(main.get_by_label("Remember these choices for files with the same columns")).to_be_checked()

    # Checking it as it is: the date of birth is missing, shown in the error summary.
    activate(page, main.get_by_role("button", name="Check the file"))
    page.wait_for_load_state()
    error_summary_says(page, "Choose the column that holds \u201cDate of birth\u201d")
    assert page.url == mapping_url
    looks_right(page)

    # Tab to the "Born" select and choose "Date of birth" by typing, as a keyboard user does.
    born = main.get_by_role("combobox", name=re.compile(r"^Born\b"))
    tab_to(page, born)
    page.keyboard.type("Date of birth")
    expect(born).to_have_value("date_of_birth")
    expect(main.get_by_label("Remember these choices for files with the same columns")).to_be_checked()
    activate(page, main.get_by_role("button", name="Check the file"))
    page.wait_for_url(re.compile(r"/exchange/roster/[0-9a-f-]{36}/$"))

    # The preview: counts, every pupil to add, and the Import button.
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    counts = main.get_by_role("table", name="What importing would do")
    expect(counts.get_by_role("row", name="Pupils in the file")).to_contain_text("3")
    expect(counts.get_by_role("row", name="New pupils to add")).to_contain_text("3")
    changes = main.get_by_role("table", name="Pupils to add or change")
    for _upn, surname, forename, *_rest in GOOD_ROWS:
        expect(changes).to_contain_text(f"{forename} {surname}")
    looks_right(page)
    assert pupils_with(GOOD_UPNS) == [], "The preview imported something"

    activate(page, main.get_by_role("button", name="Import 3 pupils"))
    page.wait_for_url(re.compile(r"/exchange/imports/[0-9a-f-]{36}/$"))

    # The result: what was imported, and the pupils are in the database.
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The roster has been imported.")
    result = main.get_by_role("table", name="What was imported")
    expect(result.get_by_role("row", name="New pupils added")).to_contain_text("3")
    expect(result.get_by_role("row", name="Pupils updated")).to_contain_text("0")
    expect(main.locator(".govuk-tag")).to_have_text("Imported")
    looks_right(page)
    assert pupils_with(GOOD_UPNS) == sorted(GOOD_UPNS)
    with scopes_disabled():
        imported = {
            p.upn: (p.legal_forename, p.date_of_birth.isoformat()) for p in Pupil.objects.filter(upn__in=GOOD_UPNS)
        }
        assert imported[GOOD_UPNS[0]] == ("Tolu", "2013-03-14")
        # Remembered for the next file with these columns (the bad first file's were not: its check failed).
        saved = [m.mapping for m in ColumnMapping.objects.filter(school=cast.school) if "Born" in m.mapping]
        assert saved == [dict(zip(GOOD_HEADERS, ["upn", "legal_surname", "legal_forename", "date_of_birth",
                                                 "year_group", "sex"], strict=True))]  # fmt: skip


# ---------------------------------------------------------------------------
# A large file imports in the background, with a progress page
# ---------------------------------------------------------------------------


class Held:
    """Where the held import has got to (``reached``), what lets it on (``go``), and when it is over."""

    STAGES = ("queued", "running")

    def __init__(self):
        self.reached = {stage: threading.Event() for stage in self.STAGES}
        self.go = {stage: threading.Event() for stage in self.STAGES}
        self.over = threading.Event()
        self.abandoned = False

    def hold(self, stage):
        # Only the live server's threads are held: the test's own set-up reads files freely.
        if threading.current_thread() is threading.main_thread():
            return
        self.reached[stage].set()
        self.go[stage].wait(GATE_SECONDS)
        if self.abandoned:
            raise RuntimeError("The test ended before the held import was let on.")


@pytest.fixture
def held_import(monkeypatch):
    """Holds the background roster import twice: before it starts (queued), and once it has started
    but before any row goes in (running: outside the import's transaction, so the pages read freely)."""
    held = Held()
    commit, table = roster_module.roster_batch_commit, roster_module.batch_table

    def held_commit(**kwargs):
        try:
            held.hold("queued")
            return commit(**kwargs)
        finally:
            held.over.set()

    def held_table(batch):
        held.hold("running")
        return table(batch)

    # The task looks the commit up when it runs; the commit looks up reading the file.
    monkeypatch.setattr(roster_module, "roster_batch_commit", held_commit)
    monkeypatch.setattr(roster_module, "batch_table", held_table)
    yield held
    if not held.over.is_set():
        # A failed test: stop the import, and wait until it has stopped, before the database goes.
        held.abandoned = True
        for event in held.go.values():
            event.set()
        held.over.wait(GATE_SECONDS)


def test_a_large_roster_imports_in_the_background_with_progress(page, live_server, cast, settings, held_import):
    settings.WAYMARK_IMPORT_BACKGROUND_ROWS = 2
    rows = [[upn(200 + n), f"Surname{n}", f"Forename{n}", "14/03/2013", "8", "F"] for n in range(5)]
    batch = checked_roster(cast, rows)
    detail = f"{live_server.url}{reverse('exchange:import-detail', args=[batch.public_id])}"
    sign_in(page, live_server, cast.senco)
    page.goto(f"{live_server.url}{reverse('exchange:roster-preview', args=[batch.public_id])}")
    main = page.locator("main")
    expect(main).to_contain_text("This is a large file: it is imported in the background")
    looks_right(page)

    # Pressed by keyboard; the import is held before it starts, so this page waits for the answer.
    activate(page, main.get_by_role("button", name="Import 5 pupils"))
    assert held_import.reached["queued"].wait(GATE_SECONDS), "The background import never started"

    # Meanwhile, in another tab: the import's page while it waits to start...
    watcher = page.context.new_page()
    watcher.goto(detail)
    progress = watcher.locator("#import-progress")
    expect(watcher.locator("main .govuk-tag")).to_have_text("Waiting to start")
    expect(progress).to_contain_text("Waiting to start.")
    expect(progress).to_have_attribute("aria-live", "polite")
    looks_right(watcher)

    # ...and once it has started: the progress page updates itself (htmx), no reload.
    held_import.go["queued"].set()
    assert held_import.reached["running"].wait(GATE_SECONDS), "The background import never ran"
    expect(progress).to_contain_text("0 of 5 rows imported (0%).", timeout=POLL_WAIT_MS)
    # The status tag is inside what htmx replaces, so it changes with the text.
    expect(watcher.locator("main .govuk-tag")).to_have_text("Importing")
    # Loaded afresh too: the page as it first arrives mid-run.
    watcher.goto(detail)
    progress = watcher.locator("#import-progress")
    expect(progress).to_contain_text("0 of 5 rows imported (0%).")
    expect(watcher.get_by_role("progressbar", name="Rows imported")).to_have_attribute("max", "5")
    expect(watcher.locator("main .govuk-tag")).to_have_text("Importing")
    looks_right(watcher)
    assert pupils_with([row[0] for row in rows]) == []

    # Let it finish: the first tab lands on the result; the watching tab reloads itself to show it.
    held_import.go["running"].set()
    page.wait_for_url(detail)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The import has started.")
    result = main.get_by_role("table", name="What was imported")
    expect(result.get_by_role("row", name="New pupils added")).to_contain_text("5")
    looks_right(page)
    expect(watcher.get_by_role("table", name="What was imported")).to_be_visible(timeout=POLL_WAIT_MS)
    expect(watcher.locator("#import-progress")).to_have_count(0)
    assert pupils_with([row[0] for row in rows]) == sorted(row[0] for row in rows)
    with scopes_disabled():
        assert ImportBatch.objects.get(pk=batch.pk).status == Status.COMMITTED


# ---------------------------------------------------------------------------
# Every import page passes axe and reflows, with an error state for each form
# ---------------------------------------------------------------------------


@pytest.fixture
def import_data(cast):
    """Import batches in each state, as the pages and services leave them, and the CTF school's numbers.

    - ``waiting``: a roster checked and waiting to be imported (previewed, no problems);
    - ``with_problems``: a roster checked with problems;
    - ``imported``: a roster imported; ``abandoned``: one abandoned;
    - ``rejected``: a CTF refused at upload; ``ctf_good`` and ``ctf_problems``: CTFs previewed.
    """
    numbered_as_in_files(cast.school)
    data = SimpleNamespace()
    data.waiting = checked_roster(cast, GOOD_ROWS[:2])
    data.with_problems = checked_roster(cast, BAD_ROWS)
    data.imported = checked_roster(cast, [[upn(300), "Imported", "Isla", "14/03/2013", "8", "F"]])
    data.abandoned = checked_roster(cast, [[upn(301), "Abandoned", "Abe", "14/03/2013", "8", "M"]])
    with scope(school=[cast.school.pk]):
        actor = Actor.for_user(cast.senco)
        data.imported = roster_module.roster_batch_commit(actor=actor, batch=data.imported)
        batches.batch_abandon(actor=actor, batch=data.abandoned)
        data.ctf_good = checked_ctf(actor, cast.school, "dfe.xml", ctf_bytes("dfe_several_pupils.xml"))
        data.ctf_problems = checked_ctf(
            actor,
            cast.school,
            "with-problems.xml",
            ctf_document(
                ctf_pupil("C823410213011", "Good"),
                ctf_pupil("A823410213011", "Wrongletter"),
                ctf_pupil("Q823410215104", "Impossible", dob="2015-02-30"),
                ctf_pupil("B823410216052", "Unknown", needs=need("XYZ", 1)),
            ),
        )
        data.rejected = checked_ctf(actor, cast.school, "not-a-ctf.xml", ctf_bytes("bad/not_xml.xml"))
    with scopes_disabled():
        statuses = {name: ImportBatch.objects.get(pk=getattr(data, name).pk).status for name in vars(data)}
    assert statuses == {
        "waiting": Status.PREVIEWED,
        "with_problems": Status.PREVIEWED,
        "imported": Status.COMMITTED,
        "abandoned": Status.ABANDONED,
        "ctf_good": Status.PREVIEWED,
        "ctf_problems": Status.PREVIEWED,
        "rejected": Status.REJECTED,
    }, statuses
    return data


def mapping_without_names(page):
    """Every column set to "Do not import this column"."""
    for select in page.locator("main select").all():
        select.select_option("")


IMPORT_PAGES = {
    "import-list": (path("exchange:import-list"), shows("Recent imports", "whole-school.csv")),
    "roster-upload": (path("exchange:roster-upload"), None),
    "roster-upload-errors": (path("exchange:roster-upload"), errors_after("Upload and continue", "Select a file")),
    "roster-upload-errors-not-a-table": (
        path("exchange:roster-upload"),
        errors_after(
            "Upload and continue",
            "The file is not a spreadsheet.",
            before=upload_then("Upload a roster file", "photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "text/csv"),
        ),
    ),
    "roster-mapping": (path("exchange:roster-mapping", "waiting"), shows("The file has 2 pupil rows.")),
    "roster-mapping-errors": (
        path("exchange:roster-mapping", "waiting"),
        errors_after("Check the file", "Choose the column that holds", before=mapping_without_names),
    ),
    "roster-preview": (path("exchange:roster-preview", "waiting"), shows("Import 2 pupils")),
    "roster-preview-with-problems": (
        path("exchange:roster-preview", "with_problems"),
        summary_lists("Row 3, UPN:"),
    ),
    "import-detail-waiting": (path("exchange:import-detail", "waiting"), shows("Continue this import")),
    "import-detail-imported": (path("exchange:import-detail", "imported"), shows("What was imported")),
    "import-detail-abandoned": (path("exchange:import-detail", "abandoned"), shows("This import was abandoned")),
    "import-detail-rejected": (
        path("exchange:import-detail", "rejected"),
        shows("Nothing from this file was imported.", "What went wrong"),
    ),
    "ctf-upload": (path("exchange:ctf-upload"), None),
    "ctf-upload-errors": (path("exchange:ctf-upload"), errors_after("Check the file", "Select a CTF file")),
    "ctf-upload-errors-not-a-ctf": (
        path("exchange:ctf-upload"),
        errors_after(
            "Check the file",
            "document type declaration",
            before=upload_then(
                "Upload a Common Transfer File", "laughs.xml", ctf_bytes("bad/billion_laughs.xml"), "text/xml"
            ),
        ),
    ),
    "ctf-preview": (path("exchange:ctf-preview", "ctf_good"), shows("New pupils to add (5)", "Import the file")),
    "ctf-preview-with-problems": (
        path("exchange:ctf-preview", "ctf_problems"),
        steps(summary_lists("Pupil 2 (UPN A823410213011, Wrongletter)"), shows("Problems to put right")),
    ),
}


def test_every_import_page_passes_axe_and_reflows(page, live_server, cast, import_data):
    sign_in(page, live_server, cast.senco)
    check_pages(page, live_server, cast, import_data, IMPORT_PAGES)
