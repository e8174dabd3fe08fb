"""Parents and carers in a real browser: accepting an invitation, reading the plan, adding views and
disagreeing with a shared draft by keyboard alone, then reading the school's reply; axe-core's WCAG 2.2
AA checks on every parent page and on the school's pages for inviting them; and every one of those
pages reflowing at 320 CSS pixels."""

import re
from types import SimpleNamespace

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from waymark.core.actor import Actor
from waymark.plans.models import AgreementResponse, ParentContribution
from waymark.plans.tests.family_setup import (
    CO_PARENT_PRIVATE,
    CO_PARENT_SHARED,
    NEVER_FOR_PARENTS,
    PARENT_WORDS,
    PUPIL_VIEWS,
    VISIBLE_VOICE,
    completed_review,
    family_plans,
    family_views,
)
from waymark.pupils import invitations
from waymark.pupils.models import ParentLink
from waymark.schools.models import School
from waymark.tests import factories as f
from waymark.tests.browser.conftest import assert_reflows, axe_check, sign_in, submit_with_errors
from waymark.tests.browser.test_plans import activate, tab_to, type_into

NEW_PARENT = "Nia Newparent"
NEW_PARENT_EMAIL = "nia.newparent@example.test"
PASSPHRASE = "a long and memorable passphrase"
# The letter's code: 8 of the letters and digits that have no look-alikes, in two groups of four.
CODE = re.compile(r"\b[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}\b")
GOING_WELL = "She reads to her little brother every evening now."
WORRIES = "Mornings before school end in tears most days."
DISAGREEMENT = "The plan says nothing about help at lunchtime, when things go wrong most."
REPLY = "Thank you. We will add lunchtime support and talk it through at a meeting."
COMPLAINTS = "Write to the chair of governors at the school's address."


def main_text(page):
    return page.locator("main").inner_text()


def assert_nothing_hidden_shows(page):
    text = main_text(page)
    shown = [words for words in NEVER_FOR_PARENTS if words in text]
    assert not shown, f"{page.url} shows a parent what they must never read: {shown}"


def first_tab_reaches_skip_link(page):
    """On a newly loaded page, the first Tab goes to "Skip to main content"."""
    skip = page.get_by_role("link", name="Skip to main content")
    assert tab_to(page, skip, max_presses=1) == 1, f"The first Tab on {page.url} missed the skip link"


# ---------------------------------------------------------------------------
# Set-up
# ---------------------------------------------------------------------------


@pytest.fixture
def family(cast):
    """``cast.pupil``'s plans (2 in force, 3 shared for agreement, 4 an unshared draft), a completed
    review of version 2, each parent's views, and the school's complaints procedure."""
    plans = family_plans(cast)
    review = completed_review(cast, plans["active"])
    views = family_views(cast, plans["active"].plan, review=review)
    with scopes_disabled():
        School.objects.filter(pk=cast.school.pk).update(complaints_procedure=COMPLAINTS)
        # ``co_parent`` disagreed with the shared version, and the SENCO has replied.
        disagreement = AgreementResponse.objects.create(
            version=plans["shared"],
            link=cast.co_parent_link,
            agrees=False,
            comment=DISAGREEMENT,
            reply=REPLY,
            replied_by=cast.senco,
            replied_at=timezone.now(),
        )
    return SimpleNamespace(**plans, review=review, views=views, disagreement=disagreement)


@pytest.fixture
def new_parent_link(cast):
    """A contact record for a parent with an email address and no account: ready to invite."""
    with scopes_disabled():
        return f.ParentLinkFactory(
            pupil=cast.pupil,
            user=None,
            full_name=NEW_PARENT,
            email=NEW_PARENT_EMAIL,
            relationship=ParentLink.Relationship.FATHER,
        )


def invitation_path(cast):
    """The accept page of a new invitation to a new contact record (the email's link)."""
    with scopes_disabled():
        link = f.ParentLinkFactory(
            pupil=cast.pupil, user=None, full_name="Grace Grandparent", email="grace@example.test"
        )
    with scope(school=[cast.school.pk]):
        issued = invitations.parent_invite(actor=Actor.for_user(cast.senco), link=link)
    return reverse("pupils:parent-invitation-accept", kwargs={"token": issued.token})


# ---------------------------------------------------------------------------
# 1. The journey: invited, accepted, read, views added, disagreed; keyboard alone
# ---------------------------------------------------------------------------


