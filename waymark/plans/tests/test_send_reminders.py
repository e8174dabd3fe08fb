"""Review reminders: to the plan's owner (or the SENCOs) when a review is due and when overdue, and
to parents inviting their views before it; each once, from cron or the task worker.

Runs pass ``today`` explicitly, so the timing edges do not depend on the clock.
"""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django_scopes import scopes_disabled

from waymark.core.models import AuditEvent, Notification
from waymark.plans.models import PlanVersion, Review
from waymark.plans.reminders import VIEWS_INVITE_DAYS, send_reminders
from waymark.plans.review_dates import DUE_SOON_DAYS
from waymark.plans.tasks import send_reminders_task
from waymark.pupils.models import ParentLink
from waymark.tests import factories as f

from .factories import published_version, shared_version

TODAY = timezone.localdate()  # every run below says which day it is, so none depends on the clock
DAY = datetime.timedelta(days=1)
PARENTS = "parents"


def plan_due(pupil, review_on, *, owner):
    """A plan in force for ``pupil`` whose review falls on ``review_on``."""
    version = published_version(pupil, by=owner)
    with scopes_disabled():
        PlanVersion.objects.filter(pk=version.pk).update(next_review_on=review_on)
    version.next_review_on = review_on
    return version


def long(day):
    return date_format(day, "j F Y")


def sent(outbox):
    """(kind of email, recipient) for each email, from the words of its subject."""
    result = []
    for message in outbox:
        kind = "due" if "Review due" in message.subject else "overdue" if "overdue" in message.subject else "views"
        result.extend((kind, address) for address in message.to)
    return sorted(result)


def parents(cast):
    return sorted([("views", cast.co_parent.email), ("views", cast.parent.email)])


def recorded():
    with scopes_disabled():
        return Notification.objects.count()


# ----- who gets what, and when -----


@pytest.mark.parametrize(
    ("days_away", "expected"),
    [
        (VIEWS_INVITE_DAYS + 1, []),
        (VIEWS_INVITE_DAYS, [PARENTS]),
        (DUE_SOON_DAYS + 1, [PARENTS]),
        (DUE_SOON_DAYS, ["due", PARENTS]),
        (1, ["due", PARENTS]),
        (0, ["due"]),  # the day itself: too late to ask parents for views before it
        (-1, ["overdue"]),
        (-200, ["overdue"]),
    ],
)
def test_timing_of_each_reminder(cast, mailoutbox, days_away, expected):
    plan_due(cast.pupil, TODAY + days_away * DAY, owner=cast.teacher)
    run = send_reminders(TODAY)

    wanted = []
    for what in expected:
        wanted += parents(cast) if what == PARENTS else [(what, cast.teacher.email)]
    assert sent(mailoutbox) == sorted(wanted)
    assert run.sent == len(wanted) == recorded()


def test_views_invitations_go_only_to_active_parents_with_accounts_who_allow_email(cast, mailoutbox):
    f.ParentLinkFactory(
        pupil=cast.pupil,
        user=f.UserFactory(email="suspended@example.test"),
        status=ParentLink.Status.SUSPENDED,
        status_reason="Left home",
    )
    f.ParentLinkFactory(pupil=cast.pupil, user=None, email="no.account@example.test")
    f.ParentLinkFactory(pupil=cast.pupil, user=f.UserFactory(email="no.email@example.test"), contact_by_email=False)
    plan_due(cast.pupil, TODAY + 20 * DAY, owner=cast.teacher)

    send_reminders(TODAY)

    assert sent(mailoutbox) == parents(cast)  # never parent2 (restricted), nor the three above
    message = next(m for m in mailoutbox if m.to == [cast.parent.email])
    link = "http://127.0.0.1:8000" + reverse("plans:family-views-add", kwargs={"public_id": cast.pupil.public_id})
    assert link in message.body
    assert long(TODAY + 20 * DAY) in message.body
    assert message.subject == "Ashdown Academy: Tell us your views before Zephyrine's review"
    assert "Quartermaine" not in message.body.replace(link, "")
    assert message.body.rstrip().endswith("Ashdown Academy")


def test_the_owner_reminder_says_which_plan_and_links_to_it(cast, mailoutbox):
    plan_due(cast.pupil, TODAY + 10 * DAY, owner=cast.teacher)
    send_reminders(TODAY)
    (message,) = [m for m in mailoutbox if m.to == [cast.teacher.email]]
    assert message.subject == (
        f"Ashdown Academy: Review due on {long(TODAY + 10 * DAY)}: the support plan for Zephyrine Q. (Year 8)"
    )
    assert "in 10 days" in message.body and "Hello Tess," in message.body
    assert "http://127.0.0.1:8000" + reverse("plans:plan-detail", args=[cast.pupil.public_id]) in message.body
    assert "SENCO" not in message.body
    assert message.body.rstrip().endswith("Ashdown Academy")


