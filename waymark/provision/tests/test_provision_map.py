"""The provision map and its downloads: who may see them, what they show, the threshold flag, query counts.

The cast's terms are removed, so every group is costed for a full 38-week year whatever
day the tests run: the TA's phonics group (20 minutes, five days a week, £18 an hour) costs
£6 a session × 5 × 38 = £1,140 a year, all of it ``pupil``'s; ``other_group`` the same for
``other_pupil``.
"""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from waymark.core.models import AuditEvent
from waymark.provision.models import GroupMember
from waymark.schools.models import School, Term
from waymark.tests import factories as f
from waymark.tests.helpers import cast_mismatches, text_of

from . import factories as pf

SEE_MAP = {"senco", "head", "trust_lead", "other_senco"}


def map_url(**query):
    url = reverse("provision:provision-map")
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def export_url(**query):
    return reverse("provision:provision-map-export") + "?" + "&".join(f"{k}={v}" for k, v in query.items())


@pytest.fixture
def setup(cast):
    with scopes_disabled():
        Term.objects.all().delete()
        # On the register with nothing costed yet: they still appear, at £0.00.
        cast.waiting = f.PupilFactory(
            school=cast.school, legal_forename="Wren", legal_surname="Abernethy", year_group=7
        )
        f.SenStatusFactory(pupil=cast.waiting, provision="E", tier="specialist")
    return cast


def pupil_cost(cast, pupil, amount, funding="sen_budget"):
    return pf.OtherCostFactory(
        school=cast.school, pupil=pupil, annual_amount=Decimal(amount), funding=funding, created_by=cast.senco
    )


# ----- who may see it -----

PAGES = {
    "map-by-pupil": lambda c: map_url(),
    "map-by-intervention": lambda c: map_url(view="intervention"),
    "map-by-funding": lambda c: map_url(view="funding"),
    "export-csv": lambda c: export_url(format="csv", view="pupil"),
    "export-xlsx": lambda c: export_url(format="xlsx", view="intervention"),
}


@pytest.mark.parametrize("page", PAGES)
def test_who_may_open_each_page(setup, client_for, page):
    url = PAGES[page](setup)
    wrong = cast_mismatches(setup, client_for, url, SEE_MAP)
    assert not wrong, f"{page} ({url}):\n" + "\n".join(wrong)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_sign_in(setup, client_for, page):
    response = client_for(None).get(PAGES[page](setup))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_other_school_s_senco_sees_only_their_own_school(setup, client_for):
    page = text_of(client_for(setup.other_senco).get(map_url()))
    assert "Marisol Featherstone" in page and "Quartermaine" not in page and "Blackthorn" not in page


def test_map_pages_take_only_get(setup, client_for):
    client = client_for(setup.senco)
    assert client.post(map_url()).status_code == 405
    assert client.post(export_url(format="csv")).status_code == 405


# ----- what it shows -----


def test_by_pupil(setup, client_for):
    pupil_cost(setup, setup.pupil, "500", funding="imf")
    response = client_for(setup.senco).get(map_url())
    page = text_of(response)
    assert "Provision this school year costs £2,780.00 a year in all." in page
    assert "No terms entered: costed as a full 38-week year." in page
    assert "3 pupils" in page
    assert (
        "Zephyrine Quartermaine Year 8 K K – SEN support Phonics catch-up: 1 hour 40 minutes "
        "Costs for them alone: £500.00 £1,640.00 School SEN budget: £1,140.00 Inclusive Mainstream Fund: £500.00"
    ) in page
    assert "Oswin Blackthorn Year 9 K K – SEN support Phonics catch-up: 1 hour 40 minutes £1,140.00" in page
    assert "Wren Abernethy Year 7 E E – Education, health and care plan No costed provision £0.00" in page
    assert "Over the" not in page.split("Filter")[1]  # nobody is over £6,000
    # Each view of a page of the map is one audit event naming the pupils shown.
    event = AuditEvent.objects.get(action="provision.map.viewed")
    assert event.data["view"] == "pupil"
    assert set(event.data["pupils"]) == {str(p.public_id) for p in (setup.pupil, setup.other_pupil, setup.waiting)}


