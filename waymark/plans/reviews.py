"""The review cycle: starting, writing and completing a review, and meetings with parents.

Assess, plan, do, review: a review rates each outcome of the plan in force on the school's
scale, records who took part and what they said, decides what happens next and opens the
next draft with the unmet outcomes carried forward. The Code expects three meetings a year
with the parents of a pupil on SEN support; each is recorded and counted per school year.

Only those who reach every pupil for ``Action.REVIEW`` (the SENCO and deputy SENCO) write
here; every service checks that again.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waymark.core.access import Action, Reach
from waymark.core.audit import audit_record
from waymark.core.models import Visibility
from waymark.core.services import STALE_MESSAGE, require, require_pupil, save_versioned

from . import services
from .meetings import (  # noqa: F401 -- the review cycle's meetings, re-exported for callers of this module
    EXPECTED_MEETINGS_A_YEAR,
    MeetingCount,
    check_parents_who_took_part,
    meeting_record,
    meetings_this_year,
)
from .models import (
    Outcome,
    OutcomeRating,
    ParentContribution,
    ParentMeeting,
    PlanSection,
    PlanVersion,
    Review,
    SupportPlan,
)
from .notices import notify_parents_later
from .review_dates import review_date_problem
from .selectors import visible_levels

# What ``review_save`` may change; anything else is a programming error.
REVIEW_FIELDS = frozenset(
    {
        "held_on",
        "participants",
        "pupil_took_part",
        "pupil_views",
        "pupil_views_hidden_from_parents",
        "what_worked",
        "what_did_not",
        "decisions",
        "decision_notes",
        "next_review_on",
    }
)

IN_PROGRESS_MESSAGE = gettext_lazy("A review of this plan is already being written. Carry on with that one.")
COMPLETED_MESSAGE = gettext_lazy("This review has been completed, so it cannot be changed.")


def can_run_reviews(actor):
    """The SENCO and deputy SENCO: they start, write and complete reviews and record meetings."""
    return actor is not None and actor.school is not None and actor.reach(Action.REVIEW) == Reach.ALL


def snapshot_outcomes(version):
    """The outcomes of a frozen version, as they were frozen: ``[{"id", "text", "visibility", ...}]``."""
    for section in (version.snapshot or {}).get("sections", []):
        if section.get("key") == "outcomes":
            return section.get("items", [])
    return []


def outcome_visibilities(review):
    """Who may read each rated outcome, by outcome id: a rating is as private as its outcome."""
    return {item["id"]: item.get("visibility", Visibility.EVERYONE) for item in snapshot_outcomes(review.version)}


def may_read_rating(rating, visibilities, levels):
    return visibilities.get(str(rating.outcome_id), Visibility.EVERYONE) in levels


def _local_day(moment):
    return timezone.localdate(moment) if moment else None


def _day(value):
    return date_format(value, "j F Y")


# ----- starting -----


@transaction.atomic
def review_start(*, actor, pupil):
    """Open a review of the plan in force, with one rating per outcome of the version as published.

    Guarantees one review in progress per plan (checked under a lock on the plan, and by
    the database), and that every outcome is there to rate, staff-only and restricted ones
    too: the review is a staff page, and what parents read is filtered later.
    """
    require_pupil(actor, pupil, Action.REVIEW)
    plan = SupportPlan.objects.select_for_update().filter(pupil=pupil).order_by("pk").first()
    version = plan.versions.filter(status=PlanVersion.Status.ACTIVE).first() if plan else None
    if version is None:
        raise ValidationError(
            _("%(name)s has no plan in force to review. Publish a plan first.") % {"name": pupil.full_name},
            code="no_plan",
        )
    if plan.reviews.filter(status=Review.Status.DRAFT).exists():
        raise ValidationError(IN_PROGRESS_MESSAGE, code="in_progress")
    review = Review(plan=plan, version=version, held_on=actor.today, created_by=actor.user)
    try:
        with transaction.atomic():
            save_versioned(review)
    except IntegrityError:
        # Two people pressed "Start a review" at the same moment; the database kept one.
        raise ValidationError(IN_PROGRESS_MESSAGE, code="in_progress") from None
    for order, item in enumerate(snapshot_outcomes(version), start=1):
        rating = OutcomeRating(review=review, outcome_id=item["id"], outcome_text=item["text"], order=order)
        rating.full_clean()
        rating.save()
    audit_record(
        actor=actor,
        action="plans.review.started",
        target=review,
        pupil=pupil,
        data={"version": str(version.public_id)},
    )
    return review


# ----- writing -----


def _lock_draft(review, expected_version):
    """Lock the review's row; refuse unless it is still being written and unchanged since the page was opened."""
    current = (
        Review._base_manager.select_for_update()
        .filter(pk=review.pk)
        .order_by("pk")
        .values_list("status", "lock_version")
        .first()
    )
    if current is None or current[0] != Review.Status.DRAFT:
        raise ValidationError(COMPLETED_MESSAGE, code="completed")
    if expected_version is None or current[1] != int(expected_version):
        raise ValidationError(STALE_MESSAGE, code="stale")


