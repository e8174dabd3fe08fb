"""Writes to plans: starting a draft, saving sections and items, sharing, publishing, closing.

Every write checks permission again, refuses to touch a frozen version, refuses a stale
save, runs in a transaction and leaves one audit event.
"""

import datetime
import json

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from waymark.core.access import Action
from waymark.core.audit import audit_record
from waymark.core.models import Visibility
from waymark.core.services import require, require_pupil, save_versioned
from waymark.schools.models import Membership

from .models import (
    Adjustment,
    Barrier,
    Outcome,
    PlanSection,
    PlanTemplate,
    PlanVersion,
    Provision,
    PupilVoice,
    ReadReceipt,
    SpecialistInput,
    SupportPlan,
)
from .notices import notify_parents_later
from .review_dates import review_date_problem
from .sections import TEXT_SECTION_FIELDS, section_kind
from .selectors import templates_for
from .snapshot import build_snapshot, prefetch_for_snapshot

# The item models a draft holds, by the section they belong to.
ITEM_MODELS = {
    "needs": Barrier,
    "outcomes": Outcome,
    "provision": Provision,
    "adjustments": Adjustment,
    "specialist_input": SpecialistInput,
}
COPIED_FIELDS = {
    Barrier: ("need", "text"),
    Outcome: ("text", "baseline", "target", "measure", "by_date", "who_checks"),
    Provision: (
        "what",
        "delivered_by_role",
        "delivered_by",
        "sessions_per_week",
        "minutes_per_session",
        "group_size",
        "starts_on",
        "ends_on",
        "funding",
    ),
    Adjustment: ("text", "is_key", "subject"),
    SpecialistInput: ("who", "service", "given_on", "recommendations"),
}
FROZEN_MESSAGE = gettext_lazy(
    "This version has been shared or published, so it cannot be changed. Start a new draft to make changes."
)


class UneditedBankText(ValidationError):
    """Bank text was inserted and never personalised; the author must confirm to go ahead."""


def _require_draft(version):
    """Refuse unless the version is still a draft in the database, not just in the caller's copy.

    The row is locked, so a share or publish running at the same moment waits for this write.
    """
    still_draft = (
        PlanVersion.objects.select_for_update().filter(pk=version.pk, status=PlanVersion.Status.DRAFT).exists()
    )
    if not version.is_draft or not still_draft:
        raise ValidationError(FROZEN_MESSAGE, code="frozen")


def _visibility_allowed(actor, visibility):
    if visibility == Visibility.RESTRICTED:
        require(actor.can_see_restricted())


def default_template(school):
    return (
        PlanTemplate.objects.filter(school=school, is_default=True).first()
        or PlanTemplate.objects.filter(trust=school.trust_id, is_default=True).exclude(trust=None).first()
        or PlanTemplate.objects.filter(is_builtin=True, is_default=True).first()
        or PlanTemplate.objects.filter(is_builtin=True).first()
    )


def _current_tier(pupil):
    status = pupil.sen_statuses.filter(ends_on__isnull=True).first()
    return status.tier if status else "universal"


@transaction.atomic
def plan_start(*, actor, pupil, template=None, copy_from=None):
    """Open a new draft for ``pupil``, blank or copied forward from an earlier version.

    Guarantees at most one draft per pupil; any active version stays in force meanwhile.
    """
    require_pupil(actor, pupil, Action.EDIT)
    plan, _created = SupportPlan.objects.get_or_create(pupil=pupil)
    if plan.versions.filter(status=PlanVersion.Status.DRAFT).exists():
        raise ValidationError(_("This pupil already has a draft plan. Carry on with that one."))
    if copy_from is not None and copy_from.plan_id != plan.pk:
        raise ValidationError(_("You can only start from one of this pupil's own plans."))
    template = template or (copy_from.template if copy_from else None) or default_template(pupil.school)
    if not templates_for(pupil.school).filter(pk=template.pk).exists():
        raise ValidationError(_("Choose one of your school's plan templates."))
    number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PlanVersion(
        plan=plan,
        number=number,
        template=template,
        tier=_current_tier(pupil),
        owner=actor.user,
        created_by=actor.user,
        started_from=copy_from,
        next_review_on=copy_from.next_review_on if copy_from else None,
    )
    version.full_clean(exclude=["snapshot"])
    version.save()
    _copy_content(copy_from, version)
    for key in TEXT_SECTION_FIELDS:
        PlanSection.objects.get_or_create(version=version, key=key)
    audit_record(
        actor=actor,
        action="plans.version.started",
        target=version,
        pupil=pupil,
        data={"from": str(copy_from.public_id) if copy_from else None},
    )
    return version


