"""Forms for archiving, legal holds and the retention setting."""

from django import forms
from django.utils.translation import gettext_lazy as _

from waymark.core.forms import StaleSaveGuard


class ArchiveForm(StaleSaveGuard):
    """Archiving or restoring asks nothing: the record's version guards against a stale page."""


class LegalHoldForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the record being kept?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For example, a claim against the school, an inquiry or a safeguarding review. "
            "Only those who administer the school's records see this."
        ),
        error_messages={"required": _("Give the reason for the legal hold.")},
    )


class LiftHoldForm(forms.Form):
    """Lifting asks nothing more: the page says what it means."""


class RetentionSettingsForm(StaleSaveGuard):
    years_after_birth = forms.IntegerField(
        label=_("Keep a pupil's record until their date of birth plus how many years?"),
        min_value=18,
        max_value=100,
        help_text=_("Commonly 31 years for SEN records. Between 18 and 100."),
        widget=forms.TextInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "required": _("Enter the number of years"),
            "invalid": _("The number of years must be a whole number, like 31"),
            "min_value": _("The number of years must be 18 or more"),
            "max_value": _("The number of years must be 100 or fewer"),
        },
    )


class ArchiveSearchForm(forms.Form):
    q = forms.CharField(label=_("Search by name or UPN"), required=False, max_length=100)
