"""Forms for intervention groups and their places. The services (``groups.py``) check everything again.

A group meets on chosen weekdays at one time: one time box keeps the form short on a
phone, and a group that meets at different times on different days is rare enough to
set up as two groups.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from waymark.core.forms import StaleSaveGuard
from waymark.core.forms.fields import GovukDateField

from .models import Funding, Weekday

DATE_HINT = _("For example, 14 9 2026")
LEADER_ROWS = 3
TIME_FORMATS = ["%H:%M", "%H.%M", "%H:%M:%S", "%I:%M%p", "%I.%M%p", "%I:%M %p", "%I.%M %p"]


def person_label(user):
    return user.full_name or user.email


def intervention_label(intervention, school):
    if intervention.school_id == school.pk:
        return intervention.name
    return _("%(name)s (shared by %(school)s)") % {"name": intervention.name, "school": intervention.school.name}


class GroupForm(forms.Form):
    """Set up or change a group; built with the interventions, staff and staff roles it may choose from."""

    intervention = forms.ChoiceField(
        label=_("Intervention"),
        error_messages={
            "required": _("Select the intervention the group delivers"),
            "invalid_choice": _("Select an intervention from the list"),
        },
    )
    name = forms.CharField(
        label=_("Group name"),
        max_length=100,
        help_text=_("For example, Year 3 phonics (Tuesday)"),
        error_messages={"required": _("Enter a name for the group")},
    )
    minutes_per_session = forms.IntegerField(
        label=_("Minutes a session (optional)"),
        required=False,
        min_value=5,
        max_value=360,
        help_text=_("Leave blank to use the intervention's typical length"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={
            "invalid": _("Minutes a session must be a whole number, like 20"),
            "min_value": _("Minutes a session must be 5 or more"),
            "max_value": _("Minutes a session must be 360 or fewer"),
        },
    )
    starts_on = GovukDateField(label=_("First session"), help_text=DATE_HINT)
    ends_on = GovukDateField(label=_("Last session"), help_text=DATE_HINT)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days the group meets"),
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Select all that apply. Sessions are planned in term time only."),
        error_messages={
            "required": _("Select the days the group meets"),
            "invalid_choice": _("Select days from Monday to Friday"),
        },
    )
    starts_at = forms.TimeField(
        label=_("Time the session starts"),
        input_formats=TIME_FORMATS,
        help_text=_("For example, 9:15 or 13:30"),
        widget=forms.TimeInput(format="%H:%M", attrs={"class": "govuk-input--width-5", "spellcheck": "false"}),
        error_messages={
            "required": _("Enter the time the session starts"),
            "invalid": _("Enter the time like 9:15 or 13:30"),
        },
    )
    room = forms.CharField(label=_("Where (optional)"), required=False, max_length=100)
    funding = forms.ChoiceField(
        label=_("Funded from"),
        choices=Funding.choices,
        initial=Funding.SEN_BUDGET,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, school, interventions, staff, roles, leader_rows=LEADER_ROWS, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.interventions = {str(item.public_id): item for item in interventions}
        self.staff = {str(user.public_id): user for user in staff}
        self.roles = {str(role.public_id): role for role in roles}
        self.fields["intervention"].choices = [("", _("Select an intervention"))] + [
            (key, intervention_label(item, school)) for key, item in self.interventions.items()
        ]
        people = [(key, person_label(user)) for key, user in self.staff.items()]
        role_choices = [(key, f"{role.name} (£{role.hourly_cost:,.2f} an hour)") for key, role in self.roles.items()]
        self.leader_rows = leader_rows
        for row in range(leader_rows):
            first = row == 0
            self.fields[f"leader_{row}"] = forms.ChoiceField(
                label=_("Who runs it") if first else _("Also run by (optional)"),
                required=first,
                choices=[("", _("Select a person"))] + people,
                error_messages={
                    "required": _("Select who runs the group"),
                    "invalid_choice": _("Select a member of staff from the list"),
                },
            )
            self.fields[f"role_{row}"] = forms.ChoiceField(
                label=_("Their role, for costing") if first else _("Their role, for costing (optional)"),
                required=False,
                choices=[("", _("Select a role"))] + role_choices,
                error_messages={"invalid_choice": _("Select a role from the list")},
            )

    def clean(self):
        data = super().clean()
        seen = set()
        for row in range(self.leader_rows):
            person, role = data.get(f"leader_{row}"), data.get(f"role_{row}")
            if person and not role and f"role_{row}" not in self.errors:
                self.add_error(
                    f"role_{row}", _("Select the role of %(name)s") % {"name": person_label(self.staff[person])}
                )
            if role and not person and f"leader_{row}" not in self.errors:
                self.add_error(f"leader_{row}", _("Select who this role is for, or take the role out"))
            if person and person in seen:
                self.add_error(f"leader_{row}", _("Select each person once"))
            seen.add(person)
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The last session must be on or after the first session"))
        return data

    def leader_fields(self):
        """Each row's two bound fields, for the page to lay out together."""
        return [(self[f"leader_{row}"], self[f"role_{row}"]) for row in range(self.leader_rows)]

    def plain_fields(self):
        return [self[name] for name in self.fields if not name.startswith(("leader_", "role_", "lock_version"))]

    def service_arguments(self):
        data = self.cleaned_data
        leaders = []
        for row in range(self.leader_rows):
            person = data.get(f"leader_{row}")
            if person:
                leaders.append((self.staff[person], self.roles.get(data.get(f"role_{row}"))))
        return {
            "intervention": self.interventions[data["intervention"]],
            "name": data["name"],
            "minutes_per_session": data.get("minutes_per_session"),
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "slots": {weekday: data["starts_at"] for weekday in data["weekdays"]},
            "room": data.get("room", ""),
            "funding": data["funding"],
            "leaders": leaders,
        }


