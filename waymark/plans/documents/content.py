"""The content dictionary as readers see it: dates written out, frequencies in words, tags for levels.

``present`` turns ``snapshot.visible_content(snapshot.content_for(version), levels)`` into
display-ready values; the page, the PDF, the Word file and the comparison all start here.
"""

from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from waymark.core.models import Visibility

from ..snapshot import format_date

# Short tags for parts not everyone may read; shown only to those who may read them.
VISIBILITY_TAGS = {
    Visibility.STAFF: gettext_lazy("Staff only"),
    Visibility.RESTRICTED: gettext_lazy("Restricted"),
}

# The fields each kind of item shows, in order, with the words readers see.
ITEM_FIELDS = {
    "needs": (("text", gettext_lazy("How this affects learning")),),
    "outcomes": (
        ("baseline", gettext_lazy("Where they are now")),
        ("target", gettext_lazy("Target")),
        ("measure", gettext_lazy("How it will be measured")),
        ("by_date", gettext_lazy("By when")),
        ("who_checks", gettext_lazy("Who checks")),
    ),
    "provision": (
        ("delivered_by", gettext_lazy("Who delivers it")),
        ("how_often", gettext_lazy("How often")),
        ("group_size", gettext_lazy("Group size")),
        ("dates", gettext_lazy("From – until")),
        ("funding", gettext_lazy("Funding")),
    ),
    "adjustments": (
        ("is_key", gettext_lazy("Key adjustment")),
        ("subject", gettext_lazy("Subject")),
    ),
    "specialist_input": (
        ("given_on", gettext_lazy("Date")),
        ("recommendations", gettext_lazy("Recommendations")),
    ),
}

# Text-section fields holding an ISO date, shown as "4 March 2027".
DATE_FIELDS = {"next_review_on", "issued_on", "last_annual_review_on"}


# ----- words -----


def how_often(sessions_per_week, minutes_per_session):
    """ "3 times a week, 20 minutes"; "Once a fortnight, 1 hour"."""
    try:
        sessions = Decimal(str(sessions_per_week))
    except (InvalidOperation, ValueError):
        sessions = None
    if sessions is None:
        often = str(sessions_per_week)
    elif sessions == 1:
        often = _("Once a week")
    elif sessions == 2:
        often = _("Twice a week")
    elif sessions == Decimal("0.5"):
        often = _("Once a fortnight")
    elif sessions == sessions.to_integral_value():
        count = int(sessions)
        often = ngettext("%(count)d time a week", "%(count)d times a week", count) % {"count": count}
    else:
        often = _("%(count)s times a week") % {"count": sessions.normalize()}
    return _("%(often)s, %(long)s") % {"often": often, "long": duration(minutes_per_session)}


def duration(minutes):
    """ "20 minutes", "1 hour", "1 hour 30 minutes"."""
    minutes = int(minutes or 0)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return ngettext("%(count)d minute", "%(count)d minutes", rest) % {"count": rest}
    hours_text = ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    if not rest:
        return hours_text
    return _("%(hours)s %(minutes)s") % {
        "hours": hours_text,
        "minutes": ngettext("%(count)d minute", "%(count)d minutes", rest) % {"count": rest},
    }


def group_size(size):
    size = int(size or 0)
    if size == 1:
        return _("1 to 1")
    return _("Group of %(count)d") % {"count": size}


def _date_text(value):
    """An ISO date as "4 March 2027"; anything else as it is."""
    if not value:
        return ""
    try:
        return format_date(value)
    except (TypeError, ValueError):
        return str(value)


def _from_until(starts_on, ends_on):
    if starts_on and ends_on:
        return _("%(start)s to %(end)s") % {"start": _date_text(starts_on), "end": _date_text(ends_on)}
    return _date_text(starts_on or ends_on)


# ----- the content dictionary as display values -----


def _item_values(key, item):
    """The display value of every field of one item, by field name, plus its title."""
    if key == "needs":
        title = item.get("need") or _("Not linked to a recorded need")
        return title, {"text": item.get("text", "")}
    if key == "outcomes":
        return item.get("text", ""), {
            "baseline": item.get("baseline", ""),
            "target": item.get("target", ""),
            "measure": item.get("measure", ""),
            "by_date": _date_text(item.get("by_date")),
            "who_checks": item.get("who_checks", ""),
        }
    if key == "provision":
        person, role = item.get("delivered_by", ""), item.get("delivered_by_role", "")
        who = f"{person} ({role})" if person and role and person != role else (person or role)
        return item.get("what", ""), {
            "delivered_by": who,
            "how_often": how_often(item.get("sessions_per_week"), item.get("minutes_per_session")),
            "group_size": group_size(item.get("group_size")),
            "dates": _from_until(item.get("starts_on"), item.get("ends_on")),
            "funding": item.get("funding", ""),
        }
    if key == "adjustments":
        return item.get("text", ""), {
            "is_key": _("Yes") if item.get("is_key") else _("No"),
            "subject": item.get("subject") or _("All subjects"),
        }
    if key == "specialist_input":
        who = ", ".join(part for part in (item.get("who", ""), item.get("service", "")) if part)
        return who, {
            "given_on": _date_text(item.get("given_on")),
            "recommendations": item.get("recommendations", ""),
        }
    return "", {}


