"""The strategy bank and plan template pages: who may open them, bad input, stale saves, copies.

Only the SENCO and deputy SENCO manage the bank and templates; the head may read the
template list. Everyone else gets a 404. Another school's SENCO has pages of their own,
but School A's entries and templates are missing to them.
"""

import copy
import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent
from waymark.core.services import STALE_MESSAGE
from waymark.plans import bank_services
from waymark.plans.bank_data import ENTRIES, builtin_public_id
from waymark.plans.models import BankEntry, PlanTemplate, PlanVersion
from waymark.plans.sections import SECTION_KINDS
from waymark.plans.selectors import bank_for
from waymark.plans.services import default_template, item_add, plan_publish, plan_start, section_for, section_save
from waymark.pupils.models import AreaOfNeed
from waymark.tests import factories as f
from waymark.tests.helpers import cast_mismatches, error_summary

TODAY = datetime.date.today()
MANAGERS = {"senco", "deputy"}


@pytest.fixture
def setup(cast):
    """The cast, a deputy SENCO in School A, one entry and one template of School A's own."""
    with scopes_disabled():
        cast.deputy = f.MembershipFactory(school=cast.school, roles=["deputy_senco"]).user
    cast.people = {**cast.people, "deputy": cast.deputy}
    cast.builtin = BankEntry.objects.get(public_id=builtin_public_id("ci-a01"))
    cast.own_entry = BankEntry.objects.create(
        school=cast.school,
        kind="adjustment",
        text="Let {name} sit near the window seat in art.",
        rationale="Good light for close work.",
    )
    cast.isp = PlanTemplate.objects.get(is_builtin=True, name="Individual Support Plan")
    cast.own_template = PlanTemplate.objects.create(
        school=cast.school, name="Ashdown plan", sections=copy.deepcopy(cast.isp.sections)
    )
    return cast


def actor_for(user):
    return Actor.for_user(user)


# ----- who may open each page -----

PAGES = {
    "bank-list": (lambda c: reverse("plans:bank-list"), MANAGERS | {"other_senco"}),
    "bank-entry-create": (lambda c: reverse("plans:bank-entry-create"), MANAGERS | {"other_senco"}),
    # A built-in is in every school's bank: the other school's SENCO may make their own version too.
    "bank-entry-edit-builtin": (
        lambda c: reverse("plans:bank-entry-edit", args=[c.builtin.public_id]),
        MANAGERS | {"other_senco"},
    ),
    "bank-entry-edit-own": (lambda c: reverse("plans:bank-entry-edit", args=[c.own_entry.public_id]), MANAGERS),
    "template-list": (lambda c: reverse("plans:template-list"), MANAGERS | {"head", "other_senco"}),
    "template-copy-builtin": (
        lambda c: reverse("plans:template-copy", args=[c.isp.public_id]),
        MANAGERS | {"other_senco"},
    ),
    "template-copy-own": (lambda c: reverse("plans:template-copy", args=[c.own_template.public_id]), MANAGERS),
    "template-edit-own": (lambda c: reverse("plans:template-edit", args=[c.own_template.public_id]), MANAGERS),
    # Built-ins are never edited in place, by anyone: they are copied first.
    "template-edit-builtin": (lambda c: reverse("plans:template-edit", args=[c.isp.public_id]), set()),
}


@pytest.mark.parametrize("page", PAGES)
def test_who_may_open_each_page(setup, client_for, page):
    build_url, allowed = PAGES[page]
    url = build_url(setup)
    wrong = cast_mismatches(setup, client_for, url, allowed)
    assert not wrong, f"{page} ({url}):\n" + "\n".join(wrong)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_sign_in(setup, client_for, page):
    response = client_for(None).get(PAGES[page][0](setup))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def _state():
    return {
        "entries": list(BankEntry.objects.order_by("pk").values_list("pk", "text", "lock_version", "school_id")),
        "templates": list(
            PlanTemplate.objects.order_by("pk").values_list("pk", "name", "sections", "is_default", "lock_version")
        ),
        "audit": AuditEvent.objects.count(),
    }


