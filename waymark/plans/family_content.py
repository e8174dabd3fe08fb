"""A frozen plan as a parent reads it: only what everyone may see, in plain words.

``parent_content`` filters a version's snapshot to ``Visibility.EVERYONE`` and takes out
the header's recorded needs and UPN (the header is not filtered by visibility; barrier
items are). ``family_plan`` turns what is left into the plain-language layout the parent
page and the parent PDF share (``plans/includes/family_plan.html``): no costs, no
funding, nothing staff-only or restricted.
"""

from django.utils.translation import gettext as _

from waymark.core.models import Visibility

from .documents.content import how_often
from .snapshot import format_date, visible_content

PARENT_LEVELS = frozenset({Visibility.EVERYONE})
# In the snapshot's header but never for parents: needs are not filtered by visibility there.
HIDDEN_PUPIL_FIELDS = frozenset({"needs", "upn"})
# Small groups are "a small group of 4"; larger ones just "a group of 12".
SMALL_GROUP = 8


def parent_content(snapshot):
    """``snapshot`` with everything a parent may not read taken out."""
    content = visible_content(snapshot, PARENT_LEVELS)
    pupil = {key: value for key, value in content.get("pupil", {}).items() if key not in HIDDEN_PUPIL_FIELDS}
    return {**content, "pupil": pupil}


def _date(iso):
    if hasattr(iso, "isoformat"):
        iso = iso.isoformat()
    try:
        return format_date(iso)
    except (TypeError, ValueError):
        return str(iso or "")


def _with_article(role):
    role = role.strip()
    if not role:
        return ""
    lowered = role[0].lower() + role[1:] if not role.split()[0].isupper() else role
    article = "an" if lowered[0].lower() in "aeiou" else "a"
    return f"{article} {lowered}"


def provision_in_words(item):
    """ "3 times a week, 20 minutes, in a small group of 4, with a teaching assistant"."""
    parts = [how_often(item.get("sessions_per_week"), item.get("minutes_per_session"))]
    size = int(item.get("group_size") or 0)
    if size == 1:
        parts.append(_("one to one"))
    elif size > SMALL_GROUP:
        parts.append(_("in a group of %(count)d") % {"count": size})
    elif size > 1:
        parts.append(_("in a small group of %(count)d") % {"count": size})
    role = item.get("delivered_by_role", "")
    person = item.get("delivered_by", "")
    if role:
        parts.append(_("with %(who)s") % {"who": _with_article(role)})
    elif person:
        parts.append(_("with %(who)s") % {"who": person})
    return ", ".join(str(part) for part in parts)


def _dates(starts_on, ends_on):
    if starts_on and ends_on:
        return _("From %(start)s to %(end)s") % {"start": _date(starts_on), "end": _date(ends_on)}
    if starts_on:
        return _("From %(start)s") % {"start": _date(starts_on)}
    return ""


def _fields(section, *, renames=None):
    """A text section's answered fields as ``{"label", "value"}``, dates written out."""
    renames = renames or {}
    rows = []
    for field in section.get("fields", []):
        value = field.get("value") or ""
        if not str(value).strip():
            continue
        if field["key"] in ("next_review_on", "issued_on", "last_annual_review_on"):
            value = _date(value)
        rows.append({"key": field["key"], "label": renames.get(field["key"], field["label"]), "value": value})
    return rows


def _voices(section):
    return [
        {
            "given_on": _date(voice.get("given_on")),
            "answers": [
                answer
                for answer in voice.get("answers", [])
                if str(answer.get("answer", "")).strip() and answer.get("question")
            ],
        }
        for voice in section.get("voices", [])
    ]


def family_plan(content, *, name, full_name="", next_review_on=None):
    """The plain-language layout of ``content`` (already ``parent_content``) for a child called ``name``.

    Each part is present only when the school's template has that section and it holds
    something a parent may read.
    """
    by_key = {section["key"]: section for section in content.get("sections", [])}
    plan = {
        "name": name,
        # What documents.document_title and the PDF's running header read.
        "pupil_name": full_name or name,
        "school": content.get("school", {}).get("name", ""),
        "number": content.get("number"),
        "owner": content.get("owner", ""),
        "about": [],
        "voices": [],
        "strengths": [],
        "barriers": [],
        "outcomes": [],
        "support": [],
        "adjustments": [],
        "specialists": [],
        "responsibilities": [],
        "review": [],
        "ehc_plan": [],
    }
    if "about_me" in by_key:
        plan["about"] = _fields(by_key["about_me"])
        plan["voices"] = [voice for voice in _voices(by_key["about_me"]) if voice["answers"]]
    if "strengths" in by_key:
        plan["strengths"] = _fields(by_key["strengths"])
    if "needs" in by_key:
        plan["barriers"] = [
            {"need": item.get("need", ""), "text": item.get("text", "")} for item in by_key["needs"].get("items", [])
        ]
    if "outcomes" in by_key:
        plan["outcomes"] = [
            {
                "text": item.get("text", ""),
                "by_date": _date(item.get("by_date")),
                "baseline": item.get("baseline", ""),
                "target": item.get("target", ""),
                "measure": item.get("measure", ""),
                "who_checks": item.get("who_checks", ""),
            }
            for item in by_key["outcomes"].get("items", [])
        ]
    if "provision" in by_key:
        plan["support"] = [
            {
                "what": item.get("what", ""),
                "words": provision_in_words(item),
                "dates": _dates(item.get("starts_on"), item.get("ends_on")),
            }
            for item in by_key["provision"].get("items", [])
        ]
    if "adjustments" in by_key:
        adjustments = [
            {"text": item.get("text", ""), "is_key": bool(item.get("is_key")), "subject": item.get("subject", "")}
            for item in by_key["adjustments"].get("items", [])
        ]
        plan["adjustments"] = sorted(adjustments, key=lambda item: not item["is_key"])
    if "specialist_input" in by_key:
        plan["specialists"] = [
            {
                "who": ", ".join(part for part in (item.get("who", ""), item.get("service", "")) if part),
                "given_on": _date(item.get("given_on")),
                "recommendations": item.get("recommendations", ""),
            }
            for item in by_key["specialist_input"].get("items", [])
        ]
    if "responsibilities" in by_key:
        plan["responsibilities"] = _fields(
            by_key["responsibilities"],
            renames={"pupil": _("%(name)s will") % {"name": name}, "parents": _("You and your family will")},
        )
    if "review" in by_key:
        rows = _fields(by_key["review"], renames={"next_review_on": _("Next review")})
        if next_review_on and not any(row["key"] == "next_review_on" for row in rows):
            rows.append({"key": "next_review_on", "label": _("Next review"), "value": _date(next_review_on)})
        plan["review"] = rows
    if "ehc_plan" in by_key:
        plan["ehc_plan"] = _fields(by_key["ehc_plan"])
    return plan
