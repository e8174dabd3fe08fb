"""Background tasks of the exchange app (the django-tasks API): run by ``manage.py db_worker``, inline in tests.

Arguments are plain JSON values; the task re-reads the batch and the person who asked for
the import, so someone who lost the right to import between the click and the run imports
nothing (their batch fails, saying so).
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scope
from django_tasks import task

from waymark.core.actor import Actor
from waymark.schools.models import School

from .batches import batch_fail
from .models import ImportBatch, ImportKind


@task()
def commit_roster_task(*, school_id, batch_id, user_id):
    """Import a queued roster batch (``roster.roster_batch_commit``); return its status and counts."""
    from .roster import roster_batch_commit

    school = School.objects.get(pk=school_id)
    with scope(school=[school.pk]):
        batch = ImportBatch.objects.get(school=school, public_id=batch_id, kind=ImportKind.ROSTER)
        user = get_user_model().objects.get(pk=user_id)
        actor = Actor.for_user(user, school_public_id=school.public_id)
        try:
            batch = roster_batch_commit(actor=actor, batch=batch)
        except PermissionDenied:
            batch_fail(batch=batch, message=_("You may no longer import into this school. Nothing was imported."))
            raise
        return {"status": batch.status, "result": batch.summary.get("result", {})}


def enqueue_roster_commit(batch, *, user=None):
    """Queue the import of ``batch`` once the current transaction commits (nothing is queued if it rolls back).

    ``user`` is who pressed "Import" (the uploader when not given): the task acts, and is audited, as them.
    """
    user_id = user.pk if user is not None else batch.created_by_id
    arguments = {"school_id": batch.school_id, "batch_id": str(batch.public_id), "user_id": user_id}
    transaction.on_commit(lambda: commit_roster_task.enqueue(**arguments))
