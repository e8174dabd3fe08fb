"""How a stored value reads in a subject access release: dates, people, codes, JSON, related rows.

Dates read "4 March 2027", times "4 March 2027, 14:05" (local time), yes/no fields "Yes"/"No",
codes their labels, people their names, a row another row points at by a short label that
needs at most the relations ``RELATED_LABELS`` names (joined by the gatherer, so no query per
row), and JSON as indented "Label: value" lines without ids.
"""

import datetime
import re
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waymark.core.audit_registry import describe
from waymark.plans.sections import SECTION_KINDS, TEXT_SECTION_FIELDS
from waymark.provision.dates import day_text
from waymark.pupils.models import Tier

# Keys inside JSON that are ids, not words.
_JSON_ID_KEY = re.compile(r"(^|_)(id|ids|pk|uuid|lineage|sha256|hash)$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def format_datetime(value):
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.day} {value:%B %Y, %H:%M}"


def _user_label(user):
    return user.full_name or user.email


def _version_label(version):
    return _("Version %(number)s (%(status)s)") % {
        "number": version.number,
        "status": version.get_status_display().lower(),
    }


# How a row another row points at is named: (label, the relations the label needs joined).
RELATED_LABELS = {
    "accounts.User": (_user_label, ()),
    "pupils.ParentLink": (lambda link: f"{link.full_name} ({link.get_relationship_display().lower()})", ()),
    "pupils.Need": (lambda need: f"{need.need_type.name} (rank {need.rank})", ("need_type",)),
    "provision.SessionLog": (lambda session: f"{session.group.name}, {day_text(session.date)}", ("group",)),
    "evidence.Share": (lambda share: f"{share.service}: {share.display_name}", ("specialist",)),
    "plans.SupportPlan": (lambda plan: _("The pupil's plan"), ()),
    "plans.PlanVersion": (_version_label, ()),
    "plans.Review": (
        lambda review: _("Review held on %(date)s") % {"date": day_text(review.held_on)},
        (),
    ),
    "exchange.ReceivedTransfer": (lambda received: str(received), ()),
}

LABELS = {
    ("core.AuditEvent", "created_at"): gettext_lazy("When"),
    ("core.AuditEvent", "actor"): gettext_lazy("Who"),
    ("core.AuditEvent", "action"): gettext_lazy("What"),
    ("core.Notification", "kind"): gettext_lazy("Kind of email"),
    ("pupils.ParentLink", "user"): gettext_lazy("Their Waymark account"),
    ("pupils.ParentLink", "contact_by_email"): gettext_lazy("Contact by email"),
    ("pupils.ParentLink", "contact_by_phone"): gettext_lazy("Contact by phone"),
    ("pupils.ParentLink", "contact_by_post"): gettext_lazy("Contact by letter"),
    ("plans.PlanSection", "key"): gettext_lazy("Section"),
    ("plans.PlanSection", "data"): gettext_lazy("What it says"),
    ("plans.PupilVoice", "answers"): gettext_lazy("Their answers"),
    ("exchange.ReceivedTransfer", "document"): gettext_lazy("The record as received"),
    ("exchange.ReceivedTransfer", "from_school_name"): gettext_lazy("From"),
    ("exchange.ReceivedTransfer", "from_school_urn"): gettext_lazy("That school's URN"),
    ("evidence.Document", "size"): gettext_lazy("Size (bytes)"),
    ("evidence.Document", "content_type"): gettext_lazy("Type of file"),
}


def _section_text(item, value):
    labels = TEXT_SECTION_FIELDS.get(item.key, {})
    lines = []
    for key, text in value.items():
        if text in (None, ""):
            continue
        lines.append(f"{labels.get(key, humanise(key))}: {_scalar(text)}")
    return "\n".join(lines)


def _voice_text(voice, answers):
    return "\n".join(
        f"{entry.get('question', '')}: {_scalar(entry.get('answer', ''))}".strip(": ")
        for entry in answers
        if isinstance(entry, dict)
    )


def _event_actor(event, user):
    return _user_label(user) if user is not None else _("Waymark itself (no person)")


def _describe(event, code):
    try:
        return str(describe(code))
    except KeyError:  # a code since retired from the registry: still say what was recorded
        return code


# Values that read better worked out by hand than from the field: (model, field) -> f(obj, value).
VALUES = {
    ("core.AuditEvent", "action"): _describe,
    ("core.AuditEvent", "actor"): _event_actor,
    ("plans.PlanSection", "key"): lambda section, key: str(SECTION_KINDS.get(key, (None, key))[1]),
    ("plans.PlanSection", "data"): _section_text,
    ("plans.PlanVersion", "tier"): lambda version, tier: str(dict(Tier.choices).get(tier, tier)),
    ("plans.Review", "decisions"): lambda review, decisions: "\n".join(review.decision_labels()),
    ("plans.PupilVoice", "answers"): _voice_text,
    ("core.Notification", "kind"): lambda notification, kind: humanise(kind),
}


def label_paths(related_model):
    return RELATED_LABELS.get(related_model._meta.label, (None, ()))[1]


def related_label(obj):
    label, _paths = RELATED_LABELS.get(obj._meta.label, (None, ()))
    return str(label(obj)) if label else str(obj)


def humanise(key):
    return capfirst(str(key).replace("_", " "))


def _scalar(value):
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if value is None:
        return ""
    text = str(value)
    if _ISO_DATE.match(text):
        try:
            return day_text(datetime.date.fromisoformat(text))
        except ValueError:
            return text
    if _ISO_DATETIME.match(text):
        try:
            return format_datetime(datetime.datetime.fromisoformat(text))
        except ValueError:
            return text
    return text


def json_text(value, depth=0):
    """JSON as indented lines of "Label: value", leaving out ids and empty parts."""
    pad = "  " * depth
    lines = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if inner in (None, "", [], {}) or _JSON_ID_KEY.search(str(key)):
                continue
            if isinstance(inner, (dict, list)):
                lines.append(f"{pad}{humanise(key)}:")
                lines.append(json_text(inner, depth + 1))
            else:
                lines.append(f"{pad}{humanise(key)}: {_scalar(inner)}")
    elif isinstance(value, list):
        for number, inner in enumerate(value, start=1):
            if isinstance(inner, (dict, list)):
                lines.append(f"{pad}{number}.")
                lines.append(json_text(inner, depth + 1))
            else:
                lines.append(f"{pad}- {_scalar(inner)}")
    else:
        lines.append(pad + _scalar(value))
    return "\n".join(line for line in lines if line.strip())


def value_text(model_label, candidate, obj):
    """One field of one row as readable text; '' when there is nothing to show."""
    if candidate.many_to_many:
        return ", ".join(related_label(other) for other in getattr(obj, candidate.name).all())
    value = getattr(obj, candidate.name)
    custom = VALUES.get((model_label, candidate.name))
    if custom is not None:
        return str(custom(obj, value) or "")
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if candidate.is_relation:
        return related_label(value)
    if candidate.choices:
        return str(dict(candidate.flatchoices).get(value, value))
    if isinstance(candidate, models.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(candidate, models.DateTimeField):
        return format_datetime(value)
    if isinstance(candidate, models.DateField):
        return day_text(value)
    if isinstance(candidate, models.JSONField):
        return json_text(value)
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def field_label(model_label, candidate):
    return str(LABELS.get((model_label, candidate.name)) or capfirst(candidate.verbose_name))
