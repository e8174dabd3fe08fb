"""The plan editor: who reaches it, sections saving on their own, items, the bank, share and publish."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from waymark.conftest import CAST_PEOPLE
from waymark.core.models import AuditEvent
from waymark.plans.models import (
    Adjustment,
    BankEntry,
    Barrier,
    Outcome,
    PlanSection,
    PlanVersion,
    Provision,
    SpecialistInput,
)
from waymark.plans.tests.factories import (
    BankEntryFactory,
    OutcomeFactory,
    draft_version,
    fill_version,
    freeze,
    published_version,
    shared_version,
)
from waymark.pupils.models import AreaOfNeed
from waymark.tests import factories as f
from waymark.tests.helpers import date_fields, error_summary

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
EDITORS = ("senco", "deputy")
# What the shared factories write in "about me" (waymark/plans/tests/factories.py).
SECTION_TEXT_ABOUT_ME = "My cat, football on Saturdays and my big sister."


# ---------------------------------------------------------------------------
# Set-up
# ---------------------------------------------------------------------------


@pytest.fixture
def deputy(cast):
    with scopes_disabled():
        user = f.UserFactory(email="deputy.senco@example.test", full_name="Dana Deputy")
        f.MembershipFactory(user=user, school=cast.school, roles=["deputy_senco"])
    return user


@pytest.fixture
def plan(cast):
    """``cast.pupil`` with a plan in force and a draft copied from it."""
    with scopes_disabled():
        active = published_version(cast.pupil, by=cast.senco)
        draft = draft_version(cast.pupil, copy_from=active, owner=cast.senco)
    return {"active": active, "draft": draft}


def fresh(obj):
    with scopes_disabled():
        return type(obj)._base_manager.get(pk=obj.pk)


def items(model, version):
    with scopes_disabled():
        return list(model.objects.filter(version=version).order_by("order", "id"))


def section(version, key):
    with scopes_disabled():
        return PlanSection.objects.get(version=version, key=key)


def plan_fingerprint():
    """Everything an editor write could change, as plain values."""
    with scopes_disabled():
        rows = {
            "audit": AuditEvent.objects.count(),
            "versions": list(
                PlanVersion.objects.order_by("pk").values_list("pk", "status", "lock_version", "next_review_on")
            ),
            "sections": list(
                PlanSection.objects.order_by("pk").values_list("pk", "data", "visibility", "lock_version")
            ),
        }
        for model in (Barrier, Outcome, Provision, Adjustment, SpecialistInput):
            rows[model.__name__] = list(model.objects.order_by("pk").values_list("pk", "lock_version", "visibility"))
        return rows


def section_post(version, key, lock_version=None, visibility="everyone", **values):
    if lock_version is None:
        lock_version = section(version, key).lock_version
    data = {f"{key}-lock_version": str(lock_version), f"{key}-visibility": visibility}
    for name, value in values.items():
        if isinstance(value, (datetime.date, tuple)) or value is None:
            data.update(date_fields(f"{key}-{name}", value))
        else:
            data[f"{key}-{name}"] = value
    return data


def provision_post(**changes):
    data = {
        "what": "Precision teaching of common words",
        "delivered_by_role": "Teaching assistant",
        "delivered_by": "",
        "sessions_per_week": "3",
        "minutes_per_session": "10",
        "group_size": "1",
        "funding": "sen_budget",
        "visibility": "everyone",
        **date_fields("starts_on", TODAY),
        **date_fields("ends_on", TODAY + 60 * DAY),
    }
    for name, value in changes.items():
        if name in ("starts_on", "ends_on"):
            data.update(date_fields(name, value))
        else:
            data[name] = value
    return data


def outcome_post(**changes):
    data = {
        "text": "Reads the first 100 common words",
        "baseline": "Reads 30 of them",
        "target": "Reads 80 of them",
        "measure": "Timed probe sheet",
        "who_checks": "Class teacher",
        "visibility": "everyone",
        **date_fields("by_date", TODAY + 90 * DAY),
    }
    for name, value in changes.items():
        if name == "by_date":
            data.update(date_fields(name, value))
        else:
            data[name] = value
    return data


def url(name, **kwargs):
    return reverse(f"plans:{name}", kwargs=kwargs)


# ---------------------------------------------------------------------------
# Who reaches the editor
# ---------------------------------------------------------------------------


def editor_requests(cast, plan):
    """Every editor URL with a GET and a POST that would change something if allowed."""
    draft, active = plan["draft"], plan["active"]
    outcome = items(Outcome, draft)[0]
    adjustment = items(Adjustment, draft)[0]
    with scopes_disabled():
        entry = BankEntryFactory(kind=BankEntry.Kind.OUTCOME, text="{name} will read {their} book.")
        other = f.PupilFactory(school=cast.school, year_group=8)
    return [
        # (name, url, post data, GET status for an editor)
        ("version-start", url("version-start", public_id=other.public_id), {"start": "blank"}, 200),
        ("version-edit", url("version-edit", public_id=draft.public_id), None, 200),
        (
            "section-save",
            url("section-save", public_id=draft.public_id, key="strengths"),
            section_post(draft, "strengths", strengths="Loves drawing"),
            302,
        ),
        ("item-add", url("item-add", public_id=draft.public_id, section="outcomes"), outcome_post(), 200),
        (
            "item-edit",
            url("item-edit", section="outcomes", public_id=outcome.public_id),
            outcome_post(lock_version=str(outcome.lock_version)),
            200,
        ),
        (
            "item-delete",
            url("item-delete", section="adjustments", public_id=adjustment.public_id),
            {"lock_version": str(adjustment.lock_version)},
            200,
        ),
        ("bank-insert", url("bank-insert", public_id=draft.public_id), {"entry": str(entry.public_id)}, 200),
        (
            "version-share",
            url("version-share", public_id=draft.public_id),
            {"lock_version": str(draft.lock_version), "accept_unedited": "on"},
            200,
        ),
        (
            "version-publish",
            url("version-publish", public_id=draft.public_id),
            {"lock_version": str(draft.lock_version), "accept_unedited": "on"},
            200,
        ),
        (
            "version-close",
            url("version-close", public_id=active.public_id),
            {"lock_version": str(active.lock_version)},
            200,
        ),
    ]


@pytest.mark.parametrize("person", [p for p in CAST_PEOPLE if p != "senco"])
def test_nobody_but_the_sencos_reaches_the_editor(cast, plan, client_for, person):
    client = client_for(cast.people[person])
    requests = editor_requests(cast, plan)
    before = plan_fingerprint()
    for name, address, data, _status in requests:
        assert client.get(address).status_code == 404, (person, name, "GET")
        if data is not None:
            assert client.post(address, data).status_code == 404, (person, name, "POST")
    assert plan_fingerprint() == before


@pytest.mark.parametrize("person", EDITORS)
def test_senco_and_deputy_reach_every_editor_page(cast, plan, client_for, deputy, person):
    client = client_for(deputy if person == "deputy" else cast.senco)
    for name, address, _data, status in editor_requests(cast, plan):
        response = client.get(address)
        assert response.status_code == status, (person, name)


def test_the_editors_posts_do_what_they_say(cast, plan, client_for):
    """The same requests that change nothing for anyone else work for the SENCO."""
    client = client_for(cast.senco)
    draft = plan["draft"]
    requests = {name: (address, data) for name, address, data, _status in editor_requests(cast, plan)}
    # (bank-insert is tested below: its outcome has no baseline yet, so publishing would stop.)
    for name in ("section-save", "item-add", "item-edit", "item-delete"):
        address, data = requests[name]
        assert client.post(address, data).status_code == 302, name
    assert section(draft, "strengths").data["strengths"] == "Loves drawing"
    address, data = requests["version-publish"]
    response = client.post(address, data)
    assert response.status_code == 302, error_summary(response)
    assert fresh(draft).status == PlanVersion.Status.ACTIVE
    assert fresh(plan["active"]).status == PlanVersion.Status.SUPERSEDED


def test_anonymous_is_sent_to_sign_in(cast, plan, client_for):
    response = client_for(None).get(url("version-edit", public_id=plan["draft"].public_id))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


# ---------------------------------------------------------------------------
# The one-page editor
# ---------------------------------------------------------------------------


def test_editor_shows_every_section_in_template_order_with_labels(cast, plan, client_for):
    response = client_for(cast.senco).get(url("version-edit", public_id=plan["draft"].public_id))
    content = response.content.decode()
    template = plan["draft"].template
    positions = []
    for spec in template.sections:
        if spec["key"] == "ehc_plan":
            # The EHC plan's facts are for the specialist tier only; this pupil is targeted.
            assert 'id="section-ehc_plan"' not in content
            continue
        assert f'id="section-{spec["key"]}"' in content
        assert spec["label"] in content
        positions.append(content.index(f'id="section-{spec["key"]}"'))
    assert positions == sorted(positions)
    assert "Share for agreement" in content and "Publish" in content
    assert "Zephyrine Quartermaine" in content
    # Item sections list their items with Change and Remove links; the bank is offered.
    outcome = items(Outcome, plan["draft"])[0]
    assert url("item-edit", section="outcomes", public_id=outcome.public_id) in content
    assert url("item-delete", section="outcomes", public_id=outcome.public_id) in content
    assert url("bank-insert", public_id=plan["draft"].public_id) + "?section=outcomes" in content


def test_specialist_tier_shows_the_ehc_plan_section(cast, client_for):
    with scopes_disabled():
        draft = draft_version(cast.other_pupil, tier="specialist", owner=cast.senco)
    content = client_for(cast.senco).get(url("version-edit", public_id=draft.public_id)).content.decode()
    assert 'id="section-ehc_plan"' in content
    assert 'name="ehc_plan-issued_on_day"' in content


def test_editor_lists_publish_problems(cast, client_for):
    with scopes_disabled():
        draft = draft_version(cast.pupil, fill=False, owner=cast.senco)
        PlanVersion.objects.filter(pk=draft.pk).update(next_review_on=None)
        OutcomeFactory(version=draft, measure="", baseline="")
    content = client_for(cast.senco).get(url("version-edit", public_id=draft.public_id)).content.decode()
    assert "Before you share or publish" in content
    assert "Outcome 1 needs a baseline, how it will be measured." in content
    assert "Set the next review date in the review section." in content


def test_editor_page_runs_a_fixed_number_of_queries(cast, client_for):
    client = client_for(cast.senco)
    counts = []
    with scopes_disabled():
        small = draft_version(cast.pupil, fill=False, owner=cast.senco)
        fill_version(small, outcomes=3, provisions=3, adjustments=3, barriers=3, specialist_inputs=3)
        # Same shape of data for both pupils: a coded need each, so only the number of rows differs.
        f.NeedFactory(pupil=cast.other_pupil, rank=1)
        big = draft_version(cast.other_pupil, fill=False, owner=cast.senco)
        fill_version(big, outcomes=30, provisions=30, adjustments=30, barriers=30, specialist_inputs=30)
        for provision in Provision.objects.filter(version__in=[small, big]):
            provision.delivered_by = f.UserFactory()
            provision.save()
    for version in (small, big):
        client.get(url("version-edit", public_id=version.public_id))  # warm the session and caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url("version-edit", public_id=version.public_id))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# ---------------------------------------------------------------------------
# Sections save on their own
# ---------------------------------------------------------------------------


def test_section_saves_without_javascript(cast, plan, client_for):
    draft = plan["draft"]
    before = section(draft, "strengths").lock_version
    client = client_for(cast.senco)
    response = client.post(
        url("section-save", public_id=draft.public_id, key="strengths"),
        section_post(draft, "strengths", strengths="Brilliant at Lego", visibility="staff"),
    )
    assert response.status_code == 302
    assert response["Location"] == url("version-edit", public_id=draft.public_id) + "#section-strengths"
    saved = section(draft, "strengths")
    assert saved.data == {"strengths": "Brilliant at Lego"}
    assert saved.visibility == "staff"
    assert saved.lock_version == before + 1
    page = client.get(response["Location"])
    assert "My strengths saved." in page.content.decode()


def test_section_saves_in_place_with_htmx(cast, plan, client_for):
    draft = plan["draft"]
    response = client_for(cast.senco).post(
        url("section-save", public_id=draft.public_id, key="about_me"),
        section_post(draft, "about_me", important_to_me="My dog Biscuit"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content
    assert content.count('id="section-about_me"') == 1
    assert 'id="section-strengths"' not in content
    assert "My dog Biscuit" in content
    assert "saved." in content
    # The form now carries the new lock version, so the next save in place is not stale.
    saved = section(draft, "about_me")
    assert saved.data["important_to_me"] == "My dog Biscuit"
    assert f'name="about_me-lock_version" value="{saved.lock_version}"' in content
    # The publish checklist is refreshed out of band.
    assert 'id="publish-problems" hx-swap-oob="true"' in content


def test_review_date_saves_and_clears_the_publish_problem(cast, client_for):
    with scopes_disabled():
        draft = draft_version(cast.pupil, owner=cast.senco)
        PlanVersion.objects.filter(pk=draft.pk).update(next_review_on=None)
    next_review = TODAY + 100 * DAY
    response = client_for(cast.senco).post(
        url("section-save", public_id=draft.public_id, key="review"),
        section_post(draft, "review", arrangements="Termly meeting", next_review_on=next_review),
    )
    assert response.status_code == 302
    assert section(draft, "review").data["next_review_on"] == next_review.isoformat()
    assert fresh(draft).next_review_on == next_review


def test_a_bad_date_in_a_section_is_an_error_and_nothing_is_saved(cast, plan, client_for):
    draft = plan["draft"]
    before = plan_fingerprint()
    response = client_for(cast.senco).post(
        url("section-save", public_id=draft.public_id, key="review"),
        section_post(draft, "review", arrangements="Kept text", next_review_on=(31, 2, TODAY.year + 1)),
    )
    assert response.status_code == 200
    assert "Next review date must be a real date" in error_summary(response)
    assert "Kept text" in response.content.decode()
    assert plan_fingerprint() == before


@pytest.mark.parametrize("htmx", [False, True])
def test_stale_section_save_is_refused_and_the_typed_text_kept(cast, plan, client_for, deputy, htmx):
    draft = plan["draft"]
    opened_at = section(draft, "about_me").lock_version
    # The deputy saves the section first.
    client_for(deputy).post(
        url("section-save", public_id=draft.public_id, key="about_me"),
        section_post(draft, "about_me", important_to_me="Deputy's words"),
    )
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client_for(cast.senco).post(
        url("section-save", public_id=draft.public_id, key="about_me"),
        section_post(draft, "about_me", lock_version=opened_at, important_to_me="SENCO's words"),
        **extra,
    )
    assert response.status_code == 200
    assert "Someone else saved this section after you opened it" in error_summary(response)
    content = response.content.decode()
    assert "SENCO&#x27;s words" in content  # what they typed is still in the form
    assert "Deputy&#x27;s words" in content  # and what the deputy saved is shown
    assert section(draft, "about_me").data["important_to_me"] == "Deputy's words"
    # Saving again from the refused form (it now carries the current version) wins.
    current = section(draft, "about_me").lock_version
    assert f'name="about_me-lock_version" value="{current}"' in content
    response = client_for(cast.senco).post(
        url("section-save", public_id=draft.public_id, key="about_me"),
        section_post(draft, "about_me", lock_version=current, important_to_me="SENCO's words"),
    )
    assert response.status_code == 302
    assert section(draft, "about_me").data["important_to_me"] == "SENCO's words"


def test_restricted_is_offered_to_the_senco_only(cast, plan, client_for, deputy):
    address = url("version-edit", public_id=plan["draft"].public_id)
    assert 'value="restricted"' in client_for(cast.senco).get(address).content.decode()
    assert 'value="restricted"' not in client_for(deputy).get(address).content.decode()


def test_deputy_cannot_see_or_change_restricted_content(cast, client_for, deputy):
    with scopes_disabled():
        draft = draft_version(cast.pupil, owner=cast.senco, restricted=True)
        PlanSection.objects.filter(version=draft, key="about_me").update(visibility="restricted")
    restricted = next(item for item in items(Barrier, draft) if item.visibility == "restricted")
    client = client_for(deputy)
    content = client.get(url("version-edit", public_id=draft.public_id)).content.decode()
    assert "Restricted: see the DSL" not in content
    assert SECTION_TEXT_ABOUT_ME not in content
    before = plan_fingerprint()
    assert client.get(url("item-edit", section="needs", public_id=restricted.public_id)).status_code == 404
    data = {"need": "", "text": "Overwritten", "visibility": "staff", "lock_version": str(restricted.lock_version)}
    assert client.post(url("item-edit", section="needs", public_id=restricted.public_id), data).status_code == 404
    assert (
        client.post(
            url("item-delete", section="needs", public_id=restricted.public_id),
            {"lock_version": str(restricted.lock_version)},
        ).status_code
        == 404
    )
    response = client.post(
        url("section-save", public_id=draft.public_id, key="about_me"),
        section_post(draft, "about_me", visibility="staff", important_to_me="Overwritten"),
    )
    assert response.status_code == 404
    assert plan_fingerprint() == before


# ---------------------------------------------------------------------------
# Items
# ---------------------------------------------------------------------------


def test_add_a_provision(cast, plan, client_for):
    draft = plan["draft"]
    count = len(items(Provision, draft))
    response = client_for(cast.senco).post(
        url("item-add", public_id=draft.public_id, section="provision"),
        provision_post(delivered_by=str(cast.ta.pk), group_size="4"),
    )
    assert response.status_code == 302, error_summary(response)
    assert response["Location"].endswith("#section-provision")
    added = items(Provision, draft)[-1]
    assert len(items(Provision, draft)) == count + 1
    assert (added.what, added.group_size, added.delivered_by) == ("Precision teaching of common words", 4, cast.ta)


@pytest.mark.parametrize(
    ("section_key", "data", "message"),
    [
        (
            "provision",
            provision_post(starts_on=TODAY, ends_on=TODAY - DAY),
            "The end date must be on or after the start date",
        ),
        ("provision", provision_post(group_size="0"), "Group size must be 1 or more"),
        ("provision", provision_post(sessions_per_week="lots"), "Sessions a week must be a number"),
        ("provision", provision_post(delivered_by_role="", delivered_by=""), "Enter the role of who delivers it"),
        ("provision", provision_post(ends_on=(30, 2, TODAY.year)), "End date must be a real date"),
        ("outcomes", outcome_post(text=""), "Enter what we want to achieve"),
        ("adjustments", {"text": "x" * 301, "visibility": "everyone"}, "Ensure this value has at most 300"),
        ("adjustments", {"text": "Fine", "visibility": "restricted-ish"}, "Select who can see this"),
        (
            "specialist_input",
            {
                "who": "Dr Ada",
                "service": "EP",
                "recommendations": "More breaks",
                "visibility": "everyone",
                **date_fields("given_on", TODAY + 10 * DAY),
            },
            "Date of the advice must be today or in the past",
        ),
    ],
)
def test_bad_item_input_is_refused_with_a_clear_message(cast, plan, client_for, section_key, data, message):
    before = plan_fingerprint()
    response = client_for(cast.senco).post(
        url("item-add", public_id=plan["draft"].public_id, section=section_key), data
    )
    assert response.status_code == 200
    assert message in error_summary(response)
    assert plan_fingerprint() == before


def test_forged_choices_are_refused(cast, plan, client_for):
    """Another pupil's need and another school's member of staff are not choices."""
    draft = plan["draft"]
    client = client_for(cast.senco)
    before = plan_fingerprint()
    response = client.post(
        url("item-add", public_id=draft.public_id, section="needs"),
        {"need": str(cast.other_school_need.pk), "text": "Forged", "visibility": "everyone"},
    )
    assert "Select one of the pupil's needs from the list" in error_summary(response)
    response = client.post(
        url("item-add", public_id=draft.public_id, section="provision"),
        provision_post(delivered_by=str(cast.other_senco.pk)),
    )
    assert "Select a member of staff from the list" in error_summary(response)
    assert plan_fingerprint() == before


def test_forged_ids_are_missing(cast, plan, client_for):
    client = client_for(cast.senco)
    draft = plan["draft"]
    outcome = items(Outcome, draft)[0]
    assert client.get(url("item-edit", section="outcomes", public_id=uuid.uuid4())).status_code == 404
    # An outcome's id under another section's name is not found either.
    assert client.get(url("item-edit", section="provision", public_id=outcome.public_id)).status_code == 404
    assert client.get(url("item-edit", section="nonsense", public_id=outcome.public_id)).status_code == 404
    assert client.get(url("item-add", public_id=draft.public_id, section="review")).status_code == 404
    assert client.get(url("version-edit", public_id=uuid.uuid4())).status_code == 404
    assert client.post(url("section-save", public_id=draft.public_id, key="outcomes"), {}).status_code == 404
    with scopes_disabled():
        other_draft = draft_version(cast.other_school_pupil)
    other_outcome = items(Outcome, other_draft)[0]
    assert client.get(url("item-edit", section="outcomes", public_id=other_outcome.public_id)).status_code == 404
    assert client.get(url("version-edit", public_id=other_draft.public_id)).status_code == 404


def test_edit_an_outcome_and_a_stale_edit_keeps_the_typed_text(cast, plan, client_for, deputy):
    draft = plan["draft"]
    outcome = items(Outcome, draft)[0]
    opened_at = outcome.lock_version
    address = url("item-edit", section="outcomes", public_id=outcome.public_id)
    response = client_for(deputy).post(address, outcome_post(text="Deputy's outcome", lock_version=str(opened_at)))
    assert response.status_code == 302
    assert response["Location"].endswith(f"#item-{outcome.public_id}")
    response = client_for(cast.senco).post(address, outcome_post(text="SENCO's outcome", lock_version=str(opened_at)))
    assert response.status_code == 200
    assert "Someone else changed this after you opened it" in error_summary(response)
    content = response.content.decode()
    assert "SENCO&#x27;s outcome" in content and "Deputy&#x27;s outcome" in content
    assert fresh(outcome).text == "Deputy's outcome"


def test_remove_asks_first_and_refuses_a_stale_confirmation(cast, plan, client_for):
    draft = plan["draft"]
    first, second = items(Adjustment, draft)[:2]
    client = client_for(cast.senco)
    address = url("item-delete", section="adjustments", public_id=first.public_id)
    page = client.get(address)
    assert "Are you sure you want to remove this?" in page.content.decode()
    assert first.text in page.content.decode()
    response = client.post(address, {"lock_version": str(first.lock_version)})
    assert response.status_code == 302
    assert first.pk not in {a.pk for a in items(Adjustment, draft)}
    with scopes_disabled():
        Adjustment.objects.filter(pk=second.pk).update(lock_version=second.lock_version + 1)
    response = client.post(
        url("item-delete", section="adjustments", public_id=second.public_id),
        {"lock_version": str(second.lock_version)},
    )
    assert response.status_code == 200
    assert "Someone else changed this after you opened it" in error_summary(response)
    assert second.pk in {a.pk for a in items(Adjustment, draft)}


def test_adjustment_subject_is_only_for_secondary_pupils(cast, plan, client_for):
    client = client_for(cast.senco)
    content = client.get(url("item-add", public_id=plan["draft"].public_id, section="adjustments")).content.decode()
    assert 'name="subject"' in content
    with scopes_disabled():
        young = f.PupilFactory(school=cast.school, year_group=3)
        draft = draft_version(young, owner=cast.senco)
    content = client.get(url("item-add", public_id=draft.public_id, section="adjustments")).content.decode()
    assert 'name="subject"' not in content


# ---------------------------------------------------------------------------
# Frozen versions are never edited
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [PlanVersion.Status.SHARED, PlanVersion.Status.ACTIVE])
def test_shared_or_published_versions_cannot_be_edited(cast, client_for, status):
    with scopes_disabled():
        version = shared_version(cast.pupil) if status == "shared" else published_version(cast.pupil)
    outcome = items(Outcome, version)[0]
    client = client_for(cast.senco)
    detail = url("version-detail", public_id=version.public_id)
    before = plan_fingerprint()
    response = client.get(url("version-edit", public_id=version.public_id))
    assert (response.status_code, response["Location"]) == (302, detail)
    response = client.post(
        url("section-save", public_id=version.public_id, key="strengths"),
        section_post(version, "strengths", strengths="Rewritten"),
    )
    assert (response.status_code, response["Location"]) == (302, detail)
    response = client.post(
        url("section-save", public_id=version.public_id, key="strengths"),
        section_post(version, "strengths", strengths="Rewritten"),
        HTTP_HX_REQUEST="true",
    )
    assert response["HX-Redirect"] == detail
    response = client.post(url("item-add", public_id=version.public_id, section="outcomes"), outcome_post())
    assert response.status_code == 302
    response = client.post(
        url("item-edit", section="outcomes", public_id=outcome.public_id),
        outcome_post(text="Rewritten", lock_version=str(outcome.lock_version)),
    )
    assert response.status_code == 302
    response = client.post(
        url("item-delete", section="outcomes", public_id=outcome.public_id),
        {"lock_version": str(outcome.lock_version)},
    )
    assert response.status_code == 302
    assert client.get(url("bank-insert", public_id=version.public_id)).status_code == 302
    assert plan_fingerprint() == before


# ---------------------------------------------------------------------------
# Starting a draft
# ---------------------------------------------------------------------------


def test_start_from_the_previous_plan_copies_it_forward(cast, client_for):
    with scopes_disabled():
        active = published_version(cast.pupil, outcomes=3, provisions=2, adjustments=4, specialist_inputs=1)
    client = client_for(cast.senco)
    address = url("version-start", public_id=cast.pupil.public_id)
    page = client.get(address)
    assert "Start from the previous plan" in page.content.decode()
    response = client.post(address, {"template": str(active.template.pk), "start": "previous"})
    assert response.status_code == 302
    with scopes_disabled():
        draft = PlanVersion.objects.get(plan=active.plan, status=PlanVersion.Status.DRAFT)
    assert response["Location"] == url("version-edit", public_id=draft.public_id)
    assert (draft.number, draft.started_from) == (active.number + 1, active)
    for model in (Barrier, Outcome, Provision, Adjustment, SpecialistInput):
        assert [i.pk for i in items(model, draft)] != [i.pk for i in items(model, active)] or not items(model, active)
        assert len(items(model, draft)) == len(items(model, active)), model
    assert [o.text for o in items(Outcome, draft)] == [o.text for o in items(Outcome, active)]
    assert [o.carried_from for o in items(Outcome, draft)] == [o.public_id for o in items(Outcome, active)]
    assert section(draft, "about_me").data == section(active, "about_me").data
    assert fresh(active).status == PlanVersion.Status.ACTIVE


def test_start_blank(cast, client_for):
    with scopes_disabled():
        active = published_version(cast.pupil)
    response = client_for(cast.senco).post(
        url("version-start", public_id=cast.pupil.public_id), {"template": str(active.template.pk), "start": "blank"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        draft = PlanVersion.objects.get(plan=active.plan, status=PlanVersion.Status.DRAFT)
    assert items(Outcome, draft) == [] and draft.started_from is None


def test_first_plan_has_no_previous_to_start_from(cast, client_for):
    client = client_for(cast.senco)
    address = url("version-start", public_id=cast.other_pupil.public_id)
    assert "Start from the previous plan" not in client.get(address).content.decode()
    with scopes_disabled():
        template = PlanVersion._meta.get_field("template").related_model.objects.get(is_default=True, is_builtin=True)
    response = client.post(address, {"template": str(template.pk)})
    assert response.status_code == 302
    with scopes_disabled():
        assert PlanVersion.objects.filter(plan__pupil=cast.other_pupil, status="draft").count() == 1


def test_start_is_refused_while_a_draft_exists(cast, plan, client_for):
    client = client_for(cast.senco)
    address = url("version-start", public_id=cast.pupil.public_id)
    page = client.get(address)
    assert "already has a draft plan" in page.content.decode()
    assert url("version-edit", public_id=plan["draft"].public_id) in page.content.decode()
    before = plan_fingerprint()
    response = client.post(address, {"template": str(plan["draft"].template.pk), "start": "blank"})
    assert response["Location"] == url("version-edit", public_id=plan["draft"].public_id)
    assert plan_fingerprint() == before


def test_a_template_from_another_school_is_not_a_choice(cast, client_for):
    from waymark.plans.tests.factories import PlanTemplateFactory

    with scopes_disabled():
        theirs = PlanTemplateFactory(school=cast.other_school)
    before = plan_fingerprint()
    response = client_for(cast.senco).post(
        url("version-start", public_id=cast.other_pupil.public_id), {"template": str(theirs.pk)}
    )
    assert "Select a template from the list" in error_summary(response)
    assert plan_fingerprint() == before


# ---------------------------------------------------------------------------
# The strategy bank
# ---------------------------------------------------------------------------


@pytest.fixture
def zeph(cast):
    with scopes_disabled():
        cast.pupil.preferred_name = "Zeph"
        cast.pupil.pronouns = "she/her"
        cast.pupil.save()
    return cast.pupil


@pytest.fixture
def bank(cast):
    with scopes_disabled():
        area = AreaOfNeed.objects.get(code=cast.need.need_type.area.code) if cast.need.need_type.area else None
        return {
            "asd_outcome": BankEntryFactory(
                kind=BankEntry.Kind.OUTCOME,
                text="{Name} will tell an adult when {they} need a break, using {their} card.",
                need_codes=["ASD"],
                area=area,
            ),
            "slcn_adjustment": BankEntryFactory(
                kind=BankEntry.Kind.ADJUSTMENT, text="Aardvark: give {name} {their} word mat.", need_codes=["SLCN"]
            ),
            "asd_strategy": BankEntryFactory(
                kind=BankEntry.Kind.STRATEGY,
                text="Use a visual timetable with {name} each morning.",
                need_codes=["ASD"],
            ),
            "theirs": BankEntryFactory(
                school=cast.other_school, kind=BankEntry.Kind.OUTCOME, text="Other school's secret stem."
            ),
        }


def test_bank_search_suggests_entries_for_the_pupils_needs_first(cast, plan, client_for, zeph, bank):
    client = client_for(cast.senco)
    response = client.get(url("bank-insert", public_id=plan["draft"].public_id), {"kind": ""})
    content = response.content.decode()
    assert response.status_code == 200
    # Filled for this pupil, the ASD entries first and marked as suggested.
    assert "Zeph will tell an adult when she need a break, using her card." in content
    assert "Suggested for Zeph’s needs" in content
    assert content.index("visual timetable with Zeph") < content.index("Aardvark: give Zeph her word mat.")
    assert content.index("tell an adult when she need") < content.index("Aardvark")
    assert bank["asd_outcome"].rationale in content
    assert "Other school" not in content
    # Kind filter and text search.
    content = client.get(
        url("bank-insert", public_id=plan["draft"].public_id), {"kind": "adjustment", "q": "word mat"}
    ).content.decode()
    assert "Aardvark" in content and "visual timetable" not in content
    # Opened from the outcomes section, outcome stems are shown.
    content = client.get(
        url("bank-insert", public_id=plan["draft"].public_id), {"section": "outcomes"}
    ).content.decode()
    assert "tell an adult" in content and "Aardvark" not in content


def test_bank_insert_fills_name_and_pronouns_and_flags_unedited_text_at_publish(cast, plan, client_for, zeph, bank):
    draft = plan["draft"]
    client = client_for(cast.senco)
    response = client.post(url("bank-insert", public_id=draft.public_id), {"entry": str(bank["asd_outcome"].public_id)})
    assert response.status_code == 302
    outcome = items(Outcome, draft)[-1]
    filled = "Zeph will tell an adult when she need a break, using her card."
    assert (outcome.text, outcome.bank_text, outcome.bank_entry) == (filled, filled, bank["asd_outcome"])
    assert response["Location"] == url("item-edit", section="outcomes", public_id=outcome.public_id)
    page = client.get(response["Location"])
    assert "word for word from the strategy bank" in page.content.decode()
    # The SENCO adds the baseline, target, measure and date but leaves the words as they are.
    response = client.post(
        response["Location"], outcome_post(text=filled, lock_version=str(fresh(outcome).lock_version))
    )
    assert response.status_code == 302
    editor = client.get(url("version-edit", public_id=draft.public_id)).content.decode()
    assert "Not yet personalised" in editor
    publish = url("version-publish", public_id=draft.public_id)
    page = client.get(publish).content.decode()
    assert "word for word from the strategy bank" in page
    assert url("item-edit", section="outcomes", public_id=outcome.public_id) in page
    assert "These entries are right for Zeph as they are" in page
    response = client.post(publish, {"lock_version": str(fresh(draft).lock_version)})
    assert response.status_code == 200
    assert "word for word from the strategy bank" in error_summary(response)
    assert fresh(draft).status == PlanVersion.Status.DRAFT
    response = client.post(publish, {"lock_version": str(fresh(draft).lock_version), "accept_unedited": "on"})
    assert response.status_code == 302
    assert response["Location"] == url("plan-detail", public_id=cast.pupil.public_id)
    published = fresh(draft)
    assert published.status == PlanVersion.Status.ACTIVE and published.snapshot is not None


def test_personalised_bank_text_is_not_flagged(cast, plan, client_for, zeph, bank):
    draft = plan["draft"]
    client = client_for(cast.senco)
    client.post(url("bank-insert", public_id=draft.public_id), {"entry": str(bank["slcn_adjustment"].public_id)})
    adjustment = items(Adjustment, draft)[-1]
    assert adjustment.text == "Aardvark: give Zeph her word mat." == adjustment.bank_text
    client.post(
        url("item-edit", section="adjustments", public_id=adjustment.public_id),
        {"text": "Give Zeph her word mat at the start of English", "visibility": "everyone", "lock_version": "0"},
    )
    response = client.post(url("version-publish", public_id=draft.public_id), {"lock_version": "0"})
    assert response.status_code == 302, error_summary(response)


def test_bank_strategy_added_to_provision_opens_the_form_prefilled(cast, plan, client_for, zeph, bank):
    draft = plan["draft"]
    client = client_for(cast.senco)
    entry = bank["asd_strategy"]
    response = client.post(
        url("bank-insert", public_id=draft.public_id), {"entry": str(entry.public_id), "section": "provision"}
    )
    add = url("item-add", public_id=draft.public_id, section="provision")
    assert response["Location"] == f"{add}?bank={entry.public_id}"
    page = client.get(response["Location"]).content.decode()
    assert "Use a visual timetable with Zeph each morning." in page
    response = client.post(
        add, provision_post(what="Use a visual timetable with Zeph each morning.", bank=entry.public_id)
    )
    assert response.status_code == 302, error_summary(response)
    provision = items(Provision, draft)[-1]
    assert provision.bank_entry == entry and provision.bank_text == provision.what


def test_bank_strategy_defaults_to_an_adjustment(cast, plan, client_for, zeph, bank):
    draft = plan["draft"]
    count = len(items(Adjustment, draft))
    client_for(cast.senco).post(
        url("bank-insert", public_id=draft.public_id), {"entry": str(bank["asd_strategy"].public_id)}
    )
    assert len(items(Adjustment, draft)) == count + 1


def test_another_schools_bank_entry_cannot_be_inserted(cast, plan, client_for, bank):
    before = plan_fingerprint()
    response = client_for(cast.senco).post(
        url("bank-insert", public_id=plan["draft"].public_id), {"entry": str(bank["theirs"].public_id)}
    )
    assert response.status_code == 404
    assert plan_fingerprint() == before


@pytest.mark.parametrize("bank_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "theirs"])
def test_add_form_from_an_unknown_bank_entry_is_missing(cast, plan, client_for, bank, bank_id):
    bank_id = str(bank["theirs"].public_id) if bank_id == "theirs" else bank_id
    add = url("item-add", public_id=plan["draft"].public_id, section="provision")
    assert client_for(cast.senco).get(f"{add}?bank={bank_id}").status_code == 404


# ---------------------------------------------------------------------------
# Share, publish, close
# ---------------------------------------------------------------------------


def test_incomplete_outcomes_stop_publishing_with_every_problem_listed(cast, client_for):
    with scopes_disabled():
        draft = draft_version(cast.pupil, fill=False, owner=cast.senco)
        OutcomeFactory(version=draft, measure="")
        OutcomeFactory(version=draft, baseline="", by_date=None)
    before = plan_fingerprint()
    response = client_for(cast.senco).post(url("version-publish", public_id=draft.public_id), {"lock_version": "0"})
    assert response.status_code == 200
    summary = error_summary(response)
    assert "Outcome 1 needs how it will be measured." in summary
    assert "Outcome 2 needs a baseline, a date to achieve it by." in summary
    assert plan_fingerprint() == before


def test_share_freezes_the_draft(cast, plan, client_for):
    draft = plan["draft"]
    response = client_for(cast.senco).post(url("version-share", public_id=draft.public_id), {"lock_version": "0"})
    assert response.status_code == 302, error_summary(response)
    shared = fresh(draft)
    assert shared.status == PlanVersion.Status.SHARED and shared.snapshot is not None
    assert fresh(plan["active"]).status == PlanVersion.Status.ACTIVE
    # A shared version can be published; it cannot be shared again.
    client = client_for(cast.senco)
    assert client.get(url("version-share", public_id=draft.public_id)).status_code == 302
    response = client.post(
        url("version-publish", public_id=draft.public_id), {"lock_version": str(shared.lock_version)}
    )
    assert response.status_code == 302
    assert fresh(draft).status == PlanVersion.Status.ACTIVE


def test_a_stale_confirmation_is_refused(cast, plan, client_for):
    draft = plan["draft"]
    with scopes_disabled():
        PlanVersion.objects.filter(pk=draft.pk).update(lock_version=3)
    response = client_for(cast.senco).post(url("version-publish", public_id=draft.public_id), {"lock_version": "0"})
    assert response.status_code == 200
    assert "Someone else changed this plan after you opened this page" in error_summary(response)
    assert 'name="lock_version" value="3"' in response.content.decode()
    assert fresh(draft).status == PlanVersion.Status.DRAFT


def test_close_ends_the_plan_in_force(cast, plan, client_for):
    active = plan["active"]
    client = client_for(cast.senco)
    assert client.get(url("version-close", public_id=plan["draft"].public_id)).status_code == 302
    response = client.post(url("version-close", public_id=active.public_id), {"lock_version": str(active.lock_version)})
    assert response.status_code == 302
    assert fresh(active).status == PlanVersion.Status.CLOSED


def test_closed_version_cannot_be_closed_again(cast, client_for):
    with scopes_disabled():
        version = freeze(draft_version(cast.pupil), PlanVersion.Status.CLOSED)
    before = plan_fingerprint()
    response = client_for(cast.senco).post(url("version-close", public_id=version.public_id), {"lock_version": "0"})
    assert response.status_code == 302
    assert plan_fingerprint() == before


def test_need_choices_are_the_pupils_open_needs(cast, plan, client_for):
    with scopes_disabled():
        ended = f.NeedFactory(pupil=cast.pupil, rank=2, ends_on=TODAY - DAY)
    content = (
        client_for(cast.senco).get(url("item-add", public_id=plan["draft"].public_id, section="needs")).content.decode()
    )
    assert f'value="{cast.need.pk}"' in content
    assert f'value="{ended.pk}"' not in content


def test_who_delivers_is_chosen_from_the_schools_working_staff(cast, plan, client_for):
    content = (
        client_for(cast.senco)
        .get(url("item-add", public_id=plan["draft"].public_id, section="provision"))
        .content.decode()
    )
    assert f'value="{cast.ta.pk}"' in content
    for outsider in (cast.governor, cast.trust_lead, cast.other_senco, cast.parent, cast.specialist):
        assert f'value="{outsider.pk}"' not in content
