"""Plan settings: the strategy bank and plan templates, for the SENCO and deputy SENCO.

These pages are about the school, not one pupil, so each declares a capability
(``bank_services.can_manage_plan_settings``; heads may also read the template list).
Another school's entry or template is missing, not forbidden.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _

from waymark.core.services import is_stale
from waymark.core.views.base import CapabilityFormView, CapabilityTemplateView, form_error_from
from waymark.pupils.models import AreaOfNeed

from .. import bank_services
from ..models import BankEntry, PlanTemplate
from ..sections import SECTION_KINDS
from ..selectors import bank_for, templates_for
from ..services import default_template
from ..settings_forms import (
    BANK_PAGE_SIZE,
    BankEntryEditForm,
    BankEntryForm,
    BankFilterForm,
    TemplateCopyForm,
    TemplateForm,
    entry_initial,
)


class ManageMixin:
    def has_capability(self, actor):
        return bank_services.can_manage_plan_settings(actor)


class ObjectMixin(ManageMixin):
    """Loads ``self.object`` before GET or POST; anything the school cannot use is a 404."""

    def get_object(self):
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        actor = getattr(request, "actor", None)
        if actor is None or not self.has_capability(actor):
            raise Http404
        self.actor = actor
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("object", self.object)
        return super().get_context_data(**kwargs)

    def stale_response(self, error, **context):
        """Someone saved first: show their version, with the refusal, and what was typed beside it."""
        self.object.refresh_from_db()
        fresh = self.get_form_class()(**{**self.get_form_kwargs(), "data": None, "files": None})
        fresh.full_clean()  # an unbound form still needs its error list before errors can be added
        fresh.cleaned_data = {}
        form_error_from(fresh, error)
        return self.render_to_response(self.get_context_data(form=fresh, **context))


# ----- the bank -----


class BankListView(ManageMixin, CapabilityTemplateView):
    """The school's bank: built-ins (less those it replaced) and its own, searchable, paged on the server."""

    template_name = "plans/bank_list.html"

    def get_context_data(self, **kwargs):
        actor = self.request.actor
        areas = list(AreaOfNeed.objects.all())
        form = BankFilterForm(self.request.GET or None, areas=areas)
        filters = form.cleaned_data if form.is_valid() else {}
        need = filters.get("need") or ""
        entries = bank_for(
            actor.school,
            kind=filters.get("kind") or None,
            search=filters.get("q") or "",
            area=filters.get("area") or None,
            need_codes=[need] if need else (),
        )
        if need:
            entries = [entry for entry in entries if need in entry.need_codes]
        page = Paginator(entries, BANK_PAGE_SIZE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            # Not "form": the layout reads that name to mark the title as an error page.
            filter_form=form,
            page=page,
            entries=list(page.object_list),
            total=page.paginator.count,
            querystring=query.urlencode(),
            filtered=any(filters.values()),
            **kwargs,
        )


class BankEntryCreateView(ManageMixin, CapabilityFormView):
    template_name = "plans/bank_entry_form.html"
    form_class = BankEntryForm

    def form_valid(self, form):
        try:
            bank_services.bank_entry_create(actor=self.actor, **form.cleaned_data)
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The entry has been added to your school's bank."))
        return redirect("plans:bank-list")


class BankEntryEditView(ObjectMixin, CapabilityFormView):
    """Edit the school's own entry in place, or make the school's version of a built-in."""

    template_name = "plans/bank_entry_form.html"
    form_class = BankEntryEditForm

    def get_object(self):
        school = self.actor.school
        try:
            return (
                BankEntry.objects.filter(Q(school=school) | Q(school__isnull=True), is_active=True)
                .select_related("area", "replaces")
                .get(public_id=self.kwargs["public_id"])
            )
        except (BankEntry.DoesNotExist, ValidationError, ValueError):
            raise Http404 from None

    def get(self, request, *args, **kwargs):
        copy = self._school_copy()
        if copy is not None:
            messages.info(request, _("Your school already has its own version of this entry. You can change it here."))
            return redirect("plans:bank-entry-edit", public_id=copy.public_id)
        return super().get(request, *args, **kwargs)

    def _school_copy(self):
        if self.object.school_id is not None:
            return None
        return BankEntry.objects.filter(school=self.actor.school, replaces=self.object).first()

    def get_initial(self):
        return entry_initial(self.object)

    def get_context_data(self, **kwargs):
        return super().get_context_data(is_builtin=self.object.school_id is None, **kwargs)

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("lock_version")
        was_builtin = self.object.school_id is None
        try:
            bank_services.bank_entry_update(actor=self.actor, entry=self.object, expected_version=version, **data)
        except ValidationError as error:
            if is_stale(error):
                return self.stale_response(error, unsaved=form.cleaned_data)
            form_error_from(form, error)
            return self.form_invalid(form)
        if was_builtin:
            messages.success(
                self.request,
                _(
                    "Your school now has its own version of this entry. Other schools still see the original, "
                    "and plans that already used it are unchanged."
                ),
            )
        else:
            messages.success(self.request, _("The entry has been saved."))
        return redirect("plans:bank-list")


