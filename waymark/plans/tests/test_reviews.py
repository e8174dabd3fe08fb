"""The review cycle's services: start, save, complete (with copy-forward), meetings, and the review settings.

Each write is tested for who may make it, for bad input (a clear message and nothing
changed) and for its audit event.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent
from waymark.plans import review_settings, reviews
from waymark.plans.models import (
    Outcome,
    OutcomeRating,
    ParentContribution,
    ParentMeeting,
    PlanSection,
    PlanVersion,
    Review,
)
from waymark.pupils.models import ParentLink
from waymark.schools.models import School
from waymark.tests import factories as f

from .factories import draft_version
from .review_factories import ParentContributionFactory, ParentMeetingFactory, plan_in_force, started_review

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def in_school(cast):
    with scope(school=[cast.school.pk]):
        yield


@pytest.fixture
def deputy(cast):
    user = f.UserFactory(full_name="Dana Deputy")
    f.MembershipFactory(user=user, school=cast.school, roles=["deputy_senco"])
    return user


def actor(user):
    return Actor.for_user(user)


def audit_count(action):
    return AuditEvent.objects.filter(action=action).count()


def review_state(review):
    """Everything a review write could change, as plain values."""
    with scopes_disabled():
        stored = Review.objects.get(pk=review.pk)
        return {
            "review": (
                stored.status,
                stored.lock_version,
                stored.held_on,
                stored.participants,
                stored.decisions,
                stored.next_review_on,
                stored.next_version_id,
            ),
            "ratings": list(
                OutcomeRating.objects.filter(review=review)
                .order_by("order")
                .values_list("rating", "met", "evidence", "comment")
            ),
            "parents": sorted(stored.parents_present.values_list("pk", flat=True)),
            "versions": list(PlanVersion.objects.order_by("pk").values_list("pk", "status", "next_review_on")),
            "outcomes": Outcome.objects.count(),
            "meetings": ParentMeeting.objects.count(),
            "contributions": list(ParentContribution.objects.order_by("pk").values_list("pk", "review_id")),
            "audit": AuditEvent.objects.count(),
        }


def rate_all(review, value):
    return {
        str(rating.outcome_id): {"rating": value, "evidence": "Probe sheet", "comment": ""}
        for rating in review.ratings.all()
    }


def complete_fields(**changes):
    return {
        "held_on": TODAY,
        "participants": "Sam Senco (SENCO), Tess Teacher (class teacher)",
        "decisions": [Review.Decision.CONTINUE],
        "next_review_on": TODAY + 120 * DAY,
        **changes,
    }


def save(review, user, *, fields=None, ratings=None, parents=None):
    review.refresh_from_db()
    return reviews.review_save(
        actor=actor(user),
        review=review,
        fields=fields or {},
        ratings=ratings or {},
        parents_present=parents,
        expected_version=review.lock_version,
    )


def complete(review, user):
    review.refresh_from_db()
    return reviews.review_complete(actor=actor(user), review=review, expected_version=review.lock_version)


@pytest.fixture
def notified(monkeypatch):
    """Calls to ``notices.notify_parents_later``, recorded instead of queued."""
    calls = []
    monkeypatch.setattr(reviews, "notify_parents_later", lambda **kwargs: calls.append(kwargs))
    return calls


# ----- starting -----


def test_starting_a_review_rates_every_outcome_of_the_published_version(cast, in_school):
    version = plan_in_force(cast.pupil, outcomes=2, staff_outcome=True, restricted_outcome=True)
    review = reviews.review_start(actor=actor(cast.senco), pupil=cast.pupil)
    assert review.status == Review.Status.DRAFT and review.version == version and review.held_on == TODAY
    items = reviews.snapshot_outcomes(version)
    ratings = list(review.ratings.order_by("order"))
    # Staff-only and restricted outcomes are there to rate: the review is a staff page.
    assert [(str(r.outcome_id), r.outcome_text) for r in ratings] == [(i["id"], i["text"]) for i in items]
    assert len(ratings) == 4 and all(r.rating is None for r in ratings)
    event = AuditEvent.objects.get(action="plans.review.started")
    assert event.target_id == str(review.public_id) and event.pupil_id == cast.pupil.public_id


@pytest.mark.parametrize("who", ["dsl", "head", "teacher", "head_of_year", "other_senco", "parent", "trust_lead"])
def test_only_the_senco_and_deputy_may_start_a_review(cast, in_school, who):
    plan_in_force(cast.pupil)
    with pytest.raises(PermissionDenied):
        reviews.review_start(actor=actor(getattr(cast, who)), pupil=cast.pupil)
    assert not Review.objects.exists() and audit_count("plans.review.started") == 0


def test_the_deputy_senco_may_start_a_review(cast, in_school, deputy):
    plan_in_force(cast.pupil)
    assert reviews.review_start(actor=actor(deputy), pupil=cast.pupil).status == Review.Status.DRAFT


def test_a_plan_with_no_version_in_force_cannot_be_reviewed(cast, in_school):
    draft_version(cast.pupil)
    with pytest.raises(ValidationError) as error:
        reviews.review_start(actor=actor(cast.senco), pupil=cast.pupil)
    assert "has no plan in force to review" in error.value.messages[0]
    assert not Review.objects.exists()


def test_one_review_in_progress_per_plan(cast, in_school):
    plan_in_force(cast.pupil)
    reviews.review_start(actor=actor(cast.senco), pupil=cast.pupil)
    with pytest.raises(ValidationError) as error:
        reviews.review_start(actor=actor(cast.senco), pupil=cast.pupil)
    assert error.value.messages == [str(reviews.IN_PROGRESS_MESSAGE)]
    assert Review.objects.count() == 1


# ----- saving -----


def test_saving_a_review(cast, in_school):
    plan_in_force(cast.pupil, outcomes=2)
    review = started_review(cast.pupil, cast.senco)
    first, second = review.ratings.order_by("order")
    save(
        review,
        cast.senco,
        fields={"participants": "Sam Senco", "pupil_views": "I like the quiet room", "decisions": ["adjust"]},
        ratings={str(first.outcome_id): {"rating": "2", "evidence": "45 of 100 words", "comment": "Great"}},
        parents=[cast.parent_link, cast.restricted_link],
    )
    review.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (review.participants, review.pupil_views, review.decisions) == (
        "Sam Senco",
        "I like the quiet room",
        ["adjust"],
    )
    assert (first.rating, first.evidence, first.comment) == (2, "45 of 100 words", "Great")
    assert second.rating is None  # left empty while writing
    # A restricted parent may still take part in a meeting in person.
    assert set(review.parents_present.all()) == {cast.parent_link, cast.restricted_link}
    assert review.lock_version == 1 and audit_count("plans.review.saved") == 1


def test_a_stale_save_is_refused_and_changes_nothing(cast, in_school):
    plan_in_force(cast.pupil)
    review = started_review(cast.pupil, cast.senco)
    opened_at = review.lock_version
    save(review, cast.senco, fields={"participants": "First save"})
    before = review_state(review)
    with pytest.raises(ValidationError) as error:
        reviews.review_save(
            actor=actor(cast.senco),
            review=review,
            fields={"participants": "Second, from an old page"},
            ratings=rate_all(review, 1),
            parents_present=[cast.parent_link],
            expected_version=opened_at,
        )
    assert error.value.code == "stale" and "Someone else saved changes" in error.value.messages[0]
    assert review_state(review) == before


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"ratings": "rating off the scale"}, "Choose a rating from the school's scale for outcome 1."),
        ({"parents": "suspended"}, "Choose from this pupil's parents and carers."),
        ({"parents": "another child's"}, "Choose from this pupil's parents and carers."),
        ({"decisions": ["stop everything"]}, "Choose decisions from the list."),
    ],
)
def test_bad_input_to_a_review_changes_nothing(cast, in_school, bad, message):
    plan_in_force(cast.pupil)
    review = started_review(cast.pupil, cast.senco)
    first = review.ratings.order_by("order").first()
    ratings = {str(first.outcome_id): {"rating": 1, "evidence": "", "comment": ""}}
    parents = [cast.parent_link]
    fields = {"participants": "Changed"}
    if bad.get("ratings"):
        ratings = {str(first.outcome_id): {"rating": 7, "evidence": "", "comment": ""}}
    if bad.get("parents") == "suspended":
        with scopes_disabled():
            ParentLink.objects.filter(pk=cast.co_parent_link.pk).update(status="suspended", status_reason="Moved away")
            cast.co_parent_link.refresh_from_db()
        parents = [cast.co_parent_link]
    if bad.get("parents") == "another child's":
        parents = [cast.other_parent_link]
    if "decisions" in bad:
        fields["decisions"] = bad["decisions"]
    before = review_state(review)
    with pytest.raises(ValidationError) as error:
        save(review, cast.senco, fields=fields, ratings=ratings, parents=parents)
    assert message in error.value.messages
    assert review_state(review) == before


def test_a_deputy_cannot_change_a_restricted_outcomes_rating(cast, in_school, deputy):
    plan_in_force(cast.pupil, outcomes=1, restricted_outcome=True)
    review = started_review(cast.pupil, cast.senco)
    restricted = review.ratings.order_by("order").last()
    before = review_state(review)
    with pytest.raises(PermissionDenied):
        save(review, deputy, ratings={str(restricted.outcome_id): {"rating": 2, "evidence": "", "comment": ""}})
    assert review_state(review) == before


@pytest.mark.parametrize("who", ["dsl", "head", "teacher"])
def test_only_the_senco_and_deputy_may_save_a_review(cast, in_school, who):
    plan_in_force(cast.pupil)
    review = started_review(cast.pupil, cast.senco)
    with pytest.raises(PermissionDenied):
        save(review, getattr(cast, who), fields={"participants": "Not allowed"})
    review.refresh_from_db()
    assert review.participants == ""


# ----- completing -----


def ready_review(cast, *, outcomes=3, met=(2, 0), unmet=(-1,), parents=True, **plan_options):
    """A review of ``cast.pupil``'s plan with every outcome rated: ``met`` values first, then ``unmet``."""
    version = plan_in_force(cast.pupil, outcomes=outcomes, **plan_options)
    review = started_review(cast.pupil, cast.senco)
    values = list(met) + list(unmet)
    ratings = {
        str(rating.outcome_id): {"rating": value, "evidence": f"Evidence {rating.order}", "comment": ""}
        for rating, value in zip(review.ratings.order_by("order"), values, strict=True)
    }
    save(review, cast.senco, fields=complete_fields(), ratings=ratings, parents=[cast.parent_link] if parents else [])
    return version, review


