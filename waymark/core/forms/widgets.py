"""GOV.UK widgets that Django does not have."""

import datetime

from django import forms


class GovukDateInput(forms.MultiWidget):
    """The GOV.UK date input: separate day, month and year boxes in a fieldset.

    Inputs are named ``<name>_day``, ``<name>_month`` and ``<name>_year`` and have ids
    ``<id>_day`` and so on. Pass ``autocomplete="bday"`` for a date of birth, so browsers
    can fill it in (``bday-day``, ``bday-month``, ``bday-year``).

    ``error_parts`` is set by ``GovukDateField`` while cleaning: the parts to highlight
    (empty means every part, when the field has an error).
    """

    template_name = "govuk/forms/widgets/date_input.html"
    parts = ("day", "month", "year")
    part_labels = {"day": "Day", "month": "Month", "year": "Year"}
    width_classes = {"day": "govuk-input--width-2", "month": "govuk-input--width-2", "year": "govuk-input--width-4"}

    def __init__(self, attrs=None, autocomplete=None):
        self.autocomplete = autocomplete
        self.error_parts = ()
        super().__init__({part: forms.TextInput() for part in self.parts}, attrs)

    def decompress(self, value):
        if isinstance(value, str) and value:
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        id_ = widget["attrs"].get("id")
        field_has_error = str(widget["attrs"].get("aria-invalid", "")).lower() == "true"
        for part, subwidget in zip(self.parts, widget["subwidgets"], strict=True):
            part_attrs = subwidget["attrs"]
            part_attrs.pop("class", None)
            part_attrs.pop("aria-invalid", None)
            if id_:
                part_attrs["id"] = f"{id_}_{part}"
            if self.autocomplete:
                part_attrs["autocomplete"] = f"{self.autocomplete}-{part}"
            part_has_error = field_has_error and (not self.error_parts or part in self.error_parts)
            if part_has_error:
                part_attrs["aria-invalid"] = "true"
            subwidget["part"] = part
            subwidget["part_label"] = self.part_labels[part]
            subwidget["width_class"] = self.width_classes[part]
            subwidget["has_error"] = part_has_error
        return context

    def id_for_label(self, id_):
        return f"{id_}_{self.parts[0]}" if id_ else ""
