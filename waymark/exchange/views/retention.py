"""Pages: archiving leavers, legal holds and the retention setting.

- Archiving and restoring a leaver's record: those who may import (SENCO, deputy SENCO).
- The list of archived pupils: the same, and those who administer the school's records
  (the head too), who place legal holds on archived records.
- Legal holds and the retention setting: those who administer the school's records
  (SENCO, head).

Everyone else gets a 404. Lists that name pupils are audited like the register.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from waymark.core.access import Action
from waymark.core.audit import audit_record
from waymark.core.forms import versioned_initial
from waymark.core.services import STALE_MESSAGE, is_stale
from waymark.core.views.base import CapabilityFormView, CapabilityTemplateView, ScopedFormView, form_error_from
from waymark.pupils.models import Pupil
from waymark.schools.models import School

from ..permissions import can_administer_records, can_import
from ..retention import (
    IMPORT_FILE_DAYS,
    legal_hold_lift,
    legal_hold_place,
    open_hold,
    open_holds,
    pupil_archive,
    pupil_restore,
    retention_preview,
    retention_settings_update,
)
from ..retention.records import archive_problem
from ..retention_forms import ArchiveForm, ArchiveSearchForm, LegalHoldForm, LiftHoldForm, RetentionSettingsForm


def _audit_names_shown(actor, pupils, list_name, searched=False):
    if pupils:
        audit_record(
            actor=actor,
            action="pupils.register.viewed",
            data={"list": list_name, "pupils": [str(p.public_id) for p in pupils], "searched": searched},
        )


# ----- archived pupils -----


class ArchiveListView(CapabilityTemplateView):
    """The archived leavers of the school, searchable by name or UPN, a page at a time."""

    template_name = "exchange/archive_list.html"

    def has_capability(self, actor):
        return can_import(actor) or can_administer_records(actor)

    def get_context_data(self, **kwargs):
        actor = self.request.actor
        form = ArchiveSearchForm(self.request.GET or None)
        search = form.cleaned_data.get("q", "").strip() if form.is_valid() else ""
        holds = open_holds().filter(pupil=OuterRef("pk"))
        pupils = (
            Pupil.objects.restrict(actor, Action.VIEW, audience="staff")
            .filter(school=actor.school, archived_at__isnull=False)
            .annotate(on_hold=Exists(holds))
            .select_related("archived_by")
            .matching(search)
            .order_by("legal_surname", "legal_forename", "pk")
        )
        page = Paginator(pupils, settings.WAYMARK_REGISTER_PAGE_SIZE).get_page(self.request.GET.get("page"))
        rows = list(page.object_list)
        _audit_names_shown(actor, rows, "archived", searched=bool(search))
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            search_form=form,
            search=search,
            page=page,
            pupils=rows,
            total=page.paginator.count,
            querystring=query.urlencode(),
            can_restore=can_import(actor),
            can_hold=can_administer_records(actor),
            **kwargs,
        )


class PupilPageMixin:
    """A confirm page about one pupil of the actor's school, for those ``has_capability`` allows."""

    model = Pupil
    action = Action.VIEW
    form_class = ArchiveForm

    def has_capability(self, actor):
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        actor = getattr(request, "actor", None)
        if actor is None or not self.has_capability(actor):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().filter(school=self.actor.school)

    def get_context_data(self, **kwargs):
        return super().get_context_data(pupil=self.object, **kwargs)

    def act(self, form, service, message, **arguments):
        """Call ``service`` on the pupil; back to their record with ``message``, or the form with the error."""
        try:
            service(actor=self.actor, pupil=self.object, **arguments)
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, message % {"name": self.object.full_name})
        return redirect("pupils:pupil-detail", public_id=self.object.public_id)


