"""The package's JSON document for one pupil, built from the personal-data register.

Every register entry that travels (``transfers=True``) has a place here (``PLACES``); a
new entry that travels stops exports (``ImproperlyConfigured``) until it is given one, so
a new kind of pupil data cannot be left behind silently. Each part starts from the
entry's own ``for_pupil`` queryset.

What never travels, whatever the register says:

- anything about another child: no other pupil's name, attendance or measures; no session
  notes (they are written about the whole group); no group names (schools name groups after
  the children in them), only the intervention delivered;
- restricted content (the SENCO and DSL only): restricted plan items, sections and pupil
  views, notes and documents, need descriptions, and ratings of restricted outcomes.
  Safeguarding records go DSL to DSL by the school's own safeguarding route;
- parents' names and contact details: their words travel with their relationship to the child.

Plans travel as frozen: each shared or published version's snapshot exactly as stored
(restricted parts taken out), never rebuilt from the live rows.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from waymark.core.models import Visibility
from waymark.core.personal_data import entries, entry_for
from waymark.evidence.uploads.kinds import EXTENSIONS
from waymark.provision.delivery import Period, pupil_delivery

from . import document_plans as plans
from .document_plans import LEVELS, iso_day
from .format import PACKAGE_VERSION

# Where each register entry that travels goes in the document.
PLACES = {
    "pupils.Pupil": "pupil",
    "pupils.SenStatus": "sen_statuses",
    "pupils.Need": "needs",
    "plans.SupportPlan": "plan_versions",
    "plans.PlanVersion": "plan_versions",
    "plans.PlanSection": "plan_versions[].snapshot",
    "plans.Barrier": "plan_versions[].snapshot",
    "plans.Outcome": "plan_versions[].snapshot",
    "plans.Provision": "plan_versions[].snapshot",
    "plans.Adjustment": "plan_versions[].snapshot",
    "plans.SpecialistInput": "plan_versions[].snapshot",
    "plans.PupilVoice": "plan_versions[].snapshot",
    "plans.Review": "reviews",
    "plans.OutcomeRating": "reviews[].ratings",
    "plans.ParentMeeting": "parent_meetings",
    "plans.ParentContribution": "parent_contributions",
    "plans.AgreementResponse": "agreement_responses",
    "evidence.Note": "notes",
    "evidence.Document": "documents",
    "provision.GroupMember": "provision_delivered",
    "provision.Attendance": "provision_delivered",
    "provision.Measure": "measures",
    "exchange.ReceivedTransfer": "previous_transfers",
}


@dataclass
class Contents:
    """The document, and the files that go beside it: plan PDFs to render and stored documents to copy."""

    document: dict
    pdfs: list = field(default_factory=list)  # (member name, PlanVersion, content to print)
    files: list = field(default_factory=list)  # (member name, evidence Document)

    def counts(self):
        doc = self.document
        return {
            "plan_versions": len(doc["plan_versions"]),
            "reviews": len(doc["reviews"]),
            "measures": len(doc["measures"]),
            "documents": len(doc["documents"]),
            "notes": len(doc["notes"]),
            "provision_delivered": len(doc["provision_delivered"]),
            "previous_transfers": len(doc["previous_transfers"]),
        }


def check_register():
    """Every register entry that travels has a place in the document."""
    missing = sorted(entry.model for entry in entries() if entry.transfers and entry.model not in PLACES)
    if missing:
        raise ImproperlyConfigured(
            "The personal-data register says these travel in a transfer package, but the package has no place "
            f"for them: {', '.join(missing)} (exchange/transfer/document.py PLACES)."
        )


def build(actor, pupil):
    """The package's contents for ``pupil``; the caller has checked the actor may export them."""
    check_register()
    school = pupil.school
    versions = plans.plan_versions(pupil)
    documents, files = _documents(pupil)
    document = {
        "package_version": PACKAGE_VERSION,
        "generator": "Waymark",
        "exported_at": timezone.now().isoformat(),
        "source_school": {
            "name": school.name,
            "urn": school.urn or "",
            "la_number": school.la_number or "",
            "establishment_number": school.establishment_number or "",
        },
        "pupil": _pupil(pupil),
        "sen_statuses": _sen_statuses(pupil),
        "needs": _needs(pupil),
        "plan_versions": [entry for entry, _version in versions],
        "reviews": plans.reviews(pupil),
        "parent_contributions": plans.parent_contributions(pupil),
        "agreement_responses": plans.agreement_responses(pupil),
        "parent_meetings": plans.parent_meetings(pupil),
        "provision_delivered": _provision_delivered(actor, pupil, versions),
        "measures": _measures(pupil),
        "documents": documents,
        "notes": _notes(pupil),
        "previous_transfers": _previous_transfers(pupil),
    }
    pdfs = [(entry["pdf"], version, entry["snapshot"]) for entry, version in versions]
    return Contents(document=document, pdfs=pdfs, files=files)


# ----- the pupil, their SEN status and needs -----


def _pupil(pupil):
    return {
        "upn": pupil.upn or "",
        "legal_forename": pupil.legal_forename,
        "legal_surname": pupil.legal_surname,
        "preferred_name": pupil.preferred_name,
        "pronouns": pupil.pronouns,
        "date_of_birth": iso_day(pupil.date_of_birth),
        "sex": pupil.sex,
        "year_group": pupil.year_group,
        "year_group_label": str(pupil.year_group_label),
        "date_joined": iso_day(pupil.date_joined),
        "date_left": iso_day(pupil.date_left),
    }


