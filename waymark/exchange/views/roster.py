"""Roster import pages, and the pages every import shares (the list of imports, one import's progress
and result, abandoning one). For those who may import: the SENCO and deputies (``can_import``);
everyone else gets a 404.

upload -> mapping (what each column holds) -> preview (every problem, what will change) ->
commit (inline for a small file, a background task with a progress page for a large one) ->
the import's page.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from waymark.core.views.base import CapabilityFormView, CapabilityTemplateView, form_error_from, require_capability

from .. import batches
from ..models import ImportBatch, ImportKind
from ..permissions import can_import
from ..roster import FileRejected, mapping_for, roster_batch_check, roster_batch_commit, roster_batch_open
from ..roster.headers import column_mapping_save
from ..roster_forms import ColumnMappingForm, RosterUploadForm
from ..tasks import batch_commit_later

Status = ImportBatch.Status
SUMMARY_PROBLEMS = 10  # problems listed in the error summary; the table lists the rest
RECENT_BATCHES = 50
# Where a waiting batch of each kind is continued, and where a corrected file of that kind is uploaded.
CONTINUE_URLS = {
    ImportKind.ROSTER: "exchange:roster-preview",
    ImportKind.CTF: "exchange:ctf-preview",
    ImportKind.TRANSFER: "exchange:transfer-preview",
}
UPLOAD_URLS = {
    ImportKind.ROSTER: "exchange:roster-upload",
    ImportKind.CTF: "exchange:ctf-upload",
    ImportKind.TRANSFER: "exchange:transfer-import",
}
# What an imported batch's page counts: where the counts are in its summary, and each one's label.
RESULT_COUNTS = {
    ImportKind.ROSTER: (
        "result",
        (
            ("created", gettext_lazy("New pupils added")),
            ("updated", gettext_lazy("Pupils updated")),
            ("unchanged", gettext_lazy("Pupils already up to date")),
            ("classes_added", gettext_lazy("Classes added")),
            ("teachers_added", gettext_lazy("Teachers added to classes")),
            ("contacts_added", gettext_lazy("Parents and carers added")),
            ("contacts_updated", gettext_lazy("Parents and carers updated")),
        ),
    ),
    ImportKind.CTF: (
        None,
        (
            ("created", gettext_lazy("New pupils added")),
            ("updated", gettext_lazy("Pupils updated")),
            ("skipped", gettext_lazy("Pupils left as they were")),
        ),
    ),
}


def batch_or_404(actor, public_id, kind=None):
    """The actor's import batch in the URL (of ``kind``, when given); 404 for any other."""
    try:
        batch = batches.batch_get(actor, public_id)
    except ImportBatch.DoesNotExist:
        raise Http404 from None
    if kind is not None and batch.kind != kind:
        raise Http404
    return batch


def to_batch_page(batch):
    return redirect("exchange:import-detail", public_id=batch.public_id)


class ImporterMixin:
    def has_capability(self, actor):
        return can_import(actor)


class WaitingRosterMixin(ImporterMixin):
    """Loads the roster batch in the URL; one that is no longer waiting sends the person to its page."""

    def dispatch(self, request, *args, **kwargs):
        actor = getattr(request, "actor", None)
        if actor is None or not can_import(actor):
            raise Http404
        self.batch = batch_or_404(actor, kwargs["public_id"], ImportKind.ROSTER)
        if self.batch.status != Status.PREVIEWED:
            return to_batch_page(self.batch)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(batch=self.batch, **kwargs)


# ----- upload -----


class RosterUploadView(ImporterMixin, CapabilityFormView):
    template_name = "exchange/roster_upload.html"
    form_class = RosterUploadForm

    def form_valid(self, form):
        actor = self.request.actor
        try:
            batch = roster_batch_open(actor=actor, school=actor.school, uploaded_file=form.cleaned_data["upload"])
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        except FileRejected as rejected:
            for message in rejected.messages:
                form.add_error("upload", message)
            return self.form_invalid(form)
        return redirect("exchange:roster-mapping", public_id=batch.public_id)


# ----- what each column holds -----