@transaction.atomic
def review_discard(*, actor, review, expected_version):
    """Throw away a review still being written (started by mistake, or of a plan since replaced).

    Only a review in progress can go: a completed review is part of the record. Nothing else
    hangs on it yet (parents' views are attached only on completion), so nothing is lost.
    """
    pupil = review.plan.pupil
    require_pupil(actor, pupil, Action.REVIEW)
    _lock_draft(review, expected_version)
    audit_record(
        actor=actor,
        action="plans.review.discarded",
        target=review,
        pupil=pupil,
        data={"version": str(review.version.public_id)},
    )
    review.delete()


@transaction.atomic
def review_save(*, actor, review, fields, ratings, parents_present, expected_version):
    """Save a review that is still being written.

    ``fields`` holds any of ``REVIEW_FIELDS``; ``ratings`` maps an outcome id to
    ``{"rating", "evidence", "comment"}`` (a rating may be empty while writing, or a value
    on the school's scale); ``parents_present`` is the parent links who took part, or
    ``None`` to leave them as they are. Guarantees: a save from an out-of-date page or to a
    completed review is refused; nobody changes a rating they may not read; nothing is
    saved unless all of it is valid.
    """
    pupil = review.plan.pupil
    require_pupil(actor, pupil, Action.REVIEW)
    _lock_draft(review, expected_version)
    unknown = set(fields) - REVIEW_FIELDS
    if unknown:
        raise TypeError(f"review_save cannot change {sorted(unknown)}")
    decisions = list(fields.get("decisions", review.decisions))
    if any(value not in Review.Decision.values for value in decisions):
        raise ValidationError({"decisions": _("Choose decisions from the list.")})
    if parents_present is not None:
        parents_present = list(parents_present)
        check_parents_who_took_part(pupil, parents_present, field="parents_present")
    changed_ratings = _checked_ratings(actor, review, pupil.school, ratings)
    for name, value in fields.items():
        setattr(review, name, value)
    review.decisions = decisions
    save_versioned(review, expected_version=expected_version)
    for rating in changed_ratings:
        rating.full_clean()
        rating.save()
    if parents_present is not None:
        review.parents_present.set(parents_present)
    audit_record(actor=actor, action="plans.review.saved", target=review, pupil=pupil)
    return review


def _checked_ratings(actor, review, school, ratings):
    """The review's rating rows with ``ratings`` applied, after checking every value; nothing saved."""
    scale = {step["value"] for step in school.review_scale}
    rows = {str(row.outcome_id): row for row in OutcomeRating.objects.filter(review=review)}
    visibilities, levels = outcome_visibilities(review), visible_levels(actor)
    changed = []
    for outcome_id, values in ratings.items():
        row = rows.get(str(outcome_id))
        if row is None:
            raise ValidationError(_("That outcome is not part of this review."))
        require(may_read_rating(row, visibilities, levels))
        value = values.get("rating")
        value = None if value in (None, "") else int(value)
        if value is not None and value not in scale:
            message = _("Choose a rating from the school's scale for outcome %(number)d.") % {"number": row.order}
            raise ValidationError({str(outcome_id): message})
        row.rating = value
        row.evidence = values.get("evidence", row.evidence) or ""
        row.comment = values.get("comment", row.comment) or ""
        changed.append(row)
    return changed


