"""Review pages in a real browser: axe-core's WCAG 2.2 AA checks on writing, completing and reading a
review, recording a meeting, the review settings, the SENCO's home page, and the staff pages about
parents' words (the parents page, recording views or a response on a parent's behalf, replying)."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from waymark.plans.models import AgreementResponse, ParentRequest, PlanVersion
from waymark.plans.tests.family_setup import completed_review, family_plans, family_views
from waymark.plans.tests.review_factories import ParentMeetingFactory, plan_in_force, started_review
from waymark.pupils.models import ParentLink
from waymark.schools.models import Term
from waymark.tests.browser.conftest import assert_reflows, axe_check, sign_in, submit_with_errors

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
DISAGREEMENT = "Kestrel: there is not enough help with reading in the plan."


@pytest.fixture
def school_year(cast):
    """What a SENCO's term looks like for School A.

    ``pupil``: version 2 in force and overdue for review, with a completed review of it and a
    review being written; version 3 shared for agreement, which ``parent`` disagreed with
    (no reply yet); each parent's views, not yet seen; ``parent`` asked for a meeting and needs
    an interpreter. ``other_pupil``: a plan in force due for review in 3 days, whose parents
    met the school this term.
    """
    plans = family_plans(cast)
    completed = completed_review(cast, plans["active"], held_on=TODAY - 30 * DAY)
    family_views(cast, plans["active"].plan)
    review = started_review(cast.pupil, cast.senco)
    due = plan_in_force(cast.other_pupil, by=cast.teacher2)
    with scopes_disabled():
        PlanVersion.objects.filter(pk=plans["active"].pk).update(next_review_on=TODAY - 5 * DAY)
        PlanVersion.objects.filter(pk=due.pk).update(next_review_on=TODAY + 3 * DAY)
        ParentLink.objects.filter(pk=cast.parent_link.pk).update(
            language="Polish", needs_interpreter=True, preferred_format=ParentLink.Format.LARGE_PRINT
        )
        disagreement = AgreementResponse.objects.create(
            version=plans["shared"], link=cast.parent_link, agrees=False, comment=DISAGREEMENT
        )
        ParentRequest.objects.create(
            link=cast.parent_link, plan=plans["active"].plan, kind=ParentRequest.Kind.MEETING, message="Tuesdays"
        )
        Term.objects.filter(academic_year__school=cast.school).delete()
        Term.objects.create(
            academic_year=cast.year,
            name="This term",
            starts_on=max(cast.year.starts_on, TODAY - 20 * DAY),
            ends_on=min(cast.year.ends_on, TODAY + 20 * DAY),
        )
    ParentMeetingFactory(pupil=cast.other_pupil, held_on=TODAY, parents=[cast.other_parent_link])
    return SimpleNamespace(**plans, completed=completed, review=review, due=due, disagreement=disagreement)


def complete_an_empty_review(page):
    submit_with_errors("Complete the review", "Say who took part in the review.")(page)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Rate outcome 1.")
    expect(summary).to_contain_text("Choose at least one decision about what happens next.")
    # Each problem links to its field.
    expect(summary.locator('a[href="#id_participants"]')).to_have_count(1)


def give_a_wrong_web_address(page):
    page.get_by_label("Link to your complaints policy").fill("not a web address")
    submit_with_errors("Save review settings", "Enter a web address")(page)


def pupil_path(name):
    return lambda cast, data: reverse(name, args=[cast.pupil.public_id])


def link_path(name, link):
    return lambda cast, data: reverse(name, args=[getattr(cast, link).public_id])


# name: (the page's address; what to do there first)
REVIEW_PAGES = {
    "senco-home-dashboard": (lambda cast, data: reverse("core:home"), None),
    "plan-page-with-reviews": (pupil_path("plans:plan-detail"), None),
    "version-page-with-responses": (
        lambda cast, data: reverse("plans:version-detail", args=[data.shared.public_id]),
        None,
    ),
    "review-edit": (lambda cast, data: reverse("plans:review-edit", args=[data.review.public_id]), None),
    "review-edit-empty-completion": (
        lambda cast, data: reverse("plans:review-edit", args=[data.review.public_id]),
        complete_an_empty_review,
    ),
    "review-detail-completed": (
        lambda cast, data: reverse("plans:review-detail", args=[data.completed.public_id]),
        None,
    ),
    "review-detail-in-progress": (
        lambda cast, data: reverse("plans:review-detail", args=[data.review.public_id]),
        None,
    ),
    "meeting-form": (pupil_path("plans:meeting-create"), None),
    "meeting-form-errors": (
        pupil_path("plans:meeting-create"),
        submit_with_errors("Record the meeting", "Select what kind of meeting it was"),
    ),
    "review-settings": (lambda cast, data: reverse("plans:review-settings"), None),
    "review-settings-errors": (lambda cast, data: reverse("plans:review-settings"), give_a_wrong_web_address),
    "parent-activity": (pupil_path("plans:parent-activity"), None),
    "record-views": (link_path("plans:parent-views-record", "co_parent_link"), None),
    "record-views-errors": (
        link_path("plans:parent-views-record", "co_parent_link"),
        submit_with_errors("Save their views", "Select how they gave it"),
    ),
    "record-response": (link_path("plans:parent-response-record", "co_parent_link"), None),
    "record-response-errors": (
        link_path("plans:parent-response-record", "co_parent_link"),
        submit_with_errors("Save their response", "Select whether they agree with the plan"),
    ),
    "reply": (lambda cast, data: reverse("plans:response-reply", args=[data.disagreement.public_id]), None),
    "reply-errors": (
        lambda cast, data: reverse("plans:response-reply", args=[data.disagreement.public_id]),
        submit_with_errors("Send reply", "Enter your reply"),
    ),
}


@pytest.mark.parametrize("name", REVIEW_PAGES)
def test_review_page_passes_axe(page, live_server, cast, school_year, name):
    build_path, then = REVIEW_PAGES[name]
    sign_in(page, live_server, cast.senco)
    response = page.goto(f"{live_server.url}{build_path(cast, school_year)}")
    assert response.status == 200
    if then:
        then(page)
    axe_check(page)
    assert_reflows(page)


def test_senco_home_lists_what_needs_doing(page, live_server, cast, school_year):
    """The dashboard the axe check reads holds a row in every list, so every table is checked."""
    sign_in(page, live_server, cast.senco)
    main = page.locator("main")
    expect(main.get_by_role("heading", name="Overdue reviews (1)")).to_be_visible()
    expect(main.get_by_role("heading", name=re.compile(r"^Reviews due in the next \d+ days \(1\)$"))).to_be_visible()
    expect(main.get_by_role("heading", name="Plans with no meeting with parents this term (1)")).to_be_visible()
    expect(main).to_contain_text("Paula Parent disagrees with version 3")
    expect(main).to_contain_text("Paula Parent asked for a meeting")
    # The SENCO's home page also fits a phone.
    assert_reflows(page)
