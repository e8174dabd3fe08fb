"""Plan services: the lifecycle, frozen versions, stale saves, permission checked again, one audit event a write."""

import datetime
import json
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.formats import date_format
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent, Visibility
from waymark.core.services import STALE_MESSAGE
from waymark.plans import services
from waymark.plans.models import (
    Adjustment,
    Barrier,
    Outcome,
    PlanSection,
    PlanVersion,
    Provision,
    ReadReceipt,
    SpecialistInput,
    SupportPlan,
)
from waymark.plans.review_dates import add_months
from waymark.plans.sections import TEXT_SECTION_FIELDS
from waymark.tests import factories as f

from .factories import (
    AdjustmentFactory,
    BankEntryFactory,
    OutcomeFactory,
    PlanTemplateFactory,
    ProvisionFactory,
    SpecialistInputFactory,
    draft_version,
    freeze,
    published_version,
)

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
Status = PlanVersion.Status
ITEM_MODELS = (Barrier, Outcome, Provision, Adjustment, SpecialistInput)


@pytest.fixture
def in_school(cast):
    """Run in School A's scope, as a request from its staff would."""
    with scope(school=[cast.school.pk]):
        yield


@pytest.fixture
def senco(cast):
    return Actor.for_user(cast.senco)


def fresh(obj):
    with scopes_disabled():
        return type(obj)._base_manager.get(pk=obj.pk)


def plan_state():
    """Everything a plan write could change, as plain values."""
    with scopes_disabled():
        state = {
            "audit": AuditEvent.objects.count(),
            "plans": SupportPlan.objects.count(),
            "versions": [
                (v.pk, v.status, v.lock_version, json.dumps(v.snapshot, sort_keys=True), v.next_review_on, v.ended_at)
                for v in PlanVersion.objects.order_by("pk")
            ],
            "sections": list(
                PlanSection.objects.order_by("pk").values_list("pk", "data", "visibility", "lock_version")
            ),
            "receipts": ReadReceipt.objects.count(),
        }
        for model in ITEM_MODELS:
            state[model.__name__] = [
                {key: value for key, value in row.items() if key != "updated_at"}
                for row in model.objects.order_by("pk").values()
            ]
        return state


def messages(error):
    return " ".join(error.value.messages)


@pytest.fixture
def plan(cast, in_school):
    """``cast.pupil``'s plan: version 1 active, version 2 a draft copied from it, ready to publish."""
    active = published_version(cast.pupil, by=cast.senco, specialist_inputs=1)
    draft = draft_version(cast.pupil, copy_from=active, owner=cast.senco)
    return SimpleNamespace(active=active, draft=draft)


def _writes(c, actor, plan):
    """Each successful write, as (audit code, callable)."""
    draft = plan.draft

    def first(model, **filters):
        return model.objects.filter(version=draft, **filters).order_by("order", "id").first()

    return {
        "plans.version.started": lambda: services.plan_start(actor=actor, pupil=c.other_pupil),
        "plans.section.saved": lambda: services.section_save(
            actor=actor,
            section=draft.sections.get(key="about_me"),
            data={"important_to_me": "Lego and my dog"},
            visibility=Visibility.EVERYONE,
            expected_version=draft.sections.get(key="about_me").lock_version,
        ),
        "plans.item.added": lambda: services.item_add(
            actor=actor, version=draft, section_key="adjustments", fields={"text": "Sit near the door", "is_key": True}
        ),
        "plans.item.updated": lambda: services.item_update(
            actor=actor, item=first(Outcome), fields={"target": "Reads 60 words"}, expected_version=0
        ),
        "plans.item.removed": lambda: services.item_delete(actor=actor, item=first(Adjustment), expected_version=0),
        "plans.version.shared": lambda: services.plan_share(actor=actor, version=draft),
        "plans.version.published": lambda: services.plan_publish(actor=actor, version=draft),
        "plans.version.closed": lambda: services.plan_close(actor=actor, version=plan.active),
        "plans.version.read_confirmed": lambda: services.plan_read_confirm(actor=actor, version=plan.active),
    }


