"""The SENCO's home page: reviews overdue and due, plans with no meeting this term, and parents' words.

Only those who reach every pupil for reviews (the SENCO and deputy) get the lists; each
list holds only their school's pupils, shows its total, at most ten rows and how many
more; the page runs the same queries whatever the number of rows.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from waymark.plans.models import ParentRequest, PlanVersion
from waymark.pupils.models import ParentLink
from waymark.schools.models import Term
from waymark.tests import factories as f
from waymark.tests.helpers import text_of

from .factories import shared_version
from .review_factories import (
    AgreementResponseFactory,
    ParentContributionFactory,
    ParentMeetingFactory,
    ParentRequestFactory,
    plan_in_force,
    started_review,
)

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
HOME = reverse("core:home")


def set_review_date(version, review_on):
    with scopes_disabled():
        PlanVersion.objects.filter(pk=version.pk).update(next_review_on=review_on)


@pytest.fixture
def term_now(cast):
    """A term of School A's current year that contains today, whatever today is."""
    with scopes_disabled():
        Term.objects.filter(academic_year__school=cast.school).delete()
        year = cast.year
        return Term.objects.create(
            academic_year=year,
            name="This term",
            starts_on=max(year.starts_on, TODAY - 20 * DAY),
            ends_on=min(year.ends_on, TODAY + 20 * DAY),
        )


@pytest.fixture
def board(cast, term_now):
    """``pupil``'s review is overdue, ``other_pupil``'s due in 3 days; the other school's is overdue too."""
    cast.overdue = plan_in_force(cast.pupil, by=cast.senco)
    set_review_date(cast.overdue, TODAY - 5 * DAY)
    cast.due = plan_in_force(cast.other_pupil, by=cast.teacher2)
    set_review_date(cast.due, TODAY + 3 * DAY)
    elsewhere = plan_in_force(cast.other_school_pupil, by=cast.other_senco)
    set_review_date(elsewhere, TODAY - 2 * DAY)
    # other_pupil's parents met the school this term; pupil's have not.
    ParentMeetingFactory(pupil=cast.other_pupil, held_on=TODAY, parents=[cast.other_parent_link])
    ParentMeetingFactory(pupil=cast.pupil, held_on=term_now.starts_on - DAY, parents=[cast.parent_link])

    plan = cast.overdue.plan
    ParentContributionFactory(link=cast.parent_link, plan=plan, worries="New worry")
    ParentContributionFactory(link=cast.co_parent_link, plan=plan, seen_at=timezone.now())
    ParentContributionFactory(link=cast.other_school_link, plan=elsewhere.plan)
    cast.shared = shared_version(cast.pupil)
    AgreementResponseFactory(version=cast.shared, link=cast.parent_link, agrees=False)
    AgreementResponseFactory(version=cast.shared, link=cast.co_parent_link, agrees=True)
    AgreementResponseFactory(
        version=cast.overdue, link=cast.co_parent_link, agrees=False, reply="Thank you", replied_at=timezone.now()
    )
    ParentRequestFactory(link=cast.co_parent_link, plan=plan, kind=ParentRequest.Kind.PAPER_COPY)
    ParentRequestFactory(link=cast.parent_link, plan=plan, resolved_at=timezone.now())
    return cast


def test_the_senco_sees_what_needs_doing(board, client_for):
    response = client_for(board.senco).get(HOME)
    page = text_of(response)
    content = response.content.decode()
    assert "Overdue reviews (1)" in page
    assert "Zephyrine Quartermaine" in page and "Overdue by 5 days" in page  # words, not colour alone
    assert 'govuk-tag--red">Overdue by 5 days' in content
    assert "Reviews due in the next 14 days (1)" in page and "Oswin Blackthorn" in page and "In 3 days" in page
    assert "Theo Teacher" in page  # the plan's owner
    assert "Plans with no meeting with parents this term (1)" in page
    assert "New views from parents (1)" in page and "views from Paula Parent" in page
    assert "Disagreements waiting for a reply (1)" in page
    assert f"Paula Parent disagrees with version {board.shared.number}" in page
    assert "Open requests from parents (1)" in page and "Cleo Coparent asked for a paper copy of the plan" in page
    # Nothing from the other school.
    assert "Marisol Featherstone" not in page
    # Each item leads to where the SENCO acts.
    assert reverse("plans:review-start", args=[board.pupil.public_id]) in content
    assert reverse("plans:parent-activity", kwargs={"public_id": board.pupil.public_id}) in content


