"""What the JSON Schema found wrong with a package's document, in plain English with the JSON path.

Only the first few problems are shown (``MAX_SHOWN``): one wrong field in a large document
can break hundreds of rules, and the sending school needs to know where to start.
"""

import itertools
import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .format import validator

REQUIRED_MESSAGE = re.compile(r"^'(.+)' is a required property$")
MAX_SHOWN = 10
MAX_COUNTED = 1000

TYPE_WORDS = {
    "string": gettext_lazy("text"),
    "integer": gettext_lazy("a whole number"),
    "number": gettext_lazy("a number"),
    "boolean": gettext_lazy("true or false"),
    "array": gettext_lazy("a list"),
    "object": gettext_lazy("a group of fields"),
    "null": gettext_lazy("empty (null)"),
}
FORMAT_WORDS = {
    "date": gettext_lazy("a real date written like 2027-03-04"),
    "date-time": gettext_lazy("a date and time written like 2027-03-04T09:30:00+00:00"),
    "uuid": gettext_lazy("an identifier (a UUID)"),
}


def json_path(parts):
    """``["pupil", "needs", 0, "code"]`` -> ``$.pupil.needs[0].code``."""
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _types(value):
    names = value if isinstance(value, list) else [value]
    return _(" or ").join(str(TYPE_WORDS.get(name, name)) for name in names)


def describe(error):
    """One schema error as "<path>: <what is wrong>"."""
    rule, expected = error.validator, error.validator_value
    path = list(error.absolute_path)
    if rule == "required":
        # One error per missing property; jsonschema names it only in its own message.
        named = REQUIRED_MESSAGE.match(error.message)
        instance = error.instance if isinstance(error.instance, dict) else {}
        missing = named.group(1) if named else next((name for name in expected if name not in instance), "")
        return _("%(path)s: ‘%(name)s’ is missing.") % {"path": json_path(path), "name": missing}
    if rule == "type":
        what = _("should be %(types)s.") % {"types": _types(expected)}
    elif rule == "format":
        what = _("should be %(format)s.") % {"format": FORMAT_WORDS.get(expected, expected)}
    elif rule in ("enum", "const"):
        what = _("is not one of the values allowed here.")
    elif rule == "pattern":
        what = _("is not written in the form expected here.")
    elif rule == "maxLength":
        what = _("is too long: at most %(count)s characters.") % {"count": expected}
    elif rule == "minLength":
        what = _("must not be empty.")
    elif rule == "maximum":
        what = _("is too large: at most %(count)s.") % {"count": expected}
    elif rule == "minimum":
        what = _("is too small: at least %(count)s.") % {"count": expected}
    elif rule == "maxItems":
        what = _("has too many entries: at most %(count)s.") % {"count": expected}
    elif rule in ("oneOf", "anyOf"):
        what = _("is not in any of the forms allowed here.")
    else:
        what = _("does not match the published format.")
    return f"{json_path(path)}: {what}"


def schema_problems(document):
    """Up to ``MAX_SHOWN`` problems, in document order, and a line saying how many more; [] if valid."""
    errors = list(itertools.islice(validator().iter_errors(document), MAX_COUNTED))
    if not errors:
        return []
    errors.sort(
        key=lambda error: [(0, part, "") if isinstance(part, int) else (1, 0, part) for part in error.absolute_path]
    )
    shown = [describe(error) for error in errors[:MAX_SHOWN]]
    hidden = len(errors) - len(shown)
    if hidden:
        more = f"{hidden}+" if len(errors) >= MAX_COUNTED else str(hidden)
        shown.append(_("…and %(count)s more problems.") % {"count": more})
    return shown
