"""``manage.py demo``: build the demonstration trust, schools and logins (development only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from waymark.core import demo


class Command(BaseCommand):
    help = (
        "Create a fictional trust with a primary and a secondary school, pupils and demo logins, "
        "and write the logins to var/demo-logins.txt. Safe to run again. Development only."
    )

    def handle(self, *args, **options):
        try:
            result = demo.build_demo()
        except demo.DemoRefused as error:
            raise CommandError(str(error)) from error
        path = settings.VAR_DIR / demo.LOGINS_FILE
        demo.write_logins(result, path)
        if result.created:
            self.stdout.write(self.style.SUCCESS("Created the demo trust, schools, pupils and logins."))
        else:
            self.stdout.write("The demo schools exist already: nothing created; demo passwords set again.")
        self.stdout.write(self._table(result.logins))
        self.stdout.write(f"These logins are also in {path.parent.name}/{path.name}.")

    def _table(self, logins):
        rows = [("Role", "Email", "Password", "Who")]
        rows += [(login.role, login.email, login.password, login.describes) for login in logins]
        widths = [max(len(row[column]) for row in rows) for column in range(3)] + [0]
        rows.insert(1, tuple("-" * max(width, 3) for width in widths))
        return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows)
