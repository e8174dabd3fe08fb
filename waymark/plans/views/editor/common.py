"""What every editor page shares: finding the draft, building the editor's sections, stale saves."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django_htmx.http import HttpResponseClientRedirect

from waymark.core.access import Action

from ... import selectors, services
from ...forms import (
    SectionForm,
)
from ...models import BankEntry, PlanSection, PlanVersion
from ...sections import SECTION_KINDS, section_kind, sections_for

# The related name each item section is read through on a version.
ITEM_RELATED = {
    "needs": "barriers",
    "outcomes": "outcomes",
    "provision": "provisions",
    "adjustments": "adjustments",
    "specialist_input": "specialist_inputs",
}
# The item sections the bank can add to, and the kind of entry each starts from.
BANK_SECTIONS = {
    "outcomes": BankEntry.Kind.OUTCOME,
    "adjustments": BankEntry.Kind.ADJUSTMENT,
    "provision": BankEntry.Kind.STRATEGY,
}
STALE_SECTION_MESSAGE = gettext_lazy(
    "Someone else saved this section after you opened it, so your changes have not been saved yet. "
    "Your text is still below, and what they saved is shown under it. Check both, then save again "
    "to replace their version with yours."
)
STALE_ITEM_MESSAGE = gettext_lazy(
    "Someone else changed this after you opened it, so your changes have not been saved yet. "
    "Your text is still below, and what they saved is shown under it. Check both, then save again "
    "to replace their version with yours."
)
# What the "Add" button of each item section says, and the heading of its add page.
ADD_LABELS = {
    "needs": gettext_lazy("Add a need or barrier"),
    "outcomes": gettext_lazy("Add an outcome"),
    "provision": gettext_lazy("Add provision"),
    "adjustments": gettext_lazy("Add an adjustment"),
    "specialist_input": gettext_lazy("Add advice from a specialist"),
}
PREVIOUS_STATUSES = (PlanVersion.Status.ACTIVE, PlanVersion.Status.SHARED, PlanVersion.Status.SUPERSEDED)


def frozen_response(request, version):
    """A shared or published version is never edited: send the person to the version itself."""
    messages.info(request, services.FROZEN_MESSAGE)
    url = reverse("plans:version-detail", kwargs={"public_id": version.public_id})
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def editor_url(version, anchor=""):
    url = reverse("plans:version-edit", kwargs={"public_id": version.public_id})
    return f"{url}#{anchor}" if anchor else url


def rebound(form_class, data, lock_name, lock_version, **kwargs):
    """The same posted data with the record's current lock version, so a second save can win."""
    data = data.copy()
    data[lock_name] = str(lock_version)
    form = form_class(data, **kwargs)
    form.is_valid()
    return form


class VersionMixin:
    """Loads the version in the URL from the versions ``actor`` may edit (or publish)."""

    model = PlanVersion
    action = Action.EDIT

    def get_queryset(self):
        return selectors.version_list(self.actor, action=self.action).select_related("plan__pupil__school", "template")


def open_need_codes(pupil):
    return sorted({need.need_type.code for need in pupil.needs.all() if need.ends_on is None})


# ---------------------------------------------------------------------------
# The editor page
# ---------------------------------------------------------------------------


def editor_sections(version, actor, *, override=None):
    """Each section of the draft in template order, with its form or its items.

    ``override`` is ``{key: {...}}`` for the section just posted: its bound form, and
    what someone else saved if the save was stale.
    """
    override = override or {}
    levels = selectors.visible_levels(actor)
    can_restrict = actor.can_see_restricted()
    text_sections = {section.key: section for section in version.sections.all()}
    sections = []
    for spec in sections_for(version.template.sections, version.tier):
        key = spec["key"]
        entry = {
            "key": key,
            "kind": section_kind(key),
            "label": spec.get("label") or str(SECTION_KINDS[key][1]),
            "help_text": spec.get("help_text", ""),
            **override.get(key, {}),
        }
        if entry["kind"] == "text":
            section = text_sections.get(key) or PlanSection(version=version, key=key)
            entry["hidden"] = section.visibility not in levels
            if "form" not in entry:
                entry["form"] = SectionForm(
                    initial=SectionForm.initial_for(section), key=key, can_restrict=can_restrict
                )
        else:
            items = list(getattr(version, ITEM_RELATED[key]).all())
            shown = [item for item in items if item.visibility in levels]
            entry["items"] = shown
            entry["hidden_count"] = len(items) - len(shown)
            entry["bank"] = key in BANK_SECTIONS
            entry["add_label"] = ADD_LABELS[key]
        sections.append(entry)
    return sections


def editor_context(version, actor, *, override=None):
    pupil = version.plan.pupil
    return {
        "version": version,
        "pupil": pupil,
        "sections": editor_sections(version, actor, override=override),
        "problems": services.publish_problems(version, today=actor.today),
        "need_codes": open_need_codes(pupil),
    }


def editor_version(actor, public_id):
    try:
        return selectors.version_get(actor, public_id, action=Action.EDIT)
    except (PlanVersion.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None
