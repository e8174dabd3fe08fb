"""Reading plans: the plan page, one version, read receipts, against the whole cast.

Plans are built with the services (start, save sections, add items, publish), as the
editor would. Allowed sets come from the rule table (core/access.py) and the plan
selectors: leaders see every version; the head of year, the class teacher and the TA see
only the plan in force of pupils they reach, never its restricted parts; everyone else
gets a 404.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent, Visibility
from waymark.plans import services
from waymark.plans.models import PlanVersion, ReadReceipt
from waymark.tests import factories as f
from waymark.tests.helpers import cast_mismatches

TODAY = datetime.date.today()

LEADERS = {"senco", "dsl", "head", "trust_lead"}  # every version of every pupil of School A
READERS = LEADERS | {"head_of_year", "teacher", "ta"}  # the plan in force of ``pupil``

# Words only the restricted and staff-only parts hold.
RESTRICTED_WORDS = "Contact with father arranged through the SENCO only"
STAFF_ONLY_WORDS = "Check in with her at lunchtime"


# ----- building plans the way the editor does -----


def senco_actor(cast, user=None):
    return Actor.for_user(user or cast.senco)


def add_outcome(actor, version, number, **changes):
    fields = {
        "text": f"Reads a short passage aloud with confidence, goal {number}",
        "baseline": "Reads 40 words a minute",
        "target": "Reads 70 words a minute",
        "measure": "Timed reading probe each half-term",
        "by_date": TODAY + datetime.timedelta(days=180),
        "who_checks": "Class teacher",
        **changes,
    }
    return services.item_add(actor=actor, version=version, section_key="outcomes", fields=fields)


def add_provision(actor, cast, version, number, **changes):
    fields = {
        "what": f"Precision teaching, block {number}",
        "delivered_by": cast.ta,
        "delivered_by_role": "Teaching assistant",
        "sessions_per_week": Decimal("3"),
        "minutes_per_session": 20,
        "group_size": 1,
        "starts_on": TODAY,
        "ends_on": TODAY + datetime.timedelta(days=90),
        "funding": "sen_budget",
        **changes,
    }
    return services.item_add(actor=actor, version=version, section_key="provision", fields=fields)


def save_section(actor, version, key, data, visibility=Visibility.EVERYONE):
    section = services.section_for(version, key)
    return services.section_save(
        actor=actor, section=section, data=data, visibility=visibility, expected_version=section.lock_version
    )


def write_draft(cast, *, outcomes=1, provisions=1, copy_from=None, actor=None):
    """A complete draft for ``cast.pupil``, every section filled; call inside School A's scope."""
    actor = actor or senco_actor(cast)
    version = services.plan_start(actor=actor, pupil=cast.pupil, copy_from=copy_from)
    if copy_from is not None:
        return version
    save_section(
        actor,
        version,
        "about_me",
        {
            "liked_and_admired": "Kind to younger pupils and loves drawing dragons",
            "important_to_me": "My cat Pepper and my drawing club",
            "how_to_support_me": "Tell me before plans change",
        },
    )
    save_section(actor, version, "strengths", {"strengths": "Excellent memory for facts about space"})
    save_section(
        actor,
        version,
        "responsibilities",
        {
            "school": "Run the reading sessions and share progress each half-term",
            "parents": "Read with her for ten minutes at home",
            "pupil": "Use the break card when she needs it",
        },
    )
    save_section(
        actor,
        version,
        "review",
        {"arrangements": "A meeting with the family each term", "next_review_on": TODAY + datetime.timedelta(days=120)},
    )
    services.item_add(
        actor=actor,
        version=version,
        section_key="needs",
        fields={"need": cast.need, "text": "Finds busy corridors overwhelming"},
    )
    for number in range(1, outcomes + 1):
        add_outcome(actor, version, number)
    for number in range(1, provisions + 1):
        add_provision(actor, cast, version, number)
    for text, is_key, visibility in (
        ("Seat her near the door", True, Visibility.EVERYONE),
        ("Use a visual timetable", False, Visibility.EVERYONE),
        (STAFF_ONLY_WORDS, False, Visibility.STAFF),
        (RESTRICTED_WORDS, False, Visibility.RESTRICTED),
    ):
        services.item_add(
            actor=actor,
            version=version,
            section_key="adjustments",
            fields={"text": text, "is_key": is_key, "visibility": visibility},
        )
    services.item_add(
        actor=actor,
        version=version,
        section_key="specialist_input",
        fields={
            "who": "Dr Ada Okonkwo",
            "service": "Educational Psychology Service",
            "given_on": TODAY - datetime.timedelta(days=30),
            "recommendations": "Give instructions in short chunks",
        },
    )
    return version


