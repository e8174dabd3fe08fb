"""Forms for the school's intervention list. The services (``interventions.py``) check everything again."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from waymark.core.forms import StaleSaveGuard
from waymark.pupils.models import AreaOfNeed

from .models import MeasureType, measure_types_for

DESCRIPTION_MAX_LENGTH = 1000


class InterventionForm(forms.Form):
    """Add or change an intervention; built for one school (its measures, whether it is in a trust)."""

    name = forms.CharField(
        label=_("Name"),
        max_length=150,
        help_text=_("As staff know it, for example Phonics catch-up"),
        error_messages={"required": _("Enter a name for the intervention")},
    )
    area = forms.ModelChoiceField(
        label=_("Broad area of need"),
        queryset=AreaOfNeed.objects.all(),
        to_field_name="code",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Select the broad area of need"), "invalid_choice": _("Select an area")},
    )
    description = forms.CharField(
        label=_("What it is (optional)"),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    sessions_per_week = forms.DecimalField(
        label=_("Typical sessions a week"),
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.5"),
        max_value=Decimal("20"),
        help_text=_("0.5 for once a fortnight"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-3"}),
        error_messages={
            "required": _("Enter how many sessions a week"),
            "invalid": _("Sessions a week must be a number, like 2 or 0.5"),
            "min_value": _("Sessions a week must be 0.5 or more"),
            "max_value": _("Sessions a week must be 20 or fewer"),
            "max_digits": _("Sessions a week must be 20 or fewer"),
            "max_decimal_places": _("Sessions a week can have at most 1 decimal place"),
            "max_whole_digits": _("Sessions a week must be 20 or fewer"),
        },
    )
    minutes_per_session = forms.IntegerField(
        label=_("Typical minutes a session"),
        min_value=5,
        max_value=360,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "required": _("Enter how many minutes a session lasts"),
            "invalid": _("Minutes a session must be a whole number, like 20"),
            "min_value": _("Minutes a session must be 5 or more"),
            "max_value": _("Minutes a session must be 360 or fewer"),
        },
    )
    group_size = forms.IntegerField(
        label=_("Typical group size"),
        min_value=1,
        max_value=40,
        help_text=_("1 for one-to-one"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "required": _("Enter the typical group size"),
            "invalid": _("Group size must be a whole number, like 1 or 6"),
            "min_value": _("Group size must be 1 or more"),
            "max_value": _("Group size must be 40 or fewer"),
        },
    )
    measure_type = forms.ModelChoiceField(
        label=_("How progress is measured (optional)"),
        queryset=None,
        required=False,
        to_field_name="public_id",
        empty_label=_("Not measured on a scale"),
        error_messages={"invalid_choice": _("Select a measure from the list")},
    )
    shared_with_trust = forms.BooleanField(
        label=_("Share with the other schools in our trust"),
        required=False,
        help_text=_("They can run groups with it, but only your school can change it. No pupil's details are shared."),
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.fields["measure_type"].queryset = measure_types_for(school).order_by("name")
        if not school.trust_id:
            del self.fields["shared_with_trust"]

    def service_arguments(self):
        data = dict(self.cleaned_data)
        data.pop("lock_version", None)
        data.setdefault("shared_with_trust", False)
        return data


class InterventionEditForm(StaleSaveGuard, InterventionForm):
    pass


def plain_number(value):
    """3.0 as "3", 0.5 as "0.5" (``normalize`` alone would write 10 as 1E+1)."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def type_initial(intervention_type):
    """What "Use this" fills in from a built-in type; the school changes what it does differently."""
    measure = (
        MeasureType.objects.filter(school__isnull=True, kind=intervention_type.measure_kind).first()
        if intervention_type.measure_kind
        else None
    )
    return {
        "name": intervention_type.name,
        "area": intervention_type.area.code,
        "description": intervention_type.description,
        "sessions_per_week": plain_number(intervention_type.sessions_per_week),
        "minutes_per_session": intervention_type.minutes_per_session,
        "group_size": intervention_type.group_size,
        "measure_type": measure.public_id if measure else None,
    }


def intervention_initial(intervention):
    return {
        "name": intervention.name,
        "area": intervention.area.code,
        "description": intervention.description,
        "sessions_per_week": plain_number(intervention.sessions_per_week),
        "minutes_per_session": intervention.minutes_per_session,
        "group_size": intervention.group_size,
        "measure_type": intervention.measure_type.public_id if intervention.measure_type_id else None,
        "shared_with_trust": intervention.shared_with_trust,
        "lock_version": intervention.lock_version,
    }
