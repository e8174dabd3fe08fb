"""The SEN register, the pupil page and the forms that change a pupil's record."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from waymark.core.access import Action, Reach
from waymark.core.audit import audit_record
from waymark.core.audit_registry import describe
from waymark.core.forms import versioned_initial
from waymark.core.models import AuditEvent, Visibility
from waymark.core.views.base import (
    CapabilityFormView,
    CapabilityTemplateView,
    ScopedDetailView,
    ScopedFormView,
    form_error_from,
)
from waymark.exchange.permissions import can_administer_records, can_export_pupils, can_import
from waymark.exchange.retention import open_hold
from waymark.schools.models import School

from . import services
from .figures import figures_context
from .forms import (
    NeedEditForm,
    NeedEndForm,
    NeedForm,
    ParentLinkStatusForm,
    PupilCreateForm,
    PupilEditForm,
    RegisterFilterForm,
    SenStatusForm,
)
from .invitations import access_state, invite_problem
from .models import Need, NeedType, ParentLink, Pupil
from .selectors import class_groups_for, pupil_get, register_list

REGISTER_REACHES = (Reach.ALL, Reach.YEAR_GROUP, Reach.OWN_GROUPS)


class RegisterListView(CapabilityTemplateView):
    """The register: SENCO and heads see the school, heads of year their years, teachers their classes.

    Viewing a page of the register is one audit event holding the ids of the pupils shown.
    """

    template_name = "pupils/register_list.html"

    def has_capability(self, actor):
        return actor.reach(Action.VIEW) in REGISTER_REACHES

    def get_context_data(self, **kwargs):
        actor = self.actor = self.request.actor
        groups = list(class_groups_for(actor))
        need_types = list(NeedType.objects.filter(is_active=True))
        form = RegisterFilterForm(self.request.GET or None, groups=groups, need_types=need_types)
        filters = form.cleaned_data if form.is_valid() else {}
        pupils = register_list(
            actor,
            filters={key: filters.get(key) for key in ("provision", "tier", "year_group", "need", "group")},
            search=filters.get("q", ""),
            order=filters.get("sort") or "name",
        )
        page = Paginator(pupils, settings.WAYMARK_REGISTER_PAGE_SIZE).get_page(self.request.GET.get("page"))
        rows = list(page.object_list)
        audit_record(
            actor=actor,
            action="pupils.register.viewed",
            # Ids and codes only: the search text may be a child's name, so only its use is kept.
            data={
                "pupils": [str(p.public_id) for p in rows],
                "filters": {k: str(v) for k, v in filters.items() if v and k != "q"},
                "searched": bool(filters.get("q")),
            },
        )
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            # Not "form": the layout reads that name to mark the title as an error page.
            filter_form=form,
            page=page,
            pupils=rows,
            total=page.paginator.count,
            querystring=query.urlencode(),
            can_add=actor.reach(Action.EDIT) == Reach.ALL,
            can_invite_parents=actor.reach(Action.INVITE) in REGISTER_REACHES,
            reach=actor.reach(Action.VIEW),
            **kwargs,
        )


class PupilDetailView(ScopedDetailView):
    """The pupil page for staff. Each view is an audit event."""

    model = Pupil
    template_name = "pupils/pupil_detail.html"
    context_object_name = "pupil"

    def get_object(self, queryset=None):
        try:
            return pupil_get(self.actor, self.kwargs["public_id"])
        except (Pupil.DoesNotExist, ValidationError, ValueError):
            raise Http404 from None

    def get_context_data(self, **kwargs):
        pupil = self.object
        actor = self.actor
        audit_record(actor=actor, action="pupils.pupil.viewed", target=pupil, pupil=pupil)
        visible = {Visibility.EVERYONE, Visibility.STAFF}
        if actor.can_see_restricted():
            visible.add(Visibility.RESTRICTED)
        statuses = list(pupil.sen_statuses.all())
        can_edit = Pupil.objects.restrict(actor, Action.EDIT, audience="staff").filter(pk=pupil.pk).exists()
        can_invite = Pupil.objects.restrict(actor, Action.INVITE, audience="staff").filter(pk=pupil.pk).exists()
        now = timezone.now()
        parent_links = list(pupil.parent_links.all())
        for link in parent_links:
            link.access = access_state(link, now)
            link.can_be_invited = invite_problem(link) is None
        return super().get_context_data(
            current_status=next((s for s in statuses if s.ends_on is None), None),
            statuses=statuses,
            needs=pupil.open_needs,
            visible_levels=visible,
            enrolments=pupil.current_enrolments,
            parent_links=parent_links,
            can_edit=can_edit,
            can_invite=can_invite,
            # Addresses and numbers for those who keep the records or invite parents, and the DSL;
            # everyone who sees the page sees relationships, access and language or access needs.
            can_see_contact_details=can_edit or can_invite or actor.can_see_restricted(),
            can_see_restricted=actor.can_see_restricted(),
            record=record_actions(actor, pupil),
            tab="overview",
            **kwargs,
        )


def record_actions(actor, pupil):
    """What the pupil page offers for the record as a whole: exports, transfers, subject access, archive."""
    records_admin = can_administer_records(actor)
    return {
        # As the chronology and transfer pages decide: exporting reaches every pupil of the school or none.
        "export": can_export_pupils(actor),
        "import": can_import(actor),
        "administer": records_admin,
        "received": list(pupil.received_transfers.order_by("-exported_at")),
        "hold": open_hold(pupil) if records_admin else None,
    }


class PupilHistoryView(PupilDetailView):
    """The pupil's audit history, for the SENCO (and those who administer)."""

    template_name = "pupils/pupil_history.html"

    def get_queryset(self):
        return Pupil.objects.restrict(self.actor, Action.ADMINISTER, audience="staff")

    def get_object(self, queryset=None):
        if self.actor.reach(Action.ADMINISTER) != Reach.ALL:
            raise Http404
        return super().get_object(queryset)

    def get_context_data(self, **kwargs):
        pupil = self.object
        audit_record(actor=self.actor, action="pupils.pupil.history_viewed", target=pupil, pupil=pupil)
        events = list(
            AuditEvent.objects.filter(pupil_id=pupil.public_id, school=pupil.school)
            .select_related("actor")
            .order_by("-created_at", "-id")[:200]
        )
        for event in events:
            event.description = describe(event.action)
        return TemplateView.get_context_data(self, pupil=pupil, events=events, tab="history", **kwargs)


