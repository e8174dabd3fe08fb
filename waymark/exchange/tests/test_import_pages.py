"""The pages every import shares, and the roster's columns and problems pages, as tidied: the list
offers all three imports and continues each kind; an import's page counts a CTF's result and keeps
its status with the progress htmx refreshes; a column is labelled by its header alone and its
choices remembered only when they read the file; a file wrong throughout lists its first problems.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.exchange import batches
from waymark.exchange.models import ColumnMapping, ImportBatch
from waymark.exchange.transfer.receive import transfer_check
from waymark.tests.helpers import error_summary, text_of

from .ctf_helpers import ctf_bytes, numbered_as_in_files
from .roster_files import csv_bytes, generated_rows, mapping_post, sample, upload_roster
from .transfer_support import PASSPHRASE, sealed
from .transfer_support import upload as package_upload

Status = ImportBatch.Status


@pytest.fixture(autouse=True)
def no_scanner(settings):
    settings.WAYMARK_VIRUS_SCANNER = "none"


def choose_columns(client, batch, remember=False, **overrides):
    return client.post(
        reverse("exchange:roster-mapping", args=[batch.public_id]), mapping_post(batch, remember, **overrides)
    )


def detail_url(batch):
    return reverse("exchange:import-detail", args=[batch.public_id])


def fresh(batch):
    with scopes_disabled():
        return ImportBatch.objects.get(pk=batch.pk)


# ----- the list, and continuing each kind -----


def test_the_import_list_offers_the_roster_the_ctf_and_a_transfer_package(senco):
    content = senco.get(reverse("exchange:import-list")).content.decode()
    for name in ("exchange:roster-upload", "exchange:ctf-upload", "exchange:transfer-import"):
        assert f'href="{reverse(name)}"' in content, name
    assert "Import a transfer package" in content


def test_a_waiting_transfer_package_is_reachable_from_the_list(cast, senco):
    with scope(school=[cast.school.pk]):
        batch = transfer_check(
            actor=Actor.for_user(cast.senco),
            school=cast.school,
            uploaded_file=package_upload(sealed()),
            passphrase=PASSPHRASE,
        )
    listed = senco.get(reverse("exchange:import-list")).content.decode()
    assert f'href="{detail_url(batch)}"' in listed
    detail = senco.get(detail_url(batch))
    assert "Continue this import" in text_of(detail)
    preview = reverse("exchange:transfer-preview", args=[batch.public_id])
    assert f'href="{preview}"' in detail.content.decode()
    assert senco.get(preview).status_code == 200


def test_a_failed_transfer_offers_the_transfer_upload_again(cast, senco):
    with scope(school=[cast.school.pk]):
        batch = transfer_check(
            actor=Actor.for_user(cast.senco),
            school=cast.school,
            uploaded_file=package_upload(sealed()),
            passphrase=PASSPHRASE,
        )
        batches.batch_fail(batch=batch, message="Stopped.")
    content = senco.get(detail_url(batch)).content.decode()
    assert f'href="{reverse("exchange:transfer-import")}"' in content and "Stopped." in content


# ----- an import's page -----


def test_an_imported_ctf_shows_what_was_imported(cast, senco):
    numbered_as_in_files(cast.school)
    response = senco.post(
        reverse("exchange:ctf-upload"),
        {"upload": SimpleUploadedFile("dfe.xml", ctf_bytes("dfe_several_pupils.xml"), content_type="text/xml")},
    )
    assert response.status_code == 302, error_summary(response)
    with scopes_disabled():
        batch = ImportBatch.objects.get()
    senco.post(reverse("exchange:ctf-commit", args=[batch.public_id]))
    page = text_of(senco.get(detail_url(batch)))
    assert "What was imported" in page
    assert "New pupils added 5" in page and "Pupils updated 0" in page and "Pupils left as they were 0" in page


def test_the_status_is_refreshed_with_the_progress_while_the_import_waits_and_runs(cast, senco):
    batch = upload_roster(senco, sample("sims.csv"))
    assert choose_columns(senco, batch).status_code == 302
    actor = Actor.for_user(cast.senco)
    fragment = {"HX-Request": "true"}
    with scope(school=[cast.school.pk]):
        queued = batches.batch_queue(actor=actor, batch=fresh(batch))
    waiting = senco.get(detail_url(batch), headers=fragment)
    assert "<html" not in waiting.content.decode()
    assert re.search(r'govuk-tag[^"]*">Waiting to start<', waiting.content.decode())
    with scope(school=[cast.school.pk]):
        batches.batch_start(actor=actor, batch=queued)
    running = senco.get(detail_url(batch), headers=fragment).content.decode()
    assert re.search(r'govuk-tag[^"]*">Importing<', running) and "Waiting to start" not in running
    # The whole page has the one tag, inside what htmx replaces.
    page = senco.get(detail_url(batch)).content.decode()
    assert page.count('class="govuk-tag') == 1
    progress = page[page.index('id="import-progress"') :]
    assert 'class="govuk-tag' in progress


# ----- the roster's columns -----


def test_each_column_is_labelled_by_the_files_header_alone(cast, senco):
    batch = upload_roster(senco, sample("sims.csv"))
    content = senco.get(reverse("exchange:roster-mapping", args=[batch.public_id])).content.decode()
    labels = re.findall(r'<label class="govuk-label" for="id_column_\d+">([^<]*)</label>', content)
    assert labels == batch.summary["headers"]
    assert "(optional)" not in content


def test_choosing_not_to_import_a_column_is_still_an_answer(cast, senco):
    batch = upload_roster(
        senco, csv_bytes(generated_rows(2), headers=["UPN", "Surname", "Forename", "DOB", "Year", "Sex"])
    )
    response = choose_columns(senco, batch, UPN="")
    assert response.status_code == 302, error_summary(response)
    assert fresh(batch).mapping["UPN"] == ""


def test_choices_that_do_not_read_the_file_are_not_remembered(cast, senco):
    headers = ["Pupil ref", "Family", "Given", "Born", "Yr grp", "M/F"]
    chosen = dict(zip(headers, ["upn", "legal_surname", "legal_forename", "date_of_birth", "year_group", "sex"],
                      strict=True))  # fmt: skip
    # "Born" holds something other than dates: chosen as the date of birth, no cell reads.
    unreadable = upload_roster(senco, csv_bytes(generated_rows(2, born="Oak class"), headers=headers))
    response = choose_columns(senco, unreadable, remember=True, **chosen)
    assert response["Location"] == reverse("exchange:roster-preview", args=[unreadable.public_id])
    with scopes_disabled():
        assert not ColumnMapping.objects.exists()
    # The same choices on a file they read are remembered, even with a problem that is not about them.
    readable = upload_roster(senco, csv_bytes([*generated_rows(2), generated_rows(1)[0]], headers=headers))
    choose_columns(senco, readable, remember=True, **chosen)
    errors = [problem["message"] for problem in fresh(readable).problems if problem["severity"] == "error"]
    assert errors == ["Row 2 has this UPN too. A pupil can be in the file once."]
    with scopes_disabled():
        assert ColumnMapping.objects.get().mapping == chosen


# ----- a roster wrong throughout -----


def test_a_roster_wrong_throughout_lists_its_first_thousand_problems_and_counts_the_rest(cast, senco):
    batch = upload_roster(senco, csv_bytes(generated_rows(1050, born="31/02/2013")))
    assert choose_columns(senco, batch).status_code == 302
    batch = fresh(batch)
    assert len(batch.problems) == batches.PROBLEMS_LISTED == 1000
    assert batch.summary["errors"] == 1050
    preview = senco.get(reverse("exchange:roster-preview", args=[batch.public_id]))
    content = preview.content.decode()
    table = content[content.index('id="roster-problems-caption"') :]
    assert table.count('<tr class="govuk-table__row" id="problem-') == 1000
    assert "And 50 more problems, not listed" in text_of(preview)
    assert error_summary(preview).count("Row ") == 10
    assert "And 990 more problems, listed in the table below." in text_of(preview)
    assert not re.search(r"Import \d+ pupil", text_of(preview))


def test_problems_beyond_those_listed_still_stop_the_import(cast, senco):
    batch = upload_roster(senco, sample("sims.csv"))
    assert choose_columns(senco, batch).status_code == 302
    # As if the errors had all come after the first thousand problems, which are things to know.
    warning = {"row": 2, "column": "DOB", "message": "Just so you know.", "severity": "warning"}
    with scopes_disabled():
        kept = fresh(batch)
        ImportBatch.objects.filter(pk=batch.pk).update(problems=[warning], summary={**kept.summary, "errors": 3})
    preview = senco.get(reverse("exchange:roster-preview", args=[batch.public_id]))
    assert not re.search(r"Import \d+ pupil", text_of(preview)) and "<title>Error:" in preview.content.decode()
    response = senco.post(reverse("exchange:roster-commit", args=[batch.public_id]))
    assert response["Location"] == reverse("exchange:roster-preview", args=[batch.public_id])
    assert fresh(batch).status == Status.PREVIEWED
