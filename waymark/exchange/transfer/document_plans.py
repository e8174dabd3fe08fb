"""The plans part of a package's document: frozen versions, completed reviews, and the parents' words.

Plans travel as frozen: each shared or published version's snapshot exactly as stored,
restricted parts taken out (``LEVELS``), never rebuilt from the live rows. A rating is as
private as the outcome it rates. Parents' words travel with their relationship to the
child, never their name or contact details.
"""

from django.utils import timezone

from waymark.core.models import Visibility
from waymark.core.personal_data import entry_for
from waymark.plans.models import PlanVersion, Review
from waymark.plans.reviews import outcome_visibilities, snapshot_outcomes
from waymark.plans.snapshot import visible_content

# What a receiving school may read: everything but restricted content.
LEVELS = frozenset({Visibility.EVERYONE, Visibility.STAFF})


def iso_day(value):
    return value.isoformat() if value else None


def iso_moment(value):
    return timezone.localtime(value).isoformat() if value else None


def plan_versions(pupil):
    """``[(entry, version)]``: every shared or published version, oldest first, from its snapshot."""
    versions = (
        entry_for("plans.PlanVersion")
        .for_pupil(pupil)
        .filter(status__in=PlanVersion.FROZEN)
        .select_related("template", "plan__pupil__school")
        .order_by("number")
    )
    found = []
    for version in versions:
        entry = {
            "id": str(version.public_id),
            "number": version.number,
            "status": version.status,
            "tier": version.tier,
            "template": version.template.name,
            "frozen_at": iso_moment(version.frozen_at),
            "published_at": iso_moment(version.published_at),
            "ended_at": iso_moment(version.ended_at),
            "next_review_on": iso_day(version.next_review_on),
            "snapshot": visible_content(version.snapshot, LEVELS),
            "pdf": f"pdfs/plan-version-{version.number}.pdf",
        }
        found.append((entry, version))
    return found


def reviews(pupil):
    rows = (
        entry_for("plans.Review")
        .for_pupil(pupil)
        .filter(status=Review.Status.COMPLETED)
        .select_related("version", "plan__pupil__school")
        .prefetch_related("ratings")
        .order_by("held_on", "pk")
    )
    reviews = []
    for review in rows:
        school = review.plan.pupil.school
        visibilities = outcome_visibilities(review)
        words = {item.get("id"): item.get("text", "") for item in snapshot_outcomes(review.version)}
        ratings = []
        for rating in review.ratings.all():
            outcome_id = str(rating.outcome_id)
            if visibilities.get(outcome_id, Visibility.EVERYONE) not in LEVELS:
                continue  # a rating is as private as the outcome it rates
            ratings.append(
                {
                    "outcome_id": outcome_id,
                    "outcome_text": words.get(outcome_id) or rating.outcome_text,
                    "rating": rating.rating,
                    "label": school.rating_label(rating.rating) if rating.rating is not None else "",
                    "met": rating.met,
                    "evidence": rating.evidence,
                    "comment": rating.comment,
                }
            )
        reviews.append(
            {
                "id": str(review.public_id),
                "version_number": review.version.number,
                "held_on": iso_day(review.held_on),
                "completed_at": iso_moment(review.completed_at),
                "participants": review.participants,
                "pupil_took_part": review.pupil_took_part,
                "pupil_views": review.pupil_views,
                "pupil_views_hidden_from_parents": review.pupil_views_hidden_from_parents,
                "what_worked": review.what_worked,
                "what_did_not": review.what_did_not,
                "decisions": [
                    {"code": code, "label": str(Review.Decision(code).label)}
                    for code in review.decisions
                    if code in Review.Decision.values
                ],
                "decision_notes": review.decision_notes,
                "next_review_on": iso_day(review.next_review_on),
                "ratings": ratings,
            }
        )
    return reviews


def parent_contributions(pupil):
    rows = (
        entry_for("plans.ParentContribution")
        .for_pupil(pupil)
        .select_related("link", "review")
        .order_by("created_at", "pk")
    )
    return [
        {
            "review_id": str(row.review.public_id) if row.review_id else None,
            "given_on": iso_day(timezone.localdate(row.created_at)),
            "given_via": row.given_via,
            "relationship": str(row.link.get_relationship_display()),
            "going_well": row.going_well,
            "worries": row.worries,
            "would_like": row.would_like,
        }
        for row in rows
    ]


def agreement_responses(pupil):
    rows = (
        entry_for("plans.AgreementResponse")
        .for_pupil(pupil)
        .select_related("link", "version")
        .order_by("responded_at", "pk")
    )
    return [
        {
            "version_number": row.version.number,
            "agrees": row.agrees,
            "comment": row.comment,
            "responded_on": iso_day(timezone.localdate(row.responded_at)),
            "reply": row.reply,
            "replied_on": iso_day(timezone.localdate(row.replied_at)) if row.replied_at else None,
            "relationship": str(row.link.get_relationship_display()),
            "given_via": row.given_via,
        }
        for row in rows
    ]


def parent_meetings(pupil):
    rows = (
        entry_for("plans.ParentMeeting")
        .for_pupil(pupil)
        .select_related("review")
        .prefetch_related("parents")
        .order_by("held_on", "pk")
    )
    return [
        {
            "held_on": iso_day(row.held_on),
            "kind": row.kind,
            "kind_label": str(row.get_kind_display()),
            "mode": row.mode,
            "mode_label": str(row.get_mode_display()),
            "notes": row.notes,
            "who_came": sorted(str(link.get_relationship_display()) for link in row.parents.all()),
            "review_id": str(row.review.public_id) if row.review_id else None,
        }
        for row in rows
    ]
