"""Reading plans: a pupil's plan, one version, two versions compared, and the PDF and Word files.

Every page starts from the selectors: leaders see every version, teachers and TAs only
the plan in force for pupils they work with now, and nobody sees a part above their
level (``selectors.visible_levels``). Forbidden looks like missing. Each view of a
version, each comparison and each download is an audit event.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from waymark.core.access import Action, Reach
from waymark.core.audit import audit_record
from waymark.core.views.base import ScopedDetailView, ScopedObjectMixin
from waymark.pupils.models import Pupil

from .. import selectors, services
from ..compare import compare_documents
from ..documents import DOCX_TYPE, PDF_TYPE, filename, present, version_docx, version_pdf
from ..family_selectors import family_document, version_responses
from ..models import PlanVersion
from ..reading import readers_of
from ..review_selectors import review_panel
from ..snapshot import content_for, prefetch_for_snapshot, visible_content

STATUS_TAGS = {
    PlanVersion.Status.DRAFT: "govuk-tag--grey",
    PlanVersion.Status.SHARED: "govuk-tag--blue",
    PlanVersion.Status.ACTIVE: "govuk-tag--green",
    PlanVersion.Status.SUPERSEDED: "govuk-tag--yellow",
    PlanVersion.Status.CLOSED: "govuk-tag--grey",
}


def _local_date(moment):
    return date_format(timezone.localtime(moment), "j F Y") if moment else ""


def _tagged(versions):
    for version in versions:
        version.tag_class = STATUS_TAGS.get(version.status, "govuk-tag--grey")
    return versions


def version_for(actor, public_id):
    """One version ``actor`` may open, ready to show; ``Http404`` otherwise.

    A frozen version is shown from its snapshot, so it needs no rows; a draft is built
    live, so its rows come prefetched, in a fixed number of queries.
    """
    versions = selectors.version_list(actor).select_related(
        "plan__pupil__school", "template", "owner", "created_by", "frozen_by", "published_by"
    )
    try:
        version = versions.get(public_id=public_id)
        if version.is_draft:
            version = prefetch_for_snapshot(versions).get(pk=version.pk)
    except (PlanVersion.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None
    return version


def document_for(actor, version):
    """The version's content as ``actor`` may read it, ready to show or print."""
    return present(visible_content(content_for(version), selectors.visible_levels(actor)))


def version_label(version):
    """ "Version 3 – active, published 4 March 2027", for the comparison's choices."""
    if version.published_at:
        when = _("published %(date)s") % {"date": _local_date(version.published_at)}
    elif version.frozen_at:
        when = _("shared %(date)s") % {"date": _local_date(version.frozen_at)}
    else:
        when = _("started %(date)s") % {"date": _local_date(version.created_at)}
    return _("Version %(number)d – %(status)s, %(when)s") % {
        "number": version.number,
        "status": version.get_status_display().lower(),
        "when": when,
    }


class VersionCompareForm(forms.Form):
    """Two of the versions the reader may see."""

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(version.public_id), version_label(version)) for version in versions]
        errors = {"invalid_choice": gettext_lazy("Select a version from the list")}
        self.fields["from"] = forms.ChoiceField(
            label=gettext_lazy("Compare"),
            choices=choices,
            error_messages={"required": gettext_lazy("Select the version to compare from"), **errors},
        )
        self.fields["to"] = forms.ChoiceField(
            label=gettext_lazy("With"),
            choices=choices,
            error_messages={"required": gettext_lazy("Select the version to compare with"), **errors},
        )

    def clean(self):
        data = super().clean()
        if data.get("from") and data.get("from") == data.get("to"):
            raise ValidationError(_("Choose two different versions to compare."))
        return data


def compare_initial(versions):
    """The latest version against the one before it (``versions`` newest first)."""
    if len(versions) < 2:
        return {}
    return {"from": str(versions[1].public_id), "to": str(versions[0].public_id)}


class PlanDetailView(ScopedDetailView):
    """A pupil's plan for staff: the version in force in full, every version they may see, and who has read it."""

    model = Pupil
    template_name = "plans/plan_detail.html"
    context_object_name = "pupil"

    def get_queryset(self):
        return super().get_queryset().select_related("school")

    def get_context_data(self, **kwargs):
        actor, pupil = self.actor, self.object
        versions = _tagged(list(selectors.pupil_versions(actor, pupil)))
        in_force = next((v for v in versions if v.status == PlanVersion.Status.ACTIVE), None)
        draft = next((v for v in versions if v.is_draft), None)
        can_edit = selectors.can_edit_plans(actor, pupil)
        document, readers, my_reading = None, [], None
        if in_force is not None:
            document = document_for(actor, in_force)
            readers = readers_of(in_force, actor.today)
            my_reading = next((reader for reader in readers if reader.user.pk == actor.user.pk), None)
            audit_record(actor=actor, action="plans.version.viewed", target=in_force, pupil=pupil)
        return super().get_context_data(
            versions=versions,
            in_force=in_force,
            draft=draft,
            document=document,
            can_edit=can_edit,
            # Only the SENCO and deputies chase who has not read it; everyone else sees their own state.
            readers=readers if can_edit else [],
            my_reading=my_reading,
            compare_form=VersionCompareForm(versions=versions, initial=compare_initial(versions))
            if len(versions) > 1
            else None,
            reviews=review_panel(actor, pupil, in_force),
            **kwargs,
        )


