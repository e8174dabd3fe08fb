"""Pages run a fixed number of queries, however many pupils the school has (DESIGN.md, "Where logic goes")."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from waymark.pupils.models import Enrolment, Need, NeedType, ParentLink, Pupil, SenStatus
from waymark.tests import factories as f

# A ceiling well above today's count, so a new query per page is a choice, not an accident.
MAX_QUERIES_PER_PAGE = 25


@pytest.fixture
def school_setup(db):
    with scopes_disabled():
        school = f.SchoolFactory(name="Countbridge Academy")
        senco = f.MembershipFactory(school=school, roles=["senco"]).user
        teacher = f.MembershipFactory(school=school, roles=["teacher"]).user
        group = f.ClassGroupFactory(school=school, name="8Q", year_group=8)
        f.GroupStaffFactory(group=group, user=teacher)
        other_group = f.ClassGroupFactory(school=school, academic_year=group.academic_year, name="8R")
        f.GroupStaffFactory(group=other_group, user=teacher, kind="ta")
    return school, senco, teacher, [group, other_group]


def add_pupils(school, groups, count, start=0):
    """Bulk-create ``count`` pupils on the register, each with a need, two classes and a parent."""
    today = datetime.date.today()
    asd, spld = NeedType.objects.get(code="ASD"), NeedType.objects.get(code="SPLD")
    with scopes_disabled():
        pupils = Pupil.objects.bulk_create(
            [
                Pupil(
                    school=school,
                    upn=f.make_upn(school.la_number, school.establishment_number, start + i),
                    legal_forename=f"Bulk{start + i}",
                    legal_surname=f"Pupil{start + i:04d}",
                    date_of_birth=datetime.date(2014, 1, 1),
                    year_group=8,
                    sex="F",
                    date_joined=datetime.date(2019, 9, 1),
                )
                for i in range(count)
            ]
        )
        SenStatus.objects.bulk_create(
            SenStatus(pupil=p, provision="K", tier="targeted", starts_on=datetime.date(2024, 9, 1)) for p in pupils
        )
        Need.objects.bulk_create(
            need
            for p in pupils
            for need in (Need(pupil=p, need_type=asd, rank=1), Need(pupil=p, need_type=spld, rank=2))
        )
        Enrolment.objects.bulk_create(
            Enrolment(pupil=p, group=g, starts_on=g.academic_year.starts_on, ends_on=g.academic_year.ends_on)
            for p in pupils
            for g in groups
        )
        parents = [f.UserFactory() for _ in range(2)]
        ParentLink.objects.bulk_create(
            ParentLink(pupil=p, user=parent, relationship="parent") for p in pupils for parent in parents
        )
    assert today  # pupils are on roll today
    return pupils


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["senco", "teacher"])
def test_register_runs_the_same_queries_for_10_or_300_pupils(school_setup, client_for, who):
    school, senco, teacher, groups = school_setup
    client = client_for(senco if who == "senco" else teacher)
    url = reverse("pupils:register-list")
    add_pupils(school, groups, 10)
    few = count_queries(client, url)
    add_pupils(school, groups, 290, start=10)
    many = count_queries(client, url)
    page_two = count_queries(client, url, {"page": 2, "sort": "-name"})
    assert few == many == page_two, (few, many, page_two)
    assert many <= MAX_QUERIES_PER_PAGE
    html = client.get(url, {"page": 6}).content.decode()
    assert "Pupil0299" in html  # the 300 really are there: page 6 of 50 a page


def test_register_with_filters_runs_the_same_queries(school_setup, client_for):
    school, senco, _, groups = school_setup
    client = client_for(senco)
    url = reverse("pupils:register-list")
    params = {"need": "ASD", "tier": "targeted", "year_group": "8", "group": str(groups[0].public_id), "q": "Bulk"}
    add_pupils(school, groups, 10)
    few = count_queries(client, url, params)
    add_pupils(school, groups, 290, start=10)
    assert count_queries(client, url, params) == few
    assert "Pupil0000" in client.get(url, params).content.decode()  # the filters matched pupils


def test_pupil_page_runs_the_same_queries_for_10_or_300_pupils(school_setup, client_for, django_assert_max_num_queries):
    school, senco, _, groups = school_setup
    client = client_for(senco)
    pupil = add_pupils(school, groups, 10)[0]
    url = reverse("pupils:pupil-detail", args=[pupil.public_id])
    few = count_queries(client, url)
    add_pupils(school, groups, 290, start=10)
    # A long history for this pupil too: closed statuses and needs must not add a query each.
    with scopes_disabled():
        SenStatus.objects.bulk_create(
            SenStatus(
                pupil=pupil,
                provision="N",
                tier="universal",
                starts_on=datetime.date(2010 + i, 9, 1),
                ends_on=datetime.date(2011 + i, 8, 31),
            )
            for i in range(12)
        )
        Need.objects.bulk_create(
            Need(pupil=pupil, need_type=need_type, rank=5, ends_on=datetime.date(2023, 1, 1))
            for need_type in NeedType.objects.all()
        )
    many = count_queries(client, url)
    assert few == many
    with django_assert_max_num_queries(MAX_QUERIES_PER_PAGE):
        client.get(url)
