"""The received record as the page shows it: the previous school's words, dates written out, nothing merged.

Everything comes from the document kept with the ``ReceivedTransfer`` (exactly as it was
received), apart from the documents' files, which are evidence documents of this pupil
marked as received in it. Plans are shown with the plans app's own presentation of a
snapshot (``plans.documents.present``), as this school's own frozen versions are.
"""

import datetime

from django.utils import timezone

from waymark.evidence.selectors import staff_levels
from waymark.plans.documents import present
from waymark.plans.models import PlanVersion
from waymark.plans.snapshot import visible_content
from waymark.provision.measure_values import format_age, format_number
from waymark.provision.models import Measure, MeasureType
from waymark.pupils.models import Provision, Tier

AGE_CODES = {kind.value for kind in MeasureType.AGE_KINDS}


def day(iso):
    try:
        return datetime.date.fromisoformat(iso) if iso else None
    except (TypeError, ValueError):
        return None


def moment(iso):
    try:
        value = datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")) if iso else None
    except (AttributeError, TypeError, ValueError):
        return None
    return timezone.localtime(value) if value and timezone.is_aware(value) else value


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
    for review in sorted(document["reviews"], key=lambda review: review["held_on"], reverse=True):
        reviews.append(
            {
                **review,
                "held_on": day(review["held_on"]),
                "next_review_on": day(review.get("next_review_on")),
                "parents": words.get(review["id"], []),
            }
        )
    return reviews, words.get(None, [])


def _measure_value(code, value):
    return format_age(value) if code in AGE_CODES else format_number(value)


def _measures(document):
    return [
        {
            "scale": entry["type"]["name"],
            "point": _label(Measure.Point, entry["point"]),
            "value": _measure_value(entry["type"]["code"], entry["value"]),
            "taken_on": day(entry["taken_on"]),
            "intervention": entry.get("intervention") or "",
            "note": entry.get("note", ""),
        }
        for entry in sorted(document["measures"], key=lambda entry: entry["taken_on"])
    ]


def _history(document):
    return {
        "statuses": [
            {
                "provision": _label(Provision, row["provision"]),
                "tier": _label(Tier, row["tier"]),
                "starts_on": day(row["starts_on"]),
                "ends_on": day(row["ends_on"]),
            }
            for row in document["sen_statuses"]
        ],
        "needs": [
            {**row, "starts_on": day(row.get("starts_on")), "ends_on": day(row.get("ends_on"))}
            for row in document["needs"]
        ],
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
                "earlier": len(inner.get("previous_transfers", [])),
            }
        )
    return earlier


def received_page(actor, transfer, documents):
    """Everything the received-record page shows. ``documents``: this transfer's evidence documents."""
    document = transfer.document
    levels = staff_levels(actor)
    reviews, pending_views = _reviews(document)
    return {
        "from_school": document["source_school"],
        "exported_at": moment(document["exported_at"]),
        "pupil": {**document["pupil"], "date_of_birth": day(document["pupil"]["date_of_birth"])},
        "history": _history(document),
        "plans": _plans(document, levels),
        "reviews": reviews,
        "pending_views": pending_views,
        "meetings": [{**row, "held_on": day(row["held_on"])} for row in document["parent_meetings"]],
        "responses": [
            {**row, "responded_on": day(row["responded_on"]), "replied_on": day(row.get("replied_on"))}
            for row in document["agreement_responses"]
        ],
        "provision": [
            {
                **row,
                "first_day": day(row.get("first_day")),
                "last_day": day(row.get("last_day")),
                "joined_on": day(row["joined_on"]),
                "left_on": day(row.get("left_on")),
            }
            for row in document["provision_delivered"]
        ],
        "measures": _measures(document),
        "documents": [item for item in documents if item.visibility in levels],
        "notes": [
            {**row, "happened_on": day(row["happened_on"])}
            for row in sorted(document["notes"], key=lambda row: row["happened_on"], reverse=True)
            if row["visibility"] in levels
        ],
        "earlier": _earlier(document),
    }
