"""The frozen snapshot: what was agreed stays exactly as it was, whatever is edited later."""

import datetime
import json

import pytest
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import Visibility
from waymark.plans import services
from waymark.plans.models import PlanVersion
from waymark.plans.sections import SECTION_KINDS, default_sections, sections_for
from waymark.plans.snapshot import build_snapshot, content_for, format_date, prefetch_for_snapshot, visible_content
from waymark.pupils.models import NeedType
from waymark.tests import factories as f

from .factories import (
    AdjustmentFactory,
    PlanTemplateFactory,
    ProvisionFactory,
    draft_version,
    fill_version,
    freeze,
    published_version,
)

EVERYONE, STAFF, RESTRICTED = Visibility.EVERYONE, Visibility.STAFF, Visibility.RESTRICTED
ALL_KEYS = list(SECTION_KINDS)


@pytest.fixture
def in_school(cast):
    with scope(school=[cast.school.pk]):
        yield


def fresh(version):
    return prefetch_for_snapshot(PlanVersion.objects.filter(pk=version.pk)).get()


def section(content, key):
    return next(entry for entry in content["sections"] if entry["key"] == key)


def field(content, key, name):
    return next(item["value"] for item in section(content, key)["fields"] if item["key"] == name)


@pytest.fixture
def agreed(cast, in_school):
    """An active version on a school template, with a provision delivered by a named TA."""
    template = PlanTemplateFactory(
        school=cast.school,
        name="Ashdown plan",
        sections=[{**entry, "label": f"Old {entry['label']}"} for entry in default_sections(ALL_KEYS)],
    )
    version = draft_version(cast.pupil, owner=cast.senco, template=template)
    ProvisionFactory(version=version, what="Speech and language group", delivered_by=cast.ta, group_size=4)
    return freeze(version, PlanVersion.Status.ACTIVE, by=cast.senco)


def test_snapshot_holds_labels_names_and_needs_as_they_were(cast, agreed):
    content = agreed.snapshot

    assert section(content, "outcomes")["label"] == "Old Outcomes"
    assert content["template"]["name"] == "Ashdown plan"
    assert content["owner"] == "Sam Senco"
    assert content["pupil"]["name"] == "Zephyrine Quartermaine"
    asd = NeedType.objects.get(code="ASD")
    assert content["pupil"]["needs"] == [{"code": "ASD", "name": asd.name, "rank": 1}]
    provision = section(content, "provision")["items"][-1]
    assert provision["delivered_by"] == "Tariq Assistant"
    assert provision["group_size"] == 4
    assert section(content, "needs")["items"][0]["need"].startswith("ASD – ")
    assert field(content, "about_me", "important_to_me") == "My cat, football on Saturdays and my big sister."
    assert json.loads(json.dumps(content)) == content  # plain JSON, nothing lazy or model-shaped


def test_editing_the_template_names_and_needs_later_leaves_the_frozen_version_alone(cast, agreed):
    before = json.dumps(agreed.snapshot, sort_keys=True)
    with scopes_disabled():
        template = agreed.template
        template.sections = [{**entry, "label": f"New {entry['label']}"} for entry in default_sections(ALL_KEYS)]
        template.name = "Ashdown plan (2027)"
        template.save()
        cast.ta.full_name = "Tariq Renamed"
        cast.ta.save()
        cast.senco.full_name = "Sam Married-Name"
        cast.senco.save()
        cast.pupil.preferred_name = "Zeph"
        cast.pupil.save()
        cast.need.ends_on = datetime.date.today()
        cast.need.save()
        f.NeedFactory(pupil=cast.pupil, need_type=NeedType.objects.get(code="SPLD"), rank=1)

    stored = PlanVersion.objects.get(pk=agreed.pk)
    assert json.dumps(stored.snapshot, sort_keys=True) == before
    assert json.dumps(content_for(stored), sort_keys=True) == before

    # A new draft copied from it reads the live names and words.
    draft = draft_version(cast.pupil, copy_from=stored, owner=cast.senco)
    live = content_for(fresh(draft))
    assert section(live, "outcomes")["label"] == "New Outcomes"
    assert live["template"]["name"] == "Ashdown plan (2027)"
    assert live["owner"] == "Sam Married-Name"
    assert live["pupil"]["name"] == "Zeph Quartermaine"
    assert [need["code"] for need in live["pupil"]["needs"]] == ["SPLD"]
    assert section(live, "provision")["items"][-1]["delivered_by"] == "Tariq Renamed"
    assert section(stored.snapshot, "provision")["items"][-1]["delivered_by"] == "Tariq Assistant"
    assert stored.snapshot["pupil"]["name"] == "Zephyrine Quartermaine"


