"""Pages: a pupil's chronology for an EHC needs assessment request, on screen and as a tagged PDF.

For staff who export across the school (SENCO, deputy SENCO, head, trust lead) and reach
the pupil to export, an archived leaver included; everyone else gets a 404. Opening the
page reads the whole record, and the PDF is a disclosure: both are audited.
"""

from urllib.parse import urlencode

from django import forms
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from waymark.core.access import Action
from waymark.core.audit import audit_record
from waymark.core.views.base import ScopedDetailView
from waymark.pupils.models import Pupil

from ..chronology import gather, may_include_restricted
from ..chronology_pdf import PDF_TYPE, chronology_filename, chronology_pdf
from ..permissions import can_export_pupils


class ChronologyOptionsForm(forms.Form):
    """Only for those who may read restricted content (the SENCO): whether the chronology holds it."""

    restricted = forms.BooleanField(
        label=_("Include content restricted to the SENCO and DSL"),
        help_text=_(
            "Leave this unticked for a copy to send to the local authority, unless you have decided "
            "they need to see it. Restricted items are marked in the chronology."
        ),
        required=False,
    )


def _include_restricted(request):
    form = ChronologyOptionsForm(request.GET or None)
    return form, bool(form.is_valid() and form.cleaned_data["restricted"])


class ChronologyMixin:
    model = Pupil
    action = Action.EXPORT
    audience = "staff"
    context_object_name = "pupil"

    def get_queryset(self):
        if not can_export_pupils(self.actor):
            return Pupil.objects.none()
        return super().get_queryset().select_related("school")


class ChronologyView(ChronologyMixin, ScopedDetailView):
    """What the chronology holds, the option to include restricted content, the download, and every entry."""

    template_name = "exchange/chronology.html"

    def get_context_data(self, **kwargs):
        form, include_restricted = _include_restricted(self.request)
        chronology = gather(self.actor, self.object, include_restricted=include_restricted)
        audit_record(
            actor=self.actor,
            action="exchange.chronology.viewed",
            target=self.object,
            pupil=self.object,
            data={"restricted": chronology.include_restricted, "entries": len(chronology.entries)},
        )
        pdf_url = reverse("exchange:chronology-pdf", args=[self.object.public_id])
        if chronology.include_restricted:
            pdf_url += "?" + urlencode({"restricted": "on"})
        return super().get_context_data(
            chronology=chronology,
            options_form=form if may_include_restricted(self.actor) else None,
            pdf_url=pdf_url,
            **kwargs,
        )


class ChronologyPdfView(ChronologyMixin, ScopedDetailView):
    """The chronology as a tagged PDF to attach to a request. Every download is audited and never cached."""

    http_method_names = ["get"]  # a HEAD would build and audit a download nobody receives

    def get(self, request, *args, **kwargs):
        pupil = self.get_object()
        _form, include_restricted = _include_restricted(request)
        chronology = gather(self.actor, pupil, include_restricted=include_restricted)
        body = chronology_pdf(chronology)
        audit_record(
            actor=self.actor,
            action="exchange.chronology.downloaded",
            target=pupil,
            pupil=pupil,
            data={"restricted": chronology.include_restricted, "entries": len(chronology.entries)},
        )
        response = HttpResponse(body, content_type=PDF_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{chronology_filename(chronology)}"'
        # A child's record must not linger in shared caches or the browser's.
        response["Cache-Control"] = "no-store, private"
        return response
