"""``manage.py send_reminders``: email the review reminders due today. Meant for cron, once a day."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from waymark.plans.reminders import send_reminders
from waymark.plans.tasks import send_reminders_task


class Command(BaseCommand):
    help = (
        "Email the reminders due today: to each plan's owner (or the SENCOs when it has none) when its "
        "review is due within 14 days and once when it is overdue, and to parents, inviting their views "
        "in the 21 days before the review. No email is ever sent twice, so it is safe to run again: run "
        "it once a day from cron (for example at 07:30: '30 7 * * * python manage.py send_reminders', "
        "with Waymark's settings in the environment). With --enqueue it hands the run to the task worker "
        "(manage.py db_worker) instead, so cron only queues the work."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the emails that would go, without sending or recording anything.",
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the run for the task worker (manage.py db_worker) instead of sending here.",
        )

    def handle(self, *args, dry_run=False, enqueue=False, **options):
        if dry_run and enqueue:
            raise CommandError("Choose --dry-run or --enqueue, not both.")
        today = timezone.localdate()
        if enqueue:
            result = send_reminders_task.enqueue(today=today.isoformat())
            self.stdout.write(f"Queued today's reminders for the task worker (task {result.id}).")
            return
        run = send_reminders(today, dry_run=dry_run)
        if dry_run:
            for reminder in run.due:
                self.stdout.write(f"{reminder.school.name}: {reminder.kind} to {reminder.email}: {reminder.subject}")
            self.stdout.write(f"Dry run: {_emails(len(run.due))} would be sent. Nothing was sent or recorded.")
            return
        self.stdout.write(self.style.SUCCESS(f"Sent {_emails(run.sent)}."))
        if run.failed:
            raise CommandError(
                f"{_emails(run.failed)} could not be sent (see the log). Run the command again to retry them."
            )


def _emails(count):
    return f"{count} email" if count == 1 else f"{count} emails"
