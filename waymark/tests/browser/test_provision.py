"""Provision in a real browser: a TA logging a session on a phone, by keyboard, from "Your sessions
today"; axe-core's WCAG 2.2 AA checks on every provision page (groups, sessions, interventions,
measures and impact, costs, the provision map) with an error state for each form; and the pages
people open on a phone reflowing at 320 CSS pixels.

Each person's pages are checked in one test, signed in once, and every problem on every page is
listed together: one browser test per page would spend most of its time building the cast.
"""

import re

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from waymark.provision.models import Attendance, SessionLog
from waymark.tests.browser.conftest import assert_reflows, axe_check, axe_violations, describe_violations, sign_in
from waymark.tests.browser.provision_data import DAY, SCHOOL_DAY, build_provision, pin_school_day
from waymark.tests.browser.test_plans import activate, tab_to

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def data(cast, monkeypatch):
    pin_school_day(monkeypatch)
    return build_provision(cast)


def no_sideways_scroll(page, width):
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways at {width}px: the document is {scroll_width}px wide"


def sideways_at(page, width):
    """How wide the document is at ``width`` CSS pixels, if wider (WCAG 1.4.10 Reflow); the viewport is put back."""
    size = page.viewport_size
    page.set_viewport_size({"width": width, "height": 640})
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(size)
    return scroll_width if scroll_width > width else None


def check_pages(page, live_server, cast, data, pages):
    """Open each of ``pages`` (name: (path, then)), do ``then`` there, run axe and check the page reflows
    at 320 px; fail listing every problem on every page."""
    problems = []
    for name, (build_path, then) in pages.items():
        address = f"{live_server.url}{build_path(cast, data)}"
        response = page.goto(address)
        if response is None or response.status != 200:
            problems.append(f"{name}: {address} answered {response.status if response else 'nothing'}")
            continue
        try:
            if then:
                then(page)
        except AssertionError as error:
            problems.append(f"{name}: {error}")
            continue
        violations = axe_violations(page)
        if violations:
            problems.append(f"{name}: {describe_violations(page, violations)}")
        wide = sideways_at(page, 320)
        if wide:
            problems.append(f"{name}: {page.url} scrolls sideways at 320px: the document is {wide}px wide")
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def errors_after(button, *expected, before=None):
    """``then``: optionally do ``before``, press ``button`` and expect the focused error summary with ``expected``."""

    def then(page):
        if before:
            before(page)
        page.locator("main").get_by_role("button", name=button, exact=True).click()
        page.wait_for_load_state()
        summary = page.locator(".govuk-error-summary")
        for words in expected:
            expect(summary).to_contain_text(words)
        expect(summary).to_be_focused()
        expect(page).to_have_title(re.compile("^Error: "))

    return then


def fill(answers):
    """``then``: type each of ``answers`` (label: text) into its field."""

    def then(page):
        main = page.locator("main")
        for label, value in answers.items():
            main.get_by_label(label, exact=True).fill(value)

    return then


def check(label):
    return lambda page: page.locator("main").get_by_label(label, exact=True).check()


def url(name, *attrs, query=""):
    """A path builder: ``name`` reversed with the public ids of ``attrs`` (looked up on the cast, then the data)."""

    def build(cast, data):
        ids = [getattr(cast, attr, None) or getattr(data, attr) for attr in attrs]
        return reverse(name, args=[obj.public_id for obj in ids]) + (f"?{query}" if query else "")

    return build


def measure_url(point, pupil):
    def build(cast, data):
        who = getattr(cast, pupil, None) or getattr(data, pupil)
        kwargs = {"public_id": cast.group.public_id, "pupil_id": who.public_id, "point": point}
        return reverse("provision:measure-record", kwargs=kwargs)

    return build


def exit_before_entry(page):
    """An exit of 7 years 6 months, taken before the entry (on the group's first day, 60 days ago)."""
    main = page.locator("main")
    main.get_by_label("Years", exact=True).fill("7")
    main.get_by_label("Months", exact=True).fill("6")
    before = SCHOOL_DAY - 90 * DAY
    main.get_by_label("Day", exact=True).fill(str(before.day))
    main.get_by_label("Month", exact=True).fill(str(before.month))
    main.get_by_label("Year", exact=True).fill(str(before.year))


def session_log_url(cast, data):
    return reverse("provision:session-log", args=[cast.group.public_id]) + f"?date={SCHOOL_DAY.isoformat()}"


def reading_age_query(cast, data):
    return reverse("provision:measure-check", args=[cast.pupil.public_id]) + (
        f"?type={cast.intervention.measure_type.public_id}"
    )


def charts_with_tables(page):
    """The pupil's progress has data to draw: a chart and a table for reading age and for each rated outcome."""
    main = page.locator("main")
    expect(main.locator("svg")).to_have_count(3)
    expect(main.locator("table")).to_have_count(3)
    expect(main).to_contain_text("Check along the way")