WRITE_CODES = [
    "plans.version.started",
    "plans.section.saved",
    "plans.item.added",
    "plans.item.updated",
    "plans.item.removed",
    "plans.version.shared",
    "plans.version.published",
    "plans.version.closed",
    "plans.version.read_confirmed",
]
EDIT_CODES = WRITE_CODES[:-1]


# ----- audit -----


@pytest.mark.parametrize("code", WRITE_CODES)
def test_each_write_leaves_exactly_one_audit_event(cast, senco, plan, code):
    before = set(AuditEvent.objects.values_list("pk", flat=True))

    result = _writes(cast, senco, plan)[code]()

    new = list(AuditEvent.objects.exclude(pk__in=before))
    assert [event.action for event in new] == [code]
    event = new[0]
    assert event.actor == cast.senco
    assert event.school == cast.school
    pupil = cast.other_pupil if code == "plans.version.started" else cast.pupil
    assert event.pupil_id == pupil.public_id
    version = (
        result
        if isinstance(result, PlanVersion)
        else {
            "plans.version.closed": plan.active,
            "plans.version.read_confirmed": plan.active,
        }.get(code, plan.draft)
    )
    assert event.target_id == str(version.public_id)
    assert event.target_type == "plans.planversion"


def test_confirming_a_read_twice_keeps_one_receipt_and_one_event(cast, plan):
    teacher = Actor.for_user(cast.teacher)
    services.plan_read_confirm(actor=teacher, version=plan.active)
    before = plan_state()

    services.plan_read_confirm(actor=teacher, version=plan.active)

    assert plan_state() == before
    assert ReadReceipt.objects.get(version=plan.active).user == cast.teacher


def test_only_the_plan_in_force_can_be_confirmed_as_read(cast, plan):
    before = plan_state()
    with pytest.raises(ValidationError, match="plan in force"):
        services.plan_read_confirm(actor=Actor.for_user(cast.teacher), version=plan.draft)
    assert plan_state() == before


# ----- permission, checked again in every service -----

REFUSED = [
    pytest.param(who, code, id=f"{who}-{code}")
    for who in ("teacher", "ta", "head", "dsl", "head_of_year", "trust_lead", "governor", "parent", "specialist")
    for code in EDIT_CODES
] + [
    pytest.param(who, "plans.version.read_confirmed", id=f"{who}-read_confirmed")
    for who in ("teacher2", "last_year_teacher", "governor", "parent", "specialist", "expired_specialist")
]


@pytest.mark.parametrize(("who", "code"), REFUSED)
def test_services_check_permission_again(cast, plan, who, code):
    actor = Actor.for_user(getattr(cast, who))
    before = plan_state()

    with pytest.raises(PermissionDenied):
        _writes(cast, actor, plan)[code]()

    assert plan_state() == before


@pytest.mark.parametrize("code", WRITE_CODES)
def test_another_schools_senco_is_refused_even_with_both_scopes_open(cast, plan, code):
    actor = Actor.for_user(cast.other_senco)
    before = plan_state()

    with scope(school=[cast.school.pk, cast.other_school.pk]), pytest.raises(PermissionDenied):
        _writes(cast, actor, plan)[code]()

    assert plan_state() == before


def test_a_deputy_senco_may_write_plans(cast, plan):
    deputy = f.UserFactory(full_name="Dee Deputy")
    f.MembershipFactory(user=deputy, school=cast.school, roles=["deputy_senco"])
    actor = Actor.for_user(deputy)

    services.item_add(actor=actor, version=plan.draft, section_key="outcomes", fields={"text": "Counts to 20"})
    services.plan_start(actor=actor, pupil=cast.other_pupil)

    assert Outcome.objects.filter(version=plan.draft, text="Counts to 20").exists()


def test_a_system_actor_reaches_one_school_only(cast, plan):
    actor = Actor.system(cast.school, user=cast.senco)
    services.plan_start(actor=actor, pupil=cast.other_pupil)

    with scope(school=[cast.school.pk, cast.other_school.pk]), pytest.raises(PermissionDenied):
        services.plan_start(actor=actor, pupil=cast.other_school_pupil)


