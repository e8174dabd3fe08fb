"""Parents and carers: their contact records, inviting them, and accepting an invitation.

Codes exist in the clear only once: the invite views put them in the session, and the
letters page takes them out on its first view (POST-redirect-GET), so a reload or the
back button shows no code.
"""

import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods
from django.views.generic import View
from django_scopes import scope

from waymark.core.access import REGISTER_REACHES, Action
from waymark.core.views.base import (
    CapabilityFormView,
    CapabilityTemplateView,
    ScopedFormView,
    ScopedObjectMixin,
    form_error_from,
    public_view,
)

from . import invitations, services
from .family_forms import (
    InvitationAccountForm,
    InvitationCodeForm,
    InviteFilterForm,
    ParentContactEditForm,
    ParentContactForm,
    ParentInviteForm,
    ParentInviteManyForm,
    contact_initial,
    invite_label,
)
from .models import ParentInvitation, ParentLink, Pupil
from .selectors import parent_invite_candidates

SESSION_CODES_KEY = "waymark_parent_invitation_codes"
LOGIN_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


def can_invite_parents(actor):
    return actor.school is not None and actor.reach(Action.INVITE) in REGISTER_REACHES


def _remember_codes(request, issued):
    """Keep the new codes for one view of the letters page; nothing else ever holds them."""
    request.session[SESSION_CODES_KEY] = [
        {"invitation": str(item.invitation.public_id), "code": item.code} for item in issued
    ]


# ----- contact records -----


class ParentContactCreateView(ScopedFormView):
    """Add a parent or carer's contact record to a pupil: the SENCO and deputies."""

    model = Pupil
    action = Action.EDIT
    template_name = "pupils/parent_contact_form.html"
    form_class = ParentContactForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(pupil=self.object, link=None, **kwargs)

    def form_valid(self, form):
        try:
            link = services.parent_contact_create(actor=self.actor, pupil=self.object, **form.contact_fields())
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(name)s has been added.") % {"name": link.full_name})
        return redirect("pupils:pupil-detail", public_id=self.object.public_id)


class ParentContactEditView(ScopedFormView):
    """Change a parent or carer's contact record. Status changes have their own page (SENCO and DSL)."""

    model = ParentLink
    action = Action.EDIT
    template_name = "pupils/parent_contact_form.html"
    form_class = ParentContactEditForm

    def get_queryset(self):
        return super().get_queryset().select_related("pupil", "user")

    def get_initial(self):
        return contact_initial(self.object)

    def get_context_data(self, **kwargs):
        return super().get_context_data(pupil=self.object.pupil, link=self.object, **kwargs)

    def form_valid(self, form):
        try:
            services.parent_contact_update(
                actor=self.actor,
                link=self.object,
                expected_version=form.cleaned_data["lock_version"],
                **form.contact_fields(),
            )
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Contact details saved."))
        return redirect("pupils:pupil-detail", public_id=self.object.pupil.public_id)


# ----- inviting -----


class ParentInviteView(ScopedFormView):
    """Invite one parent: what will happen, and the button. A parent who cannot be invited is told why."""

    model = ParentLink
    action = Action.INVITE
    template_name = "pupils/parent_invite.html"
    form_class = ParentInviteForm

    def get_queryset(self):
        return super().get_queryset().select_related("pupil__school", "user").prefetch_related("invitations")

    def get_context_data(self, **kwargs):
        link = self.object
        return super().get_context_data(
            link=link,
            pupil=link.pupil,
            problem=invitations.invite_problem(link),
            access=invitations.access_state(link),
            days=invitations.INVITATION_DAYS,
            **kwargs,
        )

    def form_valid(self, form):
        try:
            issued = invitations.parent_invite(actor=self.actor, link=self.object)
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        _remember_codes(self.request, [issued])
        messages.success(
            self.request,
            _("Invitation emailed to %(email)s. Print the letter with their code now: it is shown only once.")
            % {"email": issued.invitation.email},
        )
        return redirect("pupils:parent-invitation-letters")


class ParentInvitationWithdrawView(ScopedObjectMixin, View):
    """Stop a parent's open invitation, so its link and code no longer work."""

    model = ParentLink
    action = Action.INVITE
    http_method_names = ["post"]

    def get_queryset(self):
        return super().get_queryset().select_related("pupil").prefetch_related("invitations")

    def post(self, request, *args, **kwargs):
        link = self.get_object()
        pending = invitations.pending_invitation(link)
        if pending is None:
            messages.info(request, _("%(name)s has no invitation to withdraw.") % {"name": link.full_name})
        else:
            try:
                invitations.invitation_withdraw(actor=self.actor, invitation=pending)
            except ValidationError as error:
                messages.info(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _("The invitation to %(name)s has been withdrawn. Its link and code no longer work.")
                    % {"name": link.full_name},
                )
        return redirect("pupils:pupil-detail", public_id=link.pupil.public_id)


