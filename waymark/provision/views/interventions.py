"""The school's intervention list: read it, add to it (from a built-in type or from scratch), change, archive.

For those who manage provision (``permissions.can_manage_provision``: the SENCO and deputy
SENCO); a 404 for everyone else. Interventions other schools of the trust share are listed
read-only; another school's intervention cannot be opened for editing here (404).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import View

from waymark.core.services import STALE_MESSAGE, is_stale
from waymark.core.views.base import CapabilityFormView, CapabilityMixin, CapabilityTemplateView, form_error_from

from .. import interventions
from ..group_selectors import intervention_list, intervention_types_by_area, intervention_typical, own_intervention
from ..intervention_forms import InterventionEditForm, InterventionForm, intervention_initial, type_initial
from ..models import Intervention, InterventionType
from ..permissions import can_manage_provision


class ManageMixin:
    def has_capability(self, actor):
        return can_manage_provision(actor)


class InterventionListView(ManageMixin, CapabilityTemplateView):
    """The school's list by broad area, the trust's shared ones, and the archived ones."""

    template_name = "provision/intervention_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(school=self.actor.school, **intervention_list(self.actor), **kwargs)


class InterventionTypeListView(ManageMixin, CapabilityTemplateView):
    """The built-in types, by broad area, each with "Use this"."""

    template_name = "provision/intervention_type_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(sections=intervention_types_by_area(), **kwargs)


class InterventionCreateView(ManageMixin, CapabilityFormView):
    """Add an intervention; ``?type=<code>`` starts from a built-in type."""

    template_name = "provision/intervention_form.html"
    form_class = InterventionForm

    def dispatch(self, request, *args, **kwargs):
        code = request.GET.get("type") or request.POST.get("type") or ""
        self.intervention_type = (
            InterventionType.objects.select_related("area").filter(code=code).first() if code else None
        )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "school": self.actor.school}

    def get_initial(self):
        return type_initial(self.intervention_type) if self.intervention_type else {}

    def get_context_data(self, **kwargs):
        return super().get_context_data(intervention_type=self.intervention_type, **kwargs)

    def form_valid(self, form):
        try:
            intervention = interventions.intervention_create(
                actor=self.actor, intervention_type=self.intervention_type, **form.service_arguments()
            )
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, _("%(name)s has been added to your school's interventions.") % {"name": intervention.name}
        )
        return redirect("provision:intervention-list")


class OwnInterventionMixin(ManageMixin):
    """Loads one of the actor's school's own interventions before GET or POST; anything else is a 404."""

    def dispatch(self, request, *args, **kwargs):
        actor = getattr(request, "actor", None)
        if actor is None or not self.has_capability(actor):
            raise Http404
        try:
            self.object = own_intervention(actor, kwargs["public_id"])
        except (Intervention.DoesNotExist, ValidationError, ValueError):
            raise Http404 from None
        return super().dispatch(request, *args, **kwargs)


class InterventionEditView(OwnInterventionMixin, CapabilityFormView):
    template_name = "provision/intervention_form.html"
    form_class = InterventionEditForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "school": self.actor.school}

    def get_initial(self):
        return intervention_initial(self.object)

    def get_context_data(self, **kwargs):
        return super().get_context_data(intervention=self.object, **kwargs)

    def form_valid(self, form):
        try:
            interventions.intervention_update(
                actor=self.actor,
                intervention=self.object,
                expected_version=form.cleaned_data["lock_version"],
                **form.service_arguments(),
            )
        except ValidationError as error:
            if is_stale(error):
                return self.stale_response()
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(name)s has been saved.") % {"name": self.object.name})
        return redirect("provision:intervention-list")

    def stale_response(self):
        """Someone saved first: their version is shown, with what was typed kept, and the new lock to win with."""
        self.object = own_intervention(self.actor, self.object.public_id)
        self.object.typical = intervention_typical(self.object)
        data = self.request.POST.copy()
        data["lock_version"] = str(self.object.lock_version)
        form = self.get_form_class()(data=data, school=self.actor.school)
        form.is_valid()
        form.add_error(None, STALE_MESSAGE)
        return self.render_to_response(self.get_context_data(form=form, stale=True, saved=self.object))


class InterventionArchiveView(OwnInterventionMixin, CapabilityMixin, View):
    """Archive or put back (``archived`` = "1" or "0"), from the list or the edit page."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        archived = request.POST.get("archived") == "1"
        try:
            interventions.intervention_archive(
                actor=self.actor,
                intervention=self.object,
                archived=archived,
                expected_version=request.POST.get("lock_version") or None,
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("provision:intervention-edit", public_id=self.object.public_id)
        if archived:
            text = _("%(name)s has been archived. Groups already running with it carry on.")
        else:
            text = _("%(name)s is back on your school's list.")
        messages.success(request, text % {"name": self.object.name})
        return redirect("provision:intervention-list")
