"""CSV and XLSX downloads whose cells can never run as formulas.

A spreadsheet program treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and,
in some, a tab or a carriage return) as a formula, so a pupil's name or a note typed as
``=HYPERLINK(...)`` would run on the SENCO's computer when they open an export (OWASP,
"CSV injection"). Every text cell goes through ``safe_cell``, which puts a single quote in
front of such text; numbers and dates stay numbers and dates so the file can still be
added up. In XLSX files text is also written with the string type, so nothing is ever
stored as a formula.

Exports that name pupils are disclosures: the caller audits them before building the
response, and the response is never cached.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

# OWASP's list, with the full-width forms some spreadsheet programs also read as operators.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY_FORMAT = '"£"#,##0.00'
# Sheet names: at most 31 characters, none of these.
_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")


def safe_cell(value):
    """``value`` as a cell that cannot be a formula.

    Numbers (not booleans, which become "Yes"/"No"), dates and times are returned as they
    are; ``None`` becomes an empty cell; anything else becomes text, with a single quote in
    front when it starts with a formula character.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (int, float, Decimal, datetime.date, datetime.time)):
        return value
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def safe_filename(filename):
    """A download name with only plain letters, digits, dots, hyphens and underscores."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip("-.")
    return cleaned or "download"


def _attachment(body, content_type, filename):
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(filename)}"'
    # Names and costs of children must not linger in shared caches or the browser's.
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ----- CSV -----


def csv_bytes(header, rows):
    """UTF-8 with a byte-order mark, so Excel reads accented names correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def csv_response(filename, header, rows):
    """A CSV download of ``header`` then ``rows``, every cell through ``safe_cell``."""
    return _attachment(csv_bytes(header, rows), CSV_CONTENT_TYPE, filename)


# ----- XLSX -----


@dataclass
class Sheet:
    """One worksheet: a title, a header row, the rows, and which columns (0-based) hold money."""

    title: str
    header: list
    rows: list
    money_columns: frozenset = field(default_factory=frozenset)


def _sheet_title(title, used):
    base = _SHEET_TITLE_BAD.sub(" ", str(title)).strip()[:31] or "Sheet"
    candidate, number = base, 2
    while candidate.lower() in used:
        suffix = f" ({number})"
        candidate, number = base[: 31 - len(suffix)] + suffix, number + 1
    used.add(candidate.lower())
    return candidate


def _write_cell(worksheet, row, column, value, money=False):
    value = safe_cell(value)
    if isinstance(value, str):
        # Characters XML cannot hold would make openpyxl refuse the whole file.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = worksheet.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        # Never "f": whatever the text is, it is stored and shown as text.
        cell.data_type = "s"
    elif money and isinstance(value, (int, float, Decimal)):
        cell.number_format = MONEY_FORMAT
    return cell


def xlsx_bytes(sheets):
    """An XLSX workbook of ``sheets`` (``Sheet`` or ``(title, header, rows)``), values only."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    used = set()
    for sheet in sheets:
        if not isinstance(sheet, Sheet):
            sheet = Sheet(*sheet)
        worksheet = workbook.create_sheet(_sheet_title(sheet.title, used))
        for column, heading in enumerate(sheet.header, start=1):
            _write_cell(worksheet, 1, column, heading).font = Font(bold=True)
        for row_number, row in enumerate(sheet.rows, start=2):
            for column, value in enumerate(row, start=1):
                _write_cell(worksheet, row_number, column, value, money=(column - 1) in sheet.money_columns)
        worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename, sheets):
    """An XLSX download; every cell is a value written through ``safe_cell``, never a formula."""
    return _attachment(xlsx_bytes(sheets), XLSX_CONTENT_TYPE, filename)