def test_completing_carries_unmet_outcomes_forward_and_drops_met_ones(cast, in_school, notified):
    version, review = ready_review(cast)
    snapshot_before = version.snapshot
    contribution = ParentContributionFactory(link=cast.parent_link, plan=version.plan)
    earlier = ParentContributionFactory(link=cast.co_parent_link, plan=version.plan)
    done = complete(review, cast.senco)

    assert done.status == Review.Status.COMPLETED and done.completed_by == cast.senco
    ratings = list(done.ratings.order_by("order"))
    assert [r.met for r in ratings] == [True, True, False]  # 2 and 0 count as met by default; -1 does not

    draft = done.next_version
    assert draft.is_draft and draft.started_from == version and draft.number == version.number + 1
    carried = list(Outcome.objects.filter(version=draft).order_by("order"))
    # Only the unmet outcome is carried forward, and it says where it came from.
    assert [o.carried_from for o in carried] == [ratings[2].outcome_id]
    assert carried[0].text == ratings[2].outcome_text
    # The next review date is on the draft, in its column and in the review section the editor shows.
    assert draft.next_review_on == done.next_review_on
    section = PlanSection.objects.get(version=draft, key="review")
    assert section.data["next_review_on"] == done.next_review_on.isoformat()

    version.refresh_from_db()
    assert version.status == PlanVersion.Status.ACTIVE and version.snapshot == snapshot_before
    assert version.next_review_on == done.next_review_on  # no longer shown as due on the SENCO's page

    contribution.refresh_from_db()
    earlier.refresh_from_db()
    assert contribution.review == done and earlier.review == done
    meeting = ParentMeeting.objects.get(review=done)
    assert meeting.kind == ParentMeeting.Kind.REVIEW and list(meeting.parents.all()) == [cast.parent_link]

    event = AuditEvent.objects.get(action="plans.review.completed")
    assert event.data["next_version"] == str(draft.public_id) and event.data["met"] == 2
    assert notified == [{"pupil": cast.pupil, "event": "reviewed", "event_id": str(done.public_id)}]