def _posts(c):
    entry = entry_post(text="Give {name} a quiet place to work.", rationale="Fewer distractions.")
    return {
        reverse("plans:bank-entry-create"): entry,
        reverse("plans:bank-entry-edit", args=[c.builtin.public_id]): {**entry, "lock_version": "0"},
        reverse("plans:bank-entry-edit", args=[c.own_entry.public_id]): {**entry, "lock_version": "0"},
        reverse("plans:template-copy", args=[c.isp.public_id]): {"name": "Stolen copy"},
        reverse("plans:template-edit", args=[c.own_template.public_id]): template_post(c.own_template, name="Hacked"),
        reverse("plans:template-edit", args=[c.isp.public_id]): template_post(c.isp, name="Hacked built-in"),
    }


@pytest.mark.parametrize(
    "person", ["head", "dsl", "head_of_year", "teacher", "ta", "governor", "parent", "specialist", "trust_lead"]
)
def test_forbidden_posts_are_missing_and_change_nothing(setup, client_for, person):
    client = client_for(getattr(setup, person))
    before = _state()
    for url, data in _posts(setup).items():
        assert client.post(url, data).status_code == 404, url
    assert _state() == before


def test_other_schools_senco_cannot_touch_school_a(setup, client_for):
    client = client_for(setup.other_senco)
    before = _state()
    posts = _posts(setup)
    for url in (
        reverse("plans:bank-entry-edit", args=[setup.own_entry.public_id]),
        reverse("plans:template-edit", args=[setup.own_template.public_id]),
        reverse("plans:template-edit", args=[setup.isp.public_id]),
    ):
        assert client.post(url, posts[url]).status_code == 404
    assert _state() == before


def test_head_reads_templates_without_actions(setup, client_for):
    html = client_for(setup.head).get(reverse("plans:template-list")).content.decode()
    assert "Ashdown plan" in html and "Individual Support Plan" in html
    assert reverse("plans:template-copy", args=[setup.isp.public_id]) not in html
    assert reverse("plans:template-edit", args=[setup.own_template.public_id]) not in html


# ----- services check permission again -----


def test_services_refuse_people_without_the_capability(setup):
    for person in ("head", "teacher", "dsl", "trust_lead"):
        actor = actor_for(getattr(setup, person))
        with pytest.raises(PermissionDenied):
            bank_services.bank_entry_create(actor=actor, kind="strategy", text="Anything new", rationale="Reason")
        with pytest.raises(PermissionDenied):
            bank_services.template_copy(actor=actor, template=setup.isp, name="Mine")
    other = actor_for(setup.other_senco)
    with pytest.raises(PermissionDenied):
        bank_services.bank_entry_update(
            actor=other, entry=setup.own_entry, expected_version=0, kind="strategy", text="Mine now", rationale="R"
        )
    with pytest.raises(PermissionDenied):
        bank_services.template_update(
            actor=other,
            template=setup.own_template,
            expected_version=0,
            name="Mine",
            sections=bank_services.template_rows(setup.own_template),
            is_default=False,
        )


# ----- the bank list -----


def test_bank_list_counts_pages_and_filters(setup, client_for, django_assert_max_num_queries):
    client = client_for(setup.senco)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("plans:bank-list"))
    html = response.content.decode()
    assert re.search(rf"\b{len(ENTRIES) + 1} entries", html)
    assert "page=2" in html  # paged on the server
    assert 'aria-labelledby="bank-caption"' in html

    html = client.get(reverse("plans:bank-list"), {"q": "window seat"}).content.decode()
    assert re.search(r"\b1 entry\b", html) and "near the window seat" in html

    html = client.get(reverse("plans:bank-list"), {"need": "MSI", "kind": "outcome"}).content.decode()
    expected = [e for e in ENTRIES if "MSI" in e["need_codes"] and e["kind"] == "outcome"]
    assert re.search(rf"\b{len(expected)} entr", html)

    html = client.get(reverse("plans:bank-list"), {"area": "semh", "kind": "adjustment"}).content.decode()
    semh = [e for e in ENTRIES if e["area"] == "semh" and e["kind"] == "adjustment"]
    assert re.search(rf"\b{len(semh)} entr", html)
    # A nonsense filter is ignored, not an error page.
    assert client.get(reverse("plans:bank-list"), {"kind": "nonsense", "page": "99"}).status_code == 200


