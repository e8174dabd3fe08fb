"""Costs and the provision map: costing settings, staff roles, other costs, the map and its exports.

Settings, staff roles and other costs are for those who manage provision (SENCO, deputy
SENCO); the map and its downloads for those who see it (SENCO, deputy, head, trust lead).
Everyone else gets a 404. Viewing the map and downloading it are audited.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from waymark.core.access import Action
from waymark.core.audit import audit_record
from waymark.core.services import STALE_MESSAGE, is_stale
from waymark.core.spreadsheets import Sheet, csv_response, xlsx_response
from waymark.core.views.base import CapabilityFormView, CapabilityTemplateView, form_error_from, require_capability
from waymark.pupils.models import Pupil
from waymark.schools.models import School

from .. import costs
from ..cost_forms import CostForm, CostingSettingsForm, InterventionSortForm, ProvisionMapFilterForm, StaffRoleForm
from ..costing import costing_year
from ..group_selectors import on_register
from ..models import Funding, OtherCost, StaffRole
from ..permissions import can_manage_provision, can_see_provision_map, group_restrict
from ..provision_map import FUNDING, INTERVENTION, PUPIL, VIEWS, provision_map

EXPORT_FORMATS = ("csv", "xlsx")


class ManagerMixin:
    def has_capability(self, actor):
        return can_manage_provision(actor)


# ----- costing settings -----


class CostingSettingsView(ManagerMixin, CapabilityFormView):
    """The weeks in the school year and the notional SEN threshold."""

    template_name = "provision/costing_settings.html"
    form_class = CostingSettingsForm

    @cached_property
    def school(self):
        return School.objects.get(pk=self.request.actor.school.pk)

    def get_initial(self):
        return {
            "lock_version": self.school.lock_version,
            "school_weeks": self.school.school_weeks,
            "notional_threshold": self.school.notional_threshold,
        }

    def get_context_data(self, **kwargs):
        year = costing_year(self.school, self.request.actor.today)
        return super().get_context_data(school=self.school, year=year, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            costs.costing_settings_update(
                actor=self.request.actor,
                school=self.school,
                school_weeks=data["school_weeks"],
                notional_threshold=data["notional_threshold"],
                expected_version=data["lock_version"],
            )
        except ValidationError as error:
            self.school.refresh_from_db()
            if is_stale(error):
                # Show what is saved now with the refusal, so nobody overwrites it unseen.
                fresh = self.get_form_class()(initial=self.get_initial())
                fresh.full_clean()
                fresh.cleaned_data = {}
                fresh.add_error(None, STALE_MESSAGE)
                return self.render_to_response(self.get_context_data(form=fresh))
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Your costing settings have been saved."))
        return redirect("provision:costs")


# ----- staff roles -----


class StaffRoleListView(ManagerMixin, CapabilityTemplateView):
    template_name = "provision/staff_role_list.html"

    def get_context_data(self, **kwargs):
        roles = StaffRole.objects.filter(school=self.request.actor.school).order_by("name")
        return super().get_context_data(roles=list(roles), **kwargs)


class StaffRoleFormView(ManagerMixin, CapabilityFormView):
    template_name = "provision/staff_role_form.html"
    form_class = StaffRoleForm
    role = None

    def get_context_data(self, **kwargs):
        return super().get_context_data(role=self.role, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            role = costs.staff_role_save(
                actor=self.request.actor,
                school=self.request.actor.school,
                staff_role=self.role,
                name=data["name"],
                hourly_cost=data["hourly_cost"],
                expected_version=data.get("lock_version"),
            )
        except ValidationError as error:
            if is_stale(error):
                self.role.refresh_from_db()
                fresh = self.get_form_class()(initial=self.get_initial())
                fresh.full_clean()
                fresh.cleaned_data = {}
                fresh.add_error(None, STALE_MESSAGE)
                return self.render_to_response(self.get_context_data(form=fresh))
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The staff role ‘%(name)s’ has been saved.") % {"name": role.name})
        return redirect("provision:staff-role-list")


class StaffRoleCreateView(StaffRoleFormView):
    pass


class StaffRoleEditView(StaffRoleFormView):
    def dispatch(self, request, *args, **kwargs):
        actor = getattr(request, "actor", None)
        if actor is not None and can_manage_provision(actor):
            try:
                self.role = StaffRole.objects.get(school=actor.school, public_id=kwargs["public_id"])
            except (StaffRole.DoesNotExist, ValidationError, ValueError):
                raise Http404 from None
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        role = self.role
        return {"name": role.name, "hourly_cost": role.hourly_cost, "lock_version": role.lock_version}


# ----- other costs -----


def _register_pupils(actor):
    """Pupils on the roll and the SEN register whose record the actor may change."""
    return (
        Pupil.objects.restrict(actor, Action.EDIT, audience="staff")
        .on_roll(actor.today)
        .filter(on_register())
        .order_by("legal_surname", "legal_forename", "pk")
    )


class CostListView(ManagerMixin, CapabilityTemplateView):
    template_name = "provision/cost_list.html"

    def get_context_data(self, **kwargs):
        rows = list(
            OtherCost.objects.filter(school=self.request.actor.school)
            .select_related("group", "pupil")
            .order_by("description", "pk")
        )
        return super().get_context_data(
            group_costs=[cost for cost in rows if cost.group_id],
            pupil_costs=[cost for cost in rows if cost.pupil_id],
            **kwargs,
        )


class CostCreateView(ManagerMixin, CapabilityFormView):
    template_name = "provision/cost_form.html"
    form_class = CostForm

    def get_form_kwargs(self):
        actor = self.request.actor
        year = costing_year(actor.school, actor.today)
        groups = (
            group_restrict(actor)
            .filter(starts_on__lte=year.ends_on, ends_on__gte=year.starts_on)
            .order_by("name", "pk")
        )
        return {**super().get_form_kwargs(), "groups": list(groups), "pupils": list(_register_pupils(actor))}

    def form_valid(self, form):
        try:
            costs.cost_add(actor=self.request.actor, school=self.request.actor.school, **form.service_arguments())
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The cost has been added."))
        return redirect("provision:cost-list")


class CostRemoveView(ManagerMixin, CapabilityTemplateView):
    """Asks before removing (GET), removes (POST)."""

    template_name = "provision/cost_remove.html"
    http_method_names = ["get", "post"]

    @cached_property
    def cost(self):
        try:
            return OtherCost.objects.select_related("group", "pupil").get(
                school=self.request.actor.school, public_id=self.kwargs["public_id"]
            )
        except (OtherCost.DoesNotExist, ValidationError, ValueError):
            raise Http404 from None

    def get_context_data(self, **kwargs):
        return super().get_context_data(cost=self.cost, **kwargs)

    def post(self, request, *args, **kwargs):
        costs.cost_remove(actor=request.actor, cost=self.cost)
        messages.success(request, _("The cost ‘%(description)s’ has been removed.") % {"description": self.cost})
        return redirect("provision:cost-list")


# ----- the provision map -----


def _map_request(request):
    """The view, filters and sorting asked for; bad values fall back to the defaults."""
    view = request.GET.get("view")
    view = view if view in VIEWS else PUPIL
    form = ProvisionMapFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    sort_form = InterventionSortForm(request.GET or None)
    intervention_order = (sort_form.cleaned_data.get("sort") if sort_form.is_valid() else "") or "name"
    return view, form, filters, sort_form, intervention_order


def _filters_for_audit(filters):
    return {key: str(value) for key, value in filters.items() if value not in (None, "", False) and key != "sort"}


class ProvisionMapView(CapabilityTemplateView):
    """The school's provision map by pupil, by intervention or by funding source."""

    template_name = "provision/provision_map.html"

    def has_capability(self, actor):
        return can_see_provision_map(actor)

    def get_context_data(self, **kwargs):
        actor = self.request.actor
        view, form, filters, sort_form, intervention_order = _map_request(self.request)
        provision = provision_map(
            actor, filters=filters, order=filters.get("sort") or "name", intervention_order=intervention_order
        )
        page = Paginator(provision.pupil_rows, settings.WAYMARK_REGISTER_PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        audit_record(
            actor=actor,
            action="provision.map.viewed",
            data={
                "view": view,
                "pupils": [str(row.pupil.public_id) for row in page.object_list] if view == PUPIL else [],
                "filters": _filters_for_audit(filters) if view == PUPIL else {},
            },
        )
        query = self.request.GET.copy()
        query.pop("page", None)
        export_query = query.copy()
        export_query["view"] = view
        return super().get_context_data(
            view=view,
            views=[
                (PUPIL, _("By pupil")),
                (INTERVENTION, _("By intervention")),
                (FUNDING, _("By funding source")),
            ],
            filter_form=form,
            sort_form=sort_form,
            provision=provision,
            page=page,
            rows=page.object_list,
            querystring=query.urlencode(),
            export_querystring=export_query.urlencode(),
            filtered=bool(_filters_for_audit(filters)),
            school=actor.school,
            funding_labels=Funding.labels,
            can_manage=can_manage_provision(actor),
            **kwargs,
        )


@require_GET
@require_capability(can_see_provision_map)
def provision_map_export(request):
    """The map as a CSV or XLSX file: one view, with the by-pupil filters and order applied."""
    file_format = request.GET.get("format")
    if file_format not in EXPORT_FORMATS:
        raise Http404
    view, _form, filters, _sort_form, intervention_order = _map_request(request)
    filename, table = costs.provision_map_export(
        actor=request.actor,
        view=view,
        file_format=file_format,
        filters=filters,
        order=filters.get("sort") or "name",
        intervention_order=intervention_order,
    )
    title, header, rows, money_columns = table
    if file_format == "csv":
        return csv_response(filename, header, rows)
    return xlsx_response(filename, [Sheet(title, header, rows, money_columns)])
