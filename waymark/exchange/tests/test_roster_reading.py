"""Reading roster files: encodings, separators, workbooks, what is refused and why; dates; cell values;
header names as SIMS, Arbor and Bromcom exports write them.
"""

import datetime
import io
import zipfile

import openpyxl
import pytest

from waymark.exchange.roster import values
from waymark.exchange.roster.dates import DateError, parse_date
from waymark.exchange.roster.headers import guess_mapping, headers_key, mapping_problems, normalise
from waymark.exchange.roster.reading import MAX_COLUMNS, FileRejected, column_letter, read_table

from .roster_files import sample

TODAY = datetime.date(2026, 9, 1)


def xlsx(rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def refused(data):
    with pytest.raises(FileRejected) as caught:
        read_table(data)
    return " ".join(caught.value.messages)


# ----- encodings and separators -----


@pytest.mark.parametrize(
    ("name", "encoding"), [("sims.csv", "utf-8"), ("utf8-bom.csv", "utf-8-sig"), ("windows-1252.csv", "windows-1252")]
)
def test_utf8_with_or_without_a_bom_and_windows_1252(name, encoding):
    table = read_table(sample(name))
    assert table.encoding == encoding
    assert table.headers[0] == "UPN"  # no BOM left on the first header


def test_windows_1252_and_utf8_bom_give_the_same_text():
    cp1252 = read_table(sample("windows-1252.csv")).rows[0][1]
    bom = read_table(sample("utf8-bom.csv")).rows[0][1]
    assert cp1252["Surname"] == bom["Surname"] == "O\u2019Brien"
    assert cp1252["Forename"] == bom["Forename"] == "Zoé"


def test_utf16_is_refused_with_what_to_do():
    assert "UTF-16" in refused(sample("utf16.csv")) and "CSV UTF-8" in refused(sample("utf16.csv"))
    no_bom = "UPN,Surname\r\nA,B\r\n".encode("utf-16-le")
    assert "UTF-16" in refused(no_bom)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_separator_is_sniffed(delimiter):
    data = delimiter.join(["UPN", "Surname", "Forename"]) + "\r\n" + delimiter.join(["X", "O'Neil, Jr", "Al"])
    if delimiter == ",":
        data = 'UPN,Surname,Forename\r\nX,"O\'Neil, Jr",Al'
    table = read_table(data.encode())
    assert table.headers == ["UPN", "Surname", "Forename"]
    assert table.rows[0][1]["Surname"] == "O'Neil, Jr"


def test_blank_rows_are_skipped_and_row_numbers_are_the_files():
    data = b"UPN,Surname\r\nA1,Ames\r\n,\r\n\r\nB2,Bloggs\r\n,,\r\n\r\n"
    table = read_table(data)
    assert [number for number, _cells in table.rows] == [2, 5]


def test_cells_are_trimmed_and_short_rows_padded():
    table = read_table(b"UPN,Surname,Forename\r\n  A1 ,  Ames  \r\n")
    assert table.rows[0][1] == {"UPN": "A1", "Surname": "Ames", "Forename": ""}


def test_a_row_longer_than_the_header_row_is_a_problem_of_that_row():
    table = read_table(b"UPN,Surname\r\nA1,Ames,extra\r\n")
    assert table.row_problems == [
        {"row": 2, "column": "C", "message": "This row has more cells than there are column names in the first row."}
    ]


# ----- workbooks -----


def test_xlsx_first_sheet_with_date_and_number_cells():
    data = xlsx(
        [
            ["UPN", "Surname", "DOB", "Year", "Admission"],
            ["M873400115001", "Okafor", datetime.datetime(2013, 3, 14), 8, datetime.date(2019, 9, 1)],
            [None, None, None, None, None],
            ["B873400115002", "Patel", "21/07/2013", 8.0, 43709],
        ]
    )
    table = read_table(data)
    assert table.kind == "xlsx"
    assert table.rows[0] == (2, {"UPN": "M873400115001", "Surname": "Okafor", "DOB": "2013-03-14", "Year": "8",
                                 "Admission": "2019-09-01"})  # fmt: skip
    assert table.rows[1][0] == 4 and table.rows[1][1]["Year"] == "8" and table.rows[1][1]["Admission"] == "43709"


def test_an_xls_a_zip_and_a_pdf_are_refused_by_their_content_not_their_name():
    assert "old Excel workbook (.xls)" in refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("pupils.csv", "UPN,Surname\r\n")
    assert "ZIP archive, not an Excel workbook" in refused(archive.getvalue())
    assert "not a spreadsheet" in refused(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")
    assert "damaged" in refused(b"PK\x03\x04 not really a zip")


def test_a_workbook_that_inflates_enormously_is_not_opened():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", "<" + "a" * 50_000_000 + "/>")
    assert "unpacks to far more" in refused(archive.getvalue())


# ----- refusals of the whole file -----


def test_empty_no_header_and_no_rows():
    assert "empty" in refused(b"")
    assert "empty" in refused(b"  \r\n \r\n")
    assert "first row of the file must hold the column names" in refused(b",,\r\nA1,Ames\r\n")
    assert "no pupils under them" in refused(b"UPN,Surname\r\n")


def test_duplicate_header_names_are_refused_naming_them():
    message = refused(sample("duplicate-headers.csv"))
    assert "appear more than once" in message and "“Surname”" in message


def test_too_many_rows_or_columns(monkeypatch):
    from waymark.exchange.roster import reading

    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    assert "more than 3 rows" in refused(b"UPN\r\n1\r\n2\r\n3\r\n4\r\n")
    assert read_table(b"UPN\r\n1\r\n2\r\n3\r\n").rows[-1][0] == 4
    wide = ",".join(f"C{n}" for n in range(MAX_COLUMNS + 1)).encode()
    assert f"at most {MAX_COLUMNS}" in refused(wide + b"\r\n1\r\n")


def test_column_letters():
    assert [column_letter(n) for n in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


# ----- dates -----


@pytest.mark.parametrize(
    "text",
    ["2015-03-14", "2015-03-14 00:00:00", "2015-03-14T00:00:00", "14/03/2015", "14-03-2015", "14.03.2015",
     "14/3/15", "14 March 2015", "14 Mar 2015", "14-Mar-2015", "42077", "42077.0"],
)  # fmt: skip
def test_date_forms_schools_use(text):
    assert parse_date(text, today=TODAY) == datetime.date(2015, 3, 14)


def test_ambiguous_dates_are_read_day_first_and_american_order_is_refused():
    assert parse_date("03/04/2015", today=TODAY) == datetime.date(2015, 4, 3)
    assert parse_date("13/03/2015", today=TODAY) == datetime.date(2015, 3, 13)
    with pytest.raises(DateError, match="month first"):
        parse_date("03/13/2015", today=TODAY)


def test_two_digit_years_up_to_this_year_are_2000s_and_later_ones_1900s():
    assert parse_date("14/3/26", today=TODAY).year == 2026
    assert parse_date("14/3/27", today=TODAY).year == 1927


@pytest.mark.parametrize("text", ["31/02/2015", "29/02/2015", "2015-02-30", "32/01/2015", "14/13/2015"])
def test_impossible_dates_are_refused(text):
    with pytest.raises(DateError, match="not a real date"):
        parse_date(text, today=TODAY)


@pytest.mark.parametrize("text", ["yesterday", "14th of March", "2015/03/14/1", "1234"])
def test_unreadable_dates_say_how_to_write_them(text):
    with pytest.raises(DateError, match="not a date in a form this import reads"):
        parse_date(text, today=TODAY)


# ----- cell values -----


@pytest.mark.parametrize(
    ("text", "year"),
    [("Year 8", 8), ("8", 8), ("08", 8), ("Y8", 8), ("Yr 8", 8), ("NC Year 8", 8), ("R", 0), ("Reception", 0),
     ("YR", 0), ("Year R", 0), ("N1", -1), ("N2", -1), ("Nursery", -1), ("14", 14)],
)  # fmt: skip
def test_year_groups(text, year):
    assert values.year_group(text) == year


@pytest.mark.parametrize("text", ["15", "Year 0.5", "Sixth form", "-2"])
def test_year_groups_refused(text):
    with pytest.raises(ValueError, match="not a year group"):
        values.year_group(text)


def test_sex_provision_relationship_and_yes_no():
    assert [values.sex(t) for t in ("M", "female", "Boy", " F ")] == ["M", "F", "M", "F"]
    with pytest.raises(ValueError, match="M or F"):
        values.sex("X")
    assert [values.provision(t) for t in ("K", "k - SEN Support", "EHCP", "No SEN", "E")] == ["K", "K", "E", "N", "E"]
    for legacy in ("S", "A", "P", "School Action Plus", "Statement"):
        with pytest.raises(ValueError, match="legacy code"):
            values.provision(legacy)
    with pytest.raises(ValueError, match="not an SEN provision code"):
        values.provision("Q")
    assert values.relationship("Step-mother") == "step_parent" and values.relationship("PAM") == "mother"
    with pytest.raises(values.NotFamily):
        values.relationship("Doctor")
    assert (values.yes_no("Yes"), values.yes_no("n"), values.yes_no("TRUE")) == (True, False, True)


# ----- header names -----


SIMS = ["UPN", "Legal Surname", "Legal Forename", "Preferred Forename", "DOB", "Gender", "Year", "Reg",
        "Admission Date", "SEN Status", "Primary Need", "Secondary Need", "Adno"]  # fmt: skip
ARBOR = ["First Name", "Last Name", "Preferred First Name", "Date of Birth", "Year Group", "Registration Form",
         "Gender", "UPN", "Admission Date", "Contact 1 Name", "Contact 1 Relationship", "Contact 1 Email"]  # fmt: skip
BROMCOM = ["Legal Surname", "Legal Forename", "D.O.B.", "NC Year Actual", "Reg Group", "Sex", "UPN",
           "Date of Admission", "Leaving Date", "SEN Provision", "SEN Need 1", "SEN Need 2",
           "Class Teacher"]  # fmt: skip


@pytest.mark.parametrize("headers", [SIMS, ARBOR, BROMCOM], ids=["SIMS", "Arbor", "Bromcom"])
def test_common_mis_header_sets_are_recognised_without_a_saved_mapping(headers):
    mapping = guess_mapping(headers)
    assert mapping_problems(mapping) == []
    assert {"upn", "legal_surname", "legal_forename", "date_of_birth", "year_group", "sex"} <= set(mapping.values())


def test_each_field_goes_to_its_first_column_only_and_unknown_columns_are_not_imported():
    mapping = guess_mapping(["Surname", "Legal Surname", "Adno", "Ethnicity"])
    assert mapping == {"Surname": "legal_surname", "Legal Surname": "", "Adno": "", "Ethnicity": ""}


def test_header_names_compare_without_case_spaces_or_punctuation():
    assert normalise(" D.O.B. ") == normalise("dob") == "dob"
    assert headers_key(["UPN", "  Legal   Surname "]) == "upn\tlegal surname"


def test_mapping_problems_name_missing_and_doubled_fields():
    problems = mapping_problems({"A": "legal_surname", "B": "legal_surname", "C": "upn"})
    text = " ".join(problems)
    assert "Only one column can be read as “Legal last name”: you chose “A”, “B”." in text
    assert "“Date of birth”" in text and "“Sex”" in text