def test_completing_queues_the_parents_email_with_the_real_notices(cast, in_school, django_capture_on_commit_callbacks):
    _, review = ready_review(cast)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        complete(review, cast.senco)
    assert len(callbacks) == 1  # queued for after the commit, not sent inside the transaction


def test_completing_uses_a_draft_that_already_exists(cast, in_school, notified):
    version, review = ready_review(cast, met=(1,), unmet=(-2, -1))
    # A draft started from elsewhere before the review: it is used, and the unmet outcomes brought in.
    existing = draft_version(cast.pupil, outcomes=1)
    done = complete(review, cast.senco)
    assert done.next_version == existing
    assert PlanVersion.objects.filter(plan=version.plan, status=PlanVersion.Status.DRAFT).count() == 1
    ratings = list(done.ratings.order_by("order"))
    carried = set(Outcome.objects.filter(version=existing).values_list("carried_from", flat=True))
    assert carried == {None, ratings[1].outcome_id, ratings[2].outcome_id}


def test_an_existing_copied_draft_loses_its_met_outcomes(cast, in_school, notified):
    version, review = ready_review(cast, met=(1, 2), unmet=(-1,))
    existing = draft_version(cast.pupil, copy_from=version)
    assert Outcome.objects.filter(version=existing).count() == 3
    done = complete(review, cast.senco)
    ratings = list(done.ratings.order_by("order"))
    assert list(Outcome.objects.filter(version=existing).values_list("carried_from", flat=True)) == [
        ratings[2].outcome_id
    ]


