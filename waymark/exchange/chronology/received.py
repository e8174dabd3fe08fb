"""History received from previous schools, as chronology entries: from the transfer package's JSON.

A ``ReceivedTransfer`` keeps the package's document exactly as it came (its shape is
``schemas/transfer-package-1.json``). Its plan versions, reviews and delivered provision
become entries here, each marked with the school that sent them. Its measures and documents
were made into rows when it was imported (``received_in``), so the chronology lists those
with this school's own and does not repeat them from the JSON; the SEN history came in the
CTF, so neither is it repeated. A record the previous school itself received from an earlier
school (``previous_transfers``) is read the same way, a few levels deep at most.

The document was validated when it was imported, but it is another school's data: every
value is read defensively, and a part that is missing or not as expected is left out
rather than stopping the chronology.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from waymark.core.models import Visibility
from waymark.plans.models import PlanVersion
from waymark.provision.dates import parse_iso_date

from ..tables import Table
from .entries import Entry, day, plan_tables, rating_text

# A previous school's own received records, and theirs, and so on: enough for any real child.
MAX_DEPTH = 3


def _list(document, key):
    value = document.get(key) if isinstance(document, dict) else None
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _moment_day(value):
    """An ISO date-time as the day it was here (this school's time zone)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


def _text(value):
    return value if isinstance(value, str) else ""


def _count(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _status_label(status):
    return str(PlanVersion.Status(status).label).lower() if status in PlanVersion.Status.values else _text(status)


def _plan_entry(item, school, responses, levels):
    snapshot = item.get("snapshot") if isinstance(item.get("snapshot"), dict) else {}
    number = item.get("number", "")
    shared_on, published_on, ended_on = (
        _moment_day(item.get(key)) for key in ("frozen_at", "published_at", "ended_at")
    )
    details = [(_("Tier of support"), _text(snapshot.get("tier_label")) or _text(item.get("tier")))]
    if shared_on and shared_on != published_on:
        details.append((_("Shared for agreement"), day(shared_on)))
    if published_on:
        details.append((_("Published"), day(published_on)))
    if ended_on:
        details.append((_("Ended"), day(ended_on)))
    if _text(snapshot.get("owner")):
        details.append((_("Plan owner"), snapshot["owner"]))
    said = [
        _("A parent (%(relationship)s) %(answer)s on %(date)s")
        % {
            "relationship": _text(response.get("relationship")).replace("_", " ") or _("parent"),
            "answer": _("agreed") if response.get("agrees") else _("disagreed"),
            "date": day(parse_iso_date(response.get("responded_on"))),
        }
        for response in responses
    ]
    details.append((_("Parents' agreement"), "\n".join(said) or _("No response recorded")))
    title = _("Support plan version %(number)s (%(status)s)") % {
        "number": number,
        "status": _status_label(item.get("status")),
    }
    try:
        tables = plan_tables(snapshot, number, levels) if snapshot.get("sections") else []
    except (KeyError, TypeError, ValueError, AttributeError):
        # A snapshot not in the shape this Waymark writes: the version is listed without its tables.
        tables = []
    return Entry(published_on or shared_on, "plan", title, details, tables, from_school=school)


def _outcome_visibilities(versions):
    """Each version number's outcomes' visibility, by outcome id, from the snapshots sent."""
    found = {}
    for item in versions:
        snapshot = item.get("snapshot") if isinstance(item.get("snapshot"), dict) else {}
        for section in _list(snapshot, "sections"):
            if section.get("key") == "outcomes":
                found[item.get("number")] = {
                    str(outcome.get("id")): outcome.get("visibility", Visibility.EVERYONE)
                    for outcome in _list(section, "items")
                }
    return found


def _review_entry(item, school, visibilities, levels):
    rows = []
    for rating in _list(item, "ratings"):
        if not levels.allows(visibilities.get(str(rating.get("outcome_id")), Visibility.EVERYONE)):
            continue
        value = rating.get("rating") if isinstance(rating.get("rating"), int) else None
        label = _text(rating.get("label"))
        text = rating_text(value, label) if value is not None else _("Not rated")
        rows.append([_text(rating.get("outcome_text")), text, _text(rating.get("evidence"))])
    decisions = [_text(decision.get("label")) for decision in _list(item, "decisions") if decision.get("label")]
    details = []
    if isinstance(item.get("version_number"), int):
        details.append((_("Plan reviewed"), _("Version %(number)s") % {"number": item["version_number"]}))
    details.append((_("Decisions"), "\n".join(decisions) or _("None recorded")))
    for label, key in (
        (_("More about the decision"), "decision_notes"),
        (_("What worked"), "what_worked"),
        (_("What did not work"), "what_did_not"),
    ):
        if _text(item.get(key)):
            details.append((label, item[key]))
    tables = []
    held_on = parse_iso_date(item.get("held_on"))
    if rows:
        tables.append(
            Table(
                caption=_("Outcome ratings at the review on %(date)s") % {"date": day(held_on)},
                header=[_("Outcome"), _("Rating"), _("Evidence")],
                rows=rows,
            )
        )
    return Entry(held_on, "review", _("Review of the support plan"), details, tables, from_school=school)


def _provision_entry(item, school):
    first = parse_iso_date(item.get("first_day")) or parse_iso_date(item.get("joined_on"))
    last = parse_iso_date(item.get("last_day")) or parse_iso_date(item.get("left_on"))
    details = []
    if first or last:
        details.append((_("In the group"), _("%(start)s to %(end)s") % {"start": day(first), "end": day(last)}))
    details += [
        (_("Sessions planned"), str(_count(item.get("planned")))),
        (
            _("Sessions delivered"),
            _("%(delivered)d (%(cancelled)d cancelled, %(missing)d not recorded)")
            % {
                "delivered": _count(item.get("delivered")),
                "cancelled": _count(item.get("cancelled")),
                "missing": _count(item.get("not_logged")),
            },
        ),
        (
            _("Attendance"),
            _("Attended %(attended)d of %(delivered)d delivered sessions (missed %(missed)d)")
            % {
                "attended": _count(item.get("attended")),
                "delivered": _count(item.get("delivered")),
                "missed": _count(item.get("missed")),
            },
        ),
    ]
    title = _("Intervention: %(name)s") % {"name": _text(item.get("intervention"))}
    return Entry(first, "intervention", title, details, from_school=school)


def history_entries(document, school, levels, depth=0):
    """The plan versions, reviews and provision in one received document, and in those it received."""
    if not isinstance(document, dict) or depth >= MAX_DEPTH:
        return []
    versions = _list(document, "plan_versions")
    responses = {}
    for response in _list(document, "agreement_responses"):
        responses.setdefault(response.get("version_number"), []).append(response)
    visibilities = _outcome_visibilities(versions)
    entries = [_plan_entry(item, school, responses.get(item.get("number"), []), levels) for item in versions]
    entries += [
        _review_entry(item, school, visibilities.get(item.get("version_number"), {}), levels)
        for item in _list(document, "reviews")
    ]
    entries += [_provision_entry(item, school) for item in _list(document, "provision_delivered")]
    for earlier in _list(document, "previous_transfers"):
        earlier_school = _text(earlier.get("from_school_name")) or _("an earlier school")
        received_on = _moment_day(earlier.get("received_at"))
        title = _("%(school)s received a record from %(earlier)s") % {"school": school, "earlier": earlier_school}
        entries.append(Entry(received_on, "transfer", title, from_school=school))
        entries += history_entries(earlier.get("document"), earlier_school, levels, depth + 1)
    return entries
