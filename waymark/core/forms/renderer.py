"""The GOV.UK form renderer: every Django form in Waymark renders as GOV.UK Frontend markup.

Set as ``FORM_RENDERER``. It uses Django's own form rendering: the form and field
templates below (``govuk/forms/``), Django 5.2's ``bound_field_class`` hook, and GOV.UK
versions of the standard widget templates, looked up in place of Django's
(``django/forms/widgets/text.html`` renders ``govuk/forms/widgets/input.html``, and so on).

Widget templates learn that their field has an error from the ``aria-invalid`` attribute
Django adds (``BoundField.build_widget_attrs``) and get it as ``widget.has_error``.
"""

from django.core.exceptions import ValidationError
from django.forms import BoundField, CheckboxSelectMultiple, Field, MultiWidget, RadioSelect
from django.forms.renderers import TemplatesSetting

from .widgets import GovukDateInput

# Django's own "This field is required." A field that kept it gets a GOV.UK message instead.
DJANGO_REQUIRED_MESSAGE = Field.default_error_messages["required"]
CHOOSING_WIDGETS = {"select", "radioselect", "checkboxselectmultiple", "selectmultiple", "nullbooleanselect"}

WIDGET_TEMPLATES = {
    "django/forms/widgets/text.html": "govuk/forms/widgets/input.html",
    "django/forms/widgets/email.html": "govuk/forms/widgets/input.html",
    "django/forms/widgets/number.html": "govuk/forms/widgets/input.html",
    "django/forms/widgets/url.html": "govuk/forms/widgets/input.html",
    "django/forms/widgets/tel.html": "govuk/forms/widgets/input.html",
    "django/forms/widgets/search.html": "govuk/forms/widgets/input.html",
    "django/forms/widgets/date.html": "govuk/forms/widgets/input.html",
    "django/forms/widgets/time.html": "govuk/forms/widgets/input.html",
    "django/forms/widgets/datetime.html": "govuk/forms/widgets/input.html",
    "django/forms/widgets/password.html": "govuk/forms/widgets/password.html",
    "django/forms/widgets/textarea.html": "govuk/forms/widgets/textarea.html",
    "django/forms/widgets/select.html": "govuk/forms/widgets/select.html",
    "django/forms/widgets/radio.html": "govuk/forms/widgets/radios.html",
    "django/forms/widgets/checkbox_select.html": "govuk/forms/widgets/checkboxes.html",
    "django/forms/widgets/checkbox.html": "govuk/forms/widgets/checkbox.html",
    "django/forms/widgets/file.html": "govuk/forms/widgets/file.html",
    "django/forms/widgets/clearable_file_input.html": "govuk/forms/widgets/clearable_file.html",
}

# Attributes GOV.UK asks for by default, per input type. A form can still set its own.
DEFAULT_INPUT_ATTRS = {
    "email": {"autocomplete": "email", "spellcheck": "false"},
    "password": {"autocomplete": "current-password", "spellcheck": "false", "autocapitalize": "none"},
    "tel": {"autocomplete": "tel"},
    "number": {"inputmode": "numeric"},
}


def _label_as_noun(label):
    """'Legal first name' -> 'legal first name'; an acronym at the start keeps its capitals."""
    text = str(label).replace("(optional)", "").strip()
    first_word = text.split()[0] if text else ""
    if not text or (len(first_word) > 1 and first_word.isupper()):
        return text
    return text[0].lower() + text[1:]


class GovukBoundField(BoundField):
    """A BoundField that knows where the error summary should link to, and words
    Django's bare "This field is required." the GOV.UK way ("Enter legal first name",
    "Select sex"). A form's own ``required`` message is left as it is."""

    @property
    def errors(self):
        errors = super().errors
        if not errors or not any(
            error.code == "required" and str(error.message) == str(DJANGO_REQUIRED_MESSAGE)
            for error in errors.as_data()
        ):
            return errors
        govuk = errors.copy()
        govuk.field_id = getattr(errors, "field_id", None)
        govuk.data = [
            ValidationError(self.required_message, code="required")
            if error.code == "required" and str(error.message) == str(DJANGO_REQUIRED_MESSAGE)
            else error
            for error in errors.as_data()
        ]
        return govuk

    @property
    def required_message(self):
        label = str(self.label).strip()
        widget_type = self.widget_type
        if widget_type == "checkbox":
            return f"Select ‘{label}’"
        verb = "Select" if widget_type in CHOOSING_WIDGETS or widget_type.endswith("file") else "Enter"
        if label.endswith("?"):
            return f"{verb} an answer to ‘{label}’"
        return f"{verb} {_label_as_noun(label)}"

    @property
    def error_anchor(self):
        """The id of the input the error summary links to: the first input of the field."""
        widget = self.field.widget
        id_ = widget.attrs.get("id") or self.auto_id
        if not id_:
            return ""
        if isinstance(widget, GovukDateInput):
            first = widget.error_parts[0] if widget.error_parts else widget.parts[0]
            return f"{id_}_{first}"
        if isinstance(widget, (RadioSelect, CheckboxSelectMultiple, MultiWidget)):
            return f"{id_}_0"
        return widget.id_for_label(id_) or id_


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "govuk/forms/form.html"
    field_template_name = "govuk/forms/field.html"
    bound_field_class = GovukBoundField

    def render(self, template_name, context, request=None):
        govuk_template = WIDGET_TEMPLATES.get(template_name)
        if govuk_template and isinstance(context.get("widget"), dict):
            template_name = govuk_template
            self._prepare_widget(context["widget"])
        return super().render(template_name, context, request=request)

    @staticmethod
    def _prepare_widget(widget):
        attrs = widget.setdefault("attrs", {})
        widget["has_error"] = str(attrs.get("aria-invalid", "")).lower() == "true"
        for name, value in DEFAULT_INPUT_ATTRS.get(widget.get("type"), {}).items():
            attrs.setdefault(name, value)
        if widget.get("template_name") == "django/forms/widgets/textarea.html" and attrs.get("maxlength"):
            # GOV.UK character count: people may type past the limit and are told
            # by how much, so the browser's hard limit goes.
            widget["maxlength"] = attrs.pop("maxlength")
            if attrs.get("id"):
                described = attrs.get("aria-describedby", "")
                attrs["aria-describedby"] = f"{described} {attrs['id']}-info".strip()