# ----- templates -----


class TemplateListView(CapabilityTemplateView):
    """Built-in, trust and school templates, and which one new plans at this school start from."""

    template_name = "plans/template_list.html"

    def has_capability(self, actor):
        return bank_services.can_view_templates(actor)

    def get_context_data(self, **kwargs):
        actor = self.request.actor
        school = actor.school
        templates = list(templates_for(school).select_related("trust").order_by("name"))
        default = default_template(school)
        for template in templates:
            template.is_school_default = default is not None and template.pk == default.pk
            template.section_count = len(template.sections)
        groups = [
            {
                "id": "school-templates",
                "heading": _("Your school's templates"),
                "templates": [t for t in templates if t.school_id == school.pk],
                "empty_message": _("Your school has no templates of its own yet. Make a copy of one below."),
                "editable": True,
            },
            {
                "id": "trust-templates",
                "heading": _("Your trust's templates"),
                "templates": [t for t in templates if t.trust_id and not t.is_builtin],
                "empty_message": "",
                "editable": False,
            },
            {
                "id": "builtin-templates",
                "heading": _("Built-in templates"),
                "templates": [t for t in templates if t.is_builtin],
                "empty_message": "",
                "editable": False,
            },
        ]
        return super().get_context_data(
            groups=groups,
            default=default,
            can_manage=bank_services.can_manage_plan_settings(actor),
            **kwargs,
        )


class TemplateCopyView(ObjectMixin, CapabilityFormView):
    template_name = "plans/template_form.html"
    form_class = TemplateCopyForm

    def get_object(self):
        try:
            return templates_for(self.actor.school).get(public_id=self.kwargs["public_id"])
        except (PlanTemplate.DoesNotExist, ValidationError, ValueError):
            raise Http404 from None

    def get_initial(self):
        return {"name": _("%(name)s (%(school)s)") % {"name": self.object.name, "school": self.actor.school.name}}

    def get_context_data(self, **kwargs):
        return super().get_context_data(mode="copy", **kwargs)

    def form_valid(self, form):
        try:
            copy = bank_services.template_copy(actor=self.actor, template=self.object, name=form.cleaned_data["name"])
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Your copy has been made. Change its sections below."))
        return redirect("plans:template-edit", public_id=copy.public_id)


class TemplateEditView(ObjectMixin, CapabilityFormView):
    """The school's own templates only; built-in and trust templates are copied first."""

    template_name = "plans/template_form.html"
    form_class = TemplateForm

    def get_object(self):
        try:
            return PlanTemplate.objects.get(school=self.actor.school, public_id=self.kwargs["public_id"])
        except (PlanTemplate.DoesNotExist, ValidationError, ValueError):
            raise Http404 from None

    def get_form_kwargs(self):
        self.rows = bank_services.template_rows(self.object)
        return {**super().get_form_kwargs(), "rows": self.rows}

    def get_initial(self):
        return TemplateForm.initial_for(self.object, bank_services.template_rows(self.object))

    def get_context_data(self, **kwargs):
        return super().get_context_data(mode="edit", section_names=SECTION_KINDS, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            bank_services.template_update(
                actor=self.actor,
                template=self.object,
                expected_version=data["lock_version"],
                name=data["name"],
                description=data["description"],
                sections=form.section_rows(),
                is_default=data["is_default"],
            )
        except ValidationError as error:
            if is_stale(error):
                return self.stale_response(error)
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The template has been saved. Plans already shared or published keep theirs."))
        return redirect("plans:template-list")


urlpatterns = [
    path("bank/", BankListView.as_view(), name="bank-list"),
    path("bank/add/", BankEntryCreateView.as_view(), name="bank-entry-create"),
    path("bank/<uuid:public_id>/edit/", BankEntryEditView.as_view(), name="bank-entry-edit"),
    path("templates/", TemplateListView.as_view(), name="template-list"),
    path("templates/<uuid:public_id>/edit/", TemplateEditView.as_view(), name="template-edit"),
    path("templates/<uuid:public_id>/copy/", TemplateCopyView.as_view(), name="template-copy"),
]
