"""Forms for pupils, SEN status, needs and parent links. Choices come from restricted querysets."""

from django import forms
from django.utils.translation import gettext_lazy as _

from waymark.core.forms import StaleSaveGuard
from waymark.core.forms.fields import GovukDateField
from waymark.core.models import Visibility
from waymark.schools.models import YEAR_GROUP_CHOICES

from .models import NeedType, ParentLink, Provision, Sex, Tier
from .upn import UPNError, validate_upn

CURRENT_PROVISIONS = [(code, label) for code, label in Provision.choices if code in ("N", "K", "E")]


class PupilForm(forms.Form):
    legal_forename = forms.CharField(label=_("Legal first name"), max_length=100)
    legal_surname = forms.CharField(label=_("Legal last name"), max_length=100)
    preferred_name = forms.CharField(
        label=_("Preferred first name (optional)"),
        max_length=100,
        required=False,
        help_text=_("The name the pupil likes to be called, if different"),
    )
    pronouns = forms.CharField(label=_("Pronouns (optional)"), max_length=40, required=False)
    upn = forms.CharField(
        label=_("Unique pupil number (UPN) (optional)"),
        max_length=20,
        required=False,
        help_text=_("13 characters, for example A123456789012. Leave blank if the child does not have one."),
    )
    date_of_birth = GovukDateField(label=_("Date of birth"), help_text=_("For example, 27 3 2016"))
    year_group = forms.TypedChoiceField(label=_("Year group"), choices=YEAR_GROUP_CHOICES, coerce=int)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    date_joined = GovukDateField(label=_("Date joined the school"))
    date_left = GovukDateField(label=_("Date left the school (optional)"), required=False)

    def clean_upn(self):
        value = self.cleaned_data["upn"]
        if not value.strip():
            return ""
        try:
            return validate_upn(value)
        except UPNError as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self):
        data = super().clean()
        born, joined, left = data.get("date_of_birth"), data.get("date_joined"), data.get("date_left")
        if born and joined and joined < born:
            self.add_error("date_joined", _("The date they joined must be after their date of birth."))
        if joined and left and left < joined:
            self.add_error("date_left", _("The date they left must be after the date they joined."))
        return data


class PupilCreateForm(PupilForm):
    provision = forms.ChoiceField(
        label=_("SEN provision"), choices=CURRENT_PROVISIONS, initial="N", widget=forms.RadioSelect
    )
    tier = forms.ChoiceField(
        label=_("Tier of support"), choices=Tier.choices, initial="universal", widget=forms.RadioSelect
    )


class PupilEditForm(StaleSaveGuard, PupilForm):
    pass


class SenStatusForm(StaleSaveGuard):
    provision = forms.ChoiceField(label=_("SEN provision"), choices=CURRENT_PROVISIONS, widget=forms.RadioSelect)
    tier = forms.ChoiceField(label=_("Tier of support"), choices=Tier.choices, widget=forms.RadioSelect)
    starts_on = GovukDateField(label=_("Start date"), help_text=_("The date the new provision and tier apply from"))


class NeedForm(forms.Form):
    need_type = forms.ModelChoiceField(
        label=_("Type of need"),
        queryset=NeedType.objects.filter(is_active=True).select_related("area"),
        empty_label=_("Choose a type of need"),
        error_messages={"invalid_choice": _("Choose a type of need from the list.")},
    )
    rank = forms.IntegerField(
        label=_("Rank"), min_value=1, max_value=9, help_text=_("1 for the primary need, 2 for the secondary need")
    )
    description = forms.CharField(
        label=_("Description (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How this need shows itself for this pupil, in plain English"),
    )
    visibility = forms.ChoiceField(
        label=_("Who can see the description"),
        choices=Visibility.choices,
        initial=Visibility.EVERYONE,
        widget=forms.RadioSelect,
    )
    starts_on = GovukDateField(label=_("Date identified (optional)"), required=False)

    def __init__(self, *args, can_restrict=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_restrict:
            self.fields["visibility"].choices = [c for c in Visibility.choices if c[0] != Visibility.RESTRICTED]


class NeedEditForm(StaleSaveGuard, NeedForm):
    pass


class NeedEndForm(StaleSaveGuard):
    ends_on = GovukDateField(label=_("No longer a need from"))


class ParentLinkStatusForm(StaleSaveGuard):
    status = forms.ChoiceField(
        label=_("Status of this link"),
        choices=ParentLink.Status.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Restricted or suspended removes every page and email about this child from this parent straight away."
        ),
    )
    status_reason = forms.CharField(
        label=_("Reason (seen only by the SENCO and DSL)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("status")
            and data["status"] != ParentLink.Status.ACTIVE
            and not data.get("status_reason", "").strip()
        ):
            self.add_error("status_reason", _("Give the reason this link is restricted or suspended."))
        return data


class RegisterFilterForm(forms.Form):
    """The register's filters; bad values are ignored rather than shown as errors."""

    q = forms.CharField(label=_("Search by name or UPN"), required=False, max_length=100)
    provision = forms.ChoiceField(
        label=_("Provision"),
        required=False,
        choices=[
            ("register", _("On the register (K and E)")),
            ("K", _("K – SEN support")),
            ("E", _("E – EHC plan")),
            ("N", _("N – No SEN")),
            ("all", _("All pupils")),
        ],
    )
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=[("", _("Any tier")), *list(Tier.choices)])
    year_group = forms.TypedChoiceField(
        label=_("Year group"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any year group")), *YEAR_GROUP_CHOICES],
    )
    need = forms.ChoiceField(label=_("Need"), required=False)
    group = forms.ChoiceField(label=_("Class or group"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("name", _("Name (A to Z)")),
            ("-name", _("Name (Z to A)")),
            ("year", _("Year group (youngest first)")),
            ("-year", _("Year group (oldest first)")),
        ],
    )

    def __init__(self, *args, groups=(), need_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].choices = [("", _("Any need"))] + [(n.code, f"{n.code} – {n.name}") for n in need_types]
        self.fields["group"].choices = [("", _("Any class or group"))] + [(str(g.public_id), g.name) for g in groups]
