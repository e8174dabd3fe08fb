"""Forms of the pupil-voice mode: choosing the version, the child's own form, keeping views from parents."""

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from waymark.core.forms import StaleSaveGuard

from .pupil_voice import FACE_CHOICES, FACES, MAX_ANSWER_LENGTH, STYLE_CHOICES, Style, questions_for

FIELD_TEMPLATE = "plans/pupil_voice_field.html"


class PupilVoiceStartForm(forms.Form):
    style = forms.ChoiceField(
        label=_("Which version of the form?"),
        choices=STYLE_CHOICES,
        widget=forms.RadioSelect,
        help_text=_("Choose what suits the pupil best, whatever their age."),
        error_messages={"required": _("Select the version of the form for younger or older pupils")},
    )


class FacesWidget(forms.RadioSelect):
    """Five large faces from very sad to very happy, each with its words: never a picture alone."""

    template_name = "plans/pupil_voice_faces.html"


class PupilVoiceForm(forms.Form):
    """The child's questions for one style. Every question may be skipped; the service wants one answer."""

    def __init__(self, *args, style, **kwargs):
        super().__init__(*args, **kwargs)
        self.style = Style(style)
        younger = self.style == Style.YOUNGER
        too_long = _("This answer is too long. Please make it a bit shorter.")
        for question in questions_for(style):
            if question.kind == FACES:
                field = forms.ChoiceField(
                    label=question.text,
                    choices=FACE_CHOICES,
                    required=False,
                    widget=FacesWidget,
                    template_name=FIELD_TEMPLATE,
                )
            else:
                field = forms.CharField(
                    label=question.text,
                    required=False,
                    help_text=question.hint,
                    strip=True,
                    validators=[MaxLengthValidator(MAX_ANSWER_LENGTH, message=too_long)],
                    widget=forms.Textarea(
                        attrs={
                            "rows": 4 if younger else 5,
                            "spellcheck": "true",
                            "class": "waymark-voice__textarea" if younger else "",
                        }
                    ),
                    template_name=FIELD_TEMPLATE,
                )
            field.younger = younger
            self.fields[question.key] = field


class PupilVoiceVisibilityForm(StaleSaveGuard):
    hidden_from_parents = forms.TypedChoiceField(
        choices=(("yes", _("Keep from parents")), ("no", _("Show to parents"))),
        coerce=lambda value: value == "yes",
        widget=forms.HiddenInput,
    )
