"""Background tasks (the django-tasks API): run by ``manage.py db_worker``, inline in tests.

Arguments are plain JSON values (ids, not objects), and each task re-reads what it needs
when it runs, so a parent link restricted after the task was queued gets nothing.
"""

import datetime

from django.utils import timezone
from django_tasks import task

from .notices import NoticesNotSent, parents_notify
from .reminders import send_reminders


@task()
def notify_parents_task(*, school_id, pupil_id, event, event_id):
    """Tell a pupil's parents that their plan was shared, published or reviewed (``notices.parents_notify``)."""
    return {"sent": parents_notify(school_id=school_id, pupil_id=pupil_id, event=event, event_id=event_id)}


@task()
def send_reminders_task(*, today=None):
    """The review reminders due ``today`` (ISO date; the worker's today if not given), for every school."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    run = send_reminders(day)
    if run.failed:
        # Marks the task failed in the worker's results; the emails that went stay sent.
        raise NoticesNotSent(f"{run.failed} reminder emails could not be sent; {run.sent} were sent.")
    return {"sent": run.sent}
