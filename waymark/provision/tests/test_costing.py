"""The costing sums (DOMAIN.md: staff hourly cost × hours a week × weeks ÷ group size, plus other costs).

Pure functions over plain values, checked by example and by hypothesis; then the selector
that loads a school's year, on fixed dates inside terms created here.
"""

import datetime
from dataclasses import replace
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from hypothesis import given, settings
from hypothesis import strategies as st

from waymark.core.actor import Actor
from waymark.provision.costing import (
    ZERO,
    GroupInputs,
    costing_year,
    group_annual_cost,
    group_size,
    pennies,
    per_pupil_share,
    provision_costing,
    pupil_annual_cost,
    session_staff_cost,
    summarise,
    weeks,
)
from waymark.provision.models import InterventionGroup
from waymark.tests import factories as f

from . import factories as pf

PENNY = Decimal("0.01")
TINY = Decimal("0.000001")
# A school year well in the past, so no cast year or term overlaps it.
MONDAY = datetime.date(2018, 9, 10)
AUTUMN = (datetime.date(2018, 9, 5), datetime.date(2018, 12, 21))  # a Wednesday to a Friday
SPRING = (datetime.date(2019, 1, 7), datetime.date(2019, 3, 29))  # a Monday to a Friday


def group(**changes):
    values = {
        "key": 1,
        "intervention": "phonics",
        "funding": "sen_budget",
        "weekdays": (0, 2, 4),
        "starts_on": AUTUMN[0],
        "ends_on": SPRING[1],
        "minutes_per_session": 20,
        "hourly_costs": (Decimal("18.00"),),
        "other_costs": (),
        "members": ("a", "b", "c", "d"),
    }
    values.update(changes)
    return GroupInputs(**values)


# ----- by example -----


def test_a_session_costs_each_leader_for_its_length():
    assert session_staff_cost(group(hourly_costs=(Decimal("18"),), minutes_per_session=20)) == Decimal("6")
    # Two adults: both are paid for the session.
    assert session_staff_cost(group(hourly_costs=(Decimal("18"), Decimal("30")), minutes_per_session=30)) == 24
    assert session_staff_cost(group(hourly_costs=())) == ZERO


def test_weeks_count_school_weeks_with_a_planned_session():
    g = group(weekdays=(0,), starts_on=AUTUMN[0], ends_on=AUTUMN[1])
    # Term starts on a Wednesday: the first Monday in term is 10 September; the last, 17 December.
    assert weeks(g, [AUTUMN], 38) == 15
    # A group meeting three days a week counts each week once.
    assert weeks(group(weekdays=(0, 2, 4), starts_on=AUTUMN[0], ends_on=AUTUMN[1]), [AUTUMN], 38) == 16
    # Holidays are outside the terms: no weeks there.
    assert weeks(group(weekdays=(0,), starts_on=AUTUMN[0], ends_on=SPRING[1]), [AUTUMN, SPRING], 38) == 15 + 12


def test_weeks_are_capped_and_a_year_without_terms_is_a_full_year():
    year = (datetime.date(2018, 9, 1), datetime.date(2019, 8, 31))
    g = group(weekdays=(0,), starts_on=year[0], ends_on=year[1])
    assert weeks(g, [year], 38) == 38  # 52 weeks of "term", capped
    assert weeks(g, [], 38) == 38
    assert weeks(g, [], 39) == 39
    assert weeks(group(starts_on=MONDAY, ends_on=MONDAY - datetime.timedelta(days=1)), [], 38) == 0


def test_group_cost_and_shares():
    g = group(weekdays=(0, 2, 4), other_costs=((Decimal("120"), "sen_budget"),))
    # £6 a session × 3 a week × 10 weeks + £120 of books.
    assert group_annual_cost(g, 10) == Decimal("300")
    assert group_size(g) == 4
    assert per_pupil_share(Decimal("300"), 4) == Decimal("75")
    assert group_size(group(members=())) == 1  # divides by one, but nobody is charged (summarise)
    assert pupil_annual_cost([Decimal("75"), Decimal("12.5")], [Decimal("40")]) == Decimal("127.5")