def test_editing_a_draft_after_sharing_never_reaches_the_shared_snapshot(cast, in_school):
    actor = Actor.for_user(cast.senco)
    version = draft_version(cast.pupil, owner=cast.senco)
    shared = services.plan_share(actor=actor, version=version)
    before = json.dumps(shared.snapshot, sort_keys=True)
    draft = services.plan_start(actor=actor, pupil=cast.pupil, copy_from=shared)
    outcome = draft.outcomes.first()
    services.item_update(
        actor=actor, item=outcome, fields={"text": "A changed outcome"}, expected_version=outcome.lock_version
    )

    assert json.dumps(PlanVersion.objects.get(pk=shared.pk).snapshot, sort_keys=True) == before
    assert "A changed outcome" not in before
    assert section(content_for(fresh(draft)), "outcomes")["items"][0]["text"] == "A changed outcome"


def test_content_for_reads_the_snapshot_of_frozen_versions_and_live_rows_of_drafts(cast, in_school):
    active = published_version(cast.pupil, by=cast.senco)
    with scopes_disabled():
        # Rows of a frozen version are never shown: the snapshot is.
        active.outcomes.update(text="Changed behind the snapshot's back")
    assert content_for(PlanVersion.objects.get(pk=active.pk)) == active.snapshot

    draft = draft_version(cast.other_pupil, owner=cast.senco)
    assert content_for(fresh(draft)) == build_snapshot(fresh(draft))


def _content():
    return {
        "sections": [
            {"key": "about_me", "kind": "text", "visibility": EVERYONE, "fields": []},
            {"key": "strengths", "kind": "text", "visibility": STAFF, "fields": []},
            {"key": "review", "kind": "text", "visibility": RESTRICTED, "fields": []},
            {
                "key": "adjustments",
                "kind": "items",
                "visibility": EVERYONE,
                "items": [
                    {"id": "a", "visibility": EVERYONE},
                    {"id": "b", "visibility": STAFF},
                    {"id": "c", "visibility": RESTRICTED},
                ],
            },
        ],
        "pupil": {"name": "A Pupil"},
    }


@pytest.mark.parametrize(
    ("levels", "sections", "items"),
    [
        ({EVERYONE}, ["about_me", "adjustments"], ["a"]),
        ({EVERYONE, STAFF}, ["about_me", "strengths", "adjustments"], ["a", "b"]),
        ({EVERYONE, STAFF, RESTRICTED}, ["about_me", "strengths", "review", "adjustments"], ["a", "b", "c"]),
    ],
)
def test_visible_content_strips_what_the_reader_may_not_see(levels, sections, items):
    content = _content()
    original = json.dumps(content, sort_keys=True)

    shown = visible_content(content, levels)

    assert [entry["key"] for entry in shown["sections"]] == sections
    assert [item["id"] for item in section(shown, "adjustments")["items"]] == items
    assert shown["pupil"] == {"name": "A Pupil"}
    assert json.dumps(content, sort_keys=True) == original  # the snapshot itself is never trimmed in place


def test_visible_content_on_a_real_snapshot(cast, in_school):
    version = draft_version(cast.pupil, owner=cast.senco, fill=False)
    fill_version(version, staff_only=True, restricted=True)
    with scopes_disabled():
        version.sections.filter(key="strengths").update(visibility=RESTRICTED)
    content = build_snapshot(fresh(version))

    def texts(levels):
        shown = visible_content(content, levels)
        return {item.get("text") for entry in shown["sections"] for item in entry.get("items", [])}, [
            entry["key"] for entry in shown["sections"]
        ]

    staff_texts, staff_sections = texts({EVERYONE, STAFF})
    parent_texts, parent_sections = texts({EVERYONE})
    senco_texts, senco_sections = texts({EVERYONE, STAFF, RESTRICTED})
    assert "Staff only: check in quietly after lunch." in staff_texts
    assert "Staff only: check in quietly after lunch." not in parent_texts
    assert "Restricted: see the DSL before contacting home." not in staff_texts
    assert "Restricted: see the DSL before contacting home." in senco_texts
    assert "strengths" not in staff_sections
    assert "strengths" in senco_sections
    assert "strengths" not in parent_sections