def publish(cast, version, actor=None):
    return services.plan_publish(actor=actor or senco_actor(cast), version=version, accept_unedited=True)


@pytest.fixture
def in_school(cast):
    with scope(school=[cast.school.pk]):
        yield


@pytest.fixture
def plans(cast):
    """Version 1 superseded, version 2 in force, version 3 a draft."""
    with scope(school=[cast.school.pk]):
        first = publish(cast, write_draft(cast))
        second = write_draft(cast, copy_from=first)
        add_outcome(senco_actor(cast), second, 2, text="Writes three sentences on her own")
        second = publish(cast, second)
        draft = write_draft(cast, copy_from=second)
    with scopes_disabled():
        first.refresh_from_db()
        second.refresh_from_db()
        draft.refresh_from_db()
    return {"superseded": first, "active": second, "draft": draft}


def text_of(response):
    """The page's visible words, tags removed and spaces collapsed."""
    import html

    body = response.content.decode()
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


# ----- who may open what -----

PAGES = {
    "plan-detail": (lambda c, p: reverse("plans:plan-detail", args=[c.pupil.public_id]), READERS),
    "plan-detail-other-pupil": (
        lambda c, p: reverse("plans:plan-detail", args=[c.other_pupil.public_id]),
        LEADERS | {"teacher2"},
    ),
    "plan-detail-other-school": (
        lambda c, p: reverse("plans:plan-detail", args=[c.other_school_pupil.public_id]),
        {"other_senco"},
    ),
    "version-detail-active": (lambda c, p: reverse("plans:version-detail", args=[p["active"].public_id]), READERS),
    "version-detail-superseded": (
        lambda c, p: reverse("plans:version-detail", args=[p["superseded"].public_id]),
        LEADERS,
    ),
    "version-detail-draft": (lambda c, p: reverse("plans:version-detail", args=[p["draft"].public_id]), LEADERS),
    "version-compare": (lambda c, p: reverse("plans:version-compare", args=[c.pupil.public_id]), READERS),
    "version-pdf-active": (lambda c, p: reverse("plans:version-pdf", args=[p["active"].public_id]), READERS),
    "version-docx-active": (lambda c, p: reverse("plans:version-docx", args=[p["active"].public_id]), READERS),
    "version-pdf-superseded": (
        lambda c, p: reverse("plans:version-pdf", args=[p["superseded"].public_id]),
        LEADERS,
    ),
    "version-docx-draft": (lambda c, p: reverse("plans:version-docx", args=[p["draft"].public_id]), LEADERS),
}
SLOW_PAGES = {"version-pdf-active", "version-pdf-superseded"}


@pytest.mark.parametrize("page", PAGES)
def test_who_may_open_each_page(cast, plans, client_for, page):
    build_url, allowed = PAGES[page]
    url = build_url(cast, plans)
    wrong = cast_mismatches(cast, client_for, url, allowed)
    assert not wrong, f"{page} ({url}):\n" + "\n".join(wrong)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_sign_in(cast, plans, client_for, page):
    response = client_for(None).get(PAGES[page][0](cast, plans))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_deputy_senco_sees_every_version_and_may_edit(cast, plans, client_for):
    with scopes_disabled():
        deputy = f.MembershipFactory(school=cast.school, roles=["deputy_senco"]).user
    client = client_for(deputy)
    for version in plans.values():
        assert client.get(reverse("plans:version-detail", args=[version.public_id])).status_code == 200
    page = client.get(reverse("plans:plan-detail", args=[cast.pupil.public_id]))
    assert page.status_code == 200
    assert page.context["can_edit"] is True
    # A deputy does not see restricted parts: only the SENCO and the DSL do.
    assert RESTRICTED_WORDS not in text_of(page)