# ----- restricted content: only the SENCO and the DSL -----


@pytest.fixture
def deputy(cast):
    user = f.UserFactory(full_name="Dee Deputy")
    f.MembershipFactory(user=user, school=cast.school, roles=["deputy_senco"])
    return Actor.for_user(user)


def test_the_senco_may_mark_items_and_sections_restricted(senco, plan):
    item = services.item_add(
        actor=senco,
        version=plan.draft,
        section_key="needs",
        fields={"text": "Known to children's social care", "visibility": Visibility.RESTRICTED},
    )
    section = plan.draft.sections.get(key="strengths")
    services.section_save(
        actor=senco, section=section, data={"strengths": "x"}, visibility=Visibility.RESTRICTED, expected_version=0
    )

    assert fresh(item).visibility == Visibility.RESTRICTED
    assert fresh(section).visibility == Visibility.RESTRICTED


def test_a_deputy_senco_who_is_also_the_dsl_may_mark_content_restricted(cast, plan):
    user = f.UserFactory()
    f.MembershipFactory(user=user, school=cast.school, roles=["deputy_senco", "dsl"])

    item = services.item_add(
        actor=Actor.for_user(user),
        version=plan.draft,
        section_key="adjustments",
        fields={"text": "Collected by grandparents only", "visibility": Visibility.RESTRICTED},
    )

    assert item.visibility == Visibility.RESTRICTED


@pytest.mark.parametrize("write", ["item_add", "item_update", "section_save"])
def test_a_deputy_senco_cannot_mark_content_restricted(deputy, plan, write):
    before = plan_state()
    outcome = Outcome.objects.filter(version=plan.draft).first()
    calls = {
        "item_add": lambda: services.item_add(
            actor=deputy,
            version=plan.draft,
            section_key="outcomes",
            fields={"text": "x", "visibility": Visibility.RESTRICTED},
        ),
        "item_update": lambda: services.item_update(
            actor=deputy, item=outcome, fields={"visibility": Visibility.RESTRICTED}, expected_version=0
        ),
        "section_save": lambda: services.section_save(
            actor=deputy,
            section=plan.draft.sections.get(key="about_me"),
            data={},
            visibility=Visibility.RESTRICTED,
            expected_version=0,
        ),
    }

    with pytest.raises(PermissionDenied):
        calls[write]()

    assert plan_state() == before


@pytest.mark.parametrize("write", ["item_update", "item_delete", "section_save"])
def test_a_deputy_senco_cannot_unrestrict_or_remove_restricted_content(cast, deputy, plan, write):
    with scopes_disabled():
        secret = AdjustmentFactory(version=plan.draft, text="See the DSL first", visibility=Visibility.RESTRICTED)
        section = plan.draft.sections.get(key="responsibilities")
        PlanSection.objects.filter(pk=section.pk).update(visibility=Visibility.RESTRICTED)
    before = plan_state()
    calls = {
        "item_update": lambda: services.item_update(
            actor=deputy, item=fresh(secret), fields={"visibility": Visibility.EVERYONE}, expected_version=0
        ),
        "item_delete": lambda: services.item_delete(actor=deputy, item=fresh(secret), expected_version=0),
        "section_save": lambda: services.section_save(
            actor=deputy, section=fresh(section), data={}, visibility=Visibility.EVERYONE, expected_version=0
        ),
    }

    with pytest.raises(PermissionDenied):
        calls[write]()

    assert plan_state() == before


# ----- the lifecycle -----