def test_by_intervention_and_by_funding(setup, client_for):
    pupil_cost(setup, setup.pupil, "500", funding="imf")
    with scopes_disabled():
        lego = pf.InterventionFactory(school=setup.school, name="Lego therapy")
        empty = pf.InterventionGroupFactory(school=setup.school, intervention=lego, funding="imf")
        pf.GroupLeaderFactory(group=empty, user=setup.teacher, staff_role=setup.staff_role)
        pf.GroupSlotFactory(group=empty, weekday=0)
    client = client_for(setup.senco)
    page = text_of(client.get(map_url(view="intervention", sort="-cost")))
    # 20 minutes at £18 an hour, once a week for 38 weeks: £228, for nobody yet.
    assert "Phonics catch-up 2 2 3 hours 20 minutes £2,280.00" in page
    assert "Costs entered for individual pupils None 1 None £500.00" in page
    assert "Lego therapy 1 0 20 minutes £228.00 Total £3,008.00" in page
    # Sorted by cost, highest first.
    assert page.index("Phonics catch-up 2") < page.index("Costs entered") < page.index("Lego therapy 1")
    page = text_of(client.get(map_url(view="funding")))
    assert "School SEN budget 2 £2,280.00 Inclusive Mainstream Fund 1 £728.00 Total £3,008.00" in page
    assert "This includes £228.00 for groups with no pupils in them at present." in page
    assert [e.data["view"] for e in AuditEvent.objects.filter(action="provision.map.viewed").order_by("pk")] == [
        "intervention",
        "funding",
    ]


@pytest.mark.parametrize(
    "extra, flagged",
    [("4860.00", False), ("4860.01", True)],  # £6,000.00 exactly is not over; £6,000.01 is
)
def test_the_threshold_flag(setup, client_for, extra, flagged):
    pupil_cost(setup, setup.pupil, extra)
    page = text_of(client_for(setup.senco).get(map_url()))
    row = page.split("Zephyrine Quartermaine", 2)[-1].split("Oswin")[0]
    assert ("Over the £6,000.00 threshold" in row) is flagged
    over = text_of(client_for(setup.senco).get(map_url(over_threshold="on")))
    assert ("Zephyrine Quartermaine" in over) is flagged
    assert "Oswin Blackthorn" not in over


def test_the_threshold_follows_the_school_s_setting(setup, client_for):
    with scopes_disabled():
        School.objects.filter(pk=setup.school.pk).update(notional_threshold=Decimal("1000"))
    page = text_of(client_for(setup.senco).get(map_url(over_threshold="on")))
    assert page.count("Over the £1,000.00 threshold") == 2


def test_filters_and_sorting(setup, client_for):
    pupil_cost(setup, setup.other_pupil, "10", funding="experts_at_hand")
    client = client_for(setup.senco)
    page = text_of(client.get(map_url(year_group="9")))
    assert "Oswin Blackthorn" in page and "Zephyrine" not in page and "Wren" not in page
    page = text_of(client.get(map_url(funding="experts_at_hand")))
    assert "1 pupil " in page and "Oswin Blackthorn" in page and "Zephyrine" not in page
    page = text_of(client.get(map_url(sort="-cost")))
    assert page.index("Oswin") < page.index("Zephyrine") < page.index("Wren")
    page = text_of(client.get(map_url(sort="year")))
    assert page.index("Wren") < page.index("Zephyrine") < page.index("Oswin")
    # Bad values are ignored rather than shown as errors.
    assert client.get(map_url(year_group="banana", sort="drop", view="nonsense")).status_code == 200
    event = AuditEvent.objects.filter(action="provision.map.viewed").order_by("pk").first()
    assert event.data["filters"] == {"year_group": "9"}


def test_the_by_pupil_view_is_paginated(setup, client_for, settings):
    settings.WAYMARK_REGISTER_PAGE_SIZE = 2
    client = client_for(setup.senco)
    first = text_of(client.get(map_url()))
    second = text_of(client.get(map_url(page="2")))
    # By surname: Abernethy, Blackthorn, then Quartermaine on the second page.
    assert "page 1 of 2" in first and "Wren" in first and "Oswin" in first and "Zephyrine" not in first
    assert "Zephyrine Quartermaine" in second and "Oswin" not in second


def add_groups(cast, number):
    with scopes_disabled():
        for index in range(number):
            group = pf.InterventionGroupFactory(school=cast.school)
            pf.GroupLeaderFactory(group=group, staff_role=cast.staff_role)
            pf.GroupSlotFactory(group=group, weekday=index % 5)
            for _ in range(2):
                member = pf.GroupMemberFactory(group=group)
                f.SenStatusFactory(pupil=member.pupil, provision="K", tier="targeted")
            pf.OtherCostFactory(school=cast.school, group=group, created_by=cast.senco)
            pf.OtherCostFactory(school=cast.school, pupil=member.pupil, created_by=cast.senco)


