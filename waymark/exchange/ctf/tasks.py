"""The background import of a large CTF (the django-tasks API; ``manage.py db_worker``, inline in tests).

As for the roster (``exchange.tasks``): plain JSON arguments, and the batch and the person
re-read when the task runs, so someone who lost the right to import meanwhile imports nothing.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scope
from django_tasks import task

from waymark.core.actor import Actor
from waymark.schools.models import School

from ..batches import batch_fail
from ..models import ImportBatch, ImportKind


@task()
def commit_ctf_task(*, school_id, batch_id, user_id):
    """Import a queued CTF batch (``ctf.commit.ctf_batch_commit``); return its status and counts."""
    from .commit import ctf_batch_commit

    school = School.objects.get(pk=school_id)
    with scope(school=[school.pk]):
        batch = ImportBatch.objects.get(school=school, public_id=batch_id, kind=ImportKind.CTF)
        user = get_user_model().objects.get(pk=user_id)
        actor = Actor.for_user(user, school_public_id=school.public_id)
        try:
            batch = ctf_batch_commit(actor=actor, batch=batch)
        except PermissionDenied:
            batch_fail(batch=batch, message=_("You may no longer import into this school. Nothing was imported."))
            raise
        counts = {key: batch.summary.get(key, 0) for key in ("pupils", "created", "updated", "skipped")}
        return {"status": batch.status, "counts": counts}


def enqueue_ctf_commit(batch, *, user=None):
    """Queue the import of ``batch`` once the current transaction commits (nothing is queued if it rolls back).

    ``user`` is who pressed "Import" (the uploader when not given): the task acts, and is audited, as them.
    """
    user_id = user.pk if user is not None else batch.created_by_id
    arguments = {"school_id": batch.school_id, "batch_id": str(batch.public_id), "user_id": user_id}
    transaction.on_commit(lambda: commit_ctf_task.enqueue(**arguments))
