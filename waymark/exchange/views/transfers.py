"""Pages: sending a pupil's record to a new school, receiving one, and reading what was received.

- Sending (``transfer-export``): staff who may export the pupil (SENCO, deputy SENCO, head,
  trust lead); the file downloads straight from the form, audited.
- Receiving (``transfer-import`` → ``transfer-preview`` → the pupil's page): those who may
  import (SENCO, deputy SENCO). The passphrase is asked for twice, since it is never kept.
- Reading (``received-detail``, ``received-list``): staff who may view the pupil; audited.
- The format's JSON Schema (``transfer-schema``) is public, for anyone writing a reader.

Passphrases are marked sensitive, so they never reach an error report.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET

from waymark.core.access import Action
from waymark.core.audit import audit_record
from waymark.core.views.base import (
    CapabilityFormView,
    ScopedDetailView,
    ScopedFormView,
    form_error_from,
    public_view,
)
from waymark.evidence import scanning
from waymark.evidence.selectors import documents_visible_to
from waymark.provision.dates import parse_iso_date
from waymark.pupils.models import Pupil

from .. import batches
from ..models import ImportBatch, ImportKind, ReceivedTransfer
from ..permissions import can_import
from ..transfer import passphrase as passphrases
from ..transfer.format import CONTENT_TYPE, schema_bytes
from ..transfer.intake import NAME_AND_DOB
from ..transfer.package import export_filename, transfer_export
from ..transfer.presenting import moment, received_page
from ..transfer.receive import transfer_check, transfer_confirm
from ..transfer_forms import TransferConfirmForm, TransferExportForm, TransferImportForm

SENSITIVE = method_decorator(sensitive_post_parameters("passphrase", "passphrase_again"), name="dispatch")


def _no_store(response):
    # A child's record must not linger in shared caches or the browser's.
    response["Cache-Control"] = "no-store, private"
    return response


# ----- sending -----


@SENSITIVE
class TransferExportView(ScopedFormView):
    model = Pupil
    action = Action.EXPORT
    template_name = "exchange/transfer_export.html"
    form_class = TransferExportForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "suggestion": self.suggestion}

    @cached_property
    def suggestion(self):
        return passphrases.suggestion()

    def get_context_data(self, **kwargs):
        return super().get_context_data(pupil=self.object, suggestion=self.suggestion, **kwargs)

    def form_valid(self, form):
        try:
            sealed = transfer_export(actor=self.actor, pupil=self.object, passphrase=form.cleaned_data["passphrase"])
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        response = HttpResponse(sealed, content_type=CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{export_filename(self.object, self.actor.today)}"'
        response["X-Content-Type-Options"] = "nosniff"
        return _no_store(response)


# ----- receiving -----


class ImporterMixin:
    def has_capability(self, actor):
        return can_import(actor) and actor.is_staff_member


@SENSITIVE
class TransferImportView(ImporterMixin, CapabilityFormView):
    template_name = "exchange/transfer_import.html"
    form_class = TransferImportForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(no_scanner=not scanning.get_scanner().configured, **kwargs)

    def form_valid(self, form):
        actor = self.request.actor
        try:
            batch = transfer_check(
                actor=actor,
                school=actor.school,
                uploaded_file=form.cleaned_data["upload"],
                passphrase=form.cleaned_data["passphrase"],
            )
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        return redirect("exchange:transfer-preview", public_id=batch.public_id)


@SENSITIVE
class TransferPreviewView(ImporterMixin, CapabilityFormView):
    """What receiving the checked package will do, and the passphrase again to do it (or abandon it)."""

    template_name = "exchange/transfer_preview.html"
    form_class = TransferConfirmForm

    @cached_property
    def batch(self):
        try:
            return batches.batch_get(self.request.actor, self.kwargs["public_id"])
        except (ImportBatch.DoesNotExist, ValidationError, ValueError):
            raise Http404 from None

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        return _no_store(response)

    def get(self, request, *args, **kwargs):
        self._check_kind()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self._check_kind()
        if "abandon" in request.POST:
            try:
                batches.batch_abandon(actor=request.actor, batch=self.batch)
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
                return redirect("exchange:transfer-preview", public_id=self.batch.public_id)
            messages.success(request, _("The import was abandoned. Nothing was changed, and the file was deleted."))
            return redirect("exchange:transfer-import")
        return super().post(request, *args, **kwargs)

    def _check_kind(self):
        if self.batch.kind != ImportKind.TRANSFER:
            raise Http404

    @property
    def summary(self):
        return self.batch.summary or {}

    def get_form_kwargs(self):
        match = self.summary.get("match", {})
        return {
            **super().get_form_kwargs(),
            "match_name": match.get("pupil_name", ""),
            "ask_same_pupil": match.get("kind") == NAME_AND_DOB,
        }

    def get_context_data(self, **kwargs):
        summary = self.summary
        return super().get_context_data(
            batch=self.batch,
            summary=summary,
            waiting=self.batch.status == ImportBatch.Status.PREVIEWED,
            date_of_birth=parse_iso_date(summary.get("pupil", {}).get("date_of_birth")),
            exported_at=moment(summary.get("exported_at")),
            matched=self.matched_pupil,
            **kwargs,
        )

    @cached_property
    def matched_pupil(self):
        pupil_id = self.summary.get("match", {}).get("pupil_id")
        if not pupil_id:
            return None
        return Pupil.objects.filter(school=self.request.actor.school, public_id=pupil_id).first()

    def form_valid(self, form):
        actor = self.request.actor
        matched = self.matched_pupil
        if self.summary.get("match", {}).get("pupil_id") and matched is None:
            form.add_error(None, _("The pupil this record matched is no longer here. Check the file again."))
            return self.form_invalid(form)
        try:
            transfer = transfer_confirm(
                actor=actor,
                batch=self.batch,
                passphrase=form.cleaned_data["passphrase"],
                match_confirmed_pupil=matched,
            )
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The record from %(school)s has been imported.") % {"school": transfer.from_school_name},
        )
        return redirect("pupils:pupil-detail", public_id=transfer.pupil.public_id)


# ----- reading what was received -----


class ReceivedDetailView(ScopedDetailView):
    """A record received from a previous school, shown as history from that school, never merged."""

    model = ReceivedTransfer
    action = Action.VIEW
    template_name = "exchange/received_detail.html"
    context_object_name = "transfer"

    def get_queryset(self):
        return super().get_queryset().select_related("pupil__school", "received_by")

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        audit_record(
            actor=self.actor,
            action="exchange.transfer.viewed",
            target=self.object,
            pupil=self.object.pupil,
            data={"from_school_urn": self.object.from_school_urn},
        )
        return _no_store(response)

    def get_context_data(self, **kwargs):
        # Only the documents this reader may see: a SENCO may since have made one restricted.
        documents = list(
            documents_visible_to(self.actor, self.object.pupil)
            .filter(received_in=self.object)
            .order_by("-written_on", "pk")
        )
        page = received_page(self.actor, self.object, documents)
        # One version at a time (the newest unless asked): a plan's page layout is written to appear once.
        wanted = self.request.GET.get("version", "")
        shown = next((plan for plan in page["plans"] if str(plan["number"]) == wanted), None)
        return super().get_context_data(
            pupil=self.object.pupil,
            page=page,
            shown_plan=shown or (page["plans"][0] if page["plans"] else None),
            **kwargs,
        )


class ReceivedListView(ScopedDetailView):
    """The records a pupil's previous schools sent, newest first."""

    model = Pupil
    action = Action.VIEW
    template_name = "exchange/received_list.html"
    context_object_name = "pupil"

    def get_context_data(self, **kwargs):
        transfers = ReceivedTransfer.objects.filter(pupil=self.object).select_related("received_by")
        return super().get_context_data(transfers=list(transfers), **kwargs)


# ----- the published format -----


@public_view
@require_GET
def transfer_schema(request):
    """The JSON Schema of a transfer package's document, for anyone writing or checking one."""
    response = HttpResponse(schema_bytes(), content_type="application/schema+json")
    response["Content-Disposition"] = 'inline; filename="transfer-package-1.json"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
