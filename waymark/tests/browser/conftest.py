"""Browser tests: Debian's Chromium driven by Playwright's sync API against pytest-django's live server.

Every test in this folder is marked ``browser`` (select or skip them with ``-m browser`` /
``-m "not browser"``). One Chromium runs for the whole session; each test gets a fresh
browser context, so cookies and storage never leak between tests.
"""

import os
from pathlib import Path

import pytest

from waymark.conftest import build_cast
from waymark.tests import factories as f

# Playwright's sync API runs an event loop in the test thread; without this, Django's
# async-safety check refuses the database work the tests do between browser steps.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Fail fast: every page here is served from the local live server.
DEFAULT_TIMEOUT_MS = 10_000

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Mark every test collected from this folder ``browser``."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser(django_db_setup):
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium); browser tests need it."
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # While Playwright's sync API runs, its event loop counts as running in this thread, so
    # Django hands out different connection objects (asgiref keeps them per async context).
    # The test database is set up first; carry over what serialized rollback restores from.
    serialized = {alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections}
    playwright = sync_playwright().start()
    try:
        for alias, contents in serialized.items():
            if contents is not None and not hasattr(connections[alias], "_test_serialized_contents"):
                connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def browser_db(transactional_db, django_db_serialized_rollback):
    """The database as the live server sees it: committed, so transactional, and flushed afterwards.

    Every browser test uses serialized rollback, so each starts with what the data migrations
    load (the need types, the content types). A plain transactional test's flush would
    remove those and re-create the content types with new keys, breaking the next test.
    """


@pytest.fixture
def new_page(browser, live_server, browser_db):
    """``new_page(**context_options)``: a page in a fresh browser context aimed at the live server.

    An uncaught JavaScript error on any page fails the test. What the console says is kept
    in ``page.console_messages`` as ``(type, text, url)`` for tests that check it.
    """
    contexts = []
    errors = []

    def make(**options):
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.console_messages = []
        page.on("pageerror", lambda error: errors.append(f"JavaScript error on {page.url}: {error}"))
        page.on("console", lambda message: page.console_messages.append((message.type, message.text, page.url)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, "\n".join(errors)


@pytest.fixture
def page(new_page):
    """A desktop-sized page in a fresh browser context."""
    return new_page(viewport={"width": 1280, "height": 900})


@pytest.fixture
def cast(browser_db, live_server):
    """The role cast (``waymark.conftest.build_cast``), committed so the live server can see it."""
    return build_cast()


def sign_in(page, live_server, user, password=f.PASSWORD):
    """Sign ``user`` in through allauth's form and wait until the sign-in page is left.

    ``UserFactory`` gives every cast member ``factories.PASSWORD``.
    """
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill('input[name="login"]', user.email)
    page.fill('input[name="password"]', password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert page.get_by_role("button", name="Sign out").count() == 1, f"{user.email} is not signed in at {page.url}"


def axe_violations(page, context=None):
    """axe-core's violations of the WCAG 2.0, 2.1 and 2.2 A and AA rules on ``page`` as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    return Axe().run(page, context=context, options=options).response["violations"]


def describe_violations(page, violations):
    lines = [f"{len(violations)} axe violation(s) on {page.url}:"]
    for violation in violations:
        # A target is a CSS selector, or a list of them for nodes inside frames or shadow roots.
        targets = [" >> ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
        more = len(violation["nodes"]) - len(targets)
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}; "
            f"first targets: {targets}{f' and {more} more' if more > 0 else ''}"
        )
    return "\n".join(lines)


def axe_check(page, context=None):
    """Run axe-core's WCAG 2.2 A and AA rules on ``page``; fail, listing every violation, unless there are none."""
    violations = axe_violations(page, context=context)
    if violations:
        report = describe_violations(page, violations)
        print(report)
        pytest.fail(report, pytrace=False)


def assert_reflows(page, width=320):
    """At ``width`` CSS pixels the page scrolls only downwards (WCAG 1.4.10 Reflow)."""
    page.set_viewport_size({"width": width, "height": 640})
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        wide = page.evaluate(
            """width => [...document.querySelectorAll("body *")]
                .filter(el => el.getBoundingClientRect().right > width + 1 && el.getClientRects().length)
                .sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right)
                .slice(0, 5)
                .map(el => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${[...el.classList].join(".")}`)""",
            width,
        )
        pytest.fail(
            f"{page.url} scrolls sideways at {width}px: the document is {scroll_width}px wide; widest: {wide}",
            pytrace=False,
        )


def submit_with_errors(button, expected):
    """``then`` for a page: press the form's ``button`` and expect the error summary, focused, with ``expected``."""

    from playwright.sync_api import expect

    def then(page):
        page.locator("main").get_by_role("button", name=button).click()
        page.wait_for_load_state()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_contain_text(expected)
        expect(summary).to_be_focused()

    return then