@pytest.mark.parametrize(
    ("tier", "has_ehc"),
    [("universal", False), ("targeted", False), ("targeted_plus", False), ("specialist", True)],
)
def test_sections_for_keeps_the_ehc_plan_for_the_specialist_tier_only(tier, has_ehc):
    template = default_sections(ALL_KEYS)

    keys = [entry["key"] for entry in sections_for(template, tier)]

    assert ("ehc_plan" in keys) is has_ehc
    assert [key for key in keys] == [key for key in ALL_KEYS if key != "ehc_plan" or has_ehc]


def test_sections_for_keeps_template_order_and_drops_unknown_keys():
    template = default_sections(["review", "outcomes", "about_me"]) + [{"key": "horoscope", "label": "Stars"}]

    assert [entry["key"] for entry in sections_for(template, "targeted")] == ["review", "outcomes", "about_me"]


@pytest.mark.parametrize(("tier", "has_ehc"), [("targeted", False), ("specialist", True)])
def test_the_snapshot_follows_the_tier(cast, in_school, tier, has_ehc):
    version = draft_version(cast.pupil, owner=cast.senco, tier=tier)
    content = build_snapshot(fresh(version))

    assert ("ehc_plan" in [entry["key"] for entry in content["sections"]]) is has_ehc
    assert content["tier"] == tier


def test_a_reception_pupils_plan_can_be_frozen(cast, in_school):
    """ "Reception" is a lazy translation, unlike "Year 8": the stored snapshot must hold plain text."""
    with scopes_disabled():
        pupil = f.PupilFactory(school=cast.school, year_group=0)
        f.SenStatusFactory(pupil=pupil)
    draft = draft_version(pupil, owner=cast.senco)

    active = services.plan_publish(actor=Actor.for_user(cast.senco), version=draft)

    assert PlanVersion.objects.get(pk=active.pk).snapshot["pupil"]["year_group"] == "Reception"
    assert json.loads(json.dumps(active.snapshot)) == active.snapshot


def test_snapshot_items_keep_their_order_visibility_and_key_flags(cast, in_school):
    version = draft_version(cast.pupil, owner=cast.senco, fill=False)
    with scopes_disabled():
        AdjustmentFactory(version=version, order=2, text="Second", is_key=True, subject="Maths")
        AdjustmentFactory(version=version, order=1, text="First", visibility=STAFF)
    items = section(build_snapshot(fresh(version)), "adjustments")["items"]

    assert [(item["text"], item["is_key"], item["subject"], item["visibility"]) for item in items] == [
        ("First", False, "", "staff"),
        ("Second", True, "Maths", "everyone"),
    ]


@pytest.mark.parametrize(("sessions", "shown"), [("3", "3"), ("0.5", "0.5"), ("2.5", "2.5"), ("1.0", "1")])
def test_provision_frequency_reads_as_a_plain_number(cast, in_school, sessions, shown):
    version = draft_version(cast.pupil, owner=cast.senco, fill=False)
    with scopes_disabled():
        ProvisionFactory(version=version, sessions_per_week=sessions)

    assert section(build_snapshot(fresh(version)), "provision")["items"][0]["sessions_per_week"] == shown


def test_ten_sessions_a_week_is_not_written_in_scientific_notation(cast, in_school):
    version = draft_version(cast.pupil, owner=cast.senco, fill=False)
    with scopes_disabled():
        ProvisionFactory(version=version, sessions_per_week=10)

    assert section(build_snapshot(fresh(version)), "provision")["items"][0]["sessions_per_week"] == "10"


@pytest.mark.parametrize(
    ("iso", "shown"), [("2027-03-04", "4 March 2027"), ("2026-11-16", "16 November 2026"), ("", "")]
)
def test_format_date(iso, shown):
    assert format_date(iso) == shown
