"""GOV.UK form fields."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .widgets import GovukDateInput


def _format_date(value):
    return f"{value.day} {value:%B %Y}"


def _noun_from_label(label):
    """'Date of birth' -> 'date of birth'; an acronym at the start keeps its capitals."""
    text = str(label or "").strip().rstrip("?:").strip()
    if not text:
        return "date"
    first_word = text.split()[0]
    if len(first_word) > 1 and first_word.isupper():
        return text
    return text[0].lower() + text[1:]


class GovukDateField(forms.Field):
    """A date typed into the GOV.UK date input, with GOV.UK's error messages.

    Messages name the field by its label, lower-cased ("Enter a date of birth",
    "Date of birth must include a year", "Date of birth must be a real date"), or by
    ``noun`` when the label is a question ("What is their date of birth?").
    Custom ``error_messages`` may use ``%(noun)s``, ``%(Noun)s``, ``%(missing)s`` and
    ``%(limit)s``.

    ``min_value`` and ``max_value`` bound the date; ``past_or_today=True`` refuses
    dates after today.
    """

    widget = GovukDateInput
    default_error_messages = {
        "required": _("Enter %(article)s %(noun)s"),
        "incomplete": _("%(Noun)s must include a %(missing)s"),
        "invalid": _("%(Noun)s must be a real date"),
        "invalid_year": _("%(Noun)s year must include 4 numbers"),
        "past_or_today": _("%(Noun)s must be today or in the past"),
        "min_value": _("%(Noun)s must be the same as or after %(limit)s"),
        "max_value": _("%(Noun)s must be the same as or before %(limit)s"),
    }

    def __init__(self, *, noun=None, min_value=None, max_value=None, past_or_today=False, **kwargs):
        self.noun = noun
        self.min_value = min_value
        self.max_value = max_value
        self.past_or_today = past_or_today
        super().__init__(**kwargs)

    def _params(self, **extra):
        noun = self.noun or _noun_from_label(self.label)
        params = {
            "noun": noun,
            "Noun": noun[0].upper() + noun[1:],
            "article": "an" if noun[0].lower() in "aeio" else "a",
        }
        params.update(extra)
        return params

    def _error(self, code, parts=(), **extra):
        self.widget.error_parts = tuple(parts)
        return ValidationError(self.error_messages[code], code=code, params=self._params(**extra))

    def to_python(self, value):
        self.widget.error_parts = ()
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if value in self.empty_values:
            return None
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                raise self._error("invalid") from None
        values = [str(item or "").strip() for item in value]
        values += [""] * (3 - len(values))
        parts = dict(zip(GovukDateInput.parts, values[:3], strict=True))
        if not any(parts.values()):
            return None
        missing = [part for part, text in parts.items() if not text]
        if missing:
            missing_words = " and ".join(missing) if len(missing) == 2 else missing[0]
            raise self._error("incomplete", missing, missing=missing_words)
        not_numbers = [part for part, text in parts.items() if not text.isdigit()]
        if not_numbers:
            raise self._error("invalid", not_numbers)
        day, month, year = (int(parts[part]) for part in GovukDateInput.parts)
        if len(parts["year"]) != 4:
            raise self._error("invalid_year", ["year"])
        if not 1 <= month <= 12:
            raise self._error("invalid", ["month"])
        try:
            return datetime.date(year, month, day)
        except ValueError:
            raise self._error("invalid", ["day"]) from None

    def validate(self, value):
        if value in self.empty_values:
            if self.required:
                raise self._error("required")
            return
        if self.past_or_today and value > timezone.localdate():
            raise self._error("past_or_today")
        if self.min_value and value < self.min_value:
            raise self._error("min_value", limit=_format_date(self.min_value))
        if self.max_value and value > self.max_value:
            raise self._error("max_value", limit=_format_date(self.max_value))

    def has_changed(self, initial, data):
        if self.disabled:
            return False
        try:
            data = self.to_python(data)
        except ValidationError:
            return True
        finally:
            self.widget.error_parts = ()
        initial = self.to_python(initial) if initial not in self.empty_values else None
        return initial != data
