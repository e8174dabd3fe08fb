"""The editor page itself, its section saves, and starting a new draft."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from waymark.core.access import Action
from waymark.core.audit import audit_record
from waymark.core.models import Visibility
from waymark.core.services import is_stale
from waymark.core.views.base import ActorMixin, ScopedDetailView, ScopedFormView, form_error_from
from waymark.pupils.models import Pupil

from ... import selectors, services
from ...forms import (
    START_PREVIOUS,
    SectionForm,
    VersionStartForm,
)
from ...models import PlanSection, PlanVersion
from ...sections import SECTION_KINDS, TEXT_SECTION_FIELDS, section_kind, sections_for
from ...snapshot import format_date
from .common import (
    PREVIOUS_STATUSES,
    STALE_SECTION_MESSAGE,
    VersionMixin,
    editor_context,
    editor_url,
    editor_version,
    frozen_response,
    rebound,
)


class VersionEditView(VersionMixin, ScopedDetailView):
    """The whole draft on one page, each section saving on its own."""

    template_name = "plans/version_edit.html"

    def get_object(self, queryset=None):
        return editor_version(self.actor, self.kwargs["public_id"])

    def get(self, request, *args, **kwargs):
        self.object = version = self.get_object()
        if not version.is_draft:
            return frozen_response(request, version)
        audit_record(
            actor=self.actor,
            action="plans.version.viewed",
            target=version,
            pupil=version.plan.pupil,
            data={"editor": True},
        )
        return self.render_to_response(editor_context(version, self.actor))


class SectionSaveView(VersionMixin, ActorMixin, View):
    """Save one text section. htmx gets the section back; a plain post is redirected to it."""

    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, **kwargs):
        self.actor = getattr(request, "actor", None)
        if self.actor is None:
            raise Http404
        self.version = editor_version(self.actor, kwargs["public_id"])
        keys = [s["key"] for s in sections_for(self.version.template.sections, self.version.tier)]
        self.key = kwargs["key"]
        if self.key not in keys or section_kind(self.key) != "text":
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return redirect(editor_url(self.version, f"section-{self.key}"))

    def post(self, request, *args, **kwargs):
        version, key, actor = self.version, self.key, self.actor
        if not version.is_draft:
            return frozen_response(request, version)
        section = next((s for s in version.sections.all() if s.key == key), None)
        if section is not None and section.visibility not in selectors.visible_levels(actor):
            raise Http404
        can_restrict = actor.can_see_restricted()
        form = SectionForm(request.POST, key=key, can_restrict=can_restrict)
        override = {}
        if form.is_valid():
            if section is None:
                section = services.section_for(version, key)
            try:
                section = services.section_save(
                    actor=actor,
                    section=section,
                    data=form.section_data(),
                    visibility=form.cleaned_data["visibility"],
                    expected_version=form.cleaned_data["lock_version"],
                )
            except ValidationError as error:
                if is_stale(error):
                    current = PlanSection.objects.get(pk=section.pk)
                    form = rebound(
                        SectionForm,
                        request.POST,
                        form.add_prefix("lock_version"),
                        current.lock_version,
                        key=key,
                        can_restrict=can_restrict,
                    )
                    form.add_error(None, STALE_SECTION_MESSAGE)
                    override["their_version"] = _their_section(current)
                else:
                    form_error_from(form, error)
            else:
                message = _("%(section)s saved.") % {"section": self._label()}
                if not request.htmx:
                    messages.success(request, message)
                    return redirect(editor_url(version, f"section-{key}"))
                override["saved_message"] = message
                form = SectionForm(initial=SectionForm.initial_for(section), key=key, can_restrict=can_restrict)
        override["form"] = form
        fresh = editor_version(actor, version.public_id)
        context = editor_context(fresh, actor, override={key: override})
        if request.htmx:
            context["section"] = next(s for s in context["sections"] if s["key"] == key)
            context["oob"] = True
            return render(request, "plans/version_edit.html#section-response", context)
        context["form"] = form  # the page title starts "Error:" (see core/layout.html)
        return render(request, "plans/version_edit.html", context)

    def _label(self):
        spec = next(s for s in sections_for(self.version.template.sections, self.version.tier) if s["key"] == self.key)
        return spec.get("label") or str(SECTION_KINDS[self.key][1])


def _their_section(section):
    """What someone else saved in a section, as label and value pairs for the page."""

    rows = []
    for name, label in TEXT_SECTION_FIELDS[section.key].items():
        value = section.data.get(name, "")
        if name.endswith("_on") and value:
            try:
                value = format_date(value)
            except ValueError:
                pass
        rows.append({"label": label, "value": value})
    rows.append({"label": _("Who can see this section"), "value": Visibility(section.visibility).label})
    return rows


# ---------------------------------------------------------------------------
# Starting a draft
# ---------------------------------------------------------------------------


class VersionStartView(ScopedFormView):
    """Start a new draft, from the previous plan or blank; only one draft at a time."""

    model = Pupil
    action = Action.EDIT
    template_name = "plans/version_start.html"
    form_class = VersionStartForm

    def dispatch(self, request, *args, **kwargs):
        self.actor = getattr(request, "actor", None)
        if self.actor is None:
            raise Http404
        self.object = pupil = self.get_object()
        versions = list(PlanVersion.objects.filter(plan__pupil=pupil).select_related("template").order_by("-number"))
        self.draft = next((v for v in versions if v.status == PlanVersion.Status.DRAFT), None)
        self.previous = next((v for v in versions if v.status in PREVIOUS_STATUSES), None)
        return super(ScopedFormView, self).dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "templates": selectors.templates_for(self.object.school),
            "previous": self.previous,
        }

    def get_initial(self):
        template = self.previous.template if self.previous else services.default_template(self.object.school)
        initial = {"template": template}
        if self.previous:
            initial["start"] = START_PREVIOUS
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(pupil=self.object, draft=self.draft, previous=self.previous, **kwargs)

    def form_valid(self, form):
        if self.draft is not None:
            messages.info(self.request, _("This pupil already has a draft plan. Carry on with that one."))
            return redirect("plans:version-edit", public_id=self.draft.public_id)
        copy_from = self.previous if form.cleaned_data.get("start") == START_PREVIOUS else None
        try:
            version = services.plan_start(
                actor=self.actor, pupil=self.object, template=form.cleaned_data["template"], copy_from=copy_from
            )
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Draft version %(number)d started.") % {"number": version.number})
        return redirect("plans:version-edit", public_id=version.public_id)
