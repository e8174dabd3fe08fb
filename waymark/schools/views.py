"""Staff, invitations, school time and the year-end rollover."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_scopes import scope

from waymark.accounts.services import user_create
from waymark.core.access import Action, Reach
from waymark.core.forms import versioned_initial
from waymark.core.views.base import CapabilityFormView, CapabilityTemplateView, form_error_from, public_view
from waymark.plans.bank_services import can_manage_plan_settings, can_view_templates

from . import services
from .forms import AcademicYearForm, AcceptInvitationForm, MembershipForm, RolloverForm, StaffInviteForm, TermForm
from .models import AcademicYear, ClassGroup, Membership, StaffInvitation


def _can_manage_staff(actor):
    return actor.school is not None and (actor.can_administer() or actor.reach(Action.INVITE) == Reach.ALL)


class StaffListView(CapabilityTemplateView):
    template_name = "schools/staff_list.html"

    def has_capability(self, actor):
        return _can_manage_staff(actor)

    def get_context_data(self, **kwargs):
        actor = self.request.actor
        return super().get_context_data(
            memberships=Membership.objects.filter(school=actor.school).select_related("user"),
            invitations=StaffInvitation.objects.filter(school=actor.school, accepted_at__isnull=True),
            can_administer=actor.can_administer(),
            **kwargs,
        )


class StaffInviteView(CapabilityFormView):
    template_name = "schools/staff_invite.html"
    form_class = StaffInviteForm
    extra_context = {"days": settings.WAYMARK_INVITATION_DAYS}

    def has_capability(self, actor):
        return actor.school is not None and actor.reach(Action.INVITE) == Reach.ALL

    def form_valid(self, form):
        try:
            services.staff_invite(actor=self.request.actor, school=self.request.actor.school, **form.cleaned_data)
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Invitation sent to %(email)s. The link works for %(days)d days.")
            % {"email": form.cleaned_data["email"], "days": settings.WAYMARK_INVITATION_DAYS},
        )
        return redirect("schools:staff-list")


class MembershipEditView(CapabilityFormView):
    template_name = "schools/membership_form.html"
    form_class = MembershipForm

    def has_capability(self, actor):
        return actor.school is not None and actor.can_administer()

    def dispatch(self, request, *args, **kwargs):
        actor = getattr(request, "actor", None)
        if actor is None or actor.school is None:
            raise Http404
        try:
            self.membership = Membership.objects.select_related("user").get(
                school=actor.school, public_id=kwargs["public_id"]
            )
        except Membership.DoesNotExist:
            raise Http404 from None
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        m = self.membership
        return versioned_initial(m, roles=m.roles, year_groups=m.year_groups, ends_on=m.ends_on)

    def get_context_data(self, **kwargs):
        return super().get_context_data(membership=self.membership, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.membership_update(
                actor=self.request.actor,
                membership=self.membership,
                roles=data["roles"],
                year_groups=data["year_groups"],
                ends_on=data["ends_on"],
                expected_version=data["lock_version"],
            )
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Roles saved for %(name)s.") % {"name": self.membership.user.full_name})
        return redirect("schools:staff-list")


@public_view
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """Join a school from an emailed link. An unknown, used or expired link says only to ask the school."""
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return render(request, "schools/invitation_invalid.html", status=404)
    User = get_user_model()
    with scope(school=[invitation.school_id]):
        existing = User.objects.filter(email__iexact=invitation.email).first()
        if existing is not None:
            # An existing account joins after signing in as itself, so nobody learns it exists.
            if not request.user.is_authenticated:
                return redirect(f"/accounts/login/?next={request.path}")
            if request.user.pk != existing.pk:
                return render(request, "schools/invitation_invalid.html", status=404)
            if request.method == "POST":
                try:
                    services.invitation_accept(invitation=invitation, user=existing)
                except ValidationError:
                    return render(request, "schools/invitation_invalid.html", status=404)
                messages.success(request, _("You have joined %(school)s.") % {"school": invitation.school.name})
                return redirect("core:home")
            return render(request, "schools/invitation_accept.html", {"invitation": invitation, "form": None})
        form = AcceptInvitationForm(request.POST or None, initial={"full_name": invitation.full_name})
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    # Following the emailed link proves they hold the address.
                    user = user_create(
                        email=invitation.email,
                        password=form.cleaned_data["password"],
                        full_name=form.cleaned_data["full_name"],
                    )
                    services.invitation_accept(invitation=invitation, user=user)
            except ValidationError as error:
                form_error_from(form, error)
            else:
                login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
                messages.success(
                    request, _("Welcome to Waymark. You have joined %(school)s.") % {"school": invitation.school.name}
                )
                return redirect("core:home")
        return render(request, "schools/invitation_accept.html", {"invitation": invitation, "form": form})


class SchoolSettingsView(CapabilityTemplateView):
    """School years and terms, with forms to add them."""

    template_name = "schools/school_settings.html"

    def has_capability(self, actor):
        return actor.school is not None and actor.can_administer()

    def get_context_data(self, **kwargs):
        actor = self.request.actor
        school = actor.school
        current_year = services.academic_year_current(school, actor.today)
        return super().get_context_data(
            school=school,
            years=AcademicYear.objects.filter(school=school).prefetch_related("terms"),
            current_year=current_year,
            can_view_templates=can_view_templates(actor),
            can_manage_plan_settings=can_manage_plan_settings(actor),
            groups=ClassGroup.objects.filter(school=school, academic_year=current_year).prefetch_related("staff__user"),
            **kwargs,
        )


class AcademicYearCreateView(CapabilityFormView):
    template_name = "schools/academic_year_form.html"
    form_class = AcademicYearForm

    def has_capability(self, actor):
        return actor.school is not None and actor.can_administer()

    def form_valid(self, form):
        try:
            services.academic_year_create(
                actor=self.request.actor, school=self.request.actor.school, **form.cleaned_data
            )
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("School year added."))
        return redirect("schools:school-settings")


class YearObjectMixin:
    def dispatch(self, request, *args, **kwargs):
        actor = getattr(request, "actor", None)
        if actor is None or actor.school is None:
            raise Http404
        try:
            self.year = AcademicYear.objects.get(school=actor.school, public_id=kwargs["public_id"])
        except AcademicYear.DoesNotExist:
            raise Http404 from None
        return super().dispatch(request, *args, **kwargs)

    def has_capability(self, actor):
        return actor.can_administer()

    def get_context_data(self, **kwargs):
        return super().get_context_data(year=self.year, **kwargs)


class TermCreateView(YearObjectMixin, CapabilityFormView):
    template_name = "schools/term_form.html"
    form_class = TermForm

    def form_valid(self, form):
        try:
            services.term_create(actor=self.request.actor, academic_year=self.year, **form.cleaned_data)
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Term added."))
        return redirect("schools:school-settings")


class RolloverView(YearObjectMixin, CapabilityFormView):
    """The year-end rollover: a preview first, applied only when confirmed."""

    template_name = "schools/rollover_form.html"
    form_class = RolloverForm

    def get_context_data(self, **kwargs):
        actor = self.request.actor
        plan = services.rollover_preview(actor=actor, school=actor.school, from_year=self.year)
        return super().get_context_data(plan=plan, **kwargs)

    def form_valid(self, form):
        actor = self.request.actor
        try:
            plan = services.rollover_apply(actor=actor, school=actor.school, from_year=self.year)
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(moved)d pupils moved up a year; %(leavers)d recorded as leaving.")
            % {"moved": sum(plan.moving_up.values()), "leavers": len(plan.leavers)},
        )
        return redirect("schools:school-settings")
