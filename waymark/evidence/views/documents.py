"""Adding a document, changing who can see it, and downloading it.

The SENCO and deputy SENCOs add documents and change who sees them. Downloads are for
whoever ``selectors.document_visibility_filter`` allows (staff by visibility, parents and
outside specialists as their link or share allows), each one audited. A file is only
ever sent as an attachment the browser may not render or sniff.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import View

from waymark.core.access import Action
from waymark.core.audit import audit_record
from waymark.core.forms import versioned_initial
from waymark.core.models import Visibility
from waymark.core.services import is_stale
from waymark.core.views.base import ActorMixin, ScopedFormView, form_error_from
from waymark.pupils.models import Pupil

from .. import documents, scanning, selectors
from ..forms import DocumentEditForm, DocumentUploadForm
from ..models import Document
from ..uploads import max_upload_bytes
from .notes import timeline_url


class DocumentUploadView(ScopedFormView):
    model = Pupil
    action = Action.EDIT
    template_name = "evidence/document_upload.html"
    form_class = DocumentUploadForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": self.actor}

    def get_initial(self):
        return {"visibility": Visibility.STAFF}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            pupil=self.object,
            timeline_url=timeline_url(self.object),
            # Said plainly, and only when it is so: nobody should assume files were checked.
            no_scanner=not scanning.get_scanner().configured,
            max_bytes=max_upload_bytes(),
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            documents.document_upload(
                actor=self.actor,
                pupil=self.object,
                upload=data["upload"],
                title=data["title"],
                kind=data["kind"],
                written_on=data["written_on"],
                visibility=data["visibility"],
                author=data["author"],
            )
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Document added."))
        return redirect(timeline_url(self.object))


class DocumentEditView(ScopedFormView):
    """Change who can see a document: the SENCO or a deputy (restricting is for the SENCO and DSL)."""

    model = Document
    action = Action.EDIT
    template_name = "evidence/document_edit.html"
    form_class = DocumentEditForm

    def get_queryset(self):
        return selectors.documents_editable_by(self.actor)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": self.actor}

    def get_initial(self):
        return versioned_initial(self.object, visibility=self.object.visibility)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            document=self.object,
            pupil=self.object.pupil,
            timeline_url=timeline_url(self.object.pupil),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            documents.document_update(
                actor=self.actor,
                document=self.object,
                visibility=form.cleaned_data["visibility"],
                expected_version=form.cleaned_data["lock_version"],
            )
        except ValidationError as error:
            if is_stale(error):
                return self.stale_response(error)
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Who can see this document has been changed."))
        return redirect(timeline_url(self.object.pupil))

    def stale_response(self, error):
        """Someone changed it first: show their choice, with their version, as the message says."""
        self.object = self.get_queryset().get(pk=self.object.pk)
        data = {"visibility": self.object.visibility, "lock_version": str(self.object.lock_version)}
        form = self.get_form_class()(**{**self.get_form_kwargs(), "data": data})
        form.is_valid()
        form_error_from(form, error)
        return self.form_invalid(form)


class DocumentDownloadView(ActorMixin, View):
    """The file itself, as an attachment, to whoever may see the document. Every download is audited."""

    http_method_names = ["get"]

    def get(self, request, public_id):
        try:
            document = selectors.document_get_for_download(self.actor, public_id)
        except (Document.DoesNotExist, ValidationError, ValueError):
            raise Http404 from None
        try:
            handle = document.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None
        audit_record(
            actor=self.actor,
            action="evidence.document.downloaded",
            target=document,
            pupil=document.pupil,
            data={"visibility": document.visibility},
        )
        response = FileResponse(
            handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        # Should a browser render it anyway, it runs nothing and reaches nothing.
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = "no-store, private"
        return response
