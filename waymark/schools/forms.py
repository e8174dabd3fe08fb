from django import forms
from django.utils.translation import gettext_lazy as _

from waymark.core.forms import StaleSaveGuard
from waymark.core.forms.fields import GovukDateField

from .models import YEAR_GROUP_CHOICES, Role


class RolesMixin(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose every role this person has. A head who is also the SENCO has both."),
        error_messages={"required": _("Choose at least one role.")},
    )
    year_groups = forms.TypedMultipleChoiceField(
        label=_("Year groups led (heads of year only)"),
        choices=YEAR_GROUP_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self):
        data = super().clean()
        if Role.HEAD_OF_YEAR in data.get("roles", []) and not data.get("year_groups"):
            self.add_error("year_groups", _("Choose the year groups a head of year leads."))
        return data


class StaffInviteForm(RolesMixin):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("Email address"), help_text=_("We will send the invitation to this address"))

    field_order = ["full_name", "email", "roles", "year_groups"]


class MembershipForm(StaleSaveGuard, RolesMixin):
    ends_on = GovukDateField(
        label=_("Last day of access (optional)"),
        required=False,
        help_text=_("For someone leaving the school. They lose access after this day."),
    )


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    password = forms.CharField(
        label=_("Create a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. A passphrase of three or four words is easy to remember."),
    )

    def clean_password(self):
        from django.contrib.auth.password_validation import validate_password

        password = self.cleaned_data["password"]
        validate_password(password)
        return password


class AcademicYearForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=20, help_text=_("For example, 2027 to 2028"))
    starts_on = GovukDateField(label=_("First day"))
    ends_on = GovukDateField(label=_("Last day"))

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] <= data["starts_on"]:
            self.add_error("ends_on", _("The last day must be after the first day."))
        return data


class TermForm(AcademicYearForm):
    name = forms.CharField(label=_("Name"), max_length=50, help_text=_("For example, Spring term"))


class RolloverForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have checked the preview and want to move pupils up a year"),
        error_messages={"required": _("Confirm you have checked the preview.")},
    )
