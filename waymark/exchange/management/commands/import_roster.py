"""``manage.py import_roster FILE --school URN [--commit]``: the roster import, for IT staff and local authorities."""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from waymark.exchange.commands import CHECKED_ONLY, ImportCommand, not_imported, rejected
from waymark.exchange.roster import FileRejected, RosterImportFailed, check_roster, commit_roster, read_table
from waymark.exchange.roster.headers import FIELDS_BY_KEY, mapping_for


class Command(ImportCommand):
    help = (
        "Check a roster exported from the MIS (CSV or XLSX, one row per pupil) against one school's records and "
        "print what importing it would do, with every problem by row and column. Columns are recognised by the "
        "names MIS exports use (UPN, Surname, Forename, DOB, Year, Reg, Sex and more), or by the mapping the "
        "school saved for the same header row. Nothing changes unless you add --commit, which imports the whole "
        "file in one go, or nothing if any problem is found. Exits with an error, listing the reasons, when the "
        "file cannot be imported."
    )

    file_help = "The roster file (.csv or .xlsx) to import."

    def check_and_import(self, *, actor, school, data, commit):
        try:
            table = read_table(data)
        except FileRejected as refusal:
            raise rejected(refusal.messages) from None
        mapping, saved = mapping_for(school, table.headers)
        check = check_roster(actor=actor, school=school, table=table, mapping=mapping)
        self._report(school, table, mapping, saved, check)
        if check.has_errors:
            raise rejected([_problem_line(p) for p in check.problems if p.get("severity", "error") == "error"])
        if not commit:
            self.stdout.write(CHECKED_ONLY)
            return
        try:
            result = commit_roster(actor=actor, school=school, table=table, mapping=mapping)
        except RosterImportFailed as failure:
            raise CommandError(failure.message) from None
        except ValidationError as error:
            raise not_imported(error.messages) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported into {school.name}: {result['created']} added, {result['updated']} updated, "
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
