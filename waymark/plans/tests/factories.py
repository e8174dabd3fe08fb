"""Plan factories other plan tests reuse.

Rows are written directly (no services, so no audit events and no permission checks):
a factory is test set-up. Frozen versions get their snapshot from the real
``build_snapshot``, so what a test reads is what production would have frozen.

The quick way in::

    version = published_version(cast.pupil)            # an active plan with content
    draft = draft_version(cast.pupil, copy_from=version)  # a new draft beside it
    shared = shared_version(cast.other_pupil, outcomes=3)
"""

import datetime
import json

import factory
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django_scopes import scopes_disabled

from waymark.core.models import Visibility
from waymark.plans.models import (
    Adjustment,
    BankEntry,
    Barrier,
    Outcome,
    PlanSection,
    PlanTemplate,
    PlanVersion,
    Provision,
    ReadReceipt,
    SpecialistInput,
    SupportPlan,
)
from waymark.plans.sections import TEXT_SECTION_FIELDS, default_sections
from waymark.plans.snapshot import build_snapshot, prefetch_for_snapshot
from waymark.tests.factories import PupilFactory, ScopedFactory, UserFactory

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)


def builtin_template(name="Individual Support Plan"):
    """One of the two templates the migrations load."""
    return PlanTemplate.objects.get(is_builtin=True, name=name)


class PlanTemplateFactory(ScopedFactory):
    class Meta:
        model = PlanTemplate

    name = factory.Sequence(lambda n: f"Template {n}")
    sections = factory.LazyFunction(
        lambda: default_sections(
            [
                "about_me",
                "strengths",
                "needs",
                "outcomes",
                "provision",
                "adjustments",
                "specialist_input",
                "responsibilities",
                "review",
                "ehc_plan",
            ]
        )
    )


class BankEntryFactory(ScopedFactory):
    class Meta:
        model = BankEntry

    kind = BankEntry.Kind.ADJUSTMENT
    text = factory.Sequence(lambda n: f"Give {{name}} a copy of the key words before lesson {n}.")
    rationale = "Pre-teaching vocabulary lowers the load of new words during the lesson."
    need_codes = factory.LazyFunction(lambda: ["SLCN"])


class SupportPlanFactory(ScopedFactory):
    class Meta:
        model = SupportPlan
        django_get_or_create = ("pupil",)

    pupil = factory.SubFactory(PupilFactory)


class PlanVersionFactory(ScopedFactory):
    """A bare draft: no sections, no items (see ``draft_version`` for a filled one)."""

    class Meta:
        model = PlanVersion

    plan = factory.SubFactory(SupportPlanFactory)
    number = factory.LazyAttribute(lambda o: (o.plan.versions.count() if o.plan.pk else 0) + 1)
    template = factory.LazyFunction(builtin_template)
    tier = "targeted"
    owner = factory.SubFactory(UserFactory)
    created_by = factory.SelfAttribute("owner")
    next_review_on = factory.LazyFunction(lambda: TODAY + 90 * DAY)


class ItemFactory(ScopedFactory):
    class Meta:
        abstract = True

    order = factory.Sequence(lambda n: n + 1)
    visibility = Visibility.EVERYONE


class BarrierFactory(ItemFactory):
    class Meta:
        model = Barrier

    text = "Finds long spoken instructions hard to hold in mind."


class OutcomeFactory(ItemFactory):
    class Meta:
        model = Outcome

    text = factory.Sequence(lambda n: f"Reads and spells the next set of common words ({n}).")
    baseline = "Reads 20 of the first 100 high-frequency words."
    target = "Reads 45 of the first 100 high-frequency words."
    measure = "Precision-teaching probe sheet, timed for one minute"
    by_date = factory.LazyFunction(lambda: TODAY + 120 * DAY)
    who_checks = "Class teacher"


class ProvisionFactory(ItemFactory):
    class Meta:
        model = Provision

    what = "Precision teaching"
    delivered_by_role = "Teaching assistant"
    sessions_per_week = 3
    minutes_per_session = 10
    group_size = 1
    starts_on = factory.LazyFunction(lambda: TODAY)
    ends_on = factory.LazyFunction(lambda: TODAY + 84 * DAY)
    funding = Provision.Funding.SEN_BUDGET


class AdjustmentFactory(ItemFactory):
    class Meta:
        model = Adjustment

    text = factory.Sequence(lambda n: f"Give one instruction at a time ({n}).")
    is_key = False
    subject = ""


class SpecialistInputFactory(ItemFactory):
    class Meta:
        model = SpecialistInput

    who = "Dr Ada Example"
    service = "Educational psychology service"
    given_on = factory.LazyFunction(lambda: TODAY - 30 * DAY)
    recommendations = "Short daily overlearning of new vocabulary."


class ReadReceiptFactory(ScopedFactory):
    class Meta:
        model = ReadReceipt

    user = factory.SubFactory(UserFactory)


