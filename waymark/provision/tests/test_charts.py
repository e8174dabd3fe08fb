"""Server-drawn SVG charts: structure, not snapshots. Each chart is parsed as XML and checked for
what makes it usable: a title and description it is labelled by, one point per value, text
escaped, finite coordinates, and sensible output for odd data."""

import datetime
import itertools
import math
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waymark.provision.charts import (
    AGE_STEPS,
    HEIGHT,
    WIDTH,
    ChartPoint,
    age_tick,
    line_chart,
    measure_chart,
    nice_ticks,
    outcome_chart,
)
from waymark.provision.measure_values import format_number
from waymark.provision.models import Measure, MeasureType
from waymark.provision.progress import MeasureSeries, OutcomeSeries, RatingPoint

SVG = "{http://www.w3.org/2000/svg}"
DAY = datetime.timedelta(days=1)
START = datetime.date(2026, 9, 7)


def parse(markup):
    # Our own output, not untrusted input.
    return ET.fromstring(str(markup))  # noqa: S314


def chart(points, **kwargs):
    options = {
        "chart_id": "test-chart",
        "title": "Reading age over time",
        "description": "Every value is in the table below the chart.",
        "points": points,
        "format_tick": format_number,
        **kwargs,
    }
    return parse(line_chart(**options))


def numbers_in(root):
    """Every coordinate the chart draws, as floats."""
    found = []
    for element in root.iter():
        for name in ("x", "y", "x1", "x2", "y1", "y2", "cx", "cy"):
            if name in element.attrib:
                found.append(float(element.attrib[name]))
        if "points" in element.attrib:
            found += [float(part) for pair in element.attrib["points"].split() for part in pair.split(",")]
    return found


def points_of(root):
    return root.findall(f".//{SVG}circle")


def test_labelled_by_its_own_title_and_description():
    root = chart(
        [ChartPoint(START, Decimal(84), "7 years"), ChartPoint(START + 30 * DAY, Decimal(90), "7 years 6 months")]
    )
    assert root.attrib["role"] == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.attrib["aria-labelledby"] == f"{title.attrib['id']} {desc.attrib['id']}"
    assert title.text == "Reading age over time"
    assert "table" in desc.text
    # Presentation attributes only: the content security policy forbids inline styles.
    assert not any("style" in element.attrib for element in root.iter())
    assert root.attrib["viewBox"] == f"0 0 {WIDTH} {HEIGHT}"


def test_one_point_for_each_value_with_its_date_and_value():
    values = [84, 86, 91, 95]
    points = [ChartPoint(START + n * 40 * DAY, Decimal(v), f"{v} months") for n, v in enumerate(values)]
    root = chart(points)
    circles = points_of(root)
    assert len(circles) == len(values)
    assert circles[0].find(f"{SVG}title").text == "7 September 2026: 84 months"
    assert len(root.find(f".//{SVG}polyline").attrib["points"].split()) == len(values)
    # Later dates are further right; higher values are higher up (smaller y).
    xs = [float(c.attrib["cx"]) for c in circles]
    ys = [float(c.attrib["cy"]) for c in circles]
    assert xs == sorted(xs) and ys == sorted(ys, reverse=True)


def test_text_is_escaped():
    root = chart(
        [ChartPoint(START, Decimal(3), '<script>alert("x")</script>')],
        title="Scale <b>&</b>",
        description="Ends </desc><script>",
    )
    assert root.find(f"{SVG}title").text == "Scale <b>&</b>"
    assert root.find(f"{SVG}desc").text == "Ends </desc><script>"
    assert root.find(f".//{SVG}script") is None
    assert points_of(root)[0].find(f"{SVG}title").text.endswith('<script>alert("x")</script>')


def test_one_point_draws_a_point_and_no_line():
    root = chart([ChartPoint(START, Decimal(100), "100")])
    assert len(points_of(root)) == 1
    assert root.find(f".//{SVG}polyline") is None
    circle = points_of(root)[0]
    assert 0 < float(circle.attrib["cx"]) < WIDTH and 0 < float(circle.attrib["cy"]) < HEIGHT