def test_bank_list_shows_each_school_its_own_entries(setup, client_for):
    html = client_for(setup.other_senco).get(reverse("plans:bank-list"), {"q": "window seat"}).content.decode()
    assert re.search(r"\b0 entries", html)


# ----- adding and changing entries -----


def entry_post(**changes):
    data = {
        "kind": "adjustment",
        "text": "Give {name} a printed copy of the homework.",
        "rationale": "Removes a copying barrier.",
        "area": "",
        "subject": "",
    }
    data.update(changes)
    return data


def test_senco_adds_an_entry(setup, client_for):
    area = AreaOfNeed.objects.get(code="cognition-learning")
    response = client_for(setup.deputy).post(
        reverse("plans:bank-entry-create"),
        {**entry_post(area=area.code), "need_codes": ["SPLD", "MLD"]},
    )
    assert response.status_code == 302
    entry = BankEntry.objects.get(text="Give {name} a printed copy of the homework.")
    assert entry.school == setup.school and entry.area == area and entry.need_codes == ["MLD", "SPLD"]
    event = AuditEvent.objects.get(action="plans.bank_entry.saved")
    assert event.school == setup.school and event.target_id == str(entry.public_id)
    assert entry in bank_for(setup.school)
    assert entry not in bank_for(setup.other_school)


BAD_ENTRIES = {
    "empty text": (entry_post(text="   "), "Enter the text of the entry."),
    "missing rationale": (entry_post(rationale=""), "Say briefly why it helps"),
    "unknown placeholder": (
        entry_post(text="Give {nmae} extra time."),
        "{nmae} is not a placeholder Waymark knows. Use only {name}, {they}, {them} or {their}",
    ),
    "stray brace": (entry_post(text="Give {name extra time."), "a { or } that is not part of a placeholder"),
    "duplicate of a built-in": (
        entry_post(text=ENTRIES[0]["text"].replace(" one ", "  ONE  ")),
        "already has an entry with exactly this text",
    ),
    "adjustment too long": (entry_post(text="Give {name} " + "time " * 60), "must be 250 characters or fewer"),
    "no kind": (entry_post(kind=""), "Select kind of entry"),
    "unknown need code": ({**entry_post(), "need_codes": ["XYZ"]}, "Choose need codes from the list."),
}


@pytest.mark.parametrize("case", BAD_ENTRIES)
def test_bad_entries_are_refused_with_a_clear_message(setup, client_for, case):
    data, message = BAD_ENTRIES[case]
    before = _state()
    response = client_for(setup.senco).post(reverse("plans:bank-entry-create"), data)
    assert response.status_code == 200
    assert message in error_summary(response)
    assert _state() == before


def test_a_capitalised_placeholder_may_start_a_sentence(setup):
    entry = bank_services.bank_entry_create(
        actor=actor_for(setup.senco),
        kind="strategy",
        text="Meet {name} at the gate. {They} will then walk in with {their} key adult.",
        rationale="A calm start to the day.",
    )
    assert entry.school == setup.school
    assert bank_services.placeholder_problems("{ name } and {THEY}") == [
        "{ name } is not a placeholder Waymark knows. Use only {name}, {they}, {them} or {their} "
        "(with a capital at the start of a sentence, such as {They}).",
        "{THEY} is not a placeholder Waymark knows. Use only {name}, {they}, {them} or {their} "
        "(with a capital at the start of a sentence, such as {They}).",
    ]


def test_service_refuses_bad_entries_too(setup):
    actor = actor_for(setup.senco)
    with pytest.raises(ValidationError) as caught:
        bank_services.bank_entry_create(actor=actor, kind="strategy", text="Help {nmae} {their}", rationale="")
    messages = caught.value.message_dict
    assert "{nmae}" in " ".join(messages["text"])
    assert messages["rationale"]


