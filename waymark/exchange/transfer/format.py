"""The transfer package format: its version, the names inside the ZIP, and the published JSON Schema.

docs/transfer-package.md describes the format for anyone writing or reading packages;
this module is the same facts in code, shared by the writer (``package``) and the
untrusted reader (``reader``).
"""

import datetime
import json
import re
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker

PACKAGE_VERSION = "1.0"
MAJOR_VERSION = 1
SCHEMA_NAME = "transfer-package-1.json"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / SCHEMA_NAME

# The members of the ZIP. Anything else in a package is refused.
DOCUMENT_MEMBER = "package.json"
MANIFEST_MEMBER = "manifest.json"
SCHEMA_MEMBER = "schema.json"
PDF_FOLDER = "pdfs/"
FILE_FOLDER = "documents/"
FIXED_MEMBERS = (DOCUMENT_MEMBER, MANIFEST_MEMBER, SCHEMA_MEMBER)
# Generated names only: lower-case letters, digits and hyphens, one known extension.
PDF_NAME = re.compile(r"^pdfs/[a-z0-9][a-z0-9-]{0,80}\.pdf$")
FILE_NAME = re.compile(r"^documents/[a-z0-9][a-z0-9-]{0,80}\.(pdf|docx|jpg|png)$")

# The file a school downloads and sends: an encrypted ZIP (``envelope``).
FILE_EXTENSION = "waymark"
CONTENT_TYPE = "application/octet-stream"


def is_allowed_member(name):
    return name in FIXED_MEMBERS or bool(PDF_NAME.match(name)) or bool(FILE_NAME.match(name))


@cache
def schema_bytes():
    return SCHEMA_PATH.read_bytes()


@cache
def schema():
    return json.loads(schema_bytes())


# RFC 3339 date-times as Python writes them (isoformat) with an offset: jsonschema checks
# "date" itself but needs an extra package for "date-time", so it is checked here.
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$")


def _is_date_time(instance):
    if not isinstance(instance, str):
        return True  # the "type" keyword reports a wrong type
    if not DATE_TIME.match(instance):
        return False
    try:
        datetime.datetime.fromisoformat(instance.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _format_checker():
    checker = FormatChecker(formats=["date", "uuid"])
    checker.checks("date-time")(_is_date_time)
    return checker


@cache
def validator():
    """The Draft 2020-12 validator for ``package.json``, with dates, date-times and ids checked."""
    Draft202012Validator.check_schema(schema())
    return Draft202012Validator(schema(), format_checker=_format_checker())


def major_of(version):
    """``"1.0"`` -> 1; ``None`` for anything that is not "major.minor"."""
    match = re.fullmatch(r"(\d{1,3})\.(\d{1,3})", version) if isinstance(version, str) else None
    return int(match.group(1)) if match else None