def test_no_meeting_is_recorded_when_no_parent_took_part(cast, in_school, notified):
    _, review = ready_review(cast, parents=False)
    complete(review, cast.senco)
    assert not ParentMeeting.objects.exists()


def test_an_empty_review_lists_every_problem_and_changes_nothing(cast, in_school, notified):
    plan_in_force(cast.pupil, outcomes=2)
    review = started_review(cast.pupil, cast.senco)
    before = review_state(review)
    with pytest.raises(ValidationError) as error:
        complete(review, cast.senco)
    messages = error.value.messages
    assert "Rate outcome 1." in messages and "Rate outcome 2." in messages
    assert "Say who took part in the review." in messages
    assert "Choose at least one decision about what happens next." in messages
    assert "Enter the date of the next review." in messages
    assert review_state(review) == before and notified == []


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"held_on": TODAY - 40 * DAY}, "The date of the review must be on or after"),
        ({"held_on": TODAY + DAY}, "The date of the review must be today or in the past."),
        ({"next_review_on": TODAY + 400 * DAY}, "A plan must be reviewed at least once a year"),
        ({"next_review_on": TODAY}, "The next review date must be in the future."),
        ({"held_on": TODAY - 10 * DAY, "next_review_on": TODAY - DAY}, "The next review date must be in the future."),
    ],
)
def test_bad_dates_stop_a_review_being_completed(cast, in_school, notified, fields, message):
    _, review = ready_review(cast)
    save(review, cast.senco, fields=fields)
    before = review_state(review)
    with pytest.raises(ValidationError) as error:
        complete(review, cast.senco)
    assert any(text.startswith(message) for text in error.value.messages), error.value.messages
    assert review_state(review) == before


def test_the_review_date_may_not_be_before_the_plan_was_published(cast, in_school, notified):
    _, review = ready_review(cast)  # published 30 days ago
    save(review, cast.senco, fields={"held_on": TODAY - 31 * DAY})
    with pytest.raises(ValidationError) as error:
        complete(review, cast.senco)
    published = (TODAY - 30 * DAY).strftime("%-d %B %Y")
    assert f"on or after {published}, when the plan being reviewed was published" in " ".join(error.value.messages)


def test_a_completed_review_cannot_be_saved_or_completed_again(cast, in_school, notified):
    _, review = ready_review(cast)
    complete(review, cast.senco)
    before = review_state(review)
    with pytest.raises(ValidationError) as error:
        save(review, cast.senco, fields={"participants": "Too late"})
    assert error.value.messages == [str(reviews.COMPLETED_MESSAGE)]
    with pytest.raises(ValidationError):
        complete(review, cast.senco)
    assert review_state(review) == before