def _sen_statuses(pupil):
    rows = entry_for("pupils.SenStatus").for_pupil(pupil).order_by("starts_on", "pk")
    return [
        {
            "provision": row.provision,
            "tier": row.tier,
            "starts_on": iso_day(row.starts_on),
            "ends_on": iso_day(row.ends_on),
        }
        for row in rows
    ]


def _needs(pupil):
    rows = entry_for("pupils.Need").for_pupil(pupil).select_related("need_type").order_by("starts_on", "rank", "pk")
    needs = []
    for row in rows:
        restricted = row.visibility == Visibility.RESTRICTED
        needs.append(
            {
                "code": row.need_type.code,
                "name": row.need_type.name,
                "rank": row.rank,
                # The need itself is census data; a restricted description stays behind.
                "description": "" if restricted else row.description,
                "visibility": Visibility.STAFF if restricted else row.visibility,
                "starts_on": iso_day(row.starts_on),
                "ends_on": iso_day(row.ends_on),
            }
        )
    return needs


# ----- provision delivered and measures -----


def _commitments(versions):
    """``{lineage: what}`` for every provision item the package's snapshots hold (restricted ones are gone)."""
    found = {}
    for entry, _version in versions:
        for section in entry["snapshot"].get("sections", []):
            if section.get("key") != "provision":
                continue
            for item in section.get("items", []):
                if item.get("lineage"):
                    found[item["lineage"]] = item.get("what", "")
    return found


def _provision_delivered(actor, pupil, versions):
    """Each place the pupil had in an intervention group, with this pupil's sessions counted.

    Counted by the provision app's own selector (it reads the register's GroupMember and
    Attendance rows itself), from the pupil's date of birth to today, so the figures are
    the ones its pages show. Only this pupil's attendance is read.
    """
    period = Period(start=pupil.date_of_birth, end=actor.today, label="")
    delivery = pupil_delivery(actor, pupil, period)
    commitments = _commitments(versions)
    places = []
    for row in delivery.places:
        group, place = row.group, row.place
        lineage = str(place.commitment) if place.commitment else ""
        places.append(
            {
                "intervention": group.intervention.name,
                "description": group.intervention.description,
                "funding": str(group.get_funding_display()),
                "minutes_per_session": group.minutes_per_session,
                "joined_on": iso_day(place.joined_on),
                "left_on": iso_day(place.left_on),
                "first_day": iso_day(row.first),
                "last_day": iso_day(row.last),
                "planned": row.tally.planned,
                "delivered": row.tally.delivered,
                "cancelled": row.tally.cancelled,
                "not_logged": row.tally.not_logged,
                "attended": row.tally.attended,
                "missed": row.tally.missed,
                "commitment": {"lineage": lineage, "what": commitments[lineage]} if lineage in commitments else None,
            }
        )
    return places


def _measures(pupil):
    # Measures that came in an earlier transfer travel inside that transfer (previous_transfers).
    rows = (
        entry_for("provision.Measure")
        .for_pupil(pupil)
        .filter(received_in__isnull=True)
        .select_related("measure_type", "group__intervention")
        .order_by("taken_on", "pk")
    )
    return [
        {
            "type": {
                "code": row.measure_type.kind,
                "name": row.measure_type.name,
                "min_value": str(row.measure_type.min_value),
                "max_value": str(row.measure_type.max_value),
                "higher_is_better": row.measure_type.higher_is_better,
                "builtin": row.measure_type.school_id is None,
            },
            "point": row.point,
            "value": str(row.value),
            "taken_on": iso_day(row.taken_on),
            "note": row.note,
            "intervention": row.group.intervention.name if row.group_id else None,
        }
        for row in rows
    ]


# ----- documents, notes, earlier transfers -----


def _documents(pupil):
    rows = (
        entry_for("evidence.Document")
        .for_pupil(pupil)
        .filter(visibility__in=LEVELS)
        .select_related("received_in")
        .order_by("written_on", "pk")
    )
    documents, files = [], []
    for number, row in enumerate(rows, start=1):
        member = f"documents/document-{number}.{EXTENSIONS.get(row.content_type, 'bin')}"
        documents.append(
            {
                "id": str(row.public_id),
                "title": row.title,
                "kind": row.kind,
                "written_on": iso_day(row.written_on),
                "author": row.author,
                "recommendations": row.recommendations,
                "original_name": row.original_name,
                "content_type": row.content_type,
                "size": row.size,
                "sha256": row.sha256,
                "file": member,
                "received_from": row.received_in.from_school_name if row.received_in_id else None,
            }
        )
        files.append((member, row))
    return documents, files


def _notes(pupil):
    rows = entry_for("evidence.Note").for_pupil(pupil).filter(visibility__in=LEVELS).order_by("happened_on", "pk")
    return [
        {
            "happened_on": iso_day(row.happened_on),
            "text": row.text,
            "visibility": row.visibility,
            "outcome_lineage": str(row.outcome) if row.outcome else None,
        }
        for row in rows
    ]


def _previous_transfers(pupil):
    rows = entry_for("exchange.ReceivedTransfer").for_pupil(pupil).order_by("exported_at", "pk")
    return [
        {
            "from_school_name": row.from_school_name,
            "from_school_urn": row.from_school_urn,
            "exported_at": row.exported_at.isoformat(),
            "received_at": row.received_at.isoformat(),
            "package_version": row.package_version,
            "document": row.document,
        }
        for row in rows
    ]