def test_lifecycle_draft_shared_active_superseded_closed(cast, senco, in_school):
    pupil = cast.pupil
    first = services.plan_start(actor=senco, pupil=pupil)
    assert (first.number, first.status, first.owner, first.created_by) == (1, Status.DRAFT, cast.senco, cast.senco)
    assert first.tier == "targeted"
    assert sorted(first.sections.values_list("key", flat=True)) == sorted(TEXT_SECTION_FIELDS)
    assert first.template.is_builtin and first.template.is_default
    review = first.sections.get(key="review")
    services.section_save(
        actor=senco,
        section=review,
        data={"arrangements": "Termly meeting", "next_review_on": TODAY + 60 * DAY},
        visibility=Visibility.EVERYONE,
        expected_version=0,
    )
    services.item_add(
        actor=senco,
        version=first,
        section_key="outcomes",
        fields={
            "text": "Asks for help using a help card",
            "baseline": "Waits without asking",
            "target": "Uses the card in 4 of 5 lessons",
            "measure": "TA tally",
            "by_date": TODAY + 90 * DAY,
            "who_checks": "Class teacher",
        },
    )

    shared = services.plan_share(actor=senco, version=fresh(first))
    assert shared.status == Status.SHARED
    assert shared.snapshot["number"] == 1
    assert shared.frozen_by == cast.senco and shared.frozen_at is not None
    assert shared.published_at is None
    frozen = json.dumps(shared.snapshot, sort_keys=True)

    active = services.plan_publish(actor=senco, version=fresh(first))
    assert active.status == Status.ACTIVE
    assert active.published_by == cast.senco and active.published_at is not None
    assert json.dumps(fresh(first).snapshot, sort_keys=True) == frozen  # publishing what was shared re-freezes nothing

    second = services.plan_start(actor=senco, pupil=pupil, copy_from=fresh(first))
    assert (second.number, second.status) == (2, Status.DRAFT)
    assert fresh(first).status == Status.ACTIVE  # the plan in force stays in force meanwhile

    services.plan_publish(actor=senco, version=fresh(second))
    assert fresh(second).status == Status.ACTIVE
    old = fresh(first)
    assert old.status == Status.SUPERSEDED and old.ended_at is not None
    assert json.dumps(old.snapshot, sort_keys=True) == frozen

    closed = services.plan_close(actor=senco, version=fresh(second))
    assert closed.status == Status.CLOSED and closed.ended_at is not None
    assert not PlanVersion.objects.filter(plan__pupil=pupil, status=Status.ACTIVE).exists()

    third = services.plan_start(actor=senco, pupil=pupil, copy_from=fresh(second))
    assert third.number == 3


def test_sharing_again_supersedes_the_earlier_shared_version(cast, senco, in_school):
    first = freeze(draft_version(cast.pupil, owner=cast.senco), Status.SHARED)
    second = draft_version(cast.pupil, copy_from=first, owner=cast.senco)

    services.plan_share(actor=senco, version=second)

    assert fresh(first).status == Status.SUPERSEDED
    assert fresh(second).status == Status.SHARED


def test_publishing_a_draft_directly_freezes_it(cast, senco, in_school):
    draft = draft_version(cast.pupil, owner=cast.senco)

    active = services.plan_publish(actor=senco, version=draft)

    assert active.status == Status.ACTIVE
    assert active.snapshot["sections"] and active.frozen_by == cast.senco


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.SUPERSEDED, Status.CLOSED])
def test_only_a_draft_or_shared_version_can_be_published(cast, senco, in_school, status):
    version = freeze(draft_version(cast.pupil, owner=cast.senco), status)
    before = plan_state()

    with pytest.raises(ValidationError, match="Only a draft or a version shared"):
        services.plan_publish(actor=senco, version=version)

    assert plan_state() == before


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SHARED, Status.SUPERSEDED, Status.CLOSED])
def test_only_the_plan_in_force_can_be_closed(cast, senco, in_school, status):
    version = draft_version(cast.pupil, owner=cast.senco)
    if status != Status.DRAFT:
        freeze(version, status)
    before = plan_state()

    with pytest.raises(ValidationError, match="Only the plan in force"):
        services.plan_close(actor=senco, version=version)

    assert plan_state() == before


def test_one_draft_at_a_time(cast, senco, plan):
    before = plan_state()

    with pytest.raises(ValidationError, match="already has a draft"):
        services.plan_start(actor=senco, pupil=cast.pupil)
    with pytest.raises(ValidationError, match="already has a draft"):
        services.plan_start(actor=senco, pupil=cast.pupil, copy_from=plan.active)

    assert plan_state() == before


