"""Forms for sharing a pupil with an outside specialist, accepting the link, and adding a report.

Forms check what a person typed; ``evidence.shares`` decides what may be saved (dates
within a year, at least one thing shared, no second open share for the same address).
"""

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from waymark.core.forms.fields import GovukDateField

from .forms import DATE_HINT
from .models import Share
from .uploads import max_upload_bytes, size_label

# Staff type someone else's details here: the browser must not offer their own.
NOT_MINE = {"autocomplete": "off"}

PLAN, DOCUMENTS, REPORT = "plan", "documents", "report"
ACCESS_CHOICES = [
    (PLAN, _("The plan in force (the parts everyone who can see the plan may read)")),
    (DOCUMENTS, _("Documents and reports the school lets them see")),
    (REPORT, _("They may add a report or recommendations")),
]


class ShareCreateForm(forms.Form):
    email = forms.EmailField(
        label=_("Their email address"),
        widget=forms.EmailInput(attrs=NOT_MINE),
        help_text=_("We will email a link to this address. It works once, for this address only."),
        error_messages={"required": _("Enter their email address")},
    )
    full_name = forms.CharField(
        label=_("Their name"),
        max_length=150,
        widget=forms.TextInput(attrs=NOT_MINE),
        error_messages={"required": _("Enter their name")},
    )
    service = forms.CharField(
        label=_("Their service"),
        max_length=150,
        help_text=_("For example, Educational Psychology or Speech and Language Therapy"),
        error_messages={"required": _("Enter their service")},
    )
    starts_on = GovukDateField(
        label=_("From"), help_text=DATE_HINT, error_messages={"required": _("Enter the date the share starts")}
    )
    expires_on = GovukDateField(
        label=_("Until"),
        help_text=_("Their access ends after this day. Up to a year from today. For example, 27 3 2027"),
        error_messages={"required": _("Enter the date the share ends")},
    )
    access = forms.MultipleChoiceField(
        label=_("What they may see and do"),
        choices=ACCESS_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Select all that apply. Staff-only and restricted parts are never shared."),
        error_messages={"required": _("Select what they may see or do")},
    )
    lawful_basis_kind = forms.ChoiceField(
        label=_("Why you may share this pupil's record"),
        choices=Share.LawfulBasis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select why you may share this pupil's record")},
    )
    lawful_basis = forms.CharField(
        label=_("Details of the consent or other lawful basis"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who gave consent and when, or the lawful basis and why it applies."),
        error_messages={"required": _("Enter the details of the consent or other lawful basis")},
    )

    def service_arguments(self):
        """The cleaned data as ``shares.share_create`` takes it."""
        data = dict(self.cleaned_data)
        access = set(data.pop("access"))
        data.update(can_see_plan=PLAN in access, can_see_documents=DOCUMENTS in access, can_add_report=REPORT in access)
        return data


class ShareEndForm(forms.Form):
    """No fields: the button says what it does; the form carries the CSRF token."""


class ShareAcceptForm(forms.Form):
    """For the invited account, signed in: the button alone."""


class ShareAccountForm(forms.Form):
    """For someone with no account yet: their name and a password. The address is the one the link went to."""

    full_name = forms.CharField(
        label=_("Your full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Enter your full name")},
    )
    password = forms.CharField(
        label=_("Create a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. A passphrase of three or four words is easy to remember."),
        error_messages={"required": _("Create a password")},
    )

    def clean_password(self):
        password = self.cleaned_data["password"]
        validate_password(password)
        return password


class SharedReportForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("For example, Educational psychology assessment, March 2027"),
        error_messages={"required": _("Enter a title")},
    )
    written_on = GovukDateField(
        label=_("Date of the report"),
        help_text=DATE_HINT,
        past_or_today=True,
        error_messages={"required": _("Enter the date of the report")},
    )
    upload = forms.FileField(
        label=_("Your report"),
        error_messages={"required": _("Choose the file of your report")},
    )
    recommendations = forms.CharField(
        label=_("Your recommendations (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What you recommend the school does. Staff see these beside your report."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["upload"].help_text = _("A PDF, a Word document or a photo, up to %(size)s.") % {
            "size": size_label(max_upload_bytes())
        }