def test_parent_accepts_reads_adds_views_and_disagrees_by_keyboard(
    page, new_page, live_server, cast, family, new_parent_link, mailoutbox, settings
):
    link = new_parent_link
    # Emailed links are built from the configured address, never the request's host.
    settings.WAYMARK_BASE_URL = live_server.url
    forename = "Zephyrine"

    # The school invites the parent and prints the letter (the school's side, mouse allowed).
    school = new_page(viewport={"width": 1280, "height": 900})
    sign_in(school, live_server, cast.senco)
    school.goto(f"{live_server.url}/pupils/parents/{link.public_id}/invite/")
    school.get_by_role("button", name="Send invitation").click()
    school.wait_for_url(f"{live_server.url}/pupils/parents/invitation-letters/")
    code = school.locator(".waymark-letter__code").inner_text().strip()
    assert CODE.fullmatch(code), f"The letter's code looks wrong: {code!r}"
    wrong_code = "ABCD-EFGH" if code != "ABCD-EFGH" else "HGFE-DCBA"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [NEW_PARENT_EMAIL]
    email_link = re.search(r"https?://\S+/pupils/parents/join/\S+/", mail.outbox[0].body).group(0)
    assert code not in mail.outbox[0].body and code.replace("-", "") not in mail.outbox[0].body

    # From here on, the parent uses the keyboard alone: the link from the email, then keys.
    page.goto(email_link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Accept your invitation")
    assert forename not in main_text(page), "The accept page names the child before the code is given"
    first_tab_reaches_skip_link(page)

    # A wrong code: the error summary takes focus and nothing is accepted.
    type_into(page, page.get_by_label("Code from your letter"), wrong_code)
    type_into(page, page.get_by_label("Your full name"), NEW_PARENT, max_presses=3)
    type_into(page, page.get_by_label("Create a password"), PASSPHRASE, max_presses=3)
    page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The code is not right")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile("^Error: "))
    with scopes_disabled():
        assert ParentLink.objects.get(pk=link.pk).user_id is None

    # The right code (typed in lower case, without the dash, as people do).
    type_into(page, page.get_by_label("Code from your letter"), code.replace("-", "").lower())
    type_into(page, page.get_by_label("Create a password"), PASSPHRASE)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"You can now see {forename}'s support plan."
    )
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    # Home: their child, with the one thing to do.
    expect(page.get_by_role("heading", name="Your child", exact=True)).to_be_visible()
    expect(page.locator("main")).to_contain_text("A new plan is waiting for you to agree")
    activate(page, page.get_by_role("link", name=f"{forename}'s support plan"))
    page.wait_for_url(f"{live_server.url}/plans/family/{cast.pupil.public_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{forename}'s support plan")
    first_tab_reaches_skip_link(page)

    # Read the plan shared for agreement.
    activate(page, page.get_by_role("link", name="Read the new plan"))
    page.wait_for_url(f"{live_server.url}/plans/family/versions/{family.shared.public_id}/")
    expect(page.locator(".govuk-inset-text").first).to_contain_text("This is a new plan.")
    expect(page.locator("main")).to_contain_text(VISIBLE_VOICE)
    expect(page.get_by_role("heading", name=f"What {forename} is working towards")).to_be_visible()
    assert_nothing_hidden_shows(page)
    activate(page, page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=forename))
    page.wait_for_url(f"{live_server.url}/plans/family/{cast.pupil.public_id}/")

    # Add their views before the next review.
    activate(page, page.get_by_role("link", name="Add your views"))
    page.wait_for_url(re.compile(r"/views/$"))
    type_into(page, page.get_by_label("What is going well at home"), GOING_WELL)
    type_into(page, page.get_by_label("What worries us"), WORRIES, max_presses=3)
    activate(page, page.get_by_role("button", name="Send your views"))
    page.wait_for_url(f"{live_server.url}/plans/family/{cast.pupil.public_id}/")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Your views have been sent")
    expect(page.locator("main")).to_contain_text(GOING_WELL)
    # Their own views, and those the school shared; never another parent's own words.
    expect(page.locator("main")).to_contain_text(CO_PARENT_SHARED)
    expect(page.locator("main")).not_to_contain_text(PARENT_WORDS)
    expect(page.locator("main")).not_to_contain_text(CO_PARENT_PRIVATE)

    # Disagree with the shared plan, with a comment: the radios by arrow key.
    activate(page, page.get_by_role("link", name="Tell us if you agree"))
    page.wait_for_url(f"{live_server.url}/plans/family/versions/{family.shared.public_id}/respond/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Do you agree with {forename}'s new plan?")
    agree, disagree = page.get_by_role("radio", name="I agree"), page.get_by_role("radio", name="I do not agree")
    tab_to(page, agree)
    page.keyboard.press("ArrowDown")
    expect(disagree).to_be_checked()
    expect(disagree).to_be_focused()
    expect(agree).not_to_be_checked()
    type_into(page, page.get_by_label("Comments"), DISAGREEMENT)
    activate(page, page.get_by_role("button", name="Send your answer"))
    page.wait_for_url(f"{live_server.url}/plans/family/versions/{family.shared.public_id}/respond/")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("you do not agree with the plan")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your response to {forename}'s plan")
    expect(page.locator("main")).to_contain_text("You do not agree with this plan")
    expect(page.locator("main")).to_contain_text(DISAGREEMENT)
    expect(page.locator("main")).to_contain_text("The school has not replied yet.")
    expect(page.locator("main")).to_contain_text(COMPLAINTS)

    # The school reads the views and the disagreement on the parents page, and replies.
    school.goto(f"{live_server.url}{reverse('plans:parent-activity', args=[cast.pupil.public_id])}")
    expect(school.locator("main")).to_contain_text(GOING_WELL)
    expect(school.locator("main")).to_contain_text(DISAGREEMENT)
    school.get_by_role("link", name=f"Reply to {NEW_PARENT}").click()
    school.get_by_label("Your reply").fill(REPLY)
    school.get_by_role("button", name="Send reply").click()
    expect(school.locator(".govuk-notification-banner--success")).to_contain_text("Your reply has been sent.")

    # The parent sees the reply, with the complaints procedure still beside it.
    page.reload()
    expect(page.locator("main")).to_contain_text(REPLY)
    expect(page.locator("main")).to_contain_text("Sam Senco")
    expect(page.locator("main")).not_to_contain_text("The school has not replied yet.")
    expect(page.locator("main")).to_contain_text(COMPLAINTS)

    # What the school holds: this parent's account, views and disagreement with that exact version.
    with scopes_disabled():
        link = ParentLink.objects.select_related("user").get(pk=link.pk)
        assert link.user is not None and link.user.email == NEW_PARENT_EMAIL and link.user.full_name == NEW_PARENT
        views = ParentContribution.objects.get(link=link)
        assert (views.going_well, views.worries, views.would_like) == (GOING_WELL, WORRIES, "")
        response = AgreementResponse.objects.get(link=link)
        assert response.version_id == family.shared.pk and response.agrees is False
        assert response.comment == DISAGREEMENT and response.reply == REPLY and response.replied_by == cast.senco


