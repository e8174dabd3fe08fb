"""``manage.py import_ctf FILE --school URN [--commit]``: the CTF import, for IT staff and local authorities."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError

from waymark.exchange.commands import CHECKED_ONLY, ImportCommand, not_imported, rejected
from waymark.exchange.ctf import check_file
from waymark.exchange.ctf.commit import CTFNotImported, ctf_import, problems_text
from waymark.exchange.ctf.dates import show_date


class Command(ImportCommand):
    help = (
        "Check a Common Transfer File (CTF) against one school's records and print what importing it would do: "
        "the pupils it would add, update and leave alone, and every problem. Nothing changes unless you add "
        "--commit, which imports the whole file in one go, or nothing if any problem is found. Exits with an "
        "error, listing the reasons, when the file cannot be imported."
    )

    file_help = "The CTF file (XML) to import."

    def check_and_import(self, *, actor, school, data, commit):
        result = check_file(school=school, data=data, today=actor.today)
        self._report(school, result)
        if not result.ok:
            raise rejected(problems_text(result.problems))
        if not commit:
            self.stdout.write(CHECKED_ONLY)
            return
        try:
            counts = ctf_import(actor=actor, school=school, data=data)
        except CTFNotImported as error:  # the records changed since the check above
            raise rejected(problems_text(error.result.problems)) from None
        except (ValidationError, IntegrityError) as error:
            raise not_imported(getattr(error, "messages", None) or [str(error)]) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported into {school.name}: {counts['created']} added, {counts['updated']} updated, "
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
