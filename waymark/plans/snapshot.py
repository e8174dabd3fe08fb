"""The plan as one plain dictionary: what the page, the PDF, the Word file and comparisons show.

``build_snapshot`` reads a version's rows and everything they point at (template
wording, staff names, the pupil's name and needs) into JSON-ready data. A draft is shown
from a fresh build; a shared or published version from the snapshot frozen into it, so
what a parent agreed to is always shown exactly as it was.
"""

from django.utils import formats, timezone

from waymark.core.models import Visibility
from waymark.pupils.models import Tier

from .sections import SECTION_KINDS, TEXT_SECTION_FIELDS, section_kind, sections_for

SNAPSHOT_SCHEMA = 1


def _date(value):
    return value.isoformat() if value else ""


def _person(user):
    return user.full_name if user else ""


def _barrier(item):
    need = item.need
    return {
        "need": f"{need.need_type.code} – {need.need_type.name}" if need else "",
        "text": item.text,
    }


def _outcome(item):
    return {
        "text": item.text,
        "baseline": item.baseline,
        "target": item.target,
        "measure": item.measure,
        "by_date": _date(item.by_date),
        "who_checks": item.who_checks,
    }


def _provision(item):
    return {
        "what": item.what,
        "delivered_by": _person(item.delivered_by) or item.delivered_by_role,
        "delivered_by_role": item.delivered_by_role,
        "sessions_per_week": f"{item.sessions_per_week.normalize():f}",
        "minutes_per_session": item.minutes_per_session,
        "group_size": item.group_size,
        "starts_on": _date(item.starts_on),
        "ends_on": _date(item.ends_on),
        "funding": str(item.get_funding_display()),
    }


def _adjustment(item):
    return {"text": item.text, "is_key": item.is_key, "subject": item.subject}


def _specialist_input(item):
    return {
        "who": item.who,
        "service": item.service,
        "given_on": _date(item.given_on),
        "recommendations": item.recommendations,
    }


def _lineage(item):
    """Outcomes and commitments keep one id across versions: progress and delivery follow it."""
    lineage = getattr(item, "lineage", None)
    return {"lineage": str(lineage)} if lineage else {}


def _pupil_voice(voice):
    return {
        "id": str(voice.public_id),
        "visibility": voice.visibility,
        "style": voice.style,
        "answers": voice.answers,
        "given_on": _date(timezone.localdate(voice.given_at)),
        "given_with": _person(voice.given_with),
    }


ITEM_SECTIONS = {
    "needs": ("barriers", _barrier),
    "outcomes": ("outcomes", _outcome),
    "provision": ("provisions", _provision),
    "adjustments": ("adjustments", _adjustment),
    "specialist_input": ("specialist_inputs", _specialist_input),
}


def prefetch_for_snapshot(queryset):
    """What ``build_snapshot`` reads, in a fixed number of queries."""
    return queryset.select_related("template", "owner", "plan__pupil__school").prefetch_related(
        "sections",
        "barriers__need__need_type",
        "outcomes",
        "provisions__delivered_by",
        "adjustments",
        "specialist_inputs",
        "pupil_voices__given_with",
        "plan__pupil__needs__need_type",
    )


def build_snapshot(version):
    pupil = version.plan.pupil
    text_sections = {section.key: section for section in version.sections.all()}
    sections = []
    for spec in sections_for(version.template.sections, version.tier):
        key = spec["key"]
        entry = {
            "key": key,
            "kind": section_kind(key),
            "label": spec.get("label") or str(SECTION_KINDS[key][1]),
            "help_text": spec.get("help_text", ""),
        }
        if entry["kind"] == "text":
            stored = text_sections.get(key)
            data = stored.data if stored else {}
            entry["visibility"] = stored.visibility if stored else Visibility.EVERYONE
            entry["fields"] = [
                {"key": name, "label": str(label), "value": data.get(name, "")}
                for name, label in TEXT_SECTION_FIELDS[key].items()
            ]
            if key == "about_me":
                entry["voices"] = [_pupil_voice(voice) for voice in version.pupil_voices.all()]
        else:
            related, serialise = ITEM_SECTIONS[key]
            entry["visibility"] = Visibility.EVERYONE
            entry["items"] = [
                {"id": str(item.public_id), "visibility": item.visibility, **_lineage(item), **serialise(item)}
                for item in getattr(version, related).all()
            ]
        sections.append(entry)
    open_needs = [need for need in pupil.needs.all() if need.ends_on is None]
    return {
        "schema": SNAPSHOT_SCHEMA,
        "pupil": {
            "name": pupil.full_name,
            "legal_name": f"{pupil.legal_forename} {pupil.legal_surname}",
            "pronouns": pupil.pronouns,
            "date_of_birth": _date(pupil.date_of_birth),
            "year_group": pupil.year_group_label,
            "upn": pupil.upn,
            "needs": [
                {"code": need.need_type.code, "name": need.need_type.name, "rank": need.rank}
                for need in sorted(open_needs, key=lambda need: need.rank)
            ],
        },
        "school": {"name": pupil.school.name},
        "template": {"name": version.template.name},
        "number": version.number,
        "tier": version.tier,
        "tier_label": str(Tier(version.tier).label) if version.tier in Tier.values else version.tier,
        "owner": _person(version.owner),
        "sections": sections,
    }


def content_for(version):
    """The plan's content dictionary: frozen for a shared or published version, live for a draft."""
    return version.snapshot if version.is_frozen else build_snapshot(version)


def visible_content(content, levels):
    """``content`` with every section and item the reader may not see taken out."""
    sections = []
    for section in content["sections"]:
        if section.get("visibility", Visibility.EVERYONE) not in levels:
            continue
        if "items" in section:
            section = {**section, "items": [item for item in section["items"] if item["visibility"] in levels]}
        if "voices" in section:
            section = {**section, "voices": [voice for voice in section["voices"] if voice["visibility"] in levels]}
        sections.append(section)
    return {**content, "sections": sections}


def format_date(iso):
    """Snapshot dates are ISO strings; pages show them as "4 March 2027"."""
    import datetime

    if not iso:
        return ""
    return formats.date_format(datetime.date.fromisoformat(iso), "j F Y")
