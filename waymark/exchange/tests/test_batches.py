"""The life of an import batch: the file kept privately and dropped at the end, statuses that only
move forward, the audit trail, who may touch a batch, and progress another request can read
while the import's own transaction is still open.
"""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django_scopes import scope

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent
from waymark.evidence.storage import private_storage
from waymark.exchange import batches
from waymark.exchange.models import ImportBatch, ImportKind

Status = ImportBatch.Status
CSV = b"UPN,Surname,Forename\r\n"


def upload(data=CSV, name="pupils.csv"):
    return SimpleUploadedFile(name, data, content_type="text/csv")


def actor_for(cast, user=None):
    return Actor.for_user(user or cast.senco)


def open_batch(cast, data=CSV, name="pupils.csv", user=None):
    with scope(school=[cast.school.pk]):
        return batches.batch_open(
            actor=actor_for(cast, user), school=cast.school, kind=ImportKind.ROSTER, uploaded_file=upload(data, name)
        )


def actions(cast):
    with scope(school=[cast.school.pk]):
        return list(AuditEvent.objects.filter(action__startswith="exchange.import").values_list("action", flat=True))


def test_open_keeps_the_file_privately_under_a_random_name(cast):
    batch = open_batch(cast, name="../../etc/Year 8 export.csv")
    assert batch.status == Status.PREVIEWED
    assert batch.size == len(CSV) and len(batch.sha256) == 64
    assert batch.original_name == "Year 8 export.csv"
    assert "Year 8" not in batch.file.name and batch.file.name.startswith("imports/")
    assert private_storage().exists(batch.file.name)
    assert batches.batch_bytes(batch) == CSV
    assert actions(cast) == ["exchange.import.checked"]


def test_a_file_over_the_limit_is_refused_naming_both_sizes_and_nothing_is_kept(cast, settings):
    settings.WAYMARK_IMPORT_MAX_BYTES = 2048
    with pytest.raises(ValidationError) as refused:
        open_batch(cast, data=b"x" * 5000)
    message = " ".join(refused.value.message_dict["upload"])
    assert "4.9 KB" in message and "2 KB" in message
    with scope(school=[cast.school.pk]):
        assert not ImportBatch.objects.exists()
    assert actions(cast) == []


def test_an_empty_file_is_refused(cast):
    with pytest.raises(ValidationError, match="empty"):
        open_batch(cast, data=b"")


@pytest.mark.parametrize("who", ["head", "dsl", "teacher", "trust_lead", "parent", "other_senco"])
def test_only_those_who_edit_every_pupil_may_open_a_batch(cast, who):
    with pytest.raises(PermissionDenied):
        open_batch(cast, user=getattr(cast, who))


def test_a_deputy_senco_may_import(cast):
    from waymark.tests import factories as f

    deputy = f.MembershipFactory(school=cast.school, roles=["deputy_senco"]).user
    assert open_batch(cast, user=deputy).status == Status.PREVIEWED


def test_reject_and_abandon_end_the_batch_and_delete_the_file(cast, django_capture_on_commit_callbacks):
    first, second = open_batch(cast), open_batch(cast)
    names = (first.file.name, second.file.name)
    with scope(school=[cast.school.pk]), django_capture_on_commit_callbacks(execute=True):
        actor = actor_for(cast)
        rejected = batches.batch_reject(actor=actor, batch=first, problems=[{"row": 0, "column": "", "message": "x"}])
        abandoned = batches.batch_abandon(actor=actor, batch=second)
    assert (rejected.status, abandoned.status) == (Status.REJECTED, Status.ABANDONED)
    assert rejected.finished_at and abandoned.finished_at and rejected.problems[0]["message"] == "x"
    assert not any(private_storage().exists(name) for name in names)
    assert rejected.file.name == "" and abandoned.file.name == ""
    with pytest.raises(ValidationError, match="no longer kept"):
        batches.batch_bytes(rejected)
    assert sorted(actions(cast)) == sorted(
        ["exchange.import.checked"] * 2 + ["exchange.import.rejected", "exchange.import.abandoned"]
    )


def test_an_ended_batch_cannot_be_ended_or_started_again(cast):
    batch = open_batch(cast)
    with scope(school=[cast.school.pk]):
        actor = actor_for(cast)
        batches.batch_abandon(actor=actor, batch=batch)
        for attempt in (
            lambda: batches.batch_abandon(actor=actor, batch=batch),
            lambda: batches.batch_start(actor=actor, batch=batch),
            lambda: batches.batch_record_preview(batch=batch, rows_total=1, summary={}, problems=[]),
        ):
            with pytest.raises(ValidationError, match="already abandoned"):
                attempt()