def test_all_values_equal_and_all_on_one_day():
    points = [ChartPoint(START, Decimal(7), "7") for _ in range(3)]
    root = chart(points)
    assert len(points_of(root)) == 3
    assert all(math.isfinite(number) for number in numbers_in(root))
    assert "nan" not in ET.tostring(root, encoding="unicode").lower()
    ticks = [float(t.attrib["y"]) for t in root.findall(f".//{SVG}text") if t.attrib.get("text-anchor") == "end"]
    assert len(ticks) >= 2  # an axis around the value, not a single line


def test_nothing_to_draw_is_empty():
    assert line_chart(chart_id="c", title="t", description="d", points=[], format_tick=str) == ""


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=900),
            st.decimals(min_value=-1000, max_value=100000, allow_nan=False, allow_infinity=False, places=2),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_any_data_gives_finite_coordinates_inside_the_picture(rows):
    points = [ChartPoint(START + offset * DAY, value, str(value)) for offset, value in rows]
    root = chart(points)
    assert len(points_of(root)) == len(rows)
    numbers = numbers_in(root)
    assert all(math.isfinite(number) for number in numbers)
    for circle in points_of(root):
        assert 0 <= float(circle.attrib["cx"]) <= WIDTH
        assert 0 <= float(circle.attrib["cy"]) <= HEIGHT


@settings(max_examples=50, deadline=None)
@given(
    low=st.decimals(min_value=-500, max_value=500, places=1, allow_nan=False),
    span=st.decimals(min_value=0, max_value=1000, places=1, allow_nan=False),
)
def test_ticks_cover_the_data_with_few_round_steps(low, span):
    high = low + span
    ticks = nice_ticks(low, high)
    assert ticks[0] <= low and ticks[-1] >= high
    assert 2 <= len(ticks) <= 7
    steps = {b - a for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1


def test_age_ticks_fall_on_months_and_years():
    ticks = nice_ticks(84, 110, steps=AGE_STEPS)
    assert all(tick % 6 == 0 for tick in ticks)
    assert age_tick(84) == "7y" and age_tick(90) == "7y 6m"


# ----- the charts on the pupil's impact page -----


def reading_age():
    return MeasureType(kind=MeasureType.Kind.READING_AGE, name="Reading age", min_value=36, max_value=216)


def test_measure_chart_has_a_point_per_measure_and_says_where_the_values_are():
    scale = reading_age()
    measures = [
        Measure(measure_type=scale, value=Decimal(v), taken_on=START + n * 60 * DAY, point="check")
        for n, v in enumerate([84, 88, 95])
    ]
    root = parse(measure_chart(MeasureSeries(measure_type=scale, measures=measures, gains=[]), 2))
    assert root.find(f"{SVG}title").attrib["id"] == "measure-chart-2-title"
    assert len(points_of(root)) == 3
    desc = root.find(f"{SVG}desc").text
    assert "lowest 7 years, highest 7 years 11 months" in desc and "table below" in desc
    assert points_of(root)[1].find(f"{SVG}title").text == "6 November 2026: 7 years 4 months"


def test_outcome_chart_uses_the_school_scale_for_its_axis():
    scale = [{"value": v, "label": f"Label {v}"} for v in (-2, -1, 0, 1, 2)]
    series = OutcomeSeries(
        lineage="x",
        text="Reads aloud",
        points=[RatingPoint(START, -1, "Less"), RatingPoint(START + 90 * DAY, 2, "Much more")],
    )
    root = parse(outcome_chart(series, scale, 1))
    labels = [t.text for t in root.findall(f".//{SVG}text") if t.attrib.get("text-anchor") == "end"]
    assert labels == ["-2", "-1", "0", "+1", "+2"]
    assert [c.find(f"{SVG}title").text for c in points_of(root)] == [
        "7 September 2026: -1 Less",
        "6 December 2026: +2 Much more",
    ]


def test_outcome_chart_with_one_rating_on_a_scale_of_one_step():
    series = OutcomeSeries(lineage="x", text="t", points=[RatingPoint(START, 1, "Achieved")])
    root = parse(outcome_chart(series, [{"value": 1, "label": "Achieved"}], 1))
    assert len(points_of(root)) == 1
    assert all(math.isfinite(number) for number in numbers_in(root))


@pytest.mark.parametrize("months", [36, 84, 88, 216])
def test_age_ticks_read_as_years_and_months(months):
    years, rest = divmod(months, 12)
    assert age_tick(months).startswith(f"{years}y")
    assert (f"{rest}m" in age_tick(months)) == bool(rest)
