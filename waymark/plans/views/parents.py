"""Staff pages about parents' words: what each parent said, recording it for them, replying.

For staff who review the pupil's plan (``Action.REVIEW``: the SENCO and deputy). Nothing
is recorded for a restricted or suspended link; what a parent gave at a meeting, on
paper or by phone is marked as recorded on their behalf.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from waymark.core.access import Action
from waymark.core.views.base import ScopedDetailView, ScopedFormView, ScopedObjectMixin, form_error_from
from waymark.pupils.models import ParentLink, Pupil

from .. import family, family_selectors
from ..family_forms import RecordResponseForm, RecordViewsForm, ReplyForm, SharingForm
from ..models import AgreementResponse, ParentContribution, ParentRequest

STAFF_CHANGED_MESSAGE = gettext_lazy(
    "The plan shared for agreement has changed since you opened this page, so nothing has been saved. "
    "Check which version the parent is responding to, then record it again."
)


def _activity(pupil):
    return redirect("plans:parent-activity", public_id=pupil.public_id)


class ParentActivityView(ScopedDetailView):
    """Each parent or carer of a pupil: contact needs, views, responses and open requests.

    Opening the page marks new views as seen.
    """

    model = Pupil
    action = Action.REVIEW
    template_name = "plans/parent_activity.html"
    context_object_name = "pupil"

    def get_queryset(self):
        return super().get_queryset().select_related("school")

    def get_context_data(self, **kwargs):
        actor, pupil = self.actor, self.object
        activity = family_selectors.parent_activity(actor, pupil)
        # Read before marking, so the page can still say which views are new.
        family.contribution_mark_seen(actor=actor, pupil=pupil)
        return super().get_context_data(
            **activity,
            can_see_reasons=actor.can_see_restricted(),
            **kwargs,
        )


class ParentLinkFormMixin:
    """A form about one parent link of a pupil the actor reviews; refused for a link that is not active."""

    model = ParentLink
    action = Action.REVIEW

    def get_queryset(self):
        return ParentLink.objects.restrict(self.actor, Action.REVIEW, audience="staff").select_related(
            "pupil__school", "user"
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(link=self.object, pupil=self.object.pupil, **kwargs)


class ParentViewsRecordView(ParentLinkFormMixin, ScopedFormView):
    """Record views a parent gave at a meeting, on paper or by phone."""

    template_name = "plans/parent_views_record.html"
    form_class = RecordViewsForm

    def form_valid(self, form):
        try:
            family.contribution_record(actor=self.actor, link=self.object, **form.cleaned_data)
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, _("%(name)s's views have been recorded on their behalf.") % {"name": self.object.full_name}
        )
        return _activity(self.object.pupil)


class ParentResponseRecordView(ParentLinkFormMixin, ScopedFormView):
    """Record a parent's agreement or disagreement with the version shared for agreement now."""

    template_name = "plans/parent_response_record.html"
    form_class = RecordResponseForm

    @cached_property
    def shared(self):
        """The version shared for agreement now, if any: responses are recorded against it alone."""
        return family_selectors.current_shared_version(self.object.pupil)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "parent_name": self.object.full_name}

    def get_initial(self):
        return {"version": self.shared.public_id} if self.shared else {}

    def get_context_data(self, **kwargs):
        earlier = (
            AgreementResponse.objects.filter(version=self.shared, link=self.object).first() if self.shared else None
        )
        return super().get_context_data(shared=self.shared, earlier=earlier, **kwargs)

    def form_valid(self, form):
        if self.shared is None or form.cleaned_data["version"] != self.shared.public_id:
            form.add_error(None, STAFF_CHANGED_MESSAGE)
            return self.form_invalid(form)
        try:
            family.response_record(
                actor=self.actor,
                link=self.object,
                version=self.shared,
                given_via=form.cleaned_data["given_via"],
                agrees=form.agrees_value,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            if getattr(error, "code", None) == "changed":
                form.add_error(None, STAFF_CHANGED_MESSAGE)
            else:
                form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(name)s's response has been recorded on their behalf.") % {"name": self.object.full_name},
        )
        return _activity(self.object.pupil)


class ResponseReplyView(ScopedFormView):
    """The SENCO replies to a parent's response; the parent sees the reply on their page."""

    model = AgreementResponse
    action = Action.REVIEW
    template_name = "plans/parent_response_reply.html"
    form_class = ReplyForm

    def get_queryset(self):
        return AgreementResponse.objects.restrict(self.actor, Action.REVIEW, audience="staff").select_related(
            "link__pupil__school", "version", "recorded_by", "replied_by"
        )

    def get_context_data(self, **kwargs):
        response = self.object
        return super().get_context_data(response=response, pupil=response.link.pupil, **kwargs)

    def form_valid(self, form):
        try:
            family.response_reply(actor=self.actor, response=self.object, reply=form.cleaned_data["reply"])
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Your reply has been sent. The parent or carer will see it on their page."))
        return _activity(self.object.link.pupil)


class PostOnlyScopedView(ScopedObjectMixin, View):
    """A button on the parents page: load the object the actor may act on, act, and go back."""

    action = Action.REVIEW
    audience = "staff"
    http_method_names = ["post"]

    def get_queryset(self):
        return super().get_queryset().select_related("link__pupil__school")

    def post(self, request, *args, **kwargs):
        target = self.get_object()
        try:
            message = self.perform(target)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, message)
        return _activity(target.link.pupil)


class ContributionSharingView(PostOnlyScopedView):
    """Show or hide one parent's views to the child's other parents and carers."""

    model = ParentContribution

    def perform(self, contribution):
        form = SharingForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose whether to show these views to the family."))
        shared = form.cleaned_data["shared"]
        family.contribution_sharing_change(actor=self.actor, contribution=contribution, shared=shared)
        if shared:
            return _("%(name)s's views are now shown to the child's other parents and carers.") % {
                "name": contribution.link.full_name
            }
        return _("%(name)s's views are now hidden from the child's other parents and carers.") % {
            "name": contribution.link.full_name
        }


class RequestResolveView(PostOnlyScopedView):
    """Mark a parent's request for a meeting or a paper copy as dealt with."""

    model = ParentRequest

    def perform(self, parent_request):
        family.request_resolve(actor=self.actor, request=parent_request)
        return _("%(name)s's request has been marked as dealt with.") % {"name": parent_request.link.full_name}


urlpatterns = [
    path("<uuid:public_id>/parents/", ParentActivityView.as_view(), name="parent-activity"),
    path("parents/<uuid:public_id>/views/record/", ParentViewsRecordView.as_view(), name="parent-views-record"),
    path("parents/<uuid:public_id>/respond/", ParentResponseRecordView.as_view(), name="parent-response-record"),
    path("responses/<uuid:public_id>/reply/", ResponseReplyView.as_view(), name="response-reply"),
    path("contributions/<uuid:public_id>/sharing/", ContributionSharingView.as_view(), name="contribution-sharing"),
    path("requests/<uuid:public_id>/resolve/", RequestResolveView.as_view(), name="request-resolve"),
]