class PupilArchiveView(PupilPageMixin, ScopedFormView):
    """Asks before archiving a leaver's record (GET), archives it (POST)."""

    template_name = "exchange/archive_confirm.html"

    def has_capability(self, actor):
        return can_import(actor)

    def get_queryset(self):
        return super().get_queryset().filter(archived_at__isnull=True)

    def get_initial(self):
        return versioned_initial(self.object)

    def get_context_data(self, **kwargs):
        return super().get_context_data(problem=archive_problem(self.object, self.actor.today), **kwargs)

    def form_valid(self, form):
        version = form.cleaned_data["lock_version"]
        return self.act(form, pupil_archive, _("%(name)s's record has been archived."), expected_version=version)


class PupilRestoreView(PupilPageMixin, ScopedFormView):
    """Asks before bringing a record back from the archive (GET), restores it (POST)."""

    template_name = "exchange/archive_restore.html"

    def has_capability(self, actor):
        return can_import(actor)

    def get_queryset(self):
        return super().get_queryset().filter(archived_at__isnull=False).select_related("archived_by")

    def get_initial(self):
        return versioned_initial(self.object)

    def form_valid(self, form):
        version = form.cleaned_data["lock_version"]
        return self.act(form, pupil_restore, _("%(name)s's record is back from the archive."), expected_version=version)


# ----- legal holds -----


class HoldPageMixin(PupilPageMixin):
    action = Action.ADMINISTER

    def has_capability(self, actor):
        return can_administer_records(actor)

    @cached_property
    def hold(self):
        return open_hold(self.object)

    def get_context_data(self, **kwargs):
        return super().get_context_data(hold=self.hold, **kwargs)


class HoldPlaceView(HoldPageMixin, ScopedFormView):
    """Place a legal hold on a pupil's record, with the reason."""

    template_name = "exchange/hold_place.html"
    form_class = LegalHoldForm

    def form_valid(self, form):
        message = _("A legal hold has been placed on %(name)s's record.")
        return self.act(form, legal_hold_place, message, reason=form.cleaned_data["reason"])


class HoldLiftView(HoldPageMixin, ScopedFormView):
    """Asks before lifting the legal hold (GET), lifts it (POST)."""

    template_name = "exchange/hold_lift.html"
    form_class = LiftHoldForm

    def form_valid(self, form):
        return self.act(form, legal_hold_lift, _("The legal hold on %(name)s's record has been lifted."))


# ----- the retention setting -----


class RetentionSettingsView(CapabilityFormView):
    """How long records are kept, what has passed retention now, and the open legal holds."""

    template_name = "exchange/retention_settings.html"
    form_class = RetentionSettingsForm

    def has_capability(self, actor):
        return can_administer_records(actor)

    @cached_property
    def school(self):
        return School.objects.get(pk=self.request.actor.school.pk)

    def get_initial(self):
        return versioned_initial(self.school, years_after_birth=self.school.retention_years_after_birth)

    def get_context_data(self, **kwargs):
        actor = self.request.actor
        plan = retention_preview(actor=actor, school=self.school, today=actor.today)
        holds = list(
            open_holds()
            .filter(pupil__school=self.school)
            .select_related("pupil", "placed_by")
            .order_by("pupil__legal_surname", "pupil__legal_forename", "pk")
        )
        shown = {due.pupil.pk: due.pupil for due in [*plan.due, *plan.held]}
        shown.update({hold.pupil.pk: hold.pupil for hold in holds})
        _audit_names_shown(actor, list(shown.values()), "retention")
        return super().get_context_data(
            school=self.school, plan=plan, holds=holds, import_file_days=IMPORT_FILE_DAYS, **kwargs
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            retention_settings_update(
                actor=self.request.actor,
                school=self.school,
                years_after_birth=data["years_after_birth"],
                expected_version=data["lock_version"],
            )
        except ValidationError as error:
            if is_stale(error):
                # Show what is saved now with the refusal, so nobody overwrites it unseen.
                self.school.refresh_from_db()
                fresh = self.get_form_class()(initial=self.get_initial())
                fresh.full_clean()
                fresh.cleaned_data = {}
                fresh.add_error(None, STALE_MESSAGE)
                return self.render_to_response(self.get_context_data(form=fresh))
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("How long records are kept has been saved."))
        return redirect("exchange:retention-settings")
