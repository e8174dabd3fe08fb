"""Ratio gain and its bands (DOMAIN.md): months gained ÷ months elapsed; under 1.4 modest, 1.4 to 2
useful, 2 to 3 substantial, 3 and over remarkable. Pure functions, checked by properties."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waymark.provision.models import (
    USEFUL_OR_BETTER,
    RatioGainBand,
    months_between,
    ratio_gain,
    ratio_gain_band,
)
from waymark.provision.models.measures import DAYS_PER_MONTH

START = datetime.date(2026, 9, 7)
ages = st.integers(min_value=36, max_value=216)  # months: 3 to 18 years
days = st.integers(min_value=1, max_value=730)


@pytest.mark.parametrize(
    ("ratio", "band"),
    [
        ("0", RatioGainBand.MODEST),
        ("-1.5", RatioGainBand.MODEST),
        ("1.39", RatioGainBand.MODEST),
        ("1.4", RatioGainBand.USEFUL),
        ("1.99", RatioGainBand.USEFUL),
        ("2", RatioGainBand.SUBSTANTIAL),
        ("2.99", RatioGainBand.SUBSTANTIAL),
        ("3", RatioGainBand.REMARKABLE),
        ("12.5", RatioGainBand.REMARKABLE),
    ],
)
def test_band_boundaries_exactly(ratio, band):
    assert ratio_gain_band(Decimal(ratio)) == band


def test_no_band_without_a_ratio():
    assert ratio_gain_band(None) is None


def test_useful_or_better_is_every_band_from_useful_up():
    assert set(USEFUL_OR_BETTER) == {RatioGainBand.USEFUL, RatioGainBand.SUBSTANTIAL, RatioGainBand.REMARKABLE}


@settings(max_examples=50, deadline=None)
@given(entry=ages, exit=ages)
def test_none_when_no_time_has_passed(entry, exit):
    assert ratio_gain(entry, exit, START, START) is None
    # An exit dated before the entry is not a time that passed either.
    assert ratio_gain(entry, exit, START, START - datetime.timedelta(days=1)) is None


@settings(max_examples=50, deadline=None)
@given(entry=ages, exit=ages, elapsed=days)
def test_ratio_is_gain_over_elapsed_months_within_rounding(entry, exit, elapsed):
    end = START + datetime.timedelta(days=elapsed)
    ratio = ratio_gain(entry, exit, START, end)
    exact = Decimal(exit - entry) / (Decimal(elapsed) / DAYS_PER_MONTH)
    assert abs(ratio - exact) <= Decimal("0.005")
    assert ratio == ratio.quantize(Decimal("0.01"))


@settings(max_examples=50, deadline=None)
@given(entry=ages, exit=ages, more=st.integers(min_value=1, max_value=24), elapsed=days)
def test_monotonic_in_the_exit_value(entry, exit, more, elapsed):
    end = START + datetime.timedelta(days=elapsed)
    lower, higher = ratio_gain(entry, exit, START, end), ratio_gain(entry, exit + more, START, end)
    assert higher >= lower
    bands = list(RatioGainBand)
    assert bands.index(ratio_gain_band(higher)) >= bands.index(ratio_gain_band(lower))


@settings(max_examples=50, deadline=None)
@given(entry=ages, elapsed=days)
def test_no_change_is_a_ratio_of_zero_and_modest(entry, elapsed):
    end = START + datetime.timedelta(days=elapsed)
    assert ratio_gain(entry, entry, START, end) == 0
    assert ratio_gain_band(ratio_gain(entry, entry, START, end)) == RatioGainBand.MODEST


def test_a_month_of_progress_in_a_month_is_one():
    end = START + datetime.timedelta(days=round(float(DAYS_PER_MONTH) * 6))
    assert ratio_gain(84, 90, START, end) == Decimal("1.00")
    assert months_between(START, end).quantize(Decimal("0.1")) == Decimal("6.0")
