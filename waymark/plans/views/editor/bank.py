"""Inserting from the strategy bank, filled with the pupil's name and pronouns."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from waymark.core.views.base import ActorMixin, form_error_from
from waymark.pupils.models import AreaOfNeed

from ... import selectors, services
from ...bank_fill import fill
from ...forms import (
    BankInsertForm,
    BankSearchForm,
)
from ...models import BankEntry, PlanVersion
from ...sections import sections_for
from .common import BANK_SECTIONS, VersionMixin, editor_url, frozen_response, open_need_codes


class BankInsertView(VersionMixin, ActorMixin, View):
    """Search the bank (the pupil's needs first) and add an entry, filled for this pupil."""

    http_method_names = ["get", "post"]
    template_name = "plans/bank_insert.html"

    def dispatch(self, request, *args, **kwargs):
        self.actor = getattr(request, "actor", None)
        if self.actor is None:
            raise Http404
        try:
            self.version = (
                self.get_queryset().prefetch_related("plan__pupil__needs__need_type").get(public_id=kwargs["public_id"])
            )
        except PlanVersion.DoesNotExist:
            raise Http404 from None
        if not self.version.is_draft:
            return frozen_response(request, self.version)
        self.pupil = self.version.plan.pupil
        self.keys = [s["key"] for s in sections_for(self.version.template.sections, self.version.tier)]
        section = request.POST.get("section") or request.GET.get("section") or ""
        self.section = section if section in BANK_SECTIONS and section in self.keys else ""
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.page(BankInsertForm())

    def page(self, insert_form, status=200):
        pupil = self.pupil
        areas = list(AreaOfNeed.objects.all())
        data = self.request.GET.copy()
        if "kind" not in data and self.section:
            data["kind"] = BANK_SECTIONS[self.section]
        search = BankSearchForm(data, areas=areas)
        filters = search.cleaned_data if search.is_valid() else {}
        need_codes = open_need_codes(pupil)
        wanted = set(need_codes)
        entries = selectors.bank_for(
            pupil.school,
            kind=filters.get("kind") or None,
            search=filters.get("q", ""),
            need_codes=need_codes,
            area=filters.get("area") or None,
        )
        results = [
            {
                "entry": entry,
                "text": fill(entry.text, pupil),
                "suggested": bool(wanted.intersection(entry.need_codes)),
            }
            for entry in entries
        ]
        context = {
            "version": self.version,
            "pupil": pupil,
            "search_form": search,
            "form": insert_form,
            "results": results,
            "section": self.section,
            "back_url": editor_url(self.version, f"section-{self.section}" if self.section else ""),
        }
        return render(self.request, self.template_name, context, status=status)

    def post(self, request, *args, **kwargs):
        form = BankInsertForm(request.POST)
        if not form.is_valid():
            raise Http404
        entry = selectors.bank_entry(self.pupil.school, form.cleaned_data["entry"])
        if entry is None:
            raise Http404
        text = fill(entry.text, self.pupil)
        if entry.kind == BankEntry.Kind.OUTCOME:
            target = "outcomes"
        elif self.section == "provision":
            target = "provision"
        else:
            target = "adjustments"
        if target not in self.keys:
            form.add_error(None, _("This plan has no section for this kind of entry."))
            return self.page(form)
        add_url = reverse("plans:item-add", kwargs={"public_id": self.version.public_id, "section": target})
        # Provision needs its frequency and dates, and an adjustment over 300 characters must be
        # shortened: both open the add form with the filled text, to finish before saving.
        if target == "provision" or (target == "adjustments" and len(text) > 300):
            return redirect(f"{add_url}?bank={entry.public_id}")
        try:
            item = services.item_add(
                actor=self.actor,
                version=self.version,
                section_key=target,
                fields={"text": text},
                bank_entry=entry,
                bank_text=text,
            )
        except ValidationError as error:
            form_error_from(form, error)
            return self.page(form)
        messages.success(
            request,
            _("Added from the bank. Now make it personal to %(name)s: check the words and fill in the details.")
            % {"name": self.pupil.forename},
        )
        return redirect("plans:item-edit", section=target, public_id=item.public_id)
