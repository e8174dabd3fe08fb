"""``RosterRowForm``: one row of a roster file, as strings, checked and turned into Waymark's values.

Only the columns the mapping reads become fields (``row_form_class``), so a file with six
columns builds a six-field form for each of its rows. An empty cell in an optional column
means "not given": the import never clears what Waymark holds because a cell is blank.
"""

from functools import cache

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import values
from .dates import DateError, parse_date
from .headers import FIELDS_BY_KEY


def _text(max_length, required_message=None):
    return forms.CharField(
        required=required_message is not None,
        max_length=max_length,
        strip=True,
        error_messages={
            "required": required_message or "",
            "max_length": gettext_lazy("This is too long: it can be at most %(limit_value)d characters."),
        },
    )


def _declared():
    fields = {
        "upn": _text(20),
        "legal_surname": _text(100, gettext_lazy("Enter the pupil's last name.")),
        "legal_forename": _text(100, gettext_lazy("Enter the pupil's first name.")),
        "preferred_name": _text(100),
        "date_of_birth": _text(40, gettext_lazy("Enter the pupil's date of birth.")),
        "year_group": _text(40, gettext_lazy("Enter the pupil's year group.")),
        "reg_group": _text(60),
        "sex": _text(20, gettext_lazy("Enter the pupil's sex (M or F).")),
        "date_joined": _text(40),
        "date_left": _text(40),
        "provision": _text(60),
        "need_1": _text(100),
        "need_2": _text(100),
        "teacher": _text(254),
    }
    for n in (1, 2):
        fields[f"contact_{n}_name"] = _text(150)
        fields[f"contact_{n}_forename"] = _text(75)
        fields[f"contact_{n}_surname"] = _text(75)
        fields[f"contact_{n}_relationship"] = _text(60)
        fields[f"contact_{n}_email"] = forms.EmailField(
            required=False,
            max_length=254,
            error_messages={"invalid": gettext_lazy("This is not an email address.")},
        )
        fields[f"contact_{n}_phone"] = _text(30)
        fields[f"contact_{n}_responsibility"] = _text(20)
    return fields


DECLARED = _declared()


class RosterRowForm(forms.Form):
    """One row. ``need_types`` is {code: NeedType}; ``today`` decides two-digit years and "in the past".

    ``cleaned_data`` holds Waymark's values for the cells given (dates as dates, year groups
    as numbers, ``provision`` as N/K/E, ``need_1``/``need_2`` as NeedTypes) and ``contacts``,
    {1: {...}, 2: {...}} for each contact given. ``warnings`` lists (field, message) that do
    not stop the import.
    """

    def __init__(self, data, *, need_types, today):
        super().__init__(data)
        self.need_types = need_types
        self.today = today
        self.warnings = []

    # ----- one cell at a time -----

    def _date(self, name):
        text = self.cleaned_data.get(name, "")
        if not text:
            return None
        try:
            return parse_date(text, today=self.today)
        except DateError as error:
            raise forms.ValidationError(str(error)) from None

    def _parsed(self, name, parse, *args):
        text = self.cleaned_data.get(name, "")
        if not text:
            return None
        try:
            return parse(text, *args)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_upn(self):
        from waymark.pupils.upn import UPNError, validate_upn

        text = self.cleaned_data.get("upn", "")
        if not text:
            return ""
        try:
            return validate_upn(text)
        except UPNError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_date_of_birth(self):
        born = self._date("date_of_birth")
        if born is not None and born >= self.today:
            raise forms.ValidationError(_("The date of birth must be in the past."))
        return born

    def clean_date_joined(self):
        return self._date("date_joined")

    def clean_date_left(self):
        return self._date("date_left")

    def clean_year_group(self):
        return self._parsed("year_group", values.year_group)

    def clean_sex(self):
        return self._parsed("sex", values.sex)

    def clean_provision(self):
        return self._parsed("provision", values.provision)

    def clean_need_1(self):
        return self._parsed("need_1", values.need_type, self.need_types)

    def clean_need_2(self):
        return self._parsed("need_2", values.need_type, self.need_types)

    # ----- the row as a whole -----

    def clean(self):
        data = super().clean()
        born, joined, left = data.get("date_of_birth"), data.get("date_joined"), data.get("date_left")
        if born and joined and joined < born:
            self.add_error("date_joined", _("The date they joined is before their date of birth."))
        if joined and left and left < joined:
            self.add_error("date_left", _("The date they left is before the date they joined."))
        first, second = data.get("need_1"), data.get("need_2")
        if first and second and first.pk == second.pk:
            self.add_error("need_2", _("The secondary need is the same as the primary need."))
        if second and not first and "need_1" in self.fields:
            self.add_error("need_1", _("Give the primary need as well as the secondary need."))
        data["contacts"] = {n: contact for n in (1, 2) if (contact := self._contact(n, data)) is not None}
        one, two = data["contacts"].get(1), data["contacts"].get(2)
        if (
            one
            and two
            and (
                one["full_name"].lower() == two["full_name"].lower() or (one["email"] and one["email"] == two["email"])
            )
        ):
            self.add_error(self._contact_column(2), _("Contact 2 is the same person as contact 1."))
        return data

    def _contact_column(self, n):
        for part in ("name", "forename", "surname", "email", "relationship", "phone", "responsibility"):
            if f"contact_{n}_{part}" in self.fields:
                return f"contact_{n}_{part}"
        return None

    def _contact(self, n, data):
        """Contact ``n`` as parent_contact fields, or None when the row gives none of it."""
        get = lambda part: data.get(f"contact_{n}_{part}") or ""  # noqa: E731
        name = get("name") or " ".join(part for part in (get("forename"), get("surname")) if part)
        details = [get(part) for part in ("relationship", "email", "phone", "responsibility")]
        if not name and not any(details):
            return None
        if not name:
            self.add_error(
                self._contact_column(n),
                _("Contact %(n)d has details but no name. Give their name, or leave all their columns empty.")
                % {"n": n},
            )
            return None
        contact = {"full_name": " ".join(name.split())[:150], "email": get("email").lower(), "phone": get("phone")}
        if get("relationship"):
            try:
                contact["relationship"] = values.relationship(get("relationship"))
            except values.NotFamily:
                self.warnings.append(
                    (
                        f"contact_{n}_relationship",
                        _("%(name)s is listed as %(what)s, not a parent or carer, so is not imported as one.")
                        % {"name": name, "what": get("relationship")},
                    )
                )
                return None
            except ValueError as error:
                self.add_error(f"contact_{n}_relationship", str(error))
                return None
        if get("responsibility"):
            try:
                contact["parental_responsibility"] = values.yes_no(get("responsibility"))
            except ValueError as error:
                self.add_error(f"contact_{n}_responsibility", str(error))
                return None
        return contact


@cache
def row_form_class(keys):
    """A ``RosterRowForm`` with a field for each of ``keys`` (a sorted tuple of mapped field keys)."""
    unknown = set(keys) - set(FIELDS_BY_KEY)
    if unknown:
        raise ValueError(f"Not roster fields: {sorted(unknown)}")
    attrs = {key: DECLARED[key] for key in keys}
    return type("RosterRowForm", (RosterRowForm,), attrs)
