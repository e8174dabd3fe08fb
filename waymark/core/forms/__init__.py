"""Form helpers shared by every app. Rendering is the GOV.UK renderer in ``renderer.py``."""

from django import forms


class StaleSaveGuard(forms.Form):
    """Carries the version of the record the form was opened on, so a stale save is refused."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


def versioned_initial(instance, **initial):
    initial["lock_version"] = instance.lock_version
    return initial