def test_editing_a_builtin_makes_the_schools_copy(setup, client_for):
    builtin = setup.builtin
    original = (builtin.text, builtin.rationale, builtin.lock_version)
    client = client_for(setup.senco)
    page = client.get(reverse("plans:bank-entry-edit", args=[builtin.public_id])).content.decode()
    assert "This is a built-in entry" in page

    new_text = "Give {name} one instruction at a time, written on a sticky note."
    response = client.post(
        reverse("plans:bank-entry-edit", args=[builtin.public_id]),
        {**entry_post(kind="adjustment", text=new_text, rationale=builtin.rationale), "lock_version": "0"},
    )
    assert response.status_code == 302
    builtin.refresh_from_db()
    assert (builtin.text, builtin.rationale, builtin.lock_version) == original
    school_copy = BankEntry.objects.get(school=setup.school, replaces=builtin)
    assert school_copy.text == new_text

    mine = bank_for(setup.school)
    assert school_copy in mine and builtin not in mine
    theirs = bank_for(setup.other_school)
    assert builtin in theirs and school_copy not in theirs
    assert AuditEvent.objects.filter(action="plans.bank_entry.saved", target_id=str(school_copy.public_id)).exists()

    # Opening the built-in again leads to the school's own version, not a second copy.
    again = client.get(reverse("plans:bank-entry-edit", args=[builtin.public_id]))
    assert again.status_code == 302
    assert again["Location"] == reverse("plans:bank-entry-edit", args=[school_copy.public_id])
    with pytest.raises(ValidationError):
        bank_services.bank_entry_update(
            actor=actor_for(setup.senco),
            entry=builtin,
            expected_version=0,
            kind="adjustment",
            text="A second copy",
            rationale="R",
        )
    # The school's version may keep the built-in's words for a while without counting as a duplicate.
    response = client.post(
        reverse("plans:bank-entry-edit", args=[school_copy.public_id]),
        {**entry_post(text=builtin.text, rationale="Our reason"), "lock_version": str(school_copy.lock_version)},
    )
    assert response.status_code == 302


def test_own_entry_edits_in_place_and_refuses_a_stale_save(setup, client_for):
    entry = setup.own_entry
    url = reverse("plans:bank-entry-edit", args=[entry.public_id])
    client = client_for(setup.senco)
    first = client.post(url, {**entry_post(text="Let {name} sit by the window in art."), "lock_version": "0"})
    assert first.status_code == 302
    entry.refresh_from_db()
    assert entry.text == "Let {name} sit by the window in art." and entry.lock_version == 1
    assert BankEntry.objects.filter(school=setup.school).count() == 1

    before = _state()
    stale = client_for(setup.deputy).post(
        url, {**entry_post(text="Let {name} choose where to sit in art."), "lock_version": "0"}
    )
    assert stale.status_code == 200
    assert str(STALE_MESSAGE) in error_summary(stale)
    html = stale.content.decode()
    assert "Your changes, not saved" in html and "choose where to sit in art" in html  # nothing typed is lost
    assert 'name="lock_version" value="1"' in html  # the form now holds the saved version
    assert _state() == before


# ----- templates -----


def template_post(template, **changes):
    rows = bank_services.template_rows(template)
    data = {
        "name": template.name,
        "description": template.description,
        "lock_version": str(template.lock_version),
    }
    if template.is_default:
        data["is_default"] = "on"
    for row in rows:
        key = row["key"]
        if row["included"]:
            data[f"{key}-included"] = "on"
        data[f"{key}-order"] = str(row["order"])
        data[f"{key}-label"] = row["label"]
        data[f"{key}-help_text"] = row["help_text"]
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_template_list_shows_every_kind_and_the_default(setup, client_for):
    trust_template = PlanTemplate.objects.create(trust=setup.trust, name="Downland trust plan", sections=[])
    html = client_for(setup.senco).get(reverse("plans:template-list")).content.decode()
    for name in ("Ashdown plan", "Downland trust plan", "Individual Support Plan", "SEN support plan"):
        assert name in html
    assert "New plans at your school start from ‘Individual Support Plan’" in html
    assert reverse("plans:template-copy", args=[trust_template.public_id]) in html
    assert reverse("plans:template-edit", args=[trust_template.public_id]) not in html
    assert reverse("plans:template-edit", args=[setup.isp.public_id]) not in html