def test_pennies_round_half_up_for_display_only():
    assert pennies(Decimal("2.345")) == Decimal("2.35")
    assert pennies(Decimal("2.344999")) == Decimal("2.34")
    # A third of £100 is kept whole in the sums.
    assert per_pupil_share(Decimal("100"), 3) * 3 != Decimal("99.99")


def test_summary_by_pupil_intervention_and_funding():
    phonics = group(key=1, members=("a", "b"), other_costs=((Decimal("60"), "imf"),))
    empty = group(key=2, intervention="nurture", funding="imf", members=())
    summary = summarise([phonics, empty], [("a", Decimal("500"), "experts_at_hand")], [], 38)
    staff = Decimal("6") * 3 * 38  # £684 a year of staff time for each group
    assert summary.weeks_estimated
    assert summary.pupils["a"].total == staff / 2 + 30 + 500
    assert summary.pupils["b"].total == staff / 2 + 30
    assert summary.pupils["a"].by_funding == {"sen_budget": staff / 2, "imf": Decimal("30"), "experts_at_hand": 500}
    assert summary.unallocated == staff
    assert summary.by_intervention == {"phonics": staff + 60, "nurture": staff, None: Decimal("500")}
    assert summary.by_funding == {"sen_budget": staff, "imf": staff + 60, "experts_at_hand": Decimal("500")}
    assert summary.total == 2 * staff + 560


# ----- properties -----

money = st.decimals(min_value=0, max_value=200, places=2, allow_nan=False, allow_infinity=False)
pupils = st.sampled_from("abcdefghij")
fundings = st.sampled_from(["sen_budget", "imf", "experts_at_hand", "ehc_plan"])


@st.composite
def group_inputs(draw, key=None):
    start = AUTUMN[0] + datetime.timedelta(days=draw(st.integers(0, 150)))
    return GroupInputs(
        key=key if key is not None else draw(st.integers(0, 10**6)),
        intervention=draw(st.sampled_from(["phonics", "nurture", "maths"])),
        funding=draw(fundings),
        weekdays=tuple(draw(st.sets(st.integers(0, 4), max_size=5))),
        starts_on=start,
        ends_on=start + datetime.timedelta(days=draw(st.integers(0, 200))),
        minutes_per_session=draw(st.integers(5, 120)),
        hourly_costs=tuple(draw(st.lists(money, max_size=3))),
        other_costs=tuple(draw(st.lists(st.tuples(money, fundings), max_size=2))),
        members=tuple(draw(st.sets(pupils, max_size=6))),
    )


schools = st.fixed_dictionaries(
    {
        "groups": st.lists(group_inputs(), max_size=6).map(
            lambda gs: [GroupInputs(**{**g.__dict__, "key": index}) for index, g in enumerate(gs)]
        ),
        "pupil_costs": st.lists(st.tuples(pupils, money, fundings), max_size=4),
        "terms": st.sampled_from([[], [AUTUMN], [AUTUMN, SPRING]]),
        "school_weeks": st.integers(1, 52),
    }
)


@settings(max_examples=50, deadline=None)
@given(cost=st.decimals(min_value=0, max_value=10**7, places=2), size=st.integers(1, 40))
def test_share_times_size_is_the_group_cost_within_a_penny(cost, size):
    assert abs(per_pupil_share(cost, size) * size - cost) <= PENNY


@settings(max_examples=50, deadline=None)
@given(g=group_inputs(), terms=st.sampled_from([[], [AUTUMN], [AUTUMN, SPRING]]), newcomer=st.sampled_from("xyz"))
def test_adding_a_pupil_never_raises_anyone_s_share(g, terms, newcomer):
    before = summarise([g], [], terms, 38)
    after = summarise([GroupInputs(**{**g.__dict__, "members": (*g.members, newcomer)})], [], terms, 38)
    for pupil, line in before.pupils.items():
        assert after.pupils[pupil].total <= line.total


@settings(max_examples=50, deadline=None)
@given(school=schools)
def test_costs_are_never_negative(school):
    summary = summarise(**school)
    assert all(cost.total >= 0 and cost.share >= 0 for cost in summary.groups)
    assert all(line.total >= 0 for line in summary.pupils.values())
    assert all(amount >= 0 for amount in summary.by_funding.values())
    assert summary.unallocated >= 0


