"""Factories for the review cycle's tests: a plan in force with chosen outcomes, reviews, meetings,
and what parents said.

Rows are written directly (test set-up, no audit), except ``started_review``, which uses
the real ``review_start`` so ratings come from the frozen snapshot as in production.
"""

import datetime

import factory
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.plans.models import (
    AgreementResponse,
    ParentContribution,
    ParentMeeting,
    ParentRequest,
    PlanVersion,
)
from waymark.plans.reviews import review_start
from waymark.tests.factories import ScopedFactory

from .factories import OutcomeFactory, draft_version, freeze

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
# Words only the staff-only and restricted outcomes hold, to look for on pages.
STAFF_OUTCOME = "Staff only: settles after lunch without adult help."
RESTRICTED_OUTCOME = "Restricted: keeps to the agreed contact plan at home time."


def plan_in_force(pupil, *, outcomes=3, staff_outcome=False, restricted_outcome=False, published_days_ago=30, by=None):
    """An ACTIVE version of ``pupil``'s plan published ``published_days_ago`` days ago.

    Its outcomes are everyone's, plus one staff-only and one restricted outcome if asked.
    """
    with scopes_disabled():
        version = draft_version(pupil, owner=by, outcomes=outcomes)
        if staff_outcome:
            OutcomeFactory(
                version=version, text="Staff only: settles after lunch without adult help.", visibility="staff"
            )
        if restricted_outcome:
            OutcomeFactory(
                version=version,
                text="Restricted: keeps to the agreed contact plan at home time.",
                visibility="restricted",
            )
        published_at = timezone.now() - published_days_ago * DAY
        return freeze(version, PlanVersion.Status.ACTIVE, by=by, at=published_at)


def started_review(pupil, by):
    """A review of ``pupil``'s plan in force, started by ``by`` through the real service."""
    with scope(school=[pupil.school_id]):
        return review_start(actor=Actor.for_user(by), pupil=pupil)


class ParentMeetingFactory(ScopedFactory):
    class Meta:
        model = ParentMeeting
        skip_postgeneration_save = True

    held_on = factory.LazyFunction(lambda: TODAY)
    kind = ParentMeeting.Kind.PLANNING
    mode = ParentMeeting.Mode.IN_PERSON

    @factory.post_generation
    def parents(self, create, extracted, **kwargs):
        if create and extracted:
            with scopes_disabled():
                self.parents.set(extracted)


class ParentContributionFactory(ScopedFactory):
    class Meta:
        model = ParentContribution

    going_well = "Reading together most evenings; she chooses the book."
    worries = "Homework takes a very long time and ends in tears."
    would_like = "Shorter homework, and a quiet place to start it at school."


class AgreementResponseFactory(ScopedFactory):
    class Meta:
        model = AgreementResponse

    agrees = False
    comment = "The plan does not mention the help she needs at lunchtime."


class ParentRequestFactory(ScopedFactory):
    class Meta:
        model = ParentRequest

    kind = ParentRequest.Kind.MEETING
    message = "Could we meet before the end of term?"