class GroupEditForm(StaleSaveGuard, GroupForm):
    pass


def group_initial(group):
    slots = list(group.slots.all())
    leaders = list(group.leaders.all())
    initial = {
        "intervention": str(group.intervention.public_id),
        "name": group.name,
        "minutes_per_session": group.minutes_per_session,
        "starts_on": group.starts_on,
        "ends_on": group.ends_on,
        "weekdays": [slot.weekday for slot in slots],
        "starts_at": slots[0].starts_at if slots else None,
        "room": group.room,
        "funding": group.funding,
        "lock_version": group.lock_version,
    }
    for row, leader in enumerate(leaders):
        initial[f"leader_{row}"] = str(leader.user.public_id)
        initial[f"role_{row}"] = str(leader.staff_role.public_id)
    return initial


class GroupEndForm(StaleSaveGuard):
    ends_on = GovukDateField(
        label=_("Date of the last session"),
        help_text=DATE_HINT,
        error_messages={"required": _("Enter the date of the last session")},
    )


class MemberForm(forms.Form):
    """A pupil's place: when they join, and which commitment in their plan in force it delivers."""

    NONE = "none"

    joined_on = GovukDateField(
        label=_("Date they join"),
        help_text=DATE_HINT,
        error_messages={"required": _("Enter the date they join")},
    )
    commitment = forms.ChoiceField(
        label=_("Which part of their plan does this place deliver?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select which part of their plan this place delivers, or ‘None of these’"),
            "invalid_choice": _("Select a part of their plan from the list"),
        },
    )

    def __init__(self, *args, commitments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitment"].choices = [
            (str(row.lineage), f"{row.what} – {row.how_often}") for row in commitments
        ] + [(self.NONE, _("None of these"))]
        if not commitments:
            self.fields["commitment"].help_text = _(
                "Their plan in force has no provision in it yet, or they have no plan in force."
            )

    def service_arguments(self):
        commitment = self.cleaned_data["commitment"]
        return {
            "joined_on": self.cleaned_data["joined_on"],
            "commitment": None if commitment == self.NONE else commitment,
        }


class MemberRemoveForm(forms.Form):
    left_on = GovukDateField(
        label=_("Date they leave"),
        help_text=_("Their last session in the group. For example, 14 9 2026"),
        error_messages={"required": _("Enter the date they leave")},
    )


class GroupFilterForm(forms.Form):
    """The group list's filters; a bad value is ignored rather than shown as an error."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    intervention = forms.ChoiceField(label=_("Intervention"), required=False)

    def __init__(self, *args, statuses, interventions, **kwargs):
        super().__init__(*args, **kwargs)
        self.interventions = {str(item.public_id): item for item in interventions}
        self.fields["status"].choices = [("", _("Any status")), *statuses]
        self.fields["intervention"].choices = [("", _("Any intervention"))] + [
            (key, item.name) for key, item in self.interventions.items()
        ]

    def filters(self):
        if not self.is_valid():
            return {}
        return {
            "status": self.cleaned_data.get("status") or None,
            "intervention": self.interventions.get(self.cleaned_data.get("intervention") or ""),
        }


class PupilSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search for a pupil to add"),
        max_length=100,
        required=False,
        help_text=_("Part of their first or last name. Pupils on the SEN register only."),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )

    def search(self):
        return (self.cleaned_data.get("q") or "").strip() if self.is_valid() else ""