class PupilCreateView(CapabilityFormView):
    template_name = "pupils/pupil_form.html"
    form_class = PupilCreateForm

    def has_capability(self, actor):
        return actor.school is not None and actor.reach(Action.EDIT) == Reach.ALL

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        try:
            pupil = services.pupil_create(actor=self.request.actor, school=self.request.actor.school, **data)
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(name)s has been added.") % {"name": pupil.full_name})
        return redirect("pupils:pupil-detail", public_id=pupil.public_id)


class PupilEditView(ScopedFormView):
    model = Pupil
    action = Action.EDIT
    template_name = "pupils/pupil_form.html"
    form_class = PupilEditForm

    def get_initial(self):
        pupil = self.object
        return versioned_initial(pupil, **{name: getattr(pupil, name) for name in services.PUPIL_FIELDS})

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("lock_version")
        try:
            services.pupil_update(actor=self.actor, pupil=self.object, expected_version=version, **data)
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Pupil details saved."))
        return redirect("pupils:pupil-detail", public_id=self.object.public_id)


class SenStatusChangeView(ScopedFormView):
    model = Pupil
    action = Action.EDIT
    template_name = "pupils/sen_status_form.html"
    form_class = SenStatusForm

    def get_initial(self):
        current = self.object.sen_statuses.filter(ends_on__isnull=True).first()
        initial = versioned_initial(self.object)
        if current:
            initial.update(provision=current.provision, tier=current.tier)
        return initial

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.sen_status_change(
                actor=self.actor,
                pupil=self.object,
                provision=data["provision"],
                tier=data["tier"],
                starts_on=data["starts_on"],
                expected_version=data["lock_version"],
            )
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("SEN provision and tier saved."))
        return redirect("pupils:pupil-detail", public_id=self.object.public_id)


class NeedCreateView(ScopedFormView):
    model = Pupil
    action = Action.EDIT
    template_name = "pupils/need_form.html"
    form_class = NeedForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "can_restrict": self.actor.can_see_restricted()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(pupil=self.object, **kwargs)

    def form_valid(self, form):
        try:
            services.need_add(actor=self.actor, pupil=self.object, **form.cleaned_data)
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Need added."))
        return redirect("pupils:pupil-detail", public_id=self.object.public_id)


