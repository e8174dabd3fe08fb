"""Emails about a plan: telling parents when it is shared, published or reviewed, and the
one function every email about a plan goes through, which never sends the same one twice.

Who may get a parent's email is decided when the email is sent, not when the event
happened: a link restricted or suspended in between gets nothing. Parents' emails carry
no child data beyond the child's first name and the school's name, and a link to sign in.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django_scopes import scope

from waymark.core.actor import Actor
from waymark.core.audit import audit_record
from waymark.core.links import absolute_url
from waymark.core.models import Notification
from waymark.core.quiet import is_email_held
from waymark.pupils.models import ParentLink, Pupil
from waymark.schools.models import School

logger = logging.getLogger(__name__)

# What happened to the plan -> the template that tells parents about it.
PARENT_EVENTS = {
    "shared": "plans/email/parent_plan_shared.txt",
    "published": "plans/email/parent_plan_published.txt",
    "reviewed": "plans/email/parent_plan_reviewed.txt",
}


class NoticesNotSent(Exception):
    """Some emails of a batch failed (each is logged); the others went. Running it again retries them."""


# ----- sending one email, once -----


def notification_send(*, school, kind, event_key, email, subject, body, user=None, pupil=None):
    """Send one email about one event to one address, unless it has been sent before.

    Returns the ``Notification`` recorded, or ``None`` when one for the same
    (kind, event_key, email) already exists: a retried task, a second worker or a cron
    re-run sends nothing.

    The row is inserted, the message handed to the mail server and the audit event written
    in one transaction that must be the outermost (``durable``), so nothing can roll the row
    back after the email has gone. A second sender waits on the row's unique key and then
    finds it taken. If the mail server refuses, the exception rolls the row back and is
    raised: the email was not sent, and the next run (cron, a retried task) sends it. The
    one way to get a second copy is the database failing to commit in the instant after the
    mail server accepted the message; we accept that rather than losing a reminder every
    time the mail server has a bad minute.
    """
    try:
        with transaction.atomic(durable=True):
            notification = Notification(
                school=school,
                kind=kind,
                event_key=event_key,
                email=email,
                user=user,
                pupil_id=getattr(pupil, "public_id", None),
                subject=subject[:200],
            )
            # Uniqueness is left to the database: a check-then-insert would race a second worker.
            notification.full_clean(validate_constraints=False)
            notification.save()
            EmailMessage(
                subject,
                body,
                to=[email],
                # Asks mail servers not to send out-of-office replies to an automatic message (RFC 3834).
                headers={"Auto-Submitted": "auto-generated"},
            ).send()
            audit_record(
                actor=Actor.system(school),
                action="core.notification.sent",
                target=notification,
                pupil=pupil,
                school=school,
                data={"kind": kind, "event": event_key},
            )
    except IntegrityError:
        return None
    return notification


def render_body(template, context):
    return render_to_string(template, context).strip() + "\n"


def emailable_parent_links():
    """Parents who may be emailed: an active link, an account they have signed in with, and email allowed.

    Never a restricted or suspended link, a contact record with no account, or a parent
    who asked the school not to email them.
    """
    return (
        ParentLink.objects.filter(
            status=ParentLink.Status.ACTIVE, user__isnull=False, user__is_active=True, contact_by_email=True
        )
        .exclude(user__email="")
        .select_related("user")
    )


def log_failure(kind, event_key, error, **ids):
    # Ids and the error's class only: an SMTP error's text can hold the address.
    logger.error(
        "Could not send %s email for %s (%s): %s",
        kind,
        event_key,
        ", ".join(f"{name}={value}" for name, value in ids.items()),
        type(error).__name__,
    )


# ----- telling parents what happened to the plan -----


def notify_parents_later(*, pupil, event, event_id):
    """After the current transaction commits, email the pupil's parents that their plan was ``event``.

    ``event`` is "shared", "published" or "reviewed"; ``event_id`` the public id of the
    version or review, which makes the email's dedupe key. Nothing is enqueued if the
    transaction rolls back. Who gets it is decided when the task runs.
    """
    if event not in PARENT_EVENTS:
        raise ValueError(f"Unknown plan event for parents: {event!r}")
    if is_email_held():  # the demo writing its made-up history (core/quiet.py)
        return
    from .tasks import notify_parents_task

    arguments = {
        "school_id": pupil.school_id,
        "pupil_id": str(pupil.public_id),
        "event": event,
        "event_id": str(event_id),
    }
    # robust: the plan change has committed; a queue that is down must not turn it into an error page.
    transaction.on_commit(lambda: notify_parents_task.enqueue(**arguments), robust=True)


def parents_notify(*, school_id, pupil_id, event, event_id):
    """Email every parent of the pupil who may be emailed (``emailable_parent_links``), once each.

    Runs in the pupil's school scope. Returns how many emails went; raises
    ``NoticesNotSent`` after trying everyone if any failed.
    """
    template = PARENT_EVENTS[event]
    school = School.objects.get(pk=school_id)
    kind, event_key = f"plan_{event}", f"{event}:{event_id}"
    sent = failed = 0
    with scope(school=[school.pk]), translation.override(settings.LANGUAGE_CODE):
        pupil = Pupil.objects.filter(public_id=pupil_id).first()
        if pupil is None:  # gone, or not this school's: nobody to tell
            return 0
        link = absolute_url("plans:family-child", public_id=pupil.public_id)
        for parent in emailable_parent_links().filter(pupil=pupil):
            context = {
                "greeting_name": parent.user.get_short_name(),
                "child": pupil.forename,
                "school_name": school.name,
                "link": link,
            }
            try:
                notification = notification_send(
                    school=school,
                    kind=kind,
                    event_key=event_key,
                    email=parent.user.email,
                    user=parent.user,
                    pupil=pupil,
                    subject=parent_subject(event, context),
                    body=render_body(template, context),
                )
            except Exception as error:  # one parent's failure must not stop the others' emails
                failed += 1
                log_failure(kind, event_key, error, parent_link=parent.public_id)
            else:
                sent += notification is not None
    if failed:
        raise NoticesNotSent(f"{failed} of {sent + failed} emails about {event_key} could not be sent.")
    return sent


def parent_subject(event, context):
    subjects = {
        "shared": _("%(child)s's new support plan is ready for you to read"),
        "published": _("%(child)s's support plan has been updated"),
        "reviewed": _("%(child)s's support plan has been reviewed"),
    }
    return _("%(school)s: %(subject)s") % {
        "school": context["school_name"],
        "subject": subjects[event] % {"child": context["child"]},
    }