@settings(max_examples=50, deadline=None)
@given(g=group_inputs(), factor=st.integers(0, 20), terms=st.sampled_from([[], [AUTUMN, SPRING]]))
def test_scaling_the_hourly_cost_scales_the_staff_cost_linearly(g, factor, terms):
    g = GroupInputs(**{**g.__dict__, "other_costs": ()})
    scaled = GroupInputs(**{**g.__dict__, "hourly_costs": tuple(h * factor for h in g.hourly_costs)})
    weeks_run = weeks(g, terms, 38)
    assert abs(session_staff_cost(scaled) - factor * session_staff_cost(g)) <= TINY
    assert abs(group_annual_cost(scaled, weeks_run) - factor * group_annual_cost(g, weeks_run)) <= TINY


@settings(max_examples=50, deadline=None)
@given(school=schools)
def test_pupils_plus_unallocated_equal_the_totals_by_funding_and_by_intervention(school):
    summary = summarise(**school)
    by_pupil = sum((line.total for line in summary.pupils.values()), ZERO) + summary.unallocated
    by_funding = sum(summary.by_funding.values(), ZERO)
    by_intervention = sum(summary.by_intervention.values(), ZERO)
    assert abs(by_pupil - by_funding) <= TINY
    assert abs(by_funding - by_intervention) <= TINY
    # And each group's pupils carry the whole of its cost between them.
    for cost in summary.groups:
        if cost.size:
            assert abs(cost.share * cost.size - cost.total) <= TINY


# ----- the school's year, from the database -----


@pytest.fixture
def school_year(cast):
    """Cast School A with the 2018 to 2019 year: autumn and spring terms, and a TA group meeting Mon and Wed."""
    with scopes_disabled():
        year = f.AcademicYearFactory(
            school=cast.school, starts_on=datetime.date(2018, 9, 1), ends_on=datetime.date(2019, 8, 31)
        )
        f.TermFactory(academic_year=year, name="Autumn", starts_on=AUTUMN[0], ends_on=AUTUMN[1])
        f.TermFactory(academic_year=year, name="Spring", starts_on=SPRING[0], ends_on=SPRING[1])
        g = pf.InterventionGroupFactory(
            school=cast.school,
            intervention=cast.intervention,
            name="Fixed dates",
            minutes_per_session=30,
            starts_on=MONDAY,
            ends_on=SPRING[1],
        )
        pf.GroupLeaderFactory(group=g, user=cast.ta, staff_role=cast.staff_role)  # £18 an hour
        for weekday in (0, 2):
            pf.GroupSlotFactory(group=g, weekday=weekday)
        first = pf.GroupMemberFactory(group=g, pupil=cast.pupil, joined_on=g.starts_on)
        pf.GroupMemberFactory(group=g, pupil=cast.other_pupil, joined_on=g.starts_on)
        pf.OtherCostFactory(school=cast.school, group=g, annual_amount=Decimal("90"), created_by=cast.senco)
        pf.OtherCostFactory(
            school=cast.school, pupil=cast.pupil, annual_amount=Decimal("250"), funding="imf", created_by=cast.senco
        )
        # Only the fixed-date group is in this year's sums: the cast's own groups run around today.
        InterventionGroup.objects.exclude(pk=g.pk).update(
            starts_on=datetime.date(2015, 1, 1), ends_on=datetime.date(2015, 2, 1)
        )
    cast.fixed_group, cast.first_member = g, first
    return cast


def actor_on(user, today):
    """The user as they are now (memberships are dated from recent years), costing as of ``today``."""
    return replace(Actor.for_user(user), today=today)


def costed(cast, today, user=None):
    with scope(school=[cast.school.pk]):
        return provision_costing(actor_on(user or cast.senco, today))


def test_the_year_costed_from_the_school_s_terms(school_year):
    result = costed(school_year, datetime.date(2018, 11, 5))
    assert result.year.name == "2018 to 2019" and len(result.year.terms) == 2
    (cost,) = result.summary.groups
    # Mondays and Wednesdays, 10 September to 21 December (15 weeks) and 7 January to 29 March (12 weeks).
    assert cost.weeks == 27
    assert cost.session_cost == Decimal("9")
    assert cost.total == Decimal("9") * 2 * 27 + 90  # £576
    assert cost.size == 2
    pupil = result.summary.pupils[school_year.pupil.pk]
    assert pupil.total == Decimal("288") + 250
    assert result.summary.pupils[school_year.other_pupil.pk].total == Decimal("288")