# ---------------------------------------------------------------------------
# 2. Every parent page: axe-core's WCAG 2.2 AA rules, and reflow at 320 CSS pixels
# ---------------------------------------------------------------------------


def type_a_wrong_code(page):
    page.get_by_label("Code from your letter").fill("ABCD-EFGH")
    page.get_by_label("Your full name").fill("Grace Grandparent")
    page.get_by_label("Create a password").fill(PASSPHRASE)
    submit_with_errors("Create account and accept", "The code is not right")(page)


def shows(*texts):
    """``then`` for a page: it is the page expected, in the state expected."""

    def then(page):
        for text in texts:
            expect(page.locator("main")).to_contain_text(text)

    return then


def child_path(cast, family):
    return reverse("plans:family-child", args=[cast.pupil.public_id])


def version_path(key):
    return lambda cast, family: reverse("plans:family-version", args=[getattr(family, key).public_id])


def respond_path(cast, family):
    return reverse("plans:family-respond", args=[family.shared.public_id])


def views_path(cast, family):
    return reverse("plans:family-views-add", args=[cast.pupil.public_id])


def request_path(cast, family):
    return reverse("plans:family-request", args=[cast.pupil.public_id])


# name: (who signs in, or None; the page's address; what to do there first; the status expected)
PARENT_PAGES = {
    "home-with-children": (
        "parent",
        lambda cast, family: reverse("core:home"),
        shows("Your child", "A new plan is waiting for you to agree"),
        200,
    ),
    "child": ("parent", child_path, shows("The plan now", "Reviews", "Your details held by Ashdown Academy"), 200),
    "version-in-force": ("parent", version_path("active"), shows("This is the plan the school is following now"), 200),
    "version-shared": ("parent", version_path("shared"), shows("This is a new plan."), 200),
    "version-older": ("parent", version_path("superseded"), shows("This is an older plan."), 200),
    "review-summary": (
        "parent",
        lambda cast, family: reverse("plans:family-review", args=[family.review.public_id]),
        shows("How Zephyrine got on", PUPIL_VIEWS, PARENT_WORDS),
        200,
    ),
    "views-form": ("parent", views_path, None, 200),
    "views-form-errors": ("parent", views_path, submit_with_errors("Send your views", "Answer at least one"), 200),
    "respond-form": ("parent", respond_path, None, 200),
    "respond-form-errors": (
        "parent",
        respond_path,
        submit_with_errors("Send your answer", "Select whether you agree with the plan"),
        200,
    ),
    "respond-after-disagreeing-with-reply": ("co_parent", respond_path, shows(DISAGREEMENT, REPLY, COMPLAINTS), 200),
    "request-form": ("parent", request_path, None, 200),
    "request-form-errors": ("parent", request_path, submit_with_errors("Send", "Select what you would like"), 200),
    "invitation-new-account": (None, lambda cast, family: invitation_path(cast), None, 200),
    "invitation-wrong-code": (None, lambda cast, family: invitation_path(cast), type_a_wrong_code, 200),
    "invitation-code-signed-in": (
        "other_parent",
        lambda cast, family: invitation_path(cast),
        shows("You are signed in as Priya Otherparent"),
        200,
    ),
    "invitation-cannot-be-used": (
        None,
        lambda cast, family: reverse("pupils:parent-invitation-accept", kwargs={"token": "no-such-link"}),
        shows("This invitation link cannot be used", "Ask the school that sent it to invite you again."),
        404,
    ),
}


