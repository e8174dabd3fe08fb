"""The pupil's views in a real browser: the locked mode cannot go anywhere else, sending ends it and
signs the adult out, a child answers the younger picture scale by keyboard, and axe-core's WCAG 2.2
AA checks pass on the start page, both forms (also with errors) and the page it ends on."""

import re

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from waymark.plans.models import PupilVoice
from waymark.plans.tests.factories import draft_version, published_version
from waymark.tests.browser.conftest import assert_reflows, axe_check, sign_in, submit_with_errors
from waymark.tests.browser.test_plans import activate, tab_to, type_into

FORENAME = "Zephyrine"
YOUNGER = "Younger pupils: pictures and a few words"
OLDER = "Older pupils: questions to answer in their own words"
EMPTY_MESSAGE = "Answer at least one question"
GOING_WELL = "Art club, and sitting with Sol at lunch."
HELPS = "When Miss shows me the steps on a card."


@pytest.fixture
def draft(cast):
    """``cast.pupil`` with a plan in force and a draft copied from it, owned by the SENCO."""
    with scopes_disabled():
        active = published_version(cast.pupil, by=cast.senco)
        return draft_version(cast.pupil, copy_from=active, owner=cast.senco)


def start_path(version):
    return reverse("plans:pupil-voice-start", kwargs={"public_id": version.public_id})


def editor_path(version):
    return reverse("plans:version-edit", kwargs={"public_id": version.public_id})


def form_url(live_server):
    return f"{live_server.url}{reverse('plans:pupil-voice-form')}"


def start(page, live_server, version, style_label):
    """From the start page, choose the form's version and hand the device over."""
    page.goto(f"{live_server.url}{start_path(version)}")
    page.get_by_role("radio", name=style_label).check()
    page.get_by_role("button", name="Start and hand over the device").click()
    page.wait_for_url(form_url(live_server))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {FORENAME}")


def assert_on_the_form(page, live_server, came_from):
    assert page.url == form_url(live_server), f"{came_from} led to {page.url}, not back to the form"
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {FORENAME}")
    # Nothing of the adult's: no header, no sign-out, no navigation, no footer.
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(page.get_by_role("navigation")).to_have_count(0)
    expect(page.locator("footer")).to_have_count(0)


def voices(version):
    with scopes_disabled():
        return list(PupilVoice.objects.filter(version=version).select_related("given_with"))


