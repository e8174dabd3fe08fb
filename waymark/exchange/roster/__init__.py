"""Roster import: pupils, classes, teachers and parents from a CSV or XLSX file exported by the MIS.

``reading`` turns the file into rows of text, ``headers`` says which column is which field,
``dates`` and ``values`` read cells, ``validation`` checks every row and plans it, and
``commit`` applies the plan in one transaction through the normal services. The functions
below tie those to an ``ImportBatch`` for the pages and the background task; the
``import_roster`` command uses the same parts without a batch.
"""

import logging

from django.utils.translation import gettext as _

from ..batches import (
    PROBLEMS_LISTED,
    batch_bytes,
    batch_fail,
    batch_finish,
    batch_open,
    batch_progress,
    batch_record_preview,
    batch_reject,
    batch_start,
)
from ..models import ImportKind
from .commit import RosterImportFailed, commit_roster
from .headers import mapping_for
from .reading import FileRejected, read_table
from .validation import check_roster

logger = logging.getLogger(__name__)

__all__ = [
    "FileRejected",
    "RosterImportFailed",
    "batch_table",
    "check_roster",
    "commit_roster",
    "mapping_for",
    "read_table",
    "roster_batch_check",
    "roster_batch_commit",
    "roster_batch_open",
]

SAMPLE_ROWS = 5  # rows whose values the mapping page shows as examples


def roster_batch_open(*, actor, school, uploaded_file):
    """Keep the uploaded file as a roster batch and read its header row; return the batch.

    A file that cannot be read is rejected (``batch_reject``) and ``FileRejected`` raised with
    the reasons. Otherwise the batch holds the headers, a few example values per column and the
    mapping to start from (the school's saved one for this header row, else the recognised names).
    """
    batch = batch_open(actor=actor, school=school, kind=ImportKind.ROSTER, uploaded_file=uploaded_file)
    try:
        table = batch_table(batch)
    except FileRejected as rejected:
        batch_reject(
            actor=actor, batch=batch, problems=[{"row": 0, "column": "", "message": m} for m in rejected.messages]
        )
        raise
    mapping, saved = mapping_for(school, table.headers)
    samples = {header: [cells[header] for _n, cells in table.rows[:SAMPLE_ROWS]] for header in table.headers}
    return batch_record_preview(
        batch=batch,
        rows_total=len(table.rows),
        summary={"headers": table.headers, "samples": samples, "saved_mapping": saved},
        problems=[],
        mapping=mapping,
    )


def batch_table(batch):
    """The batch's file read as a table (``FileRejected`` if it cannot be)."""
    return read_table(batch_bytes(batch))


def roster_batch_check(*, actor, batch, mapping, table=None):
    """Check the batch's file read through ``mapping`` and save the outcome on the batch; return the check.

    The batch keeps the first ``PROBLEMS_LISTED`` problems; its summary counts them all.
    """
    table = table if table is not None else batch_table(batch)
    check = check_roster(actor=actor, school=batch.school, table=table, mapping=mapping)
    # The header row and examples stay, so the mapping page can be opened again without reading the file.
    kept = {key: batch.summary[key] for key in ("headers", "samples", "saved_mapping") if key in batch.summary}
    batch_record_preview(
        batch=batch,
        rows_total=check.rows_total,
        summary={**kept, **check.summary(), "checked": True},
        problems=check.problems[:PROBLEMS_LISTED],
        mapping=mapping,
    )
    return check


def roster_batch_commit(*, actor, batch):
    """Import a checked batch, all or nothing: COMMITTED with the counts, or FAILED with the reason.

    Refuses (``ValidationError``) a batch that is not waiting or queued. Progress is
    reported through ``batch_progress`` while the rows go in.
    """
    batch = batch_start(actor=actor, batch=batch)
    # Once imported, the example cells and the row-by-row plan are not needed: only the counts stay.
    preview = {key: value for key, value in batch.summary.items() if key not in ("samples", "listed")}

    def finish(result):
        batch_finish(actor=actor, batch=batch, summary={**preview, "result": result})

    try:
        table = batch_table(batch)
        commit_roster(
            actor=actor,
            school=batch.school,
            table=table,
            mapping=batch.mapping,
            progress=lambda done: batch_progress(batch, done),
            on_success=finish,
        )
    except (RosterImportFailed, FileRejected) as failure:
        message = failure.message if isinstance(failure, RosterImportFailed) else " ".join(failure.messages)
        return batch_fail(batch=batch, message=message, actor=actor)
    except Exception:
        # A fault, not a refusal: the batch must not be left "Importing" for ever.
        logger.exception("Roster import %s failed", batch.public_id)
        batch_fail(batch=batch, message=_("Something went wrong on our side. Nothing was imported."), actor=actor)
        raise
    batch.refresh_from_db()
    return batch
