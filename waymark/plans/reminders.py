"""Reminders about reviews, for cron (``manage.py send_reminders``) or the task worker.

For each plan in force:

- its owner (or, when it has no owner still at the school, the school's SENCOs) hears
  when the review is due within ``DUE_SOON_DAYS``, and once more when it is overdue;
- its parents who may be emailed are invited to give their views in the
  ``VIEWS_INVITE_DAYS`` before the review date.

Each reminder goes once per plan version and review date, whatever the number of runs: a
missed day is caught up on the next run, and a review date that moves starts afresh. The
review date is the active version's, or, once a review of that version has been completed,
the next date the review set.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_scopes import scope

from waymark.core.links import absolute_url
from waymark.core.models import Notification
from waymark.schools.models import Membership, Role, School

from .models import PlanVersion, Review
from .notices import emailable_parent_links, log_failure, notification_send, render_body
from .review_dates import DUE_SOON_DAYS

# Parents are asked for their views this many days before the review date.
VIEWS_INVITE_DAYS = 21

REVIEW_DUE, REVIEW_OVERDUE, VIEWS_INVITE = "review_due", "review_overdue", "views_invite"
TEMPLATES = {
    REVIEW_DUE: "plans/email/review_due.txt",
    REVIEW_OVERDUE: "plans/email/review_overdue.txt",
    VIEWS_INVITE: "plans/email/views_invite.txt",
}


@dataclass(frozen=True)
class Reminder:
    """One email that is due: who gets it, about what, and the words."""

    school: School
    kind: str
    event_key: str
    email: str
    user: object
    pupil: object
    context: dict

    @property
    def subject(self):
        values = {**self.context, "date": date_format(self.context["review_on"], "j F Y")}
        if self.kind == REVIEW_DUE:
            subject = _("Review due on %(date)s: the support plan for %(pupil)s") % values
        elif self.kind == REVIEW_OVERDUE:
            subject = _("Review overdue since %(date)s: the support plan for %(pupil)s") % values
        else:
            subject = _("Tell us your views before %(child)s's review") % values
        return _("%(school)s: %(subject)s") % {"school": self.school.name, "subject": subject}

    @property
    def body(self):
        return render_body(TEMPLATES[self.kind], self.context)


@dataclass
class ReminderRun:
    """What a run did: the reminders that were due and how many went or failed."""

    due: list = field(default_factory=list)
    sent: int = 0
    failed: int = 0


def send_reminders(today, *, dry_run=False):
    """Send every reminder due on ``today`` in every school, each at most once (see ``notification_send``).

    Each school runs in its own scope. With ``dry_run`` nothing is sent or recorded; the
    run lists what would go. Not one transaction: each email commits on its own, so an
    email already sent is never rolled back and sent again. A failed email is logged and
    counted, and the next run tries it again.
    """
    run = ReminderRun()
    for school in School.objects.order_by("name", "pk"):
        with scope(school=[school.pk]), translation.override(settings.LANGUAGE_CODE):
            due = reminders_due(school, today)
            run.due.extend(due)
            if dry_run:
                continue
            for reminder in due:
                try:
                    notification = notification_send(
                        school=school,
                        kind=reminder.kind,
                        event_key=reminder.event_key,
                        email=reminder.email,
                        user=reminder.user,
                        pupil=reminder.pupil,
                        subject=reminder.subject,
                        body=reminder.body,
                    )
                except Exception as error:  # one bad address or a mail-server blip must not stop the rest
                    run.failed += 1
                    log_failure(reminder.kind, reminder.event_key, error, school=school.pk, user=reminder.user.pk)
                else:
                    run.sent += notification is not None
    return run


def reminders_due(school, today):
    """The reminders due on ``today`` in ``school`` that have not been sent. Call inside its scope.

    Reads a fixed number of queries however many plans the school has.
    """
    members = _current_members(school, today)
    sencos = [m.user for m in members.values() if Role.SENCO in m.roles and m.user.is_active and m.user.email]
    due = []
    for version in _versions_near_review(school, today):
        review_on = version.review_on
        pupil = version.plan.pupil
        event_key = f"{version.public_id}:{review_on.isoformat()}"
        kind = _staff_reminder(review_on, today)
        if kind:
            owner = version.owner
            # Someone who has left the school must not hear about its pupils: the SENCOs hear instead.
            owner_here = owner is not None and owner.pk in members and owner.is_active and bool(owner.email)
            for user in [owner] if owner_here else sencos:
                context = {
                    "greeting_name": user.get_short_name(),
                    "pupil": f"{pupil.forename} {pupil.legal_surname[:1]}. ({pupil.year_group_label})",
                    "school_name": school.name,
                    "review_on": review_on,
                    "days": abs((review_on - today).days),
                    "for_senco": not owner_here,
                    "link": absolute_url("plans:plan-detail", public_id=pupil.public_id),
                }
                due.append(Reminder(school, kind, event_key, user.email, user, pupil, context))
        if today < review_on <= today + _days(VIEWS_INVITE_DAYS):
            for link in pupil.emailable_links:
                context = {  # parents' emails name the child by first name only
                    "greeting_name": link.user.get_short_name(),
                    "child": pupil.forename,
                    "school_name": school.name,
                    "review_on": review_on,
                    "link": absolute_url("plans:family-views-add", public_id=pupil.public_id),
                }
                due.append(Reminder(school, VIEWS_INVITE, event_key, link.user.email, link.user, pupil, context))
    return _not_sent_yet(school, due)


def _staff_reminder(review_on, today):
    """Overdue from the day after the review date; due soon from ``DUE_SOON_DAYS`` before it to the day itself."""
    if review_on < today:
        return REVIEW_OVERDUE
    if review_on <= today + _days(DUE_SOON_DAYS):
        return REVIEW_DUE
    return None


def _days(count):
    return datetime.timedelta(days=count)


def _current_members(school, today):
    memberships = (
        Membership.objects.filter(school=school, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("user")
    )
    return {membership.user_id: membership for membership in memberships}


def _versions_near_review(school, today):
    """Plans in force, of pupils still on roll, whose review date is at most ``VIEWS_INVITE_DAYS`` away or past."""
    next_after_review = (
        Review.objects.filter(version=OuterRef("pk"), status=Review.Status.COMPLETED, next_review_on__isnull=False)
        .order_by("-held_on", "-pk")
        .values("next_review_on")[:1]
    )
    horizon = today + _days(max(VIEWS_INVITE_DAYS, DUE_SOON_DAYS))
    return (
        PlanVersion.objects.filter(status=PlanVersion.Status.ACTIVE, plan__pupil__school=school)
        .filter(Q(plan__pupil__date_left__isnull=True) | Q(plan__pupil__date_left__gte=today))
        .annotate(review_on=Coalesce(Subquery(next_after_review), F("next_review_on")))
        .filter(review_on__isnull=False, review_on__lte=horizon)
        .select_related("plan__pupil", "owner")
        .prefetch_related(Prefetch("plan__pupil__parent_links", emailable_parent_links(), to_attr="emailable_links"))
        .order_by("review_on", "pk")
    )


def _not_sent_yet(school, reminders):
    """Drop reminders already recorded, in one query; the unique key still guards a race with another run."""
    if not reminders:
        return []
    sent = set(
        Notification.objects.filter(
            school=school, kind__in=TEMPLATES, event_key__in={r.event_key for r in reminders}
        ).values_list("kind", "event_key", "email")
    )
    return [r for r in reminders if (r.kind, r.event_key, r.email) not in sent]
