"""Line charts drawn on the server as inline SVG: no JavaScript, no library, nothing fetched.

The pattern: the ``<svg>`` has ``role="img"`` and ``aria-labelledby`` naming its own
``<title>`` and ``<desc>``; the description summarises the line and says the values are in
the table that always follows the chart (the table is the full accessible version). Each
point carries a ``<title>`` with its date and value for people who point at it.

The content security policy forbids inline styles, so colours and sizes are presentation
attributes. Colours meet 3:1 against white (line and points #1d70b8, axes #505a5f, text
#0b0c0c). Text is escaped by the template. Odd data is safe: one point, every value the
same, every point on one day, values outside the axis: no division by zero, no NaN.
"""

import datetime
import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .dates import day_text
from .measure_values import direction_words, format_number, format_value

WIDTH, HEIGHT = 560, 280
LEFT, RIGHT, TOP, BOTTOM = 76, 40, 20, 52
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
# Keep the first and last points off the axes.
INSET = 16
MAX_DATE_LABELS = 4
NUMBER_STEPS = tuple(m * Decimal(10) ** e for e in range(-2, 7) for m in (1, 2, 5))
# Ages are in months: ticks every few months or whole years.
AGE_STEPS = tuple(Decimal(n) for n in (1, 2, 3, 6, 12, 24, 36, 60, 120))


@dataclass(frozen=True)
class ChartPoint:
    """One value on one day; ``label`` is the value as people read it ("7 years 4 months")."""

    on: datetime.date
    value: Decimal
    label: str


def nice_ticks(low, high, *, steps=NUMBER_STEPS, target=5, pad=1):
    """Evenly spaced round values covering ``low``..``high``: at most ``target`` + 1 of them.

    When every value is the same, the axis covers ``pad`` either side of it.
    """
    low, high = Decimal(low), Decimal(high)
    if high < low:
        low, high = high, low
    if high == low:
        # One value: a band around it so the point sits in the middle, not on an edge.
        low, high = low - Decimal(pad), high + Decimal(pad)
    span = high - low
    step = next((s for s in steps if span / s <= target), None)
    if step is None:
        step = steps[-1] * math.ceil(span / (steps[-1] * target))
    first = (low / step).to_integral_value(rounding=ROUND_FLOOR) * step
    last = (high / step).to_integral_value(rounding=ROUND_CEILING) * step
    if first == last:
        last = first + step
    count = int((last - first) / step)
    return [first + step * n for n in range(count + 1)]


def _fmt(number):
    """A coordinate with one decimal place; never "nan" or "inf"."""
    if not math.isfinite(number):
        number = 0.0
    return f"{number:.1f}"


def _short_date(day):
    return date_format(day, "j M Y")


def _date_labels(days):
    """Up to ``MAX_DATE_LABELS`` of the distinct dates, first and last always among them."""
    days = sorted(set(days))
    if len(days) <= MAX_DATE_LABELS:
        return days
    picks = {round(i * (len(days) - 1) / (MAX_DATE_LABELS - 1)) for i in range(MAX_DATE_LABELS)}
    return [days[i] for i in sorted(picks)]


def chart_geometry(points, *, ticks):
    """Where everything goes: pure arithmetic, so tests can check it without a page."""
    low, high = float(ticks[0]), float(ticks[-1])
    days = [point.on.toordinal() for point in points]
    first_day, last_day = min(days), max(days)
    day_span = last_day - first_day

    def x_for(ordinal):
        if day_span == 0:
            return LEFT + PLOT_WIDTH / 2
        return LEFT + INSET + (ordinal - first_day) / day_span * (PLOT_WIDTH - 2 * INSET)

    def y_for(value):
        fraction = (float(value) - low) / (high - low) if high != low else 0.5
        fraction = min(max(fraction, 0.0), 1.0)  # a value beyond the axis sits on its edge
        return TOP + (1 - fraction) * PLOT_HEIGHT

    plotted = [
        {"x": _fmt(x_for(point.on.toordinal())), "y": _fmt(y_for(point.value)), "point": point} for point in points
    ]
    return {
        "points": plotted,
        "line": " ".join(f"{p['x']},{p['y']}" for p in plotted) if len(plotted) > 1 else "",
        "y_ticks": [{"y": _fmt(y_for(tick)), "value": tick} for tick in ticks],
        "x_ticks": [{"x": _fmt(x_for(day.toordinal())), "day": day} for day in _date_labels(p.on for p in points)],
    }