# ----- completing -----


def review_problems(review, *, actor, today):
    """Everything that stops ``review`` being completed, keyed by field (outcome id for a rating).

    Empty when it may be completed. Outcomes ``actor`` may not read are named by number only.
    """
    problems = {}

    def add(key, message):
        problems.setdefault(key, []).append(message)

    scale = {step["value"] for step in review.plan.pupil.school.review_scale}
    visibilities, levels = outcome_visibilities(review), visible_levels(actor)
    for rating in review.ratings.all():
        readable = may_read_rating(rating, visibilities, levels)
        if rating.rating is None and readable:
            add(str(rating.outcome_id), _("Rate outcome %(number)d.") % {"number": rating.order})
        elif rating.rating is None:
            add(
                NON_FIELD_ERRORS,
                _("Outcome %(number)d is restricted to the SENCO and DSL: ask the SENCO to rate it.")
                % {"number": rating.order},
            )
        elif rating.rating not in scale:
            add(
                str(rating.outcome_id) if readable else NON_FIELD_ERRORS,
                _("Rate outcome %(number)d again: the school's rating scale has changed since it was rated.")
                % {"number": rating.order},
            )
    if review.version.status != PlanVersion.Status.ACTIVE:
        # Completing would open the next draft from a plan that is no longer in force.
        add(
            NON_FIELD_ERRORS,
            _(
                "The plan has changed since this review was started: version %(number)d is no longer the plan "
                "in force. Discard this review and start a new one."
            )
            % {"number": review.version.number},
        )
    if not review.participants.strip():
        add("participants", _("Say who took part in the review."))
    if not review.decisions:
        add("decisions", _("Choose at least one decision about what happens next."))
    published_on = _local_day(review.version.published_at)
    if review.held_on > today:
        add("held_on", _("The date of the review must be today or in the past."))
    elif published_on and review.held_on < published_on:
        add(
            "held_on",
            _("The date of the review must be on or after %(date)s, when the plan being reviewed was published.")
            % {"date": _day(published_on)},
        )
    next_problem = review_date_problem(review.next_review_on, from_day=min(review.held_on, today))
    if not next_problem and review.next_review_on <= today:
        next_problem = _("The next review date must be in the future.")
    if next_problem:
        add("next_review_on", next_problem)
    return problems


