"""Writes to the strategy bank and to plan templates.

Built-in entries and templates belong to no school and are never changed by a school:
editing one makes the school's own copy (a bank entry's copy ``replaces`` the built-in, so
``selectors.bank_for`` shows the copy to that school and the original to every other).
Template edits never reach a version already shared or published: those keep the labels
frozen into their snapshot.

Only the SENCO and deputy SENCO (edit reach over the whole school) change these. The
school's head reads the template list but does not edit it: the plan's wording is the
SENCO's professional judgement, and the rule table gives heads no edit reach.
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from waymark.core.access import Action, Reach
from waymark.core.audit import audit_record
from waymark.core.services import STALE_MESSAGE, require, save_versioned
from waymark.pupils.models import AreaOfNeed, NeedType

from .bank_data import ALLOWED_PLACEHOLDERS
from .models import BankEntry, PlanTemplate
from .sections import SECTION_KINDS
from .selectors import bank_entries, templates_for

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# A school may capitalise a placeholder that starts a sentence ({They}); the editor fills both.
KNOWN_PLACEHOLDERS = ALLOWED_PLACEHOLDERS | {name.capitalize() for name in ALLOWED_PLACEHOLDERS}
ADJUSTMENT_MAX_LENGTH = 250  # fits the adjustment field once a long name is filled in
TEXT_MAX_LENGTH = 1000
# A plan cannot be published without outcomes and a review date, so no template may drop them.
REQUIRED_SECTIONS = ("outcomes", "review")


# ----- who may -----


def can_manage_plan_settings(actor):
    """SENCO and deputy SENCO: they edit every pupil's plan, so they own its wording."""
    return actor is not None and actor.school is not None and actor.reach(Action.EDIT) == Reach.ALL


def can_view_templates(actor):
    """Those who manage templates, and the head, who may read them."""
    return can_manage_plan_settings(actor) or (
        actor is not None and actor.school is not None and actor.is_staff_member and actor.can_administer()
    )


# ----- checks shared by forms and services -----


def placeholder_problems(text):
    """Plain-English problems with the ``{...}`` placeholders in ``text``; empty if it is fine."""
    problems = []
    unknown = sorted({name for name in PLACEHOLDER.findall(text) if name not in KNOWN_PLACEHOLDERS})
    for name in unknown:
        problems.append(
            _(
                "{%(name)s} is not a placeholder Waymark knows. Use only {name}, {they}, {them} or {their} "
                "(with a capital at the start of a sentence, such as {They})."
            )
            % {"name": name}
        )
    leftover = PLACEHOLDER.sub("", text)
    if "{" in leftover or "}" in leftover:
        problems.append(_("The text has a { or } that is not part of a placeholder. Placeholders look like {name}."))
    return problems


def _normal(text):
    return " ".join(text.split()).casefold()


def _school_bank_texts(school, *, ignore=()):
    """Normalised texts already in the school's bank, as ``bank_for`` would show it."""
    rows = (
        bank_entries(school)
        .exclude(pk__in=[entry.pk for entry in ignore if entry is not None])
        .values_list("text", flat=True)
    )
    return {_normal(text) for text in rows}


def _clean_entry(school, *, kind, text, rationale, area, need_codes, subject, ignore=()):
    errors = {}
    text = (text or "").strip()
    rationale = (rationale or "").strip()
    if kind not in BankEntry.Kind.values:
        errors["kind"] = [_("Choose whether this is a strategy, an adjustment or an outcome stem.")]
    if not text:
        errors.setdefault("text", []).append(_("Enter the text of the entry."))
    else:
        errors.setdefault("text", []).extend(placeholder_problems(text))
        limit = ADJUSTMENT_MAX_LENGTH if kind == BankEntry.Kind.ADJUSTMENT else TEXT_MAX_LENGTH
        if len(text) > limit:
            errors["text"].append(
                _("The text must be %(limit)d characters or fewer; it has %(count)d.")
                % {"limit": limit, "count": len(text)}
            )
        if not errors["text"] and _normal(text) in _school_bank_texts(school, ignore=ignore):
            errors["text"].append(_("Your school's bank already has an entry with exactly this text."))
    if not rationale:
        errors["rationale"] = [_("Say briefly why it helps: the evidence or reasoning behind it.")]
    if area is not None and not isinstance(area, AreaOfNeed):
        errors["area"] = [_("Choose an area of need from the list.")]
    codes = sorted(set(need_codes or ()))
    known = set(NeedType.objects.filter(code__in=codes, is_active=True).values_list("code", flat=True))
    if set(codes) - known:
        errors["need_codes"] = [_("Choose need codes from the list.")]
    errors = {field: messages for field, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "text": text,
        "rationale": rationale,
        "area": area,
        "need_codes": codes,
        "subject": (subject or "").strip(),
    }