def test_a_plan_whose_owner_has_left_reminds_the_sencos_instead(cast, mailoutbox):
    second_senco = f.UserFactory(email="second.senco@example.test")
    f.MembershipFactory(user=second_senco, school=cast.school, roles=["senco", "teacher"])
    former = f.UserFactory(email="former.teacher@example.test")
    f.MembershipFactory(user=former, school=cast.school, roles=["teacher"], ends_on=TODAY - DAY)
    plan_due(cast.pupil, TODAY - DAY, owner=former)

    send_reminders(TODAY)

    assert sent(mailoutbox) == [("overdue", "second.senco@example.test"), ("overdue", cast.senco.email)]
    assert "no owner who is still on the school's staff" in mailoutbox[0].body


def test_a_plan_owned_by_someone_of_another_school_only_reminds_its_own_sencos(cast, mailoutbox):
    plan_due(cast.other_school_pupil, TODAY + 3 * DAY, owner=cast.teacher)  # not a member of School B
    send_reminders(TODAY)
    assert sent(mailoutbox) == sorted([("due", cast.other_senco.email), ("views", cast.other_school_link.user.email)])


def test_plans_not_in_force_and_pupils_who_left_get_no_reminders(cast, mailoutbox):
    shared_version(cast.other_pupil, by=cast.teacher2)  # shared for agreement, not in force
    with scopes_disabled():
        PlanVersion.objects.update(next_review_on=TODAY - DAY)
    left = f.PupilFactory(school=cast.school, date_left=TODAY - DAY)
    f.ParentLinkFactory(pupil=left)
    plan_due(left, TODAY + 5 * DAY, owner=cast.teacher)

    run = send_reminders(TODAY)

    assert mailoutbox == []
    assert run.due == []


def test_a_completed_review_moves_the_date_reminders_count_from(cast, mailoutbox):
    version = plan_due(cast.pupil, TODAY - 5 * DAY, owner=cast.teacher)
    with scopes_disabled():
        Review.objects.create(
            plan=version.plan,
            version=version,
            status=Review.Status.COMPLETED,
            held_on=TODAY - 5 * DAY,
            next_review_on=TODAY + 10 * DAY,
        )
    send_reminders(TODAY)
    # Not overdue: reviewed, and the next review is due in 10 days.
    assert sent(mailoutbox) == sorted([("due", cast.teacher.email), *parents(cast)])
    owner_message = next(m for m in mailoutbox if m.to == [cast.teacher.email])
    assert f"Review due on {long(TODAY + 10 * DAY)}" in owner_message.subject


# ----- once only -----


def test_running_again_sends_nothing_more(cast, mailoutbox):
    plan_due(cast.pupil, TODAY + 7 * DAY, owner=cast.teacher)
    first = send_reminders(TODAY)
    second = send_reminders(TODAY)
    assert first.sent == 3
    assert second.sent == 0 and second.due == []
    send_reminders_task.enqueue(today=TODAY.isoformat())
    send_reminders_task.enqueue(today=TODAY.isoformat())
    assert len(mailoutbox) == 3 == recorded()


def test_due_then_overdue_is_two_emails_and_overdue_is_not_daily(cast, mailoutbox):
    plan_due(cast.pupil, TODAY + 3 * DAY, owner=cast.teacher)
    for day in range(0, 10):
        send_reminders(TODAY + day * DAY)
    owner_emails = [m.subject for m in mailoutbox if m.to == [cast.teacher.email]]
    assert len(owner_emails) == 2
    assert "Review due" in owner_emails[0] and f"Review overdue since {long(TODAY + 3 * DAY)}" in owner_emails[1]
    assert len(mailoutbox) == 4  # and one invitation to each parent


def test_a_new_review_date_starts_the_reminders_afresh(cast, mailoutbox):
    version = plan_due(cast.pupil, TODAY - 2 * DAY, owner=cast.teacher)
    send_reminders(TODAY)
    with scopes_disabled():
        PlanVersion.objects.filter(pk=version.pk).update(next_review_on=TODAY - DAY)
    send_reminders(TODAY)
    assert sent(mailoutbox) == [("overdue", cast.teacher.email)] * 2