def test_a_draft_cannot_be_started_from_another_pupils_plan(cast, senco, plan):
    before = plan_state()

    with pytest.raises(ValidationError, match="this pupil's own plans"):
        services.plan_start(actor=senco, pupil=cast.other_pupil, copy_from=plan.active)

    assert plan_state() == before


def test_a_new_draft_uses_the_schools_default_template_and_the_current_tier(cast, senco, in_school):
    template = PlanTemplateFactory(school=cast.school, name="Ashdown plan", is_default=True)
    with scopes_disabled():
        status = cast.other_pupil.sen_statuses.get()
        status.provision, status.tier = "E", "specialist"
        status.save()

    version = services.plan_start(actor=senco, pupil=cast.other_pupil)

    assert version.template == template
    assert version.tier == "specialist"


def test_a_system_actor_without_a_user_can_start_a_plan(cast, in_school):
    version = services.plan_start(actor=Actor.system(cast.school), pupil=cast.other_pupil)

    assert version.owner is None


def test_a_draft_cannot_use_another_schools_template(cast, senco, in_school):
    theirs = PlanTemplateFactory(school=cast.other_school, name="Brookfield plan")
    before = plan_state()

    with pytest.raises((ValidationError, PermissionDenied)):
        services.plan_start(actor=senco, pupil=cast.other_pupil, template=theirs)

    assert plan_state() == before


# ----- copy forward -----


def test_start_from_the_previous_plan_copies_sections_and_items(cast, senco, in_school):
    bank = BankEntryFactory()
    source = draft_version(cast.pupil, owner=cast.senco, specialist_inputs=1, staff_only=True, restricted=True)
    with scopes_disabled():
        OutcomeFactory(version=source, bank_entry=bank, bank_text="From the bank", text="From the bank, edited")
        ProvisionFactory(version=source, delivered_by=cast.ta, sessions_per_week="2.5")
        source.sections.filter(key="strengths").update(visibility=Visibility.STAFF)
    source = freeze(source, Status.ACTIVE)
    snapshot = json.dumps(source.snapshot, sort_keys=True)

    copy = services.plan_start(actor=senco, pupil=cast.pupil, copy_from=source)

    assert copy.started_from == source
    assert copy.template == source.template
    assert copy.next_review_on == source.next_review_on
    assert {s.key: (s.data, s.visibility) for s in copy.sections.all()} == {
        s.key: (s.data, s.visibility) for s in source.sections.all()
    }
    for model, fields in services.COPIED_FIELDS.items():
        names = [
            "order",
            "visibility",
            "bank_entry_id",
            "bank_text",
            *(f"{name}_id" if name in {"need", "delivered_by"} else name for name in fields),
        ]
        old = list(model.objects.filter(version=source).order_by("order", "id").values_list(*names))
        new = list(model.objects.filter(version=copy).order_by("order", "id").values_list(*names))
        assert new == old, model.__name__
        assert old, model.__name__
        old_ids = set(model.objects.filter(version=source).values_list("public_id", flat=True))
        assert not old_ids & set(model.objects.filter(version=copy).values_list("public_id", flat=True))
    for model in (Outcome, Provision):  # commitments keep their lineage from version to version
        carried = dict(model.objects.filter(version=copy).values_list("order", "carried_from"))
        assert carried == dict(model.objects.filter(version=source).values_list("order", "public_id"))
    assert fresh(source).status == Status.ACTIVE
    assert json.dumps(fresh(source).snapshot, sort_keys=True) == snapshot


# ----- frozen versions refuse every write -----

FROZEN_WRITES = ["section_save", "item_add", "item_update", "item_delete", "plan_share"]


