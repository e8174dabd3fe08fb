"""Forms for notes, documents and the timeline filter. The services decide what may be saved."""

from django import forms
from django.utils.translation import gettext_lazy as _

from waymark.core.forms import StaleSaveGuard
from waymark.core.forms.fields import GovukDateField

from .models import Document
from .selectors import visibility_choices_for
from .uploads import max_upload_bytes, size_label

DATE_HINT = _("For example, 27 3 2027")
NO_OUTCOME = ""


def note_visibility_choices(actor):
    return visibility_choices_for(
        actor,
        staff_label=_("Staff only: the family does not see it"),
        everyone_label=_("Staff and the family: the family can see this too"),
        restricted_label=_("Restricted: the SENCO and the DSL only"),
    )


def document_visibility_choices(actor):
    return visibility_choices_for(
        actor,
        staff_label=_("Staff only: the family does not see it"),
        everyone_label=_(
            "Staff and the family: the family, and outside specialists allowed to see documents, can see it too"
        ),
        restricted_label=_("Restricted: the SENCO and the DSL only"),
    )


class NoteForm(forms.Form):
    """A note. ``outcomes`` are ``(lineage, text)`` pairs the note may be about."""

    use_required_attribute = False

    text = forms.CharField(
        label=_("Note"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Enter the note")},
    )
    happened_on = GovukDateField(
        label=_("Date"),
        help_text=DATE_HINT,
        noun=_("date of the note"),
        error_messages={"required": _("Enter the date of the note")},
    )
    outcome = forms.ChoiceField(
        label=_("Is it about one of the outcomes in the plan?"),
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose an outcome from this pupil's plan.")},
    )
    visibility = forms.ChoiceField(
        label=_("Who can see this note?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who can see this note")},
    )

    def __init__(self, *args, actor, outcomes, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(lineage), text) for lineage, text in outcomes]
        self.fields["outcome"].choices = [(NO_OUTCOME, _("No, not about one outcome")), *choices]
        self.fields["visibility"].choices = note_visibility_choices(actor)

    def service_arguments(self):
        data = self.cleaned_data
        return {
            "text": data["text"],
            "happened_on": data["happened_on"],
            "outcome": data["outcome"] or None,
            "visibility": data["visibility"],
        }


class NoteEditForm(StaleSaveGuard, NoteForm):
    """A note being changed: it carries the version it was opened on, so a stale save is refused."""


class DocumentUploadForm(forms.Form):
    use_required_attribute = False

    upload = forms.FileField(
        label=_("Upload a file"),
        widget=forms.FileInput(attrs={"accept": ".pdf,.docx,.jpg,.jpeg,.png"}),
        error_messages={"required": _("Select a file"), "empty": _("The selected file is empty.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("For example, Speech and language therapy report"),
        error_messages={"required": _("Enter a title")},
    )
    kind = forms.ChoiceField(
        label=_("What kind of document is it?"),
        choices=Document.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what kind of document it is")},
    )
    written_on = GovukDateField(
        label=_("Date of the document"),
        help_text=_("The date it was written or the photo was taken. For example, 27 3 2027"),
        error_messages={"required": _("Enter the date of the document")},
    )
    author = forms.CharField(
        label=_("Written by (optional)"),
        required=False,
        max_length=150,
        help_text=_("For example, Dr Ada Okonkwo, Educational Psychologist"),
    )
    visibility = forms.ChoiceField(
        label=_("Who can see this document?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who can see this document")},
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        limit = size_label(max_upload_bytes())
        self.fields["upload"].help_text = _("A PDF, Word (.docx), JPEG or PNG file, smaller than %(limit)s") % {
            "limit": limit
        }
        self.fields["visibility"].choices = document_visibility_choices(actor)


class DocumentEditForm(StaleSaveGuard):
    use_required_attribute = False

    visibility = forms.ChoiceField(
        label=_("Who can see this document?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who can see this document")},
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visibility"].choices = document_visibility_choices(actor)


class TimelineFilterForm(forms.Form):
    """Notes about one outcome. An outcome that is not in the list shows everything."""

    ALL = "all"
    use_required_attribute = False

    outcome = forms.ChoiceField(
        label=_("Show"),
        error_messages={"invalid_choice": _("Choose an outcome from the list"), "required": _("Choose what to show")},
    )

    def __init__(self, *args, outcomes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [
            (self.ALL, _("All notes and documents")),
            *((str(lineage), _("Notes about: %(outcome)s") % {"outcome": text}) for lineage, text in outcomes),
        ]

    def chosen_outcome(self):
        if self.is_valid() and self.cleaned_data["outcome"] != self.ALL:
            return self.cleaned_data["outcome"]
        return None