def test_a_failed_email_is_counted_and_sent_on_the_next_run(cast, monkeypatch, mailoutbox):
    plan_due(cast.pupil, TODAY + 7 * DAY, owner=cast.teacher)
    real_send = mail.EmailMessage.send

    def refuse_teacher(message, *args, **kwargs):
        if cast.teacher.email in message.to:
            raise ConnectionRefusedError
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMessage, "send", refuse_teacher)
    run = send_reminders(TODAY)
    assert (run.sent, run.failed) == (2, 1)
    monkeypatch.setattr(mail.EmailMessage, "send", real_send)
    run = send_reminders(TODAY)
    assert (run.sent, run.failed) == (1, 0)
    assert sent(mailoutbox) == sorted([("due", cast.teacher.email), *parents(cast)])


# ----- dry run and the command -----


def test_a_dry_run_sends_and_records_nothing(cast, mailoutbox):
    plan_due(cast.pupil, TODAY + 7 * DAY, owner=cast.teacher)
    run = send_reminders(TODAY, dry_run=True)
    assert sorted((r.kind, r.email) for r in run.due) == sorted(
        [
            ("review_due", cast.teacher.email),
            ("views_invite", cast.parent.email),
            ("views_invite", cast.co_parent.email),
        ]
    )
    assert run.sent == 0 and mailoutbox == [] and recorded() == 0
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="core.notification.sent").exists()
    assert send_reminders(TODAY).sent == 3


def command(*args):
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_the_command_sends_and_says_how_many(cast, mailoutbox):
    plan_due(cast.pupil, TODAY + 7 * DAY, owner=cast.teacher)
    assert command().strip() == "Sent 3 emails."
    assert command().strip() == "Sent 0 emails."
    assert len(mailoutbox) == 3


def test_the_command_dry_run_lists_what_would_go(cast, mailoutbox):
    plan_due(cast.pupil, TODAY + 7 * DAY, owner=cast.teacher)
    output = command("--dry-run")
    assert f"Ashdown Academy: review_due to {cast.teacher.email}: Ashdown Academy: Review due on" in output
    assert f"views_invite to {cast.parent.email}" in output and f"views_invite to {cast.co_parent.email}" in output
    assert "Dry run: 3 emails would be sent. Nothing was sent or recorded." in output
    assert mailoutbox == [] and recorded() == 0


def test_the_command_can_hand_the_run_to_the_worker(cast, mailoutbox):
    plan_due(cast.pupil, TODAY + 7 * DAY, owner=cast.teacher)
    assert "Queued today's reminders for the task worker" in command("--enqueue")
    assert len(mailoutbox) == 3  # the test settings run tasks straight away


def test_the_command_refuses_dry_run_with_enqueue(cast):
    with pytest.raises(CommandError, match="not both"):
        command("--dry-run", "--enqueue")


def test_the_command_fails_loudly_when_emails_fail(cast, monkeypatch, mailoutbox):
    plan_due(cast.pupil, TODAY + 7 * DAY, owner=cast.teacher)

    def refuse(message, *args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr(mail.EmailMessage, "send", refuse)
    with pytest.raises(CommandError, match="3 emails could not be sent"):
        command()
    assert recorded() == 0


# ----- a fixed number of queries per school -----


def add_plans(cast, count):
    for _ in range(count):
        pupil = f.PupilFactory(school=cast.school)
        f.ParentLinkFactory(pupil=pupil)
        f.ParentLinkFactory(pupil=pupil, status=ParentLink.Status.RESTRICTED)
        plan_due(pupil, TODAY + 5 * DAY, owner=f.MembershipFactory(school=cast.school, roles=["teacher"]).user)


def queries(**options):
    with CaptureQueriesContext(connection) as context:
        run = send_reminders(TODAY, **options)
    return len(context.captured_queries), run


def test_reading_what_is_due_takes_the_same_queries_for_2_or_8_plans(cast):
    counts = {}
    for size, more in ((2, 2), (8, 6)):
        add_plans(cast, more)
        count, run = queries(dry_run=True)
        assert len(run.due) == 2 * size  # the owner and one parent each
        counts[size] = count
    assert counts[2] == counts[8], counts
    assert counts[8] <= 1 + 4 * 2  # the schools, then at most four reads per school


def test_a_run_with_nothing_new_to_send_takes_the_same_queries_for_2_or_8_plans(cast, mailoutbox):
    counts = {}
    for size, more in ((2, 2), (8, 6)):
        add_plans(cast, more)
        send_reminders(TODAY)
        count, run = queries()
        assert run.sent == 0 and len(mailoutbox) == 2 * size
        counts[size] = count
    assert counts[2] == counts[8], counts
