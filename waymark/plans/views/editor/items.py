"""Adding, changing and removing outcomes, provision, adjustments, barriers and advice."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from waymark.core.access import Action
from waymark.core.models import Visibility
from waymark.core.services import is_stale
from waymark.core.views.base import ActorMixin, form_error_from

from ... import selectors, services
from ...bank_fill import fill
from ...forms import (
    ITEM_FORMS,
    ItemDeleteForm,
)
from ...models import PlanVersion
from ...sections import SECTION_KINDS, sections_for
from .common import (
    ADD_LABELS,
    STALE_ITEM_MESSAGE,
    VersionMixin,
    editor_url,
    frozen_response,
    rebound,
)


class ItemFormMixin:
    template_name = "plans/item_form.html"

    def form_kwargs(self, **extra):
        pupil = self.version.plan.pupil
        return {
            "can_restrict": self.actor.can_see_restricted(),
            "pupil": pupil,
            "school": pupil.school,
            **extra,
        }

    def section_label(self):
        spec = next(
            (s for s in sections_for(self.version.template.sections, self.version.tier) if s["key"] == self.section),
            None,
        )
        return (spec and spec.get("label")) or str(SECTION_KINDS[self.section][1])

    def page(self, form, **extra):
        context = {
            "form": form,
            "version": self.version,
            "pupil": self.version.plan.pupil,
            "section": self.section,
            "section_label": self.section_label(),
            "add_label": ADD_LABELS[self.section],
            "back_url": editor_url(self.version, f"section-{self.section}"),
            **extra,
        }
        return render(self.request, self.template_name, context)


class ItemAddView(ItemFormMixin, VersionMixin, ActorMixin, View):
    """Add an outcome, provision, adjustment, barrier or specialist's advice to a draft."""

    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, **kwargs):
        self.actor = getattr(request, "actor", None)
        if self.actor is None:
            raise Http404
        try:
            self.version = self.get_queryset().get(public_id=kwargs["public_id"])
        except PlanVersion.DoesNotExist:
            raise Http404 from None
        self.section = kwargs["section"]
        keys = [s["key"] for s in sections_for(self.version.template.sections, self.version.tier)]
        if self.section not in ITEM_FORMS or self.section not in keys:
            raise Http404
        if not self.version.is_draft:
            return frozen_response(request, self.version)
        return super().dispatch(request, *args, **kwargs)

    def bank_entry(self, public_id):
        if not public_id:
            return None
        entry = selectors.bank_entry(self.version.plan.pupil.school, public_id)
        if entry is None:
            raise Http404
        return entry

    def get(self, request, *args, **kwargs):
        entry = self.bank_entry(request.GET.get("bank"))
        initial = {}
        if entry is not None:
            text_field = services.ITEM_MODELS[self.section].text_field
            initial = {text_field: fill(entry.text, self.version.plan.pupil), "bank": entry.public_id}
        form = ITEM_FORMS[self.section](initial=initial, **self.form_kwargs())
        return self.page(form, entry=entry)

    def post(self, request, *args, **kwargs):
        form = ITEM_FORMS[self.section](request.POST, **self.form_kwargs())
        valid = form.is_valid()
        # Kept when the form has errors too, so the bank warning and rationale stay on the page.
        entry = self.bank_entry(form.cleaned_data.get("bank"))
        if valid:
            try:
                services.item_add(
                    actor=self.actor,
                    version=self.version,
                    section_key=self.section,
                    fields=form.item_data(),
                    bank_entry=entry,
                    bank_text=fill(entry.text, self.version.plan.pupil) if entry else "",
                )
            except ValidationError as error:
                form_error_from(form, error)
            else:
                messages.success(request, _("Added to %(section)s.") % {"section": self.section_label()})
                return redirect(editor_url(self.version, f"section-{self.section}"))
        return self.page(form, entry=entry)


