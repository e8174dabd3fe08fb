"""The roster import pages: who may open them, the journey upload -> columns -> preview -> import ->
result, a rejected file, a remembered mapping, a large file in the background with its progress,
abandoning, and the preview's query count whatever the file's size.
"""

import re

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from waymark.core.models import AuditEvent
from waymark.exchange import batches as batch_module
from waymark.exchange.models import ColumnMapping, ImportBatch, ImportKind
from waymark.exchange.roster import commit as commit_module
from waymark.pupils.models import Pupil
from waymark.tests import factories as f
from waymark.tests.helpers import cast_mismatches, error_summary, fingerprint, text_of

from .roster_files import batch_of, class_rows, csv_bytes, generated_rows, mapping_post, sample, upload, upload_roster

Status = ImportBatch.Status
IMPORTERS = {"senco"}  # and a deputy SENCO, who is not in the cast (tested below)


def journey(client, data, name="pupils.csv", remember=False):
    """Upload, accept the recognised columns and see the preview; return (batch, preview response)."""
    batch = upload_roster(client, data, name)
    response = client.post(reverse("exchange:roster-mapping", args=[batch.public_id]), mapping_post(batch, remember))
    assert response.status_code == 302, error_summary(response)
    assert response["Location"] == reverse("exchange:roster-preview", args=[batch.public_id])
    return batch, client.get(response["Location"])


# ----- who may -----


def test_only_the_senco_opens_the_import_pages(cast, client_for, senco):
    batch, _preview = journey(senco, sample("sims.csv"))
    # School B's SENCO imports into School B: the school's own pages open, School A's batch does not.
    for url in (reverse("exchange:roster-upload"), reverse("exchange:import-list")):
        assert cast_mismatches(cast, client_for, url, IMPORTERS | {"other_senco"}) == [], url
    for url in (
        reverse("exchange:import-detail", args=[batch.public_id]),
        reverse("exchange:roster-mapping", args=[batch.public_id]),
        reverse("exchange:roster-preview", args=[batch.public_id]),
    ):
        assert cast_mismatches(cast, client_for, url, IMPORTERS) == [], url


def test_a_deputy_senco_may_import(cast, client_for):
    deputy = f.MembershipFactory(school=cast.school, roles=["deputy_senco"]).user
    client = client_for(deputy)
    assert client.get(reverse("exchange:roster-upload")).status_code == 200
    _batch, preview = journey(client, sample("bromcom.csv"))
    assert preview.status_code == 200


def test_nobody_else_can_commit_or_abandon(cast, client_for, senco):
    batch, _preview = journey(senco, sample("sims.csv"))
    before = fingerprint()
    for name, user in cast.people.items():
        if name in IMPORTERS:
            continue
        client = client_for(user)
        for url_name in ("exchange:roster-commit", "exchange:import-abandon"):
            assert client.post(reverse(url_name, args=[batch.public_id])).status_code == 404, (name, url_name)
    assert fingerprint() == before
    batch.refresh_from_db()
    assert batch.status == Status.PREVIEWED


def test_another_schools_senco_cannot_see_the_batch(cast, client_for, senco):
    batch, _preview = journey(senco, sample("sims.csv"))
    other = client_for(cast.other_senco)
    assert other.get(reverse("exchange:import-detail", args=[batch.public_id])).status_code == 404
    assert other.post(reverse("exchange:roster-commit", args=[batch.public_id])).status_code == 404


def test_pages_take_only_their_methods(cast, senco):
    batch, _preview = journey(senco, sample("sims.csv"))
    assert senco.get(reverse("exchange:roster-commit", args=[batch.public_id])).status_code == 405
    assert senco.get(reverse("exchange:import-abandon", args=[batch.public_id])).status_code == 405
    assert senco.post(reverse("exchange:roster-preview", args=[batch.public_id])).status_code == 405
    assert senco.post(reverse("exchange:import-list")).status_code == 405


# ----- the journey -----


def test_upload_columns_preview_import_and_result(cast, senco):
    response = upload(senco, sample("sims.csv"), "SIMS export.csv")
    batch = batch_of(response)
    mapping_page = senco.get(reverse("exchange:roster-mapping", args=[batch.public_id]))
    text = text_of(mapping_page)
    assert "Legal Surname" in text and "For example: Okafor, Ní Bhriain, Patel" in text
    # Recognised without a saved mapping: the select shows the field chosen.
    assert re.search(r'<option value="legal_surname" selected>', mapping_page.content.decode())

    batch, preview = journey(senco, sample("sims.csv"))
    text = text_of(preview)
    assert "Nothing has been imported yet" in text
    assert "New pupil: Chidi Okafor, Year 8, SEN provision K" in text
    assert "Classes to add for this school year: 8C" in text
    assert "Import 3 pupils" in text and error_summary(preview) == ""

    response = senco.post(reverse("exchange:roster-commit", args=[batch.public_id]))
    assert response["Location"] == reverse("exchange:import-detail", args=[batch.public_id])
    result = senco.get(response["Location"])
    text = text_of(result)
    assert "The roster has been imported." in text
    assert "New pupils added 3" in text and "Classes added 1" in text
    with scope(school=[cast.school.pk]):
        assert Pupil.objects.filter(upn__in=["M873400115001", "B873400115002", "Q873400115003"]).count() == 3
        actions = list(AuditEvent.objects.filter(action__startswith="exchange.").values_list("action", flat=True))
    assert actions.count("exchange.pupil.imported") == 3
    assert {"exchange.import.checked", "exchange.import.committed"} <= set(actions)
    batch.refresh_from_db()
    assert batch.status == Status.COMMITTED and not batch.file.name
    # Only counts stay on a finished batch: not the example cells, not the row-by-row plan.
    assert "samples" not in batch.summary and "listed" not in batch.summary and batch.summary["result"]["created"] == 3


