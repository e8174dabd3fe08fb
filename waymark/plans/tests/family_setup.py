"""Set-up the parents' tests share: a plan with parts parents must never see, a review, and views.

Rows are written directly (factories, no services), as in ``plans/tests/factories.py``.
Every word a parent must never read is distinctive, so a test can look for it anywhere:
on a page, in a PDF, in a review summary.
"""

import datetime
import uuid

from django.utils import timezone
from django_scopes import scopes_disabled

from waymark.core.models import Visibility
from waymark.plans.models import (
    ContributionChannel,
    OutcomeRating,
    ParentContribution,
    PlanSection,
    PlanVersion,
    PupilVoice,
    Review,
)
from waymark.plans.tests.factories import OutcomeFactory, ProvisionFactory, draft_version, freeze, published_version

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)

# Words only parts a parent may never read hold.
STAFF_ITEM = "Staff only: check in quietly after lunch."  # fill_version(staff_only=True)
RESTRICTED_ITEM = "Restricted: see the DSL before contacting home."  # fill_version(restricted=True)
STAFF_SECTION = "Quokka notes for staff eyes only"
STAFF_OUTCOME = "Wombat outcome kept for staff"
HIDDEN_VOICE = "Zebracorn secret I keep from home"
DRAFT_WORDS = "Narwhal idea still being drafted"
NEED_NAME = "Autistic spectrum disorder"
HIDDEN_PUPIL_VIEWS = "Armadillo views kept from parents"
FUNDING = "School SEN budget"
NEVER_FOR_PARENTS = (STAFF_ITEM, RESTRICTED_ITEM, STAFF_SECTION, STAFF_OUTCOME, HIDDEN_VOICE, DRAFT_WORDS, NEED_NAME)

# Words parents should read.
VISIBLE_VOICE = "I like the quiet room with the beanbags"
VOICE_QUESTION = "What helps you in class?"
STRENGTHS = "Draws well; remembers stories told out loud."
PUPIL_VIEWS = "I like reading with Mrs Patel now"
WHAT_WORKED = "Short daily reading sessions worked well"

# Each parent's own words.
PARENT_WORDS = "The bus ride to school is hard for her"
CO_PARENT_PRIVATE = "Pangolin worry only Cleo has shared"
CO_PARENT_SHARED = "Heron hopes the school shared with the family"
RESTRICTED_PARENT_WORDS = "Badger words from the restricted parent"


def _hide_parts(version):
    """Give a draft a staff-only section, a staff-only outcome, and the pupil's views: one kept from parents."""
    PlanSection.objects.filter(version=version, key="strengths").update(
        data={"strengths": STAFF_SECTION}, visibility=Visibility.STAFF
    )
    PlanSection.objects.filter(version=version, key="about_me").update(
        data={
            "liked_and_admired": "People say I am kind and I make them laugh.",
            "important_to_me": "My cat, football on Saturdays and my big sister.",
            "how_to_support_me": "Tell me one thing at a time and give me a moment to answer.",
        }
    )
    OutcomeFactory(version=version, text=STAFF_OUTCOME, visibility=Visibility.STAFF)
    given_at = timezone.now() - 3 * DAY
    PupilVoice.objects.create(
        version=version,
        style=PupilVoice.Style.OLDER,
        answers=[{"question": VOICE_QUESTION, "answer": VISIBLE_VOICE}],
        given_at=given_at,
    )
    PupilVoice.objects.create(
        version=version,
        style=PupilVoice.Style.OLDER,
        answers=[{"question": "Anything else?", "answer": HIDDEN_VOICE}],
        given_at=given_at,
        visibility=Visibility.STAFF,
    )


def family_plans(cast, *, outcomes=2, provisions=1, pupil=None):
    """Version 1 superseded, version 2 in force, version 3 shared for agreement, version 4 an unshared draft.

    Versions 2 and 3 hold a staff-only item, section and outcome, a restricted item and a
    pupil's view kept from parents; version 4 holds words only staff may see (a draft).
    """
    pupil = pupil or cast.pupil
    with scopes_disabled():
        first = published_version(pupil, by=cast.senco)
        second = draft_version(
            pupil, owner=cast.senco, outcomes=outcomes, provisions=provisions, staff_only=True, restricted=True
        )
        ProvisionFactory(
            version=second,
            what="Small-group social skills",
            sessions_per_week=3,
            minutes_per_session=20,
            group_size=4,
            delivered_by_role="Teaching assistant",
        )
        _hide_parts(second)
        second = freeze(second, PlanVersion.Status.ACTIVE, by=cast.senco)
        shared = draft_version(pupil, owner=cast.senco, copy_from=second)
        shared = freeze(shared, PlanVersion.Status.SHARED, by=cast.senco)
        draft = draft_version(pupil, owner=cast.senco, fill=False)
        OutcomeFactory(version=draft, text=DRAFT_WORDS)
        for version in (first, second, shared, draft):
            version.refresh_from_db()
    return {"superseded": first, "active": second, "shared": shared, "draft": draft}


def completed_review(cast, version, *, hide_pupil_views=False, held_on=None, ratings=True):
    """A completed review of ``version``: one visible outcome rated, and the staff-only one too."""
    with scopes_disabled():
        review = Review.objects.create(
            plan=version.plan,
            version=version,
            status=Review.Status.COMPLETED,
            held_on=held_on or TODAY - 7 * DAY,
            what_worked=WHAT_WORKED,
            what_did_not="Homework club did not suit her",
            decisions=[Review.Decision.CONTINUE],
            next_review_on=TODAY + 90 * DAY,
            pupil_took_part=True,
            pupil_views=HIDDEN_PUPIL_VIEWS if hide_pupil_views else PUPIL_VIEWS,
            pupil_views_hidden_from_parents=hide_pupil_views,
            completed_at=timezone.now(),
            created_by=cast.senco,
            completed_by=cast.senco,
        )
        if ratings:
            outcomes = next(s for s in version.snapshot["sections"] if s["key"] == "outcomes")["items"]
            for order, item in enumerate(outcomes):
                OutcomeRating.objects.create(
                    review=review,
                    outcome_id=uuid.UUID(item["id"]),
                    outcome_text=item["text"],
                    order=order,
                    rating=2 if item["visibility"] == Visibility.EVERYONE else -2,
                    met=True,
                )
    return review


def contribution(link, plan, text, *, shared=False, review=None, given_via=ContributionChannel.ONLINE, by=None):
    with scopes_disabled():
        return ParentContribution.objects.create(
            link=link,
            plan=plan,
            going_well=text,
            shared_with_family=shared,
            review=review,
            given_via=given_via,
            recorded_by=by,
        )


def family_views(cast, plan, *, review=None):
    """Views from each of the pupil's parents: the parent's own, the co-parent's private and shared
    ones, and a restricted parent's (shared before the restriction)."""
    return {
        "parent": contribution(cast.parent_link, plan, PARENT_WORDS, review=review),
        "co_private": contribution(cast.co_parent_link, plan, CO_PARENT_PRIVATE, review=review),
        "co_shared": contribution(cast.co_parent_link, plan, CO_PARENT_SHARED, shared=True, review=review),
        "restricted": contribution(cast.restricted_link, plan, RESTRICTED_PARENT_WORDS, shared=True, review=review),
    }
