"""Forms for the roster import: the file, and what each of its columns holds."""

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waymark.evidence.uploads import size_label

from .batches import max_import_bytes
from .roster.headers import FIELDS, IGNORE, mapping_problems

SAMPLES_SHOWN = 3


class RosterUploadForm(forms.Form):
    use_required_attribute = False

    upload = forms.FileField(
        label=gettext_lazy("Upload a roster file"),
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
        error_messages={
            "required": gettext_lazy("Select a file"),
            "empty": gettext_lazy("The selected file is empty."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["upload"].help_text = _(
            "A CSV file or an Excel workbook (.xlsx) exported from your MIS, %(limit)s or smaller. The first row "
            "must hold the column names."
        ) % {"limit": size_label(max_import_bytes())}


FIELD_CHOICES = [(IGNORE, gettext_lazy("Do not import this column")), *((f.key, f.label) for f in FIELDS)]


class ColumnChoiceField(forms.ChoiceField):
    """What one column holds. Every column has an answer, "Do not import this column" (the empty
    value) among them, so the field is required and its label is the file's header alone, with
    no "(optional)" after it; the empty answer is accepted rather than refused as missing."""

    def validate(self, value):
        if value != IGNORE:
            super().validate(value)


class ColumnMappingForm(forms.Form):
    """One select per column of the file (``column_0``, ``column_1``, ...), labelled with the column's name.

    ``headers`` as in the file; ``initial_mapping`` {header: field key}; ``samples`` {header: [values]}.
    """

    use_required_attribute = False

    remember = forms.BooleanField(
        label=gettext_lazy("Remember these choices for files with the same columns"),
        help_text=gettext_lazy("They are remembered once every cell of the file can be read as you chose."),
        required=False,
        initial=True,
    )

    def __init__(self, *args, headers, initial_mapping, samples, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = list(headers)
        remember = self.fields.pop("remember")
        for index, header in enumerate(self.headers):
            examples = [value for value in samples.get(header, []) if value][:SAMPLES_SHOWN]
            self.fields[f"column_{index}"] = ColumnChoiceField(
                label=header,
                choices=FIELD_CHOICES,
                initial=initial_mapping.get(header, IGNORE),
                # The form renderer prints hints unescaped (they may hold markup of our own); these
                # are cells of an uploaded file, so they are escaped here.
                help_text=(
                    format_html("{} {}", _("For example:"), ", ".join(examples))
                    if examples
                    else _("This column is empty in the first rows.")
                ),
            )
        self.fields["remember"] = remember

    def mapping(self):
        return {header: self.cleaned_data.get(f"column_{index}") or IGNORE for index, header in enumerate(self.headers)}

    def clean(self):
        data = super().clean()
        for message in mapping_problems(self.mapping()):
            self.add_error(None, message)
        return data
