"""Forms for measures: a value on the scale (an age as years and months), the date, a note;
choosing a scale; the school's own scales.

Ages are typed the GOV.UK way, as two boxes (like the date input): years and months, whole
numbers only. "7.4" could mean 7 years 4 months or 7.4 years (7 years 5 months), so a
decimal is refused with a message saying what to type instead. Forms check what was typed;
the services decide what may be saved (``measures.py``).
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from waymark.core.forms.fields import GovukDateField

from .measure_values import MONTHS_A_YEAR, direction_words, format_number, range_words, whole_months
from .models import Measure

DATE_HINT = _("For example, 27 3 2027")
NOTE_MAX_LENGTH = 300


def _noun(label):
    text = str(label).strip()
    return text[0].lower() + text[1:] if text else _("age")


def parse_age(years, months, *, noun="age"):
    """Two typed boxes → whole months. Raises ``ValidationError`` (with ``params["parts"]``) when unclear.

    A blank months box with years typed means no extra months ("7" → 7 years exactly).
    """
    years, months = str(years or "").strip(), str(months or "").strip()
    Noun = noun[0].upper() + noun[1:]
    if not years and not months:
        raise ValidationError(_("Enter the %(noun)s in years and months") % {"noun": noun}, code="required")
    if any(mark in text for text in (years, months) for mark in ".,:/"):
        raise ValidationError(
            _(
                "Enter whole years and months, not a decimal: for 7 years 4 months, type 7 in the years box "
                "and 4 in the months box"
            ),
            code="decimal",
            params={"parts": ("years", "months")},
        )
    if not years:
        raise ValidationError(
            _("%(Noun)s must include years") % {"Noun": Noun}, code="incomplete", params={"parts": ("years",)}
        )
    if not years.isdigit():
        raise ValidationError(_("Years must be a whole number, like 7"), code="invalid", params={"parts": ("years",)})
    if months and not months.isdigit():
        raise ValidationError(
            _("Months must be a whole number from 0 to 11"), code="invalid", params={"parts": ("months",)}
        )
    month_count = int(months or 0)
    if month_count >= MONTHS_A_YEAR:
        raise ValidationError(
            _("Months must be from 0 to 11: 12 months is another year"),
            code="invalid",
            params={"parts": ("months",)},
        )
    return Decimal(int(years) * MONTHS_A_YEAR + month_count)


class AgeInput(forms.MultiWidget):
    """Two boxes side by side, "Years" and "Months", laid out like the GOV.UK date input."""

    template_name = "provision/measure_age_input.html"
    parts = ("years", "months")
    part_labels = {"years": _("Years"), "months": _("Months")}

    def __init__(self, attrs=None):
        self.error_parts = ()
        super().__init__({part: forms.TextInput() for part in self.parts}, attrs)

    def decompress(self, value):
        if value in (None, ""):
            return [None, None]
        years, months = divmod(whole_months(value), MONTHS_A_YEAR)
        return [str(years), str(months)]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        field_has_error = str(widget["attrs"].get("aria-invalid", "")).lower() == "true"
        for part, subwidget in zip(self.parts, widget["subwidgets"], strict=True):
            part_attrs = subwidget["attrs"]
            part_attrs.pop("aria-invalid", None)
            part_attrs.pop("class", None)
            has_error = field_has_error and (not self.error_parts or part in self.error_parts)
            if has_error:
                part_attrs["aria-invalid"] = "true"
            subwidget["part_label"] = self.part_labels[part]
            subwidget["has_error"] = has_error
        return context


class AgeField(forms.MultiValueField):
    """A reading or spelling age typed as years and months; cleans to whole months (a ``Decimal``)."""

    widget = AgeInput

    def __init__(self, **kwargs):
        fields = (forms.CharField(required=False), forms.CharField(required=False))
        super().__init__(fields=fields, require_all_fields=False, **kwargs)

    def clean(self, value):
        self.widget.error_parts = ()
        if not isinstance(value, (list, tuple)):
            value = [value, None] if value not in (None, "") else [None, None]
        years, months = (list(value) + [None, None])[:2]
        if not str(years or "").strip() and not str(months or "").strip() and not self.required:
            return None
        try:
            return parse_age(years, months, noun=_noun(self.label))
        except ValidationError as error:
            self.widget.error_parts = tuple((error.params or {}).get("parts", ()))
            raise ValidationError(error.message, code=error.code) from None

    def compress(self, data_list):  # clean() does the work; Django's MultiValueField needs this defined
        return data_list


class MeasureForm(forms.Form):
    """A value on ``measure_type``, the date it was taken and a note. ``lock_version`` when correcting."""

    use_required_attribute = False

    lock_version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=0)
    taken_on = GovukDateField(label=_("Date taken"), help_text=DATE_HINT)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example, which test or form of the test was used"),
    )

    def __init__(self, *args, measure_type, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure_type = measure_type
        hint = f"{_('From')} {range_words(measure_type)}. {direction_words(measure_type)}"
        if measure_type.is_age:
            self.fields["value"] = AgeField(label=measure_type.name, help_text=hint)
        else:
            self.fields["value"] = forms.DecimalField(
                label=measure_type.name,
                help_text=hint,
                max_digits=7,
                decimal_places=2,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
                error_messages={
                    "required": _("Enter the %(name)s") % {"name": _noun(measure_type.name)},
                    "invalid": _("%(name)s must be a number, like %(example)s")
                    % {"name": measure_type.name, "example": format_number(measure_type.max_value)},
                    "max_decimal_places": _("Enter the value with no more than 2 decimal places"),
                    "max_digits": _("Enter a value from %(range)s") % {"range": range_words(measure_type)},
                    "max_whole_digits": _("Enter a value from %(range)s") % {"range": range_words(measure_type)},
                },
            )
        self.order_fields(["value", "taken_on", "note"])

    @classmethod
    def initial_for(cls, measure):
        return {
            "value": measure.value,
            "taken_on": measure.taken_on,
            "note": measure.note,
            "lock_version": measure.lock_version,
        }


class CheckForm(MeasureForm):
    """A check along the way, from the pupil's impact page: optionally in one of the pupil's groups."""

    group = forms.ChoiceField(label=_("Group"), required=False)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = {str(group.public_id): group for group in groups}
        self.fields["group"].choices = [("", _("Not in a group"))] + [
            (key, group.name) for key, group in self.groups.items()
        ]
        self.fields["group"].help_text = _("The intervention group this check was part of, if any")
        self.order_fields(["value", "taken_on", "group", "note"])

    def clean_group(self):
        key = self.cleaned_data.get("group")
        return self.groups.get(key) if key else None


class ScaleChoiceForm(forms.Form):
    """Which scale to record on (sent with GET): for a group whose intervention names none, or a check."""

    use_required_attribute = False

    type = forms.ChoiceField(
        label=_("Scale to record on"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Select a scale"), "invalid_choice": _("Select one of the school's scales")},
    )

    def __init__(self, *args, measure_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure_types = {str(mt.public_id): mt for mt in measure_types}
        self.fields["type"].choices = [(key, mt.name) for key, mt in self.measure_types.items()]

    def chosen(self):
        return self.measure_types.get(self.cleaned_data["type"]) if self.is_valid() else None


class MeasureTypeForm(forms.Form):
    """One of the school's own scales."""

    use_required_attribute = False

    name = forms.CharField(
        label=_("Name of the scale"),
        max_length=100,
        help_text=_("For example, Talk Boost language checklist"),
        error_messages={"required": _("Enter a name for the scale")},
    )
    min_value = forms.DecimalField(
        label=_("Lowest possible value"),
        max_digits=7,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
        error_messages={
            "required": _("Enter the lowest possible value"),
            "invalid": _("The lowest possible value must be a number, like 0"),
        },
    )
    max_value = forms.DecimalField(
        label=_("Highest possible value"),
        max_digits=7,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
        error_messages={
            "required": _("Enter the highest possible value"),
            "invalid": _("The highest possible value must be a number, like 20"),
        },
    )
    higher_is_better = forms.TypedChoiceField(
        label=_("Is a higher value better?"),
        choices=[("yes", _("Yes, a higher value is better")), ("no", _("No, a lower value is better"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Select whether a higher value is better")},
    )


POINT_WORDS = {
    Measure.Point.ENTRY: _("entry"),
    Measure.Point.EXIT: _("exit"),
    Measure.Point.CHECK: _("check along the way"),
}


class YearForm(forms.Form):
    """Which school year a summary covers (sent with GET); "all" for every year."""

    use_required_attribute = False

    year = forms.ChoiceField(label=_("School year"))

    def __init__(self, *args, years, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = {str(year.public_id): year for year in years}
        self.fields["year"].choices = [(key, year.name) for key, year in self.years.items()] + [
            ("all", _("All school years"))
        ]
        self.fields["year"].initial = str(current.public_id) if current else "all"

    def chosen(self):
        """The year asked for; ``None`` for every year (or an unknown one)."""
        return self.years.get(self.cleaned_data["year"]) if self.is_valid() else None