class ItemObjectMixin(ItemFormMixin, ActorMixin):
    """Loads the item in the URL from the items of versions ``actor`` may edit."""

    def dispatch(self, request, *args, **kwargs):
        self.actor = getattr(request, "actor", None)
        if self.actor is None:
            raise Http404
        self.section = kwargs["section"]
        model = services.ITEM_MODELS.get(self.section)
        if model is None:
            raise Http404
        queryset = model.objects.restrict(self.actor, Action.EDIT, audience="staff").select_related(
            "version__plan__pupil__school", "version__template"
        )
        try:
            self.item = queryset.get(public_id=kwargs["public_id"])
        except model.DoesNotExist:
            raise Http404 from None
        # Restricted content is for the SENCO and DSL alone: to anyone else it does not exist.
        if self.item.visibility not in selectors.visible_levels(self.actor):
            raise Http404
        self.version = self.item.version
        if not self.version.is_draft:
            return frozen_response(request, self.version)
        return super().dispatch(request, *args, **kwargs)

    def current_rows(self, item):
        """What is saved now, as label and value pairs (shown after a stale save)."""
        form = ITEM_FORMS[self.section](**self.form_kwargs())
        rows = []
        for name in form.item_fields:
            if name not in form.fields:
                continue
            value = getattr(item, name)
            if name in ("need", "delivered_by") and value is not None:
                value = str(value) if name == "need" else value.full_name
            elif name == "funding":
                value = item.get_funding_display()
            elif hasattr(value, "strftime"):
                value = f"{value.day} {value:%B %Y}"
            elif isinstance(value, bool):
                value = _("Yes") if value else _("No")
            rows.append({"label": form.fields[name].label, "value": value})
        rows.append({"label": _("Who can see this"), "value": Visibility(item.visibility).label})
        return rows


class ItemEditView(ItemObjectMixin, View):
    http_method_names = ["get", "post"]

    def get(self, request, *args, **kwargs):
        form = ITEM_FORMS[self.section](
            initial=ITEM_FORMS[self.section].initial_for(self.item), **self.form_kwargs(editing=True)
        )
        return self.page(form, item=self.item, unedited=self.item.is_unedited)

    def post(self, request, *args, **kwargs):
        form_class = ITEM_FORMS[self.section]
        form = form_class(request.POST, **self.form_kwargs(editing=True))
        their_version = None
        if form.is_valid():
            try:
                services.item_update(
                    actor=self.actor,
                    item=self.item,
                    fields=form.item_data(),
                    expected_version=form.cleaned_data["lock_version"],
                )
            except ValidationError as error:
                if is_stale(error):
                    current = type(self.item).objects.get(pk=self.item.pk)
                    if current.visibility not in selectors.visible_levels(self.actor):
                        raise Http404 from None  # made restricted meanwhile: never show it
                    form = rebound(
                        form_class, request.POST, "lock_version", current.lock_version, **self.form_kwargs(editing=True)
                    )
                    form.add_error(None, STALE_ITEM_MESSAGE)
                    their_version = self.current_rows(current)
                else:
                    form_error_from(form, error)
            else:
                messages.success(request, _("Changes saved."))
                return redirect(editor_url(self.version, f"item-{self.item.public_id}"))
        return self.page(form, item=self.item, their_version=their_version)


class ItemDeleteView(ItemObjectMixin, View):
    http_method_names = ["get", "post"]
    template_name = "plans/item_delete.html"

    def get(self, request, *args, **kwargs):
        form = ItemDeleteForm(initial={"lock_version": self.item.lock_version})
        return self.page(form, item=self.item, rows=self.current_rows(self.item))

    def post(self, request, *args, **kwargs):
        form = ItemDeleteForm(request.POST)
        item = self.item
        if form.is_valid():
            try:
                services.item_delete(actor=self.actor, item=item, expected_version=form.cleaned_data["lock_version"])
            except ValidationError as error:
                if is_stale(error):
                    item = type(item).objects.get(pk=item.pk)
                    form = ItemDeleteForm({"lock_version": item.lock_version})
                    form.is_valid()
                    form.add_error(
                        None,
                        _(
                            "Someone else changed this after you opened it, so it has not been removed. "
                            "Check what it says now, then remove it again if you still want to."
                        ),
                    )
                else:
                    form_error_from(form, error)
            else:
                messages.success(request, _("Removed from %(section)s.") % {"section": self.section_label()})
                return redirect(editor_url(self.version, f"section-{self.section}"))
        return self.page(form, item=item, rows=self.current_rows(item))
