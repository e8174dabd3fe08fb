"""Forms for costing settings, staff roles, other costs and the provision map's filters."""

from decimal import Decimal

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from waymark.core.forms import StaleSaveGuard
from waymark.schools.models import YEAR_GROUP_CHOICES

from .models import Funding, OtherCost


class MoneyInput(forms.TextInput):
    """GOV.UK asks for a text input, not type=number, for amounts."""

    def __init__(self, attrs=None):
        super().__init__(
            {"class": "govuk-input--width-10", "inputmode": "decimal", "spellcheck": "false", **(attrs or {})}
        )


class MoneyField(forms.DecimalField):
    """An amount in pounds; a typed "£" and thousands commas are allowed and ignored."""

    widget = MoneyInput

    def __init__(self, *, noun, **kwargs):
        kwargs.setdefault("max_digits", 9)
        kwargs.setdefault("decimal_places", 2)
        messages = {
            "required": format_lazy(_("Enter {noun}"), noun=noun),
            "invalid": format_lazy(_("Enter {noun} in pounds, like 120 or 120.50"), noun=noun),
            "max_decimal_places": format_lazy(_("Enter {noun} to the nearest penny"), noun=noun),
            "max_digits": _("Enter an amount of less than £10,000,000"),
            "max_whole_digits": _("Enter an amount of less than £10,000,000"),
            **kwargs.pop("error_messages", {}),
        }
        super().__init__(error_messages=messages, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace("£", "").replace(",", "").replace(" ", "")
        return super().to_python(value)

    def widget_attrs(self, widget):
        # DecimalField adds a "step" meant for number inputs; a text input needs none.
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        return attrs


class CostingSettingsForm(StaleSaveGuard):
    use_required_attribute = False

    school_weeks = forms.IntegerField(
        label=_("Weeks in the school year"),
        help_text=_("Used when no terms are entered for the year, and as the most weeks any group is costed for."),
        min_value=1,
        max_value=52,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "required": _("Enter the weeks in the school year"),
            "invalid": _("Enter the weeks in the school year as a whole number, like 38"),
            "min_value": _("The weeks in the school year must be 1 or more"),
            "max_value": _("The weeks in the school year must be 52 or fewer"),
        },
    )
    notional_threshold = MoneyField(
        noun=_("the threshold"),
        label=_("Notional SEN threshold a pupil (£)"),
        help_text=_(
            "Pupils whose provision costs more than this a year are flagged on the provision map. "
            "Schools usually pay up to £6,000 a pupil from their notional SEN budget "
            "before the local authority tops up."
        ),
        min_value=Decimal("0"),
        error_messages={"min_value": _("Enter a threshold of £0 or more")},
    )


class StaffRoleForm(forms.Form):
    use_required_attribute = False

    name = forms.CharField(
        label=_("Role"),
        max_length=100,
        help_text=_("For example, Teaching assistant or Higher level teaching assistant"),
        error_messages={"required": _("Enter the role")},
    )
    hourly_cost = MoneyField(
        noun=_("the cost an hour"),
        label=_("Cost an hour (£)"),
        help_text=_("Pay with on-costs (National Insurance and pension), in pounds"),
        min_value=Decimal("0"),
        max_digits=7,
        error_messages={
            "min_value": _("Enter a cost an hour of £0 or more"),
            "max_digits": _("Enter a cost an hour of less than £100,000"),
            "max_whole_digits": _("Enter a cost an hour of less than £100,000"),
        },
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)


class CostForm(forms.Form):
    """A cost for one group or one pupil: one list holds both, under their own headings."""

    use_required_attribute = False

    for_whom = forms.ChoiceField(
        label=_("What is the cost for?"),
        help_text=_("A group's cost is shared by the pupils in it. Choose a pupil for a cost that is theirs alone."),
        error_messages={
            "required": _("Choose a group or a pupil the cost is for"),
            "invalid_choice": _("Choose a group or a pupil from the list"),
        },
    )
    kind = forms.ChoiceField(
        label=_("Kind of cost"),
        choices=OtherCost.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the kind of cost")},
    )
    description = forms.CharField(
        label=_("What it is"),
        max_length=200,
        help_text=_("For example, Reading books for the group or Speech and language therapy, 6 visits"),
        error_messages={"required": _("Enter what the cost is")},
    )
    annual_amount = MoneyField(
        noun=_("the cost a year"),
        label=_("Cost a year (£)"),
        min_value=Decimal("0"),
        error_messages={"min_value": _("Enter a cost of £0 or more.")},
    )
    funding = forms.ChoiceField(
        label=_("Funded from"),
        choices=Funding.choices,
        initial=Funding.SEN_BUDGET,
        error_messages={"required": _("Select where the money comes from")},
    )

    def __init__(self, *args, groups=(), pupils=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = {}
        group_choices, pupil_choices = [], []
        for group in groups:
            key = f"group:{group.public_id}"
            self.targets[key] = ("group", group)
            group_choices.append((key, group.name))
        for pupil in pupils:
            key = f"pupil:{pupil.public_id}"
            self.targets[key] = ("pupil", pupil)
            pupil_choices.append((key, f"{pupil.full_name} ({pupil.year_group_label})"))
        self.fields["for_whom"].choices = [
            ("", _("Choose a group or a pupil")),
            (_("Intervention groups"), group_choices),
            (_("Pupils on the SEN register"), pupil_choices),
        ]

    def service_arguments(self):
        data = self.cleaned_data
        kind, target = self.targets[data["for_whom"]]
        return {
            kind: target,
            "kind": data["kind"],
            "description": data["description"],
            "annual_amount": data["annual_amount"],
            "funding": data["funding"],
        }


PUPIL_SORTS = [
    ("name", _("Name (A to Z)")),
    ("year", _("Year group (youngest first)")),
    ("-cost", _("Cost a year (highest first)")),
    ("cost", _("Cost a year (lowest first)")),
]
INTERVENTION_SORTS = [("name", _("Name (A to Z)")), ("-cost", _("Cost a year (highest first)"))]


class ProvisionMapFilterForm(forms.Form):
    """The by-pupil view's filters; bad values are ignored rather than shown as errors."""

    year_group = forms.TypedChoiceField(
        label=_("Year group"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any year group")), *YEAR_GROUP_CHOICES],
    )
    funding = forms.ChoiceField(
        label=_("Funded from"), required=False, choices=[("", _("Any funding source")), *Funding.choices]
    )
    over_threshold = forms.BooleanField(label=_("Only pupils over the threshold"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=PUPIL_SORTS)


class InterventionSortForm(forms.Form):
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=INTERVENTION_SORTS)