def test_copy_a_builtin_template(setup, client_for):
    client = client_for(setup.senco)
    page = client.get(reverse("plans:template-copy", args=[setup.isp.public_id])).content.decode()
    assert "Individual Support Plan (Ashdown Academy)" in page
    response = client.post(reverse("plans:template-copy", args=[setup.isp.public_id]), {"name": "Our ISP"})
    copied = PlanTemplate.objects.get(school=setup.school, name="Our ISP")
    assert response["Location"] == reverse("plans:template-edit", args=[copied.public_id])
    assert copied.sections == setup.isp.sections and not copied.is_builtin and not copied.is_default
    assert AuditEvent.objects.filter(action="plans.template.updated", target_id=str(copied.public_id)).exists()

    # Names are unique among the templates a school can use.
    clash = client.post(reverse("plans:template-copy", args=[setup.isp.public_id]), {"name": "individual support plan"})
    assert "There is already a template called" in error_summary(clash)
    empty = client.post(reverse("plans:template-copy", args=[setup.isp.public_id]), {"name": " "})
    assert "Enter a name for the template." in error_summary(empty)


def test_edit_labels_order_inclusion_and_default(setup, client_for):
    template = setup.own_template
    data = template_post(
        template,
        name="Ashdown plan 2027",
        is_default="on",
        **{
            "about_me-label": "All about me",
            "about_me-order": "3",
            "strengths-order": "1",
            "needs-order": "2",
            "specialist_input-included": None,
            "ehc_plan-help_text": "Only for pupils with an EHC plan.",
        },
    )
    response = client_for(setup.deputy).post(reverse("plans:template-edit", args=[template.public_id]), data)
    assert response.status_code == 302, error_summary(response)
    template.refresh_from_db()
    keys = [section["key"] for section in template.sections]
    assert keys[:3] == ["strengths", "needs", "about_me"]
    assert "specialist_input" not in keys
    assert template.sections[2]["label"] == "All about me"
    assert template.name == "Ashdown plan 2027" and template.is_default and template.lock_version == 1
    assert default_template(setup.school) == template
    assert default_template(setup.other_school) == setup.isp
    setup.isp.refresh_from_db()
    assert setup.isp.is_default  # the built-in is untouched

    # Only one default per school.
    second = bank_services.template_copy(actor=actor_for(setup.senco), template=setup.isp, name="Second")
    bank_services.template_update(
        actor=actor_for(setup.senco),
        template=second,
        expected_version=second.lock_version,
        name="Second",
        sections=bank_services.template_rows(second),
        is_default=True,
    )
    template.refresh_from_db()
    assert not template.is_default
    assert default_template(setup.school) == second

    # An excluded section comes back on the form with the engine's wording, ready to include again.
    page = client_for(setup.senco).get(reverse("plans:template-edit", args=[template.public_id])).content.decode()
    assert str(SECTION_KINDS["specialist_input"][1]) in page


BAD_TEMPLATES = {
    "duplicate section order": (
        {"about_me-order": "2", "strengths-order": "2"},
        "has the same order (2) as another section",
    ),
    "empty label": ({"outcomes-label": " "}, "Enter a label for the section 'Outcomes'."),
    "outcomes left out": ({"outcomes-included": None}, "Include the section 'Outcomes'"),
    "order not a number": ({"needs-order": "first"}, "must be a whole number"),
    "order zero": ({"needs-order": "0"}, "must be 1 or more"),
    "empty name": ({"name": ""}, "Enter a name for the template."),
    "name of a built-in": ({"name": "Individual Support Plan"}, "There is already a template called"),
}


