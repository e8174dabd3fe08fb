"""A pupil's progress over time: every measure on each scale, and each outcome's review ratings.

For staff who reach the pupil; what each reader sees of the ratings follows the outcome's
visibility in the reviewed version (restricted outcomes for the SENCO and DSL only).
"""

from collections import defaultdict
from dataclasses import dataclass

from waymark.core.access import Action
from waymark.core.models import Visibility
from waymark.core.services import require_pupil
from waymark.plans import reviews, selectors
from waymark.plans.models import Outcome, OutcomeRating, PlanVersion, Review

from .impact import pupil_gain
from .measure_values import format_value
from .models import InterventionGroup, Measure, MeasureType

# ----- one pupil's progress over time -----


@dataclass
class MeasureSeries:
    """Every measure of one pupil on one scale, in date order, and the gain in each group."""

    measure_type: MeasureType
    measures: list
    gains: list

    @property
    def rows(self):
        return [{"measure": m, "value_text": format_value(self.measure_type, m.value)} for m in self.measures]


@dataclass
class RatingPoint:
    held_on: object
    rating: int
    label: str

    @property
    def text(self):
        """ "+1 – More than expected", as the review showed it."""
        sign = f"+{self.rating}" if self.rating > 0 else str(self.rating)
        return f"{sign} – {self.label}" if self.label else sign


@dataclass
class OutcomeSeries:
    """One outcome across plan versions (its lineage), with its review ratings in date order."""

    lineage: str
    text: str
    points: list


@dataclass
class PupilProgress:
    measures: list
    outcomes: list
    hidden_ratings: int = 0


def _measure_series(pupil):
    by_type, order = defaultdict(list), []
    for measure in (
        Measure.objects.filter(pupil=pupil).select_related("measure_type", "group").order_by("taken_on", "pk")
    ):
        if measure.measure_type_id not in by_type:
            order.append(measure.measure_type)
        by_type[measure.measure_type_id].append(measure)
    series = []
    for measure_type in order:
        measures = by_type[measure_type.pk]
        pairs = defaultdict(dict)
        for measure in measures:
            if measure.group_id and measure.point != Measure.Point.CHECK:
                pairs[measure.group_id][measure.point] = measure
        gains = [
            gain
            for points in pairs.values()
            if (gain := pupil_gain(points.get(Measure.Point.ENTRY), points.get(Measure.Point.EXIT))) is not None
        ]
        series.append(MeasureSeries(measure_type=measure_type, measures=measures, gains=gains))
    return series


def _outcome_series(actor, pupil):
    """Ratings from completed reviews, followed across versions by outcome lineage. Three queries.

    A rating is as private as the outcome it rated (the reviewed version's snapshot says
    who may read it). The outcome's words come from the newest version holding it that the
    reader may open, else from the newest rating.
    """
    levels = selectors.visible_levels(actor)
    every_version = selectors.sees_every_version(actor)
    rows = list(
        Outcome.objects.filter(version__plan__pupil=pupil).values(
            "public_id", "lineage", "text", "visibility", "version__number", "version__status"
        )
    )
    lineage_of = {str(row["public_id"]): str(row["lineage"]) for row in rows}
    newest_text = {}
    for row in sorted(rows, key=lambda row: row["version__number"]):
        readable = every_version or row["version__status"] == PlanVersion.Status.ACTIVE
        if readable and row["visibility"] in levels:
            newest_text[str(row["lineage"])] = row["text"]
    ratings = (
        OutcomeRating.objects.filter(
            review__plan__pupil=pupil, review__status=Review.Status.COMPLETED, rating__isnull=False
        )
        .select_related("review__version")
        .order_by("review__held_on", "review_id", "order")
    )
    series, hidden, snapshots = {}, 0, {}
    for rating in ratings:
        version = rating.review.version
        if version.pk not in snapshots:
            snapshots[version.pk] = {item["id"]: item for item in reviews.snapshot_outcomes(version)}
        item = snapshots[version.pk].get(str(rating.outcome_id), {})
        if item.get("visibility", Visibility.EVERYONE) not in levels:
            hidden += 1
            continue
        lineage = item.get("lineage") or lineage_of.get(str(rating.outcome_id)) or str(rating.outcome_id)
        entry = series.setdefault(lineage, OutcomeSeries(lineage=lineage, text="", points=[]))
        entry.text = rating.outcome_text
        entry.points.append(
            RatingPoint(
                held_on=rating.review.held_on, rating=rating.rating, label=pupil.school.rating_label(rating.rating)
            )
        )
    for lineage, entry in series.items():
        entry.text = newest_text.get(lineage, entry.text)
    return list(series.values()), hidden


def pupil_progress(actor, pupil):
    """Every measure of ``pupil`` by scale, and every outcome's review ratings over time.

    For staff who reach the pupil (parents and specialists are refused: ``PermissionDenied``).
    Four queries whatever the number of measures, reviews or versions.
    """
    require_pupil(actor, pupil, Action.VIEW)
    outcomes, hidden = _outcome_series(actor, pupil)
    return PupilProgress(measures=_measure_series(pupil), outcomes=outcomes, hidden_ratings=hidden)


def pupil_groups(pupil):
    """The groups ``pupil`` is or was in, for choosing one when recording a check along the way."""
    return InterventionGroup.objects.filter(members__pupil=pupil).distinct().order_by("name")
