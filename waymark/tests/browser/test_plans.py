"""Plan journeys in a real browser: a SENCO writing and publishing a plan from the strategy
bank by keyboard alone, a secondary subject teacher's "My classes", and the editor without
JavaScript. axe-core checks every page on the way (WCAG 2.2 AA)."""

import datetime
import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from waymark.core.actor import Actor
from waymark.plans import services
from waymark.schools.models import ClassGroup
from waymark.tests import factories as f
from waymark.tests.browser.conftest import axe_check, sign_in

TODAY = datetime.date.today()
REVIEW_ON = TODAY + datetime.timedelta(days=90)
ACHIEVE_BY = TODAY + datetime.timedelta(days=120)

# Whether ``el`` has focus, and what has: "body" between the page and the browser's own controls.
DESCRIBE_FOCUS = """el => {
    const now = document.activeElement;
    if (!now || now === document.body) return {hit: false, focused: "body"};
    const label = (now.getAttribute("aria-label") || now.innerText || now.value || "").trim().slice(0, 40);
    return {hit: el === now, focused: `${now.tagName.toLowerCase()}${now.id ? "#" + now.id : ""} "${label}"`};
}"""


def tab_to(page, locator, max_presses=80):
    """Press Tab until ``locator`` has focus; return how many presses it took.

    Fails, naming where focus went, if ``locator`` is not reached in ``max_presses``, or if
    focus stays on one element for three presses in a row (a keyboard trap).
    """
    target = locator.element_handle()
    seen, stuck = [], 0
    for presses in range(max_presses + 1):
        state = target.evaluate(DESCRIBE_FOCUS)
        if state["hit"]:
            return presses
        if seen and state["focused"] == seen[-1] and state["focused"] != "body":
            stuck += 1
            if stuck >= 3:
                pytest.fail(f"Keyboard trap on {page.url}: Tab leaves focus on {state['focused']}", pytrace=False)
        else:
            stuck = 0
        seen.append(state["focused"])
        page.keyboard.press("Tab")
    pytest.fail(
        f"{locator} not reached in {max_presses} Tab presses on {page.url}; focus went through {seen}",
        pytrace=False,
    )


def activate(page, locator, key="Enter", max_presses=80):
    """Tab to ``locator`` and press ``key`` on it (Enter follows a link or presses a button)."""
    tab_to(page, locator, max_presses=max_presses)
    page.keyboard.press(key)


def type_into(page, locator, text, max_presses=80):
    """Tab to a field, select whatever it holds and type over it."""
    tab_to(page, locator, max_presses=max_presses)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def type_date(page, field_id, date):
    """Type a date into a GOV.UK date input: day, Tab, month, Tab, year."""
    type_into(page, page.locator(f"#{field_id}_day"), str(date.day))
    page.keyboard.press("Tab")
    page.keyboard.type(str(date.month))
    page.keyboard.press("Tab")
    page.keyboard.type(str(date.year))


