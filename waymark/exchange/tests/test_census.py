"""The census check's rules and counts, read through ``census_check`` as the SENCO.

Each rule gets a pupil built to break it (rows written by factories, as an old import or
an earlier version of Waymark could have left them) and a near miss that must not be
flagged. Counts follow the census: on roll on the day, not archived, this school only,
needs counted for K and E pupils alone.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.exchange.census import census_check, census_day, third_thursday_of_january
from waymark.pupils.models import NeedType, Pupil, SenStatus
from waymark.tests import factories as f

DAY = datetime.date(2026, 1, 15)  # the spring census day of 2025 to 2026
D = datetime.timedelta(days=1)


def need_type(code):
    return NeedType.objects.get(code=code)


def make_pupil(cast, *, provision="K", tier=None, needs=(), school=None, **fields):
    """A pupil with one SEN status from long before ``DAY`` and open needs ``[(code, rank), ...]``."""
    tier = tier or {"K": "targeted", "E": "specialist", "N": "universal"}[provision]
    fields.setdefault("date_joined", datetime.date(2020, 9, 1))
    fields.setdefault("date_of_birth", datetime.date(2014, 5, 1))
    pupil = f.PupilFactory(school=school or cast.school, **fields)
    f.SenStatusFactory(pupil=pupil, provision=provision, tier=tier, starts_on=datetime.date(2021, 9, 1))
    for code, rank in needs:
        f.NeedFactory(pupil=pupil, need_type=need_type(code), rank=rank)
    return pupil


def check(cast, day=DAY, user=None):
    with scope(school=[cast.school.pk]):
        return census_check(Actor.for_user(user or cast.senco), day)


def problems_of(result, pupil):
    found = next((item for item in result.failing if item.pupil.pk == pupil.pk), None)
    return [problem.code for problem in found.problems] if found else []


# ----- census day -----


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2025, datetime.date(2025, 1, 16)), (2026, datetime.date(2026, 1, 15)), (2027, datetime.date(2027, 1, 21))],
)
def test_census_day_is_the_third_thursday_of_january(year, expected):
    assert third_thursday_of_january(year) == expected
    assert expected.weekday() == 3


def test_the_census_day_is_in_the_january_of_the_current_school_year(cast):
    with scope(school=[cast.school.pk]):
        this_january = cast.year.starts_on.year + 1
        assert census_day(cast.school, cast.year.starts_on) == third_thursday_of_january(this_january)
        assert census_day(cast.school, cast.year.ends_on) == third_thursday_of_january(this_january)


def test_without_an_academic_year_the_school_year_starts_in_september(db):
    school = f.SchoolFactory()
    with scope(school=[school.pk]):
        assert census_day(school, datetime.date(2026, 10, 1)) == datetime.date(2027, 1, 21)
        assert census_day(school, datetime.date(2026, 3, 1)) == datetime.date(2026, 1, 15)
        assert census_day(school, datetime.date(2026, 8, 31)) == datetime.date(2026, 1, 15)


# ----- who is counted -----


def test_counts_by_provision_and_need_for_pupils_on_roll_that_day(cast):
    make_pupil(cast, provision="E", needs=[("ASD", 1), ("SLCN", 2)])
    make_pupil(cast, provision="K", needs=[("SPLD", 1), ("SLCN", 2)])
    make_pupil(cast, provision="N")
    make_pupil(cast, provision="N", needs=[("MLD", 1)])  # flagged, and its need is not counted
    make_pupil(cast, provision="K", needs=[("ASD", 1)], date_left=DAY)  # leaves on the day: still on roll
    make_pupil(cast, provision="K", needs=[("ASD", 1)], date_left=DAY - D)  # gone the day before
    make_pupil(cast, provision="K", needs=[("ASD", 1)], date_joined=DAY + D)  # joins the day after
    archived = make_pupil(cast, provision="E", needs=[("ASD", 1)], date_left=DAY + 30 * D)
    with scopes_disabled():
        Pupil.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
    make_pupil(cast, provision="E", needs=[("ASD", 1)], school=cast.other_school)

    result = check(cast)

    # The cast: pupil (K, ASD primary) and other_pupil (K, no need), plus those above.
    assert result.by_provision == {"K": 4, "E": 1, "N": 2, "legacy": 0, "none": 0}
    assert result.pupils == 7
    assert result.on_register == 5
    by_code = {count.code: (count.primary, count.secondary) for count in result.needs}
    assert by_code["ASD"] == (3, 0)
    assert by_code["SPLD"] == (1, 0)
    assert by_code["SLCN"] == (0, 2)
    assert by_code["MLD"] == (0, 0)
    assert result.primary_total == 4 and result.secondary_total == 2
    # Every need type the census takes is listed, even with no pupils.
    assert {"PMLD", "HI", "NSA"} <= set(by_code)


def test_statuses_and_needs_are_read_as_they_stood_on_the_day(cast):
    pupil = f.PupilFactory(school=cast.school, date_joined=datetime.date(2020, 9, 1))
    f.SenStatusFactory(
        pupil=pupil, provision="K", tier="targeted", starts_on=datetime.date(2021, 9, 1), ends_on=DAY + 9 * D
    )
    f.SenStatusFactory(pupil=pupil, provision="E", tier="specialist", starts_on=DAY + 10 * D)
    f.NeedFactory(pupil=pupil, need_type=need_type("SPLD"), rank=1, ends_on=DAY + 10 * D)
    f.NeedFactory(pupil=pupil, need_type=need_type("ASD"), rank=1, starts_on=DAY + 10 * D)

    on_the_day = check(cast)
    later = check(cast, DAY + 20 * D)

    assert on_the_day.by_provision["K"] == 3 and on_the_day.by_provision["E"] == 0
    assert {c.code: c.primary for c in on_the_day.needs}["SPLD"] == 1
    assert problems_of(on_the_day, pupil) == []
    assert later.by_provision["E"] == 1
    assert {c.code: c.primary for c in later.needs}["ASD"] == 2  # the cast's pupil has ASD too
    assert problems_of(later, pupil) == []


# ----- the rules -----


def test_sen_support_or_an_ehc_plan_with_no_primary_need_fails(cast):
    k_none = make_pupil(cast, provision="K")
    e_none = make_pupil(cast, provision="E")
    secondary_only = make_pupil(cast, provision="K", needs=[("SLCN", 2)])
    fine = make_pupil(cast, provision="K", needs=[("SLCN", 1)])

    result = check(cast)

    assert problems_of(result, k_none) == ["no_primary_need"]
    assert problems_of(result, e_none) == ["no_primary_need"]
    assert problems_of(result, cast.other_pupil) == ["no_primary_need"]
    assert problems_of(result, fine) == []
    found = next(item for item in result.failing if item.pupil.pk == secondary_only.pk)
    assert "secondary need (rank 2) but no primary need" in found.problems[0].message


def test_two_needs_at_one_rank_on_the_day_fails(cast):
    pupil = make_pupil(cast, provision="K", needs=[("ASD", 1)])
    # An earlier primary need ended after census day: both were primary that day.
    f.NeedFactory(pupil=pupil, need_type=need_type("SPLD"), rank=1, ends_on=DAY + 5 * D)
    ended_before = make_pupil(cast, provision="K", needs=[("ASD", 1)])
    f.NeedFactory(pupil=ended_before, need_type=need_type("SPLD"), rank=1, ends_on=DAY)

    result = check(cast)

    assert problems_of(result, pupil) == ["two_needs_at_rank"]
    assert "rank 1" in result.failing[[c.pupil.pk for c in result.failing].index(pupil.pk)].problems[0].message
    assert problems_of(result, ended_before) == []


def test_the_same_need_at_rank_one_and_two_fails(cast):
    pupil = make_pupil(cast, provision="K", needs=[("SEMH", 1), ("SEMH", 2)])
    assert problems_of(check(cast), pupil) == ["same_need_twice"]


def test_nsa_with_an_ehc_plan_fails_but_not_with_sen_support(cast):
    with_plan = make_pupil(cast, provision="E", needs=[("NSA", 1)])
    on_support = make_pupil(cast, provision="K", needs=[("NSA", 1)])
    result = check(cast)
    assert problems_of(result, with_plan) == ["nsa_with_ehc_plan"]
    assert problems_of(result, on_support) == []


def test_nsa_as_the_primary_need_with_a_secondary_need_fails(cast):
    pupil = make_pupil(cast, provision="K", needs=[("NSA", 1), ("SLCN", 2)])
    assert problems_of(check(cast), pupil) == ["nsa_with_secondary"]


def test_an_ehc_plan_outside_the_specialist_tier_fails(cast):
    # The service refuses this (SenStatus.clean); old rows written another way may still hold it.
    wrong_e = make_pupil(cast, provision="E", tier="targeted", needs=[("ASD", 1)])
    wrong_k = make_pupil(cast, provision="K", tier="specialist", needs=[("ASD", 1)])
    result = check(cast)
    assert problems_of(result, wrong_e) == ["tier"]
    assert (
        "specialist tier" in result.failing[[c.pupil.pk for c in result.failing].index(wrong_e.pk)].problems[0].message
    )
    assert problems_of(result, wrong_k) == ["tier"]


def test_needs_on_a_pupil_with_no_sen_fail(cast):
    pupil = make_pupil(cast, provision="N", needs=[("MLD", 1)])
    result = check(cast)
    assert problems_of(result, pupil) == ["needs_without_sen"]
    assert "MLD" in result.failing[0].problems[0].message or any(
        "MLD" in p.message for c in result.failing for p in c.problems
    )


def test_a_pupil_on_the_register_needs_a_upn_and_a_temporary_one_will_do(cast):
    no_upn = make_pupil(cast, provision="K", needs=[("ASD", 1)], upn="")
    no_upn_not_on_register = make_pupil(cast, provision="N", upn="")
    body = "2011234567" + "8" + "A"  # a temporary UPN ends in a letter
    from waymark.pupils.upn import check_letter

    temporary = make_pupil(cast, provision="K", needs=[("ASD", 1)], upn=check_letter(body) + body)

    result = check(cast)

    assert problems_of(result, no_upn) == ["no_upn"]
    assert problems_of(result, no_upn_not_on_register) == []
    assert problems_of(result, temporary) == []


def test_a_upn_with_the_wrong_check_letter_fails_whatever_the_provision(cast):
    good = cast.pupil.upn
    wrong_letter = ("B" if good[0] != "B" else "C") + good[1:]
    with scopes_disabled():
        Pupil.objects.filter(pk=cast.pupil.pk).update(upn=wrong_letter)
    n_pupil = make_pupil(cast, provision="N", upn="A12345")
    result = check(cast)
    assert problems_of(result, cast.pupil) == ["bad_upn"]
    assert problems_of(result, n_pupil) == ["bad_upn"]
    message = result.failing[[c.pupil.pk for c in result.failing].index(cast.pupil.pk)].problems[0].message
    assert wrong_letter in message and "check letter" in message


def test_ds_is_only_valid_from_the_january_2025_census(cast):
    pupil = make_pupil(cast, provision="K", needs=[("DS", 1)])
    assert problems_of(check(cast, datetime.date(2024, 1, 18)), pupil) == ["ds_before_2025"]
    assert problems_of(check(cast, datetime.date(2025, 1, 16)), pupil) == []


def test_overlapping_provision_on_the_day_fails(cast):
    pupil = make_pupil(cast, provision="E", needs=[("ASD", 1)])
    with scopes_disabled():
        SenStatus.objects.filter(pupil=pupil).update(starts_on=DAY - 10 * D)
    f.SenStatusFactory(
        pupil=pupil, provision="K", tier="targeted", starts_on=datetime.date(2021, 9, 1), ends_on=DAY + 5 * D
    )
    result = check(cast)
    assert problems_of(result, pupil) == ["overlapping_status"]
    # Counted once, by the provision that started last.
    assert result.by_provision["E"] == 1


def test_no_provision_on_the_day_fails_and_counts_as_none(cast):
    pupil = make_pupil(cast, provision="K", needs=[("ASD", 1)])
    with scopes_disabled():
        SenStatus.objects.filter(pupil=pupil).update(starts_on=DAY + D)
    result = check(cast)
    assert "no_status" in problems_of(result, pupil)
    assert result.by_provision["none"] == 1


def test_a_legacy_code_covering_the_day_fails(cast):
    day = datetime.date(2019, 1, 17)
    pupil = f.PupilFactory(school=cast.school, date_joined=datetime.date(2012, 9, 1))
    f.SenStatusFactory(
        pupil=pupil, provision="S", tier="specialist", starts_on=datetime.date(2013, 9, 1), ends_on=day + D
    )
    f.SenStatusFactory(pupil=pupil, provision="E", tier="specialist", starts_on=day + 2 * D)
    f.NeedFactory(pupil=pupil, need_type=need_type("ASD"), rank=1)
    result = check(cast, day)
    assert problems_of(result, pupil) == ["legacy_status"]
    assert result.by_provision["legacy"] == 1


def test_a_clean_record_is_not_listed(cast):
    make_pupil(cast, provision="E", needs=[("ASD", 1), ("SLCN", 2)])
    result = check(cast)
    # Only the cast's other_pupil, who has no need recorded.
    assert [item.pupil.pk for item in result.failing] == [cast.other_pupil.pk]
    assert result.problem_count == 1


def test_failing_records_are_in_name_order(cast):
    make_pupil(cast, provision="K", legal_surname="Aardvark")
    make_pupil(cast, provision="K", legal_surname="Zzyzx")
    names = [item.pupil.legal_surname for item in check(cast).failing]
    assert names == sorted(names)


@pytest.mark.parametrize("who", ["teacher", "governor", "dsl", "head_of_year", "parent", "ta"])
def test_only_those_who_export_across_the_school_may_check(cast, who):
    with pytest.raises(PermissionDenied):
        check(cast, user=getattr(cast, who))
