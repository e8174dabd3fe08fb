"""Measures and impact pages.

- A group's measures (``group-measures``) and recording or correcting one pupil's entry or
  exit (``measure-record``): the staff who run the group and those who manage provision.
- A check along the way from the pupil's impact page (``measure-check``) and the school's own
  scales (``measure-type-create``): those who manage provision (SENCO, deputy SENCO).
- The impact summary and one intervention's pupils (``impact-summary``,
  ``intervention-impact``): those who see the provision map (SENCO, deputy, head, trust lead).
- A pupil's progress (``pupil-impact``): staff who reach the pupil; audited as a read.

Forbidden looks like missing: 404.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from waymark.core.access import Action
from waymark.core.audit import audit_record
from waymark.core.services import STALE_MESSAGE, is_stale
from waymark.core.views.base import (
    ActorMixin,
    CapabilityFormView,
    CapabilityTemplateView,
    ScopedDetailView,
    ScopedFormView,
    form_error_from,
)
from waymark.pupils.models import Pupil
from waymark.schools.models import AcademicYear

from .. import impact, measure_selectors, measures, progress
from ..charts import measure_chart, outcome_chart
from ..measure_forms import POINT_WORDS, CheckForm, MeasureForm, MeasureTypeForm, ScaleChoiceForm, YearForm
from ..measure_values import range_words
from ..models import Measure
from ..permissions import can_manage_provision, can_see_provision_map

# ----- a group's measures -----


class GroupScaleMixin(ActorMixin):
    """The group from the address, if the actor runs or manages it; the scale from ``?type=``."""

    def load_group(self):
        self.group = measure_selectors.group_for_measures(self.actor, self.kwargs["public_id"])
        if self.group is None:
            raise Http404
        self.scales = measure_selectors.school_scales(self.group.school)
        self.measure_type = measure_selectors.scale_for(self.group, self.request.GET.get("type"), self.scales)


class GroupMeasuresView(GroupScaleMixin, TemplateView):
    """One row per pupil who is or was in the group: entry and exit on the group's scale, and the gain."""

    template_name = "provision/measure_list.html"
    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        self.load_group()
        response = super().get(request, *args, **kwargs)
        audit_record(
            actor=self.actor,
            action="provision.group_measures.viewed",
            target=self.group,
            data={
                "pupils": [str(row.pupil.public_id) for row in self.rows],
                "measure_type": str(self.measure_type.public_id) if self.measure_type else None,
            },
        )
        return response

    def get_context_data(self, **kwargs):
        chooser = None
        if self.group.intervention.measure_type_id is None:
            data = {"type": str(self.measure_type.public_id)} if self.measure_type else None
            chooser = ScaleChoiceForm(data, measure_types=self.scales)
        self.rows = measure_selectors.group_measure_rows(self.group, self.measure_type)
        return super().get_context_data(
            group=self.group,
            measure_type=self.measure_type,
            chooser=chooser,
            rows=self.rows,
            type_query=urlencode({"type": self.measure_type.public_id}) if self.measure_type else "",
            **kwargs,
        )


