"""Reading a roster file into a header row and rows of plain strings, deciding what it is from its content.

Accepted: CSV in UTF-8 (with or without a byte-order mark) or, when that fails, Windows-1252
(what Excel on Windows writes as "CSV"), separated by commas, semicolons or tabs; and XLSX
(the first sheet). The first row holds the column names. Blank rows are skipped wherever they
are, but row numbers stay those of the file, as the person sees them in Excel (header = row 1).

Refused, with a message saying what to do: an empty file, a file with no column names,
duplicate column names, UTF-16 text, old .xls workbooks, ZIP files that are not workbooks,
anything else that is not text, and files over ``MAX_ROWS`` rows or ``MAX_COLUMNS`` columns
(or ``MAX_FILE_ROWS`` rows counting blank ones, which are read even though they are skipped).
"""

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_ROWS = 20_000
# Blank rows are skipped but still read: a workbook can name its last row 1,000,000,000 in a few
# bytes, and every row before it is handed over, empty, one by one. No real export has this many.
MAX_FILE_ROWS = 50_000
MAX_COLUMNS = 100
MAX_CELL_CHARACTERS = 2_000
# A workbook that inflates to more than this (or by more than this ratio) is refused unopened: a zip bomb.
MAX_XLSX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_XLSX_RATIO = 200

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
DELIMITERS = (",", ";", "\t")


class FileRejected(Exception):
    """The file as a whole cannot be read. ``messages`` are plain English, for the person."""

    def __init__(self, *messages):
        super().__init__(*messages)
        self.messages = [str(message) for message in messages]


@dataclass
class Table:
    """What a file holds: ``headers`` as in the file, and each row as {header: text} with its file row number."""

    headers: list
    rows: list = field(default_factory=list)  # [(row_number, {header: text})]
    kind: str = "csv"
    encoding: str = ""
    # Problems with single rows found while reading (a row longer than the header row).
    row_problems: list = field(default_factory=list)


def read_table(data):
    """``data`` (bytes) as a ``Table``, or ``FileRejected``."""
    if not data or not data.strip():
        raise FileRejected(_("The file is empty."))
    if data.startswith(OLE_MAGIC):
        raise FileRejected(
            _(
                "The file is an old Excel workbook (.xls) or a password-protected file. Open it in Excel and "
                "save it as an Excel workbook (.xlsx) or as CSV, then upload that."
            )
        )
    if data.startswith(ZIP_MAGIC):
        return _read_xlsx(data)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(data):
        raise FileRejected(
            _(
                "The file is saved as UTF-16 (\u201cUnicode text\u201d), which this import does not read. Save it "
                "from Excel as \u201cCSV UTF-8 (comma delimited)\u201d and upload that."
            )
        )
    if data.startswith(b"%PDF") or b"\x00" in data[:4096]:
        raise FileRejected(_("The file is not a spreadsheet. Upload a CSV file or an Excel workbook (.xlsx)."))
    text, encoding = _decode(data)
    return _read_csv(text, encoding)


def _looks_utf16(data):
    # UTF-16 without a byte-order mark: every other byte of plain text is a zero.
    sample = data[:200]
    return len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4