# ---------------------------------------------------------------------------
# axe-core on every page of the pupil-voice mode
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("style_label", [YOUNGER, OLDER], ids=["younger", "older"])
def test_pupil_voice_pages_pass_axe(page, live_server, cast, draft, style_label):
    sign_in(page, live_server, cast.senco)
    page.goto(f"{live_server.url}{start_path(draft)}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Ask {FORENAME} for their views")
    axe_check(page)

    start(page, live_server, draft, style_label)
    axe_check(page)
    assert_reflows(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Sent with nothing answered: the error summary, and the form is still locked.
    submit_with_errors("Send my answers", EMPTY_MESSAGE)(page)
    assert page.url == form_url(live_server)
    axe_check(page)
    assert_reflows(page)

    page.get_by_role("button", name="Stop without sending").click()
    page.wait_for_url(re.compile(r"/plans/pupil-voice/ended/\?outcome=ended$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("This has ended")
    axe_check(page)
    assert_reflows(page)
    assert voices(draft) == []


def test_the_thank_you_page_passes_axe(page, live_server, cast, draft):
    sign_in(page, live_server, cast.senco)
    start(page, live_server, draft, OLDER)
    page.get_by_label("What is going well at school?").fill(GOING_WELL)
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url(re.compile(r"/plans/pupil-voice/ended/\?outcome=given$"))
    expect(page.locator(".govuk-panel")).to_contain_text("Your answers have been sent.")
    axe_check(page)
    assert_reflows(page)


# ---------------------------------------------------------------------------
# The locked mode: nowhere else to go; sending ends it and signs the adult out
# ---------------------------------------------------------------------------


def test_locked_mode_stays_on_the_form_until_it_is_sent(page, live_server, cast, draft):
    sign_in(page, live_server, cast.senco)
    start(page, live_server, draft, OLDER)

    # Every link on the page leads back to the form (the skip link stays on it).
    hrefs = page.locator("a[href]").evaluate_all("links => links.map(link => link.href)")
    assert hrefs, "The form has no links at all, not even the skip link"
    for href in hrefs:
        page.goto(href)
        assert page.url.split("#")[0] == form_url(live_server), f"The link to {href} left the form"

    # Typing another address: the adult's pages, signing out, other parts of Waymark.
    for path in (
        reverse("core:home"),
        reverse("pupils:register-list"),
        reverse("pupils:pupil-detail", args=[cast.pupil.public_id]),
        reverse("plans:plan-detail", args=[cast.pupil.public_id]),
        editor_path(draft),
        start_path(draft),
        reverse("plans:family-child", args=[cast.pupil.public_id]),
        reverse("schools:staff-list"),
        "/accounts/logout/",
        "/accounts/login/",
        "/no-such-page/",
    ):
        page.goto(f"{live_server.url}{path}")
        assert_on_the_form(page, live_server, came_from=path)

    # The browser's back button: the start page is behind the form, and it leads back too.
    page.go_back()
    assert_on_the_form(page, live_server, came_from="the back button")

    # Answered and sent: it ends, and the adult is signed out.
    page.get_by_label("What is going well at school?").fill(GOING_WELL)
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url(re.compile(r"/plans/pupil-voice/ended/\?outcome=given$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    page.goto(f"{live_server.url}{reverse('core:home')}")
    assert page.url.startswith(f"{live_server.url}/accounts/login/"), f"Still signed in: {page.url}"
    page.goto(form_url(live_server))
    assert not page.url.startswith(form_url(live_server)), "The form still opens after it was sent"

    # The answers are in the draft's about-me section, with who and when.
    [voice] = voices(draft)
    assert voice.style == PupilVoice.Style.OLDER and voice.given_with == cast.senco
    assert {"question": "What is going well at school?", "answer": GOING_WELL} in voice.answers
    sign_in(page, live_server, cast.senco)
    page.goto(f"{live_server.url}{editor_path(draft)}")
    about = page.locator("#section-about_me")
    expect(about).to_contain_text(GOING_WELL)
    expect(about).to_contain_text("Sam Senco")
    axe_check(page)


def test_a_younger_pupil_answers_the_picture_scale_by_keyboard(page, live_server, cast, draft):
    sign_in(page, live_server, cast.senco)
    start(page, live_server, draft, YOUNGER)

    # The first question's faces: Tab into the group, then the arrow keys move along the scale.
    first_face = page.get_by_role("group", name="How do you feel about school?").get_by_role(
        "radio", name="Very sad", exact=True
    )
    tab_to(page, first_face)
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    happy = page.get_by_role("group", name="How do you feel about school?").get_by_role(
        "radio", name="Happy", exact=True
    )
    expect(happy).to_be_checked()
    expect(happy).to_be_focused()
    # From the first face, up goes round to the last.
    reading = page.get_by_role("group", name="How do you feel about reading?")
    tab_to(page, reading.get_by_role("radio", name="Very sad", exact=True))
    page.keyboard.press("ArrowUp")
    expect(reading.get_by_role("radio", name="Very happy", exact=True)).to_be_checked()
    # Space chooses the face that has focus.
    playtime = page.get_by_role("group", name="How do you feel about playtime?")
    tab_to(page, playtime.get_by_role("radio", name="Very sad", exact=True))
    expect(playtime.get_by_role("radio", name="Very sad", exact=True)).not_to_be_checked()
    page.keyboard.press("Space")
    expect(playtime.get_by_role("radio", name="Very sad", exact=True)).to_be_checked()
    type_into(page, page.get_by_label("What helps you?"), HELPS)
    activate(page, page.get_by_role("button", name="Send my answers"))
    page.wait_for_url(re.compile(r"/plans/pupil-voice/ended/\?outcome=given$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")

    [voice] = voices(draft)
    answers = {row["question"]: row["answer"] for row in voice.answers}
    assert answers["How do you feel about school?"] == "Happy"
    assert answers["How do you feel about reading?"] == "Very happy"
    assert answers["How do you feel about playtime?"] == "Very sad"
    assert answers["Is there anything else you want to tell us?"] == ""
    assert answers["What helps you?"] == HELPS