def _copy_content(source, target):
    if source is None:
        return
    for section in source.sections.all():
        PlanSection.objects.create(version=target, key=section.key, data=section.data, visibility=section.visibility)
    for model, fields in COPIED_FIELDS.items():
        rows = model.objects.filter(version=source).order_by("order", "id")
        for row in rows:
            copy = model(
                version=target,
                order=row.order,
                visibility=row.visibility,
                bank_entry=row.bank_entry,
                bank_text=row.bank_text,
                **{name: getattr(row, name) for name in fields},
            )
            if model in (Outcome, Provision):
                copy.carried_from = row.public_id
                copy.lineage = row.lineage
            copy.save()
    # The pupil's own views stay with the about-me section until they give new ones.
    for voice in PupilVoice.objects.filter(version=source).order_by("given_at"):
        PupilVoice.objects.create(
            version=target,
            style=voice.style,
            answers=voice.answers,
            given_at=voice.given_at,
            given_with=voice.given_with,
            visibility=voice.visibility,
        )


@transaction.atomic
def section_save(*, actor, section, data, visibility, expected_version):
    """Save one text section of a draft; other sections are untouched."""
    version = section.version
    require_pupil(actor, version.plan.pupil, Action.EDIT)
    _require_draft(version)
    # Both the old and the new level: nobody may overwrite, or lower, what they could not read.
    _visibility_allowed(actor, section.visibility)
    _visibility_allowed(actor, visibility)
    allowed = TEXT_SECTION_FIELDS[section.key]
    section.data = {name: _plain(data.get(name)) for name in allowed}
    section.visibility = visibility
    save_versioned(section, expected_version=expected_version)
    if section.key == "review":
        review_on = data.get("next_review_on")
        PlanVersion.objects.filter(pk=version.pk).update(next_review_on=review_on or None)
    audit_record(
        actor=actor,
        action="plans.section.saved",
        target=version,
        pupil=version.plan.pupil,
        data={"section": section.key},
    )
    return section


