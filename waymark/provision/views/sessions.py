"""The "today" page, logging and correcting sessions, a group's page, and a pupil's provision delivered.

- "Your sessions today": any member of staff (``permissions.can_run_groups``); it lists only
  the groups they run.
- Logging, correcting and the group's page: the staff who run the group and those who manage
  provision (``permissions.group_restrict``); anyone else gets a 404.
- A pupil's provision delivered: staff who reach the pupil (``Pupil.objects.restrict``, staff
  audience), audited as a read of the pupil's record. Parents and specialists get a 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from waymark.core.access import Action
from waymark.core.audit import audit_record
from waymark.core.services import STALE_MESSAGE, is_stale
from waymark.core.views.base import CapabilityTemplateView, ScopedDetailView, ScopedFormView, form_error_from
from waymark.pupils.models import Pupil

from .. import delivery, sessions
from ..dates import day_text, parse_iso_date
from ..group_selectors import commitment_label, commitment_labels
from ..models import InterventionGroup, SessionLog
from ..permissions import can_manage_provision, can_run_groups, group_restrict
from ..schedule import is_planned_on, term_ranges
from ..session_forms import (
    RETURN_TO_TODAY,
    DeliveryPeriodForm,
    SessionCorrectForm,
    SessionDateForm,
    SessionLogForm,
)

# Planned sessions not logged yet listed on a group's page, most recent first.
NOT_LOGGED_LISTED = 10


def session_log_url(group, day, *, return_to=""):
    query = {"date": day.isoformat()}
    if return_to:
        query["return_to"] = return_to
    return reverse("provision:session-log", kwargs={"public_id": group.public_id}) + "?" + urlencode(query)


def _outcome_words(session, attended=None, register=None):
    if session.status == SessionLog.Status.CANCELLED:
        return _("cancelled (%(reason)s)") % {"reason": session.get_cancel_reason_display().lower()}
    return _("delivered, %(attended)d of %(register)d came") % {"attended": attended, "register": register}


def _after_saving(request, session, form, register):
    """Say what was logged (how many of the ``register`` came), then go back where the person started."""
    attended = len(form.cleaned_data.get("attended") or []) if session.status == SessionLog.Status.DELIVERED else 0
    messages.success(
        request,
        _("%(group)s on %(date)s logged as %(outcome)s.")
        % {
            "group": session.group.name,
            "date": day_text(session.date),
            "outcome": _outcome_words(session, attended, register),
        },
    )
    if form.cleaned_data.get("return_to") == RETURN_TO_TODAY:
        return redirect("provision:today")
    return redirect(reverse("provision:group-detail", kwargs={"public_id": session.group.public_id}) + "#sessions")


# ----- today -----


class TodayView(CapabilityTemplateView):
    """The sessions the signed-in person runs today, each logged or with a quick log form, and any missed."""

    template_name = "provision/today.html"

    def has_capability(self, actor):
        return can_run_groups(actor)

    def get_context_data(self, **kwargs):
        today = delivery.today_sessions(self.actor)
        for item in today.sessions:
            item.log_url = session_log_url(item.group, item.date, return_to=RETURN_TO_TODAY)
            if item.log is None:
                item.form = SessionLogForm(
                    members=item.members,
                    # One form per group on the page: ids must not collide.
                    auto_id=f"s{item.group.public_id.hex[:12]}-%s",
                    initial={"return_to": RETURN_TO_TODAY},
                )
        for item in today.not_logged:
            item.log_url = session_log_url(item.group, item.date, return_to=RETURN_TO_TODAY)
        return super().get_context_data(today=today, day=self.actor.today, **kwargs)


# ----- logging and correcting -----


def date_fields(prefix, day):
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}


class SessionLogView(ScopedFormView):
    """Log one of a group's sessions on a day given as ``?date=YYYY-MM-DD``; without one, ask which day."""

    model = InterventionGroup
    template_name = "provision/session_log.html"
    form_class = SessionLogForm

    def get_queryset(self):
        return group_restrict(self.actor).select_related("intervention", "school")

    def dispatch(self, request, *args, **kwargs):
        self.actor = getattr(request, "actor", None)
        if self.actor is None:
            raise Http404
        self.object = self.get_object()
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request, *args, **kwargs)
        self.day = parse_iso_date(request.GET.get("date"))
        problem = sessions.date_problem(self.object, self.day, self.actor.today) if self.day else None
        if self.day is None or problem:
            return self.choose_date(request, problem)
        if request.method == "GET":
            existing = SessionLog.objects.filter(group=self.object, date=self.day).first()
            if existing is not None:
                messages.info(request, sessions.already_logged_message(self.day))
                return redirect("provision:session-edit", public_id=existing.public_id)
        self.members = list(sessions.members_on(self.object, self.day).values())
        return super(ScopedFormView, self).dispatch(request, *args, **kwargs)

    def choose_date(self, request, problem=None):
        """Which day? A GET form on the same address; a good answer comes back as ``?date=``."""
        group = self.object
        return_to = request.GET.get("return_to", "")
        asked = any(key.startswith("date_") for key in request.GET)
        form = SessionDateForm(request.GET if asked else None, initial={"return_to": return_to})
        if asked and form.is_valid():
            day = form.cleaned_data["date"]
            problem = sessions.date_problem(group, day, self.actor.today)
            if not problem:
                return redirect(session_log_url(group, day, return_to=form.cleaned_data["return_to"]))
            form.add_error("date", problem)
        elif problem:
            # A day given in the address that cannot be logged: shown in the boxes, with why.
            form = SessionDateForm({**date_fields("date", self.day), "return_to": return_to})
            form.is_valid()
            form.add_error("date", problem)
        return render(request, "provision/session_date.html", {"group": group, "form": form})

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "members": self.members}

    def get_initial(self):
        return {"return_to": self.request.GET.get("return_to", "")}

    def get_context_data(self, **kwargs):
        group, day = self.object, self.day
        planned = is_planned_on(
            delivery.weekdays_of(group),
            group.starts_on,
            delivery.last_day(group),
            term_ranges(group.school_id, day, day),
            day,
        )
        return super().get_context_data(group=group, day=day, members=self.members, planned=planned, **kwargs)

    def form_valid(self, form):
        try:
            session = sessions.session_log(
                actor=self.actor, group=self.object, date=self.day, **form.service_arguments()
            )
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        return _after_saving(self.request, session, form, len(self.members))