def _decode(data):
    """Strict UTF-8 first (a BOM is dropped); Windows-1252 when that fails."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        try:
            return data.decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            raise FileRejected(
                _("The file says it is UTF-8 but is not. Save it again from Excel as CSV and upload that.")
            ) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        raise FileRejected(
            _(
                "The file's characters are in an encoding this import does not read. Save it from Excel as "
                "\u201cCSV UTF-8 (comma delimited)\u201d and upload that."
            )
        ) from None


def _sniff_delimiter(text):
    """The separator used most on the header line (outside quotes); a comma when there is none."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    unquoted = re.sub(r'"[^"]*"', "", first_line)
    counts = {delimiter: unquoted.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _read_csv(text, encoding):
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _table(_limited(reader), kind="csv", encoding=encoding)
    except csv.Error as error:
        raise FileRejected(
            _("The file could not be read as CSV (line %(line)d): %(reason)s")
            % {"line": reader.line_num, "reason": error}
        ) from None


def _limited(rows):
    """Rows as lists of strings, refusing (while reading) a file with too many rows or columns."""
    kept = 0
    for number, cells in enumerate(rows, start=1):
        if number > MAX_FILE_ROWS:
            raise FileRejected(
                _("The file has more than %(limit)s rows, counting blank ones. Delete the blank rows or split it.")
                % {"limit": f"{MAX_FILE_ROWS:,}"}
            )
        cells = [_clean(cell) for cell in cells]
        while cells and not cells[-1]:
            cells.pop()
        if len(cells) > MAX_COLUMNS:
            raise FileRejected(
                _("Row %(row)d has %(count)d columns. An import file may have at most %(limit)d.")
                % {"row": number, "count": len(cells), "limit": MAX_COLUMNS}
            )
        if any(cells):
            kept += 1
            if kept > MAX_ROWS + 1:  # + the header row
                raise FileRejected(
                    _("The file has more than %(limit)s rows of pupils. Split it into smaller files.")
                    % {"limit": f"{MAX_ROWS:,}"}
                )
        yield number, cells


def _table(numbered_rows, *, kind, encoding=""):
    numbered_rows = iter(numbered_rows)
    header_number, header_cells = next(numbered_rows, (1, []))
    headers = [_clean(cell) for cell in header_cells]
    if header_number != 1 or not any(headers):
        raise FileRejected(_("The first row of the file must hold the column names (for example UPN, Surname, DOB)."))
    headers = [
        header or _("Column %(letter)s") % {"letter": column_letter(index)} for index, header in enumerate(headers)
    ]
    _check_unique(headers)
    table = Table(headers=headers, kind=kind, encoding=encoding)
    for number, cells in numbered_rows:
        values = [_clean(cell) for cell in cells]
        if not any(values):
            continue
        if len(values) > len(headers):
            table.row_problems.append(
                {
                    "row": number,
                    "column": column_letter(len(headers)),
                    "message": _("This row has more cells than there are column names in the first row."),
                }
            )
            values = values[: len(headers)]
        values += [""] * (len(headers) - len(values))
        table.rows.append((number, dict(zip(headers, values, strict=True))))
    if not table.rows:
        raise FileRejected(_("The file has column names but no pupils under them."))
    return table


def _check_unique(headers):
    from .headers import normalise

    seen = {}
    for header in headers:
        seen.setdefault(normalise(header), []).append(header)
    repeated = [names[0] for names in seen.values() if len(names) > 1]
    if repeated:
        raise FileRejected(
            _("Each column needs its own name. These appear more than once: %(names)s.")
            % {"names": ", ".join(f"\u201c{name}\u201d" for name in repeated)}
        )


def _clean(value):
    """A cell as trimmed text: dates from a workbook as ISO dates, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time(0) else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).replace("\r\n", "\n").strip()
    return text[:MAX_CELL_CHARACTERS]


def column_letter(index):
    """0 -> "A", 26 -> "AA": the column as Excel names it."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# ----- XLSX -----


def _read_xlsx(data):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise FileRejected(
            _("The file looks like an Excel workbook but is damaged. Save it again and upload it.")
        ) from None
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise FileRejected(
            _("The file is a ZIP archive, not an Excel workbook. Upload a CSV file or an Excel workbook (.xlsx).")
        )
    unpacked = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos) or 1
    if unpacked > MAX_XLSX_UNPACKED_BYTES or unpacked / packed > MAX_XLSX_RATIO:
        raise FileRejected(_("The workbook unpacks to far more than it holds, so it is not opened."))
    import openpyxl

    try:
        # openpyxl parses the sheets' XML through defusedxml when it is installed, as it is here.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged workbook; all mean the same to the person
        raise FileRejected(
            _("The Excel workbook could not be opened. Save it again from Excel and upload it.")
        ) from None
    try:
        if not workbook.worksheets:
            raise FileRejected(_("The workbook has no sheets."))
        sheet = workbook.worksheets[0]
        # max_row stops openpyxl before the empty rows it would make up for a far-off row number.
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1, max_row=MAX_FILE_ROWS + 1)
        return _table(_limited(rows), kind="xlsx")
    finally:
        workbook.close()