def _plain(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else value


def _check_references(item, version):
    """What an item points at must belong to this pupil and school, whoever calls (importer, API)."""
    pupil = version.plan.pupil
    need = getattr(item, "need", None)
    if need is not None and need.pupil_id != pupil.pk:
        raise ValidationError({"need": _("Choose one of this pupil's needs.")})
    deliverer = getattr(item, "delivered_by", None)
    if deliverer is not None and not Membership.objects.filter(school=pupil.school, user=deliverer).exists():
        raise ValidationError({"delivered_by": _("Choose a member of staff at this school.")})
    if item.bank_entry is not None and item.bank_entry.school_id not in (None, pupil.school_id):
        raise ValidationError(_("That strategy bank entry belongs to another school."))


def _check_item(item):
    if isinstance(item, Provision):
        if item.group_size is not None and item.group_size < 1:
            raise ValidationError({"group_size": _("Group size must be 1 or more.")})
        if item.starts_on and item.ends_on and item.ends_on < item.starts_on:
            raise ValidationError({"ends_on": _("The end date must be on or after the start date.")})
    if isinstance(item, Outcome) and item.by_date and item.version.created_at:
        if item.by_date < item.version.created_at.date() - datetime.timedelta(days=366):
            raise ValidationError({"by_date": _("The date to achieve this by must not be more than a year ago.")})


@transaction.atomic
def item_add(*, actor, version, section_key, fields, bank_entry=None, bank_text=""):
    """Add an outcome, provision, adjustment, barrier or specialist's advice to a draft."""
    require_pupil(actor, version.plan.pupil, Action.EDIT)
    _require_draft(version)
    model = ITEM_MODELS[section_key]
    _visibility_allowed(actor, fields.get("visibility", Visibility.EVERYONE))
    order = (model.objects.filter(version=version).aggregate(n=Max("order"))["n"] or 0) + 1
    item = model(version=version, order=order, bank_entry=bank_entry, bank_text=bank_text, **fields)
    _check_references(item, version)
    _check_item(item)
    save_versioned(item)
    audit_record(
        actor=actor,
        action="plans.item.added",
        target=version,
        pupil=version.plan.pupil,
        data={"section": section_key, "item": str(item.public_id)},
    )
    return item


@transaction.atomic
def item_update(*, actor, item, fields, expected_version):
    version = item.version
    require_pupil(actor, version.plan.pupil, Action.EDIT)
    _require_draft(version)
    _visibility_allowed(actor, item.visibility)
    _visibility_allowed(actor, fields.get("visibility", item.visibility))
    for name, value in fields.items():
        setattr(item, name, value)
    _check_references(item, version)
    _check_item(item)
    save_versioned(item, expected_version=expected_version)
    audit_record(
        actor=actor,
        action="plans.item.updated",
        target=version,
        pupil=version.plan.pupil,
        data={"item": str(item.public_id)},
    )
    return item


@transaction.atomic
def item_delete(*, actor, item, expected_version):
    version = item.version
    require_pupil(actor, version.plan.pupil, Action.EDIT)
    _require_draft(version)
    _visibility_allowed(actor, item.visibility)
    current = (
        type(item)
        ._base_manager.select_for_update()
        .filter(pk=item.pk)
        .order_by("pk")
        .values_list("lock_version", flat=True)
    )
    if expected_version is None or current.first() != int(expected_version):
        from waymark.core.services import STALE_MESSAGE

        raise ValidationError(STALE_MESSAGE, code="stale")
    item.delete()
    audit_record(
        actor=actor,
        action="plans.item.removed",
        target=version,
        pupil=version.plan.pupil,
        data={"item": str(item.public_id)},
    )


def publish_problems(version, *, today=None):
    """What stops a version being shared or published on ``today``, in plain English."""
    problems = []
    for number, outcome in enumerate(Outcome.objects.filter(version=version).order_by("order", "id"), start=1):
        missing = [
            label
            for label, value in (
                (_("a baseline"), outcome.baseline),
                (_("a target"), outcome.target),
                (_("how it will be measured"), outcome.measure),
                (_("a date to achieve it by"), outcome.by_date),
            )
            if not value
        ]
        if missing:
            problems.append(
                _("Outcome %(number)d needs %(missing)s.") % {"number": number, "missing": ", ".join(missing)}
            )
    if not Outcome.objects.filter(version=version).exists():
        problems.append(_("Add at least one outcome."))
    if not version.next_review_on:
        problems.append(_("Set the next review date in the review section."))
    else:
        problem = review_date_problem(version.next_review_on, from_day=today or timezone.localdate())
        if problem:
            problems.append(_("Next review date: %(problem)s") % {"problem": problem})
    return problems


def unedited_bank_items(version):
    """Items still exactly as they came from the bank: copy-paste plans are what parents notice."""
    found = []
    for section_key, model in ITEM_MODELS.items():
        for item in model.objects.filter(version=version).exclude(bank_text=""):
            if item.is_unedited:
                found.append((section_key, item))
    return found


def _freeze(version, actor):
    fresh = prefetch_for_snapshot(PlanVersion.objects.filter(pk=version.pk)).get()
    # Round-trip through JSON so what is kept is exactly what is stored: plain strings, no lazy
    # translations or date objects that would compare unequal to the stored copy later.
    version.snapshot = json.loads(json.dumps(build_snapshot(fresh), cls=DjangoJSONEncoder))
    version.frozen_at = timezone.now()
    version.frozen_by = actor.user


def _check_ready(version, *, accept_unedited, today):
    problems = publish_problems(version, today=today)
    if problems:
        raise ValidationError(problems, code="incomplete")
    unedited = unedited_bank_items(version)
    if unedited and not accept_unedited:
        raise UneditedBankText(
            ngettext(
                "%(count)d entry is word for word from the strategy bank. Make it personal to the pupil, "
                "or confirm that it is right as it is.",
                "%(count)d entries are word for word from the strategy bank. Make them personal to the pupil, "
                "or confirm that they are right as they are.",
                len(unedited),
            )
            % {"count": len(unedited)},
            code="unedited",
        )


def _lock(version, expected_version):
    locked = PlanVersion.objects.select_for_update().get(pk=version.pk)
    if expected_version is not None and locked.lock_version != int(expected_version):
        from waymark.core.services import STALE_MESSAGE

        raise ValidationError(STALE_MESSAGE, code="stale")
    return locked


@transaction.atomic
def plan_share(*, actor, version, expected_version=None, accept_unedited=False):
    """Freeze a draft as the version parents will agree or disagree with."""
    require_pupil(actor, version.plan.pupil, Action.PUBLISH)
    version = _lock(version, expected_version)
    _require_draft(version)
    _check_ready(version, accept_unedited=accept_unedited, today=actor.today)
    PlanVersion.objects.filter(plan=version.plan, status=PlanVersion.Status.SHARED).update(
        status=PlanVersion.Status.SUPERSEDED, ended_at=timezone.now()
    )
    _freeze(version, actor)
    version.status = PlanVersion.Status.SHARED
    version.lock_version += 1
    version.save()
    audit_record(actor=actor, action="plans.version.shared", target=version, pupil=version.plan.pupil)
    notify_parents_later(pupil=version.plan.pupil, event="shared", event_id=version.public_id)
    return version


@transaction.atomic
def plan_publish(*, actor, version, expected_version=None, accept_unedited=False):
    """Make a draft or shared version the plan in force; the previous active one is superseded."""
    require_pupil(actor, version.plan.pupil, Action.PUBLISH)
    version = _lock(version, expected_version)
    if version.status not in (PlanVersion.Status.DRAFT, PlanVersion.Status.SHARED):
        raise ValidationError(_("Only a draft or a version shared for agreement can be published."))
    if version.is_draft:
        _check_ready(version, accept_unedited=accept_unedited, today=actor.today)
        _freeze(version, actor)
    now = timezone.now()
    PlanVersion.objects.filter(plan=version.plan, status=PlanVersion.Status.ACTIVE).update(
        status=PlanVersion.Status.SUPERSEDED, ended_at=now
    )
    version.status = PlanVersion.Status.ACTIVE
    version.published_at = now
    version.published_by = actor.user
    version.lock_version += 1
    version.save()
    audit_record(actor=actor, action="plans.version.published", target=version, pupil=version.plan.pupil)
    notify_parents_later(pupil=version.plan.pupil, event="published", event_id=version.public_id)
    return version


@transaction.atomic
def plan_close(*, actor, version, expected_version=None):
    """End the plan in force, for a pupil who no longer needs one or has left."""
    require_pupil(actor, version.plan.pupil, Action.PUBLISH)
    version = _lock(version, expected_version)
    if version.status != PlanVersion.Status.ACTIVE:
        raise ValidationError(_("Only the plan in force can be closed."))
    version.status = PlanVersion.Status.CLOSED
    version.ended_at = timezone.now()
    version.lock_version += 1
    version.save()
    audit_record(actor=actor, action="plans.version.closed", target=version, pupil=version.plan.pupil)
    return version


@transaction.atomic
def plan_read_confirm(*, actor, version):
    """A member of staff confirms they have read the plan in force."""
    require_pupil(actor, version.plan.pupil, Action.VIEW)
    require(actor.is_staff_member)
    if version.status != PlanVersion.Status.ACTIVE:
        raise ValidationError(_("You can only confirm you have read the plan in force."))
    receipt, created = ReadReceipt.objects.get_or_create(version=version, user=actor.user)
    if created:
        audit_record(actor=actor, action="plans.version.read_confirmed", target=version, pupil=version.plan.pupil)
    return receipt


def section_for(version, key):
    if section_kind(key) != "text":
        raise KeyError(key)
    return PlanSection.objects.get_or_create(version=version, key=key)[0]
