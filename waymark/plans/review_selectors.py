"""Reads for the review pages: which ratings a reader may see, the family's words, the pupil's voice.

A rating is as private as the outcome it rates (``reviews.outcome_visibilities``), so every
page shows only the ratings the reader's levels allow (``selectors.visible_levels``).
"""

import json

from django.db.models import Exists, OuterRef
from django.utils import timezone

from waymark.core.access import Action
from waymark.pupils.models import ParentLink

from . import reviews, selectors
from .models import ParentContribution, PlanSection, PlanVersion, PupilVoice, Review
from .review_forms import signed
from .snapshot import format_date, visible_content


def readable_ratings(review, actor):
    """The ratings ``actor`` may read, each with its outcome as frozen, and how many are hidden."""
    ratings = list(review.ratings.all())
    visibilities, levels = reviews.outcome_visibilities(review), selectors.visible_levels(actor)
    outcomes = {item["id"]: item for item in reviews.snapshot_outcomes(review.version)}
    school = review.plan.pupil.school
    shown = []
    for rating in ratings:
        if not reviews.may_read_rating(rating, visibilities, levels):
            continue
        item = outcomes.get(str(rating.outcome_id), {})
        rating.outcome = {**item, "by_date": format_date(item.get("by_date", ""))}
        rating.label = (
            f"{signed(rating.rating)} – {school.rating_label(rating.rating)}" if rating.rating is not None else ""
        )
        shown.append(rating)
    return shown, len(ratings) - len(shown)


def parents_views(review):
    """The parents' views the review takes in: those given since the last review, or those it took in."""
    contributions = ParentContribution.objects.select_related("link", "recorded_by").order_by("created_at", "pk")
    if review.is_completed:
        return list(contributions.filter(review=review))
    return list(contributions.filter(plan=review.plan, review__isnull=True))


def pupil_voice(review, actor):
    """The about-me section of the reviewed version, and views the pupil has given since in the new draft."""
    levels = selectors.visible_levels(actor)
    content = visible_content(review.version.snapshot, levels)
    section = next((s for s in content["sections"] if s["key"] == "about_me"), None)
    fields = [field for field in (section or {}).get("fields", []) if field.get("value")]
    voices, seen = [], set()
    for voice in (section or {}).get("voices", []):
        key = (voice["style"], voice["given_on"], json.dumps(voice["answers"], sort_keys=True))
        seen.add(key)
        voices.append({"given_on": format_date(voice["given_on"]), "answers": voice["answers"]})
    # A voice is as private as the draft's about-me section it sits in, as in the editor and the snapshot.
    hidden_section = PlanSection.objects.filter(version=OuterRef("version"), key="about_me").exclude(
        visibility__in=levels
    )
    newer = (
        PupilVoice.objects.filter(
            version__plan=review.plan, version__status=PlanVersion.Status.DRAFT, visibility__in=levels
        )
        .exclude(Exists(hidden_section))
        .order_by("given_at")
    )
    for voice in newer:
        given_on = timezone.localdate(voice.given_at).isoformat()
        key = (voice.style, given_on, json.dumps(voice.answers, sort_keys=True))
        if key not in seen:
            seen.add(key)
            voices.append({"given_on": format_date(given_on), "answers": voice.answers})
    return {"label": section["label"] if section else "", "fields": fields, "voices": voices}


def links_who_may_take_part(pupil):
    return list(ParentLink.objects.filter(pupil=pupil).exclude(status=ParentLink.Status.SUSPENDED).order_by("pk"))


def review_panel(actor, pupil, in_force):
    """The Reviews section of the staff plan page, or ``None`` for those who do not see reviews.

    A fixed number of queries: the pupil's reviews, and the school year's meetings.
    """
    if not selectors.sees_every_version(actor):
        return None
    found = list(
        Review.objects.restrict(actor, Action.VIEW, audience="staff")
        .filter(plan__pupil=pupil)
        .select_related("version")
        .order_by("-held_on", "-pk")
    )
    in_progress = next((review for review in found if not review.is_completed), None)
    can_run = reviews.can_run_reviews(actor)
    next_review_on = in_force.next_review_on if in_force else None
    return {
        "completed": [review for review in found if review.is_completed],
        "in_progress": in_progress,
        "can_run": can_run,
        "can_start": can_run and in_force is not None and in_progress is None,
        "next_review_on": next_review_on,
        "overdue": next_review_on is not None and next_review_on < actor.today,
        "meetings": reviews.meetings_this_year(pupil, actor.today),
    }