class SessionEditView(ScopedFormView):
    """Correct a logged session; a save over someone else's change is refused, with what was typed kept."""

    model = SessionLog
    template_name = "provision/session_edit.html"
    form_class = SessionCorrectForm

    def get_queryset(self):
        return SessionLog.objects.filter(group__in=group_restrict(self.actor)).select_related(
            "group__intervention", "group__school", "logged_by"
        )

    def dispatch(self, request, *args, **kwargs):
        self.actor = getattr(request, "actor", None)
        if self.actor is None:
            raise Http404
        self.object = self.get_object()
        self.members = list(sessions.members_on(self.object.group, self.object.date).values())
        return super(ScopedFormView, self).dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "members": self.members}

    def get_initial(self):
        session = self.object
        if session.status == SessionLog.Status.DELIVERED:
            attended = sessions.attended_ids_of(session)
        else:
            attended = [str(pupil.public_id) for pupil in self.members]
        return {
            "status": session.status,
            "cancel_reason": session.cancel_reason,
            "note": session.note,
            "attended": attended,
            "lock_version": session.lock_version,
            "return_to": self.request.GET.get("return_to", ""),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(session=self.object, group=self.object.group, **kwargs)

    def form_valid(self, form):
        try:
            session = sessions.session_correct(
                actor=self.actor,
                session=self.object,
                expected_version=form.cleaned_data["lock_version"],
                **form.service_arguments(),
            )
        except ValidationError as error:
            if is_stale(error):
                return self.stale_response()
            self.object = self.get_queryset().get(pk=self.object.pk)
            form_error_from(form, error)
            return self.form_invalid(form)
        return _after_saving(self.request, session, form, len(self.members))

    def stale_response(self):
        """Someone saved first: keep what was typed, with their version's lock, so a second save can win."""
        self.object = self.get_queryset().get(pk=self.object.pk)
        data = self.request.POST.copy()
        data["lock_version"] = str(self.object.lock_version)
        form = self.get_form_class()(data=data, members=self.members)
        form.is_valid()
        form.add_error(None, STALE_MESSAGE)
        return self.render_to_response(self.get_context_data(form=form))


# ----- a group's page -----


class GroupDetailView(ScopedDetailView):
    """A group: who runs it, when and where it meets, its members, its sessions, planned against delivered."""

    model = InterventionGroup
    template_name = "provision/group_detail.html"
    context_object_name = "group"

    def get_queryset(self):
        return delivery.group_detail_queryset(self.actor)

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # The page names pupils with their attendance and session notes: a read, like the register.
        audit_record(
            actor=self.actor,
            action="provision.group.viewed",
            target=self.object,
            data={"pupils": list(dict.fromkeys(str(pupil.public_id) for pupil in self.pupils))},
        )
        return response

    def get_context_data(self, **kwargs):
        group, actor = self.object, self.actor
        terms = delivery.group_terms(group, actor.today)
        report = delivery.group_delivery(group, terms, actor.today)
        pupils = self.pupils = [row.place.pupil for row in report.places]
        labels = commitment_labels(pupils, actor)
        # Links to a pupil's provision delivered only where the reader reaches the pupil (one query).
        reachable = set(
            Pupil.objects.restrict(actor, Action.VIEW, audience="staff")
            .filter(pk__in=[pupil.pk for pupil in pupils])
            .values_list("pk", flat=True)
        )
        for row in report.places:
            row.commitment = commitment_label(row.place.commitment, labels)
            if row.place.pupil_id in reachable:
                row.pupil_url = reverse("provision:pupil-delivery", kwargs={"public_id": row.place.pupil.public_id})
        if sessions.date_problem(group, actor.today, actor.today) is None:
            log_url = session_log_url(group, actor.today)
        else:
            log_url = reverse("provision:session-log", kwargs={"public_id": group.public_id})
        return super().get_context_data(
            delivery=report,
            has_terms=bool(terms),
            last_day=delivery.last_day(group),
            can_manage=can_manage_provision(actor),
            log_url=log_url,
            # Most recent first, a few at a time: older ones are reached through "Log a session".
            not_logged=[(day, session_log_url(group, day)) for day in reversed(report.not_logged[-NOT_LOGGED_LISTED:])],
            not_logged_more=max(0, len(report.not_logged) - NOT_LOGGED_LISTED),
            **kwargs,
        )


# ----- a pupil's provision delivered -----


class PupilDeliveryView(ScopedDetailView):
    """The provision ``pupil`` was planned and had this school year (or one term): per commitment and per group."""

    model = Pupil
    action = Action.VIEW
    template_name = "provision/pupil_delivery.html"
    context_object_name = "pupil"

    def get_queryset(self):
        return super().get_queryset().select_related("school")

    def get_context_data(self, **kwargs):
        actor, pupil = self.actor, self.object
        year, terms = delivery.delivery_periods(pupil.school, actor.today)
        form = DeliveryPeriodForm(self.request.GET or None, terms=terms)
        period = year
        if form.is_bound and form.is_valid() and form.cleaned_data.get("term"):
            period = next(term for term in terms if term.term_id == form.cleaned_data["term"])
        report = delivery.pupil_delivery(actor, pupil, period)
        audit_record(
            actor=actor,
            action="provision.delivery.viewed",
            target=pupil,
            pupil=pupil,
            data={"term": period.term_id if period is not None else ""},
        )
        return super().get_context_data(
            delivery=report, period_form=form if terms else None, today=actor.today, **kwargs
        )