class MeasureRecordView(GroupScaleMixin, FormView):
    """Record, or correct, one pupil's entry or exit measure in a group: one page, usable on a phone."""

    template_name = "provision/measure_form.html"
    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, **kwargs):
        self.actor = getattr(request, "actor", None)
        if self.actor is None or kwargs["point"] not in (Measure.Point.ENTRY, Measure.Point.EXIT):
            raise Http404
        self.load_group()
        self.pupil = measure_selectors.member_of_group(self.group, kwargs["pupil_id"])
        if self.pupil is None or self.measure_type is None:
            raise Http404
        self.point = kwargs["point"]
        self.existing = measure_selectors.recorded(self.pupil, self.group, self.measure_type, self.point)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "measure_type": self.measure_type}

    def get_initial(self):
        if self.existing is not None:
            return MeasureForm.initial_for(self.existing)
        return {"taken_on": self.actor.today}

    def get_form_class(self):
        return MeasureForm

    def back_url(self):
        url = reverse("provision:group-measures", kwargs={"public_id": self.group.public_id})
        if self.group.intervention.measure_type_id is None:
            url += "?" + urlencode({"type": self.measure_type.public_id})
        return url

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            group=self.group,
            pupil=self.pupil,
            point=self.point,
            point_words=POINT_WORDS[self.point],
            measure_type=self.measure_type,
            existing=self.existing,
            back_url=self.back_url(),
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        if self.existing is not None and data["lock_version"] is None:
            # Someone recorded it while this form was open: never overwrite it unseen.
            return self.refused(form, None, message=measures.duplicate_message(self.point))
        try:
            if self.existing is None:
                measures.measure_record(
                    actor=self.actor,
                    pupil=self.pupil,
                    group=self.group,
                    measure_type=self.measure_type,
                    point=self.point,
                    value=data["value"],
                    taken_on=data["taken_on"],
                    note=data["note"],
                )
            else:
                measures.measure_correct(
                    actor=self.actor,
                    measure=self.existing,
                    expected_version=data["lock_version"],
                    value=data["value"],
                    taken_on=data["taken_on"],
                    note=data["note"],
                )
        except ValidationError as error:
            return self.refused(form, error)
        if self.existing is None:
            message = _("%(point)s measure recorded for %(name)s.")
        else:
            message = _("%(point)s measure changed for %(name)s.")
        messages.success(
            self.request, message % {"point": POINT_WORDS[self.point].capitalize(), "name": self.pupil.full_name}
        )
        return redirect(self.back_url())

    def refused(self, form, error, *, message=None):
        """Show what was refused. If the measure now exists (someone saved it, or saved it again,
        while this form was open), keep what was typed on the stored version, so saving again
        replaces it knowingly."""
        self.existing = measure_selectors.recorded(self.pupil, self.group, self.measure_type, self.point)
        clash = message is not None or is_stale(error) or getattr(error, "code", None) == "duplicate"
        if self.existing is not None and clash:
            data = self.request.POST.copy()
            data["lock_version"] = str(self.existing.lock_version)
            form = MeasureForm(data=data, measure_type=self.measure_type)
            form.is_valid()
            form.add_error(None, message or (STALE_MESSAGE if is_stale(error) else error.messages[0]))
        else:
            form_error_from(form, error)
        return self.form_invalid(form)


# ----- the school's own scales -----


class MeasureTypeCreateView(CapabilityFormView):
    template_name = "provision/measure_type_form.html"
    form_class = MeasureTypeForm

    def has_capability(self, actor):
        return can_manage_provision(actor)

    def get_context_data(self, **kwargs):
        scales = measure_selectors.school_scales(self.actor.school)
        for scale in scales:
            scale.range_text = range_words(scale)
        return super().get_context_data(scales=scales, **kwargs)

    def form_valid(self, form):
        try:
            measure_type = measures.measure_type_create(actor=self.actor, **form.cleaned_data)
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The scale ‘%(name)s’ has been added. Choose it for an intervention or when recording measures.")
            % {"name": measure_type.name},
        )
        return redirect("provision:measure-type-create")


# ----- summaries for those who see the provision map -----


class YearMixin:
    """The school year from ``?year=``: the one containing today by default, or every year ("all")."""

    def load_year(self):
        years = list(AcademicYear.objects.filter(school=self.actor.school).order_by("-starts_on"))
        current = next((y for y in years if y.starts_on <= self.actor.today <= y.ends_on), None)
        asked = self.request.GET.get("year")
        self.year_form = YearForm({"year": asked} if asked else None, years=years, current=current)
        self.year = self.year_form.chosen() if asked else current

    def year_query(self):
        return urlencode({"year": self.year.public_id if self.year else "all"})


class ImpactSummaryView(YearMixin, CapabilityTemplateView):
    template_name = "provision/impact_summary.html"

    def has_capability(self, actor):
        return can_see_provision_map(actor)

    def get_context_data(self, **kwargs):
        self.load_year()
        return super().get_context_data(
            summaries=impact.intervention_summary(self.actor, year=self.year),
            year=self.year,
            year_form=self.year_form,
            year_query=self.year_query(),
            can_manage=can_manage_provision(self.actor),
            threshold=settings.WAYMARK_SMALL_NUMBER_THRESHOLD,
            # An intervention with no scale and nothing measured still gets its row.
            none_recorded=[{"measure_type": None}],
            **kwargs,
        )


