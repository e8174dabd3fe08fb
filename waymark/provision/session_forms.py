"""Forms for logging a session: what happened, who came or why it was cancelled, and a short note.

Built for a phone: two large radios, each revealing its own follow-up question (who came;
why it was cancelled). Without JavaScript both follow-ups show, and the reason is checked
on the server whatever the browser did.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from waymark.core.forms import StaleSaveGuard
from waymark.core.forms.fields import GovukDateField

from .models import SessionLog
from .sessions import NOTE_MAX_LENGTH

# The only page a quick log from the "today" page goes back to.
RETURN_TO_TODAY = "today"


class ReturnToField(forms.CharField):
    """Where to go after saving: the "today" page, or (anything else) the page's usual place."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        return RETURN_TO_TODAY if value == RETURN_TO_TODAY else ""


class RevealingRadioSelect(forms.RadioSelect):
    """GOV.UK radios whose options each carry a follow-up question, shown once the option is chosen.

    ``reveals`` maps an option's value to a callable giving the rendered follow-up; the
    core radios template puts it in a ``govuk-radios__conditional`` block after the option.
    ``provision/reveal.js`` hides the blocks of options not chosen. It is not GOV.UK
    Frontend's own conditional reveal, which sets ``aria-expanded`` on the radios: ARIA
    does not allow that attribute on a radio, and axe-core fails the page for it.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reveals = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        reveal = self.reveals.get(str(value))
        if reveal is not None and option["attrs"].get("id"):
            option["conditional_id"] = f"{option['attrs']['id']}-conditional"
            option["attrs"]["data-waymark-reveals"] = option["conditional_id"]
            option["conditional"] = reveal()
        return option


class FollowUp:
    """A follow-up question: not labelled "(optional)", since its radio needs it, but empty is checked by the
    form's ``clean`` (a reason) or the service (who came), which know which radio was chosen."""

    def validate(self, value):
        if value in self.empty_values:
            return
        super().validate(value)


class PupilChoiceField(FollowUp, forms.MultipleChoiceField):
    """Pupils ticked by public id. Whether each was in the group on the day is the service's to say, by name."""

    def valid_value(self, value):
        return True


class FollowUpChoiceField(FollowUp, forms.ChoiceField):
    pass


class SessionLogForm(forms.Form):
    """What happened at one session. ``members`` are the pupils in the group on the day.

    Pupils are chosen by public id, never by key. The follow-up fields render inside the
    status radios, so the form's own field list leaves them out.
    """

    status = forms.ChoiceField(
        label=_("What happened?"),
        choices=SessionLog.Status.choices,
        widget=RevealingRadioSelect,
        error_messages={"required": _("Select whether the session was delivered or cancelled")},
    )
    attended = PupilChoiceField(
        label=_("Who came?"),
        help_text=_("Untick anyone who was away."),
        widget=forms.CheckboxSelectMultiple,
    )
    cancel_reason = FollowUpChoiceField(
        label=_("Why was it cancelled?"),
        choices=SessionLog.CancelReason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        help_text=_("For example, what went well or what to pick up next time. Staff who run the group see it."),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    return_to = ReturnToField()

    FOLLOW_UPS = ("attended", "cancel_reason")

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        self.fields["attended"].choices = [(str(pupil.public_id), pupil.full_name) for pupil in self.members]
        if not self.is_bound and "attended" not in self.initial:
            # Most pupils come: everyone is ticked, and the person logging unticks who was away.
            self.initial["attended"] = [str(pupil.public_id) for pupil in self.members]
        reveals = {SessionLog.Status.CANCELLED: lambda: self["cancel_reason"].as_field_group()}
        if self.members:
            reveals[SessionLog.Status.DELIVERED] = lambda: self["attended"].as_field_group()
        else:
            self.fields["attended"].widget = forms.MultipleHiddenInput()
        self.fields["status"].widget.reveals = {str(value): render for value, render in reveals.items()}

    def get_context(self):
        context = super().get_context()
        context["fields"] = [
            (field, errors) for field, errors in context["fields"] if field.name not in self.FOLLOW_UPS
        ]
        return context

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == SessionLog.Status.CANCELLED and not cleaned.get("cancel_reason"):
            self.add_error("cancel_reason", _("Select why the session was cancelled"))
        return cleaned

    def service_arguments(self):
        data = self.cleaned_data
        return {
            "status": data["status"],
            "cancel_reason": data.get("cancel_reason") or "",
            "note": data.get("note") or "",
            "attended_pupil_ids": data.get("attended") or [],
        }


class SessionCorrectForm(StaleSaveGuard, SessionLogForm):
    """A logged session, changed; ``lock_version`` refuses a save over someone else's change."""


class SessionDateForm(forms.Form):
    """Which day to log, when the page was opened without one."""

    date = GovukDateField(label=_("Which day was the session?"), help_text=_("For example, 4 3 2027"))
    return_to = ReturnToField()


class DeliveryPeriodForm(forms.Form):
    """The term filter on a pupil's provision delivered: the whole school year, or one of its terms."""

    term = forms.ChoiceField(label=_("Show"), required=False)

    def __init__(self, *args, terms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].choices = [("", _("The whole school year"))] + [
            (term.term_id, term.label) for term in terms
        ]