@transaction.atomic
def review_complete(*, actor, review, expected_version):
    """Complete a review and open the next draft plan.

    Refuses, changing nothing, while anything in ``review_problems`` remains (all of them
    listed at once). Then, in one transaction: each rating is marked met or not on the
    school's scale; the parents' views given since the last review are attached to it; a
    meeting with parents is recorded when any took part; the next draft is opened from the
    reviewed version (or the existing draft is used), with met outcomes removed and unmet
    ones carried forward, and the next review date set on it. Parents are told once the
    transaction has committed (``notices.notify_parents_later``).
    """
    pupil = review.plan.pupil
    require_pupil(actor, pupil, Action.REVIEW)
    _lock_draft(review, expected_version)
    review = Review.objects.select_related("plan__pupil__school", "version").get(pk=review.pk)
    # As of the actor's day, like plan_share and plan_publish: the demo completes reviews as of
    # the day they were held, and a request's actor has today's date.
    today = actor.today
    problems = review_problems(review, actor=actor, today=today)
    if problems:
        raise ValidationError(problems, code="incomplete")
    school = pupil.school
    ratings = list(review.ratings.all())
    for rating in ratings:
        rating.met = school.rating_counts_as_met(rating.rating)
        rating.save(update_fields=["met"])
    ParentContribution.objects.filter(plan=review.plan, review__isnull=True).update(review=review)
    parents = list(review.parents_present.all())
    if parents:
        meeting = ParentMeeting(
            pupil=pupil,
            held_on=review.held_on,
            kind=ParentMeeting.Kind.REVIEW,
            review=review,
            recorded_by=actor.user,
        )
        meeting.full_clean()
        meeting.save()
        meeting.parents.set(parents)
    # The reviewed version stays in force until the next draft is published, so its review
    # date moves on: otherwise the SENCO's home page and the owner's reminders would call a
    # plan overdue that has just been reviewed. ``next_review_on`` is a plain column beside
    # the frozen snapshot (which keeps the date as agreed), so updating it rewrites nothing
    # that was shared or published; ``.update()`` also skips the snapshot guard in save().
    PlanVersion.objects.filter(pk=review.version_id, status=PlanVersion.Status.ACTIVE).update(
        next_review_on=review.next_review_on
    )
    draft, carried = _open_next_draft(actor, review, ratings)
    review.status = Review.Status.COMPLETED
    review.completed_at = timezone.now()
    review.completed_by = actor.user
    review.next_version = draft
    review.lock_version += 1
    review.full_clean()
    review.save()
    audit_record(
        actor=actor,
        action="plans.review.completed",
        target=review,
        pupil=pupil,
        data={
            "next_version": str(draft.public_id),
            "met": sum(1 for rating in ratings if rating.met),
            "carried_forward": carried,
            "meeting": bool(parents),
        },
    )
    # Queued once this transaction commits, so a refused or rolled-back completion tells nobody.
    notify_parents_later(pupil=pupil, event="reviewed", event_id=str(review.public_id))
    return review


def _open_next_draft(actor, review, ratings):
    """The draft after the review: unmet outcomes carried forward, met ones removed. Returns (draft, carried)."""
    plan = review.plan
    draft = plan.versions.filter(status=PlanVersion.Status.DRAFT).first()
    if draft is None:
        draft = services.plan_start(actor=actor, pupil=plan.pupil, copy_from=review.version)
    met = [rating.outcome_id for rating in ratings if rating.met]
    unmet = [rating.outcome_id for rating in ratings if not rating.met]
    # plan_start copies every outcome with carried_from = the old outcome's public id.
    Outcome.objects.filter(version=draft, carried_from__in=met).delete()
    present = set(Outcome.objects.filter(version=draft, carried_from__in=unmet).values_list("carried_from", flat=True))
    missing = [outcome_id for outcome_id in unmet if outcome_id not in present]
    if missing:
        # A draft started before the review from elsewhere: bring the unmet outcomes in.
        order = Outcome.objects.filter(version=draft).aggregate(n=Max("order"))["n"] or 0
        sources = Outcome.objects.filter(version=review.version, public_id__in=missing).order_by("order", "id")
        for offset, source in enumerate(sources, start=1):
            copy = Outcome(
                version=draft,
                order=order + offset,
                visibility=source.visibility,
                bank_entry=source.bank_entry,
                bank_text=source.bank_text,
                carried_from=source.public_id,
                lineage=source.lineage,
                **{name: getattr(source, name) for name in services.COPIED_FIELDS[Outcome]},
            )
            copy.full_clean()
            copy.save()
    # The draft's review date is the one the review agreed, in the column and in the review
    # section the editor shows; both lock versions move so a page opened before is refused.
    PlanVersion.objects.filter(pk=draft.pk).update(
        next_review_on=review.next_review_on, lock_version=F("lock_version") + 1
    )
    section, _created = PlanSection.objects.get_or_create(version=draft, key="review")
    section.data = {**section.data, "next_review_on": review.next_review_on.isoformat()}
    section.lock_version += 1
    section.full_clean()
    section.save()
    draft.refresh_from_db()
    return draft, len(unmet)
