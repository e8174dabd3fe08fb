"""Every CSV and XLSX export Waymark offers neutralises spreadsheet formulas (OWASP "CSV injection").

Pupils, interventions, groups and costs are given names that a spreadsheet program would run
as formulas; then every export is downloaded as a user would, parsed (CSV with the ``csv``
module, XLSX with openpyxl), and no cell may start with a formula character unless it is
quoted. Each export must also show the planted names (quoted), so the test cannot pass by
leaving them out.

The exports, as of this issue (a sweep of the code for csv, openpyxl, xlsx, text/csv and
spreadsheetml): the provision map by pupil, intervention and funding source, as CSV and
XLSX (``provision:provision-map-export``); the census check as CSV and XLSX
(``exchange:census-export``); and the CSV files inside a subject access release ZIP
(``exchange:sar-download``). All of them write through ``waymark.core.spreadsheets``.
"""

import csv
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from openpyxl import load_workbook

from waymark.core.actor import Actor
from waymark.evidence.models import Note
from waymark.exchange.models import SubjectAccessRequest
from waymark.exchange.subject_access.release import sar_release
from waymark.exchange.subject_access.requests import sar_log
from waymark.provision.tests import factories as pf
from waymark.pupils.models import Pupil
from waymark.tests import factories as f

PLANTED = ('=HYPERLINK("http://x")', "+1", "-1", "@SUM(1)", "\t=1", "\r=1")
# What a spreadsheet program may read as the start of a formula: OWASP's list and the full-width forms.
# Kept here rather than imported, so narrowing the list in the code cannot quietly narrow the test.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# A plain number in a CSV (a negative amount, say) is data, not a formula: a spreadsheet reads it as a number.
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def unsafe(cell):
    """Whether a text cell would start a formula: a trigger first, and not a plain number we wrote."""
    return isinstance(cell, str) and cell.startswith(TRIGGERS) and not (NUMBER.match(cell) and cell not in PLANTED)


def csv_cells(data):
    text = data.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def xlsx_cells(data):
    workbook = load_workbook(io.BytesIO(data))
    cells = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                cells.append(cell.value)
    return cells


def cells_of(response, file_format):
    assert response.status_code == 200
    return csv_cells(response.content) if file_format == "csv" else xlsx_cells(response.content)


def assert_safe(cells, *, planted=PLANTED):
    """No cell starts a formula, and each planted value is there, quoted, at the start of a cell."""
    bad = [cell for cell in cells if unsafe(cell)]
    assert bad == [], bad
    texts = [cell for cell in cells if isinstance(cell, str)]
    missing = [value for value in planted if not any(text.startswith("'" + value) for text in texts)]
    assert missing == [], missing


@pytest.fixture
def planted(cast):
    """A pupil on the SEN register for each planted value (as forename and surname), each in a group of
    an intervention named with it, with a cost of their own described with it too."""
    made = []
    with scopes_disabled():
        for number, value in enumerate(PLANTED):
            pupil = f.PupilFactory(school=cast.school, legal_forename=value, legal_surname=value, year_group=7)
            # SEN support with no primary need: a record the census check names.
            f.SenStatusFactory(pupil=pupil, provision="K", tier="targeted")
            intervention = pf.InterventionFactory(school=cast.school, name=value)
            group = pf.InterventionGroupFactory(school=cast.school, intervention=intervention, name=value)
            pf.GroupLeaderFactory(group=group, user=cast.ta, staff_role=cast.staff_role)
            pf.GroupSlotFactory(group=group, weekday=number % 5)
            pf.GroupMemberFactory(group=group, pupil=pupil)
            pf.OtherCostFactory(
                school=cast.school, pupil=pupil, description=value, annual_amount=Decimal("10"), created_by=cast.senco
            )
            made.append(pupil)
    return made


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("view", ["pupil", "intervention", "funding"])
def test_the_provision_map_exports(cast, planted, client_for, file_format, view):
    url = reverse("provision:provision-map-export")
    cells = cells_of(client_for(cast.senco).get(url, {"format": file_format, "view": view}), file_format)
    # The funding view names only the funding sources, which are ours: nothing planted reaches it.
    assert_safe(cells, planted=() if view == "funding" else PLANTED)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_census_check_exports(cast, planted, client_for, file_format):
    url = reverse("exchange:census-export")
    response = client_for(cast.senco).get(url, {"format": file_format, "on": cast.term.starts_on.isoformat()})
    assert_safe(cells_of(response, file_format))


def test_the_csv_files_in_a_subject_access_release(cast, planted, client_for):
    pupil = planted[0]
    with scopes_disabled():
        for value in PLANTED:
            Note.objects.create(pupil=pupil, text=value, happened_on=cast.term.starts_on, written_by=cast.senco)
    actor = Actor.for_user(cast.senco)
    with scope(school=[cast.school.pk]):
        pupil = Pupil.objects.get(pk=pupil.pk)
        request = sar_log(
            actor=actor,
            pupil=pupil,
            requester_kind=SubjectAccessRequest.Requester.PUPIL,
            identity_check=SubjectAccessRequest.IdentityCheck.PUPIL_IN_PERSON,
            received_on=actor.today,
        )
        request = sar_release(actor=actor, request=request, expected_version=request.lock_version)
    response = client_for(cast.senco).get(reverse("exchange:sar-download", args=[request.public_id]))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = [name for name in archive.namelist() if name.endswith(".csv")]
    assert names
    cells = [cell for name in names for cell in csv_cells(archive.read(name))]
    # One pupil's release: their own name (the "=HYPERLINK" one) and notes written with every planted value.
    assert_safe(cells)


def test_the_check_itself_catches_an_unquoted_formula():
    with pytest.raises(AssertionError):
        assert_safe(csv_cells('\ufeffName\r\n"=HYPERLINK(""http://x"")"\r\n'.encode()), planted=())
    with pytest.raises(AssertionError):
        assert_safe(csv_cells(b"Name\r\n+1\r\n"), planted=())  # a planted value is never taken for a number
    assert_safe(csv_cells(b"Amount\r\n-12.50\r\n"), planted=())  # a negative amount is a number
