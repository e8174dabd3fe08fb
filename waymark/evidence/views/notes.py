"""The pupil's timeline of notes and documents, and adding or changing a note.

Staff who work with the pupil (staff reach for viewing) open the timeline and add notes;
a note's author changes it. Parents and outside specialists never reach these pages:
forbidden looks like missing.
"""

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from waymark.core.access import Action
from waymark.core.audit import audit_record
from waymark.core.forms import versioned_initial
from waymark.core.models import Visibility
from waymark.core.services import is_stale
from waymark.core.views.base import ScopedDetailView, ScopedFormView, form_error_from
from waymark.pupils.models import Pupil

from .. import notes, selectors
from ..forms import NO_OUTCOME, NoteEditForm, NoteForm, TimelineFilterForm
from ..models import Note

TIMELINE_PAGE_SIZE = 50


def timeline_url(pupil):
    return reverse("evidence:timeline", kwargs={"public_id": pupil.public_id})


class TimelineView(ScopedDetailView):
    """Notes and documents about one pupil, newest first, perhaps only the notes about one outcome."""

    model = Pupil
    action = Action.VIEW
    template_name = "evidence/timeline.html"
    context_object_name = "pupil"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        audit_record(
            actor=self.actor,
            action="evidence.timeline.viewed",
            target=self.object,
            pupil=self.object,
            data={"outcome": bool(self.outcome)},
        )
        return response

    def get_context_data(self, **kwargs):
        pupil = self.object
        outcomes = selectors.outcome_choices(self.actor, pupil)
        # Bound only when a choice was sent: "?page=2" alone is not a filter with a missing answer.
        bound = "outcome" in self.request.GET
        filter_form = TimelineFilterForm(self.request.GET if bound else None, outcomes=outcomes)
        self.outcome = filter_form.chosen_outcome()
        can_add_documents = selectors.reaches_as_staff(self.actor, pupil, Action.EDIT)
        entries = selectors.timeline(self.actor, pupil, outcome=self.outcome, can_edit_documents=can_add_documents)
        page = Paginator(entries, TIMELINE_PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            filter_form=filter_form,
            page=page,
            entries=page.object_list,
            outcome=self.outcome,
            querystring=urlencode({"outcome": self.outcome}) if self.outcome else "",
            can_add_documents=can_add_documents,
            **kwargs,
        )


class NoteFormMixin:
    template_name = "evidence/note_form.html"

    @cached_property
    def outcomes(self):
        return selectors.outcome_choices(self.actor, self.pupil)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": self.actor, "outcomes": self.outcomes}

    def get_context_data(self, **kwargs):
        return super().get_context_data(pupil=self.pupil, timeline_url=timeline_url(self.pupil), **kwargs)


class NoteCreateView(NoteFormMixin, ScopedFormView):
    model = Pupil
    action = Action.VIEW
    form_class = NoteForm

    @property
    def pupil(self):
        return self.object

    def get_initial(self):
        # Adding from the timeline filtered to one outcome starts the note about that outcome.
        wanted = self.request.GET.get("outcome", NO_OUTCOME)
        outcome = wanted if wanted in {str(lineage) for lineage, _text in self.outcomes} else NO_OUTCOME
        return {"happened_on": self.actor.today, "visibility": Visibility.STAFF, "outcome": outcome}

    def get_context_data(self, **kwargs):
        return super().get_context_data(editing=False, **kwargs)

    def form_valid(self, form):
        try:
            notes.note_add(actor=self.actor, pupil=self.pupil, **form.service_arguments())
        except ValidationError as error:
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Note added."))
        return redirect(timeline_url(self.pupil))


class NoteEditView(NoteFormMixin, ScopedFormView):
    """Change a note: its author only. A save over someone's later one keeps the typed text and says so."""

    model = Note
    form_class = NoteEditForm

    def get_queryset(self):
        return selectors.notes_editable_by(self.actor)

    @property
    def pupil(self):
        return self.object.pupil

    @cached_property
    def outcomes(self):
        outcomes = selectors.outcome_choices(self.actor, self.pupil)
        kept = self.object.outcome
        if kept and kept not in {lineage for lineage, _text in outcomes}:
            # The plan has moved on: the note may keep the outcome it was about.
            text = selectors.outcome_texts(self.actor, self.pupil, [kept]).get(kept) or _(
                "An outcome no longer in the plan"
            )
            outcomes.append((kept, text))
        return outcomes

    def get_initial(self):
        note = self.object
        return versioned_initial(
            note,
            text=note.text,
            happened_on=note.happened_on,
            outcome=str(note.outcome) if note.outcome else NO_OUTCOME,
            visibility=note.visibility,
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(editing=True, note=self.object, **kwargs)

    def form_valid(self, form):
        try:
            notes.note_update(
                actor=self.actor,
                note=self.object,
                expected_version=form.cleaned_data["lock_version"],
                **form.service_arguments(),
            )
        except ValidationError as error:
            if is_stale(error):
                return self.stale_response(error)
            form_error_from(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Note saved."))
        return redirect(timeline_url(self.pupil))

    def stale_response(self, error):
        """Someone saved first: show what was typed with their version's lock, so saving again replaces theirs."""
        self.object = self.get_queryset().get(pk=self.object.pk)
        data = self.request.POST.copy()
        data["lock_version"] = str(self.object.lock_version)
        form = self.get_form_class()(**{**self.get_form_kwargs(), "data": data})
        form.is_valid()
        form_error_from(form, error)
        return self.render_to_response(self.get_context_data(form=form))
