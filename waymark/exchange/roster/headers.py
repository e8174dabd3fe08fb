"""The fields a roster import fills, and the column names MIS exports use for them.

A file's columns are matched to fields without a saved mapping when their names are ones
the common MIS exports use (SIMS, Arbor, Bromcom and others), compared without case, spaces or
punctuation ("D.O.B." is "DOB"). A mapping the school saved for the same header row
(``ColumnMapping``) wins over these guesses, column by column.
"""

import re
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waymark.core.audit import audit_record

from ..models import ColumnMapping
from ..permissions import require_importer

IGNORE = ""  # the mapping value of a column that is not imported


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    aliases: tuple
    required: bool = False


def _contact_fields(number):
    n = str(number)
    first = number == 1
    return (
        Field(
            f"contact_{n}_name",
            gettext_lazy("Contact %(n)s: full name") % {"n": n},
            (
                f"Contact {n} name",
                f"Contact {n} full name",
                f"Contact {n}",
                f"Priority {n} contact",
                f"Priority {n} contact name",
                f"Parent {n} name",
                f"Parent/carer {n} name",
            )
            + (("Primary contact name", "Primary contact", "Parent name", "Parent/carer name") if first else ()),
        ),
        Field(
            f"contact_{n}_forename",
            gettext_lazy("Contact %(n)s: first name") % {"n": n},
            (
                f"Contact {n} forename",
                f"Contact {n} first name",
                f"Contact {n} legal forename",
                f"Priority {n} contact forename",
                f"Parent {n} forename",
                f"Parent {n} first name",
            ),
        ),
        Field(
            f"contact_{n}_surname",
            gettext_lazy("Contact %(n)s: last name") % {"n": n},
            (
                f"Contact {n} surname",
                f"Contact {n} last name",
                f"Contact {n} legal surname",
                f"Priority {n} contact surname",
                f"Parent {n} surname",
                f"Parent {n} last name",
            ),
        ),
        Field(
            f"contact_{n}_relationship",
            gettext_lazy("Contact %(n)s: relationship to the child") % {"n": n},
            (
                f"Contact {n} relationship",
                f"Contact {n} relation",
                f"Priority {n} contact relationship",
                f"Parent {n} relationship",
                f"Contact {n} relationship to pupil",
            )
            + (("Primary contact relationship", "Relationship") if first else ()),
        ),
        Field(
            f"contact_{n}_email",
            gettext_lazy("Contact %(n)s: email address") % {"n": n},
            (
                f"Contact {n} email",
                f"Contact {n} email address",
                f"Contact {n} e-mail",
                f"Priority {n} contact email",
                f"Parent {n} email",
            )
            + (("Primary contact email", "Parent email") if first else ()),
        ),
        Field(
            f"contact_{n}_phone",
            gettext_lazy("Contact %(n)s: phone number") % {"n": n},
            (
                f"Contact {n} phone",
                f"Contact {n} telephone",
                f"Contact {n} mobile",
                f"Contact {n} phone number",
                f"Contact {n} mobile phone",
                f"Priority {n} contact phone",
                f"Parent {n} phone",
                f"Parent {n} mobile",
            )
            + (("Primary contact phone", "Parent phone") if first else ()),
        ),
        Field(
            f"contact_{n}_responsibility",
            gettext_lazy("Contact %(n)s: has parental responsibility") % {"n": n},
            (
                f"Contact {n} parental responsibility",
                f"Contact {n} PR",
                f"Contact {n} has parental responsibility",
                f"Priority {n} contact parental responsibility",
                f"Parent {n} parental responsibility",
            )
            + (("Parental responsibility",) if first else ()),
        ),
    )