def page_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("view", ["pupil", "intervention", "funding"])
def test_the_map_runs_the_same_queries_for_2_or_12_groups(setup, client_for, view):
    client = client_for(setup.senco)
    url = map_url(view=view)
    client.get(url)  # the session and the actor's first look-ups
    small = page_queries(client, url)
    add_groups(setup, 10)
    assert page_queries(client, url) == small
    with scopes_disabled():
        assert GroupMember.objects.filter(group__school=setup.school).count() == 22


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_exports_run_the_same_queries_for_2_or_12_groups(setup, client_for, file_format):
    client = client_for(setup.senco)
    url = export_url(format=file_format, view="pupil")
    client.get(url)
    small = page_queries(client, url)
    add_groups(setup, 10)
    assert page_queries(client, url) == small


# ----- downloads -----


def read_csv(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_download_by_pupil(setup, client_for):
    with scopes_disabled():
        setup.other_pupil.legal_forename = "=HYPERLINK(1)"
        setup.other_pupil.save()
    pupil_cost(setup, setup.pupil, "4860.01", funding="imf")
    response = client_for(setup.senco).get(export_url(format="csv", view="pupil", sort="-cost"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="provision-map-pupils-\d{4}-\d{2}-\d{2}\.csv"', response["Content-Disposition"]
    )
    assert "no-store" in response["Cache-Control"]
    header, *rows = read_csv(response)
    assert header[:7] == [
        "Pupil",
        "UPN",
        "Year group",
        "SEN provision",
        "Interventions",
        "Hours a week",
        "Cost a year (£)",
    ]
    assert header[-1] == "Over the threshold of £6,000.00"
    first = dict(zip(header, rows[0], strict=True))
    assert first["Pupil"] == "Zephyrine Quartermaine"
    assert first["Interventions"] == "Phonics catch-up (1.67 hours a week)"
    assert first["Cost a year (£)"] == "6000.01"
    assert first["School SEN budget (£)"] == "1140.00" and first["Inclusive Mainstream Fund (£)"] == "4860.01"
    assert first["Over the threshold of £6,000.00"] == "Yes"
    assert rows[1][0] == "'=HYPERLINK(1) Blackthorn"  # a name cannot become a formula
    assert len(rows) == 3
    event = AuditEvent.objects.get(action="provision.map.exported")
    assert (event.data["format"], event.data["view"], event.data["rows"]) == ("csv", "pupil", 3)


def test_the_csv_download_keeps_the_filters(setup, client_for):
    response = client_for(setup.senco).get(export_url(format="csv", view="pupil", year_group="7"))
    _header, *rows = read_csv(response)
    assert [row[0] for row in rows] == ["Wren Abernethy"]
    event = AuditEvent.objects.get(action="provision.map.exported")
    assert event.data["rows"] == 1 and event.data["filters"] == {"year_group": "7"}


def test_the_xlsx_downloads_by_intervention_and_funding(setup, client_for):
    pupil_cost(setup, setup.pupil, "12.50", funding="imf")
    client = client_for(setup.senco)
    response = client.get(export_url(format="xlsx", view="intervention"))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "provision-map-interventions-" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["Intervention", "Groups", "Pupils", "Hours a week", "Cost a year (£)"]
    assert values[1] == ["Phonics catch-up", 2, 2, 3.33, 2280]
    assert values[2] == ["Costs entered for individual pupils", 0, 1, 0, 12.5]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    sheet = load_workbook(io.BytesIO(client.get(export_url(format="xlsx", view="funding")).content)).worksheets[0]
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Funding source", "Pupils", "Cost a year (£)"],
        ["School SEN budget", 2, 2280],
        ["Inclusive Mainstream Fund", 1, 12.5],
    ]
    assert [
        (e.data["format"], e.data["view"], e.data["rows"])
        for e in AuditEvent.objects.filter(action="provision.map.exported").order_by("pk")
    ] == [("xlsx", "intervention", 2), ("xlsx", "funding", 2)]


def test_an_unknown_format_is_missing(setup, client_for):
    assert client_for(setup.senco).get(export_url(format="pdf")).status_code == 404
    assert client_for(setup.senco).get(reverse("provision:provision-map-export")).status_code == 404
    assert not AuditEvent.objects.filter(action="provision.map.exported").exists()
