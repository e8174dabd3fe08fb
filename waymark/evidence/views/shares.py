"""Sharing a pupil with an outside specialist: the school's pages, accepting the link, and the specialist's pages.

- The school's pages (list, share, end) are for those who reach the pupil for
  ``Action.INVITE`` with their staff role (SENCO, deputy SENCO, head); everyone else gets
  a 404.
- Accepting is public: the emailed link alone opens it. Every link that cannot be used
  gets one "ask the school" page, and nothing on these pages names the pupil or the school.
- The specialist's pages open only for the specialist of a live share (``shared_get``):
  expired, ended early, waiting, or someone else's share is a 404. Every view is audited.
"""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.generic import FormView, TemplateView
from django_scopes import scope

from waymark.core.access import Action
from waymark.core.audit import audit_record
from waymark.core.views.base import ActorMixin, ScopedDetailView, ScopedFormView, form_error_from, public_view
from waymark.pupils.models import Pupil

from .. import share_selectors, shares
from ..models import Share
from ..share_forms import ShareAcceptForm, ShareAccountForm, ShareCreateForm, SharedReportForm, ShareEndForm

LOGIN_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


# ----- the school's pages -----


class ShareListView(ScopedDetailView):
    """The pupil's shares: who can see what, until when, on what basis; waiting, ended and expired ones too."""

    model = Pupil
    action = Action.INVITE
    template_name = "evidence/share_list.html"
    context_object_name = "pupil"

    def get_queryset(self):
        return super().get_queryset().select_related("school")

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # Who the record went to, and on what basis, is itself part of the pupil's record.
        audit_record(actor=self.actor, action="evidence.shares.listed", target=self.object, pupil=self.object)
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(shares=share_selectors.share_list(self.actor, self.object), **kwargs)


class ShareCreateView(ScopedFormView):
    """Share the pupil with one outside specialist by email."""

    model = Pupil
    action = Action.INVITE
    template_name = "evidence/share_form.html"
    form_class = ShareCreateForm

    def get_initial(self):
        return {"starts_on": self.actor.today, "access": ["plan"]}

    def get_context_data(self, **kwargs):
        return super().get_context_data(pupil=self.object, **kwargs)

    def form_valid(self, form):
        try:
            issued = shares.share_create(actor=self.actor, pupil=self.object, **form.service_arguments())
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("We have emailed a link to %(email)s. They can see what you shared once they accept it.")
            % {"email": issued.share.email},
        )
        return redirect("evidence:share-list", public_id=self.object.public_id)


class ShareEndView(ScopedFormView):
    """ "End now": a page that says what will happen, and the button."""

    model = Share
    action = Action.INVITE
    template_name = "evidence/share_end.html"
    form_class = ShareEndForm

    def get_queryset(self):
        return share_selectors.shares_managed_by(self.actor)

    def get_context_data(self, **kwargs):
        share = self.object
        return super().get_context_data(
            share=share, pupil=share.pupil, state=share_selectors.share_state(share, self.actor.today), **kwargs
        )

    def form_valid(self, form):
        try:
            share = shares.share_end(actor=self.actor, share=self.object)
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("The share with %(name)s has ended. They can no longer see anything about this pupil.")
            % {"name": share.display_name},
        )
        return redirect("evidence:share-list", public_id=share.pupil.public_id)


# ----- accepting -----


def _page(request, template, context=None, status=200):
    response = render(request, template, context or {}, status=status)
    # The page opens from a one-use link: no copy in the browser's cache or history.
    add_never_cache_headers(response)
    return response


def _cannot_use(request):
    """One page for every link that cannot be used: nothing about the pupil, the school or the person."""
    return _page(request, "evidence/share_invalid.html", status=404)


def _after_accepting(request, share):
    messages.success(request, _("You can now see what the school has shared with you."))
    if share.is_live(datetime.date.today()):
        return redirect("evidence:shared-detail", public_id=share.public_id)
    return redirect("core:home")


@public_view
@require_http_methods(["GET", "POST"])
def share_accept(request, token):
    """Accept a share with the emailed link, as the account with the address it was sent to.

    Signed in as that address: a button. Signed in as someone else: sign out first. Not
    signed in: sign in first if the address has an account, or create one here.
    """
    share = shares.share_for_token(token)
    if share is None:
        return _cannot_use(request)
    with scope(school=[share.pupil.school_id]):
        if request.user.is_authenticated:
            return _accept_signed_in(request, share)
        if shares.account_exists_for(share):
            login_url = f"{reverse('account_login')}?{urlencode({'next': request.path})}"
            return _page(request, "evidence/share_accept_sign_in.html", {"login_url": login_url})
        return _accept_with_new_account(request, share)


def _accept_signed_in(request, share):
    if not shares.is_invited_account(share, request.user):
        return _page(request, "evidence/share_accept_other_account.html", {"path": request.path})
    form = ShareAcceptForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            accepted = shares.share_accept(share=share, user=request.user)
        except (shares.ShareUnusable, shares.ShareWrongAccount):
            return _cannot_use(request)
        return _after_accepting(request, accepted)
    return _page(request, "evidence/share_accept.html", {"form": form, "share": share, "signed_in": True})


def _accept_with_new_account(request, share):
    form = ShareAccountForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            accepted = shares.share_accept(
                share=share, full_name=form.cleaned_data["full_name"], password=form.cleaned_data["password"]
            )
        except shares.ShareUnusable:
            return _cannot_use(request)
        except ValidationError as error:
            form_error_from(form, error)
        else:
            login(request, accepted.specialist, backend=LOGIN_BACKEND)
            return _after_accepting(request, accepted)
    return _page(request, "evidence/share_accept.html", {"form": form, "share": share, "signed_in": False})


# ----- the specialist's pages -----


class SharedShareMixin(ActorMixin):
    """Loads the actor's own live share from the URL, or 404."""

    def dispatch(self, request, *args, **kwargs):
        self.actor = getattr(request, "actor", None)
        if self.actor is None:
            raise Http404
        try:
            self.share = share_selectors.shared_get(self.actor, kwargs["public_id"])
        except (Share.DoesNotExist, ValidationError, ValueError):
            raise Http404 from None
        self.pupil = self.share.pupil
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.update(share=self.share, pupil=self.pupil, school=self.pupil.school)
        return super().get_context_data(**kwargs)


class SharedDetailView(SharedShareMixin, TemplateView):
    """What the school shared: the pupil, the plan in force and documents as the share allows."""

    template_name = "evidence/shared_detail.html"
    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    def get_context_data(self, **kwargs):
        page = share_selectors.shared_page(self.actor, self.share)
        audit_record(
            actor=self.actor,
            action="evidence.share.viewed",
            target=self.share,
            pupil=self.pupil,
            data={"plan": page["plan"] is not None, "documents": page["documents"] is not None},
        )
        return super().get_context_data(**page, **kwargs)


class SharedReportView(SharedShareMixin, FormView):
    """Add a report (a file, with any recommendations) when the share allows it."""

    template_name = "evidence/shared_report.html"
    form_class = SharedReportForm
    http_method_names = ["get", "post"]

    def get(self, request, *args, **kwargs):
        if not self.share.can_add_report:
            raise Http404
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not self.share.can_add_report:
            raise Http404
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            shares.share_report_add(
                actor=self.actor,
                share=self.share,
                upload=data["upload"],
                title=data["title"],
                written_on=data["written_on"],
                recommendations=data["recommendations"],
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Thank you. Your report has been added for the school's staff."))
        return redirect("evidence:shared-detail", public_id=self.share.public_id)
