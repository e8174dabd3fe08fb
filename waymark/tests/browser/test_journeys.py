"""Journeys through Waymark in a real browser: signing in, the register, the keyboard, the
session timeout warning, axe-core's WCAG 2.2 AA checks and a phone-sized screen."""

import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from waymark.tests import factories as f
from waymark.tests.browser.conftest import axe_check, sign_in

LOGIN_PATH = "/accounts/login/"


def focused(page):
    """What has focus: its tag, id, name, href and text."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {
                tag: el ? el.tagName.toLowerCase() : null,
                id: el ? el.id : null,
                name: el ? el.getAttribute("name") : null,
                href: el ? el.getAttribute("href") : null,
                text: el ? (el.innerText || el.value || "").trim() : null,
            };
        }"""
    )


def tab_until(page, predicate, limit=25):
    """Press Tab until ``predicate(focused(page))`` holds; return how many presses it took."""
    seen = []
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        now = focused(page)
        if predicate(now):
            return presses
        seen.append(now)
    pytest.fail(f"Not reached in {limit} Tab presses; focus went through {seen}", pytrace=False)


def pupil_name(pupil):
    with scopes_disabled():
        return pupil.full_name


def test_sign_in_page_passes_axe(page, live_server):
    response = page.goto(f"{live_server.url}{LOGIN_PATH}")
    assert response.status == 200
    axe_check(page)


def test_sign_in_page_uses_waymarks_template(page, live_server):
    page.goto(f"{live_server.url}{LOGIN_PATH}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_role("heading", name="If you do not have an account")).to_be_visible()
    expect(page.get_by_role("link", name="Skip to main content")).to_have_count(1)


def test_pages_run_their_scripts_under_the_content_security_policy(page, live_server, cast):
    sign_in(page, live_server, cast.senco)
    page.goto(f"{live_server.url}/pupils/")
    page.wait_for_load_state("load")
    refused = [
        f"{url}: {text}"
        for kind, text, url in page.console_messages
        if kind == "error" and "Content Security Policy" in text
    ]
    assert not refused, "\n".join(refused)
    # The layout's inline script marks the page so GOV.UK Frontend's components start.
    assert "govuk-frontend-supported" in page.get_attribute("body", "class")


def test_senco_finds_a_pupil_on_the_register(page, live_server, cast):
    name, other_name = pupil_name(cast.pupil), pupil_name(cast.other_pupil)
    sign_in(page, live_server, cast.senco)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="SEN register").click()
    page.wait_for_url(f"{live_server.url}/pupils/")
    expect(page.get_by_role("heading", level=1)).to_have_text("SEN register")
    expect(page.get_by_role("link", name=name)).to_be_visible()
    expect(page.get_by_role("link", name=other_name)).to_be_visible()
    # The other school's pupil never shows.
    expect(page.get_by_text(pupil_name(cast.other_school_pupil))).to_have_count(0)
    axe_check(page)

    # The filter form narrows the list.
    page.get_by_label("Search by name or UPN").fill(cast.pupil.legal_surname)
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(rf"[?&]q={cast.pupil.legal_surname}"))
    expect(page.get_by_role("heading", name="1 pupil", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=other_name)).to_have_count(0)
    expect(page.get_by_label("Search by name or UPN")).to_have_value(cast.pupil.legal_surname)
    axe_check(page)

    page.get_by_role("link", name=name).click()
    page.wait_for_url(f"{live_server.url}/pupils/{cast.pupil.public_id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    axe_check(page)


def test_keyboard_only_sign_in_and_register(page, live_server, cast):
    page.goto(f"{live_server.url}{LOGIN_PATH}")

    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to main content"
    tab_until(page, lambda el: el["name"] == "login")
    page.keyboard.type(cast.senco.email)
    tab_until(page, lambda el: el["name"] == "password", limit=3)
    page.keyboard.type(f.PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    on_load = focused(page)
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to main content", (
        f"The first Tab after signing in went to {focused(page)}, not the skip link; on load, focus was on {on_load}"
    )
    presses = tab_until(page, lambda el: el["tag"] == "a" and el["text"] == "SEN register")
    # Skip link, then the header (home link, sign out), then Home: the register comes soon after.
    assert presses <= 6, f"{presses + 1} Tab presses to reach the register link"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/pupils/")
    expect(page.get_by_role("heading", level=1)).to_have_text("SEN register")


def test_session_timeout_warning_by_keyboard(page, live_server, cast, settings):
    # waymark.js opens the warning min(SESSION_WARNING_SECONDS, SESSION_COOKIE_AGE / 2) before the
    # end, so these show it about 7 seconds after a page loads and leave 7 seconds to answer it.
    settings.SESSION_COOKIE_AGE = 14
    settings.SESSION_WARNING_SECONDS = 7
    sign_in(page, live_server, cast.senco)
    page.goto(f"{live_server.url}/pupils/")

    dialog = page.locator("#session-timeout-dialog")
    expect(dialog).to_have_attribute("data-timeout-seconds", "14")
    expect(dialog).to_be_hidden()
    expect(dialog).to_be_visible(timeout=15_000)
    assert page.evaluate("document.getElementById('session-timeout-dialog').contains(document.activeElement)")
    assert focused(page)["id"] == "session-timeout-stay"
    axe_check(page)

    with page.expect_response(lambda r: r.url.endswith("/session/extend/") and r.request.method == "POST") as extend:
        page.keyboard.press("Enter")
    assert extend.value.status == 204
    expect(dialog).to_be_hidden()

    page.reload()
    assert page.url == f"{live_server.url}/pupils/"
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("SEN register")


def submit_empty_add_pupil_form(page):
    page.get_by_role("button", name="Add pupil").click()
    page.wait_for_load_state()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    # GOV.UK Frontend moves focus to the error summary.
    expect(page.locator(".govuk-error-summary")).to_be_focused()


AXE_PAGES = [
    pytest.param("senco", "/", None, 200, id="senco-home"),
    pytest.param("senco", "/pupils/figures/", None, 200, id="senco-figures"),
    pytest.param("senco", "/pupils/add/", submit_empty_add_pupil_form, 200, id="senco-add-pupil-errors"),
    pytest.param("senco", "/school/staff/", None, 200, id="senco-staff"),
    pytest.param("senco", "/school/settings/", None, 200, id="senco-school-settings"),
    pytest.param("senco", "/no-such-page/", None, 404, id="senco-404"),
    pytest.param("governor", "/", None, 200, id="governor-home"),
    pytest.param("governor", "/pupils/figures/", None, 200, id="governor-figures"),
]


@pytest.mark.parametrize(("who", "path", "then", "status"), AXE_PAGES)
def test_pages_pass_axe(page, live_server, cast, who, path, then, status):
    sign_in(page, live_server, getattr(cast, who))
    response = page.goto(f"{live_server.url}{path}")
    assert response.status == status
    if then:
        then(page)
    axe_check(page)


def test_register_fits_a_phone_screen(new_page, live_server, cast):
    width = 375
    page = new_page(viewport={"width": width, "height": 812})
    sign_in(page, live_server, cast.teacher)
    page.goto(f"{live_server.url}/pupils/")
    expect(page.get_by_role("link", name=pupil_name(cast.pupil))).to_be_visible()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width + 1, f"The page scrolls sideways: {scroll_width}px wide on a {width}px screen"