@pytest.mark.parametrize("case", BAD_TEMPLATES)
def test_bad_template_edits_are_refused(setup, client_for, case):
    changes, message = BAD_TEMPLATES[case]
    before = _state()
    response = client_for(setup.senco).post(
        reverse("plans:template-edit", args=[setup.own_template.public_id]),
        template_post(setup.own_template, **changes),
    )
    assert response.status_code == 200
    assert message in error_summary(response)
    assert _state() == before


def test_service_refuses_bad_sections(setup):
    rows = bank_services.template_rows(setup.own_template)
    for row in rows:
        row["order"] = 1
    with pytest.raises(ValidationError) as caught:
        bank_services.template_update(
            actor=actor_for(setup.senco),
            template=setup.own_template,
            expected_version=0,
            name="Ashdown plan",
            sections=rows,
            is_default=False,
        )
    assert "More than one section has the order 1" in " ".join(caught.value.messages)


def test_template_stale_save_is_refused(setup, client_for):
    url = reverse("plans:template-edit", args=[setup.own_template.public_id])
    data = template_post(setup.own_template)
    assert client_for(setup.senco).post(url, {**data, "name": "First save"}).status_code == 302
    before = _state()
    stale = client_for(setup.deputy).post(url, {**data, "name": "Second save"})
    assert str(STALE_MESSAGE) in error_summary(stale)
    assert "First save" in stale.content.decode()
    assert _state() == before


def test_service_edit_of_a_builtin_template_makes_a_copy(setup):
    rows = bank_services.template_rows(setup.isp)
    rows[0]["label"] = "Me, in my words"
    before = copy.deepcopy(setup.isp.sections)
    result = bank_services.template_update(
        actor=actor_for(setup.senco),
        template=setup.isp,
        expected_version=setup.isp.lock_version,
        name="Our ISP",
        sections=rows,
        is_default=False,
    )
    setup.isp.refresh_from_db()
    assert setup.isp.sections == before
    assert result.pk != setup.isp.pk and result.school == setup.school
    assert result.sections[0]["label"] == "Me, in my words"


def test_editing_a_template_never_changes_a_published_version(setup):
    actor = actor_for(setup.senco)
    with scope(school=[setup.school.pk]):
        version = plan_start(actor=actor, pupil=setup.pupil, template=setup.own_template)
        item_add(
            actor=actor,
            version=version,
            section_key="outcomes",
            fields={
                "text": "Zephyrine will follow two-step instructions.",
                "baseline": "One step",
                "target": "Two steps",
                "measure": "Observation",
                "by_date": TODAY + datetime.timedelta(days=90),
            },
        )
        review = section_for(version, "review")
        section_save(
            actor=actor,
            section=review,
            data={"arrangements": "Termly meeting", "next_review_on": TODAY + datetime.timedelta(days=90)},
            visibility="everyone",
            expected_version=review.lock_version,
        )
        plan_publish(actor=actor, version=version, accept_unedited=True)
        published = PlanVersion.objects.get(pk=version.pk)
    frozen = copy.deepcopy(published.snapshot)
    old_label = next(s["label"] for s in frozen["sections"] if s["key"] == "outcomes")

    template = PlanTemplate.objects.get(pk=setup.own_template.pk)
    rows = bank_services.template_rows(template)
    for row in rows:
        if row["key"] == "outcomes":
            row["label"] = "What we are aiming for"
        if row["key"] == "about_me":
            row["included"] = False
    bank_services.template_update(
        actor=actor,
        template=template,
        expected_version=template.lock_version,
        name="Ashdown plan, renamed",
        sections=rows,
        is_default=True,
    )

    with scopes_disabled():
        published.refresh_from_db()
    assert published.status == PlanVersion.Status.ACTIVE
    assert published.snapshot == frozen
    assert next(s["label"] for s in published.snapshot["sections"] if s["key"] == "outcomes") == old_label
    assert any(s["key"] == "about_me" for s in published.snapshot["sections"])
