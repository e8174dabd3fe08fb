"""When a group is planned to meet (``schedule.planned_dates``, ``is_planned_on``): term time only, on its days."""

import datetime

import pytest
from django_scopes import scopes_disabled
from hypothesis import given, settings
from hypothesis import strategies as st

from waymark.provision.schedule import is_planned_on, planned_dates, term_ranges
from waymark.tests import factories as f

FIRST = datetime.date(2029, 8, 1)
LAST = datetime.date(2031, 9, 30)
DAY = datetime.timedelta(days=1)

dates = st.dates(min_value=FIRST, max_value=LAST)
weekday_sets = st.sets(st.integers(min_value=0, max_value=4), max_size=5)


@st.composite
def term_lists(draw):
    """Up to four terms in order, possibly touching, possibly one day long."""
    terms = []
    start = draw(dates)
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        length = draw(st.integers(min_value=0, max_value=90))
        end = start + length * DAY
        if end > LAST:
            break
        terms.append((start, end))
        start = end + draw(st.integers(min_value=1, max_value=30)) * DAY
        if start > LAST:
            break
    return terms


def in_a_term(day, terms):
    return any(first <= day <= last for first, last in terms)


@settings(max_examples=50, deadline=None)
@given(weekdays=weekday_sets, start=dates, end=dates, terms=term_lists())
def test_planned_dates_are_in_term_in_range_on_the_days_and_never_twice(weekdays, start, end, terms):
    planned = planned_dates(weekdays, start, end, terms)
    assert len(planned) == len(set(planned))
    assert planned == sorted(planned)
    for day in planned:
        assert start <= day <= end
        assert in_a_term(day, terms)
        assert day.weekday() in weekdays
    # Nothing that should be there is missing: every qualifying day is planned, and is_planned_on agrees.
    if start <= end and (end - start).days <= 400:
        day = start
        while day <= end:
            expected = day.weekday() in weekdays and in_a_term(day, terms)
            assert (day in planned) is expected
            assert is_planned_on(weekdays, start, end, terms, day) is expected
            day += DAY


@settings(max_examples=50, deadline=None)
@given(weekdays=weekday_sets, start=dates, end=dates, terms=term_lists())
def test_overlapping_terms_never_plan_a_day_twice(weekdays, start, end, terms):
    doubled = terms + terms[:1]
    assert planned_dates(weekdays, start, end, doubled) == planned_dates(weekdays, start, end, terms)


def test_a_half_term_holiday_has_no_sessions():
    autumn_1 = (datetime.date(2030, 9, 2), datetime.date(2030, 10, 18))
    autumn_2 = (datetime.date(2030, 10, 28), datetime.date(2030, 12, 20))
    planned = planned_dates([0], datetime.date(2030, 10, 1), datetime.date(2030, 11, 5), [autumn_1, autumn_2])
    # Mondays: 7 and 14 October, (21 October is half-term), 28 October, 4 November.
    assert planned == [
        datetime.date(2030, 10, 7),
        datetime.date(2030, 10, 14),
        datetime.date(2030, 10, 28),
        datetime.date(2030, 11, 4),
    ]
    assert not is_planned_on(
        [0], datetime.date(2030, 10, 1), datetime.date(2030, 11, 5), [autumn_1, autumn_2], datetime.date(2030, 10, 21)
    )


def test_no_terms_means_nothing_planned():
    assert planned_dates(range(5), datetime.date(2030, 9, 1), datetime.date(2030, 12, 1), []) == []


@pytest.mark.django_db
def test_term_ranges_reads_only_the_schools_overlapping_terms_in_order():
    with scopes_disabled():
        school, other = f.SchoolFactory(), f.SchoolFactory()
        year = f.AcademicYearFactory(school=school, starts_on=datetime.date(2030, 9, 1))
        other_year = f.AcademicYearFactory(school=other, starts_on=datetime.date(2030, 9, 1))
        spring = f.TermFactory(
            academic_year=year, name="Spring", starts_on=datetime.date(2031, 1, 6), ends_on=datetime.date(2031, 3, 28)
        )
        autumn = f.TermFactory(
            academic_year=year, name="Autumn", starts_on=datetime.date(2030, 9, 2), ends_on=datetime.date(2030, 12, 20)
        )
        f.TermFactory(
            academic_year=other_year, starts_on=datetime.date(2030, 9, 2), ends_on=datetime.date(2030, 12, 20)
        )
        found = term_ranges(school, datetime.date(2030, 12, 1), datetime.date(2031, 1, 10))
    assert found == [(autumn.starts_on, autumn.ends_on), (spring.starts_on, spring.ends_on)]
