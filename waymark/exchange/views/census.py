"""Pages: the census check and its download.

For those who export across the school (SENCO, deputy SENCO, head, trust lead); everyone
else gets a 404. The page names the pupils whose records would fail, so viewing it is
audited, and so is every download.
"""

import datetime

from django import forms
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from waymark.core.forms.fields import GovukDateField
from waymark.core.spreadsheets import Sheet, csv_response, xlsx_response
from waymark.core.views.base import CapabilityTemplateView, require_capability

from ..census import EXPORT_HEADER, census_check, census_day, census_export, census_viewed
from ..permissions import can_check_census

EXPORT_FORMATS = ("csv", "xlsx")
EARLIEST = datetime.date(2000, 1, 1)


class CensusDayForm(forms.Form):
    on = GovukDateField(
        label=_("Check another day"),
        noun=_("day to check"),
        required=False,
        min_value=EARLIEST,
        help_text=_("For example, 15 1 2026. Leave blank for this school year's census day."),
    )


def _chosen_day(request):
    """The day asked for (``?on=YYYY-MM-DD`` or the date boxes), the census day otherwise.

    Returns ``(day, form, census day)``; a day that cannot be read leaves the census day, and the
    error on the form.
    """
    actor = request.actor
    default = census_day(actor.school, actor.today)
    query = request.GET
    data = {key: query[key] for key in ("on_day", "on_month", "on_year") if key in query}
    if "on" in query:
        try:
            day = datetime.date.fromisoformat(query["on"])
        except ValueError:
            form = CensusDayForm({})
            form.is_valid()
            form.add_error("on", _("Day to check must be a real date"))
            return default, form, default
        data = {"on_day": str(day.day), "on_month": str(day.month), "on_year": str(day.year)}
    form = CensusDayForm(data or None)
    if form.is_bound and form.is_valid() and form.cleaned_data["on"]:
        return form.cleaned_data["on"], form, default
    return default, form, default


class CensusCheckView(CapabilityTemplateView):
    """Counts by provision and need type on census day, and the records that would fail."""

    template_name = "exchange/census_check.html"

    def has_capability(self, actor):
        return can_check_census(actor)

    def get_context_data(self, **kwargs):
        actor = self.request.actor
        day, form, default = _chosen_day(self.request)
        check = census_check(actor, day)
        census_viewed(actor=actor, check=check)
        return super().get_context_data(
            check=check,
            day=day,
            is_census_day=day == default,
            census_day=default,
            form=form,
            school=actor.school,
            export_query=f"on={day.isoformat()}",
            **kwargs,
        )


@require_GET
@require_capability(can_check_census)
def census_export_view(request):
    """The check as a CSV (the failing records) or an XLSX (counts and failing records)."""
    file_format = request.GET.get("format")
    if file_format not in EXPORT_FORMATS:
        raise Http404
    day, form, _default = _chosen_day(request)
    if form.errors:
        raise Http404
    filename, counts, need_rows, failing = census_export(actor=request.actor, day=day, file_format=file_format)
    if file_format == "csv":
        return csv_response(filename, EXPORT_HEADER, failing)
    return xlsx_response(
        filename,
        [
            Sheet("Counts", ("On census day", "Pupils"), counts),
            Sheet("Needs", ("Type of need", "Primary need (rank 1)", "Secondary need (rank 2)"), need_rows),
            Sheet("Records that would fail", EXPORT_HEADER, failing),
        ],
    )
