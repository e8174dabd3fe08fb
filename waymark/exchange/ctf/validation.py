"""Checking each pupil of a parsed CTF and turning their strings into clean values.

Every problem names the pupil ("Pupil 3 (UPN A123..., Smith)") and the element it is in,
so the preview can list them all; a file with any problem is not imported at all.

SEN history and needs are checked in ``sen`` (its docstring gives the rules).

The destination school: a file addressed to another school (``DestSchool`` with a URN, or a
local authority and establishment number, that are not this school's) is refused, because it
was not sent to us. A file with no ``DestSchool``, or one addressed to "unknown" or "missing"
(DfE's XXX and MMM codes, as in files from the lost-pupils database), is accepted.

Year groups: ``NCyearActual`` is the year in the school year the file was written. A file
from an earlier school year (a CTF sent in July, imported in September) has its year groups
moved on by the years in between, with a warning.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from waymark.pupils.models import Provision, Sex
from waymark.pupils.upn import UPNError, validate_upn
from waymark.schools.models import year_group_label

from .dates import DateProblem, parse_date, show_date
from .parsing import problem
from .sen import check_needs, check_sen_history

UNADDRESSED_LEAS = {"XXX", "MMM"}
UNADDRESSED_ESTABS = {"XXXX", "MMMM"}
YEAR_CODES = {"N1": -1, "N2": -1, "N": -1, "R": 0}
MAX_NAME = 100
OLDEST_PUPIL = 25  # SEND provision can run to 25
YOUNGEST_PUPIL = 1


def academic_year_of(day):
    """The school year a day falls in, by the year it starts (1 September)."""
    return day.year if day.month >= 9 else day.year - 1


@dataclass
class CheckedFile:
    """The file's facts and each pupil's clean values, with every problem and warning found."""

    header: dict
    file_date: datetime.date
    pupils: list
    problems: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


def check_parsed(parsed, *, school, need_codes, today):
    """Check ``parsed`` (a ``ParsedCTF``) for import into ``school``; ``need_codes`` are the known need types."""
    problems, warnings = [], list(parsed.warnings)
    header = parsed.header
    file_date = _file_date(header, today, warnings)
    _check_destination(header, school, problems)
    years_on = _years_on(header, file_date, today, warnings)
    seen = {}
    pupils = []
    for raw in parsed.pupils:
        pupil = _check_pupil(raw, file_date=file_date, today=today, years_on=years_on, need_codes=need_codes)
        if pupil["upn"]:
            if pupil["upn"] in seen:
                pupil["problems"].append(
                    problem(
                        _("UPN %(upn)s appears more than once in the file (pupils %(first)d and %(again)d).")
                        % {"upn": pupil["upn"], "first": seen[pupil["upn"]], "again": raw["number"]},
                        row=raw["number"],
                        column="UPN",
                        pupil=raw["label"],
                    )
                )
            else:
                seen[pupil["upn"]] = raw["number"]
        problems.extend(pupil["problems"])
        warnings.extend(pupil["warnings"])
        pupils.append(pupil)
    return CheckedFile(header=header, file_date=file_date, pupils=pupils, problems=problems, warnings=warnings)


def _file_date(header, today, warnings):
    if header["datetime"]:
        try:
            written = parse_date(header["datetime"])
        except DateProblem as error:
            warnings.append(
                problem(_("The header's date: %(error)s Today's date was used.") % {"error": error}, column="DateTime")
            )
        else:
            if written <= today:
                return written
            warnings.append(
                problem(
                    _("The header says the file was written on %(date)s, after today. Today's date was used.")
                    % {"date": show_date(written)},
                    column="DateTime",
                )
            )
    else:
        warnings.append(problem(_("The header gives no date; today's date was used."), column="DateTime"))
    return today


def _check_destination(header, school, problems):
    dest = header.get("dest")
    if not dest:
        return
    lea, estab, urn = dest["lea"].upper(), dest["estab"].upper(), dest["urn"]
    if lea in UNADDRESSED_LEAS or estab in UNADDRESSED_ESTABS:
        return
    if urn:
        addressed_here = urn == school.urn
    elif lea and estab:
        addressed_here = (lea, estab) == (school.la_number, school.establishment_number)
    else:
        return
    if not addressed_here:
        where = ", ".join(
            part
            for part in (
                dest["name"],
                _("LA %(lea)s") % {"lea": lea} if lea else "",
                _("establishment %(estab)s") % {"estab": estab} if estab else "",
                _("URN %(urn)s") % {"urn": urn} if urn else "",
            )
            if part
        )
        problems.append(
            problem(
                _(
                    "This file was sent to another school (%(where)s), not to %(school)s (LA %(lea)s, establishment "
                    "%(estab)s, URN %(urn)s). Waymark imports only files addressed to this school or to no school in "
                    "particular."
                )
                % {
                    "where": where,
                    "school": school.name,
                    "lea": school.la_number,
                    "estab": school.establishment_number,
                    "urn": school.urn,
                },
                column="DestSchool",
            )
        )


def _years_on(header, file_date, today, warnings):
    match = re.search(r"\d{4}", header["source"]["academic_year"])
    file_year = int(match.group(0)) if match else academic_year_of(file_date)
    years = academic_year_of(today) - file_year
    if years > 0:
        warnings.append(
            problem(
                _(
                    "The file was written in the %(start)d to %(end)d school year: year groups have been moved on by "
                    "%(years)d."
                )
                % {"start": file_year, "end": file_year + 1, "years": years},
                column="AcademicYear",
            )
        )
        return years
    return 0


def _check_pupil(raw, *, file_date, today, years_on, need_codes):
    number, label = raw["number"], raw["label"]
    problems, warnings = [], []

    def fail(column, message):
        problems.append(problem(message, row=number, column=column, pupil=label))

    def warn(column, message):
        warnings.append(problem(message, row=number, column=column, pupil=label))

    pupil = {"number": number, "label": label, "problems": problems, "warnings": warnings}
    pupil["upn"] = ""
    if not raw["upn"]:
        fail("UPN", _("The pupil has no UPN. Waymark matches CTF pupils by UPN: add this pupil by hand instead."))
    else:
        try:
            pupil["upn"] = validate_upn(raw["upn"])
        except UPNError as error:
            fail("UPN", _("UPN %(upn)s: %(error)s") % {"upn": raw["upn"], "error": error})
    for key, column, noun in (("surname", "Surname", _("last name")), ("forename", "Forename", _("first name"))):
        value = raw[key]
        if not value:
            fail(column, _("The pupil's %(noun)s is missing.") % {"noun": noun})
        elif len(value) > MAX_NAME:
            fail(column, _("The pupil's %(noun)s is longer than %(max)d characters.") % {"noun": noun, "max": MAX_NAME})
    pupil["legal_surname"], pupil["legal_forename"] = raw["surname"], raw["forename"]
    preferred = raw["preferred_forename"]
    # Only a preferred name that differs from the legal one says anything: none, an empty one or the
    # legal name again leaves the school's (perhaps one the pupil asked this school to use) as it is.
    pupil["preferred_name"] = preferred if preferred and preferred != raw["forename"] else None
    if pupil["preferred_name"] and len(pupil["preferred_name"]) > MAX_NAME:
        fail("PreferredForename", _("The preferred first name is longer than %(max)d characters.") % {"max": MAX_NAME})
    pupil["date_of_birth"] = _date_of_birth(raw["dob"], file_date, today, fail)
    pupil["sex"] = _sex(raw["sex"], fail)
    pupil["year_group"] = _year_group(raw["year"], years_on, fail, warn)
    pupil["history"], pupil["current"] = check_sen_history(raw["sen"], file_date, fail, warn)
    pupil["needs"] = check_needs(raw["needs"], file_date, need_codes, fail, warn)
    if pupil["current"]["provision"] == Provision.NO_SEN and any(need["ends_on"] is None for need in pupil["needs"]):
        warn("SENneed", _("The pupil has open needs but no current SEN provision (N)."))
    return pupil


def _date_of_birth(text, file_date, today, fail):
    if not text:
        fail("DOB", _("The date of birth is missing."))
        return None
    try:
        born = parse_date(text)
    except DateProblem as error:
        fail("DOB", _("Date of birth: %(error)s") % {"error": error})
        return None
    if born > today:
        fail("DOB", _("The date of birth, %(date)s, is in the future.") % {"date": show_date(born)})
        return None
    age = file_date.year - born.year - ((file_date.month, file_date.day) < (born.month, born.day))
    if not YOUNGEST_PUPIL <= age <= OLDEST_PUPIL:
        fail(
            "DOB",
            _(
                "The date of birth, %(date)s, is not plausible for a pupil: they would have been %(age)d when "
                "the file was written."
            )
            % {"date": show_date(born), "age": age},
        )
        return None
    return born


def _sex(text, fail):
    value = text.strip().upper()
    if value in ("MALE", "FEMALE"):
        value = value[0]
    if value not in Sex.values:
        if not value:
            fail("Sex", _("The pupil's sex (Sex or Gender) is missing."))
        else:
            fail("Sex", _('"%(value)s" is not a sex the census records (M or F).') % {"value": text})
        return None
    return value


def _year_group(text, years_on, fail, warn):
    """The year group now, or None when the file gives none (X: not following the national curriculum)."""
    value = text.strip().upper()
    if not value or value == "X":
        return None
    if value in YEAR_CODES:
        year = YEAR_CODES[value]
    elif value.isdigit() and 1 <= int(value) <= 14:
        year = int(value)
    else:
        fail(
            "NCyearActual", _('"%(value)s" is not a national curriculum year (N1, N2, R or 1 to 14).') % {"value": text}
        )
        return None
    if years_on:
        moved = year + years_on
        if moved > 14:
            fail(
                "NCyearActual",
                _("%(year)s in the file would now be past Year 14: this pupil has left school.")
                % {"year": year_group_label(year)},
            )
            return None
        return moved
    return year