# name: (the page's path, what to do there before axe looks)
SENCO_PAGES = {
    "today": (url("provision:today"), None),
    "group-list": (url("provision:group-list"), None),
    "group-detail": (url("provision:group-detail", "group"), None),
    "group-create": (url("provision:group-create"), None),
    "group-create-errors": (
        url("provision:group-create"),
        errors_after("Set up the group", "Select the intervention the group delivers"),
    ),
    "group-edit": (url("provision:group-edit", "group"), None),
    "group-members": (url("provision:group-members", "group", query="q=Blackthorn"), None),
    "group-member-add": (url("provision:group-member-add", "group", "other_pupil"), None),
    "session-log": (session_log_url, None),
    "session-log-errors": (
        session_log_url,
        errors_after("Save", "Select why the session was cancelled", before=check("Cancelled")),
    ),
    "session-log-choose-day": (url("provision:session-log", "group"), None),
    "session-edit": (url("provision:session-edit", "session"), None),
    "pupil-delivery": (url("provision:pupil-delivery", "pupil"), None),
    "intervention-list": (url("provision:intervention-list"), None),
    "intervention-type-list": (url("provision:intervention-type-list"), None),
    "intervention-create": (url("provision:intervention-create"), None),
    "intervention-create-errors": (
        url("provision:intervention-create"),
        errors_after("Add the intervention", "Enter a name for the intervention"),
    ),
    "intervention-edit": (url("provision:intervention-edit", "intervention"), None),
    "group-measures": (url("provision:group-measures", "group"), None),
    "measure-record": (measure_url("entry", "bo"), None),
    "measure-record-errors": (
        measure_url("exit", "pupil"),
        errors_after("Save", "The exit measure must be on or after the entry measure", before=exit_before_entry),
    ),
    "measure-type-create": (url("provision:measure-type-create"), None),
    "measure-check-choose-scale": (url("provision:measure-check", "pupil"), None),
    "measure-check": (reading_age_query, None),
    "impact-summary": (url("provision:impact-summary"), None),
    "intervention-impact": (url("provision:intervention-impact", "intervention"), None),
    "pupil-impact": (url("provision:pupil-impact", "pupil"), charts_with_tables),
    "costs": (url("provision:costs"), None),
    "staff-role-list": (url("provision:staff-role-list"), None),
    "staff-role-create": (url("provision:staff-role-create"), None),
    "staff-role-create-errors": (
        url("provision:staff-role-create"),
        errors_after(
            "Save staff role",
            "Enter a cost an hour of £0 or more",
            before=fill({"Role": "Learning mentor", "Cost an hour (£)": "-5"}),
        ),
    ),
    "cost-list": (url("provision:cost-list"), None),
    "cost-create": (url("provision:cost-create"), None),
    "cost-create-errors": (url("provision:cost-create"), errors_after("Add the cost", "Select the kind of cost")),
    "cost-remove": (url("provision:cost-remove", "group_cost"), None),
    "provision-map-by-pupil": (url("provision:provision-map", query="view=pupil"), None),
    "provision-map-by-intervention": (url("provision:provision-map", query="view=intervention"), None),
    "provision-map-by-funding": (url("provision:provision-map", query="view=funding"), None),
}


def test_every_provision_page_passes_axe(page, live_server, cast, data):
    sign_in(page, live_server, cast.senco)
    check_pages(page, live_server, cast, data, SENCO_PAGES)


def test_parent_support_page_passes_axe_and_reflows(page, live_server, cast, data):
    sign_in(page, live_server, cast.parent)
    page.goto(f"{live_server.url}{reverse('provision:family-support', args=[cast.pupil.public_id])}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text(cast.intervention.name)
    with scopes_disabled():
        others = [data.amira.full_name, data.bo.full_name]
    assert not [name for name in others if name in main.inner_text()], "The parent page names another child"
    axe_check(page)
    assert_reflows(page)


# ---------------------------------------------------------------------------
# A TA logs today's session on a phone, by keyboard
# ---------------------------------------------------------------------------


def test_ta_logs_todays_session_on_a_phone_by_keyboard(new_page, live_server, cast, data):
    page = new_page(viewport=PHONE, has_touch=True, is_mobile=True)
    with scopes_disabled():
        away, register = data.bo.full_name, 3
    sign_in(page, live_server, cast.ta)
    page.goto(f"{live_server.url}{reverse('provision:today')}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your sessions today")
    section = page.locator("main section").filter(has=page.get_by_role("heading", name=cast.group.name))
    expect(section).to_have_count(1)
    no_sideways_scroll(page, PHONE["width"])
    axe_check(page)

    # Delivered: Space on the radio, which shows "Who came?" with everyone ticked.
    delivered = section.get_by_label("Delivered", exact=True)
    tab_to(page, delivered)
    page.keyboard.press("Space")
    expect(delivered).to_be_checked()
    absent = section.get_by_label(away, exact=True)
    expect(absent).to_be_visible()
    expect(section.get_by_role("checkbox", checked=True)).to_have_count(register)
    # One pupil was away: Space unticks them.
    tab_to(page, absent, max_presses=10)
    page.keyboard.press("Space")
    expect(absent).not_to_be_checked()
    no_sideways_scroll(page, PHONE["width"])
    axe_check(page)

    activate(page, section.get_by_role("button", name=re.compile("^Save")), max_presses=10)
    page.wait_for_url(f"{live_server.url}{reverse('provision:today')}")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"{cast.group.name} on {SCHOOL_DAY.day} "
    )
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("logged as delivered, 2 of 3 came")
    section = page.locator("main section").filter(has=page.get_by_role("heading", name=cast.group.name))
    expect(section.locator(".govuk-tag")).to_have_text("Logged")
    expect(section).to_contain_text("Delivered, 2 of 3 attended.")
    no_sideways_scroll(page, PHONE["width"])
    axe_check(page)
    assert_reflows(page)

    with scopes_disabled():
        session = SessionLog.objects.get(group=cast.group, date=SCHOOL_DAY)
        attended = dict(Attendance.objects.filter(session=session).values_list("pupil__legal_forename", "attended"))
    assert session.status == SessionLog.Status.DELIVERED and session.logged_by == cast.ta
    assert attended == {"Zephyrine": True, "Amira": True, "Bo": False}