@pytest.mark.parametrize("name", PARENT_PAGES)
def test_parent_page_passes_axe_and_reflows(page, live_server, cast, family, name):
    who, build_path, then, status = PARENT_PAGES[name]
    if who:
        sign_in(page, live_server, getattr(cast, who))
    response = page.goto(f"{live_server.url}{build_path(cast, family)}")
    assert response.status == status
    if then:
        then(page)
    if who:
        assert_nothing_hidden_shows(page)
    axe_check(page)
    assert_reflows(page)


# ---------------------------------------------------------------------------
# 3. The school's pages about parents: contact records, inviting, the letters
# ---------------------------------------------------------------------------


@pytest.fixture
def to_invite(cast):
    """Two parents with an email address and no account, one for each of School A's pupils."""
    with scopes_disabled():
        grace = f.ParentLinkFactory(
            pupil=cast.pupil,
            user=None,
            full_name="Grace Grandparent",
            email="grace@example.test",
            relationship=ParentLink.Relationship.GRANDPARENT,
            language="Polish",
            needs_interpreter=True,
            preferred_format=ParentLink.Format.LARGE_PRINT,
        )
        omar = f.ParentLinkFactory(
            pupil=cast.other_pupil, user=None, full_name="Omar Otherparent", email="omar@example.test"
        )
    return SimpleNamespace(grace=grace, omar=omar)


# name: (the page's address; what to do there first)
SCHOOL_PAGES = {
    "pupil-page-with-parents": (lambda cast, links: reverse("pupils:pupil-detail", args=[cast.pupil.public_id]), None),
    "contact-add": (lambda cast, links: reverse("pupils:parent-contact-create", args=[cast.pupil.public_id]), None),
    "contact-add-errors": (
        lambda cast, links: reverse("pupils:parent-contact-create", args=[cast.pupil.public_id]),
        submit_with_errors("Add parent or carer", re.compile("name", re.I)),
    ),
    "contact-edit": (lambda cast, links: reverse("pupils:parent-contact-edit", args=[links.grace.public_id]), None),
    "invite": (lambda cast, links: reverse("pupils:parent-invite", args=[links.grace.public_id]), None),
    "invite-restricted-refused": (
        lambda cast, links: reverse("pupils:parent-invite", args=[cast.restricted_link.public_id]),
        None,
    ),
    "invite-many": (lambda cast, links: reverse("pupils:parent-invite-many"), None),
    "invite-many-errors": (
        lambda cast, links: reverse("pupils:parent-invite-many"),
        submit_with_errors("Send invitations", "Select at least one parent or carer to invite."),
    ),
}


@pytest.mark.parametrize("name", SCHOOL_PAGES)
def test_school_page_about_parents_passes_axe(page, live_server, cast, to_invite, name):
    build_path, then = SCHOOL_PAGES[name]
    sign_in(page, live_server, cast.senco)
    response = page.goto(f"{live_server.url}{build_path(cast, to_invite)}")
    assert response.status == 200
    if then:
        then(page)
    axe_check(page)
    assert_reflows(page)


def test_school_invites_several_parents_and_prints_their_letters(page, live_server, cast, to_invite):
    sign_in(page, live_server, cast.senco)
    page.goto(f"{live_server.url}{reverse('pupils:parent-invite-many')}")
    page.get_by_role("checkbox", name=re.compile("^Grace Grandparent")).check()
    page.get_by_role("checkbox", name=re.compile("^Omar Otherparent")).check()
    page.get_by_role("button", name="Send invitations").click()
    page.wait_for_url(f"{live_server.url}{reverse('pupils:parent-invitation-letters')}")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("2 invitations emailed")
    letters = page.locator("article.waymark-letter")
    expect(letters).to_have_count(2)
    codes = letters.locator(".waymark-letter__code").all_inner_texts()
    assert len(codes) == 2 and all(CODE.fullmatch(code.strip()) for code in codes), codes
    axe_check(page)
    # Shown once: a reload has no codes.
    page.reload()
    expect(page.locator("article.waymark-letter")).to_have_count(0)
    axe_check(page)