def test_a_stale_completion_is_refused(cast, in_school, notified):
    _, review = ready_review(cast)
    opened_at = review.lock_version
    save(review, cast.senco, fields={"decision_notes": "Someone else's change"})
    before = review_state(review)
    with pytest.raises(ValidationError) as error:
        reviews.review_complete(actor=actor(cast.senco), review=review, expected_version=opened_at)
    assert error.value.code == "stale"
    assert review_state(review) == before


def test_a_deputy_is_told_who_rates_a_restricted_outcome(cast, in_school, deputy, notified):
    plan_in_force(cast.pupil, outcomes=1, restricted_outcome=True)
    review = started_review(cast.pupil, cast.senco)
    visible = review.ratings.order_by("order").first()
    save(review, deputy, fields=complete_fields(), ratings={str(visible.outcome_id): {"rating": 1}})
    with pytest.raises(ValidationError) as error:
        complete(review, deputy)
    assert error.value.messages == ["Outcome 2 is restricted to the SENCO and DSL: ask the SENCO to rate it."]


def test_a_rating_no_longer_on_the_scale_must_be_given_again(cast, in_school, notified):
    _, review = ready_review(cast, met=(2, 1), unmet=(0,))
    with scopes_disabled():
        School.objects.filter(pk=cast.school.pk).update(
            review_scale=[{"value": v, "label": f"Step {v}"} for v in (0, 1, 3)], met_ratings=[3]
        )
    with pytest.raises(ValidationError) as error:
        complete(review, cast.senco)
    assert error.value.messages == ["Rate outcome 1 again: the school's rating scale has changed since it was rated."]


def test_met_follows_the_schools_choice_of_ratings(cast, in_school, notified):
    with scopes_disabled():
        School.objects.filter(pk=cast.school.pk).update(met_ratings=[2])
    _, review = ready_review(cast, met=(2,), unmet=(1, 0))
    done = complete(review, cast.senco)
    assert [r.met for r in done.ratings.order_by("order")] == [True, False, False]
    assert Outcome.objects.filter(version=done.next_version).count() == 2


# ----- meetings -----


def record(user, **changes):
    cast_pupil = changes.pop("pupil")
    arguments = {
        "held_on": TODAY,
        "kind": ParentMeeting.Kind.PLANNING,
        "mode": ParentMeeting.Mode.PHONE,
        "notes": "Talked about homework.",
        **changes,
    }
    return reviews.meeting_record(actor=actor(user), pupil=cast_pupil, **arguments)


def test_recording_a_meeting(cast, in_school):
    meeting = record(cast.senco, pupil=cast.pupil, parents=[cast.parent_link, cast.restricted_link])
    assert set(meeting.parents.all()) == {cast.parent_link, cast.restricted_link}
    assert meeting.recorded_by == cast.senco and meeting.mode == ParentMeeting.Mode.PHONE
    event = AuditEvent.objects.get(action="plans.meeting.recorded")
    assert event.target_id == str(meeting.public_id) and event.data == {"kind": "planning", "parents": 2}


def test_a_meeting_recorded_twice_counts_once(cast, in_school):
    """A double click on "Record the meeting" must not count one meeting twice against the three a year."""
    first = record(cast.senco, pupil=cast.pupil, parents=[cast.parent_link, cast.co_parent_link])
    again = record(cast.senco, pupil=cast.pupil, parents=[cast.co_parent_link, cast.parent_link])
    assert again == first and ParentMeeting.objects.count() == 1
    assert audit_count("plans.meeting.recorded") == 1
    # Another meeting the same day, with someone else or about something else, is a meeting of its own.
    record(cast.senco, pupil=cast.pupil, parents=[cast.parent_link])
    record(cast.senco, pupil=cast.pupil, parents=[cast.parent_link, cast.co_parent_link], notes="Second call")
    assert ParentMeeting.objects.count() == 3


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"parents": []}, "Select who came to the meeting."),
        ({"parents": ["other"]}, "Choose from this pupil's parents and carers."),
        ({"parents": ["suspended"]}, "Choose from this pupil's parents and carers."),
        ({"held_on": TODAY + DAY}, "The date of the meeting must be today or in the past."),
        ({"kind": ParentMeeting.Kind.REVIEW}, "A review meeting is recorded when the review is completed."),
    ],
)
def test_bad_meetings_are_refused(cast, in_school, changes, message):
    changes = dict(changes)
    parents = changes.pop("parents", [cast.parent_link])
    if parents == ["other"]:
        parents = [cast.other_parent_link]
    if parents == ["suspended"]:
        with scopes_disabled():
            ParentLink.objects.filter(pk=cast.co_parent_link.pk).update(status="suspended", status_reason="Moved away")
            cast.co_parent_link.refresh_from_db()
        parents = [cast.co_parent_link]
    with pytest.raises(ValidationError) as error:
        record(cast.senco, pupil=cast.pupil, parents=parents, **changes)
    assert any(text.startswith(message) for text in error.value.messages)
    assert not ParentMeeting.objects.exists() and audit_count("plans.meeting.recorded") == 0