def test_starting_twice_is_refused(cast):
    batch = open_batch(cast)
    with scope(school=[cast.school.pk]):
        actor = actor_for(cast)
        batches.batch_queue(actor=actor, batch=batch)
        batches.batch_start(actor=actor, batch=batch)
        with pytest.raises(ValidationError, match="already importing"):
            batches.batch_start(actor=actor, batch=batch)


def test_record_preview_saves_counts_problems_and_mapping(cast):
    batch = open_batch(cast)
    with scope(school=[cast.school.pk]):
        problems = [{"row": 3, "column": "DOB", "message": "Enter a real date."}]
        saved = batches.batch_record_preview(
            batch=batch, rows_total=12, summary={"create": 11}, problems=problems, mapping={"DOB": "date_of_birth"}
        )
        saved.refresh_from_db()
    assert (saved.rows_total, saved.summary, saved.problems) == (12, {"create": 11}, problems)
    assert saved.mapping == {"DOB": "date_of_birth"}


def test_progress_is_readable_by_another_thread_while_the_import_transaction_is_open(cast):
    """The reader never touches the import's transaction: progress lives outside the database."""
    batch = open_batch(cast)
    with scope(school=[cast.school.pk]):
        actor = actor_for(cast)
        batch = batches.batch_record_preview(batch=batch, rows_total=500, summary={}, problems=[])
        running = batches.batch_start(actor=actor, batch=batch)
        seen = []

        def progress_page():
            seen.append((batches.batch_rows_done(running), batches.batch_percent_done(running)))

        with transaction.atomic():
            batches.batch_progress(running, 200)
            reader = threading.Thread(target=progress_page)
            reader.start()
            reader.join()
            batches.batch_progress(running, 450)
            reader = threading.Thread(target=progress_page)
            reader.start()
            reader.join()
    assert seen == [(200, 40), (450, 90)]


def test_finish_marks_every_row_done_and_deletes_the_file_with_the_commit(cast, django_capture_on_commit_callbacks):
    batch = open_batch(cast)
    name = batch.file.name
    with scope(school=[cast.school.pk]):
        actor = actor_for(cast)
        batch = batches.batch_record_preview(batch=batch, rows_total=3, summary={}, problems=[])
        batch = batches.batch_start(actor=actor, batch=batch)
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                batches.batch_progress(batch, 2)
                finished = batches.batch_finish(
                    actor=actor, batch=batch, summary={"created": 2, "updated": 1, "rows": [{"a": 1}]}
                )
                # Until the transaction commits, the file stays: a rollback must leave it for batch_fail.
                assert private_storage().exists(name)
    assert finished.status == Status.COMMITTED and finished.rows_done == 3
    assert batches.batch_rows_done(finished) == 3 and batches.batch_percent_done(finished) == 100
    assert not private_storage().exists(name)
    with scope(school=[cast.school.pk]):
        event = AuditEvent.objects.get(action="exchange.import.committed")
    assert event.data["summary"] == {"created": 2, "updated": 1}  # counts only, never row content


def test_fail_keeps_the_reason_and_deletes_the_file(cast, django_capture_on_commit_callbacks):
    batch = open_batch(cast)
    name = batch.file.name
    with scope(school=[cast.school.pk]):
        batch = batches.batch_start(actor=actor_for(cast), batch=batch)
        with django_capture_on_commit_callbacks(execute=True):
            failed = batches.batch_fail(batch=batch, message="Row 4: the class could not be added.")
        event = AuditEvent.objects.get(action="exchange.import.failed")
    assert failed.status == Status.FAILED and failed.problems[-1]["message"].startswith("Row 4")
    assert not private_storage().exists(name)
    assert event.actor == cast.senco


def test_batch_get_finds_only_the_actors_school_and_only_for_importers(cast):
    from waymark.tests import factories as f

    batch = open_batch(cast)
    with scope(school=[cast.school.pk]):
        assert batches.batch_get(actor_for(cast), batch.public_id) == batch
        with pytest.raises(ImportBatch.DoesNotExist):
            batches.batch_get(actor_for(cast, cast.head), batch.public_id)
    other_school_senco = f.MembershipFactory(school=cast.other_school, roles=["senco"]).user
    with scope(school=[cast.other_school.pk]), pytest.raises(ImportBatch.DoesNotExist):
        batches.batch_get(actor_for(cast, other_school_senco), batch.public_id)