class RosterMappingView(WaitingRosterMixin, CapabilityFormView):
    template_name = "exchange/roster_mapping.html"
    form_class = ColumnMappingForm

    def get_form_kwargs(self):
        summary = self.batch.summary
        headers = summary.get("headers", [])
        return {
            **super().get_form_kwargs(),
            "headers": headers,
            "initial_mapping": self.batch.mapping or mapping_for(self.batch.school, headers)[0],
            "samples": summary.get("samples", {}),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(saved_mapping=self.batch.summary.get("saved_mapping"), **kwargs)

    def form_valid(self, form):
        actor = self.request.actor
        mapping = form.mapping()
        try:
            check = roster_batch_check(actor=actor, batch=self.batch, mapping=mapping)
            # Only choices that read the file are remembered: "remember" is ticked from the start.
            if form.cleaned_data.get("remember") and check.mapping_fits:
                column_mapping_save(actor=actor, school=actor.school, headers=form.headers, mapping=mapping)
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        except FileRejected as rejected:  # the stored file is the one read at upload: only if storage failed
            for message in rejected.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        return redirect("exchange:roster-preview", public_id=self.batch.public_id)


# ----- preview -----


def _is_error(problem):
    return problem.get("severity", "error") == "error"


def _has_errors(batch):
    # The count covers problems beyond those kept on the batch.
    return bool(batch.summary.get("errors")) or any(_is_error(problem) for problem in batch.problems)


class RosterPreviewView(WaitingRosterMixin, CapabilityTemplateView):
    template_name = "exchange/roster_preview.html"

    def get(self, request, *args, **kwargs):
        if not self.batch.summary.get("checked"):
            return redirect("exchange:roster-mapping", public_id=self.batch.public_id)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        # The first PROBLEMS_LISTED problems are kept on the batch; the summary counts them all.
        problems = [{**problem, "anchor": f"problem-{index}"} for index, problem in enumerate(self.batch.problems, 1)]
        errors = [problem for problem in problems if _is_error(problem)]
        summary = self.batch.summary
        found = summary.get("errors", 0) + summary.get("warnings", 0)
        return super().get_context_data(
            summary=summary,
            problems=problems,
            has_errors=_has_errors(self.batch),
            summary_problems=errors[:SUMMARY_PROBLEMS],
            more_problems=max(0, len(errors) - SUMMARY_PROBLEMS),
            not_listed=max(0, found - len(problems)),
            to_import=summary.get("create", 0) + summary.get("update", 0),
            background=self.batch.rows_total > settings.WAYMARK_IMPORT_BACKGROUND_ROWS,
            **kwargs,
        )


@require_POST
@require_capability(can_import)
def roster_commit(request, public_id):
    """Import a previewed roster: inline when small, as a background task when large."""
    actor = request.actor
    batch = batch_or_404(actor, public_id, ImportKind.ROSTER)
    if batch.status != Status.PREVIEWED:
        return to_batch_page(batch)
    if not batch.summary.get("checked") or _has_errors(batch):
        messages.error(request, _("Fix the problems in the file, then upload it again."))
        return redirect("exchange:roster-preview", public_id=batch.public_id)
    return commit_now_or_later(
        request, batch, commit=roster_batch_commit, imported=lambda batch: _("The roster has been imported.")
    )


def commit_now_or_later(request, batch, *, commit, imported):
    """Commit a previewed batch with ``commit``: inline when small, as a background task when large.

    Then the batch's page, with ``imported(batch)`` as the message when it was imported here.
    """
    actor = request.actor
    try:
        if batch.rows_total > settings.WAYMARK_IMPORT_BACKGROUND_ROWS:
            batch = batch_commit_later(actor=actor, batch=batch)
            if batch.status != Status.FAILED:
                messages.success(request, _("The import has started. This page shows how far it has got."))
            return to_batch_page(batch)
        batch = commit(actor=actor, batch=batch)
    except ValidationError as error:  # pressed twice: the first press is importing it
        messages.error(request, " ".join(error.messages))
        return to_batch_page(batch)
    if batch.status == Status.COMMITTED:
        messages.success(request, imported(batch))
    return to_batch_page(batch)


# ----- every import: the list, one import, abandoning -----


class ImportListView(ImporterMixin, CapabilityTemplateView):
    template_name = "exchange/import_list.html"

    def get_context_data(self, **kwargs):
        recent = list(batches.batch_list(self.request.actor)[:RECENT_BATCHES])
        return super().get_context_data(batches=recent, **kwargs)


class ImportDetailView(ImporterMixin, CapabilityTemplateView):
    """One import: its progress while it runs (polled by htmx; a link without JavaScript), then its result."""

    template_name = "exchange/import_detail.html"

    def get(self, request, *args, **kwargs):
        self.batch = batch_or_404(request.actor, kwargs["public_id"])
        context = self.get_context_data(**kwargs)
        if request.htmx:
            if not context["running"]:
                # Finished (or failed): the whole page, with the result, replaces the progress.
                return HttpResponseClientRefresh()
            return render(request, f"{self.template_name}#progress", context)
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        batch = self.batch
        problems = batch.problems
        errors = [problem for problem in problems if _is_error(problem)]
        return super().get_context_data(
            batch=batch,
            running=batch.status in (Status.QUEUED, Status.RUNNING),
            rows_done=batches.batch_rows_done(batch),
            percent=batches.batch_percent_done(batch),
            result=_result(batch),
            errors=errors,
            continue_url=_continue_url(batch),
            upload_url=reverse(UPLOAD_URLS[batch.kind]),
            **kwargs,
        )


def _result(batch):
    """(label, number) for each count of an imported batch, or nothing for another status or kind."""
    if batch.status != Status.COMMITTED or batch.kind not in RESULT_COUNTS:
        return []
    key, rows = RESULT_COUNTS[batch.kind]
    counts = batch.summary.get(key, {}) if key else batch.summary
    return [(label, counts.get(name, 0)) for name, label in rows] if counts else []


def _continue_url(batch):
    if batch.status != Status.PREVIEWED:
        return ""
    return reverse(CONTINUE_URLS[batch.kind], kwargs={"public_id": batch.public_id})


@require_POST
@require_capability(can_import)
def import_abandon(request, public_id):
    batch = batch_or_404(request.actor, public_id)
    try:
        batches.batch_abandon(actor=request.actor, batch=batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return to_batch_page(batch)
    messages.success(
        request, _("The import of %(name)s was abandoned: nothing was imported.") % {"name": batch.original_name}
    )
    return redirect("exchange:import-list")