FIELDS = (
    Field("upn", gettext_lazy("UPN"), ("UPN", "Unique pupil number", "Pupil UPN")),
    Field(
        "legal_surname",
        gettext_lazy("Legal last name"),
        ("Legal surname", "Surname", "Last name", "Family name", "Legal last name", "Pupil surname"),
        required=True,
    ),
    Field(
        "legal_forename",
        gettext_lazy("Legal first name"),
        ("Legal forename", "Forename", "First name", "Given name", "Legal first name", "Pupil forename"),
        required=True,
    ),
    Field(
        "preferred_name",
        gettext_lazy("Preferred first name"),
        ("Preferred forename", "Preferred name", "Preferred first name", "Known as", "Chosen name"),
    ),
    Field(
        "date_of_birth",
        gettext_lazy("Date of birth"),
        ("DOB", "Date of birth", "Birth date", "Birthdate"),
        required=True,
    ),
    Field(
        "year_group",
        gettext_lazy("Year group"),
        ("Year", "Year group", "NC year", "NC year actual", "National curriculum year", "Curriculum year", "Yr"),
        required=True,
    ),
    Field(
        "reg_group",
        gettext_lazy("Registration class"),
        (
            "Reg",
            "Reg group",
            "Registration group",
            "Form",
            "Form group",
            "Class",
            "Tutor group",
            "Registration form",
            "Reg form",
            "Form class",
        ),
    ),
    Field("sex", gettext_lazy("Sex"), ("Sex", "Gender", "Legal sex"), required=True),
    Field(
        "date_joined",
        gettext_lazy("Date they joined the school"),
        (
            "Admission date",
            "Date of admission",
            "Entry date",
            "Date of entry",
            "Start date",
            "Date joined",
            "Admission",
        ),
    ),
    Field("date_left", gettext_lazy("Date they left"), ("Leaving date", "Date of leaving", "Date left", "Leave date")),
    Field(
        "provision",
        gettext_lazy("SEN provision (N, K or E)"),
        ("SEN status", "SEN provision", "SEN", "SEN stage", "SEN status code", "SEN provision code"),
    ),
    Field(
        "need_1",
        gettext_lazy("Primary need (census code)"),
        (
            "Primary need",
            "SEN need 1",
            "SEN need",
            "Need 1",
            "SEN type 1",
            "Primary SEN need",
            "Primary need type",
            "SEN primary need",
            "Type of need 1",
        ),
    ),
    Field(
        "need_2",
        gettext_lazy("Secondary need (census code)"),
        (
            "Secondary need",
            "SEN need 2",
            "Need 2",
            "SEN type 2",
            "Secondary SEN need",
            "Secondary need type",
            "SEN secondary need",
            "Type of need 2",
        ),
    ),
    Field(
        "teacher",
        gettext_lazy("Class teacher (name or email)"),
        ("Teacher", "Class teacher", "Form tutor", "Tutor", "Reg tutor", "Form teacher"),
    ),
    *_contact_fields(1),
    *_contact_fields(2),
)
FIELDS_BY_KEY = {field.key: field for field in FIELDS}
REQUIRED = tuple(field.key for field in FIELDS if field.required)


def normalise(header):
    """How a header is compared: lower case, letters and digits only ("D.O.B." and "dob" are one)."""
    return re.sub(r"[^0-9a-z]+", "", (header or "").lower())


ALIASES = {normalise(alias): field.key for field in FIELDS for alias in field.aliases}


def headers_key(headers):
    """The key a saved mapping is found by: the header row, lower case, single spaces, tab-joined."""
    return "\t".join(" ".join(header.lower().split()) for header in headers)[:2000]


def guess_mapping(headers):
    """{header: field key or ""} from the names MIS exports use; a field is given to its first column only."""
    mapping, taken = {}, set()
    for header in headers:
        key = ALIASES.get(normalise(header), IGNORE)
        if key in taken:
            key = IGNORE
        if key:
            taken.add(key)
        mapping[header] = key
    return mapping


def saved_mapping(school, headers):
    """The school's saved mapping for this exact header row, or None."""
    saved = ColumnMapping.objects.filter(school=school, headers_key=headers_key(headers)).first()
    return saved.mapping if saved is not None else None


def mapping_for(school, headers):
    """What each column is read as: the saved mapping where there is one, the recognised names elsewhere.

    Returns ``(mapping, saved)``: ``saved`` says whether a saved mapping was used.
    """
    mapping = guess_mapping(headers)
    saved = saved_mapping(school, headers)
    if saved is None:
        return mapping, False
    for header in headers:
        if header in saved and (saved[header] in FIELDS_BY_KEY or saved[header] == IGNORE):
            mapping[header] = saved[header]
    return mapping, True


def mapping_problems(mapping):
    """What is wrong with a mapping as a whole: a field given two columns, a required field given none."""
    problems = []
    used = {}
    for header, key in mapping.items():
        if key:
            used.setdefault(key, []).append(header)
    for key, headers in used.items():
        if len(headers) > 1:
            problems.append(
                _("Only one column can be read as \u201c%(field)s\u201d: you chose %(columns)s.")
                % {"field": FIELDS_BY_KEY[key].label, "columns": ", ".join(f"\u201c{h}\u201d" for h in headers)}
            )
    for key in REQUIRED:
        if key not in used:
            problems.append(
                _("Choose the column that holds \u201c%(field)s\u201d. Every pupil needs it.")
                % {"field": FIELDS_BY_KEY[key].label}
            )
    return problems


@transaction.atomic
def column_mapping_save(*, actor, school, headers, mapping):
    """Remember ``mapping`` for files with this header row, replacing any saved before.

    Who: those who may import into the school. Only known fields are kept. Audited as
    ``exchange.mapping.saved`` with the number of columns (never the column names, which
    can be anything).
    """
    require_importer(actor, school)
    cleaned = {header: mapping.get(header, IGNORE) for header in headers}
    cleaned = {header: key if key in FIELDS_BY_KEY else IGNORE for header, key in cleaned.items()}
    key = headers_key(headers)
    saved = ColumnMapping.objects.filter(school=school, headers_key=key).first()
    if saved is None:
        saved = ColumnMapping(school=school, headers_key=key)
    elif saved.mapping == cleaned:
        return saved
    saved.mapping = cleaned
    saved.updated_by = actor.user
    saved.full_clean()
    saved.save()
    audit_record(
        actor=actor,
        action="exchange.mapping.saved",
        target=saved,
        school=school,
        data={"columns": len(cleaned), "mapped": sum(1 for value in cleaned.values() if value)},
    )
    return saved
