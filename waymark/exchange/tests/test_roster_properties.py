"""Property-based tests of the CSV roster importer (hypothesis, bounded).

- Any cell text (quotes, commas, separators, line breaks, formula-like "=1+1", any script)
  written by a spreadsheet's CSV writer reads back as the same text, trimmed.
- Checking a file of arbitrary text never crashes: every row is planned or has problems.
- Any generated valid roster imports, then checks and imports again as unchanged, writing nothing.

The cast is built once per test, not per example; each import example runs in a savepoint
that is rolled back, so examples do not see each other's pupils.
"""

import datetime

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from waymark.exchange.roster import read_table
from waymark.pupils.upn import check_letter
from waymark.tests.helpers import fingerprint

from .roster_files import HEADERS, check, class_rows, commit, csv_bytes

BOUNDED = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CELL = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=60,
) | st.sampled_from(["=1+1", '"quoted"', "a,b", "a;b", "a\tb", "line\nbreak", "+44 7700", "-5", "@SUM(A1)", "’é中"])


@BOUNDED
@given(rows=st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=1, max_size=8))
def test_any_cell_text_reads_back_as_written(rows):
    data = csv_bytes([["X", *row] for row in rows], headers=["Key", "A", "B", "C"])
    table = read_table(data)
    assert [cells for _number, cells in table.rows] == [
        {"Key": "X", "A": a.replace("\r\n", "\n").strip(), "B": b.replace("\r\n", "\n").strip(),
         "C": c.replace("\r\n", "\n").strip()}
        for a, b, c in rows
    ]  # fmt: skip


@BOUNDED
@given(rows=st.lists(st.lists(CELL, min_size=len(HEADERS) + 3, max_size=len(HEADERS) + 3), min_size=1, max_size=6))
def test_checking_arbitrary_text_never_crashes_and_changes_nothing(cast, rows):
    headers = [*HEADERS, "SEN status", "Primary need", "Contact 1 name"]
    data = csv_bytes([["X", *row[1:]] for row in rows], headers=headers)
    before = fingerprint()
    result = check(cast, data)
    assert len(result.plans) == len(rows)
    for plan in result.plans:
        if plan.action == "error":
            assert any(problem["row"] == plan.row for problem in result.problems)
    assert fingerprint() == before


NAME = st.text(alphabet="abcdefghXYZéñøß'’- =+", min_size=1, max_size=25).filter(lambda s: s.strip())
DATE_FORMS = ("%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y")


@st.composite
def pupils(draw):
    serials = draw(st.lists(st.integers(1, 999), min_size=1, max_size=6, unique=True))
    rows = []
    for serial in serials:
        body = f"8734001{draw(st.sampled_from(['10', '12', '15']))}{serial:03d}"
        born = draw(st.dates(datetime.date(2006, 1, 1), datetime.date(2020, 12, 31)))
        rows.append(
            [
                check_letter(body) + body,
                draw(NAME),
                draw(NAME),
                born.strftime(draw(st.sampled_from(DATE_FORMS))),
                draw(st.sampled_from(["Year 8", "8", "R", "Reception", "N1", "14", "Y3"])),
                draw(st.sampled_from(["M", "F", "Male", "female"])),
            ]
        )
    return rows


@BOUNDED
@given(rows=pupils())
def test_any_valid_roster_imports_then_reimports_as_unchanged(cast, rows):
    data = csv_bytes(rows)
    with transaction.atomic():
        first = check(cast, data)
        assert not first.has_errors, first.problems
        assert first.counts["create"] == len(rows)
        commit(cast, data)
        stored = {row[2]: row for row in fingerprint()["pupils"]}
        for upn, _surname, forename, *_rest in rows:
            assert stored[upn][3] == forename.strip()
        after_first = fingerprint(), class_rows()
        again = check(cast, data)
        assert again.counts["unchanged"] == len(rows) and not again.has_errors
        commit(cast, data)
        assert (fingerprint(), class_rows()) == after_first
        transaction.set_rollback(True)
