"""CTF import pages: upload, preview, commit. For those who may import (the SENCO and deputies).

The file is checked when it is uploaded and the preview saved on the batch, so the preview
page reads one row whatever the file holds. The commit checks the file again against the
records as they are then, and imports all of it or nothing.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from waymark.core.views.base import CapabilityFormView, CapabilityTemplateView, form_error_from, require_capability

from ..ctf.commit import ctf_batch_commit, ctf_batch_open
from ..ctf.dates import parse_date
from ..ctf_forms import CTFUploadForm
from ..models import ImportBatch, ImportKind
from ..permissions import can_import
from .roster import ImporterMixin, batch_or_404, commit_now_or_later, to_batch_page

Status = ImportBatch.Status
SUMMARY_PROBLEMS = 10  # the first problems in the error summary; the table below lists every one


class CTFUploadView(ImporterMixin, CapabilityFormView):
    template_name = "exchange/ctf_upload.html"
    form_class = CTFUploadForm

    def form_valid(self, form):
        actor = self.request.actor
        try:
            batch, result = ctf_batch_open(actor=actor, school=actor.school, uploaded_file=form.cleaned_data["upload"])
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        if result.rejected:
            for problem in result.problems:
                form.add_error("upload", problem["message"])
            return self.form_invalid(form)
        return redirect("exchange:ctf-preview", public_id=batch.public_id)


class CTFPreviewView(ImporterMixin, CapabilityTemplateView):
    template_name = "exchange/ctf_preview.html"

    def get(self, request, *args, **kwargs):
        self.batch = batch_or_404(request.actor, kwargs["public_id"], ImportKind.CTF)
        if self.batch.status != Status.PREVIEWED:
            # Imported, failed or abandoned: the batch's own page says what happened.
            return to_batch_page(self.batch)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        summary = self.batch.summary or {}
        header = summary.get("header", {})
        written_on = header.get("written_on")
        problems = [
            {**problem, "anchor": f"ctf-problem-{index}"} for index, problem in enumerate(self.batch.problems, 1)
        ]
        return super().get_context_data(
            batch=self.batch,
            header=header,
            written_on=parse_date(written_on) if written_on else None,
            counts={key: summary.get(key, 0) for key in ("pupils", "created", "updated", "skipped", "warnings")},
            problems=problems,
            summary_problems=problems[:SUMMARY_PROBLEMS],
            more_problems=max(0, len(problems) - SUMMARY_PROBLEMS),
            to_create=summary.get("create", []),
            to_update=summary.get("update", []),
            to_skip=summary.get("skip", []),
            warnings=summary.get("warning_list", []),
            in_background=self.batch.rows_total > settings.WAYMARK_IMPORT_BACKGROUND_ROWS,
            **kwargs,
        )


@require_POST
@require_capability(can_import)
def ctf_commit(request, public_id):
    """Import a previewed CTF with no problems: inline when small, as a background task when large."""
    batch = batch_or_404(request.actor, public_id, ImportKind.CTF)
    if batch.status != Status.PREVIEWED:
        return to_batch_page(batch)
    if batch.problems:
        messages.error(request, _("This file has problems, so it cannot be imported. Correct it and upload it again."))
        return redirect("exchange:ctf-preview", public_id=batch.public_id)
    return commit_now_or_later(request, batch, commit=ctf_batch_commit, imported=_imported)


def _imported(batch):
    created, updated = batch.summary.get("created", 0), batch.summary.get("updated", 0)
    return _("The CTF has been imported: %(created)s, %(updated)s.") % {
        "created": ngettext("%(count)d pupil added", "%(count)d pupils added", created) % {"count": created},
        "updated": ngettext("%(count)d pupil updated", "%(count)d pupils updated", updated) % {"count": updated},
    }