class VersionDetailView(ScopedDetailView):
    """One version: a draft as it stands, a frozen one exactly as it was shared or published."""

    model = PlanVersion
    template_name = "plans/version_detail.html"
    context_object_name = "version"

    def get_object(self, queryset=None):
        return version_for(self.actor, self.kwargs["public_id"])

    def get_context_data(self, **kwargs):
        actor, version = self.actor, self.object
        pupil = version.plan.pupil
        audit_record(actor=actor, action="plans.version.viewed", target=version, pupil=pupil)
        version.tag_class = STATUS_TAGS.get(version.status, "govuk-tag--grey")
        return super().get_context_data(
            pupil=pupil,
            document=document_for(actor, version),
            can_edit=version.is_draft and selectors.can_edit_plans(actor, pupil),
            # Parents' agreement and disagreement stay visible on the version they answered.
            responses=version_responses(actor, version),
            can_reply=actor.reach(Action.REVIEW) == Reach.ALL,
            **kwargs,
        )


class VersionCompareView(ScopedDetailView):
    """Two versions of one pupil's plan, section by section, with the changes marked."""

    model = Pupil
    template_name = "plans/version_compare.html"
    context_object_name = "pupil"

    def get_context_data(self, **kwargs):
        actor, pupil = self.actor, self.object
        versions = _tagged(list(selectors.pupil_versions(actor, pupil)))
        data = self.request.GET if ("from" in self.request.GET or "to" in self.request.GET) else None
        if data is None and len(versions) > 1:
            data = compare_initial(versions)
        form = VersionCompareForm(data, versions=versions)
        context = {"form": form, "versions": versions}
        if len(versions) > 1 and form.is_valid():
            by_id = {str(v.public_id): v for v in versions}
            old, new = by_id[form.cleaned_data["from"]], by_id[form.cleaned_data["to"]]
            drafts = [v.pk for v in (old, new) if v.is_draft]
            if drafts:
                # A draft is compared as it stands, built from its rows.
                live = {v.pk: v for v in prefetch_for_snapshot(selectors.version_list(actor).filter(pk__in=drafts))}
                old, new = live.get(old.pk, old), live.get(new.pk, new)
            old.tag_class, new.tag_class = STATUS_TAGS[old.status], STATUS_TAGS[new.status]
            changes = compare_documents(document_for(actor, old), document_for(actor, new))
            audit_record(
                actor=actor,
                action="plans.version.compared",
                target=new,
                pupil=pupil,
                data={"from": str(old.public_id), "to": str(new.public_id)},
            )
            context.update(old=old, new=new, changes=changes, changed=any(c.changed for c in changes))
        return super().get_context_data(**context, **kwargs)


class VersionDownloadView(ScopedDetailView):
    """A version as a file, drawn from the same content as its page. Every download is audited."""

    model = PlanVersion
    file_format = None

    def get_object(self, queryset=None):
        return version_for(self.actor, self.kwargs["public_id"])

    def build(self, version, document):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        version = self.get_object()
        document = document_for(self.actor, version)
        body, content_type, extension = self.build(version, document)
        audit_record(
            actor=self.actor,
            action="plans.version.downloaded",
            target=version,
            pupil=version.plan.pupil,
            data={"format": self.file_format},
        )
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename(version, extension)}"'
        # A child's plan must not linger in shared caches or the browser's.
        response["Cache-Control"] = "no-store, private"
        return response


class VersionPdfView(VersionDownloadView):
    file_format = "pdf"

    def build(self, version, document):
        return version_pdf(version, document), PDF_TYPE, "pdf"


class VersionParentCopyView(VersionDownloadView):
    """The parents' plain-language copy of a shared or published version, for staff to print.

    When a parent asks for a paper copy, staff must not hand over their own PDF: it holds
    staff-only and restricted parts and any views the pupil asked to keep from their parents.
    """

    file_format = "pdf (parents' copy)"

    def get_object(self, queryset=None):
        version = super().get_object(queryset)
        if not version.is_frozen:
            raise Http404  # parents only ever see what was shared or published
        return version

    def build(self, version, document):
        parents_copy = family_document(version, version.plan.pupil)
        return version_pdf(version, parents_copy, for_parent=True), PDF_TYPE, "pdf"


class VersionDocxView(VersionDownloadView):
    file_format = "docx"

    def build(self, version, document):
        return version_docx(version, document), DOCX_TYPE, "docx"


class VersionReadView(ScopedObjectMixin, View):
    """ "I have read this plan": a member of staff confirms they have read the plan in force."""

    model = PlanVersion
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        version = version_for(self.actor, self.kwargs["public_id"])
        try:
            services.plan_read_confirm(actor=self.actor, version=version)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Thank you. You have confirmed that you have read this plan."))
        return redirect("plans:plan-detail", public_id=version.plan.pupil.public_id)


urlpatterns = [
    path("pupil/<uuid:public_id>/", PlanDetailView.as_view(), name="plan-detail"),
    path("pupil/<uuid:public_id>/compare/", VersionCompareView.as_view(), name="version-compare"),
    path("versions/<uuid:public_id>/", VersionDetailView.as_view(), name="version-detail"),
    path("versions/<uuid:public_id>/pdf/", VersionPdfView.as_view(), name="version-pdf"),
    path("versions/<uuid:public_id>/docx/", VersionDocxView.as_view(), name="version-docx"),
    path("versions/<uuid:public_id>/parents-copy/", VersionParentCopyView.as_view(), name="version-parent-pdf"),
    path("versions/<uuid:public_id>/read/", VersionReadView.as_view(), name="version-read"),
]
