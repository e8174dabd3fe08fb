"""Intervention groups: the list, setting one up, changing it, ending it early, and the pupils in it.

The list is for any member of the school's staff (``permissions.can_run_groups``): those
who manage provision see every group of the school, anyone else the groups they run (an
empty list says so). Every other page is for those who manage provision, and a group of
another school is missing (404). The group's own page, with its sessions, is
``provision:group-detail`` (views/sessions.py).
"""

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from waymark.core.access import Action
from waymark.core.services import STALE_MESSAGE, is_stale
from waymark.core.views.base import CapabilityFormView, CapabilityTemplateView, form_error_from
from waymark.pupils.models import Pupil

from .. import groups, members
from ..group_forms import (
    LEADER_ROWS,
    GroupEditForm,
    GroupEndForm,
    GroupFilterForm,
    GroupForm,
    MemberForm,
    MemberRemoveForm,
    PupilSearchForm,
    group_initial,
)
from ..group_selectors import (
    ENDED,
    STATUS_CHOICES,
    commitment_label,
    commitment_labels,
    commitments_for,
    group_get,
    group_list,
    group_status,
    interventions_for_groups,
    latest_place,
    members_of,
    pupils_for_group,
    reachable_pupil,
    staff_choices,
    staff_roles,
)
from ..models import Intervention, InterventionGroup
from ..permissions import can_manage_provision, can_run_groups, group_restrict


def group_home(group):
    """The group's own page (views/sessions.py)."""
    return reverse("provision:group-detail", kwargs={"public_id": group.public_id})


# ----- the list -----


class GroupListView(CapabilityTemplateView):
    template_name = "provision/group_list.html"

    def has_capability(self, actor):
        return can_run_groups(actor)

    def get_context_data(self, **kwargs):
        actor = self.actor
        manages = can_manage_provision(actor)
        used = Intervention.objects.filter(groups__in=group_restrict(actor)).distinct().order_by("name")
        filter_form = GroupFilterForm(self.request.GET or None, statuses=STATUS_CHOICES, interventions=list(used))
        filters = filter_form.filters()
        return super().get_context_data(
            # Not "form": the layout reads that name to mark the title as an error page.
            filter_form=filter_form,
            groups=group_list(actor, filters),
            filtered=any(filters.values()),
            manages=manages,
            **kwargs,
        )


# ----- setting up and changing a group -----


class ManageMixin:
    def has_capability(self, actor):
        return can_manage_provision(actor)