@pytest.mark.parametrize("who", ["dsl", "head", "teacher", "other_senco"])
def test_only_the_senco_and_deputy_record_meetings(cast, in_school, who):
    with pytest.raises(PermissionDenied):
        record(getattr(cast, who), pupil=cast.pupil, parents=[cast.parent_link])
    assert not ParentMeeting.objects.exists()


def test_meetings_are_counted_per_school_year(cast, in_school):
    ParentMeetingFactory(pupil=cast.pupil, held_on=cast.year.starts_on, parents=[cast.parent_link])
    ParentMeetingFactory(pupil=cast.pupil, held_on=cast.year.ends_on, parents=[cast.parent_link])
    ParentMeetingFactory(pupil=cast.pupil, held_on=cast.last_year.ends_on, parents=[cast.parent_link])
    ParentMeetingFactory(pupil=cast.other_pupil, held_on=cast.year.starts_on, parents=[cast.other_parent_link])
    count = reviews.meetings_this_year(cast.pupil, TODAY)
    assert (count.held, count.expected, count.year) == (2, 3, cast.year) and not count.enough
    ParentMeetingFactory(pupil=cast.pupil, held_on=cast.year.starts_on + DAY, parents=[cast.parent_link])
    assert reviews.meetings_this_year(cast.pupil, TODAY).enough
    # Last school year had one.
    assert reviews.meetings_this_year(cast.pupil, cast.last_year.ends_on).held == 1


def test_meetings_cannot_be_counted_without_a_school_year(cast):
    with scope(school=[cast.other_school.pk]):
        count = reviews.meetings_this_year(cast.other_school_pupil, cast.other_year.ends_on + 400 * DAY)
    assert count.year is None and count.held == 0


# ----- review settings -----


def settings_update(user, **changes):
    school = School.objects.get(pk=cast_school_pk(user))
    arguments = {
        "cycle_months": 6,
        "scale": [{"value": 0, "label": "Not yet"}, {"value": 1, "label": "Partly"}, {"value": 2, "label": "Achieved"}],
        "met_ratings": [2],
        "complaints_procedure": "Speak to the SENCO first, then write to the head.",
        "complaints_url": "https://www.example.sch.uk/complaints",
        "expected_version": school.lock_version,
        **changes,
    }
    return review_settings.review_settings_update(actor=actor(user), school=school, **arguments)


def cast_school_pk(user):
    return Actor.for_user(user).school.pk


@pytest.mark.parametrize("who", ["senco", "head"])
def test_the_senco_and_head_change_the_review_settings(cast, in_school, who):
    school = settings_update(getattr(cast, who))
    school.refresh_from_db()
    assert school.review_cycle_months == 6 and school.met_ratings == [2]
    assert [step["label"] for step in school.review_scale] == ["Not yet", "Partly", "Achieved"]
    assert school.rating_label(1) == "Partly" and school.complaints_url.endswith("/complaints")
    event = AuditEvent.objects.get(action="schools.school.updated")
    assert event.data == {"part": "reviews"} and event.school == cast.school


def test_the_deputy_changes_the_review_settings(cast, in_school, deputy):
    settings_update(deputy)
    assert School.objects.get(pk=cast.school.pk).review_cycle_months == 6


@pytest.mark.parametrize("who", ["dsl", "teacher", "governor", "trust_lead"])
def test_others_cannot_change_the_review_settings(cast, in_school, who):
    with pytest.raises(PermissionDenied):
        settings_update(getattr(cast, who))
    assert School.objects.get(pk=cast.school.pk).review_cycle_months == 4