def test_an_unknown_or_other_schools_version_is_missing(cast, plans, client_for):
    import uuid

    client = client_for(cast.senco)
    assert client.get(reverse("plans:version-detail", args=[uuid.uuid4()])).status_code == 404
    # A pupil's id is not a version's id.
    assert client.get(reverse("plans:version-detail", args=[cast.pupil.public_id])).status_code == 404
    assert (
        client_for(cast.other_senco).get(reverse("plans:version-pdf", args=[plans["active"].public_id])).status_code
        == 404
    )


def test_pages_only_answer_their_methods(cast, plans, client_for):
    client = client_for(cast.senco)
    assert client.post(reverse("plans:version-detail", args=[plans["active"].public_id])).status_code == 405
    assert client.post(reverse("plans:plan-detail", args=[cast.pupil.public_id])).status_code == 405
    assert client.get(reverse("plans:version-read", args=[plans["active"].public_id])).status_code == 405


# ----- what each reader sees -----


def test_the_plan_page_shows_the_plan_in_force_in_full(cast, plans, client_for):
    response = client_for(cast.senco).get(reverse("plans:plan-detail", args=[cast.pupil.public_id]))
    page = text_of(response)
    for words in (
        "Version 2",
        "Kind to younger pupils and loves drawing dragons",
        "Writes three sentences on her own",  # only in version 2
        "Reads 70 words a minute",
        "Precision teaching, block 1",
        "3 times a week, 20 minutes",
        "1 to 1",
        "Tariq Assistant (Teaching assistant)",
        "School SEN budget",
        "Dr Ada Okonkwo, Educational Psychology Service",
        "ASD",
        RESTRICTED_WORDS,
        STAFF_ONLY_WORDS,
    ):
        assert words in page, words
    # Key adjustments come first and are tagged.
    assert page.index("Key Seat her near the door") < page.index("Use a visual timetable")
    # Every version the SENCO may see is listed and linked.
    for version in plans.values():
        assert reverse("plans:version-detail", args=[version.public_id]) in response.content.decode()
    assert response.context["compare_form"] is not None
    assert AuditEvent.objects.filter(action="plans.version.viewed", target_id=str(plans["active"].public_id)).exists()


def test_dates_are_written_out(cast, plans, client_for):
    page = text_of(client_for(cast.senco).get(reverse("plans:version-detail", args=[plans["active"].public_id])))
    by_date = TODAY + datetime.timedelta(days=180)
    assert f"{by_date.day} {by_date:%B} {by_date.year}" in page


def test_a_teacher_sees_only_the_plan_in_force_and_never_its_restricted_parts(cast, plans, client_for):
    for who in ("teacher", "ta", "head_of_year"):
        response = client_for(getattr(cast, who)).get(reverse("plans:plan-detail", args=[cast.pupil.public_id]))
        page = text_of(response)
        assert "Writes three sentences on her own" in page
        assert STAFF_ONLY_WORDS in page, who
        assert RESTRICTED_WORDS not in page, who
        assert [v.pk for v in response.context["versions"]] == [plans["active"].pk], who
        assert response.context["compare_form"] is None
        assert "Edit the draft" not in page
        detail = text_of(
            client_for(getattr(cast, who)).get(reverse("plans:version-detail", args=[plans["active"].public_id]))
        )
        assert RESTRICTED_WORDS not in detail and STAFF_ONLY_WORDS in detail


def test_restricted_parts_are_tagged_for_those_who_may_see_them(cast, plans, client_for):
    for who, sees in (("senco", True), ("dsl", True), ("head", False), ("trust_lead", False)):
        page = text_of(
            client_for(getattr(cast, who)).get(reverse("plans:version-detail", args=[plans["active"].public_id]))
        )
        assert (RESTRICTED_WORDS in page) is sees, who
        assert (f"{RESTRICTED_WORDS} Restricted" in page) is sees, who
        assert f"{STAFF_ONLY_WORDS} Staff only" in page, who


