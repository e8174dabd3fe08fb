"""Forms for parents' words: their views, their response to a shared plan, their requests,
and the same things recorded by staff on their behalf.

Forms only check what was typed; the services in ``plans.family`` decide what is saved.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .family import DISAGREE_COMMENT_MESSAGE, EMPTY_VIEWS_MESSAGE, MAX_TEXT, STAFF_CHANNELS
from .models import ContributionChannel, ParentRequest

AGREE, DISAGREE = "yes", "no"


def _text(label, *, help_text="", rows=5, max_length=MAX_TEXT, required=False):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": _("Write %(limit_value)d characters or fewer")},
    )


def _channel_field():
    return forms.ChoiceField(
        label=_("How did they give it?"),
        choices=[(value, label) for value, label in ContributionChannel.choices if value in STAFF_CHANNELS],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select how they gave it: at a meeting, on paper or by phone"),
            "invalid_choice": _("Select how they gave it: at a meeting, on paper or by phone"),
        },
    )


class ViewsForm(forms.Form):
    """A parent's views before a review. Any one answer is enough."""

    going_well = _text(_("What is going well at home"))
    worries = _text(_("What worries us"))
    would_like = _text(_("What we would like to happen"))

    def clean(self):
        data = super().clean()
        answers = (data.get(name) or "" for name in ("going_well", "worries", "would_like"))
        if not self.errors and not any(answer.strip() for answer in answers):
            raise ValidationError(EMPTY_VIEWS_MESSAGE, code="empty")
        return data


class RecordViewsForm(ViewsForm):
    """Staff write down views a parent gave at a meeting, on paper or by phone."""

    field_order = ["given_via", "going_well", "worries", "would_like"]

    given_via = _channel_field()


class ResponseForm(forms.Form):
    """Agree or disagree with the version shared for agreement. Carries that version's id."""

    version = forms.UUIDField(widget=forms.HiddenInput)
    agrees = forms.ChoiceField(
        label=_("Do you agree with this plan?"),
        choices=[(AGREE, _("I agree")), (DISAGREE, _("I do not agree"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select whether you agree with the plan"),
            "invalid_choice": _("Select whether you agree with the plan"),
        },
    )
    comment = _text(
        _("Comments"),
        help_text=_("If you do not agree, tell us what you do not agree with and what you would change."),
    )

    def clean(self):
        data = super().clean()
        if data.get("agrees") == DISAGREE and not (data.get("comment") or "").strip():
            self.add_error("comment", DISAGREE_COMMENT_MESSAGE)
        return data

    @property
    def agrees_value(self):
        return self.cleaned_data.get("agrees") == AGREE


class RecordResponseForm(ResponseForm):
    """Staff record agreement or disagreement given at a meeting, on paper or by phone."""

    field_order = ["version", "given_via", "agrees", "comment"]

    given_via = _channel_field()

    def __init__(self, *args, parent_name="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agrees"].label = _("Does %(name)s agree with this plan?") % {"name": parent_name}
        self.fields["agrees"].choices = [(AGREE, _("They agree")), (DISAGREE, _("They do not agree"))]
        self.fields["agrees"].error_messages["required"] = _("Select whether they agree with the plan")
        self.fields["comment"].help_text = _("What they said, in their words where you can. Needed if they disagree.")


class RequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What would you like?"),
        choices=ParentRequest.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select what you would like"), "invalid_choice": _("Select what you would like")},
    )
    message = _text(
        _("Anything you want to tell the school"),
        help_text=_("For example, days or times that suit you, or where to send a paper copy."),
        rows=4,
    )


class ReplyForm(forms.Form):
    reply = _text(
        _("Your reply"),
        help_text=_("The parent or carer will see this reply on their page. It cannot be changed once sent."),
        rows=6,
        required=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reply"].error_messages["required"] = _("Enter your reply")


class SharingForm(forms.Form):
    shared = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1")
