"""Reading a Common Transfer File into plain dictionaries. The file is untrusted.

Only ``defusedxml`` reads it, with document type declarations, entities and external
references all refused: a CTF never needs them, and they are how an XML file attacks a
server (the "billion laughs" bomb, reading local files). The file's size is checked before
it is parsed.

What is read (DOMAIN.md, "The Common Transfer File"): the ``Header`` and every ``Pupil``
in ``CTFpupilData``, with their UPN, names, date of birth, sex, NC year and SEN history.
Real files vary, so the reader accepts what it can: a default namespace on the root (DfE's
own files have none), element names in any letter case, ``Gender`` for ``Sex`` (older
versions), preferred names in ``BasicDetails`` or directly under ``Pupil``, ``SENneeds``
beside the ``SEN`` entries or inside one of them, and any optional part missing. Everything
else in a pupil (contacts, attendance, assessments...) is not Waymark's business and is not
read. Oddities that were ignored are returned as warnings; nothing here decides whether a
value is valid (``validation`` does).

The result holds strings exactly as written (stripped), so the same file always gives the
same dictionaries.
"""

import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.conf import settings
from django.utils.translation import gettext as _

from waymark.evidence.uploads import size_label

# CTF versions seen in schools' files; others are read, with a warning.
KNOWN_VERSIONS = (16, 26)
# More than the largest school has: a bigger file is not one school's pupils.
MAX_PUPILS = 10_000
SEN_ENTRY_PARTS = {"startdate", "senprovision", "enddate", "senneeds"}
SEN_NEED_PARTS = {"sentype", "sentyperank", "startdate", "enddate"}


class CTFRejected(Exception):
    """The file cannot be read as a CTF at all. ``problems`` says why, in the batch's problem shape."""

    def __init__(self, problems):
        super().__init__("; ".join(problem["message"] for problem in problems))
        self.problems = problems


@dataclass
class ParsedCTF:
    header: dict
    pupils: list
    warnings: list = field(default_factory=list)


def problem(message, *, row=0, column="", pupil=""):
    """One problem or warning: ``row`` is the pupil's place in the file (0 for the file as a whole)."""
    return {"row": row, "column": column, "message": str(message), "pupil": pupil}


def pupil_label(number, upn, surname):
    """How a pupil is named in every message: "Pupil 3 (UPN A123..., Smith)"."""
    details = ", ".join(part for part in ((f"UPN {upn}" if upn else _("no UPN")), surname) if part)
    return _("Pupil %(number)d (%(details)s)") % {"number": number, "details": details}


def parse_ctf(data):
    """``data`` (bytes) as a ``ParsedCTF``, or ``CTFRejected`` saying what is wrong with the file."""
    limit = settings.WAYMARK_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise CTFRejected(
            [
                problem(
                    _("The file is %(size)s. An import file must be %(limit)s or smaller.")
                    % {"size": size_label(len(data)), "limit": size_label(limit)}
                )
            ]
        )
    if not data.strip():
        raise CTFRejected([problem(_("The file is empty."))])
    root = _parse_xml(data)
    warnings = []
    namespace = _strip_namespaces(root)
    if namespace:
        warnings.append(
            problem(
                _(
                    "The file's elements are in the namespace %(namespace)s, which DfE's CTF files do not use: "
                    "it was ignored."
                )
                % {"namespace": namespace}
            )
        )
    if root.tag != "ctfile":
        raise CTFRejected(
            [
                problem(
                    _("This is an XML file, but not a Common Transfer File: it starts with <%(tag)s>, not <CTfile>.")
                    % {"tag": _original_tag(root)}
                )
            ]
        )
    header_element = _child(root, "header")
    if header_element is None:
        raise CTFRejected([problem(_("The file has no Header, so it cannot be read as a Common Transfer File."))])
    header = _header(header_element, warnings)
    pupils = []
    for container in _children(root, "ctfpupildata"):
        for element in container:
            if element.tag != "pupil":
                warnings.append(
                    problem(
                        _("An element <%(tag)s> among the pupils was ignored.") % {"tag": _original_tag(element)},
                        column="CTFpupilData",
                    )
                )
                continue
            pupils.append(_pupil(element, len(pupils) + 1, warnings))
    stray = sum(1 for element in root.iter("pupil")) - len(pupils)
    if stray:
        warnings.append(
            problem(
                _("%(count)d <Pupil> elements outside <CTFpupilData> were ignored.") % {"count": stray},
                column="Pupil",
            )
        )
    if not pupils:
        raise CTFRejected([problem(_("The file holds no pupils: there is no <Pupil> in <CTFpupilData>."))])
    if len(pupils) > MAX_PUPILS:
        raise CTFRejected(
            [
                problem(
                    _("The file holds %(count)d pupils. Waymark imports at most %(max)d at a time: split the file.")
                    % {"count": len(pupils), "max": MAX_PUPILS}
                )
            ]
        )
    return ParsedCTF(header=header, pupils=pupils, warnings=warnings)


def _parse_xml(data):
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DTDForbidden:
        message = _(
            "The file contains a document type declaration (<!DOCTYPE ...>). Common Transfer Files never do, and "
            "Waymark does not read them, because they can be used to attack the server (XML entity expansion). "
            "Export the file from the MIS again."
        )
    except EntitiesForbidden:
        message = _(
            "The file declares XML entities. Common Transfer Files never do, and Waymark does not read them, "
            "because they can be used to attack the server. Export the file from the MIS again."
        )
    except ExternalReferenceForbidden:
        message = _(
            "The file refers to another file or web address (an external entity). Waymark does not follow such "
            "references. Export the file from the MIS again."
        )
    except DefusedXmlException:
        message = _("The file uses XML features Waymark does not read. Export the file from the MIS again.")
    except LookupError as error:  # an encoding declaration Python does not know
        message = _(
            "The file says it is written in a character encoding Waymark cannot read (%(error)s). "
            "CTF files are UTF-8: export the file from the MIS again."
        ) % {"error": error}
    except ParseError as error:
        line, column = getattr(error, "position", (None, None))
        reason = str(error).split(":")[0]
        if line:
            message = _(
                "This is not a readable XML file (%(reason)s at line %(line)d, column %(column)d). "
                "Check you chose the CTF file the MIS exported, not another file."
            ) % {"reason": reason, "line": line, "column": column + 1}
        else:
            message = _("This is not a readable XML file. Check you chose the CTF file the MIS exported.")
    raise CTFRejected([problem(message)])


