"""Parents' pages: only their own child, through their own active link; only what everyone may see.

The cast's ``parent`` and ``co_parent`` have active links to ``pupil``; ``parent2``'s link
is restricted; ``other_parent`` is a parent of another child. Everyone but the two active
parents gets a 404 on every parent page, staff included: staff have their own pages.
"""

import datetime
import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from waymark.core.models import AuditEvent
from waymark.plans.models import AgreementResponse, ParentContribution, ParentRequest, PlanVersion, Review
from waymark.plans.tests.factories import draft_version, freeze
from waymark.plans.tests.family_setup import (
    CO_PARENT_PRIVATE,
    CO_PARENT_SHARED,
    FUNDING,
    HIDDEN_PUPIL_VIEWS,
    NEED_NAME,
    NEVER_FOR_PARENTS,
    PARENT_WORDS,
    PUPIL_VIEWS,
    RESTRICTED_PARENT_WORDS,
    STAFF_ITEM,
    VISIBLE_VOICE,
    VOICE_QUESTION,
    WHAT_WORKED,
    completed_review,
    family_plans,
    family_views,
)
from waymark.plans.tests.test_versions import text_of
from waymark.tests.helpers import cast_mismatches, error_summary
from waymark.tests.pdf import needs_poppler, pdf_text

PARENTS = {"parent", "co_parent"}


@pytest.fixture
def plans(cast):
    return family_plans(cast)


@pytest.fixture
def review(cast, plans):
    return completed_review(cast, plans["active"])


@pytest.fixture
def views(cast, plans, review):
    return family_views(cast, plans["active"].plan, review=review)


# ----- who may open what -----

PAGES = {
    "family-child": lambda c, p, r: reverse("plans:family-child", args=[c.pupil.public_id]),
    "family-views-add": lambda c, p, r: reverse("plans:family-views-add", args=[c.pupil.public_id]),
    "family-request": lambda c, p, r: reverse("plans:family-request", args=[c.pupil.public_id]),
    "family-version-active": lambda c, p, r: reverse("plans:family-version", args=[p["active"].public_id]),
    "family-version-superseded": lambda c, p, r: reverse("plans:family-version", args=[p["superseded"].public_id]),
    "family-version-shared": lambda c, p, r: reverse("plans:family-version", args=[p["shared"].public_id]),
    "family-respond": lambda c, p, r: reverse("plans:family-respond", args=[p["shared"].public_id]),
    "family-review": lambda c, p, r: reverse("plans:family-review", args=[r.public_id]),
}


@pytest.mark.parametrize("page", PAGES)
def test_only_the_childs_active_parents_may_open_each_page(cast, plans, review, client_for, page):
    url = PAGES[page](cast, plans, review)
    wrong = cast_mismatches(cast, client_for, url, PARENTS)
    assert not wrong, f"{page} ({url}):\n" + "\n".join(wrong)


def test_the_pdf_is_for_the_childs_active_parents_only(cast, plans, client_for):
    url = reverse("plans:family-version-pdf", args=[plans["active"].public_id])
    for name in ("parent2", "other_parent", "senco", "specialist", "other_senco"):
        assert client_for(getattr(cast, name)).get(url).status_code == 404, name


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_sign_in(cast, plans, review, client_for, page):
    response = client_for(None).get(PAGES[page](cast, plans, review))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_unshared_draft_is_missing_even_for_the_parent(cast, plans, client_for):
    client = client_for(cast.parent)
    for name in ("family-version", "family-version-pdf", "family-respond"):
        assert client.get(reverse(f"plans:{name}", args=[plans["draft"].public_id])).status_code == 404, name
    page = client.get(reverse("plans:family-child", args=[cast.pupil.public_id])).content.decode()
    assert reverse("plans:family-version", args=[plans["draft"].public_id]) not in page


def test_another_childs_ids_are_missing(cast, plans, client_for):
    other = family_plans(cast, pupil=cast.other_pupil)
    client = client_for(cast.parent)
    assert client.get(reverse("plans:family-child", args=[cast.other_pupil.public_id])).status_code == 404
    assert client.get(reverse("plans:family-version", args=[other["active"].public_id])).status_code == 404
    # A version's id is not a child's id, and the other way round.
    assert client.get(reverse("plans:family-child", args=[plans["active"].public_id])).status_code == 404
    assert client.get(reverse("plans:family-version", args=[cast.pupil.public_id])).status_code == 404