@pytest.mark.parametrize("status", [Status.SHARED, Status.ACTIVE, Status.SUPERSEDED, Status.CLOSED])
@pytest.mark.parametrize("write", FROZEN_WRITES)
def test_frozen_versions_refuse_every_write(cast, senco, in_school, status, write):
    version = freeze(draft_version(cast.pupil, owner=cast.senco), status)
    version = fresh(version)
    section = PlanSection.objects.get(version=version, key="about_me")
    outcome = Outcome.objects.filter(version=version).first()
    calls = {
        "section_save": lambda: services.section_save(
            actor=senco, section=section, data={}, visibility=Visibility.EVERYONE, expected_version=0
        ),
        "item_add": lambda: services.item_add(
            actor=senco, version=version, section_key="adjustments", fields={"text": "Late addition"}
        ),
        "item_update": lambda: services.item_update(
            actor=senco, item=outcome, fields={"text": "Rewritten"}, expected_version=0
        ),
        "item_delete": lambda: services.item_delete(actor=senco, item=outcome, expected_version=0),
        "plan_share": lambda: services.plan_share(actor=senco, version=version),
    }
    before = plan_state()

    with pytest.raises(ValidationError, match="cannot be changed") as error:
        calls[write]()

    assert error.value.code == "frozen"
    assert plan_state() == before


def test_a_frozen_snapshot_cannot_be_rewritten_by_saving(cast, in_school):
    version = published_version(cast.pupil, by=cast.senco)
    before = json.dumps(version.snapshot, sort_keys=True)

    version.snapshot["pupil"]["name"] = "Someone Else"
    with pytest.raises(ValidationError, match="cannot be changed"):
        version.save()
    version.snapshot = None
    with pytest.raises(ValidationError, match="cannot be changed"):
        version.save()

    assert json.dumps(fresh(version).snapshot, sort_keys=True) == before


def test_saving_a_frozen_version_without_touching_the_snapshot_is_allowed(cast, in_school):
    version = fresh(published_version(cast.pupil, by=cast.senco))
    version.next_review_on = TODAY + 10 * DAY

    version.save()

    assert fresh(version).next_review_on == TODAY + 10 * DAY


def test_a_write_through_an_out_of_date_draft_object_is_refused(cast, senco, in_school):
    draft = draft_version(cast.pupil, owner=cast.senco)
    section = draft.sections.get(key="about_me")  # section.version is this very (soon out-of-date) object
    services.plan_share(actor=senco, version=fresh(draft))
    before = plan_state()

    with pytest.raises(ValidationError, match="cannot be changed"):
        services.section_save(actor=senco, section=section, data={}, visibility="everyone", expected_version=0)
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.item_add(actor=senco, version=draft, section_key="adjustments", fields={"text": "Late"})

    assert plan_state() == before


# ----- stale saves -----


def test_a_stale_section_save_is_refused_and_nothing_is_lost(senco, plan):
    section = plan.draft.sections.get(key="about_me")
    services.section_save(
        actor=senco,
        section=section,
        data={"important_to_me": "First save"},
        visibility=Visibility.EVERYONE,
        expected_version=0,
    )
    before = plan_state()

    with pytest.raises(ValidationError) as error:
        services.section_save(
            actor=senco,
            section=plan.draft.sections.get(key="about_me"),
            data={"important_to_me": "Second, from an old page"},
            visibility=Visibility.EVERYONE,
            expected_version=0,
        )

    assert error.value.code == "stale"
    assert error.value.messages == [str(STALE_MESSAGE)]
    assert plan_state() == before
    assert fresh(section).data["important_to_me"] == "First save"


def test_sections_save_independently(senco, plan):
    strengths = plan.draft.sections.get(key="strengths")

    services.section_save(
        actor=senco,
        section=plan.draft.sections.get(key="about_me"),
        data={"important_to_me": "Drawing"},
        visibility=Visibility.EVERYONE,
        expected_version=0,
    )
    services.section_save(
        actor=senco, section=strengths, data={"strengths": "Kind"}, visibility=Visibility.EVERYONE, expected_version=0
    )

    assert fresh(strengths).data == {"strengths": "Kind"}