# ----- the bank -----


@transaction.atomic
def bank_entry_create(*, actor, kind, text, rationale, area=None, need_codes=(), subject=""):
    """Add an entry to the actor's school's bank. Placeholders, rationale and duplicates are checked."""
    require(can_manage_plan_settings(actor))
    fields = _clean_entry(
        actor.school, kind=kind, text=text, rationale=rationale, area=area, need_codes=need_codes, subject=subject
    )
    entry = save_versioned(BankEntry(school=actor.school, **fields))
    _audit_entry(actor, entry, created=True)
    return entry


@transaction.atomic
def bank_entry_update(*, actor, entry, expected_version, kind, text, rationale, area=None, need_codes=(), subject=""):
    """Save changes to a bank entry as the actor's school sees it.

    The school's own entry changes in place (a stale save is refused). A built-in entry is
    never changed: the school gets its own copy that replaces it in its bank, and the
    copy is returned. Plans that already used the entry keep their own text.
    """
    require(can_manage_plan_settings(actor))
    school = actor.school
    require(entry.school_id is None or entry.school_id == school.pk)
    if entry.school_id is None:
        if BankEntry.objects.filter(school=school, replaces=entry).exists():
            raise ValidationError(
                _("Your school already has its own version of this entry. Change that one instead."), code="copied"
            )
        if expected_version is not None and int(expected_version) != entry.lock_version:
            raise ValidationError(STALE_MESSAGE, code="stale")
        fields = _clean_entry(
            school,
            kind=kind,
            text=text,
            rationale=rationale,
            area=area,
            need_codes=need_codes,
            subject=subject,
            ignore=(entry,),
        )
        copy = save_versioned(BankEntry(school=school, replaces=entry, **fields))
        _audit_entry(actor, copy, created=True, replaces=entry)
        return copy
    fields = _clean_entry(
        school,
        kind=kind,
        text=text,
        rationale=rationale,
        area=area,
        need_codes=need_codes,
        subject=subject,
        ignore=(entry, entry.replaces),
    )
    for name, value in fields.items():
        setattr(entry, name, value)
    save_versioned(entry, expected_version=expected_version)
    _audit_entry(actor, entry, created=False, replaces=entry.replaces)
    return entry


def _audit_entry(actor, entry, *, created, replaces=None):
    audit_record(
        actor=actor,
        action="plans.bank_entry.saved",
        target=entry,
        school=actor.school,
        data={
            "entry": str(entry.public_id),
            "created": created,
            "replaces": str(replaces.public_id) if replaces else None,
        },
    )


# ----- templates -----


def template_rows(template):
    """Every section the engine knows, as a template editor row, in the template's order first.

    Sections the template leaves out come last, with the engine's default wording.
    """
    rows = []
    present = {section["key"] for section in template.sections}
    for position, section in enumerate(template.sections, start=1):
        if section["key"] not in SECTION_KINDS:
            continue
        rows.append(
            {
                "key": section["key"],
                "label": section.get("label", ""),
                "help_text": section.get("help_text", ""),
                "included": True,
                "order": position,
            }
        )
    for key, (_kind, label, help_text) in SECTION_KINDS.items():
        if key not in present:
            rows.append(
                {
                    "key": key,
                    "label": str(label),
                    "help_text": str(help_text),
                    "included": False,
                    "order": len(rows) + 1,
                }
            )
    return rows