SECTION_DATA = {
    "about_me": {
        "liked_and_admired": "People say I am kind and I make them laugh.",
        "important_to_me": "My cat, football on Saturdays and my big sister.",
        "how_to_support_me": "Tell me one thing at a time and give me a moment to answer.",
    },
    "strengths": {"strengths": "Draws well; remembers stories told out loud."},
    "responsibilities": {
        "school": "Deliver the support below and tell home how it is going each half term.",
        "parents": "Read together for ten minutes most evenings.",
        "pupil": "Use my word mat before asking for help.",
    },
    "review": {"arrangements": "A meeting with the family each term."},
    "ehc_plan": {
        "local_authority": "Example Borough Council",
        "issued_on": "2024-03-01",
        "last_annual_review_on": "2026-03-04",
        "outcomes_summary": "Communicates needs with an adult; reads simple sentences.",
    },
}


def fill_version(
    version,
    *,
    outcomes=2,
    provisions=1,
    adjustments=3,
    key_adjustments=1,
    barriers=1,
    specialist_inputs=0,
    staff_only=False,
    restricted=False,
):
    """Give a draft text sections and items. ``staff_only`` and ``restricted`` add one item of each level."""
    with scopes_disabled():
        review_on = version.next_review_on
        for key in TEXT_SECTION_FIELDS:
            data = dict(SECTION_DATA.get(key, {}))
            if key == "review":
                data["next_review_on"] = review_on.isoformat() if review_on else ""
            PlanSection.objects.update_or_create(version=version, key=key, defaults={"data": data})
        need = version.plan.pupil.needs.filter(ends_on__isnull=True).order_by("rank").first()
        for _ in range(barriers):
            BarrierFactory(version=version, need=need)
        for _ in range(outcomes):
            OutcomeFactory(version=version)
        for _ in range(provisions):
            ProvisionFactory(version=version)
        for index in range(adjustments):
            AdjustmentFactory(version=version, is_key=index < key_adjustments)
        for _ in range(specialist_inputs):
            SpecialistInputFactory(version=version)
        if staff_only:
            AdjustmentFactory(version=version, text="Staff only: check in quietly after lunch.", visibility="staff")
        if restricted:
            BarrierFactory(
                version=version, text="Restricted: see the DSL before contacting home.", visibility="restricted"
            )
    return version


def _copy_into(source, target):
    from waymark.plans.services import _copy_content

    _copy_content(source, target)


def draft_version(pupil, *, copy_from=None, owner=None, template=None, tier=None, fill=True, **fill_options):
    """A draft for ``pupil`` (the plan is made if need be), filled with content unless ``fill=False``.

    With ``copy_from`` the draft starts as a copy of that version, as ``plan_start`` does.
    """
    with scopes_disabled():
        plan = SupportPlanFactory(pupil=pupil)
        number = (max(plan.versions.values_list("number", flat=True), default=0)) + 1
        status = pupil.sen_statuses.filter(ends_on__isnull=True).first()
        version = PlanVersionFactory(
            plan=plan,
            number=number,
            template=template or (copy_from.template if copy_from else builtin_template()),
            tier=tier or (status.tier if status else "targeted"),
            owner=owner or UserFactory(),
            started_from=copy_from,
        )
        if copy_from is not None:
            _copy_into(copy_from, version)
            for key in TEXT_SECTION_FIELDS:
                PlanSection.objects.get_or_create(version=version, key=key)
        elif fill:
            fill_version(version, **fill_options)
        else:
            for key in TEXT_SECTION_FIELDS:
                PlanSection.objects.get_or_create(version=version, key=key)
    return version


def freeze(version, status, *, by=None, at=None):
    """Freeze ``version`` with the real ``build_snapshot`` and give it ``status``.

    Publishing supersedes the plan's active version; sharing supersedes an earlier shared one.
    """
    at = at or timezone.now()
    with scopes_disabled():
        fresh = prefetch_for_snapshot(PlanVersion.objects.filter(pk=version.pk)).get()
        others = PlanVersion.objects.filter(plan=version.plan, status=status).exclude(pk=version.pk)
        if status in (PlanVersion.Status.ACTIVE, PlanVersion.Status.SHARED):
            others.update(status=PlanVersion.Status.SUPERSEDED, ended_at=at)
        # As services._freeze: stored as plain JSON, so it compares equal to what is read back.
        version.snapshot = json.loads(json.dumps(build_snapshot(fresh), cls=DjangoJSONEncoder))
        version.status = status
        version.frozen_at = at
        version.frozen_by = by or version.owner
        if status in (PlanVersion.Status.ACTIVE, PlanVersion.Status.SUPERSEDED, PlanVersion.Status.CLOSED):
            version.published_at = at
            version.published_by = by or version.owner
        if status in (PlanVersion.Status.SUPERSEDED, PlanVersion.Status.CLOSED):
            version.ended_at = at
        version.save()
    return version


def published_version(pupil, *, by=None, **options):
    """An ACTIVE version for ``pupil`` with content (``draft_version`` options apply)."""
    return freeze(draft_version(pupil, owner=by, **options), PlanVersion.Status.ACTIVE, by=by)


def shared_version(pupil, *, by=None, **options):
    """A version SHARED for agreement."""
    return freeze(draft_version(pupil, owner=by, **options), PlanVersion.Status.SHARED, by=by)