class ParentInviteManyView(CapabilityFormView):
    """Invite several parents at once from the pupils' contact records; all of them or none."""

    template_name = "pupils/parent_invite_many.html"
    form_class = ParentInviteManyForm

    def has_capability(self, actor):
        return can_invite_parents(actor)

    @cached_property
    def filter_form(self):
        return InviteFilterForm(self.request.GET or None)

    @cached_property
    def page(self):
        filters = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        links = parent_invite_candidates(
            self.request.actor,
            year_group=filters.get("year_group"),
            include_invited=filters.get("show") == "all",
        )
        page = Paginator(links, settings.WAYMARK_REGISTER_PAGE_SIZE).get_page(self.request.GET.get("page"))
        page.rows = list(page.object_list)
        return page

    def _posted_links(self):
        """Links named in the POST that the actor may invite for, in any state: the service says what is wrong."""
        ids = []
        for value in self.request.POST.getlist("links"):
            try:
                ids.append(uuid.UUID(value))
            except ValueError:
                continue
        if not ids:
            return []
        return list(
            ParentLink.objects.restrict(self.request.actor, Action.INVITE, audience="staff")
            .filter(public_id__in=ids)
            .select_related("pupil")
            .prefetch_related("invitations")
        )

    @cached_property
    def choosable(self):
        links = {link.public_id: link for link in self.page.rows}
        if self.request.method == "POST":
            for link in self._posted_links():
                links.setdefault(link.public_id, link)
        return links

    def get_form_kwargs(self):
        choices = [
            (str(public_id), invite_label(link, invitations.pending_invitation(link)))
            for public_id, link in self.choosable.items()
        ]
        return {**super().get_form_kwargs(), "choices": choices}

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            filter_form=self.filter_form,
            page=self.page,
            total=self.page.paginator.count,
            querystring=query.urlencode(),
            days=invitations.INVITATION_DAYS,
            **kwargs,
        )

    def form_valid(self, form):
        chosen = [self.choosable[uuid.UUID(value)] for value in form.cleaned_data["links"]]
        try:
            issued = invitations.parent_invite_many(actor=self.request.actor, links=chosen)
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        _remember_codes(self.request, issued)
        messages.success(
            self.request,
            ngettext(
                "%(count)d invitation emailed. Print the letter with the code now: it is shown only once.",
                "%(count)d invitations emailed. Print the letters with the codes now: they are shown only once.",
                len(issued),
            )
            % {"count": len(issued)},
        )
        return redirect("pupils:parent-invitation-letters")


class ParentInvitationLettersView(CapabilityTemplateView):
    """The letters with the new codes, one a page, shown once: the session gives them up as they are read."""

    template_name = "pupils/parent_invitation_letters.html"

    def has_capability(self, actor):
        return can_invite_parents(actor)

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        add_never_cache_headers(response)  # no copy of a code in the browser's cache or history
        return response

    def get_context_data(self, **kwargs):
        actor = self.request.actor
        remembered = self.request.session.pop(SESSION_CODES_KEY, [])
        codes = {item["invitation"]: item["code"] for item in remembered}
        found = {
            str(invitation.public_id): invitation
            for invitation in ParentInvitation.objects.filter(
                public_id__in=list(codes),
                accepted_at__isnull=True,
                withdrawn_at__isnull=True,
                link__pupil__in=Pupil.objects.restrict(actor, Action.INVITE, audience="staff"),
            ).select_related("link__pupil__school", "created_by")
        }
        letters = [
            {"invitation": found[public_id], "code": invitations.group_code(code)}
            for public_id, code in codes.items()
            if public_id in found
        ]
        return super().get_context_data(letters=letters, **kwargs)


# ----- accepting -----


def _cannot_use(request):
    """One page for every link that cannot be used: nothing about the child, the school or the parent."""
    response = render(request, "pupils/parent_invitation_invalid.html", status=404)
    add_never_cache_headers(response)
    return response


@public_view
@require_http_methods(["GET", "POST"])
def parent_invitation_accept(request, token):
    """Accept an invitation with the emailed link and the code from the school's letter.

    Someone whose address already has an account signs in first, as for staff
    invitations. A signed-in person accepts for the account they are signed in with,
    whatever address the invitation went to: they hold the link and the school's code.
    """
    invitation = invitations.invitation_for_token(token)
    if invitation is None:
        return _cannot_use(request)
    with scope(school=[invitation.link.pupil.school_id]):
        signed_in = request.user.is_authenticated
        if not signed_in and invitations.account_exists_for(invitation):
            return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
        form_class = InvitationCodeForm if signed_in else InvitationAccountForm
        form = form_class(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            try:
                link = invitations.invitation_accept(
                    invitation=invitation,
                    code=data["code"],
                    user=request.user if signed_in else None,
                    full_name=data.get("full_name", ""),
                    password=data.get("password"),
                )
            except invitations.InvitationUnusable:
                return _cannot_use(request)
            except ValidationError as error:
                form_error_from(form, error)
            else:
                if not signed_in:
                    login(request, link.user, backend=LOGIN_BACKEND)
                messages.success(request, _("You can now see %(name)s's support plan.") % {"name": link.pupil.forename})
                return redirect("core:home")
        response = render(
            request,
            "pupils/parent_invitation_accept.html",
            {"form": form, "invitation": invitation, "signed_in": signed_in},
        )
        add_never_cache_headers(response)
        return response