@pytest.mark.parametrize("write", ["item_update", "item_delete"])
def test_a_stale_item_save_is_refused(senco, plan, write):
    outcome = Outcome.objects.filter(version=plan.draft).first()
    services.item_update(actor=senco, item=outcome, fields={"target": "Newer target"}, expected_version=0)
    before = plan_state()
    old = Outcome.objects.get(pk=outcome.pk)
    old.lock_version = 0  # as the form loaded before the save above

    with pytest.raises(ValidationError) as error:
        if write == "item_update":
            services.item_update(actor=senco, item=old, fields={"target": "Old page"}, expected_version=0)
        else:
            services.item_delete(actor=senco, item=old, expected_version=0)

    assert error.value.code == "stale"
    assert plan_state() == before
    assert fresh(outcome).target == "Newer target"


@pytest.mark.parametrize("write", ["plan_share", "plan_publish"])
def test_a_stale_share_or_publish_is_refused(senco, plan, write):
    services.item_add(actor=senco, version=plan.draft, section_key="adjustments", fields={"text": "x"})
    PlanVersion.objects.filter(pk=plan.draft.pk).update(lock_version=3)
    before = plan_state()

    with pytest.raises(ValidationError) as error:
        getattr(services, write)(actor=senco, version=plan.draft, expected_version=2)

    assert error.value.code == "stale"
    assert plan_state() == before


def test_a_stale_close_is_refused(senco, plan):
    before = plan_state()

    with pytest.raises(ValidationError) as error:
        services.plan_close(actor=senco, version=plan.active, expected_version=plan.active.lock_version + 1)

    assert error.value.code == "stale"
    assert plan_state() == before


# ----- sections and items: what is stored -----


def test_section_save_keeps_only_the_sections_own_fields_and_stores_dates_as_iso(senco, plan):
    review = plan.draft.sections.get(key="review")
    when = TODAY + 45 * DAY

    services.section_save(
        actor=senco,
        section=review,
        data={"arrangements": "Each term", "next_review_on": when, "smuggled": "x"},
        visibility=Visibility.EVERYONE,
        expected_version=review.lock_version,
    )

    assert fresh(review).data == {"arrangements": "Each term", "next_review_on": when.isoformat()}
    assert fresh(plan.draft).next_review_on == when

    services.section_save(
        actor=senco, section=fresh(review), data={}, visibility=Visibility.EVERYONE, expected_version=1
    )
    assert fresh(plan.draft).next_review_on is None


@pytest.mark.parametrize(
    ("section_key", "fields", "message"),
    [
        (
            "provision",
            {"group_size": 0},
            "Group size must be 1 or more.",
        ),
        (
            "provision",
            {"starts_on": TODAY, "ends_on": TODAY - DAY},
            "The end date must be on or after the start date.",
        ),
        ("outcomes", {"by_date": TODAY - 400 * DAY}, "must not be more than a year ago"),
    ],
)
def test_bad_items_are_refused_with_a_clear_message(senco, plan, section_key, fields, message):
    base = {
        "provision": {
            "what": "Speech and language group",
            "delivered_by_role": "TA",
            "sessions_per_week": 1,
            "minutes_per_session": 30,
            "group_size": 4,
            "starts_on": TODAY,
            "ends_on": TODAY + 60 * DAY,
        },
        "outcomes": {"text": "Reads a short book", "by_date": TODAY + 60 * DAY},
    }[section_key]
    before = plan_state()

    with pytest.raises(ValidationError, match=message):
        services.item_add(actor=senco, version=plan.draft, section_key=section_key, fields={**base, **fields})
    existing = (Provision if section_key == "provision" else Outcome).objects.filter(version=plan.draft).first()
    with pytest.raises(ValidationError, match=message):
        services.item_update(actor=senco, item=existing, fields=fields, expected_version=existing.lock_version)

    assert plan_state() == before


def test_a_missing_required_field_is_refused(senco, plan):
    before = plan_state()

    with pytest.raises(ValidationError) as error:
        services.item_add(actor=senco, version=plan.draft, section_key="specialist_input", fields={"who": "Dr X"})

    assert {"service", "given_on", "recommendations"} <= set(error.value.message_dict)
    assert plan_state() == before


def test_items_are_added_at_the_end(senco, plan):
    last = max(Adjustment.objects.filter(version=plan.draft).values_list("order", flat=True))

    item = services.item_add(actor=senco, version=plan.draft, section_key="adjustments", fields={"text": "Last"})

    assert item.order == last + 1