class InterventionImpactView(YearMixin, CapabilityTemplateView):
    template_name = "provision/impact_intervention.html"

    def has_capability(self, actor):
        return can_see_provision_map(actor)

    def get_context_data(self, **kwargs):
        self.load_year()
        intervention = impact.intervention_for(self.actor, self.kwargs["public_id"])
        detail = impact.intervention_pupils(self.actor, intervention, year=self.year)
        rows = detail.rows
        tables = [{"measure_type": mt, "rows": [row for row in rows if row.measure_type == mt]} for mt in detail.scales]
        unmeasured = [row for row in rows if row.measure_type is None]
        if unmeasured:
            tables.append({"measure_type": None, "rows": unmeasured})
        # Named pupils with their measures and attendance: a read of each of their records.
        audit_record(
            actor=self.actor,
            action="provision.intervention_impact.viewed",
            target=intervention,
            school=self.actor.school,
            data={
                "pupils": list(dict.fromkeys(str(row.pupil.public_id) for row in rows)),
                "year": str(self.year.public_id) if self.year else "all",
            },
        )
        return super().get_context_data(
            intervention=intervention,
            summary=detail.summary,
            tables=[table for table in tables if table["rows"]],
            year=self.year,
            year_form=self.year_form,
            year_query=self.year_query(),
            threshold=settings.WAYMARK_SMALL_NUMBER_THRESHOLD,
            **kwargs,
        )


# ----- one pupil's progress -----


class PupilImpactView(ScopedDetailView):
    """Each scale's measures and each outcome's review ratings over time: a chart and a table each."""

    model = Pupil
    action = Action.VIEW
    audience = "staff"
    template_name = "provision/pupil_impact.html"
    context_object_name = "pupil"

    def get_queryset(self):
        return super().get_queryset().select_related("school")

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        audit_record(actor=self.actor, action="provision.impact.viewed", target=self.object, pupil=self.object)
        return response

    def get_context_data(self, **kwargs):
        found = progress.pupil_progress(self.actor, self.object)
        scale = self.object.school.review_scale
        return super().get_context_data(
            measure_series=[(series, measure_chart(series, n)) for n, series in enumerate(found.measures, start=1)],
            outcome_series=[
                (series, outcome_chart(series, scale, n)) for n, series in enumerate(found.outcomes, start=1)
            ],
            hidden_ratings=found.hidden_ratings,
            can_record_check=can_manage_provision(self.actor),
            **kwargs,
        )


class MeasureCheckView(ScopedFormView):
    """Record a check along the way for one pupil, on a scale chosen first (``?type=``)."""

    model = Pupil
    action = Action.EDIT
    audience = "staff"
    template_name = "provision/measure_check.html"

    def dispatch(self, request, *args, **kwargs):
        actor = getattr(request, "actor", None)
        if actor is None or not can_manage_provision(actor):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def setup_scale(self):
        self.scales = measure_selectors.school_scales(self.actor.school)
        self.measure_type = measure_selectors.chosen_scale(self.request.GET.get("type"), self.scales)
        self.groups = list(progress.pupil_groups(self.object))

    def get(self, request, *args, **kwargs):
        self.setup_scale()
        if self.measure_type is None:
            chooser = ScaleChoiceForm(request.GET or None, measure_types=self.scales)
            return self.render_to_response(self.get_context_data(chooser=chooser, form=None))
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.setup_scale()
        if self.measure_type is None:
            raise Http404
        return super().post(request, *args, **kwargs)

    def get_form_class(self):
        return CheckForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "measure_type": self.measure_type, "groups": self.groups}

    def get_initial(self):
        return {"taken_on": self.actor.today}

    def get_context_data(self, **kwargs):
        return super().get_context_data(pupil=self.object, measure_type=getattr(self, "measure_type", None), **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            measures.measure_record(
                actor=self.actor,
                pupil=self.object,
                group=data["group"],
                measure_type=self.measure_type,
                point=Measure.Point.CHECK,
                value=data["value"],
                taken_on=data["taken_on"],
                note=data["note"],
            )
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Check along the way recorded for %(name)s.") % {"name": self.object.full_name}
        )
        return redirect("provision:pupil-impact", public_id=self.object.public_id)
