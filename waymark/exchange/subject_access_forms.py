"""Forms for subject access requests: logging one, extending and closing it, withholding parts, releasing.

Forms check what was typed; the services in ``subject_access`` decide what may be saved.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from waymark.core.forms import StaleSaveGuard
from waymark.core.forms.fields import GovukDateField

from .models import SubjectAccessRequest

DATE_HINT = _("For example, 27 3 2027")
REASON_MAX_LENGTH = 300
WHOLE_ITEM = "__all__"

Requester = SubjectAccessRequest.Requester


def _textarea(label, *, help_text="", required=True, max_length=2000, rows=3, **kwargs):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


def link_label(link):
    label = f"{link.full_name} ({link.get_relationship_display().lower()})"
    if not link.parental_responsibility:
        label += " – " + str(_("no parental responsibility recorded"))
    return label


class SarLogForm(forms.Form):
    """Who is asking, how their identity was checked, and when the request arrived."""

    use_required_attribute = False

    requester_kind = forms.ChoiceField(
        label=_("Who is asking?"),
        choices=Requester.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who is asking")},
    )
    parent_link = forms.ChoiceField(
        label=_("Which parent or carer?"),
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Only when a parent or carer is asking. They must have parental responsibility; anyone else who "
            "asks for a child (a relative, a solicitor, an advocate) is someone acting for them."
        ),
        error_messages={"invalid_choice": _("Choose one of this pupil's parents or carers")},
    )
    requester_name = forms.CharField(
        label=_("Their full name"),
        required=False,
        max_length=150,
        help_text=_("Not needed for a parent or carer chosen above. For the pupil, leave it blank to use their name."),
    )
    acting_for = forms.CharField(
        label=_("Who they act for, and their authority"),
        required=False,
        max_length=300,
        help_text=_("Only for someone acting for the pupil or a parent: for example, a signed letter of authority."),
    )
    identity_check = forms.ChoiceField(
        label=_("How was their identity checked?"),
        choices=SubjectAccessRequest.IdentityCheck.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how their identity was checked")},
    )
    identity_details = _textarea(
        _("Details of the check"),
        required=False,
        max_length=300,
        help_text=_("For example, which documents were seen and by whom. Do not copy the documents’ numbers here."),
    )
    received_on = GovukDateField(
        label=_("Date the request was received"),
        help_text=_(
            "The day it reached the school, in writing, by email or in person. The answer is due one calendar "
            "month later. For example, 27 3 2027"
        ),
        past_or_today=True,
        error_messages={"required": _("Enter the date the request was received")},
    )

    def __init__(self, *args, links=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.links = {str(link.public_id): link for link in links}
        self.fields["parent_link"].choices = [(key, link_label(link)) for key, link in self.links.items()]
        if not self.links:
            self.fields["parent_link"].help_text = _("This pupil has no parent or carer with an active link.")

    def clean_parent_link(self):
        key = self.cleaned_data.get("parent_link")
        return self.links.get(key) if key else None

    def service_arguments(self):
        data = self.cleaned_data
        return {
            "requester_kind": data["requester_kind"],
            "requester_name": data["requester_name"],
            "parent_link": data["parent_link"] if data["requester_kind"] == Requester.PARENT else None,
            "acting_for": data["acting_for"],
            "identity_check": data["identity_check"],
            "identity_details": data["identity_details"],
            "received_on": data["received_on"],
        }


class SarExtendForm(StaleSaveGuard):
    use_required_attribute = False

    extended_to = GovukDateField(
        label=_("New due date"),
        help_text=DATE_HINT,
        error_messages={"required": _("Enter the new due date")},
    )
    extension_reason = _textarea(
        _("Why the request needs longer"),
        help_text=_("For example, the record is very large, or the request is one of several from the same person."),
        error_messages={"required": _("Give the reason for extending the deadline")},
    )


class SarCloseForm(StaleSaveGuard):
    use_required_attribute = False

    status = forms.ChoiceField(
        label=_("Why is the request being closed?"),
        choices=[
            (SubjectAccessRequest.Status.WITHDRAWN, _("The requester withdrew it")),
            (SubjectAccessRequest.Status.REFUSED, _("The school is refusing it")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether the request was withdrawn or refused")},
    )
    closed_reason = _textarea(
        _("Reason"),
        help_text=_(
            "A refusal must be explained to the requester, with their right to complain to the Information "
            "Commissioner's Office. Refuse only a request that is manifestly unfounded or excessive."
        ),
        error_messages={"required": _("Give the reason the request is closed")},
    )


class SarReleaseForm(StaleSaveGuard):
    pass


def withhold_prefix(item):
    """The prefix of an item's withhold form: its fields' ids are unique on the page."""
    return f"withhold-{item.model.replace('.', '-').lower()}-{item.pk}"


class RedactForm(forms.Form):
    """Withhold one item, or one part of it: one small form under each item on the request's page."""

    use_required_attribute = False

    model = forms.CharField(widget=forms.HiddenInput)
    object_pk = forms.CharField(widget=forms.HiddenInput, max_length=64)
    part = forms.ChoiceField(
        label=_("What to withhold"), error_messages={"required": _("Choose the whole item or one of its parts")}
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        help_text=_("For example, another person's information"),
        error_messages={"required": _("Give the reason it is withheld")},
    )

    def __init__(self, *args, item=None, **kwargs):
        if item is not None:
            kwargs.setdefault("prefix", withhold_prefix(item))
            kwargs.setdefault("initial", {"model": item.model, "object_pk": item.pk})
        super().__init__(*args, **kwargs)
        choices = [(WHOLE_ITEM, _("All of it"))]
        if item is not None:
            choices += [(value.name, value.label) for value in item.values if not value.withheld]
        self.fields["part"].choices = choices

    def service_arguments(self):
        data = self.cleaned_data
        part = data["part"]
        return {
            "model": data["model"],
            "object_pk": data["object_pk"],
            "field": "" if part == WHOLE_ITEM else part,
            "reason": data["reason"],
        }


class UnredactForm(forms.Form):
    redaction = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, redaction=None, **kwargs):
        if redaction is not None:
            kwargs.setdefault("prefix", f"put-back-{redaction.pk}")
            kwargs.setdefault("initial", {"redaction": redaction.pk})
        super().__init__(*args, **kwargs)


class PupilSearchForm(forms.Form):
    use_required_attribute = False

    q = forms.CharField(
        label=_("Find the pupil"),
        help_text=_("Type part of their name, or their UPN"),
        max_length=100,
        required=False,
    )
