"""The life of an uploaded import file (roster, CTF or transfer package): opened, previewed, then
committed, rejected, abandoned or failed. Every kind of import goes through these functions, so
the file handling, the statuses and the audit trail are the same for all of them.

    PREVIEWED ──commit──> (QUEUED ──>) RUNNING ──> COMMITTED
        │                                  └─────> FAILED
        ├──reject──> REJECTED
        └──abandon─> ABANDONED

The file is kept on private storage under a random name while the batch is waiting (the
preview and the commit are separate requests, or a background task), and deleted as soon as
the batch reaches an end state: the data it held is then in the pupils' records or nowhere.

Progress while committing. The commit runs in ONE transaction (nothing half-imported), so a
``rows_done`` written to the batch's row inside it is invisible to the progress page until
the end on PostgreSQL, and on SQLite it would be a write competing with the import's own
lock. So progress is written outside the database, as a small file beside the uploaded one
(``imports/progress/<public id>.json``, replaced atomically). It needs nothing the import
does not already need: the background worker must share the private storage with the web
server to read the uploaded file in the first place. ``batch_rows_done`` reads it while the
batch is RUNNING; the batch's own ``rows_done`` is set when the batch ends.
"""

import contextlib
import datetime
import hashlib
import json
import os
import secrets
import tempfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waymark.core.audit import audit_record
from waymark.core.services import require
from waymark.evidence.storage import private_storage
from waymark.evidence.uploads import size_label

from .models import ImportBatch
from .permissions import can_import, require_importer

Status = ImportBatch.Status
WAITING = (Status.PREVIEWED,)
END_STATES = (Status.REJECTED, Status.COMMITTED, Status.FAILED, Status.ABANDONED)
PROGRESS_FOLDER = "imports/progress"
# Problems kept on a batch and listed on its pages: a file wrong throughout (20,000 bad rows) would
# otherwise make a page nobody can use. The preview's counts still say how many there are.
PROBLEMS_LISTED = 1000
# An import queued or running with no sign of life for this long was lost with its worker.
STUCK_AFTER = datetime.timedelta(days=1)


def max_import_bytes():
    return settings.WAYMARK_IMPORT_MAX_BYTES


def _read_upload(uploaded_file, limit):
    """The whole upload, refusing one over ``limit`` bytes before reading it all."""
    too_large = _("The file is %(size)s. An import file must be %(limit)s or smaller.")
    if uploaded_file.size is not None and uploaded_file.size > limit:
        raise ValidationError(
            {"upload": too_large % {"size": size_label(uploaded_file.size), "limit": size_label(limit)}},
            code="too_large",
        )
    uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:  # the size the browser claimed was wrong
        raise ValidationError(
            {
                "upload": _("The file is larger than %(limit)s, the most an import file may be.")
                % {"limit": size_label(limit)}
            },
            code="too_large",
        )
    if not data:
        raise ValidationError({"upload": _("The file is empty.")}, code="empty")
    return data


def _problem(message, *, row=0, column=""):
    return {"row": row, "column": column, "message": str(message)}


def _delete_file_on_commit(batch):
    """Delete the stored file once the end state is saved; kept if the transaction rolls back."""
    name = batch.file.name
    if not name:
        return
    batch.file.name = ""

    def delete():
        with contextlib.suppress(OSError):
            private_storage().delete(name)
        _progress_clear(batch)

    transaction.on_commit(delete)


def _clean_name(name):
    # Only for showing back to the person (it is never used as a path): no folders, no controls.
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[:255] or _("unnamed file")


@transaction.atomic
def batch_open(*, actor, school, kind, uploaded_file, max_bytes=None):
    """Keep an uploaded file as a new batch of ``kind`` for ``school``, waiting for its preview.

    Who: those who may import into the school (``permissions.require_importer``).
    Guarantees: the file is at most ``max_bytes`` (``WAYMARK_IMPORT_MAX_BYTES`` unless
    given; a ``ValidationError`` on ``upload`` naming both sizes otherwise, and nothing
    stored); it is stored on private storage under a random name, never the one it came
    with, with its SHA-256 and size; the batch is PREVIEWED. Audited as
    ``exchange.import.checked``.
    """
    require_importer(actor, school)
    data = _read_upload(uploaded_file, max_import_bytes() if max_bytes is None else max_bytes)
    batch = ImportBatch(
        school=school,
        kind=kind,
        status=Status.PREVIEWED,
        original_name=_clean_name(getattr(uploaded_file, "name", "")),
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        created_by=actor.user,
    )
    batch.full_clean(exclude=["file"])
    batch.file.save(f"{secrets.token_hex(16)}.upload", ContentFile(data), save=False)
    try:
        batch.save()
        audit_record(
            actor=actor,
            action="exchange.import.checked",
            target=batch,
            school=school,
            data={"kind": kind, "size": batch.size, "sha256": batch.sha256},
        )
    except BaseException:
        batch.file.delete(save=False)
        raise
    return batch


