"""``manage.py import_roster``: a preview that changes nothing (exit 0), a rejected file (non-zero, every
reason printed), ``--commit`` applying the file as the system actor, a saved mapping used by its header row.
"""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_scopes import scope

from waymark.core.models import AuditEvent
from waymark.exchange.models import ColumnMapping
from waymark.pupils.models import Pupil
from waymark.tests.helpers import fingerprint

from .roster_files import FILES, class_rows, csv_bytes


def run(cast, path, *extra):
    out = io.StringIO()
    call_command("import_roster", str(path), "--school", cast.school.urn, *extra, stdout=out)
    return out.getvalue()


def everything():
    return fingerprint(), class_rows()


def test_preview_prints_the_report_and_changes_nothing(cast):
    before = everything()
    out = run(cast, FILES / "sims.csv")
    assert "CSV file (utf-8) for Ashdown Academy" in out and "3 pupil rows" in out
    assert "Columns (recognised by name):" in out and "  DOB: Date of birth" in out
    assert "3 to add, 0 to update, 0 already up to date, 0 with problems." in out
    assert "Row 2, Chidi Okafor: New pupil: Chidi Okafor, Year 8, SEN provision K" in out
    assert "Classes to add: 8C" in out
    assert "Checked only: nothing was imported." in out
    assert everything() == before


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("missing-columns.csv", "The file: Choose the column that holds “Date of birth”."),
        ("duplicate-upns.csv", "Row 3, column UPN: Row 2 has this UPN too."),
        ("bad-check-letters.csv", "Row 3, column UPN: A UPN has 13 characters; this one has 12."),
        ("impossible-dates.csv", "Row 2, column DOB: 31/02/2013 is not a real date."),
        ("utf16.csv", "UTF-16"),
        ("duplicate-headers.csv", "appear more than once"),
    ],
)
def test_a_rejected_file_exits_non_zero_with_the_reasons_and_changes_nothing(cast, name, reason):
    before = everything()
    with pytest.raises(CommandError) as rejected:
        run(cast, FILES / name, "--commit")
    assert reason in str(rejected.value)
    assert everything() == before


def test_commit_applies_the_file_as_the_system(cast):
    out = run(cast, FILES / "sims.csv", "--commit")
    assert "Imported into Ashdown Academy: 3 added, 0 updated, 0 already up to date; 1 classes added" in out
    with scope(school=[cast.school.pk]):
        assert Pupil.objects.filter(upn="M873400115001").exists()
        event = AuditEvent.objects.filter(action="exchange.pupil.imported").first()
    assert event.actor is None  # a command has no user: the system did it
    again = everything()
    out = run(cast, FILES / "sims.csv", "--commit")
    assert "0 added, 0 updated, 3 already up to date" in out
    assert everything() == again


def test_a_saved_mapping_is_used_for_its_header_row(cast, tmp_path):
    headers = ["Pupil ref", "Family", "Given", "Born", "Yr grp", "M/F"]
    path = tmp_path / "odd.csv"
    path.write_bytes(csv_bytes([["M873400115001", "Okafor", "Chidi", "14/03/2013", "8", "M"]], headers=headers))
    with pytest.raises(CommandError, match="Choose the column that holds"):
        run(cast, path)
    from waymark.exchange.roster.headers import headers_key

    fields = ["upn", "legal_surname", "legal_forename", "date_of_birth", "year_group", "sex"]
    with scope(school=[cast.school.pk]):
        ColumnMapping.objects.create(
            school=cast.school, headers_key=headers_key(headers), mapping=dict(zip(headers, fields, strict=True))
        )
    out = run(cast, path)
    assert "Columns (from the school's saved mapping):" in out and "1 to add" in out


def test_unknown_school_and_missing_file(cast, tmp_path):
    with pytest.raises(CommandError, match="No school has the URN 999999"):
        call_command("import_roster", str(FILES / "sims.csv"), "--school", "999999")
    with pytest.raises(CommandError, match="There is no file"):
        run(cast, tmp_path / "nothing.csv")


def test_a_file_over_the_limit_is_refused_before_reading(cast, settings):
    settings.WAYMARK_IMPORT_MAX_BYTES = 100
    with pytest.raises(CommandError, match="larger than"):
        run(cast, FILES / "sims.csv")