def test_a_restricted_text_section_is_left_out_for_a_teacher(cast, client_for):
    with scope(school=[cast.school.pk]):
        draft = write_draft(cast)
        save_section(senco_actor(cast), draft, "strengths", {"strengths": "A private strength"}, Visibility.RESTRICTED)
        publish(cast, draft)
    teacher = text_of(client_for(cast.teacher).get(reverse("plans:plan-detail", args=[cast.pupil.public_id])))
    senco = text_of(client_for(cast.senco).get(reverse("plans:plan-detail", args=[cast.pupil.public_id])))
    assert "A private strength" not in teacher and "My strengths" not in teacher
    assert "A private strength" in senco and "My strengths Restricted" in senco


def test_version_pages_say_where_each_version_stands(cast, plans, client_for):
    client = client_for(cast.senco)
    draft = text_of(client.get(reverse("plans:version-detail", args=[plans["draft"].public_id])))
    assert "This is a draft" in draft
    superseded = text_of(client.get(reverse("plans:version-detail", args=[plans["superseded"].public_id])))
    assert "Superseded on" in superseded
    assert "Writes three sentences on her own" not in superseded  # version 1 never had it
    active = text_of(client.get(reverse("plans:version-detail", args=[plans["active"].public_id])))
    assert "This is the plan in force" in active
    assert f"{plans['active'].published_at.day} " in active and "by Sam Senco" in active
    with scope(school=[cast.school.pk]):
        services.plan_close(actor=senco_actor(cast), version=plans["active"])
    closed = text_of(client.get(reverse("plans:version-detail", args=[plans["active"].public_id])))
    assert "Closed on" in closed


def test_a_draft_is_shown_as_it_stands(cast, plans, client_for):
    with scope(school=[cast.school.pk]):
        add_outcome(senco_actor(cast), plans["draft"], 9, text="Joins a lunchtime club")
    page = text_of(client_for(cast.senco).get(reverse("plans:version-detail", args=[plans["draft"].public_id])))
    assert "Joins a lunchtime club" in page


def test_editors_get_edit_and_start_links_and_nobody_else(cast, plans, client_for):
    senco = client_for(cast.senco).get(reverse("plans:plan-detail", args=[cast.pupil.public_id]))
    assert senco.context["can_edit"] is True
    assert senco.context["draft"].pk == plans["draft"].pk
    for who in ("head", "dsl", "trust_lead", "teacher"):
        response = client_for(getattr(cast, who)).get(reverse("plans:plan-detail", args=[cast.pupil.public_id]))
        assert response.context["can_edit"] is False, who
        assert "Edit the draft" not in text_of(response) and "Start a new draft" not in text_of(response)


def test_a_pupil_without_a_plan(cast, client_for):
    response = client_for(cast.senco).get(reverse("plans:plan-detail", args=[cast.pupil.public_id]))
    assert response.status_code == 200
    assert "has no plan in force" in text_of(response)
    assert response.context["versions"] == []
    teacher = client_for(cast.teacher).get(reverse("plans:plan-detail", args=[cast.pupil.public_id]))
    assert "has no plan in force" in text_of(teacher)
    assert not AuditEvent.objects.filter(action="plans.version.viewed").exists()


def test_a_teacher_sees_no_plan_while_the_only_version_is_a_draft(cast, client_for, in_school):
    write_draft(cast)
    response = client_for(cast.teacher).get(reverse("plans:plan-detail", args=[cast.pupil.public_id]))
    assert "has no plan in force" in text_of(response)
    assert response.context["versions"] == []


# ----- "I have read this plan" -----