@pytest.mark.parametrize(
    "changes, message",
    [
        (
            {"scale": [{"value": 0, "label": "No"}, {"value": 1, "label": "Yes"}], "met_ratings": [1]},
            "at least 3 steps",
        ),
        (
            {"scale": [{"value": 1, "label": "A"}, {"value": 1, "label": "B"}, {"value": 2, "label": "C"}]},
            "1 is used more than once",
        ),
        ({"scale": [{"value": 0, "label": ""}, {"value": 1, "label": "B"}, {"value": 2, "label": "C"}]}, "a label"),
        ({"met_ratings": []}, "Choose at least one rating that counts as met."),
        ({"met_ratings": [5]}, "Only steps on the scale can count as met."),
        ({"cycle_months": 18}, "Choose how often plans are reviewed."),
    ],
)
def test_bad_review_settings_change_nothing(cast, in_school, changes, message):
    before = School.objects.filter(pk=cast.school.pk).values().get()
    with pytest.raises(ValidationError) as error:
        settings_update(cast.senco, **changes)
    assert message in " ".join(error.value.messages)
    assert School.objects.filter(pk=cast.school.pk).values().get() == before
    assert audit_count("schools.school.updated") == 0


def test_a_stale_settings_save_is_refused(cast, in_school):
    school = School.objects.get(pk=cast.school.pk)
    settings_update(cast.senco)
    before = School.objects.filter(pk=cast.school.pk).values().get()
    with pytest.raises(ValidationError) as error:
        settings_update(cast.head, cycle_months=12, expected_version=school.lock_version)
    assert error.value.code == "stale"
    assert School.objects.filter(pk=cast.school.pk).values().get() == before


# ----- a plan replaced while it is reviewed, and discarding -----


def test_a_review_of_a_plan_replaced_meanwhile_cannot_be_completed(cast, in_school, notified):
    version, review = ready_review(cast)
    with scopes_disabled():
        PlanVersion.objects.filter(pk=version.pk).update(status=PlanVersion.Status.SUPERSEDED)
    before = review_state(review)
    with pytest.raises(ValidationError) as error:
        complete(review, cast.senco)
    assert any("The plan has changed since this review was started" in message for message in error.value.messages)
    assert review_state(review) == before and notified == []


def test_a_review_in_progress_can_be_discarded_and_nothing_else_changes(cast, in_school):
    version, review = ready_review(cast)
    contribution = ParentContributionFactory(link=cast.parent_link, plan=version.plan)
    review.refresh_from_db()
    reviews.review_discard(actor=actor(cast.senco), review=review, expected_version=review.lock_version)
    with scopes_disabled():
        assert not Review.objects.filter(pk=review.pk).exists()
        assert not OutcomeRating.objects.filter(review_id=review.pk).exists()
        contribution.refresh_from_db()
        assert contribution.review_id is None  # the parents' views wait for the next review
        assert PlanVersion.objects.get(pk=version.pk).status == PlanVersion.Status.ACTIVE
    assert audit_count("plans.review.discarded") == 1
    # A new review can be started straight away.
    assert started_review(cast.pupil, cast.senco).pk != review.pk


def test_a_completed_or_stale_review_cannot_be_discarded(cast, in_school, notified):
    _, review = ready_review(cast)
    review.refresh_from_db()
    stale = review.lock_version - 1
    with pytest.raises(ValidationError):
        reviews.review_discard(actor=actor(cast.senco), review=review, expected_version=stale)
    done = complete(review, cast.senco)
    with pytest.raises(ValidationError):
        reviews.review_discard(actor=actor(cast.senco), review=done, expected_version=done.lock_version)
    with scopes_disabled():
        assert Review.objects.filter(pk=review.pk, status=Review.Status.COMPLETED).exists()
    assert audit_count("plans.review.discarded") == 0


@pytest.mark.parametrize("who", ["teacher", "head", "dsl", "parent"])
def test_only_the_senco_and_deputy_may_discard_a_review(cast, in_school, who):
    _, review = ready_review(cast)
    review.refresh_from_db()
    with pytest.raises(PermissionDenied):
        reviews.review_discard(actor=actor(getattr(cast, who)), review=review, expected_version=review.lock_version)
    with scopes_disabled():
        assert Review.objects.filter(pk=review.pk).exists()