def _clean_sections(rows):
    """Validate editor rows and return the template's ``sections`` list, in order."""
    errors = []
    keys = [row.get("key") for row in rows]
    if set(keys) - set(SECTION_KINDS) or len(keys) != len(set(keys)):
        raise ValidationError(_("The list of sections was not recognised. Reload the page and try again."))
    included = [row for row in rows if row.get("included")]
    for row in included:
        name = SECTION_KINDS[row["key"]][1]
        if not (row.get("label") or "").strip():
            errors.append(_("Enter a label for the section '%(name)s'.") % {"name": name})
        order = row.get("order")
        if not isinstance(order, int) or order < 1:
            errors.append(_("Give the section '%(name)s' an order of 1 or more.") % {"name": name})
    orders = [row.get("order") for row in included]
    for order in sorted({o for o in orders if isinstance(o, int) and orders.count(o) > 1}):
        errors.append(
            _("More than one section has the order %(order)d. Give each included section its own number.")
            % {"order": order}
        )
    for key in REQUIRED_SECTIONS:
        if key not in {row["key"] for row in included}:
            errors.append(
                _("Include the section '%(name)s': a plan cannot be published without it.")
                % {"name": SECTION_KINDS[key][1]}
            )
    if errors:
        raise ValidationError(errors)
    return [
        {"key": row["key"], "label": row["label"].strip(), "help_text": (row.get("help_text") or "").strip()}
        for row in sorted(included, key=lambda row: row["order"])
    ]


def _clean_name(school, name, *, exclude=None):
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter a name for the template.")})
    if len(name) > PlanTemplate._meta.get_field("name").max_length:
        raise ValidationError({"name": _("The name must be 120 characters or fewer.")})
    clash = templates_for(school).filter(name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ValidationError({"name": _("There is already a template called ‘%(name)s’.") % {"name": name}})
    return name


def _visible_template(actor, template):
    require(templates_for(actor.school).filter(pk=template.pk).exists())


def _make_default(school, template):
    PlanTemplate.objects.filter(school=school, is_default=True).exclude(pk=template.pk).update(
        is_default=False, lock_version=F("lock_version") + 1
    )


@transaction.atomic
def template_copy(*, actor, template, name):
    """Make the school's own copy of any template it can use (built-in, its trust's or its own)."""
    require(can_manage_plan_settings(actor))
    _visible_template(actor, template)
    copy = PlanTemplate(
        school=actor.school,
        name=_clean_name(actor.school, name),
        description=template.description,
        sections=[dict(section) for section in template.sections],
        is_default=False,
    )
    save_versioned(copy)
    audit_record(
        actor=actor,
        action="plans.template.updated",
        target=copy,
        school=actor.school,
        data={"template": str(copy.public_id), "copied_from": str(template.public_id)},
    )
    return copy


@transaction.atomic
def template_update(*, actor, template, expected_version, name, sections, is_default, description=None):
    """Save a template's name, sections (label, help text, included, order) and default flag.

    ``sections`` is a list of rows ``{"key", "label", "help_text", "included", "order"}``.
    The school's own template changes in place, refusing a stale save; a built-in or
    trust template is never changed: the school gets an edited copy, which is returned.
    Versions already shared or published are untouched either way (their snapshot
    holds the labels they were agreed with).
    """
    require(can_manage_plan_settings(actor))
    school = actor.school
    _visible_template(actor, template)
    cleaned_sections = _clean_sections(sections)
    owned = template.school_id == school.pk
    if not owned:
        if expected_version is not None and int(expected_version) != template.lock_version:
            raise ValidationError(STALE_MESSAGE, code="stale")
        target = PlanTemplate(school=school, description=template.description)
        copied_from = template
    else:
        target, copied_from = template, None
    target.name = _clean_name(school, name, exclude=target if owned else None)
    target.sections = cleaned_sections
    target.is_default = bool(is_default)
    if description is not None:
        target.description = description.strip()
    save_versioned(target, expected_version=expected_version if owned else None)
    if target.is_default:
        _make_default(school, target)
    audit_record(
        actor=actor,
        action="plans.template.updated",
        target=target,
        school=school,
        data={
            "template": str(target.public_id),
            "copied_from": str(copied_from.public_id) if copied_from else None,
            "default": target.is_default,
        },
    )
    return target
