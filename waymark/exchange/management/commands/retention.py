"""``manage.py retention --dry-run | --apply [--school URN]``: list, or delete, what has passed retention."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_scopes import scope

from waymark.core.actor import Actor
from waymark.exchange.retention import (
    IMPORT_FILE_DAYS,
    installation_apply,
    installation_preview,
    retention_apply,
    retention_preview,
)
from waymark.provision.dates import day_text
from waymark.schools.models import School


def _plural(count, one, many=None):
    return f"{count} {one if count == 1 else (many or one + 's')}"


class Command(BaseCommand):
    help = (
        "Delete what has passed retention, or list it. Choose one of --dry-run (list, change nothing) or "
        "--apply (delete); there is no default, so nothing is deleted by accident. In each school it "
        "deletes the whole record of each archived leaver whose retention date (date of birth plus the "
        "school's years) has passed, unless a legal hold is open; never a pupil on roll or not archived. "
        "Stored files go with their rows, and the audit events about the pupil with the record. It also "
        f"deletes import files {IMPORT_FILE_DAYS} days after the import finished, and audit events older "
        "than WAYMARK_AUDIT_RETENTION_DAYS. A run over every school (no --school) also purges aged audit "
        "events that belong to no school and deletes accounts left with no child, school, share or "
        "local-authority role. Every deletion leaves a deletion record with no name in it. Run it from "
        "cron, for example once a week."
    )

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--dry-run", action="store_true", help="List what would be deleted; change nothing.")
        mode.add_argument("--apply", action="store_true", help="Delete what has passed retention.")
        parser.add_argument(
            "--school",
            metavar="URN",
            help="Only this school (its 6-digit URN). Without it, every school and the installation-wide checks.",
        )

    def handle(self, *args, dry_run=False, apply=False, school=None, **options):
        now = timezone.now()
        today = timezone.localdate()
        # "--school" given empty (a script's unset variable) must not widen the run to every
        # school and the installation: only leaving the option out does that.
        if school is not None:
            if not school.strip():
                raise CommandError("--school was given without a URN. Leave it out to run over every school.")
            schools = list(School.objects.filter(urn=school.strip()))
            if not schools:
                raise CommandError(f"No school has the URN {school}.")
        else:
            schools = list(School.objects.order_by("name", "pk"))
        heading = "Retention dry run" if dry_run else "Retention run"
        self.stdout.write(f"{heading} on {day_text(today)}." + (" Nothing will be changed." if dry_run else ""))
        leaving = []  # pupils a run would delete: their parents' links go with them
        for each in schools:
            with scope(school=[each.pk]):
                actor = Actor.system(each, today=today)
                if dry_run:
                    plan = retention_preview(actor=actor, school=each, today=today, now=now)
                    leaving += [due.pupil.pk for due in plan.due]
                    self._preview(plan)
                else:
                    self._applied(each, retention_apply(actor=actor, school=each, today=today, now=now))
        if school is None:
            if dry_run:
                self._installation_preview(installation_preview(now=now, pupils_leaving=leaving))
            else:
                self._installation_applied(installation_apply(now=now))
        if dry_run:
            self.stdout.write("Dry run: nothing was deleted. Run with --apply to delete what is listed.")
        else:
            self.stdout.write(self.style.SUCCESS("Retention run finished."))

    # ----- reporting -----

    def _school_heading(self, school, years):
        self.stdout.write("")
        self.stdout.write(f"{school.name} (URN {school.urn}): records kept until date of birth + {years} years")

    def _preview(self, plan):
        self._school_heading(plan.school, plan.years)
        self.stdout.write(f"  Archived leavers past retention, to delete: {len(plan.due)}")
        for due in plan.due:
            self.stdout.write(f"    - pupil {due.pupil.public_id} (left {day_text(due.pupil.date_left)})")
        if plan.held:
            self.stdout.write(f"  Past retention but kept by a legal hold: {len(plan.held)}")
            for due in plan.held:
                self.stdout.write(f"    - pupil {due.pupil.public_id}")
        self.stdout.write(f"  Import files finished more than {IMPORT_FILE_DAYS} days ago: {len(plan.import_batches)}")
        self.stdout.write(
            f"  Audit events past their retention (before {day_text(plan.audit_before)}): {plan.audit_events}"
        )

    def _applied(self, school, run):
        self._school_heading(school, school.retention_years_after_birth)
        self.stdout.write(f"  Deleted: {_plural(run.pupils, 'pupil record')}, {_plural(run.files, 'stored file')}")
        for label, count in sorted(run.counts.items()):
            if label != "files":
                self.stdout.write(f"    {label}: {count}")
        self.stdout.write(f"  Deleted: {_plural(run.import_files, 'import file')}")
        self.stdout.write(f"  Deleted: {_plural(run.audit_events, 'aged audit event')}")
        for public_id, reason in run.skipped:
            self.stdout.write(self.style.WARNING(f"  Kept pupil {public_id}: {reason}"))

    def _installation_preview(self, plan):
        self.stdout.write("")
        self.stdout.write("Across the installation:")
        self.stdout.write(
            f"  Audit events with no school past their retention (before {day_text(plan.audit_before)}): "
            f"{plan.audit_events}"
        )
        self.stdout.write(
            f"  Accounts with no child, school or share left (once the records above go), to delete: "
            f"{len(plan.accounts)}"
        )
        for account in plan.accounts:
            self.stdout.write(f"    - account {account.public_id}")

    def _installation_applied(self, run):
        self.stdout.write("")
        self.stdout.write("Across the installation:")
        self.stdout.write(f"  Deleted: {_plural(run.audit_events, 'aged audit event')} with no school")
        self.stdout.write(f"  Deleted: {_plural(run.accounts, 'account')} with no child, school or share left")
        for public_id in run.kept_accounts:
            self.stdout.write(self.style.WARNING(f"  Kept account {public_id}: still named on records that stay"))