# ----- what stops a plan being shared or published -----


def _draft_with(cast, *, outcomes=(), next_review_on=TODAY + 60 * DAY):
    version = draft_version(cast.pupil, owner=cast.senco, fill=False)
    with scopes_disabled():
        PlanVersion.objects.filter(pk=version.pk).update(next_review_on=next_review_on)
        for fields in outcomes:
            OutcomeFactory(version=version, **fields)
    return fresh(version)


@pytest.mark.parametrize("write", ["plan_share", "plan_publish"])
@pytest.mark.parametrize(
    ("outcomes", "next_review_on", "expected"),
    [
        ((), TODAY + 30 * DAY, ["Add at least one outcome."]),
        (({"baseline": ""},), TODAY + 30 * DAY, ["Outcome 1 needs a baseline."]),
        (({}, {"target": "", "measure": ""}), TODAY + 30 * DAY, ["Outcome 2 needs a target, how it will be measured."]),
        (({"by_date": None},), TODAY + 30 * DAY, ["Outcome 1 needs a date to achieve it by."]),
        (({},), None, ["Set the next review date in the review section."]),
        ((), None, ["Add at least one outcome.", "Set the next review date in the review section."]),
        (({},), TODAY, ["Next review date: The next review date must be in the future."]),
        (
            ({},),
            TODAY + 400 * DAY,
            [
                "Next review date: A plan must be reviewed at least once a year: choose a date no later than "
                + date_format(add_months(TODAY, 12), "j F Y")
                + "."
            ],
        ),
    ],
)
def test_an_incomplete_plan_cannot_be_shared_or_published(
    cast, senco, in_school, write, outcomes, next_review_on, expected
):
    version = _draft_with(cast, outcomes=outcomes, next_review_on=next_review_on)
    before = plan_state()

    with pytest.raises(ValidationError) as error:
        getattr(services, write)(actor=senco, version=version)

    assert error.value.messages == expected
    assert plan_state() == before
    assert services.publish_problems(version) == expected


def test_a_complete_plan_has_no_problems(plan):
    assert services.publish_problems(plan.draft) == []


# ----- bank text left as it came -----


@pytest.fixture
def banked(senco, plan):
    entry = BankEntryFactory(kind="adjustment", text="Give {name} a task list")
    text = "Give Zephyrine a task list"
    item = services.item_add(
        actor=senco,
        version=plan.draft,
        section_key="adjustments",
        fields={"text": text},
        bank_entry=entry,
        bank_text=text,
    )
    return item


@pytest.mark.parametrize("write", ["plan_share", "plan_publish"])
def test_unedited_bank_text_is_flagged_before_sharing_or_publishing(senco, plan, banked, write):
    before = plan_state()

    with pytest.raises(services.UneditedBankText) as error:
        getattr(services, write)(actor=senco, version=plan.draft)

    assert isinstance(error.value, ValidationError)
    assert "word for word from the strategy bank" in messages(error)
    assert plan_state() == before
    assert services.unedited_bank_items(plan.draft) == [("adjustments", banked)]

    version = getattr(services, write)(actor=senco, version=plan.draft, accept_unedited=True)
    assert version.status in (Status.SHARED, Status.ACTIVE)


def test_personalised_bank_text_is_not_flagged(senco, plan, banked):
    services.item_update(
        actor=senco,
        item=banked,
        fields={"text": "Give Zephyrine a picture task list for science practicals"},
        expected_version=banked.lock_version,
    )

    assert services.unedited_bank_items(plan.draft) == []
    assert services.plan_publish(actor=senco, version=plan.draft).status == Status.ACTIVE


def test_a_provision_is_compared_on_what_it_is(senco, plan):
    with scopes_disabled():
        item = ProvisionFactory(version=plan.draft, what="Precision teaching ", bank_text="Precision teaching")
        SpecialistInputFactory(version=plan.draft, recommendations="x", bank_text="")

    assert services.unedited_bank_items(plan.draft) == [("provision", item)]