def _present_item(key, item):
    title, values = _item_values(key, item)
    visibility = item.get("visibility", Visibility.EVERYONE)
    return {
        "id": item.get("id", ""),
        "visibility": visibility,
        "visibility_tag": VISIBILITY_TAGS.get(visibility, ""),
        "title": title,
        "values": values,
        "fields": [{"name": name, "label": label, "value": values.get(name, "")} for name, label in ITEM_FIELDS[key]],
        "is_key": bool(item.get("is_key")),
        "subject": item.get("subject", ""),
    }


def _present_voice(voice, pupil_name):
    """The pupil's own views: a heading saying whose words, when and with whom, then each answer."""
    given_on = _date_text(voice.get("given_on"))
    adult = voice.get("given_with", "")
    if adult:
        heading = _("In %(name)s’s own words (%(date)s, with %(adult)s)") % {
            "name": pupil_name,
            "date": given_on,
            "adult": adult,
        }
    else:
        heading = _("In %(name)s’s own words (%(date)s)") % {"name": pupil_name, "date": given_on}
    visibility = voice.get("visibility", Visibility.EVERYONE)
    # "Staff only" on a pupil's views is the SENCO's judgement to keep them from parents: say so.
    tag = _("Kept from parents") if visibility == Visibility.STAFF else VISIBILITY_TAGS.get(visibility, "")
    return {
        "id": voice.get("id", ""),
        "heading": heading,
        "visibility": visibility,
        "visibility_tag": tag,
        "answers": [
            {"question": row.get("question", ""), "answer": row.get("answer", "") or _("No answer")}
            for row in voice.get("answers", [])
        ],
    }


def _present_section(section, pupil_name=""):
    key = section["key"]
    visibility = section.get("visibility", Visibility.EVERYONE)
    presented = {
        "key": key,
        "kind": section["kind"],
        "label": section.get("label", ""),
        "help_text": section.get("help_text", ""),
        "visibility": visibility,
        "visibility_tag": VISIBILITY_TAGS.get(visibility, ""),
    }
    if section["kind"] == "text":
        fields = [
            {
                "name": field["key"],
                "label": field["label"],
                "value": _date_text(field["value"]) if field["key"] in DATE_FIELDS else (field["value"] or ""),
            }
            for field in section.get("fields", [])
        ]
        presented["fields"] = fields
        presented["voices"] = [_present_voice(voice, pupil_name) for voice in section.get("voices", [])]
        presented["empty"] = not any(str(field["value"]).strip() for field in fields) and not presented["voices"]
    else:
        items = [_present_item(key, item) for item in section.get("items", [])]
        if key == "adjustments":
            # Key adjustments first: they are what a teacher must see before the lesson.
            items.sort(key=lambda item: not item["is_key"])
        presented["items"] = items
        presented["empty"] = not items
    return presented


def present(content):
    """The content dictionary with every value ready to show, in the template's order."""
    pupil = content.get("pupil", {})
    needs = [_("%(code)s – %(name)s") % {"code": need["code"], "name": need["name"]} for need in pupil.get("needs", [])]
    about = [
        ("name", _("Name"), pupil.get("name", "")),
        ("date_of_birth", _("Date of birth"), _date_text(pupil.get("date_of_birth"))),
        ("year_group", _("Year group"), pupil.get("year_group", "")),
        ("needs", _("Recorded needs"), "\n".join(needs) or _("None recorded")),
        ("tier", _("Tier of support"), content.get("tier_label", "")),
        ("owner", _("Plan owner"), content.get("owner", "") or _("Not recorded")),
        ("number", _("Version"), str(content.get("number", ""))),
    ]
    if pupil.get("legal_name") and pupil.get("legal_name") != pupil.get("name"):
        about.insert(1, ("legal_name", _("Legal name"), pupil["legal_name"]))
    return {
        "pupil_name": pupil.get("name", ""),
        "school": content.get("school", {}).get("name", ""),
        "template": content.get("template", {}).get("name", ""),
        "number": content.get("number"),
        "about": [{"name": name, "label": label, "value": value} for name, label, value in about],
        "sections": [_present_section(section, pupil.get("name", "")) for section in content.get("sections", [])],
    }


# ----- stamps and names -----


def _local_date(moment):
    if not moment:
        return ""
    return date_format(timezone.localtime(moment), "j F Y")


def status_line(version):
    """One sentence on where a version stands, with dates only (names can change; dates cannot)."""
    number = version.number
    status = version.status
    if status == "draft":
        return _("Version %(number)d: draft, not yet agreed") % {"number": number}
    if status == "shared":
        return _("Version %(number)d: shared for agreement on %(date)s") % {
            "number": number,
            "date": _local_date(version.frozen_at),
        }
    if status == "active":
        return _("Version %(number)d: in force since %(date)s") % {
            "number": number,
            "date": _local_date(version.published_at),
        }
    if status == "superseded":
        return _("Version %(number)d: superseded on %(date)s") % {
            "number": number,
            "date": _local_date(version.ended_at),
        }
    return _("Version %(number)d: closed on %(date)s") % {"number": number, "date": _local_date(version.ended_at)}


def document_title(document):
    return _("Support plan for %(name)s, version %(number)s") % {
        "name": document["pupil_name"],
        "number": document["number"],
    }


def filename(version, extension):
    """``support-plan-<surname>-v<number>.<extension>``: the surname only, never a first name."""
    surname = slugify(version.plan.pupil.legal_surname) or "pupil"
    return f"support-plan-{surname}-v{version.number}.{extension}"