def test_a_restricted_link_loses_every_page_at_once(cast, plans, client_for):
    client = client_for(cast.parent)
    url = reverse("plans:family-version", args=[plans["active"].public_id])
    assert client.get(url).status_code == 200
    with scopes_disabled():
        cast.parent_link.status = "suspended"
        cast.parent_link.status_reason = "Safeguarding review"
        cast.parent_link.save()
    assert client.get(url).status_code == 404
    assert client.get(reverse("plans:family-child", args=[cast.pupil.public_id])).status_code == 404


def test_pages_only_answer_their_methods(cast, plans, client_for):
    client = client_for(cast.parent)
    assert client.post(reverse("plans:family-child", args=[cast.pupil.public_id])).status_code == 405
    assert client.post(reverse("plans:family-version", args=[plans["active"].public_id])).status_code == 405
    assert client.post(reverse("plans:family-version-pdf", args=[plans["active"].public_id])).status_code == 405


# ----- what parents read -----


def _everything_a_parent_sees(cast, plans, review, client):
    """The text of every parent page for ``cast.pupil``, joined."""
    urls = [PAGES[name](cast, plans, review) for name in PAGES]
    return " ".join(text_of(client.get(url)) for url in urls)


def test_no_parent_page_shows_staff_only_or_restricted_parts(cast, plans, review, views, client_for):
    for user in (cast.parent, cast.co_parent):
        text = _everything_a_parent_sees(cast, plans, review, client_for(user))
        for words in (*NEVER_FOR_PARENTS, FUNDING, cast.pupil.upn):
            assert words not in text, words


def test_the_version_page_reads_in_plain_words(cast, plans, client_for):
    response = client_for(cast.parent).get(reverse("plans:family-version", args=[plans["active"].public_id]))
    page = text_of(response)
    sections = plans["active"].snapshot["sections"]
    outcome = next(section for section in sections if section["key"] == "outcomes")["items"][0]
    day = datetime.date.fromisoformat(outcome["by_date"])
    for words in (
        "About Zephyrine",
        "What Zephyrine is working towards",
        "The support Zephyrine gets",
        "What every adult does in class",
        "Who does what",
        "When the plan will be reviewed",
        f"by {day.day} {day:%B} {day.year}",
        "How we'll know",
        "3 times a week, 20 minutes, in a small group of 4, with a teaching assistant",
        "3 times a week, 10 minutes, one to one, with a teaching assistant",
        VOICE_QUESTION,
        VISIBLE_VOICE,
        "Tell me one thing at a time",
        "Read together for ten minutes most evenings.",
    ):
        assert words in page, words
    assert AuditEvent.objects.filter(
        action="plans.plan.viewed_by_parent", target_id=str(plans["active"].public_id), actor=cast.parent
    ).exists()


def test_each_part_of_answered_fields_shows_its_labels_and_values():
    plan = {
        "name": "Zephyrine",
        "responsibilities": [{"key": "parents", "label": "You and your family will", "value": "Read\ntogether"}],
        "review": [{"key": "next_review_on", "label": "Next review", "value": "3 March 2031"}],
        "ehc_plan": [{"key": "issued_on", "label": "Issued", "value": "1 May 2029"}],
    }
    page = render_to_string("plans/includes/family_plan.html", {"plan": plan})
    for words in (
        "Who does what",
        "You and your family will</dt>",
        "Read<br>together",
        "When the plan will be reviewed",
        "3 March 2031",
        "Education, health and care plan",
        "Issued</dt>",
        "1 May 2029",
    ):
        assert words in page, words


def test_each_version_says_where_it_stands(cast, plans, client_for):
    client = client_for(cast.parent)
    shared = text_of(client.get(reverse("plans:family-version", args=[plans["shared"].public_id])))
    assert "This is a new plan" in shared and "Tell us if you agree" in shared
    older = text_of(client.get(reverse("plans:family-version", args=[plans["superseded"].public_id])))
    assert "This is an older plan" in older and "Tell us if you agree" not in older