class NeedObjectMixin:
    model = Need
    action = Action.EDIT

    def get_queryset(self):
        return Need.objects.restrict(self.actor, self.action, audience="staff").select_related("pupil", "need_type")

    def get_context_data(self, **kwargs):
        return super().get_context_data(pupil=self.object.pupil, need=self.object, **kwargs)


class NeedEditView(NeedObjectMixin, ScopedFormView):
    template_name = "pupils/need_form.html"
    form_class = NeedEditForm

    def get_queryset(self):
        queryset = super().get_queryset().filter(ends_on__isnull=True)
        if not self.actor.can_see_restricted():
            queryset = queryset.exclude(visibility=Visibility.RESTRICTED)
        return queryset

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "can_restrict": self.actor.can_see_restricted()}

    def get_initial(self):
        need = self.object
        return versioned_initial(
            need,
            need_type=need.need_type,
            rank=need.rank,
            description=need.description,
            visibility=need.visibility,
            starts_on=need.starts_on,
        )

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("lock_version")
        try:
            services.need_update(actor=self.actor, need=self.object, expected_version=version, **data)
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Need saved."))
        return redirect("pupils:pupil-detail", public_id=self.object.pupil.public_id)


class NeedEndView(NeedObjectMixin, ScopedFormView):
    template_name = "pupils/need_end_form.html"
    form_class = NeedEndForm

    def get_queryset(self):
        queryset = super().get_queryset().filter(ends_on__isnull=True)
        if not self.actor.can_see_restricted():
            queryset = queryset.exclude(visibility=Visibility.RESTRICTED)
        return queryset

    def get_initial(self):
        return versioned_initial(self.object)

    def form_valid(self, form):
        try:
            services.need_end(
                actor=self.actor,
                need=self.object,
                ends_on=form.cleaned_data["ends_on"],
                expected_version=form.cleaned_data["lock_version"],
            )
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Need ended. It stays in the pupil's history."))
        return redirect("pupils:pupil-detail", public_id=self.object.pupil.public_id)


class ParentLinkStatusView(ScopedFormView):
    """Restrict or suspend a parent's link: the SENCO and DSL only, as only they see the reason."""

    model = ParentLink
    action = Action.VIEW
    template_name = "pupils/parent_link_form.html"
    form_class = ParentLinkStatusForm

    def get_queryset(self):
        if not self.actor.can_see_restricted():
            return ParentLink.objects.none()
        return ParentLink.objects.restrict(self.actor, Action.VIEW, audience="staff").select_related("pupil", "user")

    def get_initial(self):
        return versioned_initial(self.object, status=self.object.status, status_reason=self.object.status_reason)

    def get_context_data(self, **kwargs):
        return super().get_context_data(pupil=self.object.pupil, link=self.object, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.parent_link_update(
                actor=self.actor,
                link=self.object,
                expected_version=data["lock_version"],
                status=data["status"],
                status_reason=data["status_reason"],
            )
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Link saved."))
        return redirect("pupils:pupil-detail", public_id=self.object.pupil.public_id)


class FiguresView(CapabilityTemplateView):
    """School-wide counts for governors and leaders; never a name, and small counts suppressed."""

    template_name = "pupils/figures_detail.html"

    def has_capability(self, actor):
        return actor.school is not None and actor.can_see_figures()

    def get_context_data(self, **kwargs):
        actor = self.request.actor
        audit_record(actor=actor, action="pupils.figures.viewed", school=actor.school)
        return super().get_context_data(**figures_context(actor.school, actor.today), **kwargs)


class LocalAuthorityFiguresView(CapabilityTemplateView):
    """A local-authority officer's view: each of the LA's schools in counts, never a named child."""

    template_name = "pupils/la_figures_detail.html"

    def has_capability(self, actor):
        return bool(actor.la_school_ids)

    def get_context_data(self, **kwargs):
        actor = self.request.actor
        schools = School.objects.filter(pk__in=actor.la_school_ids).order_by("name")
        for school in schools:
            audit_record(actor=actor, action="pupils.figures.viewed", school=school)
        return super().get_context_data(schools=[figures_context(school, actor.today) for school in schools], **kwargs)