def test_a_pupil_who_left_the_group_is_not_charged_and_the_others_share_more(school_year):
    with scopes_disabled():
        school_year.first_member.left_on = datetime.date(2018, 10, 1)
        school_year.first_member.save()
    result = costed(school_year, datetime.date(2018, 11, 5))
    assert result.summary.pupils[school_year.other_pupil.pk].total == Decimal("576")
    assert result.summary.pupils[school_year.pupil.pk].total == Decimal("250")  # their own cost only


def test_a_finished_group_is_costed_to_the_pupils_in_it_at_the_end(school_year):
    with scopes_disabled():
        school_year.first_member.left_on = school_year.fixed_group.ends_on
        school_year.first_member.save()
    result = costed(school_year, datetime.date(2019, 6, 3))
    assert result.summary.groups[0].size == 2
    assert result.summary.unallocated == 0


def test_a_group_ended_early_stops_counting_weeks(school_year):
    with scopes_disabled():
        InterventionGroup.objects.filter(pk=school_year.fixed_group.pk).update(
            ended_at=timezone.make_aware(datetime.datetime(2018, 12, 21, 16, 0))
        )
    result = costed(school_year, datetime.date(2019, 2, 4))
    assert result.summary.groups[0].weeks == 15


def test_no_terms_entered_is_a_full_year_of_the_school_s_weeks(school_year):
    with scopes_disabled():
        from waymark.schools.models import Term

        Term.objects.filter(academic_year__school=school_year.school).delete()
    result = costed(school_year, datetime.date(2018, 11, 5))
    assert result.summary.weeks_estimated
    assert result.summary.groups[0].weeks == school_year.school.school_weeks == 38


def test_a_school_without_a_year_entered_is_costed_from_september(cast):
    with scope(school=[cast.other_school.pk]):
        year = costing_year(cast.other_school, datetime.date(2031, 2, 1))
    assert (year.starts_on, year.ends_on, year.terms) == (datetime.date(2030, 9, 1), datetime.date(2031, 8, 31), ())


def test_only_those_who_see_the_map_may_cost_the_school(school_year):
    from django.core.exceptions import PermissionDenied

    for user in (school_year.ta, school_year.teacher, school_year.dsl, school_year.governor):
        with pytest.raises(PermissionDenied):
            costed(school_year, datetime.date(2018, 11, 5), user=user)
    assert costed(school_year, datetime.date(2018, 11, 5), user=school_year.head).summary.total == Decimal("826")


def test_costing_runs_the_same_queries_whatever_the_number_of_groups(school_year, django_assert_num_queries):
    day = datetime.date(2018, 11, 5)
    actor = actor_on(school_year.senco, day)
    with scope(school=[school_year.school.pk]), django_assert_num_queries(8):
        provision_costing(actor)
    with scopes_disabled():
        for number in range(10):
            extra = pf.InterventionGroupFactory(school=school_year.school, starts_on=MONDAY, ends_on=SPRING[1])
            pf.GroupLeaderFactory(group=extra, staff_role=school_year.staff_role)
            pf.GroupSlotFactory(group=extra, weekday=number % 5)
            pf.GroupMemberFactory(group=extra)
            pf.OtherCostFactory(school=school_year.school, group=extra, created_by=school_year.senco)
    actor = actor_on(school_year.senco, day)
    with scope(school=[school_year.school.pk]), django_assert_num_queries(8):
        assert len(provision_costing(actor).summary.groups) == 11


def test_money_and_time_as_the_pages_show_them():
    from waymark.provision.templatetags.costing_tags import duration, money

    assert money(Decimal("1234.565")) == "£1,234.57"
    assert money(Decimal("0")) == "£0.00"
    assert money(Decimal("6000")) == "£6,000.00"
    assert [duration(minutes) for minutes in (0, 45, 60, 100, 121)] == [
        "0 minutes",
        "45 minutes",
        "1 hour",
        "1 hour 40 minutes",
        "2 hours 1 minute",
    ]