def _strip_namespaces(root):
    """Lower-case every tag and drop its namespace; return the first namespace seen, if any."""
    seen = ""
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str):  # comments and processing instructions
            continue
        if tag.startswith("{"):
            namespace, _brace, tag = tag[1:].partition("}")
            seen = seen or namespace
        element.set("__tag__", tag)
        element.tag = tag.lower()
    return seen


def _original_tag(element):
    return element.get("__tag__") or element.tag


def _child(element, name):
    return element.find(name) if element is not None else None


def _children(element, name):
    return element.findall(name) if element is not None else []


def _text(element, *path):
    """The stripped text at ``path`` below ``element`` (the first match at each step), or ''."""
    for name in path:
        element = _child(element, name)
        if element is None:
            return ""
    return (element.text or "").strip()


def _header(element, warnings):
    source = _child(element, "sourceschool")
    dest = _child(element, "destschool")
    header = {
        "document_name": _text(element, "documentname"),
        "version": _text(element, "ctfversion"),
        "datetime": _text(element, "datetime"),
        "qualifier": _text(element, "documentqualifier"),
        "source": _school(source),
        "dest": _school(dest) if dest is not None else None,
    }
    if header["document_name"] and "common transfer" not in header["document_name"].lower():
        warnings.append(
            problem(
                _('The header names the document "%(name)s", not "Common Transfer File"; it was read as one.')
                % {"name": header["document_name"]},
                column="DocumentName",
            )
        )
    major = re.match(r"^\s*(\d+)", header["version"])
    if not major:
        warnings.append(
            problem(_("The header gives no CTF version; the file was read as a recent one."), column="CTFversion")
        )
    elif not KNOWN_VERSIONS[0] <= int(major.group(1)) <= KNOWN_VERSIONS[1]:
        warnings.append(
            problem(
                _(
                    "CTF version %(version)s is outside the versions Waymark has been checked with "
                    "(%(low)d.0 to %(high)d.0)."
                )
                % {"version": header["version"], "low": KNOWN_VERSIONS[0], "high": KNOWN_VERSIONS[1]},
                column="CTFversion",
            )
        )
    return header


def _school(element):
    return {
        "lea": _text(element, "lea"),
        "estab": _text(element, "estab"),
        "urn": _text(element, "urn"),
        "name": _text(element, "schoolname"),
        "academic_year": _text(element, "academicyear"),
    }


def _pupil(element, number, warnings):
    basic = _child(element, "basicdetails")
    upn = _text(element, "upn")
    surname = _text(element, "surname")
    label = pupil_label(number, upn, surname)

    def warn(message, column):
        warnings.append(problem(message, row=number, column=column, pupil=label))

    # Older versions call it Gender; a file giving both, differently, is read by the newer name.
    sex_text = _text(element, "sex") or _text(basic, "sex")
    gender_text = _text(element, "gender") or _text(basic, "gender")
    if sex_text and gender_text and sex_text != gender_text:
        warn(_("Both <Sex> and <Gender> are given and they differ; <Sex> was used."), "Sex")

    def either(name):
        # Preferred names sit in BasicDetails in DfE's schema; some writers put them on the pupil.
        node = _child(basic, name)
        if node is None:
            node = _child(element, name)
        return None if node is None else (node.text or "").strip()

    pupil = {
        "number": number,
        "label": label,
        "upn": upn,
        "surname": surname,
        "forename": _text(element, "forename"),
        "preferred_surname": either("preferredsurname"),
        "preferred_forename": either("preferredforename"),
        "dob": _text(element, "dob"),
        "sex": sex_text or gender_text,
        "year": _text(basic, "ncyearactual") or _text(element, "ncyearactual"),
        "sen": [],
        "needs": [],
    }
    histories = _children(element, "senhistory")
    for history in histories:
        for entry in history.findall("sen"):
            pupil["sen"].append(
                {
                    "number": len(pupil["sen"]) + 1,
                    "start": _text(entry, "startdate"),
                    "provision": _text(entry, "senprovision"),
                    "end": _text(entry, "enddate"),
                }
            )
            _warn_unknown_parts(entry, SEN_ENTRY_PARTS, "SEN", warn)
        # DfE's layout puts SENneeds beside the SEN entries; some writers put it inside one.
        for need in [*history.findall("senneeds/senneed"), *history.findall("sen/senneeds/senneed")]:
            pupil["needs"].append(
                {
                    "number": len(pupil["needs"]) + 1,
                    "type": _text(need, "sentype"),
                    "rank": _text(need, "sentyperank"),
                    "start": _text(need, "startdate"),
                    "end": _text(need, "enddate"),
                }
            )
            _warn_unknown_parts(need, SEN_NEED_PARTS, "SENneed", warn)
    return pupil


def _warn_unknown_parts(element, known, where, warn):
    for part in element:
        if isinstance(part.tag, str) and part.tag not in known:
            warn(
                _("<%(part)s> in <%(where)s> is not something Waymark reads; it was ignored.")
                % {"part": _original_tag(part), "where": where},
                where,
            )
