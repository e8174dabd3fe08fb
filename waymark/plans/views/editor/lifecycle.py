"""Sharing a draft for agreement, publishing it, and closing the plan in force."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from waymark.core.access import Action
from waymark.core.services import is_stale
from waymark.core.views.base import ScopedFormView, form_error_from

from ... import selectors, services
from ...forms import (
    VersionActionForm,
)
from ...models import PlanVersion, Provision
from .common import VersionMixin, editor_url, rebound


class VersionActionView(VersionMixin, ScopedFormView):
    """Confirm a change of status. The lock version refuses a confirmation made on an old page."""

    action = Action.PUBLISH
    form_class = VersionActionForm
    allowed_statuses = ()
    checks_readiness = True

    def dispatch(self, request, *args, **kwargs):
        self.actor = getattr(request, "actor", None)
        if self.actor is None:
            raise Http404
        self.object = version = self.get_object()
        self.pupil = version.plan.pupil
        if version.status not in self.allowed_statuses:
            messages.info(request, self.wrong_status_message())
            return redirect("plans:plan-detail", public_id=self.pupil.public_id)
        ready = self.checks_readiness and version.is_draft
        self.problems = services.publish_problems(version, today=self.actor.today) if ready else []
        self.unedited = services.unedited_bank_items(version) if ready else []
        return super(ScopedFormView, self).dispatch(request, *args, **kwargs)

    def get_form_kwargs(self, offer_accept=None):
        if offer_accept is None:
            offer_accept = bool(self.unedited)
        return {**super().get_form_kwargs(), "pupil_name": self.pupil.forename, "offer_accept": offer_accept}

    def get_initial(self):
        return {"lock_version": self.object.lock_version}

    def get_context_data(self, **kwargs):
        # The warning counts every unedited entry, but only lists those this person may read.
        levels = selectors.visible_levels(self.actor)
        unedited = [
            {
                "section": section,
                "item": item,
                "text": item.what if isinstance(item, Provision) else item.text,
                "url": reverse("plans:item-edit", kwargs={"section": section, "public_id": item.public_id}),
            }
            for section, item in self.unedited
            if item.visibility in levels
        ]
        return super().get_context_data(
            unedited_count=len(self.unedited),
            version=self.object,
            pupil=self.pupil,
            problems=self.problems,
            unedited=unedited,
            editor_url=editor_url(self.object) if self.object.is_draft else "",
            **kwargs,
        )

    def form_valid(self, form):
        try:
            self.perform(form)
        except services.UneditedBankText as error:
            form = self.form_class(**self.get_form_kwargs(offer_accept=True))
            form.is_valid()
            form_error_from(form, error)
            return self.form_invalid(form)
        except ValidationError as error:
            if is_stale(error):
                fresh = PlanVersion.objects.get(pk=self.object.pk)
                form = rebound(
                    self.form_class,
                    self.request.POST,
                    "lock_version",
                    fresh.lock_version,
                    pupil_name=self.pupil.forename,
                    offer_accept=bool(self.unedited),
                )
                form.add_error(
                    None,
                    _("Someone else changed this plan after you opened this page. Check it, then try again."),
                )
                return self.form_invalid(form)
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message())
        return redirect("plans:plan-detail", public_id=self.pupil.public_id)


class VersionShareView(VersionActionView):
    template_name = "plans/version_share.html"
    allowed_statuses = (PlanVersion.Status.DRAFT,)

    def wrong_status_message(self):
        return _("Only a draft can be shared for agreement.")

    def perform(self, form):
        services.plan_share(
            actor=self.actor,
            version=self.object,
            expected_version=form.cleaned_data["lock_version"],
            accept_unedited=form.cleaned_data.get("accept_unedited", False),
        )

    def success_message(self):
        return _("Version %(number)d has been shared for agreement.") % {"number": self.object.number}


class VersionPublishView(VersionActionView):
    template_name = "plans/version_publish.html"
    allowed_statuses = (PlanVersion.Status.DRAFT, PlanVersion.Status.SHARED)

    def wrong_status_message(self):
        return _("Only a draft or a version shared for agreement can be published.")

    def perform(self, form):
        services.plan_publish(
            actor=self.actor,
            version=self.object,
            expected_version=form.cleaned_data["lock_version"],
            accept_unedited=form.cleaned_data.get("accept_unedited", False),
        )

    def success_message(self):
        return _("Version %(number)d is now the plan in force.") % {"number": self.object.number}


class VersionCloseView(VersionActionView):
    template_name = "plans/version_close.html"
    allowed_statuses = (PlanVersion.Status.ACTIVE,)
    checks_readiness = False

    def wrong_status_message(self):
        return _("Only the plan in force can be closed.")

    def perform(self, form):
        services.plan_close(actor=self.actor, version=self.object, expected_version=form.cleaned_data["lock_version"])

    def success_message(self):
        return _("The plan has been closed. It stays in the pupil's history.")
