"""What the exchange browser tests share (``test_exchange.py``, ``test_exchange_records.py``): checks
run on a page, path and ``then`` builders for ``test_provision.check_pages``, and import batches
built as the upload pages build them, committed so the live server sees them."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from waymark.core.actor import Actor
from waymark.exchange import batches
from waymark.exchange.ctf import check_file
from waymark.exchange.models import ImportBatch, ImportKind
from waymark.exchange.roster import mapping_for, roster_batch_check, roster_batch_open
from waymark.exchange.tests.roster_files import csv_bytes
from waymark.tests.browser.conftest import axe_check
from waymark.tests.browser.test_provision import sideways_at

# ----- on a page -----


def looks_right(page):
    """axe-core finds nothing and the page reflows at 320 CSS pixels (the viewport is put back)."""
    axe_check(page)
    wide = sideways_at(page, 320)
    assert wide is None, f"{page.url} scrolls sideways at 320px: the document is {wide}px wide"


def choose_file(page, label, name, data, mime="text/csv"):
    page.locator("main").get_by_label(label).set_input_files(files=[{"name": name, "mimeType": mime, "buffer": data}])


def error_summary_says(page, *expected):
    summary = page.locator(".govuk-error-summary")
    for words in expected:
        expect(summary).to_contain_text(words)
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile("^Error: "))


def open_every_details(page):
    """Open every <details> in the page's main content, so axe checks what is inside them too."""
    page.evaluate("() => document.querySelectorAll('main details').forEach(d => { d.open = true; })")


# ----- builders for check_pages -----


def path(name, attr=None, query=""):
    """A path builder for ``check_pages``: ``name`` reversed, with the public id of ``data.<attr>``
    (or ``cast.<attr>`` when the data has none) when given."""

    def build(cast, data):
        args = [(getattr(data, attr, None) or getattr(cast, attr)).public_id] if attr else []
        return reverse(name, args=args) + (f"?{query}" if query else "")

    return build


def upload_then(label, name, data, mime):
    return lambda page: choose_file(page, label, name, data, mime)


def shows(*words):
    """``then``: the page's main content says each of ``words``."""

    def then(page):
        for text in words:
            expect(page.locator("main")).to_contain_text(text)

    return then


def summary_lists(*expected):
    """``then``: the page's error summary, focused, lists ``expected`` (a preview's own, or a GET form's)."""
    return lambda page: error_summary_says(page, *expected)


def steps(*thens):
    def then(page):
        for step in thens:
            step(page)

    return then


# ----- import batches -----


def checked_roster(cast, rows):
    """A roster batch uploaded and checked as the SENCO (the upload and mapping pages' work)."""
    with scope(school=[cast.school.pk]):
        actor = Actor.for_user(cast.senco)
        batch = roster_batch_open(
            actor=actor, school=cast.school, uploaded_file=SimpleUploadedFile("whole-school.csv", csv_bytes(rows))
        )
        mapping = mapping_for(cast.school, batch.summary["headers"])[0]
        roster_batch_check(actor=actor, batch=batch, mapping=mapping)
    with scopes_disabled():
        return ImportBatch.objects.get(pk=batch.pk)


def checked_ctf(actor, school, name, data):
    """A CTF uploaded and checked as the upload page does it: previewed, or rejected."""
    batch = batches.batch_open(
        actor=actor, school=school, kind=ImportKind.CTF, uploaded_file=SimpleUploadedFile(name, data)
    )
    result = check_file(school=school, data=batches.batch_bytes(batch), today=actor.today)
    if result.rejected:
        return batches.batch_reject(actor=actor, batch=batch, problems=result.problems)
    return batches.batch_record_preview(
        batch=batch, rows_total=result.pupils_in_file, summary=result.summary(), problems=result.problems
    )
