"""Committing a batch in the background: one task for a roster and a CTF alike, a batch that cannot be
queued fails saying so, and an import its worker never finished is failed by the retention run.
"""

import datetime
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent
from waymark.exchange import batches, tasks
from waymark.exchange.models import ImportBatch, ImportKind
from waymark.exchange.retention import retention_apply
from waymark.tests.helpers import error_summary, text_of

from .ctf_helpers import ctf_bytes, numbered_as_in_files
from .roster_files import mapping_post, sample, upload_roster

Status = ImportBatch.Status
LONG_AGO = timezone.now() - datetime.timedelta(days=2)


def roster_batch(client):
    """A roster uploaded and checked through the pages, its recognised columns accepted."""
    batch = upload_roster(client, sample("sims.csv"), "p.csv")
    assert (
        client.post(reverse("exchange:roster-mapping", args=[batch.public_id]), mapping_post(batch)).status_code == 302
    )
    return batch


def ctf_batch(client):
    response = client.post(
        reverse("exchange:ctf-upload"),
        {"upload": SimpleUploadedFile("dfe.xml", ctf_bytes("dfe_several_pupils.xml"), content_type="text/xml")},
    )
    assert response.status_code == 302, error_summary(response)
    with scopes_disabled():
        return ImportBatch.objects.get(kind=ImportKind.CTF)


def fresh(batch):
    with scopes_disabled():
        return ImportBatch.objects.get(pk=batch.pk)


def commit_url(batch):
    name = "exchange:roster-commit" if batch.kind == ImportKind.ROSTER else "exchange:ctf-commit"
    return reverse(name, args=[batch.public_id])


# ----- one task for every kind -----


def test_a_roster_and_a_ctf_both_go_through_the_one_background_task(
    cast, senco, settings, monkeypatch, django_capture_on_commit_callbacks
):
    numbered_as_in_files(cast.school)
    settings.WAYMARK_IMPORT_BACKGROUND_ROWS = 1
    ran = []
    real_commit_for = tasks._commit_for
    monkeypatch.setattr(tasks, "_commit_for", lambda kind: ran.append(kind) or real_commit_for(kind))
    for batch in (roster_batch(senco), ctf_batch(senco)):
        with django_capture_on_commit_callbacks(execute=True):
            response = senco.post(commit_url(batch))
        assert response["Location"] == reverse("exchange:import-detail", args=[batch.public_id])
        assert fresh(batch).status == Status.COMMITTED
    assert ran == [ImportKind.ROSTER, ImportKind.CTF]
    with scopes_disabled():
        events = AuditEvent.objects.filter(action="exchange.import.committed")
        # Acting as whoever pressed "Import", as a page would.
        assert {event.actor_id for event in events} == {cast.senco.pk}


def test_the_task_imports_nothing_for_a_kind_it_does_not_commit(cast, senco):
    batch = roster_batch(senco)
    with scopes_disabled():
        ImportBatch.objects.filter(pk=batch.pk).update(kind=ImportKind.TRANSFER, status=Status.QUEUED)
    with pytest.raises(ImportBatch.DoesNotExist):
        tasks.commit_batch_task.call(school_id=cast.school.pk, batch_id=str(batch.public_id), user_id=cast.senco.pk)


def test_a_batch_that_cannot_be_queued_fails_saying_so(
    cast, senco, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.WAYMARK_IMPORT_BACKGROUND_ROWS = 1
    batch = roster_batch(senco)

    class Unreachable:
        def enqueue(self, **arguments):
            raise ConnectionError("no worker queue")

    monkeypatch.setattr(tasks, "commit_batch_task", Unreachable())
    with django_capture_on_commit_callbacks(execute=True):
        response = senco.post(commit_url(batch))
    assert fresh(batch).status == Status.FAILED
    page = text_of(senco.get(response["Location"]))
    assert "Failed: nothing imported" in page and "The import could not be started. Try again." in page


# ----- an import its worker never finished -----


def age(batch, *, progress_too=True):
    """Make ``batch`` look uploaded two days ago, with its last progress then too."""
    with scopes_disabled():
        ImportBatch.objects.filter(pk=batch.pk).update(created_at=LONG_AGO)
    if progress_too:
        stamp = LONG_AGO.timestamp()
        os.utime(batches._progress_path(batch), (stamp, stamp))


def run_retention(cast):
    with scope(school=[cast.school.pk]):
        retention_apply(actor=Actor.system(cast.school), school=cast.school)


def test_an_import_left_running_or_queued_for_a_day_is_failed_by_the_retention_run(cast, senco):
    actor = Actor.for_user(cast.senco)
    running, queued, alive = roster_batch(senco), roster_batch(senco), roster_batch(senco)
    with scope(school=[cast.school.pk]):
        batches.batch_start(actor=actor, batch=running)
        batches.batch_queue(actor=actor, batch=queued)
        alive = batches.batch_start(actor=actor, batch=alive)
    for batch in (running, queued, alive):
        age(batch)
    # Still moving: a row went in a moment ago.
    batches.batch_progress(alive, 1)

    run_retention(cast)

    for batch in (running, queued):
        batch = fresh(batch)
        assert batch.status == Status.FAILED and not batch.file.name
        assert "The import stopped before it finished" in batch.problems[-1]["message"]
        page = text_of(senco.get(reverse("exchange:import-detail", args=[batch.public_id])))
        assert "Failed: nothing imported" in page and "upload the file again" in page
        assert "rows imported" not in page
    assert fresh(alive).status == Status.RUNNING
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="exchange.import.failed").count() == 2


def test_a_recent_import_is_left_running(cast, senco):
    batch = roster_batch(senco)
    with scope(school=[cast.school.pk]):
        batches.batch_start(actor=Actor.for_user(cast.senco), batch=batch)
    run_retention(cast)
    assert fresh(batch).status == Status.RUNNING
