"""Importing a checked CTF: every pupil's plan applied through the services, in one transaction.

The file is checked again inside the transaction, against the records as they are now (the
preview may be minutes old), and nothing is written if any problem is found. Every write goes
through a service (``pupil_create``, ``pupil_update``, ``need_add`` and this package's
``sen_history_add`` and ``need_history_add``), each checking permission and writing its own
audit event; each pupil imported or updated gets one more event saying it came from a file.
"""

import hashlib

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from waymark.core.audit import audit_record
from waymark.exchange.batches import (
    batch_bytes,
    batch_fail,
    batch_finish,
    batch_open,
    batch_progress,
    batch_record_preview,
    batch_reject,
    batch_start,
)
from waymark.exchange.models import ImportKind
from waymark.exchange.permissions import require_importer
from waymark.pupils.models import NeedType
from waymark.pupils.services import need_add, pupil_create, pupil_update

from .history import need_history_add, sen_history_add
from .preview import check_file


class CTFNotImported(ValidationError):
    """The file has problems (``result`` holds them all): nothing was imported."""

    def __init__(self, result):
        count = len(result.problems)
        first = result.problems[0]["message"] if result.problems else ""
        message = ngettext(
            "The file has %(count)d problem, so nothing was imported: %(first)s",
            "The file has %(count)d problems, so nothing was imported. The first: %(first)s",
            count,
        ) % {"count": count, "first": first}
        super().__init__(message, code="ctf_problems")
        self.result = result


@transaction.atomic
def ctf_import(*, actor, school, data, progress=None, source=None):
    """Import ``data`` (a CTF's bytes) into ``school``: all of it, or nothing (``CTFNotImported``).

    Guarantees: only someone who may import into the school (``require_importer``); the file
    is re-checked against the records as they are now; pupils are created or updated exactly
    as ``ctf.preview`` describes, and nothing of the school's own record is replaced. Returns
    the counts. ``progress(done)`` is called after each pupil; ``source`` (the batch) is
    named in each pupil's audit event. With no batch (the command), the import itself is
    audited here as ``exchange.import.committed``; a batch's is audited by ``batch_finish``.
    """
    require_importer(actor, school)
    result = check_file(school=school, data=data, today=actor.today)
    if not result.ok:
        raise CTFNotImported(result)
    need_types = {need_type.code: need_type for need_type in NeedType.objects.all()}
    source_data = {"kind": "ctf", "batch": str(source.public_id)} if source is not None else {"kind": "ctf"}
    for done, plan in enumerate(result.plans, start=1):
        if plan.kind == "create":
            _create(actor, school, plan, need_types, source_data)
        elif plan.kind == "update":
            _update(actor, plan, need_types, source_data)
        if progress is not None:
            progress(done)
    counts = {
        key: value for key, value in result.counts().items() if key in ("pupils", "created", "updated", "skipped")
    }
    if source is None:
        audit_record(
            actor=actor,
            action="exchange.import.committed",
            school=school,
            data={"kind": "ctf", "sha256": hashlib.sha256(data).hexdigest(), "summary": counts},
        )
    return counts


def ctf_batch_open(*, actor, school, uploaded_file):
    """Keep an uploaded CTF as a batch and check it; return (the batch, the check's ``CheckResult``).

    A file that cannot be read as a CTF at all is rejected (``batch_reject``: REJECTED, the
    file deleted); otherwise the preview and every problem are saved on the waiting batch.
    ``ValidationError`` (and nothing kept) for a file over the size limit or empty.
    """
    batch = batch_open(actor=actor, school=school, kind=ImportKind.CTF, uploaded_file=uploaded_file)
    result = check_file(school=school, data=batch_bytes(batch), today=actor.today)
    if result.rejected:
        return batch_reject(actor=actor, batch=batch, problems=result.problems), result
    batch = batch_record_preview(
        batch=batch, rows_total=result.pupils_in_file, summary=result.summary(), problems=result.problems
    )
    return batch, result


def ctf_batch_commit(*, actor, batch):
    """Import a previewed CTF batch now. Returns the batch, COMMITTED or FAILED.

    The batch is claimed first (``batch_start``: a second press of the button, or a second
    worker, gets a ``ValidationError`` and changes nothing). The import and the batch's
    COMMITTED status are one transaction; if the import fails, it rolls back whole and the
    batch is marked FAILED with the reason. For the page and for a background task alike.
    """
    batch = batch_start(actor=actor, batch=batch)
    try:
        data = batch_bytes(batch)
        with transaction.atomic():
            counts = ctf_import(
                actor=actor,
                school=batch.school,
                data=data,
                progress=lambda done: batch_progress(batch, done),
                source=batch,
            )
            # The preview's lists stay, so the result page can say what was imported.
            return batch_finish(actor=actor, batch=batch, summary={**batch.summary, **counts})
    except ValidationError as error:
        return batch_fail(batch=batch, message=" ".join(error.messages), actor=actor)
    except IntegrityError:
        # Another import or person added the same pupil at the same moment: the database refused.
        return batch_fail(
            batch=batch,
            message=_("Someone else changed these pupils' records while the file was importing. Upload it again."),
            actor=actor,
        )


def _create(actor, school, plan, need_types, source_data):
    current = plan.current
    pupil = pupil_create(
        actor=actor,
        school=school,
        provision=current["provision"],
        tier=current["tier"],
        status_from=current["starts_on"],
        **plan.fields,
    )
    _add_history(actor, pupil, plan, need_types)
    audit_record(actor=actor, action="exchange.pupil.imported", target=pupil, pupil=pupil, data=source_data)


def _update(actor, plan, need_types, source_data):
    pupil = plan.pupil
    if plan.fields:
        pupil = pupil_update(actor=actor, pupil=pupil, expected_version=pupil.lock_version, **plan.fields)
    _add_history(actor, pupil, plan, need_types)
    audit_record(
        actor=actor,
        action="exchange.pupil.import_updated",
        target=pupil,
        pupil=pupil,
        data={
            **source_data,
            "fields": sorted(plan.fields),
            "history": len(plan.history),
            "needs": len(plan.open_needs) + len(plan.closed_needs),
        },
    )


def _add_history(actor, pupil, plan, need_types):
    for period in plan.history:
        sen_history_add(
            actor=actor,
            pupil=pupil,
            provision=period["provision"],
            tier=period["tier"],
            starts_on=period["starts_on"],
            ends_on=period["ends_on"],
        )
    for need in plan.closed_needs:
        need_history_add(
            actor=actor,
            pupil=pupil,
            need_type=need_types[need["code"]],
            rank=need["rank"],
            starts_on=need["starts_on"],
            ends_on=need["ends_on"],
        )
    for need in sorted(plan.open_needs, key=lambda need: need["rank"]):
        need_add(
            actor=actor, pupil=pupil, need_type=need_types[need["code"]], rank=need["rank"], starts_on=need["starts_on"]
        )


def problems_text(problems):
    """Each problem on a line, for the command and for logs: "Pupil 3 (...), DOB: message"."""
    lines = []
    for item in problems:
        where = ", ".join(
            part
            for part in (item.get("pupil") or (_("File") if not item.get("row") else ""), item.get("column"))
            if part
        )
        lines.append(f"{where}: {item['message']}" if where else item["message"])
    return lines
