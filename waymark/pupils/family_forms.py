"""Forms for parents' contact records, inviting them, and accepting an invitation."""

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from waymark.core.forms import StaleSaveGuard
from waymark.schools.models import YEAR_GROUP_CHOICES

from .invitations import code_looks_right, normalise_code
from .models import ParentLink

YES_NO = [("True", _("Yes")), ("False", _("No"))]
CONTACT_WAYS = [("email", _("Email")), ("phone", _("Phone")), ("post", _("Letter"))]
# Staff type someone else's details here: the browser must not offer their own.
NOT_MINE = {"autocomplete": "off"}


def _yes(value):
    return value == "True"


class TelInput(forms.TextInput):
    input_type = "tel"


class ParentContactForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150, widget=forms.TextInput(attrs=NOT_MINE))
    relationship = forms.ChoiceField(
        label=_("Relationship to the child"), choices=ParentLink.Relationship.choices, widget=forms.RadioSelect
    )
    parental_responsibility = forms.TypedChoiceField(
        label=_("Do they have parental responsibility?"),
        choices=YES_NO,
        coerce=_yes,
        initial="True",
        widget=forms.RadioSelect,
    )
    email = forms.EmailField(
        label=_("Email address (optional)"),
        required=False,
        widget=forms.EmailInput(attrs=NOT_MINE),
        help_text=_("Leave blank if they do not use email. They need one to be invited to see the plan online."),
    )
    phone = forms.CharField(
        label=_("Phone number (optional)"), max_length=30, required=False, widget=TelInput(attrs=NOT_MINE)
    )
    address = forms.CharField(
        label=_("Postal address (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, **NOT_MINE}),
    )
    contact_by = forms.MultipleChoiceField(
        label=_("How would they like to be contacted? (optional)"),
        choices=CONTACT_WAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Select all that apply."),
    )
    language = forms.CharField(
        label=_("Preferred language (optional)"),
        max_length=60,
        required=False,
        help_text=_("Leave blank for English."),
    )
    needs_interpreter = forms.TypedChoiceField(
        label=_("Do they need an interpreter?"), choices=YES_NO, coerce=_yes, initial="False", widget=forms.RadioSelect
    )
    preferred_format = forms.ChoiceField(
        label=_("Preferred format for letters and the plan"),
        choices=ParentLink.Format.choices,
        initial=ParentLink.Format.STANDARD,
        widget=forms.RadioSelect,
    )
    access_needs = forms.CharField(
        label=_("Other access needs (optional)"),
        max_length=300,
        required=False,
        help_text=_("For example, a hearing loop, step-free access, or more time in meetings."),
    )

    def contact_fields(self):
        """The cleaned data as the contact services take it."""
        data = dict(self.cleaned_data)
        data.pop("lock_version", None)
        ways = set(data.pop("contact_by"))
        data.update(contact_by_email="email" in ways, contact_by_phone="phone" in ways, contact_by_post="post" in ways)
        return data


def contact_initial(link):
    chosen = (("email", link.contact_by_email), ("phone", link.contact_by_phone), ("post", link.contact_by_post))
    ways = [way for way, on in chosen if on]
    return {
        "full_name": link.full_name,
        "relationship": link.relationship,
        "parental_responsibility": str(link.parental_responsibility),
        "email": link.email,
        "phone": link.phone,
        "address": link.address,
        "contact_by": ways,
        "language": link.language,
        "needs_interpreter": str(link.needs_interpreter),
        "preferred_format": link.preferred_format,
        "access_needs": link.access_needs,
        "lock_version": link.lock_version,
    }


class ParentContactEditForm(StaleSaveGuard, ParentContactForm):
    pass


class ParentInviteForm(forms.Form):
    """No fields: the button says what it does; the form carries the CSRF token."""


class InviteFilterForm(forms.Form):
    """The invite-many list's filters; bad values are ignored rather than shown as errors."""

    year_group = forms.TypedChoiceField(
        label=_("Year group"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All year groups")), *YEAR_GROUP_CHOICES],
    )
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("not_invited", _("Not invited yet")),
            ("all", _("Everyone who can be invited, including those invited already")),
        ],
    )


def invite_label(link, pending=None):
    """One line per parent in the list: who, whose parent, where the email goes, how to contact them."""
    parts = [
        f"{link.full_name} ({link.get_relationship_display()})",
        str(_("parent or carer of %(child)s, %(year)s"))
        % {"child": link.pupil.full_name, "year": link.pupil.year_group_label},
        link.email,
    ]
    if link.contact_needs:
        parts.append(link.contact_needs)
    if pending is not None:
        parts.append(
            str(_("invited on %(date)s")) % {"date": date_format(timezone.localtime(pending.created_at), "j F Y")}
        )
    return " – ".join(parts)


class ParentInviteManyForm(forms.Form):
    links = forms.MultipleChoiceField(
        label=_("Parents and carers to invite"),
        help_text=_("Select everyone on this page you want to invite, then send the invitations."),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Select at least one parent or carer to invite."),
            "invalid_choice": _("Select parents and carers from the list."),
        },
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["links"].choices = list(choices)


class InvitationCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your letter"),
        max_length=20,
        help_text=_(
            "8 letters and numbers, for example K7QM-3XDP. It is in the letter from the school, not in the email."
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "characters",
                "class": "govuk-input--width-10",
            }
        ),
        error_messages={"required": _("Enter the code from your letter")},
    )

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if not code_looks_right(code):
            raise forms.ValidationError(
                _("Enter the code exactly as it is in the letter: 8 letters and numbers, like K7QM-3XDP")
            )
        return code


class InvitationAccountForm(InvitationCodeForm):
    """For someone with no account yet: the code, and their name and a password."""

    full_name = forms.CharField(
        label=_("Your full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password = forms.CharField(
        label=_("Create a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. A passphrase of three or four words is easy to remember."),
    )

    def clean_password(self):
        password = self.cleaned_data["password"]
        validate_password(password)
        return password