class GroupFormMixin(ManageMixin):
    template_name = "provision/group_form.html"

    def interventions(self):
        return list(interventions_for_groups(self.actor.school))

    def leader_rows(self):
        return LEADER_ROWS

    @cached_property
    def roles(self):
        return staff_roles(self.actor.school)

    def get_form_kwargs(self):
        school = self.actor.school
        return {
            **super().get_form_kwargs(),
            "school": school,
            "interventions": self.interventions(),
            "staff": staff_choices(school, self.actor.today),
            "roles": self.roles,
            "leader_rows": self.leader_rows(),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(has_roles=bool(self.roles), **kwargs)


class GroupCreateView(GroupFormMixin, CapabilityFormView):
    form_class = GroupForm

    def get_initial(self):
        initial = {}
        wanted = self.request.GET.get("intervention")
        if wanted:
            initial["intervention"] = wanted
        return initial

    def form_valid(self, form):
        try:
            group = groups.group_create(actor=self.actor, **form.service_arguments())
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(name)s has been set up. Now add its pupils.") % {"name": group.name})
        return redirect("provision:group-members", public_id=group.public_id)


class GroupMixin(ManageMixin):
    """Loads ``self.group`` (one of the school's groups) before GET or POST; otherwise a 404."""

    def dispatch(self, request, *args, **kwargs):
        actor = getattr(request, "actor", None)
        if actor is None or not self.has_capability(actor):
            raise Http404
        try:
            self.load(actor, kwargs)
        except (InterventionGroup.DoesNotExist, Pupil.DoesNotExist, ValidationError, ValueError):
            raise Http404 from None
        return super().dispatch(request, *args, **kwargs)

    def load(self, actor, kwargs):
        self.group = group_get(actor, kwargs["public_id"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            group=self.group,
            group_url=group_home(self.group),
            ended=group_status(self.group, self.actor.today) == ENDED,
            **kwargs,
        )


class GroupEditView(GroupMixin, GroupFormMixin, CapabilityFormView):
    form_class = GroupEditForm

    def get(self, request, *args, **kwargs):
        if self.group.ended_at is not None:
            messages.info(request, str(groups.ENDED_MESSAGE))
            return redirect(group_home(self.group))
        return super().get(request, *args, **kwargs)

    def interventions(self):
        # The group keeps its intervention even if it was archived or is no longer shared.
        items = super().interventions()
        if all(item.pk != self.group.intervention_id for item in items):
            items.insert(0, self.group.intervention)
        return items

    def leader_rows(self):
        return max(LEADER_ROWS, len(self.group.leaders.all()) + 1)

    def get_initial(self):
        return group_initial(self.group)

    def form_valid(self, form):
        try:
            groups.group_update(
                actor=self.actor,
                group=self.group,
                expected_version=form.cleaned_data["lock_version"],
                **form.service_arguments(),
            )
        except ValidationError as error:
            if is_stale(error):
                return self.stale_response()
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(name)s has been saved.") % {"name": self.group.name})
        return redirect(group_home(self.group))

    def stale_response(self):
        """Someone saved first: what was typed stays, with their version's lock, so a second save can win."""
        self.group = group_get(self.actor, self.group.public_id)
        data = self.request.POST.copy()
        data["lock_version"] = str(self.group.lock_version)
        form = self.get_form_class()(**{**self.get_form_kwargs(), "data": data})
        form.is_valid()
        form.add_error(None, STALE_MESSAGE)
        return self.render_to_response(self.get_context_data(form=form, stale=True))


class GroupEndView(GroupMixin, CapabilityFormView):
    template_name = "provision/group_end.html"
    form_class = GroupEndForm

    def get(self, request, *args, **kwargs):
        if self.group.ended_at is not None:
            messages.info(request, str(groups.ENDED_MESSAGE))
            return redirect(group_home(self.group))
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        today = self.actor.today
        day = min(max(today, self.group.starts_on), self.group.ends_on)
        return {"ends_on": day, "lock_version": self.group.lock_version}

    def form_valid(self, form):
        try:
            groups.group_end(
                actor=self.actor,
                group=self.group,
                ends_on=form.cleaned_data["ends_on"],
                expected_version=form.cleaned_data["lock_version"],
            )
        except ValidationError as error:
            if is_stale(error):
                messages.error(self.request, str(STALE_MESSAGE))
                return redirect("provision:group-end", public_id=self.group.public_id)
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(name)s has ended.") % {"name": self.group.name})
        return redirect("provision:group-list")


# ----- pupils in a group -----


class GroupMembersView(GroupMixin, CapabilityTemplateView):
    """Everyone who has had a place, and a search for pupils on the SEN register to add."""

    template_name = "provision/group_members.html"

    def get_context_data(self, **kwargs):
        places = members_of(self.group)
        labels = commitment_labels([member.pupil for member in places], self.actor)
        today = self.actor.today
        latest = {}
        for member in places:
            member.commitment_text = commitment_label(member.commitment, labels)
            member.has_left = member.left_on is not None and member.left_on < today
            if member.pupil_id not in latest or member.joined_on >= latest[member.pupil_id].joined_on:
                latest[member.pupil_id] = member
        # "Change" and "Take out" act on a pupil's latest place; earlier ones are history.
        for member in latest.values():
            member.is_latest = True
        search_form = PupilSearchForm(self.request.GET or None)
        search = search_form.search()
        found = pupils_for_group(self.actor, self.group, search) if search else None
        return super().get_context_data(members=places, search_form=search_form, search=search, found=found, **kwargs)


class PupilPlaceMixin(GroupMixin):
    """Loads ``self.pupil`` from the URL: a pupil the actor reaches (to add, on the register and on roll)."""

    for_new_place = False

    def load(self, actor, kwargs):
        super().load(actor, kwargs)
        if self.for_new_place:
            self.pupil = reachable_pupil(actor, self.group, kwargs["pupil_id"])
            self.place = None
            return
        self.pupil = Pupil.objects.restrict(actor, Action.EDIT, audience="staff").get(
            school=self.group.school, public_id=kwargs["pupil_id"]
        )
        self.place = latest_place(self.group, self.pupil)
        if self.place is None:
            raise Pupil.DoesNotExist

    def get(self, request, *args, **kwargs):
        if self.group.ended_at is not None:
            messages.info(request, str(groups.ENDED_MESSAGE))
            return redirect("provision:group-members", public_id=self.group.public_id)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(pupil=self.pupil, place=self.place, **kwargs)

    def members_url(self):
        return reverse("provision:group-members", kwargs={"public_id": self.group.public_id})


class GroupMemberAddView(PupilPlaceMixin, CapabilityFormView):
    template_name = "provision/group_member_form.html"
    form_class = MemberForm
    for_new_place = True

    @cached_property
    def commitments(self):
        return commitments_for(self.pupil, self.actor)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "commitments": self.commitments}

    def get_initial(self):
        today = self.actor.today
        starts = self.group.starts_on
        initial = {"joined_on": today if starts <= today <= self.group.ends_on else starts}
        if not self.commitments:
            initial["commitment"] = MemberForm.NONE
        return initial

    def form_valid(self, form):
        try:
            members.member_add(actor=self.actor, group=self.group, pupil=self.pupil, **form.service_arguments())
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(pupil)s has been added to %(group)s.") % {"pupil": self.pupil.full_name, "group": self.group.name},
        )
        return redirect(self.members_url())


class GroupMemberEditView(PupilPlaceMixin, CapabilityFormView):
    template_name = "provision/group_member_form.html"
    form_class = MemberForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "commitments": commitments_for(self.pupil, self.actor)}

    def get_initial(self):
        commitment = self.place.commitment
        return {"joined_on": self.place.joined_on, "commitment": str(commitment) if commitment else MemberForm.NONE}

    def form_valid(self, form):
        try:
            members.member_update(actor=self.actor, member=self.place, **form.service_arguments())
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(pupil)s's place has been saved.") % {"pupil": self.pupil.full_name})
        return redirect(self.members_url())


class GroupMemberRemoveView(PupilPlaceMixin, CapabilityFormView):
    template_name = "provision/group_member_remove.html"
    form_class = MemberRemoveForm

    def get(self, request, *args, **kwargs):
        if self.place.left_on is not None:
            messages.info(request, _("%(pupil)s has already left this group.") % {"pupil": self.pupil.full_name})
            return redirect(self.members_url())
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        day = min(max(self.actor.today, self.place.joined_on), self.group.ends_on)
        return {"left_on": day}

    def form_valid(self, form):
        try:
            members.member_remove(actor=self.actor, member=self.place, left_on=form.cleaned_data["left_on"])
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(pupil)s has been taken out of %(group)s.") % {"pupil": self.pupil.full_name, "group": self.group.name},
        )
        return redirect(self.members_url())
