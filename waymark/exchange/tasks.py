"""Committing an import batch in the background (the django-tasks API): run by ``manage.py db_worker``,
inline in tests. One task for every kind of batch that can be large (a roster, a CTF).

Arguments are plain JSON values; the task re-reads the batch and the person who asked for
the import, so someone who lost the right to import between the click and the run imports
nothing (their batch fails, saying so).
"""

import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scope
from django_tasks import task

from waymark.core.actor import Actor
from waymark.schools.models import School

from . import batches, roster
from .ctf import commit as ctf_commit
from .models import ImportBatch, ImportKind

logger = logging.getLogger(__name__)
BACKGROUND_KINDS = (ImportKind.ROSTER, ImportKind.CTF)


def _commit_for(kind):
    """How a batch of ``kind`` is committed (returning it COMMITTED or FAILED), looked up when the task
    runs rather than bound at import, so a test can hold the commit where it wants."""
    return {ImportKind.ROSTER: roster.roster_batch_commit, ImportKind.CTF: ctf_commit.ctf_batch_commit}[kind]


@task()
def commit_batch_task(*, school_id, batch_id, user_id):
    """Import a queued batch with its kind's commit; return its status and counts."""
    school = School.objects.get(pk=school_id)
    with scope(school=[school.pk]):
        batch = ImportBatch.objects.get(school=school, public_id=batch_id, kind__in=BACKGROUND_KINDS)
        user = get_user_model().objects.get(pk=user_id)
        actor = Actor.for_user(user, school_public_id=school.public_id)
        try:
            batch = _commit_for(batch.kind)(actor=actor, batch=batch)
        except PermissionDenied:
            batches.batch_fail(
                batch=batch, message=_("You may no longer import into this school. Nothing was imported.")
            )
            raise
        # A roster keeps its counts under "result", a CTF at the top of its summary.
        counts = batch.summary.get("result", batch.summary)
        return {
            "status": batch.status,
            "counts": {key: value for key, value in counts.items() if isinstance(value, int)},
        }


def batch_commit_later(*, actor, batch):
    """Queue a previewed batch for the background worker, as ``actor`` (who pressed "Import").

    The task is enqueued once the current transaction commits (nothing is queued if it rolls
    back) and acts, and is audited, as ``actor``'s user. If it cannot be enqueued, the batch
    ends FAILED, saying so. Returns the batch, QUEUED, or FAILED when that is known already (no
    transaction was open); ``ValidationError`` if it was not waiting (pressed twice).
    """
    batch = batches.batch_queue(actor=actor, batch=batch)
    arguments = {"school_id": batch.school_id, "batch_id": str(batch.public_id), "user_id": actor.user.pk}

    def enqueue():
        try:
            commit_batch_task.enqueue(**arguments)
        except Exception:
            logger.exception("Could not queue import %s", batch.public_id)
            # Run when the transaction commits, which may be after the request's scope has closed.
            with scope(school=[batch.school_id]):
                batches.batch_fail(batch=batch, actor=actor, message=_("The import could not be started. Try again."))

    transaction.on_commit(enqueue)
    batch.refresh_from_db(fields=["status"])
    return batch
