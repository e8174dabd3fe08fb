"""Parents' pages: their child's plan in plain words, reviews, their views, agreement and requests.

Every page starts from the actor's own ACTIVE link to the child (``family_selectors``):
anyone else, a restricted or suspended parent included, gets a 404. Parents read frozen
versions only, and only what everyone may see.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from waymark.core.audit import audit_record
from waymark.core.views.base import ActorMixin, form_error_from
from waymark.pupils.models import ParentLink

from .. import family, family_selectors
from ..documents import PDF_TYPE, filename, version_pdf
from ..family_forms import RequestForm, ResponseForm, ViewsForm
from ..models import AgreementResponse, ParentRequest, PlanVersion, Review


def _missing_unless(loader, *args):
    try:
        return loader(*args)
    except (ParentLink.DoesNotExist, PlanVersion.DoesNotExist, Review.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None


class FamilyChildMixin(ActorMixin):
    """Loads the actor's own active link to the child in the URL (the PUPIL's public id), or 404."""

    def dispatch(self, request, *args, **kwargs):
        self.actor = getattr(request, "actor", None)
        if self.actor is None:
            raise Http404
        self.link = _missing_unless(family_selectors.family_link_get, self.actor, kwargs["public_id"])
        self.pupil = self.link.pupil
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.update(link=self.link, pupil=self.pupil, school=self.pupil.school)
        return super().get_context_data(**kwargs)


class FamilyVersionMixin(ActorMixin):
    """Loads a frozen version of one of the actor's own children, and their link, or 404."""

    def dispatch(self, request, *args, **kwargs):
        self.actor = getattr(request, "actor", None)
        if self.actor is None:
            raise Http404
        self.version, self.link = _missing_unless(family_selectors.family_version_get, self.actor, kwargs["public_id"])
        self.pupil = self.version.plan.pupil
        return super().dispatch(request, *args, **kwargs)

    def own_response(self):
        return (
            AgreementResponse.objects.filter(version=self.version, link=self.link).select_related("replied_by").first()
        )


class FamilyChildView(FamilyChildMixin, TemplateView):
    """The child's page: the plan in force, a plan waiting for agreement, reviews, views and requests."""

    template_name = "plans/family_child.html"
    http_method_names = ["get", "head"]

    def get_context_data(self, **kwargs):
        return super().get_context_data(**family_selectors.family_child_page(self.actor, self.link), **kwargs)


class FamilyVersionView(FamilyVersionMixin, TemplateView):
    """One frozen version in the parents' plain-language layout."""

    template_name = "plans/family_version.html"
    http_method_names = ["get", "head"]

    def get_context_data(self, **kwargs):
        audit_record(actor=self.actor, action="plans.plan.viewed_by_parent", target=self.version, pupil=self.pupil)
        response = self.own_response()
        return super().get_context_data(
            version=self.version,
            pupil=self.pupil,
            school=self.pupil.school,
            link=self.link,
            plan=family_selectors.family_document(self.version, self.pupil),
            response=response,
            can_respond=self.version.status == PlanVersion.Status.SHARED and response is None,
            **kwargs,
        )


class FamilyVersionPdfView(FamilyVersionMixin, View):
    """The same plain-language content as a PDF. Every download is audited."""

    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        document = family_selectors.family_document(self.version, self.pupil)
        body = version_pdf(self.version, document, for_parent=True)
        audit_record(
            actor=self.actor,
            action="plans.version.downloaded",
            target=self.version,
            pupil=self.pupil,
            data={"format": "pdf", "for": "parent"},
        )
        response = HttpResponse(body, content_type=PDF_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename(self.version, "pdf")}"'
        # A child's plan must not linger in shared caches or the browser's.
        response["Cache-Control"] = "no-store, private"
        return response