@needs_poppler
def test_the_pdf_is_the_same_plain_words_and_nothing_hidden(cast, plans, client_for):
    response = client_for(cast.parent).get(reverse("plans:family-version-pdf", args=[plans["active"].public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    for words in ("What Zephyrine is working towards", VISIBLE_VOICE, "in a small group of 4, with a teaching"):
        assert words in text, words
    for words in (*NEVER_FOR_PARENTS, FUNDING, cast.pupil.upn):
        assert words not in text, words
    assert AuditEvent.objects.filter(
        action="plans.version.downloaded", target_id=str(plans["active"].public_id), actor=cast.parent
    ).exists()


@needs_poppler
def test_staff_still_get_the_full_pdf(cast, plans, client_for):
    response = client_for(cast.senco).get(reverse("plans:version-pdf", args=[plans["active"].public_id]))
    text = pdf_text(response.content)
    assert NEED_NAME in text and STAFF_ITEM in text


@needs_poppler
def test_staff_print_the_parents_copy_for_a_paper_copy_request(cast, plans, client_for):
    """A parent who asked for paper gets what they would see online, never the staff PDF."""
    url = reverse("plans:version-parent-pdf", args=[plans["active"].public_id])
    response = client_for(cast.senco).get(url)
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "What Zephyrine is working towards" in text and VISIBLE_VOICE in text
    for words in (*NEVER_FOR_PARENTS, FUNDING, cast.pupil.upn):
        assert words not in text, words
    assert AuditEvent.objects.filter(
        action="plans.version.downloaded", target_id=str(plans["active"].public_id), actor=cast.senco
    ).exists()


@pytest.mark.parametrize("who", ["senco", "teacher", "parent", "other_senco", "governor"])
def test_the_parents_copy_is_a_staff_page_and_never_of_a_draft(cast, plans, client_for, who):
    expected = 200 if who in {"senco", "teacher"} else 404
    assert (
        client_for(getattr(cast, who))
        .get(reverse("plans:version-parent-pdf", args=[plans["active"].public_id]))
        .status_code
        == expected
    )
    draft_url = reverse("plans:version-parent-pdf", args=[plans["draft"].public_id])
    assert client_for(cast.senco).get(draft_url).status_code == 404


def test_the_review_summary(cast, plans, review, views, client_for):
    page = text_of(client_for(cast.parent).get(reverse("plans:family-review", args=[review.public_id])))
    for words in (WHAT_WORKED, PUPIL_VIEWS, "Much more than expected", "Continue the plan as it is", PARENT_WORDS):
        assert words in page, words
    # Only outcomes everyone may see are rated for parents.
    assert "Much less than expected" not in page
    assert AuditEvent.objects.filter(action="plans.review.viewed", target_id=str(review.public_id)).exists()


def test_pupil_views_kept_from_parents_stay_hidden(cast, plans, client_for):
    hidden = completed_review(cast, plans["active"], hide_pupil_views=True)
    page = text_of(client_for(cast.parent).get(reverse("plans:family-review", args=[hidden.public_id])))
    assert HIDDEN_PUPIL_VIEWS not in page


def test_a_draft_review_is_missing(cast, plans, client_for):
    review = completed_review(cast, plans["active"])
    with scopes_disabled():
        review.status = "draft"
        review.save()
    assert client_for(cast.parent).get(reverse("plans:family-review", args=[review.public_id])).status_code == 404


def test_one_parent_never_sees_the_others_views_unless_shared(cast, plans, review, views, client_for):
    for name in ("family-child", "family-review"):
        url = PAGES[name](cast, plans, review)
        parent_page = text_of(client_for(cast.parent).get(url))
        co_parent_page = text_of(client_for(cast.co_parent).get(url))
        assert PARENT_WORDS in parent_page
        assert CO_PARENT_SHARED in parent_page
        assert CO_PARENT_PRIVATE not in parent_page
        # A restricted parent's views never reach the family, shared or not.
        assert RESTRICTED_PARENT_WORDS not in parent_page
        assert CO_PARENT_PRIVATE in co_parent_page and CO_PARENT_SHARED in co_parent_page
        assert PARENT_WORDS not in co_parent_page


def test_the_childs_page(cast, plans, review, client_for):
    with scopes_disabled():
        cast.school.complaints_procedure = "Write to the chair of governors at the school address."
        cast.school.complaints_url = "https://example.test/complaints"
        cast.school.save()
        cast.parent_link.language = "Polish"
        cast.parent_link.needs_interpreter = True
        cast.parent_link.preferred_format = "large_print"
        cast.parent_link.save()
    response = client_for(cast.parent).get(reverse("plans:family-child", args=[cast.pupil.public_id]))
    page = text_of(response)
    body = response.content.decode()
    next_review = plans["active"].next_review_on
    for words in (
        "Zephyrine's support plan",
        "Ashdown Academy",
        "A new plan is waiting for you to agree",
        f"The next review is on {next_review.day} {next_review:%B} {next_review.year}",
        "Add your views",
        "Ask for a meeting",
        "Ask for a paper copy of the plan",
        "Write to the chair of governors at the school address.",
        "Polish",
        "You would like an interpreter",
        "Large print",
        "Sam Senco looks after Zephyrine's plan",
    ):
        assert words in page, words
    for version in ("active", "shared", "superseded"):
        assert reverse("plans:family-version", args=[plans[version].public_id]) in body, version
    assert reverse("plans:family-review", args=[review.public_id]) in body
    assert "https://example.test/complaints" in body


def test_the_home_page_lists_the_children_with_what_to_do(cast, plans, client_for):
    page = client_for(cast.parent).get(reverse("core:home"))
    text = text_of(page)
    assert "A new plan is waiting for you to agree" in text
    assert reverse("plans:family-child", args=[cast.pupil.public_id]) in page.content.decode()
    with scopes_disabled():
        AgreementResponse.objects.create(version=plans["shared"], link=cast.parent_link, agrees=True)
    text = text_of(client_for(cast.parent).get(reverse("core:home")))
    review_on = plans["active"].next_review_on
    assert f"Next review on {review_on.day} {review_on:%B} {review_on.year} – add your views" in text
    # The other parent still has to answer for themselves.
    assert "A new plan is waiting for you to agree" in text_of(client_for(cast.co_parent).get(reverse("core:home")))
    # A restricted parent sees no child at all.
    assert "Zephyrine" not in text_of(client_for(cast.parent2).get(reverse("core:home")))


# ----- what parents do -----


def test_adding_views(cast, plans, client_for):
    client = client_for(cast.parent)
    url = reverse("plans:family-views-add", args=[cast.pupil.public_id])
    response = client.post(url, {"going_well": "", "worries": "  ", "would_like": ""})
    assert response.status_code == 200
    assert "Answer at least one question" in error_summary(response)
    assert not ParentContribution.objects.exists()
    response = client.post(url, {"going_well": "She reads to her brother", "worries": "", "would_like": ""})
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:family-child", args=[cast.pupil.public_id])
    with scopes_disabled():
        contribution = ParentContribution.objects.get()
    assert contribution.link == cast.parent_link and contribution.given_via == "online"
    assert contribution.recorded_by is None and contribution.review is None
    assert contribution.plan == plans["active"].plan


def test_agreeing_or_disagreeing(cast, plans, client_for):
    client = client_for(cast.parent)
    url = reverse("plans:family-respond", args=[plans["shared"].public_id])
    version_id = str(plans["shared"].public_id)
    response = client.post(url, {"version": version_id, "agrees": "no", "comment": ""})
    assert "Tell us what you do not agree with" in error_summary(response)
    assert not AgreementResponse.objects.exists()
    response = client.post(url, {"version": version_id, "agrees": "no", "comment": "Too few reading sessions"})
    assert response.status_code == 302 and response["Location"] == url
    with scopes_disabled():
        saved = AgreementResponse.objects.get()
    assert (saved.version, saved.link, saved.agrees, saved.given_via) == (
        plans["shared"],
        cast.parent_link,
        False,
        "online",
    )
    page = text_of(client.get(url))
    assert "Your disagreement stays on record" in page
    assert "The school has not replied yet" in page
    assert "If you are unhappy" in page and "Ask for a meeting" in page
    # A second answer is refused clearly and changes nothing.
    response = client.post(url, {"version": version_id, "agrees": "yes", "comment": ""})
    assert "already recorded" in error_summary(response)
    with scopes_disabled():
        assert AgreementResponse.objects.get().agrees is False
    # The school's reply reaches the parent.
    with scopes_disabled():
        AgreementResponse.objects.filter(pk=saved.pk).update(reply="We will add a fourth session.")
    assert "We will add a fourth session." in text_of(client.get(url))


def test_a_response_to_a_version_since_replaced_changes_nothing(cast, plans, client_for):
    client = client_for(cast.parent)
    url = reverse("plans:family-respond", args=[plans["shared"].public_id])
    assert client.get(url).status_code == 200
    # While the page was open, the school shared a new version.
    with scopes_disabled():
        plans["draft"].delete()
        newer = freeze(draft_version(cast.pupil, copy_from=plans["shared"]), PlanVersion.Status.SHARED)
    response = client.post(url, {"version": str(plans["shared"].public_id), "agrees": "yes", "comment": ""})
    assert response.status_code == 200
    assert "This plan has changed since you opened the page" in error_summary(response)
    assert not AgreementResponse.objects.exists()
    # The form carries the version: one opened on another version is refused the same way.
    response = client.post(
        reverse("plans:family-respond", args=[newer.public_id]),
        {"version": str(plans["shared"].public_id), "agrees": "yes", "comment": ""},
    )
    assert "This plan has changed since you opened the page" in error_summary(response)
    assert not AgreementResponse.objects.exists()


def test_asking_for_a_meeting_or_a_paper_copy(cast, plans, client_for):
    client = client_for(cast.parent)
    url = reverse("plans:family-request", args=[cast.pupil.public_id])
    # "Ask for a paper copy" arrives with that choice made.
    assert re.search(r'value="paper_copy"[^>]*checked', client.get(url + "?kind=paper_copy").content.decode())
    assert "Select what you would like" in error_summary(client.post(url, {"kind": "", "message": ""}))
    response = client.post(url, {"kind": "meeting", "message": "After 3pm please"})
    assert response.status_code == 302
    response = client.post(url, {"kind": "meeting", "message": "Again"})
    assert "You already asked for this" in error_summary(response)
    with scopes_disabled():
        assert list(ParentRequest.objects.values_list("kind", "message")) == [("meeting", "After 3pm please")]


# ----- a fixed number of queries -----


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_parent_pages_run_the_same_queries_whatever_the_size(cast, client_for):
    counts = {}
    for size in (2, 12):
        with scopes_disabled():
            ParentContribution.objects.all().delete()
            AgreementResponse.objects.all().delete()
            ParentRequest.objects.all().delete()
            Review.objects.all().delete()
            PlanVersion.objects.all().delete()
        plans = family_plans(cast, outcomes=size, provisions=size)
        reviews = [completed_review(cast, plans["active"]) for _ in range(size)]
        family_views(cast, plans["active"].plan, review=reviews[0])
        for _ in range(size):
            family_views(cast, plans["active"].plan)
        with scopes_disabled():
            AgreementResponse.objects.create(
                version=plans["shared"], link=cast.parent_link, agrees=False, comment="No", reply="Let us meet"
            )
            for kind in ("meeting", "paper_copy")[: min(size, 2)]:
                ParentRequest.objects.create(link=cast.parent_link, plan=plans["active"].plan, kind=kind)
        client = client_for(cast.parent)
        counts[size] = [
            _queries(client, reverse("plans:family-child", args=[cast.pupil.public_id])),
            _queries(client, reverse("plans:family-version", args=[plans["active"].public_id])),
            _queries(client, reverse("plans:family-review", args=[reviews[0].public_id])),
            _queries(client, reverse("core:home")),
            _queries(client, reverse("plans:family-respond", args=[plans["shared"].public_id])),
            _queries(client, reverse("plans:family-request", args=[cast.pupil.public_id])),
            _queries(client, reverse("plans:family-views-add", args=[cast.pupil.public_id])),
        ]
    assert counts[2] == counts[12], counts


def test_a_child_without_a_plan(cast, client_for):
    client = client_for(cast.other_parent)
    page = text_of(client.get(reverse("plans:family-child", args=[cast.other_pupil.public_id])))
    assert "Ashdown Academy has not shared a plan for Oswin with you yet." in page
    assert "Add your views" not in page
    response = client.post(
        reverse("plans:family-views-add", args=[cast.other_pupil.public_id]),
        {"going_well": "Fine", "worries": "", "would_like": ""},
    )
    assert "has not started a plan" in error_summary(response)
    assert not ParentContribution.objects.exists()
    assert "has not shared a plan with you yet" in text_of(client.get(reverse("core:home")))
