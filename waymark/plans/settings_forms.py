"""Forms for the strategy bank and plan templates. The services check everything again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from waymark.core.forms import StaleSaveGuard
from waymark.pupils.models import AreaOfNeed, NeedType

from .bank_services import ADJUSTMENT_MAX_LENGTH, REQUIRED_SECTIONS, TEXT_MAX_LENGTH, placeholder_problems
from .models import BankEntry
from .sections import SECTION_KINDS

BANK_PAGE_SIZE = 25


def _need_choices():
    return [(need.code, f"{need.code} – {need.name}") for need in NeedType.objects.filter(is_active=True)]


class BankFilterForm(forms.Form):
    """The bank's search and filters; a bad value is ignored rather than shown as an error."""

    q = forms.CharField(label=_("Search the text and the reasons"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    area = forms.ChoiceField(label=_("Area of need"), required=False)
    need = forms.ChoiceField(label=_("Need"), required=False)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Any kind")), *BankEntry.Kind.choices]
        self.fields["area"].choices = [("", _("Any area")), *((area.code, area.name) for area in areas)]
        self.fields["need"].choices = [("", _("Any need")), *_need_choices()]


class BankEntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of entry"), choices=BankEntry.Kind.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Text"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Write {name} for the pupil's name, and {they}, {them} or {their} for their pronouns "
            "({They} at the start of a sentence). "
            "Start adjustments with what the adult does, for example: Give {name} instructions one step at a time."
        ),
        error_messages={"required": _("Enter the text of the entry.")},
    )
    rationale = forms.CharField(
        label=_("Why it helps"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The evidence or reasoning behind it, in a sentence or two"),
        error_messages={"required": _("Say briefly why it helps: the evidence or reasoning behind it.")},
    )
    area = forms.ModelChoiceField(
        label=_("Area of need (optional)"),
        queryset=AreaOfNeed.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("No particular area"),
        error_messages={"invalid_choice": _("Choose an area of need from the list.")},
    )
    need_codes = forms.MultipleChoiceField(
        label=_("Needs it suits (optional)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("On a pupil's plan, entries for the pupil's needs are suggested first"),
        error_messages={"invalid_choice": _("Choose need codes from the list.")},
    )
    subject = forms.CharField(
        label=_("Subject (optional)"),
        required=False,
        max_length=60,
        help_text=_("For secondary adjustments that apply in one subject, such as PE"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need_codes"].choices = _need_choices()

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        problems = placeholder_problems(text)
        if problems:
            raise forms.ValidationError(problems)
        return text

    def clean(self):
        data = super().clean()
        text = data.get("text")
        if text and data.get("kind") == BankEntry.Kind.ADJUSTMENT and len(text) > ADJUSTMENT_MAX_LENGTH:
            self.add_error(
                "text",
                _("An adjustment must be %(limit)d characters or fewer so it fits on a class sheet; it has %(count)d.")
                % {"limit": ADJUSTMENT_MAX_LENGTH, "count": len(text)},
            )
        return data


class BankEntryEditForm(StaleSaveGuard, BankEntryForm):
    pass


def entry_initial(entry):
    return {
        "kind": entry.kind,
        "text": entry.text,
        "rationale": entry.rationale,
        "area": entry.area.code if entry.area_id else None,
        "need_codes": list(entry.need_codes),
        "subject": entry.subject,
        "lock_version": entry.lock_version,
    }


class TemplateCopyForm(forms.Form):
    name = forms.CharField(
        label=_("Name of your copy"),
        max_length=120,
        error_messages={"required": _("Enter a name for the template.")},
    )


class TemplateForm(StaleSaveGuard):
    """A template's name and default flag, and for each section: included, order, label and help text."""

    name = forms.CharField(
        label=_("Template name"), max_length=120, error_messages={"required": _("Enter a name for the template.")}
    )
    description = forms.CharField(
        label=_("Description (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_default = forms.BooleanField(
        label=_("Use this template for new plans"),
        required=False,
        help_text=_("New plans at your school start from this template. Plans already written keep theirs."),
    )

    def __init__(self, *args, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.section_keys = [row["key"] for row in rows] or list(SECTION_KINDS)
        for key in self.section_keys:
            name = SECTION_KINDS[key][1]
            self.fields[f"{key}-included"] = forms.BooleanField(
                label=_("Include this section"),
                required=False,
                help_text=_("Required: a plan cannot be published without it") if key in REQUIRED_SECTIONS else "",
            )
            self.fields[f"{key}-order"] = forms.IntegerField(
                label=_("Order"),
                min_value=1,
                max_value=99,
                widget=forms.NumberInput(attrs={"class": "govuk-input--width-2"}),
                help_text=_("1 comes first"),
                error_messages={
                    "required": _("Enter the order of the section '%(name)s'.") % {"name": name},
                    "invalid": _("The order of the section '%(name)s' must be a whole number.") % {"name": name},
                    "min_value": _("The order of the section '%(name)s' must be 1 or more.") % {"name": name},
                    "max_value": _("The order of the section '%(name)s' must be 99 or less.") % {"name": name},
                },
            )
            self.fields[f"{key}-label"] = forms.CharField(
                label=_("Label"),
                max_length=120,
                error_messages={"required": _("Enter a label for the section '%(name)s'.") % {"name": name}},
            )
            self.fields[f"{key}-help_text"] = forms.CharField(
                label=_("Help text (optional)"),
                required=False,
                max_length=300,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @classmethod
    def initial_for(cls, template, rows):
        initial = {
            "name": template.name,
            "description": template.description,
            "is_default": template.is_default,
            "lock_version": template.lock_version,
        }
        for row in rows:
            key = row["key"]
            initial.update(
                {
                    f"{key}-included": row["included"],
                    f"{key}-order": row["order"],
                    f"{key}-label": row["label"],
                    f"{key}-help_text": row["help_text"],
                }
            )
        return initial

    def section_groups(self):
        """(key, engine name, bound fields) for each section, for the page to draw as fieldsets."""
        return [
            (
                key,
                SECTION_KINDS[key][1],
                [self[f"{key}-{part}"] for part in ("included", "order", "label", "help_text")],
            )
            for key in self.section_keys
        ]

    def clean(self):
        data = super().clean()
        included = [key for key in self.section_keys if data.get(f"{key}-included")]
        seen = {}
        for key in included:
            order = data.get(f"{key}-order")
            if order is not None:
                seen.setdefault(order, []).append(key)
        for order, keys in sorted(seen.items()):
            if len(keys) > 1:
                for key in keys:
                    self.add_error(
                        f"{key}-order",
                        _(
                            "The section '%(name)s' has the same order (%(order)d) as another section. "
                            "Give each included section its own number."
                        )
                        % {"name": SECTION_KINDS[key][1], "order": order},
                    )
        for key in REQUIRED_SECTIONS:
            if key in self.section_keys and key not in included:
                self.add_error(
                    f"{key}-included",
                    _("Include the section '%(name)s': a plan cannot be published without it.")
                    % {"name": SECTION_KINDS[key][1]},
                )
        return data

    def section_rows(self):
        data = self.cleaned_data
        return [
            {
                "key": key,
                "included": bool(data.get(f"{key}-included")),
                "order": data.get(f"{key}-order"),
                "label": data.get(f"{key}-label") or "",
                "help_text": data.get(f"{key}-help_text") or "",
            }
            for key in self.section_keys
        ]
