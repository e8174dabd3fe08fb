"""Forms for writing a plan: starting a draft, its text sections, its items, and the bank search.

Forms only check what a person typed; the services decide what may be saved. Choices
(templates, a pupil's needs, the school's staff) come from querysets the view passes in.
"""

import datetime
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from waymark.core.access import NOT_DELIVERING_ROLES
from waymark.core.forms import StaleSaveGuard
from waymark.core.forms.fields import GovukDateField
from waymark.core.models import Visibility

from .models import BankEntry, Provision
from .sections import TEXT_SECTION_FIELDS

# Text-section fields that hold a date (stored in PlanSection.data as an ISO string).
DATE_SECTION_FIELDS = {
    ("review", "next_review_on"),
    ("ehc_plan", "issued_on"),
    ("ehc_plan", "last_annual_review_on"),
}
# Short one-line answers; everything else in a text section is a paragraph.
SHORT_SECTION_FIELDS = {("ehc_plan", "local_authority")}

START_PREVIOUS = "previous"
START_BLANK = "blank"


def visibility_field(label, *, can_restrict):
    """Who may read a part of the plan; "restricted" is offered only to those who may read it."""
    choices = [c for c in Visibility.choices if can_restrict or c[0] != Visibility.RESTRICTED]
    return forms.ChoiceField(
        label=label,
        choices=choices,
        initial=Visibility.EVERYONE,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Select who can see this")},
    )


class VersionStartForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Plan template"),
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
        help_text=_("The sections, headings and help text the plan uses"),
        error_messages={"invalid_choice": _("Select a template from the list"), "required": _("Select a template")},
    )
    start = forms.ChoiceField(
        label=_("How do you want to start?"),
        choices=[
            (START_PREVIOUS, _("Start from the previous plan")),
            (START_BLANK, _("Start a blank plan")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how you want to start")},
    )

    def __init__(self, *args, templates, previous=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates
        if previous is None:
            del self.fields["start"]
        else:
            self.fields["start"].help_text = _(
                "Copies everything from version %(number)d, so you only change what is new"
            ) % {"number": previous.number}


class SectionForm(StaleSaveGuard):
    """One text section of a draft. Built for a section key: its fields come from ``TEXT_SECTION_FIELDS``."""

    def __init__(self, *args, key, can_restrict, **kwargs):
        kwargs.setdefault("prefix", key)
        super().__init__(*args, **kwargs)
        self.key = key
        for name, label in TEXT_SECTION_FIELDS[key].items():
            if (key, name) in DATE_SECTION_FIELDS:
                field = GovukDateField(label=label, required=False, help_text=_("For example, 27 3 2027"))
            elif (key, name) in SHORT_SECTION_FIELDS:
                field = forms.CharField(label=label, required=False, max_length=150)
            else:
                field = forms.CharField(
                    label=label, required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
                )
            self.fields[name] = field
        self.fields["visibility"] = visibility_field(_("Who can see this section"), can_restrict=can_restrict)
        self.order_fields([*TEXT_SECTION_FIELDS[key], "visibility"])

    @classmethod
    def initial_for(cls, section):
        initial = {"lock_version": section.lock_version, "visibility": section.visibility}
        for name in TEXT_SECTION_FIELDS[section.key]:
            value = section.data.get(name, "")
            if (section.key, name) in DATE_SECTION_FIELDS and value:
                try:
                    value = datetime.date.fromisoformat(value)
                except (TypeError, ValueError):
                    value = None
            initial[name] = value
        return initial

    def section_data(self):
        return {name: self.cleaned_data.get(name) for name in TEXT_SECTION_FIELDS[self.key]}


# ---------------------------------------------------------------------------
# Items
# ---------------------------------------------------------------------------


class ItemForm(StaleSaveGuard):
    """Base for the item forms. ``editing`` keeps the hidden lock version; adding drops it."""

    item_fields = ()

    # The bank entry an item is being added from, carried through the add form.
    bank = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, editing=False, can_restrict=False, pupil=None, school=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.pupil = pupil
        self.school = school
        if editing:
            del self.fields["bank"]
        else:
            del self.fields["lock_version"]
        self.fields["visibility"] = visibility_field(_("Who can see this"), can_restrict=can_restrict)

    @classmethod
    def initial_for(cls, item):
        initial = {name: getattr(item, name) for name in cls.item_fields}
        initial.update(visibility=item.visibility, lock_version=item.lock_version)
        return initial

    def item_data(self):
        """The model fields to give the service, visibility included (fields a form left out are kept)."""
        data = {name: self.cleaned_data[name] for name in self.item_fields if name in self.fields}
        data["visibility"] = self.cleaned_data["visibility"]
        return data


class BarrierForm(ItemForm):
    item_fields = ("need", "text")

    need = forms.ModelChoiceField(
        label=_("Which need is this about?"),
        queryset=None,
        required=False,
        empty_label=_("Not linked to a recorded need"),
        error_messages={"invalid_choice": _("Select one of the pupil's needs from the list")},
    )
    text = forms.CharField(
        label=_("How this affects learning"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Enter how this affects learning")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from waymark.pupils.models import Need

        # Only the pupil's own open coded needs: a forged id is simply not a choice.
        self.fields["need"].queryset = Need.objects.filter(pupil=self.pupil, ends_on__isnull=True).select_related(
            "need_type"
        )
        self.fields["need"].label_from_instance = lambda need: f"{need.need_type.code} – {need.need_type.name}"


class OutcomeForm(ItemForm):
    item_fields = ("text", "baseline", "target", "measure", "by_date", "who_checks")

    text = forms.CharField(
        label=_("What we want to achieve"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Enter what we want to achieve")},
    )
    baseline = forms.CharField(
        label=_("Where the pupil is now (baseline)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed before the plan is published"),
    )
    target = forms.CharField(
        label=_("Target"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What success looks like. Needed before the plan is published"),
    )
    measure = forms.CharField(
        label=_("How it will be measured"),
        required=False,
        max_length=300,
        help_text=_("For example, a standardised score, a checklist or an observation. Needed before publishing"),
    )
    by_date = GovukDateField(
        label=_("By when"),
        required=False,
        noun=_("date to achieve it by"),
        help_text=_("For example, 27 3 2027. Needed before the plan is published"),
    )
    who_checks = forms.CharField(label=_("Who checks"), required=False, max_length=150)


class ProvisionForm(ItemForm):
    item_fields = (
        "what",
        "delivered_by_role",
        "delivered_by",
        "sessions_per_week",
        "minutes_per_session",
        "group_size",
        "starts_on",
        "ends_on",
        "funding",
    )

    what = forms.CharField(
        label=_("What"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The intervention or support, for example 'Precision teaching of high-frequency words'"),
        error_messages={"required": _("Enter what the provision is")},
    )
    delivered_by_role = forms.CharField(
        label=_("Who delivers it (role)"),
        required=False,
        max_length=100,
        help_text=_("For example, teaching assistant or speech and language therapist"),
    )
    delivered_by = forms.ModelChoiceField(
        label=_("Who delivers it (person)"),
        queryset=None,
        required=False,
        empty_label=_("Not a named person"),
        error_messages={"invalid_choice": _("Select a member of staff from the list")},
    )
    sessions_per_week = forms.DecimalField(
        label=_("Sessions a week"),
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.5"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-3"}),
        error_messages={
            "required": _("Enter how many sessions a week"),
            "invalid": _("Sessions a week must be a number, like 2 or 0.5"),
            "min_value": _("Sessions a week must be 0.5 or more"),
            "max_digits": _("Sessions a week must be less than 1000"),
            "max_decimal_places": _("Sessions a week can have at most 1 decimal place"),
            "max_whole_digits": _("Sessions a week must be less than 1000"),
        },
    )
    minutes_per_session = forms.IntegerField(
        label=_("Minutes a session"),
        min_value=1,
        max_value=1440,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "required": _("Enter how many minutes a session lasts"),
            "invalid": _("Minutes a session must be a whole number, like 30"),
            "min_value": _("Minutes a session must be 1 or more"),
            "max_value": _("Minutes a session must be 1440 or fewer"),
        },
    )
    group_size = forms.IntegerField(
        label=_("Group size"),
        min_value=1,
        max_value=999,
        help_text=_("How many pupils are in the group, including this pupil. 1 for one-to-one"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "required": _("Enter the group size"),
            "invalid": _("Group size must be a whole number, like 1 or 6"),
            "min_value": _("Group size must be 1 or more"),
            "max_value": _("Group size must be 999 or fewer"),
        },
    )
    starts_on = GovukDateField(label=_("From"), noun=_("start date"), help_text=_("For example, 8 9 2026"))
    ends_on = GovukDateField(label=_("Until"), noun=_("end date"), help_text=_("For example, 16 7 2027"))
    funding = forms.ChoiceField(
        label=_("How it is funded"),
        choices=Provision.Funding.choices,
        initial=Provision.Funding.SEN_BUDGET,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivered_by"].queryset = staff_of(self.school)
        self.fields["delivered_by"].label_from_instance = lambda user: user.full_name or user.email

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The end date must be on or after the start date"))
        if "delivered_by_role" in data and "delivered_by" in data:
            if not data["delivered_by_role"].strip() and data["delivered_by"] is None:
                self.add_error("delivered_by_role", _("Enter the role of who delivers it, or select a person"))
        return data


class AdjustmentForm(ItemForm):
    item_fields = ("text", "is_key", "subject")

    text = forms.CharField(
        label=_("Adjustment"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Short and starting with what to do, for example 'Give instructions one step at a time'"),
        error_messages={"required": _("Enter the adjustment")},
    )
    is_key = forms.BooleanField(
        label=_("This is a key adjustment"),
        required=False,
        help_text=_("Key adjustments are shown first on class sheets"),
    )
    subject = forms.CharField(
        label=_("Subject"),
        required=False,
        max_length=60,
        help_text=_("Only if it applies in one subject, for example Science. Leave blank for every lesson"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Per-subject adjustments are for secondary pupils, who have a teacher per subject.
        if self.pupil is not None and self.pupil.year_group < 7:
            del self.fields["subject"]


class SpecialistInputForm(ItemForm):
    item_fields = ("who", "service", "given_on", "recommendations")

    who = forms.CharField(
        label=_("Who gave the advice"),
        max_length=150,
        help_text=_("Their name and role, for example 'Dr A Patel, educational psychologist'"),
        error_messages={"required": _("Enter who gave the advice")},
    )
    service = forms.CharField(
        label=_("Service"),
        max_length=150,
        help_text=_("For example, the local authority's educational psychology service"),
        error_messages={"required": _("Enter the service")},
    )
    given_on = GovukDateField(
        label=_("Date of the advice"),
        noun=_("date of the advice"),
        past_or_today=True,
        help_text=_("For example, 3 2 2026"),
    )
    recommendations = forms.CharField(
        label=_("What they recommend"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Enter what they recommend")},
    )


ITEM_FORMS = {
    "needs": BarrierForm,
    "outcomes": OutcomeForm,
    "provision": ProvisionForm,
    "adjustments": AdjustmentForm,
    "specialist_input": SpecialistInputForm,
}


def staff_of(school, today=None):
    """People with a membership of ``school`` current on ``today`` who work in it: who may deliver provision."""
    from django.db.models import Q

    from waymark.schools.models import Membership

    today = today or datetime.date.today()
    memberships = Membership.objects.filter(school=school, starts_on__lte=today).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )
    # Roles are a JSON list; the list of a school's staff is short, so it is read in Python.
    user_ids = [
        user_id for user_id, roles in memberships.values_list("user_id", "roles") if set(roles) - NOT_DELIVERING_ROLES
    ]
    return get_user_model().objects.filter(pk__in=user_ids).order_by("full_name", "email")


class ItemDeleteForm(StaleSaveGuard):
    pass


# ---------------------------------------------------------------------------
# Share, publish, close
# ---------------------------------------------------------------------------


class VersionActionForm(StaleSaveGuard):
    """Confirms sharing, publishing or closing; the lock version refuses a stale confirmation."""

    accept_unedited = forms.BooleanField(required=False)

    def __init__(self, *args, pupil_name="", offer_accept=False, **kwargs):
        super().__init__(*args, **kwargs)
        if offer_accept:
            self.fields["accept_unedited"].label = _("These entries are right for %(name)s as they are") % {
                "name": pupil_name
            }
        else:
            del self.fields["accept_unedited"]


# ---------------------------------------------------------------------------
# The strategy bank
# ---------------------------------------------------------------------------


class BankSearchForm(forms.Form):
    """The bank's filters. Bad values are ignored rather than shown as errors."""

    q = forms.CharField(label=_("Search the bank"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *BankEntry.Kind.choices])
    area = forms.ChoiceField(label=_("Area of need"), required=False)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("All areas"))] + [(area.code, area.name) for area in areas]


class BankInsertForm(forms.Form):
    entry = forms.UUIDField(widget=forms.HiddenInput)