def records():
    """What an import could change, without the audit trail (checking a file is itself audited)."""
    return fingerprint(audit=False), class_rows()


def test_a_file_with_problems_lists_them_all_and_offers_no_import(cast, senco):
    before = records()
    batch, preview = journey(senco, sample("impossible-dates.csv"))
    summary = error_summary(preview)
    assert "Row 2, DOB: 31/02/2013 is not a real date." in summary
    assert "Row 3, DOB: 03/14/2013 looks like month first" in summary
    assert "Row 4, Admission Date" in summary
    assert 'href="#problem-1"' in preview.content.decode() and 'id="problem-1"' in preview.content.decode()
    assert "Import" not in text_of(preview).split("Finish without importing")[0].split("Problems to put right")[-1]
    assert records() == before
    response = senco.post(reverse("exchange:roster-commit", args=[batch.public_id]))
    assert response.status_code == 302
    assert records() == before
    with scope(school=[cast.school.pk]):
        actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert actions == {"exchange.import.checked"}


def test_a_file_that_is_not_a_roster_is_rejected_on_the_upload_page(cast, senco):
    before = fingerprint()
    response = upload(senco, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "pupils.xls")
    assert response.status_code == 200
    assert "old Excel workbook (.xls)" in error_summary(response)
    with scope(school=[cast.school.pk]):
        batch = ImportBatch.objects.get()
        assert AuditEvent.objects.filter(action="exchange.import.rejected").count() == 1
    assert batch.status == Status.REJECTED and not batch.file.name
    assert fingerprint()["pupils"] == before["pupils"]


def test_missing_required_columns_are_named_on_the_columns_page(cast, senco):
    response = upload(senco, sample("missing-columns.csv"))
    batch = batch_of(response)
    response = senco.post(reverse("exchange:roster-mapping", args=[batch.public_id]), mapping_post(batch))
    assert response.status_code == 200
    summary = error_summary(response)
    assert "Choose the column that holds “Date of birth”" in summary and "“Sex”" in summary


def test_remembered_columns_are_used_for_the_next_file_with_the_same_header_row(cast, senco):
    headers = ["Pupil ref", "Family", "Given", "Born", "Yr grp", "M/F"]
    data = csv_bytes([["M873400115001", "Okafor", "Chidi", "14/03/2013", "8", "M"]], headers=headers)
    response = upload(senco, data)
    batch = batch_of(response)
    chosen = dict(zip(headers, ["upn", "legal_surname", "legal_forename", "date_of_birth", "year_group", "sex"],
                      strict=True))  # fmt: skip
    response = senco.post(
        reverse("exchange:roster-mapping", args=[batch.public_id]), mapping_post(batch, remember=True, **chosen)
    )
    assert response.status_code == 302, error_summary(response)
    with scope(school=[cast.school.pk]):
        saved = ColumnMapping.objects.get(school=cast.school)
        assert AuditEvent.objects.filter(action="exchange.mapping.saved").count() == 1
    assert saved.mapping == chosen
    second = batch_of(upload(senco, data))
    assert second.mapping == chosen and second.summary["saved_mapping"] is True
    page = senco.get(reverse("exchange:roster-mapping", args=[second.public_id]))
    assert "same columns as one imported before" in text_of(page)


def test_abandoning_deletes_the_file_and_imports_nothing(cast, senco):
    batch, _preview = journey(senco, sample("sims.csv"))
    before = fingerprint()
    response = senco.post(reverse("exchange:import-abandon", args=[batch.public_id]))
    assert response["Location"] == reverse("exchange:import-list")
    batch.refresh_from_db()
    assert batch.status == Status.ABANDONED and not batch.file.name
    assert fingerprint()["pupils"] == before["pupils"]
    # The pages of an abandoned batch send the person to its result page.
    response = senco.get(reverse("exchange:roster-preview", args=[batch.public_id]))
    assert response["Location"] == reverse("exchange:import-detail", args=[batch.public_id])


def test_pressing_import_twice_imports_once(cast, senco):
    batch, _preview = journey(senco, sample("sims.csv"))
    senco.post(reverse("exchange:roster-commit", args=[batch.public_id]))
    after_first = fingerprint()
    response = senco.post(reverse("exchange:roster-commit", args=[batch.public_id]))
    assert response["Location"] == reverse("exchange:import-detail", args=[batch.public_id])
    assert fingerprint() == after_first


