"""What the import commands (``import_roster``, ``import_ctf``) share: their arguments, finding the
school, reading the file under the import limit, acting as the school's system actor inside its
scope, and saying why nothing was imported (a ``CommandError``, so the exit status is not 0).

Each command checks and commits through the same functions as the pages; only the report it
prints is its own (``check_and_import``).
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from waymark.core.actor import Actor
from waymark.evidence.uploads import size_label
from waymark.schools.models import School

CHECKED_ONLY = "Checked only: nothing was imported. Run again with --commit to import the file."


class ImportCommand(BaseCommand):
    """``manage.py <command> FILE --school URN [--commit]``; subclasses say what the file is."""

    file_help = "The file to import."

    def add_arguments(self, parser):
        parser.add_argument("file", help=self.file_help)
        parser.add_argument("--school", required=True, metavar="URN", help="The URN of the school to import into.")
        parser.add_argument("--commit", action="store_true", help="Import the file (otherwise only check it).")

    def handle(self, *args, file, school, commit=False, **options):
        target = school_for_urn(school)
        data = read_import_file(Path(file))
        with scope(school=[target.pk]):
            self.check_and_import(actor=Actor.system(target), school=target, data=data, commit=commit)

    def check_and_import(self, *, actor, school, data, commit):
        """Print the check of ``data``; with ``commit``, import it. Raise ``CommandError`` when refused."""
        raise NotImplementedError


def school_for_urn(urn):
    urn = (urn or "").strip()
    if not urn:
        raise CommandError("--school needs the URN of the school to import into.")
    school = School.objects.filter(urn=urn).first()
    if school is None:
        raise CommandError(f"No school has the URN {urn}.")
    return school


def read_import_file(path):
    if not path.is_file():
        raise CommandError(f"There is no file at {path}.")
    limit = settings.WAYMARK_IMPORT_MAX_BYTES
    size = path.stat().st_size
    if size > limit:
        raise CommandError(
            f"The file is {size_label(size)}, larger than {size_label(limit)}, the most an import file may be "
            "(WAYMARK_IMPORT_MAX_BYTES). Nothing was imported."
        )
    return path.read_bytes()


def rejected(lines):
    """The refusal of a file with the problems in ``lines`` (one line of text each)."""
    count = f"{len(lines)} problem" if len(lines) == 1 else f"{len(lines)} problems"
    return CommandError(
        f"The file cannot be imported ({count}). Nothing was imported.\n" + "\n".join(f"  {line}" for line in lines)
    )


def not_imported(messages):
    """The refusal of a commit that went wrong after the check (the records changed meanwhile)."""
    return CommandError("Nothing was imported: " + " ".join(messages))
