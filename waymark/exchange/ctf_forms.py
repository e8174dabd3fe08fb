"""The CTF upload form. What the file holds is checked by ``ctf.check_file``, not here."""

from django import forms
from django.utils.translation import gettext_lazy as _

from waymark.evidence.uploads import size_label

from .batches import max_import_bytes


class CTFUploadForm(forms.Form):
    use_required_attribute = False

    upload = forms.FileField(
        label=_("Upload a Common Transfer File"),
        widget=forms.FileInput(attrs={"accept": ".xml,text/xml,application/xml"}),
        error_messages={"required": _("Select a CTF file"), "empty": _("The selected file is empty.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["upload"].help_text = _(
            "The XML file your MIS exported or the previous school sent, %(limit)s or smaller"
        ) % {"limit": size_label(max_import_bytes())}