def test_the_import_list_shows_recent_imports_of_the_school(cast, senco, client_for):
    journey(senco, sample("sims.csv"), name="autumn.csv")
    other_client = client_for(cast.other_senco)
    upload(other_client, sample("bromcom.csv"), "brookfield.csv")
    text = text_of(senco.get(reverse("exchange:import-list")))
    assert "autumn.csv" in text and "Sam Senco" in text and "brookfield.csv" not in text


# ----- large files: in the background, with progress -----


def test_a_large_file_imports_in_the_background_with_progress_readable_meanwhile(
    cast, senco, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.WAYMARK_IMPORT_BACKGROUND_ROWS = 20
    monkeypatch.setattr(commit_module, "PROGRESS_EVERY", 10)
    batch, preview = journey(senco, csv_bytes(generated_rows(45)))
    assert "imported in the background" in text_of(preview)
    seen = []
    real_progress = batch_module.batch_progress

    def progress_and_look(running, done):
        real_progress(running, done)
        # What the progress page shows at this moment, mid-transaction, as htmx polls it.
        page = senco.get(reverse("exchange:import-detail", args=[running.public_id]), headers={"HX-Request": "true"})
        seen.append(text_of(page))

    monkeypatch.setattr("waymark.exchange.roster.batch_progress", progress_and_look)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = senco.post(reverse("exchange:roster-commit", args=[batch.public_id]))
    assert len(callbacks) >= 1  # the task was queued after the request's writes
    assert "10 of 45 rows imported (22%)." in seen[0] and "40 of 45 rows imported (89%)." in seen[3]
    result = senco.get(response["Location"])
    assert "New pupils added 45" in text_of(result)
    batch.refresh_from_db()
    assert batch.status == Status.COMMITTED and batch.rows_done == 45


def test_the_progress_page_polls_only_while_running_and_works_without_javascript(cast, senco):
    batch, _preview = journey(senco, sample("sims.csv"))
    with scope(school=[cast.school.pk]):
        from waymark.core.actor import Actor

        running = batch_module.batch_start(actor=Actor.for_user(cast.senco), batch=batch)
        batch_module.batch_progress(running, 2)
    url = reverse("exchange:import-detail", args=[batch.public_id])
    page = senco.get(url)
    content = page.content.decode()
    assert 'hx-trigger="every 3s"' in content and 'aria-live="polite"' in content
    assert "2 of 3 rows imported (67%)." in text_of(page)
    assert f'href="{url}"' in content  # "Refresh this page", for anyone without JavaScript
    fragment = senco.get(url, headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode() and "2 of 3 rows" in text_of(fragment)
    with scope(school=[cast.school.pk]):
        batch_module.batch_fail(batch=running, message="Stopped.")
    finished = senco.get(url, headers={"HX-Request": "true"})
    assert finished.headers.get("HX-Refresh") == "true"
    assert "hx-trigger" not in senco.get(url).content.decode()


# ----- a fixed number of queries -----


@pytest.mark.parametrize("page", ["exchange:roster-preview", "exchange:roster-mapping", "exchange:import-detail"])
def test_pages_run_the_same_queries_for_a_small_or_a_large_file(cast, senco, page, django_assert_max_num_queries):
    small, _ = journey(senco, csv_bytes(generated_rows(5)))
    large, _ = journey(senco, csv_bytes(generated_rows(400, start=500)))
    counts = []
    for batch in (small, large):
        with django_assert_max_num_queries(12) as captured:
            assert senco.get(reverse(page, args=[batch.public_id])).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_checking_runs_the_same_queries_for_a_small_or_a_large_file(cast, senco, django_assert_max_num_queries):
    counts = []
    for rows in (generated_rows(5), generated_rows(400, start=500)):
        batch = batch_of(upload(senco, csv_bytes(rows)))
        url = reverse("exchange:roster-mapping", args=[batch.public_id])
        with django_assert_max_num_queries(30) as captured:
            assert senco.post(url, mapping_post(batch)).status_code == 302
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_import_list_runs_a_fixed_number_of_queries(cast, senco, django_assert_max_num_queries):
    journey(senco, sample("sims.csv"))
    with django_assert_max_num_queries(15) as few:
        senco.get(reverse("exchange:import-list"))
    for _ in range(4):
        upload(senco, sample("bromcom.csv"))
    with django_assert_max_num_queries(15) as more:
        senco.get(reverse("exchange:import-list"))
    assert len(few) == len(more)


def test_kinds_are_kept_apart(cast, senco):
    batch, _preview = journey(senco, sample("sims.csv"))
    with scopes_disabled():
        ImportBatch.objects.filter(pk=batch.pk).update(kind=ImportKind.CTF)
    assert senco.get(reverse("exchange:roster-preview", args=[batch.public_id])).status_code == 404