def test_a_review_being_written_is_carried_on_from_the_list(board, client_for):
    review = started_review(board.pupil, board.senco)
    content = client_for(board.senco).get(HOME).content.decode()
    assert reverse("plans:review-edit", args=[review.public_id]) in content
    assert reverse("plans:review-start", args=[board.pupil.public_id]) not in content


def test_the_other_schools_senco_sees_only_their_school(board, client_for):
    page = text_of(client_for(board.other_senco).get(HOME))
    assert "Overdue reviews (1)" in page and "Marisol Featherstone" in page
    assert "Zephyrine Quartermaine" not in page and "Oswin Blackthorn" not in page
    assert "New views from parents (1)" in page


@pytest.mark.parametrize("who", ["dsl", "head", "teacher", "governor", "parent", "trust_lead"])
def test_only_those_who_run_reviews_get_the_lists(board, client_for, who):
    page = text_of(client_for(getattr(board, who)).get(HOME))
    assert "Overdue reviews" not in page and "New views from parents" not in page


def test_a_deputy_senco_gets_the_lists(board, client_for):
    with scopes_disabled():
        deputy = f.MembershipFactory(school=board.school, roles=["deputy_senco"]).user
    assert "Overdue reviews (1)" in text_of(client_for(deputy).get(HOME))


def test_without_a_term_today_the_meeting_list_says_why(board, client_for):
    with scopes_disabled():
        Term.objects.filter(academic_year__school=board.school).delete()
    page = text_of(client_for(board.senco).get(HOME))
    assert "No term has been set up for today's date" in page


def add_pupils(cast, count, *, start):
    """``count`` more pupils with an overdue plan in force and one of everything parents do."""
    with scopes_disabled():
        for index in range(start, start + count):
            pupil = f.PupilFactory(school=cast.school, legal_forename=f"Bulk{index:03d}", legal_surname="Pupil")
            link = f.ParentLinkFactory(pupil=pupil)
            version = plan_in_force(pupil)
            set_review_date(version, TODAY - (index % 9 + 1) * DAY)
            ParentContributionFactory(link=link, plan=version.plan)
            AgreementResponseFactory(version=version, link=link, agrees=False)
            ParentRequestFactory(link=link, plan=version.plan)
            soon = plan_in_force(f.PupilFactory(school=cast.school, legal_surname=f"Soon{index:03d}"))
            set_review_date(soon, TODAY + DAY)


def home_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME).status_code == 200
    return len(queries)


def test_the_home_page_runs_the_same_queries_for_few_or_many_rows(board, client_for):
    client = client_for(board.senco)
    add_pupils(board, 2, start=0)
    few = home_queries(client)
    add_pupils(board, 20, start=2)
    many = home_queries(client)
    assert few == many, (few, many)
    page = text_of(client.get(HOME))
    assert "Overdue reviews (23)" in page and "And 13 more overdue reviews." in page
    assert "Reviews due in the next 14 days (23)" in page and "And 13 more reviews due soon." in page
    assert "New views from parents (23)" in page and "Open requests from parents (23)" in page
    assert "Disagreements waiting for a reply (23)" in page
    assert page.count("And 13 more.") == 3


def test_a_pupil_who_has_left_is_not_listed(board, client_for):
    with scopes_disabled():
        type(board.pupil).objects.filter(pk=board.pupil.pk).update(date_left=TODAY - DAY)
    page = text_of(client_for(board.senco).get(HOME))
    assert "Overdue reviews (0)" in page and "No reviews are overdue." in page


def test_a_restricted_parents_words_still_reach_the_senco(board, client_for):
    ParentContributionFactory(
        link=board.restricted_link, plan=board.overdue.plan, given_via="paper", recorded_by=board.senco
    )
    assert board.restricted_link.status == ParentLink.Status.RESTRICTED
    page = text_of(client_for(board.senco).get(HOME))
    assert "New views from parents (2)" in page and "views from Piers Restricted" in page
