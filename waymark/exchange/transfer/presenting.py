"""The received record as the page shows it: the previous school's words, dates written out, nothing merged.

Everything comes from the document kept with the ``ReceivedTransfer`` (exactly as it was
received), apart from the documents' files, which are evidence documents of this pupil
marked as received in it. Plans are shown with the plans app's own presentation of a
snapshot (``plans.documents.present``), as this school's own frozen versions are. The
summaries and tables are plain text, label and value pairs and ``tables.Table`` rows, so the
page draws them all with the same two includes, as the chronology does.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from waymark.evidence.selectors import staff_levels
from waymark.plans.documents import present
from waymark.plans.models import PlanVersion
from waymark.plans.snapshot import visible_content
from waymark.provision.dates import day_text
from waymark.provision.dates import parse_iso_date as day
from waymark.provision.measure_values import format_age, format_number
from waymark.provision.models import Measure, MeasureType
from waymark.pupils.models import Provision, Tier

from ..chronology.entries import rating_text
from ..tables import Table

AGE_CODES = {kind.value for kind in MeasureType.AGE_KINDS}


def moment(iso):
    try:
        value = datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")) if iso else None
    except (AttributeError, TypeError, ValueError):
        return None
    return timezone.localtime(value) if value and timezone.is_aware(value) else value


def written(value, none="–"):
    """A date as "4 March 2027"; ``none`` for no date."""
    return day_text(value) if value else none


def _label(choices, value):
    return str(choices(value).label) if value in choices.values else value


def _plans(document, levels):
    plans = []
    for entry in sorted(document["plan_versions"], key=lambda entry: entry["number"], reverse=True):
        plans.append(
            {
                "number": entry["number"],
                "status": _label(PlanVersion.Status, entry["status"]),
                "published_at": moment(entry.get("published_at")),
                "frozen_at": moment(entry.get("frozen_at")),
                "ended_at": moment(entry.get("ended_at")),
                "document": present(visible_content(entry["snapshot"], levels)),
            }
        )
    return plans


def _reviews(document):
    words = {}
    for row in document["parent_contributions"]:
        words.setdefault(row.get("review_id"), []).append({**row, "given_on": day(row["given_on"])})
    reviews = []
    ordered = sorted(document["reviews"], key=lambda review: review["held_on"], reverse=True)
    for number, review in enumerate(ordered, start=1):
        held_on = day(review["held_on"])
        reviews.append(
            {
                "held_on": held_on,
                "version_number": review["version_number"],
                "details": _review_details(review),
                "ratings": _ratings_table(review["ratings"], held_on, f"received-ratings-{number}"),
                "parents": words.get(review["id"], []),
            }
        )
    return reviews, words.get(None, [])


def _lines(*parts):
    """The parts that have words, one a line; "–" when none has."""
    return "\n".join(part for part in parts if part) or "–"


def _review_details(review):
    took_part = _("The pupil took part.") if review.get("pupil_took_part") else ""
    kept = _("Kept from parents.") if review.get("pupil_views_hidden_from_parents") else ""
    decisions = [decision["label"] for decision in review.get("decisions", [])]
    return [
        (_("Who took part"), _lines(review.get("participants"), took_part)),
        (_("The pupil’s views"), _lines(review.get("pupil_views"), kept)),
        (_("What worked"), _lines(review.get("what_worked"))),
        (_("What did not work"), _lines(review.get("what_did_not"))),
        (_("Decision"), _lines(*decisions, review.get("decision_notes"))),
        (_("Next review"), written(day(review.get("next_review_on")))),
    ]


def _ratings_table(ratings, held_on, table_id):
    if not ratings:
        return None
    rows = []
    for rating in ratings:
        value = rating.get("rating")
        said = rating_text(value, rating.get("label")) if value is not None else _("Not rated")
        rows.append(
            [
                rating["outcome_text"],
                _lines(said, _("Met") if rating.get("met") else ""),
                _lines(rating.get("evidence"), rating.get("comment")),
            ]
        )
    return Table(
        caption=_("Outcomes rated on %(date)s") % {"date": written(held_on)},
        header=[_("Outcome"), _("Rating"), _("Evidence and comment")],
        rows=rows,
        id=table_id,
    )


def _measure_value(code, value):
    return format_age(value) if code in AGE_CODES else format_number(value)


def _measures(document):
    rows = [
        [
            written(day(entry["taken_on"])),
            entry["type"]["name"],
            _label(Measure.Point, entry["point"]),
            _lines(_measure_value(entry["type"]["code"], entry["value"]), entry.get("note")),
            entry.get("intervention") or "–",
        ]
        for entry in sorted(document["measures"], key=lambda entry: entry["taken_on"])
    ]
    return Table(
        caption=_("Measures taken at the previous school"),
        header=[_("Date"), _("Scale"), _("When"), _("Value"), _("Intervention")],
        rows=rows,
        id="received-measures-caption",
    )


def _provision(document):
    rows = []
    for row in document["provision_delivered"]:
        commitment = row.get("commitment")
        delivers = _("Delivers the plan’s “%(what)s”") % {"what": commitment["what"]} if commitment else ""
        dates = f"{written(day(row['joined_on']))} – {written(day(row.get('left_on')), _('when sent'))}"
        counts = [str(row[key]) for key in ("planned", "delivered", "cancelled", "attended", "missed")]
        rows.append([_lines(row["intervention"], delivers), dates, *counts])
    return Table(
        caption=_("Interventions and sessions"),
        header=[
            _("Intervention"),
            _("Dates"),
            _("Planned"),
            _("Delivered"),
            _("Cancelled"),
            _("Attended"),
            _("Missed"),
        ],
        rows=rows,
        numeric=(2, 3, 4, 5, 6),
        id="received-provision-caption",
    )


def _meetings(document):
    rows = []
    for row in document["parent_meetings"]:
        kind = row["kind_label"] + (f", {row['mode_label'].lower()}" if row.get("mode_label") else "")
        who = ", ".join(row.get("who_came", [])) or "–"
        rows.append([written(day(row["held_on"])), kind, who, row.get("notes") or "–"])
    return Table(
        caption=_("Meetings with parents"),
        header=[_("Date"), _("Meeting"), _("Who came"), _("Notes")],
        rows=rows,
        id="received-meetings-caption",
    )


def _pupil_details(document):
    pupil, school = document["pupil"], document["source_school"]
    name = f"{pupil['legal_forename']} {pupil['legal_surname']}"
    if pupil.get("preferred_name"):
        name += " (" + _("known as %(name)s") % {"name": pupil["preferred_name"]} + ")"
    sent_by = school["name"]
    if school.get("urn"):
        sent_by += " (" + _("URN %(urn)s") % {"urn": school["urn"]} + ")"
    return [
        (_("Legal name"), name),
        (_("Date of birth"), written(day(pupil["date_of_birth"]))),
        (_("UPN"), pupil.get("upn") or _("None")),
        (_("Year group when sent"), pupil["year_group_label"]),
        (_("Sent by"), sent_by),
    ]


def _need_dates(need):
    starts_on, ends_on = day(need.get("starts_on")), day(need.get("ends_on"))
    parts = []
    if starts_on:
        parts.append(_("From %(date)s") % {"date": written(starts_on)})
    if ends_on:
        parts.append(_("until %(date)s") % {"date": written(ends_on)})
    return " ".join(parts)


def _history(document):
    statuses = [
        [
            _label(Provision, row["provision"]),
            _label(Tier, row["tier"]),
            written(day(row["starts_on"])),
            written(day(row["ends_on"]), _("When sent")),
        ]
        for row in document["sen_statuses"]
    ]
    needs = [
        [f"{need['code']} – {need['name']}", str(need["rank"]), need.get("description") or "–", _need_dates(need)]
        for need in document["needs"]
    ]
    return {
        "statuses": Table(
            caption=_("SEN status at the previous school"),
            header=[_("SEN provision"), _("Tier"), _("From"), _("Until")],
            rows=statuses,
            empty=_("None recorded."),
            id="received-statuses-caption",
        ),
        "needs": Table(
            caption=_("Needs at the previous school"),
            header=[_("Need"), _("Rank"), _("Description"), _("Dates")],
            rows=needs,
            numeric=(1,),
            empty=_("None recorded."),
            id="received-needs-caption",
        ),
    }


def _earlier(document):
    """Records the previous school had itself received: who from, when, and what they held."""
    earlier = []
    for row in document["previous_transfers"]:
        inner = row["document"]
        earlier.append(
            {
                "from_school_name": row["from_school_name"],
                "exported_at": moment(row["exported_at"]),
                "plans": [
                    {
                        "number": entry["number"],
                        "status": _label(PlanVersion.Status, entry["status"]),
                        "published_at": moment(entry.get("published_at")),
                    }
                    for entry in inner.get("plan_versions", [])
                ],
                "reviews": len(inner.get("reviews", [])),
                "measures": len(inner.get("measures", [])),
            }
        )
    return earlier


def received_page(actor, transfer, documents):
    """Everything the received-record page shows. ``documents``: the evidence documents of it ``actor`` may see."""
    document = transfer.document
    levels = staff_levels(actor)
    reviews, pending_views = _reviews(document)
    return {
        "exported_at": moment(document["exported_at"]),
        "pupil_details": _pupil_details(document),
        "history": _history(document),
        "plans": _plans(document, levels),
        "reviews": reviews,
        "pending_views": pending_views,
        "meetings": _meetings(document),
        "responses": [
            {**row, "responded_on": day(row["responded_on"]), "replied_on": day(row.get("replied_on"))}
            for row in document["agreement_responses"]
        ],
        "provision": _provision(document),
        "measures": _measures(document),
        "documents": documents,
        "notes": [
            {**row, "happened_on": day(row["happened_on"])}
            for row in sorted(document["notes"], key=lambda row: row["happened_on"], reverse=True)
            if row["visibility"] in levels
        ],
        "earlier": _earlier(document),
    }
