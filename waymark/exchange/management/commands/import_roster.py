"""``manage.py import_roster FILE --school URN [--commit]``: the roster import, for IT staff and local authorities."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from waymark.core.actor import Actor
from waymark.evidence.uploads import size_label
from waymark.exchange.roster import FileRejected, RosterImportFailed, check_roster, commit_roster, read_table
from waymark.exchange.roster.headers import FIELDS_BY_KEY, mapping_for
from waymark.schools.models import School


class Command(BaseCommand):
    help = (
        "Check a roster exported from the MIS (CSV or XLSX, one row per pupil) against one school's records and "
        "print what importing it would do, with every problem by row and column. Columns are recognised by the "
        "names MIS exports use (UPN, Surname, Forename, DOB, Year, Reg, Sex and more), or by the mapping the "
        "school saved for the same header row. Nothing changes unless you add --commit, which imports the whole "
        "file in one go, or nothing if any problem is found. Exits with an error, listing the reasons, when the "
        "file cannot be imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The roster file (.csv or .xlsx) to import.")
        parser.add_argument("--school", required=True, metavar="URN", help="The URN of the school to import into.")
        parser.add_argument("--commit", action="store_true", help="Import the file (otherwise only check it).")

    def handle(self, *args, file, school, commit=False, **options):
        target = School.objects.filter(urn=school.strip()).first()
        if target is None:
            raise CommandError(f"No school has the URN {school}.")
        data = _read(Path(file))
        actor = Actor.system(target)
        with scope(school=[target.pk]):
            try:
                table = read_table(data)
            except FileRejected as rejected:
                raise CommandError(
                    "The file was rejected:\n" + "\n".join(f"  {m}" for m in rejected.messages)
                ) from None
            mapping, saved = mapping_for(target, table.headers)
            check = check_roster(actor=actor, school=target, table=table, mapping=mapping)
            self._report(target, table, mapping, saved, check)
            if check.has_errors:
                raise CommandError(_rejected(check.problems))
            if not commit:
                self.stdout.write("Checked only: nothing was imported. Run again with --commit to import the file.")
                return
            try:
                result = commit_roster(actor=actor, school=target, table=table, mapping=mapping)
            except RosterImportFailed as failure:
                raise CommandError(failure.message) from None
            except ValidationError as error:
                raise CommandError("Nothing was imported: " + " ".join(error.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported into {target.name}: {result['created']} added, {result['updated']} updated, "
                f"{result['unchanged']} already up to date; {result['classes_added']} classes added, "
                f"{result['contacts_added']} parents and carers added, {result['contacts_updated']} updated."
            )
        )

    def _report(self, school, table, mapping, saved, check):
        out = self.stdout.write
        out(f"{table.kind.upper()} file{f' ({table.encoding})' if table.encoding else ''} for {school.name} "
            f"(URN {school.urn}), {len(table.rows)} pupil rows.")  # fmt: skip
        out("Columns (from the school's saved mapping):" if saved else "Columns (recognised by name):")
        for header in table.headers:
            key = mapping.get(header, "")
            out(f"  {header}: {FIELDS_BY_KEY[key].label if key else 'not imported'}")
        counts = check.counts
        out(
            f"{counts['create']} to add, {counts['update']} to update, {counts['unchanged']} already up to date, "
            f"{counts['invalid']} with problems."
        )
        if check.new_classes:
            out("Classes to add: " + ", ".join(sorted(name for name, _year in check.new_classes.values())))
        for plan in check.plans:
            if plan.action in ("create", "update"):
                out(f"  Row {plan.row}, {plan.name}: " + "; ".join(plan.changes))
        if check.problems:
            out("")
            out("Problems:")
            for problem in check.problems:
                out("  " + _problem_line(problem))


def _problem_line(problem):
    where = f"Row {problem['row']}" if problem["row"] else "The file"
    if problem["column"]:
        where += f", column {problem['column']}"
    kind = "" if problem.get("severity", "error") == "error" else " (to know, not an error)"
    return f"{where}{kind}: {problem['message']}"


def _rejected(problems):
    errors = [problem for problem in problems if problem.get("severity", "error") == "error"]
    return "The file cannot be imported; nothing was changed:\n" + "\n".join(f"  {_problem_line(p)}" for p in errors)


def _read(path):
    if not path.is_file():
        raise CommandError(f"There is no file at {path}.")
    limit = settings.WAYMARK_IMPORT_MAX_BYTES
    if path.stat().st_size > limit:
        raise CommandError(f"The file is larger than {size_label(limit)}, the most an import file may be.")
    return path.read_bytes()