def sign_in_by_keyboard(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    type_into(page, page.locator('input[name="login"]'), user.email)
    type_into(page, page.locator('input[name="password"]'), f.PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def success_banner(page):
    return page.locator(".govuk-notification-banner--success")


def submit_button(page):
    """The form's own submit button in the page's main content (not the header's Sign out)."""
    return page.locator("main form[method=post] button[type=submit]")


def assert_suggestions_first(page):
    """No bank entry for the pupil's needs comes after one that is not for them."""
    suggested = page.locator(".govuk-summary-card__title").evaluate_all(
        "titles => titles.map(title => title.querySelector('.govuk-tag') !== null)"
    )
    assert suggested and suggested[0], "The bank suggests nothing for this pupil's needs"
    assert suggested == sorted(suggested, reverse=True), f"Suggested entries are not all first: {suggested}"


def bank_link(page, section):
    return page.locator(f"#section-{section}").get_by_role("link", name=re.compile("^Add from the strategy bank"))


def plan_path(pupil):
    return f"/plans/pupil/{pupil.public_id}/"


def names(pupil):
    with scopes_disabled():
        return pupil.forename, pupil.full_name


# ---------------------------------------------------------------------------
# 1. A SENCO writes and publishes a plan from the bank by keyboard alone
# ---------------------------------------------------------------------------


def test_senco_writes_and_publishes_a_plan_from_the_bank_by_keyboard(page, live_server, cast):
    forename, full_name = names(cast.pupil)
    sign_in_by_keyboard(page, live_server, cast.senco)

    # The pupil's plan page, before there is any plan.
    page.goto(f"{live_server.url}{plan_path(cast.pupil)}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Support plan")
    expect(page.get_by_text(f"{full_name} has no plan in force.")).to_be_visible()
    axe_check(page)

    # Start a new draft with the school's default template.
    activate(page, page.get_by_role("link", name="Start a new draft"))
    page.wait_for_url(re.compile(r"/start/$"))
    activate(page, page.get_by_role("button", name="Start the draft"))
    page.wait_for_url(re.compile(r"/versions/[0-9a-f-]+/edit/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Write the draft plan")
    expect(success_banner(page)).to_contain_text("Draft version 1 started.")
    axe_check(page)

    # About me, saved on its own (htmx swaps the section in place).
    about = page.locator("#section-about_me")
    type_into(page, page.locator("#id_about_me-liked_and_admired"), "Kind to younger pupils; brilliant at chess.")
    type_into(page, page.locator("#id_about_me-important_to_me"), "Knowing what is coming next in the day.")
    type_into(page, page.locator("#id_about_me-how_to_support_me"), "Warn me before a change of room.")
    activate(page, about.get_by_role("button", name="Save About me"))
    expect(about.locator(".govuk-notification-banner")).to_contain_text("About me saved.")

    # The review section: arrangements and the next review date.
    review = page.locator("#section-review")
    type_into(page, page.locator("#id_review-arrangements"), "A meeting with Zephyrine and her parents each term.")
    type_date(page, "id_review-next_review_on", REVIEW_ON)
    activate(page, review.get_by_role("button", name="Save Review"), max_presses=120)
    expect(review.locator(".govuk-notification-banner")).to_contain_text("Review arrangements saved.")
    expect(page.locator("#publish-problems")).not_to_contain_text("Set the next review date")

    # An outcome from the strategy bank: entries for the pupil's needs come first.
    activate(page, bank_link(page, "outcomes"), max_presses=120)
    page.wait_for_url(re.compile(r"/bank/\?section=outcomes$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add from the strategy bank")
    first_card = page.locator(".govuk-summary-card").first
    expect(first_card).to_contain_text(f"Suggested for {forename}’s needs")
    expect(first_card).to_contain_text("Outcome")
    assert_suggestions_first(page)
    axe_check(page)
    activate(page, first_card.get_by_role("button", name=re.compile("^Add this to the plan")))
    page.wait_for_url(re.compile(r"/items/outcomes/[0-9a-f-]+/edit/$"))
    expect(success_banner(page)).to_contain_text(f"Now make it personal to {forename}")
    expect(page.locator(".govuk-warning-text")).to_contain_text("word for word from the strategy bank")

    # Personalise it on its edit form.
    outcome_text = "Zephyrine will ask for help with a task using her help card."
    type_into(page, page.locator("#id_text"), outcome_text)
    type_into(page, page.locator("#id_baseline"), "Asks for help once a week, prompted.")
    type_into(page, page.locator("#id_target"), "Asks for help in most lessons, unprompted.")
    type_into(page, page.locator("#id_measure"), "Weekly tally by the form tutor")
    type_date(page, "id_by_date", ACHIEVE_BY)
    type_into(page, page.locator("#id_who_checks"), "Form tutor")
    activate(page, submit_button(page))
    page.wait_for_url(re.compile(r"/edit/#item-[0-9a-f-]+$"))
    expect(success_banner(page).first).to_contain_text("Changes saved.")
    outcomes = page.locator("#section-outcomes")
    expect(outcomes).to_contain_text(outcome_text)
    expect(outcomes).to_contain_text("Weekly tally by the form tutor")
    expect(outcomes.get_by_text("Not yet personalised")).to_have_count(0)

    # An outcome without its text is refused, with the GOV.UK error summary.
    activate(page, outcomes.get_by_role("link", name="Add an outcome"))
    page.wait_for_url(re.compile(r"/outcomes/add/$"))
    activate(page, submit_button(page))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what we want to achieve")
    expect(page).to_have_title(re.compile("^Error: "))
    axe_check(page)
    activate(page, page.get_by_role("link", name="Cancel"))
    page.wait_for_url(re.compile(r"/edit/#section-outcomes$"))

    # An adjustment from the bank, marked key (its words left as the bank wrote them).
    activate(page, bank_link(page, "adjustments"), max_presses=120)
    page.wait_for_url(re.compile(r"/bank/\?section=adjustments$"))
    first_card = page.locator(".govuk-summary-card").first
    expect(first_card).to_contain_text(f"Suggested for {forename}’s needs")
    adjustment_text = first_card.locator(".govuk-summary-card__content p.govuk-body").first.inner_text().strip()
    activate(page, first_card.get_by_role("button", name=re.compile("^Add this to the plan")))
    # Short entries are added and opened to check; a long one opens the add form first.
    page.wait_for_url(re.compile(r"/items/adjustments/[0-9a-f-]+/edit/$|/adjustments/add/\?bank="))
    tab_to(page, page.locator("#id_is_key"))
    page.keyboard.press("Space")
    expect(page.locator("#id_is_key")).to_be_checked()
    activate(page, submit_button(page))
    page.wait_for_url(re.compile(r"/edit/#(item|section)-"))
    adjustments = page.locator("#section-adjustments")
    expect(adjustments.locator(".govuk-tag", has_text="Key")).to_have_count(1)
    expect(adjustments.get_by_text("Not yet personalised")).to_have_count(1)
    expect(page.locator("#publish-problems")).to_contain_text("Ready")

    # Publish: the confirmation page flags the unedited bank text; confirm it by keyboard.
    activate(page, page.locator("main").get_by_role("link", name="Publish", exact=True), max_presses=120)
    page.wait_for_url(re.compile(r"/publish/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish the plan")
    axe_check(page)
    # The adjustment's words are still the bank's: the author is asked to confirm them.
    expect(page.locator(".govuk-warning-text")).to_contain_text("1 entry is word for word from the strategy bank")
    confirm = page.get_by_role("checkbox", name=f"These entries are right for {forename} as they are")
    tab_to(page, confirm)
    page.keyboard.press("Space")
    expect(confirm).to_be_checked()
    activate(page, submit_button(page))

    # The plan page shows the version in force, with the outcome and the key adjustment.
    page.wait_for_url(f"{live_server.url}{plan_path(cast.pupil)}")
    expect(success_banner(page)).to_contain_text("Version 1 is now the plan in force.")
    expect(page.get_by_role("heading", name="The plan in force")).to_be_visible()
    outcomes_shown = page.locator("section[aria-labelledby=plan-section-outcomes]")
    expect(outcomes_shown).to_contain_text(outcome_text)
    expect(outcomes_shown).to_contain_text("Asks for help in most lessons, unprompted.")
    adjustments_shown = page.locator("section[aria-labelledby=plan-section-adjustments] li")
    key_adjustment = adjustments_shown.filter(has=page.locator(".govuk-tag", has_text="Key"))
    expect(key_adjustment).to_have_count(1)
    expect(key_adjustment).to_contain_text(adjustment_text[:60])
    axe_check(page)

    # The version itself, as it was published.
    activate(page, page.get_by_role("link", name="Version 1", exact=True), max_presses=120)
    page.wait_for_url(re.compile(r"/versions/[0-9a-f-]+/$"))
    expect(page.locator("main")).to_contain_text(outcome_text)
    axe_check(page)

    # A second version started from the first, so two versions can be compared.
    page.goto(f"{live_server.url}{plan_path(cast.pupil)}")
    activate(page, page.get_by_role("link", name="Start a new draft"))
    page.wait_for_url(re.compile(r"/start/$"))
    expect(page.get_by_role("radio", name="Start from the previous plan")).to_be_checked()
    activate(page, page.get_by_role("button", name="Start the draft"))
    page.wait_for_url(re.compile(r"/versions/[0-9a-f-]+/edit/$"))
    expect(page.locator("#id_about_me-important_to_me")).to_have_value("Knowing what is coming next in the day.")
    type_into(page, page.locator("#id_about_me-important_to_me"), "Knowing what is coming next, and my chess club.")
    activate(page, page.locator("#section-about_me").get_by_role("button", name="Save About me"))
    expect(page.locator("#section-about_me .govuk-notification-banner")).to_contain_text("About me saved.")
    activate(page, page.get_by_role("link", name="Back to the plan"), max_presses=120)
    page.wait_for_url(f"{live_server.url}{plan_path(cast.pupil)}")
    activate(page, page.get_by_role("button", name="Compare"), max_presses=120)
    page.wait_for_url(re.compile(r"/compare/\?"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare versions")
    expect(page.get_by_role("heading", name="Changes from version 1 to version 2")).to_be_visible()
    about_changes = page.locator("section[aria-labelledby=compare-about_me]")
    expect(about_changes.locator("ins", has_text="chess")).not_to_have_count(0)
    expect(about_changes.locator("del", has_text="day")).not_to_have_count(0)
    axe_check(page)


# ---------------------------------------------------------------------------
# 2. A secondary subject teacher opens "My classes"
# ---------------------------------------------------------------------------

MATHS_ADJUSTMENT = "Let Oswin use a multiplication square in Maths"
GENERAL_ADJUSTMENT = "Seat Oswin near the front, facing the board"


@pytest.fixture
def maths_set(cast):
    """A Year 9 maths set taught by ``teacher2``, holding ``other_pupil``, whose plan is in force."""
    actor = Actor.for_user(cast.senco)
    with scopes_disabled():
        group = f.ClassGroupFactory(
            school=cast.school,
            academic_year=cast.year,
            kind=ClassGroup.Kind.TEACHING,
            name="9 Maths set 2",
            subject="Maths",
            year_group=9,
        )
        f.GroupStaffFactory(group=group, user=cast.teacher2)
        f.EnrolmentFactory(pupil=cast.other_pupil, group=group)
        version = services.plan_start(actor=actor, pupil=cast.other_pupil)
        services.item_add(
            actor=actor,
            version=version,
            section_key="outcomes",
            fields={
                "text": "Recall times tables to 10 x 10",
                "baseline": "Knows 2, 5 and 10 times tables",
                "target": "Knows every table to 10 x 10",
                "measure": "A weekly 20-question check",
                "by_date": ACHIEVE_BY,
            },
        )
        review = services.section_for(version, "review")
        services.section_save(
            actor=actor,
            section=review,
            data={"arrangements": "Termly meeting", "next_review_on": REVIEW_ON},
            visibility="everyone",
            expected_version=review.lock_version,
        )
        # The general adjustment first, so the page has to put the Maths one ahead of it.
        for text, subject in ((GENERAL_ADJUSTMENT, ""), (MATHS_ADJUSTMENT, "Maths")):
            services.item_add(
                actor=actor,
                version=version,
                section_key="adjustments",
                fields={"text": text, "is_key": True, "subject": subject, "visibility": "everyone"},
            )
        services.plan_publish(actor=actor, version=version)
    return group


def test_subject_teacher_opens_my_classes(page, live_server, cast, maths_set):
    _, full_name = names(cast.other_pupil)
    sign_in(page, live_server, cast.teacher2)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="My classes").click()
    page.wait_for_url(f"{live_server.url}/plans/my-classes/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My classes")
    maths = page.locator("section", has=page.get_by_role("heading", name="9 Maths set 2"))
    expect(maths).to_contain_text("Maths")
    row = maths.get_by_role("row").filter(has_text=full_name)
    expect(row).to_have_count(1)
    expect(row.locator("li")).to_have_text([re.compile(f"Maths: {MATHS_ADJUSTMENT}"), GENERAL_ADJUSTMENT])
    axe_check(page)

    # The A4 sheet for the maths set, marked confidential.
    maths.get_by_role("link", name="Print this class sheet for 9 Maths set 2").click()
    page.wait_for_url(re.compile(rf"/plans/my-classes/{maths_set.public_id}/print/$"))
    expect(page.get_by_text(re.compile("^Confidential"))).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Class sheet: 9 Maths set 2")
    expect(page.locator("main")).to_contain_text(MATHS_ADJUSTMENT)
    axe_check(page)

    # The pupil's full plan, from My classes, and "I have read this plan".
    page.get_by_role("link", name="Back to my classes").click()
    page.wait_for_url(f"{live_server.url}/plans/my-classes/")
    maths.get_by_role("link", name=full_name).click()
    page.wait_for_url(f"{live_server.url}{plan_path(cast.other_pupil)}")
    expect(page.locator("main")).to_contain_text("Recall times tables to 10 x 10")
    page.get_by_role("button", name="I have read this plan").click()
    page.wait_for_url(f"{live_server.url}{plan_path(cast.other_pupil)}")
    expect(success_banner(page)).to_contain_text("You have confirmed that you have read this plan.")
    expect(page.get_by_role("button", name="I have read this plan")).to_have_count(0)
    expect(page.locator(".govuk-inset-text")).to_contain_text("You confirmed you had read this plan on")


# ---------------------------------------------------------------------------
# 3. The editor without JavaScript
# ---------------------------------------------------------------------------


def test_editor_saves_a_section_without_javascript(new_page, live_server, cast):
    with scopes_disabled():
        version = services.plan_start(actor=Actor.for_user(cast.senco), pupil=cast.pupil)
    page = new_page(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    sign_in(page, live_server, cast.senco)
    page.goto(f"{live_server.url}/plans/versions/{version.public_id}/edit/")
    assert "js-enabled" not in (page.get_attribute("body", "class") or "")

    page.locator("#id_about_me-important_to_me").fill("My dog, Biscuit.")
    page.locator("#section-about_me").get_by_role("button", name="Save About me").click()

    page.wait_for_url(re.compile(rf"/plans/versions/{version.public_id}/edit/#section-about_me$"))
    expect(success_banner(page)).to_contain_text("About me saved.")
    expect(page.locator("#id_about_me-important_to_me")).to_have_value("My dog, Biscuit.")
