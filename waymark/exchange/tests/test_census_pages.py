"""The census check page and its downloads: who may open them, what they show, the audit trail,
a fixed number of queries, and cells that can never run as formulas."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope
from openpyxl import load_workbook

from waymark.core.models import AuditEvent
from waymark.exchange.census import census_day
from waymark.pupils.models import NeedType
from waymark.tests import factories as f
from waymark.tests.helpers import cast_mismatches, error_summary, text_of

URL = reverse("exchange:census")
EXPORT = reverse("exchange:census-export")
# other_senco opens School B's own check.
ALLOWED = {"senco", "head", "trust_lead", "other_senco"}


def the_census_day(cast):
    with scope(school=[cast.school.pk]):
        return census_day(cast.school, datetime.date.today())


def add_pupils(cast, count, *, failing=True):
    asd, slcn = NeedType.objects.get(code="ASD"), NeedType.objects.get(code="SLCN")
    for index in range(count):
        pupil = f.PupilFactory(school=cast.school, date_joined=datetime.date(2020, 9, 1))
        f.SenStatusFactory(
            pupil=pupil, provision="E" if index % 2 else "K", tier="specialist" if index % 2 else "targeted"
        )
        if not failing or index % 3:
            f.NeedFactory(pupil=pupil, need_type=asd, rank=1)
            f.NeedFactory(pupil=pupil, need_type=slcn, rank=2)


def test_who_may_open_the_census_check(cast, client_for):
    assert cast_mismatches(cast, client_for, URL, ALLOWED) == []
    assert cast_mismatches(cast, client_for, f"{EXPORT}?format=csv", ALLOWED) == []


def test_a_deputy_senco_may_open_it(cast, client_for):
    deputy = f.UserFactory()
    f.MembershipFactory(user=deputy, school=cast.school, roles=["deputy_senco"])
    assert client_for(deputy).get(URL).status_code == 200


def test_the_page_shows_counts_and_names_the_failing_records_with_a_link(cast, client_for):
    response = client_for(cast.senco).get(URL)
    text = text_of(response)
    day = the_census_day(cast)
    assert f"census day, {day.day} {day:%B %Y}" in text
    assert "Oswin Blackthorn" in text  # other_pupil: SEN support with no primary need
    assert "no primary need (rank 1) is recorded" in text
    assert reverse("pupils:pupil-detail", kwargs={"public_id": cast.other_pupil.public_id}) in response.content.decode()
    assert "Zephyrine Quartermaine" not in text  # pupil: a clean record
    assert "Marisol" not in text  # School B
    assert "K – SEN support 2" in text


def test_another_schools_senco_sees_only_their_own_school(cast, client_for):
    text = text_of(client_for(cast.other_senco).get(URL))
    assert "Brookfield School" in text
    assert "Oswin" not in text and "Zephyrine" not in text


def test_viewing_is_audited_with_the_failing_pupils_ids(cast, client_for):
    client_for(cast.head).get(URL)
    event = AuditEvent.objects.get(action="exchange.census.viewed")
    assert event.actor == cast.head and event.school == cast.school
    assert event.data["pupils"] == [str(cast.other_pupil.public_id)]
    assert event.data["census_day"] == the_census_day(cast).isoformat()
    assert event.pupil_id is None


def test_another_day_can_be_checked(cast, client_for):
    text = text_of(client_for(cast.senco).get(f"{URL}?on=2024-01-18"))
    assert "as they stand on 18 January 2024" in text
    boxes = text_of(client_for(cast.senco).get(f"{URL}?on_day=18&on_month=1&on_year=2024"))
    assert "as they stand on 18 January 2024" in boxes
    assert AuditEvent.objects.filter(action="exchange.census.viewed", data__census_day="2024-01-18").count() == 2


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("on=2026-02-30", "Day to check must be a real date"),
        ("on=yesterday", "Day to check must be a real date"),
        ("on_day=30&on_month=2&on_year=2026", "Day to check must be a real date"),
        ("on_day=1&on_month=&on_year=2026", "Day to check must include a month"),
        ("on_day=1&on_month=1&on_year=1999", "must be the same as or after 1 January 2000"),
    ],
)
def test_a_day_that_cannot_be_read_is_refused_and_census_day_shown(cast, client_for, query, message):
    response = client_for(cast.senco).get(f"{URL}?{query}")
    assert response.status_code == 200
    assert message in error_summary(response)
    day = the_census_day(cast)
    assert f"census day, {day.day} {day:%B %Y}" in text_of(response)
    assert client_for(cast.senco).get(f"{EXPORT}?format=csv&{query}").status_code == 404


def test_the_page_runs_the_same_queries_whatever_the_number_of_pupils(cast, client_for, django_assert_max_num_queries):
    client = client_for(cast.senco)
    add_pupils(cast, 3)
    client.get(URL)  # warm up the session and caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    add_pupils(cast, 40)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(URL)
    assert response.status_code == 200
    # Sign-in, scope and actor, then the check's own: pupils, statuses, needs, need types, year, audit.
    assert len(small.captured_queries) <= 18, "\n".join(q["sql"][:120] for q in small.captured_queries)


def test_the_csv_lists_one_row_per_problem_and_is_audited(cast, client_for):
    f.PupilFactory(school=cast.school, legal_surname='=HYPERLINK("http://evil")', upn="")
    response = client_for(cast.senco).get(f"{EXPORT}?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    day = the_census_day(cast)
    assert f"census-check-{day.isoformat()}.csv" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store, private"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Surname" and rows[0][-1] == "Problem"
    surnames = [row[0] for row in rows[1:]]
    assert "Blackthorn" in surnames
    # The formula is text: a quote in front, so no spreadsheet runs it.
    assert '\'=HYPERLINK("http://evil")' in surnames
    assert not any(cell.startswith("=") for row in rows for cell in row)
    event = AuditEvent.objects.get(action="exchange.census.exported")
    assert event.data["format"] == "csv" and str(cast.other_pupil.public_id) in event.data["pupils"]


def test_the_xlsx_holds_counts_needs_and_failing_records_as_text_never_formulas(cast, client_for):
    f.PupilFactory(school=cast.school, legal_forename="@SUM(A1:A9)", upn="")
    response = client_for(cast.head).get(f"{EXPORT}?format=xlsx&on=2026-01-15")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Counts", "Needs", "Records that would fail"]
    counts = {row[0]: row[1] for row in workbook["Counts"].iter_rows(min_row=2, values_only=True)}
    assert counts["K – SEN support"] == 2  # pupil and other_pupil
    assert counts["No provision recorded"] == 1  # the new pupil, with no status at all
    failing = workbook["Records that would fail"]
    cells = [cell for row in failing.iter_rows(min_row=2) for cell in row]
    forenames = [row[1] for row in failing.iter_rows(min_row=2, values_only=True)]
    assert "'@SUM(A1:A9)" in forenames
    assert all(cell.data_type != "f" for cell in cells)
    assert AuditEvent.objects.get(action="exchange.census.exported").data["census_day"] == "2026-01-15"


def test_an_unknown_format_is_missing(cast, client_for):
    assert client_for(cast.senco).get(f"{EXPORT}?format=pdf").status_code == 404
    assert client_for(cast.senco).post(f"{EXPORT}?format=csv").status_code == 405
