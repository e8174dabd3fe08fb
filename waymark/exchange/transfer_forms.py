"""Forms for transfer packages: sending one, checking one that arrived, and confirming it.

The passphrase fields never show what was typed back (``render_value=False``), even when
the form comes back with an error: it is typed again, never kept on a page.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from waymark.evidence.uploads import size_label

from .transfer import passphrase as passphrases
from .transfer.reader import max_package_bytes


def passphrase_field(label, help_text="", autocomplete="off", required_message=None):
    return forms.CharField(
        label=label,
        help_text=help_text,
        strip=False,
        max_length=passphrases.MAX_LENGTH,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": autocomplete}),
        error_messages={"required": required_message or _("Enter the passphrase")},
    )


class TransferExportForm(forms.Form):
    use_required_attribute = False

    passphrase = passphrase_field(_("Passphrase"), autocomplete="new-password")
    passphrase_again = passphrase_field(
        _("Passphrase again"), autocomplete="new-password", required_message=_("Enter the passphrase again")
    )
    separately = forms.BooleanField(
        label=_("I will give the passphrase to the new school separately, not with the file"),
        help_text=_("For example, read it out on a phone call to their SENCO. Anyone with both can open the record."),
        error_messages={"required": _("Confirm you will give the passphrase separately from the file")},
    )

    def __init__(self, *args, suggestion="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["passphrase"].help_text = _(
            "At least %(count)d characters. Three or four random words work well, for example: %(example)s"
        ) % {"count": passphrases.MIN_LENGTH, "example": suggestion}

    def clean_passphrase(self):
        value = self.cleaned_data["passphrase"]
        passphrases.check(value)
        return value

    def clean(self):
        data = super().clean()
        first, second = data.get("passphrase"), data.get("passphrase_again")
        if first and second is not None and first != second:
            self.add_error("passphrase_again", _("The passphrases do not match. Enter the same passphrase twice."))
        return data


class TransferImportForm(forms.Form):
    use_required_attribute = False

    upload = forms.FileField(
        label=_("Transfer package"),
        widget=forms.FileInput(attrs={"accept": ".waymark"}),
        error_messages={"required": _("Select the .waymark file"), "empty": _("The selected file is empty.")},
    )
    passphrase = passphrase_field(
        _("Passphrase"), help_text=_("The school that sent the file gives you this separately, for example by phone.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["upload"].help_text = _("The .waymark file the previous school sent, %(limit)s at most.") % {
            "limit": size_label(max_package_bytes())
        }


class TransferConfirmForm(forms.Form):
    """The passphrase again (it was not kept), and, for a match on name and date of birth, that it is right."""

    use_required_attribute = False

    passphrase = passphrase_field(
        _("Passphrase"),
        help_text=_("Enter it again: Waymark does not keep it, so the file stays locked until you import it."),
    )
    same_pupil = forms.BooleanField(required=False)

    def __init__(self, *args, match_name="", ask_same_pupil=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.ask_same_pupil = ask_same_pupil
        if ask_same_pupil:
            self.fields["same_pupil"].label = _("Yes, this record is for %(name)s, who is already on roll here") % {
                "name": match_name
            }
        else:
            del self.fields["same_pupil"]

    def clean(self):
        data = super().clean()
        if self.ask_same_pupil and not data.get("same_pupil"):
            self.add_error(
                "same_pupil",
                ValidationError(_("Confirm the record is for this pupil, or abandon the import"), code="required"),
            )
        return data