def batch_bytes(batch):
    """The stored file's content. ``ValidationError`` if it is gone (the batch has ended)."""
    if not batch.file.name:
        raise ValidationError(_("The uploaded file is no longer kept: upload it again."), code="gone")
    try:
        with private_storage().open(batch.file.name, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise ValidationError(_("The uploaded file is no longer kept: upload it again."), code="gone") from None


@transaction.atomic
def batch_record_preview(*, batch, rows_total, summary, problems, mapping=None):
    """Save what the preview found on a waiting batch: the row count, the counts and every problem.

    No audit event of its own: the batch's opening is the event, and previews are repeated
    freely (a changed column mapping is a new preview of the same file).
    """
    batch = _locked(batch, WAITING)
    batch.rows_total = rows_total
    batch.summary = summary
    batch.problems = list(problems)
    fields = ["rows_total", "summary", "problems"]
    if mapping is not None:
        batch.mapping = mapping
        fields.append("mapping")
    batch.save(update_fields=fields)
    return batch


@transaction.atomic
def batch_reject(*, actor, batch, problems):
    """The file cannot be imported at all (not a spreadsheet, empty, ...): REJECTED, the file deleted.

    Audited as ``exchange.import.rejected`` with the number of problems (never their text,
    which may quote the file's content).
    """
    require_importer(actor, batch.school)
    batch = _locked(batch, WAITING)
    batch.status = Status.REJECTED
    batch.problems = list(problems)
    batch.finished_at = timezone.now()
    _delete_file_on_commit(batch)
    batch.save(update_fields=["status", "problems", "finished_at", "file"])
    audit_record(
        actor=actor,
        action="exchange.import.rejected",
        target=batch,
        school=batch.school,
        data={"kind": batch.kind, "problems": len(batch.problems)},
    )
    return batch


@transaction.atomic
def batch_abandon(*, actor, batch):
    """The person decided not to import a previewed file: ABANDONED, the file deleted.

    The kept preview, which names pupils (their rows, a package's pupil), is cut to its
    counts and its problems dropped: nobody will continue from it. Audited as
    ``exchange.import.abandoned``. Only a waiting batch can be abandoned.
    """
    require_importer(actor, batch.school)
    batch = _locked(batch, WAITING)
    batch.status = Status.ABANDONED
    batch.finished_at = timezone.now()
    batch.summary = _counts_only(batch.summary)
    batch.problems = []
    _delete_file_on_commit(batch)
    batch.save(update_fields=["status", "finished_at", "summary", "problems", "file"])
    audit_record(
        actor=actor, action="exchange.import.abandoned", target=batch, school=batch.school, data={"kind": batch.kind}
    )
    return batch


@transaction.atomic
def batch_queue(*, actor, batch):
    """A waiting batch with no errors is handed to the background worker: QUEUED.

    Refuses (``ValidationError``) a batch that is not waiting, so pressing "Import" twice
    starts one import.
    """
    require_importer(actor, batch.school)
    batch = _locked(batch, WAITING)
    batch.status = Status.QUEUED
    batch.save(update_fields=["status"])
    batch_progress(batch, 0)  # the first sign of life (``batch_fail_stuck``)
    return batch


@transaction.atomic
def batch_start(*, actor, batch):
    """Claim a waiting or queued batch for committing: RUNNING, progress at 0.

    Its own short transaction, before the import's: the progress page sees RUNNING at once,
    and a second request or worker for the same batch is refused (``ValidationError``).
    """
    require_importer(actor, batch.school)
    batch = _locked(batch, (Status.PREVIEWED, Status.QUEUED))
    batch.status = Status.RUNNING
    batch.rows_done = 0
    batch.save(update_fields=["status", "rows_done"])
    batch_progress(batch, 0)
    return batch


def batch_progress(batch, rows_done):
    """Record that ``rows_done`` rows of a running batch are through, visibly to other requests at once.

    Written outside the database (see the module's docstring), so it may be called inside
    the import's transaction and survives nothing but the run itself.
    """
    storage = private_storage()
    folder = storage.path(PROGRESS_FOLDER)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    payload = json.dumps({"rows_done": int(rows_done), "rows_total": batch.rows_total}).encode()
    # A temporary file renamed over the old one: a reader sees the old count or the new, never half.
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".progress-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
        os.replace(temporary, _progress_path(batch))
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def batch_rows_done(batch):
    """How many rows of ``batch`` are through: the live count while it runs, else the saved one."""
    if batch.status != Status.RUNNING:
        return batch.rows_done
    try:
        with open(_progress_path(batch), "rb") as handle:
            done = int(json.loads(handle.read())["rows_done"])
    except (OSError, ValueError, KeyError, TypeError):
        return batch.rows_done
    return max(0, min(done, batch.rows_total or done))


def batch_percent_done(batch):
    done = batch_rows_done(batch)
    return 100 if not batch.rows_total else min(100, round(100 * done / batch.rows_total))


def _progress_path(batch):
    return os.path.join(private_storage().path(PROGRESS_FOLDER), f"{batch.public_id}.json")


def _progress_clear(batch):
    with contextlib.suppress(OSError):
        os.unlink(_progress_path(batch))


@transaction.atomic
def batch_finish(*, actor, batch, summary):
    """The import's rows are in: COMMITTED with ``summary``, every row counted done, the file deleted.

    Call inside the import's transaction, so the batch says "Imported" exactly when the
    pupils are. Audited as ``exchange.import.committed`` with the counts.
    """
    require_importer(actor, batch.school)
    batch = _locked(batch, (Status.RUNNING,))
    batch.status = Status.COMMITTED
    batch.summary = summary
    batch.rows_done = batch.rows_total
    batch.finished_at = timezone.now()
    _delete_file_on_commit(batch)
    batch.save(update_fields=["status", "summary", "rows_done", "finished_at", "file"])
    audit_record(
        actor=actor,
        action="exchange.import.committed",
        target=batch,
        school=batch.school,
        data={"kind": batch.kind, "summary": _counts_only(summary)},
    )
    return batch


@transaction.atomic
def batch_fail(*, batch, message, actor=None):
    """The commit failed and was rolled back: FAILED, ``message`` kept as the batch's problem, the file deleted.

    Call after the import's transaction has rolled back (not inside it, or this goes too).
    Audited as ``exchange.import.failed``, by ``actor`` or else the person who uploaded the file.
    """
    batch = _locked(batch, (Status.PREVIEWED, Status.QUEUED, Status.RUNNING))
    batch.status = Status.FAILED
    batch.problems = [*batch.problems, _problem(message)]
    batch.finished_at = timezone.now()
    _delete_file_on_commit(batch)
    batch.save(update_fields=["status", "problems", "finished_at", "file"])
    audit_record(
        actor=actor if actor is not None else batch.created_by,
        action="exchange.import.failed",
        target=batch,
        school=batch.school,
        data={"kind": batch.kind},
    )
    return batch


def batch_fail_stuck(*, school, actor=None, now=None):
    """Fail ``school``'s imports left queued or running by a worker that stopped; return them.

    A batch is stuck when nothing has been heard of it for ``STUCK_AFTER``: not queued, started
    or moved on by a row since then (its progress file is the sign of life; the upload, when it
    has none). Each is ended through ``batch_fail`` (FAILED, the file deleted, audited as
    ``exchange.import.failed``) with a plain message, which its page shows. A batch that ends
    meanwhile is left as it ended.
    """
    cutoff = (now or timezone.now()) - STUCK_AFTER
    waiting = ImportBatch.objects.filter(
        school=school, status__in=[Status.QUEUED, Status.RUNNING], created_at__lt=cutoff
    ).order_by("created_at", "pk")
    failed = []
    for batch in waiting:
        if _last_sign_of_life(batch) >= cutoff:
            continue
        try:
            failed.append(
                batch_fail(
                    batch=batch,
                    actor=actor,
                    message=_(
                        "The import stopped before it finished (the server running it may have been restarted). "
                        "Nothing was imported: upload the file again."
                    ),
                )
            )
        except ValidationError:  # it finished or failed meanwhile
            continue
    return failed


def _last_sign_of_life(batch):
    try:
        moved = os.path.getmtime(_progress_path(batch))
    except OSError:
        return batch.created_at
    return max(batch.created_at, datetime.datetime.fromtimestamp(moved, tz=datetime.UTC))


def batch_get(actor, public_id):
    """One batch of the actor's school, for someone who may import; ``ImportBatch.DoesNotExist`` otherwise."""
    return batch_list(actor).get(public_id=public_id)


def batch_list(actor):
    """The batches of the actor's school, newest first, for someone who may import (else none)."""
    if not can_import(actor) or actor.school is None:
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(school=actor.school).select_related("created_by")


def _locked(batch, allowed):
    """The batch re-read under a row lock, refused unless its status is one of ``allowed``."""
    fresh = ImportBatch.objects.select_for_update().filter(pk=batch.pk).order_by("pk").first()
    require(fresh is not None)
    if fresh.status not in allowed:
        raise ValidationError(
            _("This import is already %(status)s.") % {"status": fresh.get_status_display().lower()},
            code="wrong_status",
        )
    return fresh


def _counts_only(summary):
    """The numbers in a preview or result, nested ones too (a package's ``counts``), and nothing that names anyone."""
    kept = {}
    for key, value in (summary or {}).items():
        if isinstance(value, int) and not isinstance(value, bool):
            kept[key] = value
        elif isinstance(value, dict) and (counts := _counts_only(value)):
            kept[key] = counts
    return kept