def test_teachers_confirm_they_have_read_it_and_the_senco_sees_who_has_not(cast, plans, client_for):
    url = reverse("plans:plan-detail", args=[cast.pupil.public_id])
    teacher = client_for(cast.teacher)
    assert "I have read this plan" in text_of(teacher.get(url))
    response = teacher.post(reverse("plans:version-read", args=[plans["active"].public_id]))
    assert response.status_code == 302 and response["Location"] == url
    with scopes_disabled():
        assert ReadReceipt.objects.filter(version=plans["active"], user=cast.teacher).exists()
    after = text_of(teacher.get(url))
    assert "I have read this plan" not in after and "You confirmed you had read this plan on" in after
    # Confirming twice keeps one receipt and one audit event.
    teacher.post(reverse("plans:version-read", args=[plans["active"].public_id]))
    assert AuditEvent.objects.filter(action="plans.version.read_confirmed").count() == 1

    senco = client_for(cast.senco).get(url)
    readers = {reader.user.pk: reader for reader in senco.context["readers"]}
    assert set(readers) == {cast.teacher.pk, cast.ta.pk}  # not last year's teacher, not teacher2
    assert readers[cast.teacher.pk].has_read and not readers[cast.ta.pk].has_read
    page = text_of(senco)
    assert f"Tess Teacher 8A (teacher) Read on {TODAY.day} {TODAY:%B} {TODAY.year}" in page
    assert "Tariq Assistant 8A (teaching assistant) Not yet read" in page
    # Only editors see the table.
    assert client_for(cast.head).get(url).context["readers"] == []
    assert "Who has read this plan" not in text_of(client_for(cast.teacher).get(url))


def test_leaders_who_do_not_teach_the_pupil_are_not_asked_to_confirm(cast, plans, client_for):
    page = text_of(client_for(cast.head_of_year).get(reverse("plans:plan-detail", args=[cast.pupil.public_id])))
    assert "I have read this plan" not in page


def test_only_the_plan_in_force_can_be_confirmed_and_only_by_those_who_reach_it(cast, plans, client_for):
    superseded = reverse("plans:version-read", args=[plans["superseded"].public_id])
    assert client_for(cast.teacher).post(superseded).status_code == 404  # teachers cannot reach it at all
    response = client_for(cast.senco).post(superseded, follow=True)
    assert "You can only confirm you have read the plan in force" in text_of(response)
    for who in ("last_year_teacher", "governor", "parent", "specialist", "other_senco"):
        response = client_for(getattr(cast, who)).post(reverse("plans:version-read", args=[plans["active"].public_id]))
        assert response.status_code == 404, who
    with scopes_disabled():
        assert not ReadReceipt.objects.exists()


# ----- snapshot immutability -----


def test_what_was_published_never_changes_on_the_page(cast, client_for):
    from waymark.plans.models import BankEntry, PlanTemplate

    bank = BankEntry.objects.create(
        kind=BankEntry.Kind.ADJUSTMENT, text="Offer a movement break every twenty minutes", rationale="Regulation"
    )
    with scope(school=[cast.school.pk]):
        draft = write_draft(cast)
        services.item_add(
            actor=senco_actor(cast),
            version=draft,
            section_key="adjustments",
            fields={"text": bank.text},
            bank_entry=bank,
            bank_text=bank.text,
        )
        version = publish(cast, draft)
    template = PlanTemplate.objects.get(pk=version.template_id)
    template.sections = [{**section, "label": f"Renamed {section['key']}"} for section in template.sections]
    template.save()
    bank.text = "A completely different bank text"
    bank.save()
    with scopes_disabled():
        for user, name in ((cast.senco, "Sam Renamed"), (cast.ta, "Tariq Renamed")):
            user.full_name = name
            user.save()
    page = text_of(client_for(cast.senco).get(reverse("plans:version-detail", args=[version.public_id])))
    for old in (
        "Intended outcomes",
        "Provision and how it is delivered",
        "Offer a movement break every twenty minutes",
        "Plan owner Sam Senco",
        "Tariq Assistant (Teaching assistant)",
    ):
        assert old in page, old
    for new in ("Renamed outcomes", "A completely different bank text", "Tariq Renamed"):
        assert new not in page, new


# ----- fixed query counts -----


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("state", ["active", "draft"])
def test_pages_run_the_same_queries_for_3_or_30_outcomes_and_provisions(cast, client_for, state):
    counts = {}
    for size in (3, 30):
        with scopes_disabled():
            PlanVersion.objects.all().delete()
        with scope(school=[cast.school.pk]):
            version = write_draft(cast, outcomes=size, provisions=size)
            if state == "active":
                version = publish(cast, version)
        client = client_for(cast.senco)
        counts[size] = (
            _queries(client, reverse("plans:plan-detail", args=[cast.pupil.public_id])),
            _queries(client, reverse("plans:version-detail", args=[version.public_id])),
        )
    assert counts[3] == counts[30], counts
