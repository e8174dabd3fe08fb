"""``manage.py import_ctf FILE --school URN [--commit]``: the CTF import, for IT staff and local authorities."""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from django_scopes import scope

from waymark.core.actor import Actor
from waymark.exchange.ctf import check_file
from waymark.exchange.ctf.commit import CTFNotImported, ctf_import, problems_text
from waymark.exchange.ctf.dates import show_date
from waymark.schools.models import School


class Command(BaseCommand):
    help = (
        "Check a Common Transfer File (CTF) against one school's records and print what importing it would do: "
        "the pupils it would add, update and leave alone, and every problem. Nothing changes unless you add "
        "--commit, which imports the whole file in one go, or nothing if any problem is found. Exits with an "
        "error, listing the reasons, when the file cannot be imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CTF file (XML) to import.")
        parser.add_argument("--school", required=True, metavar="URN", help="The URN of the school to import into.")
        parser.add_argument("--commit", action="store_true", help="Import the file (otherwise only check it).")

    def handle(self, *args, file, school, commit=False, **options):
        target = School.objects.filter(urn=school.strip()).first()
        if target is None:
            raise CommandError(f"No school has the URN {school}.")
        data = _read(Path(file))
        actor = Actor.system(target)
        with scope(school=[target.pk]):
            result = check_file(school=target, data=data, today=actor.today)
            self._report(target, result)
            if not result.ok:
                raise CommandError(_rejected(result.problems))
            if not commit:
                self.stdout.write("Checked only: nothing was imported. Run again with --commit to import the file.")
                return
            try:
                counts = ctf_import(actor=actor, school=target, data=data)
            except CTFNotImported as error:  # the records changed since the check above
                raise CommandError(_rejected(error.result.problems)) from None
            except (ValidationError, IntegrityError) as error:
                messages = getattr(error, "messages", None) or [str(error)]
                raise CommandError("Nothing was imported: " + " ".join(messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported into {target.name}: {counts['created']} added, {counts['updated']} updated, "
                f"{counts['skipped']} left as they were."
            )
        )

    def _report(self, school, result):
        out = self.stdout.write
        header = result.header
        if header:
            written_on = show_date(datetime.date.fromisoformat(header["written_on"]))
            out(f"CTF version {header['version'] or 'not given'}, written on {written_on}")
            source = header["source_name"] or "a school not named"
            out(f"From {source} (LA {header['source_lea'] or '-'}, establishment {header['source_estab'] or '-'})")
            out(f"Into {school.name} (URN {school.urn})")
            counts = result.counts()
            out(
                f"{counts['pupils']} pupils in the file: {counts['created']} to add, {counts['updated']} to update, "
                f"{counts['skipped']} to leave as they are."
            )
        for kind, title in (("create", "To add"), ("update", "To update"), ("skip", "To leave as they are")):
            plans = result.of_kind(kind)
            if not plans:
                continue
            out("")
            out(f"{title}:")
            for plan in plans:
                out(f"  {plan.label}: {plan.name}")
                if plan.reason:
                    out(f"    {plan.reason}")
                for line in plan.lines:
                    out(f"    - {line}")
                for line in plan.skipped:
                    out(f"    - not imported: {line}")
        if result.warnings:
            out("")
            out("To check:")
            for line in problems_text(result.warnings):
                out(f"  {line}")


def _read(path):
    if not path.is_file():
        raise CommandError(f"There is no file at {path}.")
    limit = settings.WAYMARK_IMPORT_MAX_BYTES
    if path.stat().st_size > limit:
        raise CommandError(
            f"The file is {path.stat().st_size} bytes; an import file must be at most {limit} bytes "
            "(WAYMARK_IMPORT_MAX_BYTES). Nothing was imported."
        )
    return path.read_bytes()


def _rejected(problems):
    lines = problems_text(problems)
    count = f"{len(lines)} problem" if len(lines) == 1 else f"{len(lines)} problems"
    return f"The file cannot be imported ({count}). Nothing was imported.\n" + "\n".join(f"  {line}" for line in lines)
