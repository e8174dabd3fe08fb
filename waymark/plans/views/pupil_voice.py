"""The pupil's views, in their own words: starting the locked mode, the child's form, its end.

Only those who edit the plan start it, from the draft's about-me section. From then on the
browser session is locked on the form (``plans.pupil_voice_lock``): these views and static
files are all it can reach, and it ends by itself, signing the adult out.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_GET

from waymark.core.access import Action
from waymark.core.views.base import ActorMixin, ScopedFormView, ScopedObjectMixin, form_error_from, public_view

from .. import selectors
from ..models import PupilVoice
from ..pupil_voice import (
    answers_from,
    default_style,
    may_judge_visibility,
    pupil_voice_save,
    pupil_voice_start,
    pupil_voice_visibility_set,
)
from ..pupil_voice_forms import PupilVoiceForm, PupilVoiceStartForm, PupilVoiceVisibilityForm
from ..pupil_voice_lock import (
    OUTCOME_ENDED,
    OUTCOME_GIVEN,
    OUTCOME_NOT_SAVED,
    current_lock,
    end_session,
    ended_url,
    idle_seconds,
    lock_session,
)
from .editor.common import VersionMixin, editor_url, frozen_response

# Warn this long before the form closes by itself (never more than half the idle time).
WARNING_SECONDS = 2 * 60


class PupilVoiceStartView(VersionMixin, ScopedFormView):
    """Confirm, choose younger or older, and hand the device over: POST locks the session."""

    action = Action.EDIT
    template_name = "plans/pupil_voice_start.html"
    form_class = PupilVoiceStartForm

    def dispatch(self, request, *args, **kwargs):
        self.actor = getattr(request, "actor", None)
        if self.actor is None:
            raise Http404
        self.object = self.get_object()
        if not self.object.is_draft:
            return frozen_response(request, self.object)
        self.pupil = self.object.plan.pupil
        return super(ScopedFormView, self).dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"style": default_style(self.pupil)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            version=self.object,
            pupil=self.pupil,
            idle_minutes=idle_seconds() // 60,
            back_url=editor_url(self.object, "section-about_me"),
            **kwargs,
        )

    def form_valid(self, form):
        style = form.cleaned_data["style"]
        try:
            pupil_voice_start(actor=self.actor, version=self.object, style=style)
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        lock_session(self.request, version=self.object, style=style)
        response = redirect("plans:pupil-voice-form")
        # Pages the adult opened before may sit in the browser's memory (the back/forward
        # cache keeps some even when told not to store them): empty it before the child has the device.
        response["Clear-Site-Data"] = '"cache"'
        return response


class PupilVoiceFormView(ActorMixin, View):
    """The child's form. Reached only in locked mode; it shows the pupil's first name and nothing else of theirs."""

    http_method_names = ["get", "post"]
    template_name = "plans/pupil_voice_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.actor = getattr(request, "actor", None)
        self.lock = current_lock(request)
        if self.actor is None or self.lock is None:
            raise Http404
        # Checked again on every request: the adult must still edit this pupil's plan, and it
        # must still be a draft.
        self.version = (
            selectors.version_list(self.actor, action=Action.EDIT)
            .select_related("plan__pupil")
            .filter(pk=self.lock["version"])
            .first()
        )
        if self.version is None or not self.version.is_draft:
            # Shared or published by someone else meanwhile, or out of the adult's reach: nothing
            # can be saved, so the child is told to tell the adult (see plans/pupil_voice.py).
            reason = "plan_not_available" if self.version is None else "plan_no_longer_draft"
            end_session(request, reason=reason)
            return redirect(ended_url(OUTCOME_NOT_SAVED))
        self.style = self.lock["style"]
        return super().dispatch(request, *args, **kwargs)

    def page(self, form):
        context = {
            "form": form,
            "name": self.version.plan.pupil.forename,
            "younger": self.style == PupilVoice.Style.YOUNGER,
            "idle_seconds": idle_seconds(),
            "warning_seconds": min(WARNING_SECONDS, idle_seconds() // 2),
            "ended_url": ended_url(OUTCOME_ENDED),
        }
        response = render(self.request, self.template_name, context)
        # A child's answers must not be kept by the browser or anything between.
        response["Cache-Control"] = "no-store, private"
        return response

    def get(self, request, *args, **kwargs):
        return self.page(PupilVoiceForm(style=self.style))

    def post(self, request, *args, **kwargs):
        choice = request.POST.get("action", "send")
        form = PupilVoiceForm(request.POST, style=self.style)
        if choice == "stop":
            end_session(request, reason="stopped")
            return redirect(ended_url(OUTCOME_ENDED))
        if choice == "more_time":
            # The middleware has already started the idle time again; keep what was typed.
            return self.page(form)
        if not form.is_valid():
            return self.page(form)
        answers = answers_from(self.style, form.cleaned_data)
        try:
            pupil_voice_save(actor=self.actor, version=self.version, style=self.style, answers=answers)
        except PermissionDenied:
            end_session(request, reason="plan_not_available")
            return redirect(ended_url(OUTCOME_NOT_SAVED))
        except ValidationError as error:
            if getattr(error, "code", None) == "frozen":
                # Frozen between the check above and the save: the same end, nothing saved.
                end_session(request, reason="plan_no_longer_draft")
                return redirect(ended_url(OUTCOME_NOT_SAVED))
            form_error_from(form, error)
            return self.page(form)
        end_session(request)
        return redirect(ended_url(OUTCOME_GIVEN))


@public_view
@require_GET
def pupil_voice_ended(request):
    """The page a locked session ends on. Public, and says nothing about the pupil."""
    outcome = request.GET.get("outcome", "")
    context = {"given": outcome == OUTCOME_GIVEN, "not_saved": outcome == OUTCOME_NOT_SAVED}
    response = render(request, "plans/pupil_voice_ended.html", context)
    response["Cache-Control"] = "no-store, private"
    return response


class PupilVoiceVisibilityView(ScopedObjectMixin, View):
    """The SENCO keeps an older pupil's views from their parents, or shows them again. POST only."""

    model = PupilVoice
    action = Action.VIEW
    audience = "staff"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        voice = self.get_object(self.get_queryset().select_related("version__plan__pupil"))
        version = voice.version
        if not may_judge_visibility(self.actor, version.plan.pupil):
            raise Http404
        if voice.visibility not in selectors.visible_levels(self.actor):
            raise Http404
        if not version.is_draft:
            return frozen_response(request, version)
        form = PupilVoiceVisibilityForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose whether parents can see these views."))
            return redirect(editor_url(version, "section-about_me"))
        hidden = form.cleaned_data["hidden_from_parents"]
        try:
            pupil_voice_visibility_set(
                actor=self.actor,
                voice=voice,
                hidden_from_parents=hidden,
                expected_version=form.cleaned_data["lock_version"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            name = version.plan.pupil.forename
            if hidden:
                messages.success(request, _("%(name)s’s views are now kept from their parents.") % {"name": name})
            else:
                messages.success(request, _("%(name)s’s views can now be seen by their parents.") % {"name": name})
        return redirect(editor_url(version, "section-about_me"))


urlpatterns = [
    path("versions/<uuid:public_id>/pupil-voice/start/", PupilVoiceStartView.as_view(), name="pupil-voice-start"),
    path("pupil-voice/", PupilVoiceFormView.as_view(), name="pupil-voice-form"),
    path("pupil-voice/ended/", pupil_voice_ended, name="pupil-voice-ended"),
    path(
        "pupil-voices/<uuid:public_id>/visibility/",
        PupilVoiceVisibilityView.as_view(),
        name="pupil-voice-visibility",
    ),
]