def line_chart(*, chart_id, title, description, points, format_tick, ticks=None, steps=NUMBER_STEPS, pad=1, y_label=""):
    """An inline SVG line chart of ``points`` (in date order), or "" when there is nothing to draw.

    ``chart_id`` must be unique on the page (it names the title and description);
    ``format_tick`` turns an axis value into its label; ``ticks`` fixes the axis values
    (a rating scale's steps), otherwise round values around the data are chosen.
    """
    points = [point for point in points if point.value is not None and math.isfinite(float(point.value))]
    if not points:
        return ""
    points.sort(key=lambda point: point.on)
    if ticks is None:
        values = [point.value for point in points]
        ticks = nice_ticks(min(values), max(values), steps=steps, pad=pad)
    ticks = sorted(Decimal(tick) for tick in ticks)
    if len(ticks) == 1:
        ticks = [ticks[0] - 1, ticks[0], ticks[0] + 1]
    geometry = chart_geometry(points, ticks=ticks)
    for tick in geometry["y_ticks"]:
        tick["label"] = format_tick(tick["value"])
    for tick in geometry["x_ticks"]:
        tick["label"] = _short_date(tick["day"])
    for plotted in geometry["points"]:
        plotted["title"] = f"{day_text(plotted['point'].on)}: {plotted['point'].label}"
    return render_to_string(
        "provision/includes/chart_line.html",
        {
            "chart_id": chart_id,
            "title": title,
            "description": description,
            "y_label": y_label,
            "width": WIDTH,
            "height": HEIGHT,
            "left": LEFT,
            "right_edge": WIDTH - RIGHT,
            "top": TOP,
            "bottom_edge": TOP + PLOT_HEIGHT,
            "label_x": LEFT - 10,
            "date_y": TOP + PLOT_HEIGHT + 24,
            **geometry,
        },
    )


def age_tick(months):
    """An axis label for an age: "7y" on a whole year, "7y 6m" between."""
    years, rest = divmod(int(months), 12)
    return f"{years}y" if rest == 0 else f"{years}y {rest}m"


# ----- the charts on a pupil's impact page -----


def _signed(value):
    value = int(value)
    return f"+{value}" if value > 0 else str(value)


def measure_chart(series, number):
    """The chart of one pupil's measures on one scale (``progress.MeasureSeries``)."""
    measure_type = series.measure_type
    points = [
        ChartPoint(on=m.taken_on, value=Decimal(m.value), label=format_value(measure_type, m.value))
        for m in series.measures
    ]
    values = [point.value for point in points]
    summary = _("%(count)s measures from %(first)s to %(last)s; lowest %(low)s, highest %(high)s.") % {
        "count": len(points),
        "first": day_text(points[0].on),
        "last": day_text(points[-1].on),
        "low": format_value(measure_type, min(values)),
        "high": format_value(measure_type, max(values)),
    }
    description = f"{summary} {direction_words(measure_type)} {_('Every value is in the table below the chart.')}"
    return line_chart(
        chart_id=f"measure-chart-{number}",
        title=_("%(name)s over time") % {"name": measure_type.name},
        description=description,
        points=points,
        format_tick=age_tick if measure_type.is_age else format_number,
        steps=AGE_STEPS if measure_type.is_age else NUMBER_STEPS,
        pad=6 if measure_type.is_age else 1,
    )


def outcome_chart(series, scale, number):
    """The chart of one outcome's review ratings on the school's scale (``progress.OutcomeSeries``)."""
    points = [
        ChartPoint(on=p.held_on, value=Decimal(p.rating), label=f"{_signed(p.rating)} {p.label}".strip())
        for p in series.points
    ]
    steps = sorted({Decimal(step["value"]) for step in scale} | {point.value for point in points})
    description = _(
        "%(count)s review ratings from %(first)s to %(last)s, on the school's scale from %(low)s to %(high)s. "
        "Every rating is in the table below the chart."
    ) % {
        "count": len(points),
        "first": day_text(points[0].on),
        "last": day_text(points[-1].on),
        "low": _signed(steps[0]),
        "high": _signed(steps[-1]),
    }
    return line_chart(
        chart_id=f"outcome-chart-{number}",
        title=_("Outcome %(number)s: review ratings over time") % {"number": number},
        description=description,
        points=points,
        format_tick=_signed,
        ticks=steps,
    )