class FamilyReviewView(ActorMixin, TemplateView):
    """A completed review as a parent may read it."""

    template_name = "plans/family_review.html"
    http_method_names = ["get", "head"]

    def get_context_data(self, **kwargs):
        review, link = _missing_unless(family_selectors.family_review_get, self.actor, self.kwargs["public_id"])
        pupil = review.plan.pupil
        audit_record(actor=self.actor, action="plans.review.viewed", target=review, pupil=pupil)
        return super().get_context_data(
            summary=family_selectors.review_summary_for_parent(review, link),
            pupil=pupil,
            school=pupil.school,
            link=link,
            **kwargs,
        )


class FamilyViewsAddView(FamilyChildMixin, FormView):
    """ "Add your views before the next review"."""

    template_name = "plans/family_views_add.html"
    form_class = ViewsForm
    http_method_names = ["get", "post"]

    def get_context_data(self, **kwargs):
        versions = family_selectors.family_versions(self.actor, self.link).filter(status=PlanVersion.Status.ACTIVE)
        in_force = versions.only("next_review_on").first()
        return super().get_context_data(
            next_review_on=in_force.next_review_on if in_force else None,
            has_plan=family_selectors.family_has_plan(self.link),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            family.contribution_add(actor=self.actor, link=self.link, **form.cleaned_data)
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Thank you. Your views have been sent to the school."))
        return redirect("plans:family-child", public_id=self.pupil.public_id)


class FamilyRespondView(FamilyVersionMixin, FormView):
    """ "Tell us if you agree" with the version shared for agreement; afterwards, what is on record."""

    template_name = "plans/family_respond.html"
    form_class = ResponseForm
    http_method_names = ["get", "post"]

    def get_initial(self):
        return {"version": self.version.public_id}

    def get_context_data(self, **kwargs):
        response = self.own_response()
        return super().get_context_data(
            version=self.version,
            pupil=self.pupil,
            school=self.pupil.school,
            link=self.link,
            response=response,
            waiting=self.version.status == PlanVersion.Status.SHARED and response is None,
            **kwargs,
        )

    def form_valid(self, form):
        if form.cleaned_data["version"] != self.version.public_id:
            # The form was opened on another version than this address names.
            form.add_error(None, family.CHANGED_MESSAGE)
            return self.form_invalid(form)
        try:
            response = family.response_give(
                actor=self.actor,
                link=self.link,
                version=self.version,
                agrees=form.agrees_value,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        if response.agrees:
            messages.success(self.request, _("Thank you. We have recorded that you agree with the plan."))
        else:
            messages.success(
                self.request, _("Thank you. We have recorded that you do not agree with the plan, and why.")
            )
        return redirect("plans:family-respond", public_id=self.version.public_id)


class FamilyRequestView(FamilyChildMixin, FormView):
    """Ask for a meeting or a paper copy of the plan."""

    template_name = "plans/family_request.html"
    form_class = RequestForm
    http_method_names = ["get", "post"]

    def get_initial(self):
        # "Ask for a meeting" and "Ask for a paper copy" links arrive with the choice made.
        kind = self.request.GET.get("kind")
        return {"kind": kind} if kind in ParentRequest.Kind.values else {}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            has_plan=family_selectors.family_has_plan(self.link),
            open_requests=family_selectors.family_open_requests(self.link),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            family.request_make(actor=self.actor, link=self.link, **form.cleaned_data)
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Thank you. The school has your request and will be in touch."))
        return redirect("plans:family-child", public_id=self.pupil.public_id)


urlpatterns = [
    path("family/<uuid:public_id>/", FamilyChildView.as_view(), name="family-child"),
    path("family/<uuid:public_id>/views/", FamilyViewsAddView.as_view(), name="family-views-add"),
    path("family/<uuid:public_id>/request/", FamilyRequestView.as_view(), name="family-request"),
    path("family/versions/<uuid:public_id>/", FamilyVersionView.as_view(), name="family-version"),
    path("family/versions/<uuid:public_id>/pdf/", FamilyVersionPdfView.as_view(), name="family-version-pdf"),
    path("family/versions/<uuid:public_id>/respond/", FamilyRespondView.as_view(), name="family-respond"),
    path("family/reviews/<uuid:public_id>/", FamilyReviewView.as_view(), name="family-review"),
]
