"""A pupil's chronology for an EHC needs assessment request: everything that happened, in date order.

``gather(actor, pupil)`` reads every agreed plan version (from its frozen snapshot), every
completed review, every intervention place with its sessions, attendance and measures,
measures taken outside a group, outside reports, SEN provision changes, needs identified and
the records received from previous schools (with the plans, reviews and provision in them:
``received``), and returns them as plain dated entries (``entries``): the page and the PDF
(``exchange.chronology_pdf``) show exactly these words.

What goes in, and why:

- Staff-only content is in: the chronology is written for the local authority, not for parents.
- Restricted content (for the SENCO and DSL alone) is left out by default, because the PDF is
  made to leave the school. Someone who may read restricted content (the SENCO) can choose
  to include it; for everyone else it is always left out, and the chronology says how many
  items were left out.
- Only this pupil's sessions, attendance and measures are read, never another member's of
  the same group: the chronology names no other child.

Fifteen queries, whatever the number of entries.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from waymark.core.access import Action
from waymark.core.services import require, require_pupil
from waymark.evidence.models import Document
from waymark.plans.models import AgreementResponse, PlanVersion, Review
from waymark.provision.models import Attendance, GroupMember, Measure, SessionLog
from waymark.provision.schedule import term_ranges
from waymark.pupils.models import Need, SenStatus

from ..models import ReceivedTransfer
from ..permissions import can_export_pupils
from .entries import (
    KIND_ORDER,
    KINDS,
    Day,
    Entry,
    Levels,
    Table,
    day,
    intervention_entry,
    measure_entry,
    need_entries,
    plan_entry,
    provision_label,
    rank_label,
    report_entry,
    review_entry,
    status_entries,
    tier_label,
    transfer_entry,
)
from .received import history_entries

__all__ = ["KINDS", "Chronology", "Entry", "Table", "gather", "may_include_restricted", "require_chronology"]


@dataclass
class Chronology:
    """A pupil's chronology: the front page, the count of each kind of entry, and the entries."""

    pupil: object
    title: str
    front: list  # [(label, value)] for the front page
    entries: list
    counts: list  # [(label, count)] in KINDS order
    include_restricted: bool
    withheld: int  # restricted items left out
    produced_on: datetime.date
    produced_by: str

    @property
    def days(self):
        """The entries under one heading per date, oldest first; undated ones last."""
        days = []
        for entry in self.entries:
            if days and days[-1].on == entry.on:
                days[-1].entries.append(entry)
            else:
                days.append(Day(on=entry.on, entries=[entry]))
        return days


def may_include_restricted(actor):
    return actor.can_see_restricted()


def require_chronology(actor, pupil):
    """Staff who export across the school (SENCO, deputy, head, trust lead) and reach this pupil to export."""
    require(can_export_pupils(actor))
    require_pupil(actor, pupil, Action.EXPORT)


# ----- reading everything -----


def _intervention_entries(pupil, measures_by_group, today):
    """One entry per place the pupil had in a group, and the groups' ids.

    Five queries: places, slots, terms, sessions, attendance.
    """
    places = list(
        GroupMember.objects.filter(pupil=pupil)
        .select_related("group__intervention")
        .prefetch_related("group__slots")
        .order_by("joined_on", "pk")
    )
    if not places:
        return [], set()
    groups = {place.group_id: place.group for place in places}
    start = min(group.starts_on for group in groups.values())
    end = max(start, min(max(group.ends_on for group in groups.values()), today))
    terms = term_ranges(pupil.school_id, start, end)
    sessions = defaultdict(list)
    for session in SessionLog.objects.filter(group_id__in=groups, date__lte=today).only(
        "pk", "group_id", "date", "status"
    ):
        sessions[session.group_id].append(session)
    # This pupil's register marks only: another member's attendance is never read.
    attendance = {
        row.session_id: row
        for row in Attendance.objects.filter(pupil=pupil, session__group_id__in=groups).only(
            "pk", "session_id", "pupil_id", "attended"
        )
    }
    entries = [
        intervention_entry(
            place, place.group, terms, sessions[place.group_id], attendance, measures_by_group[place.group_id], today
        )
        for place in places
    ]
    return entries, set(groups)


def _front_page(pupil, statuses, needs):
    current = next((status for status in statuses if status.ends_on is None), None)
    provision = f"{provision_label(current)} ({tier_label(current)})" if current else _("None recorded")
    open_needs = sorted((need for need in needs if need.ends_on is None), key=lambda need: need.rank)
    front = [
        (_("Name"), pupil.full_name),
        (_("Date of birth"), day(pupil.date_of_birth)),
        (_("UPN"), pupil.upn or _("None recorded")),
        (_("School"), pupil.school.name),
        (_("Year group"), pupil.year_group_label),
        (_("Current SEN provision"), provision),
        (
            _("Current needs"),
            "\n".join(f"{rank_label(need.rank)}: {need.need_type.code} – {need.need_type.name}" for need in open_needs)
            or _("None recorded"),
        ),
    ]
    legal_name = f"{pupil.legal_forename} {pupil.legal_surname}"
    if legal_name != pupil.full_name:
        front.insert(1, (_("Legal name"), legal_name))
    if pupil.date_left:
        front.append((_("Left the school"), day(pupil.date_left)))
    return front


def gather(actor, pupil, *, include_restricted=False):
    """Everything in ``pupil``'s chronology, oldest first, as plain data (``Chronology``).

    Refuses (``PermissionDenied``) anyone but staff who export across the school and reach
    the pupil to export (an archived leaver included). ``include_restricted`` counts only
    for someone who may read restricted content. Fifteen queries at most, whatever the number
    of versions, reviews, groups, sessions or measures.
    """
    require_chronology(actor, pupil)
    include_restricted = bool(include_restricted) and may_include_restricted(actor)
    levels = Levels(actor, include_restricted)
    today = actor.today

    statuses = list(SenStatus.objects.filter(pupil=pupil).order_by("starts_on", "pk"))
    needs = list(Need.objects.filter(pupil=pupil).select_related("need_type").order_by("rank", "pk"))
    versions = {
        version.pk: version
        for version in PlanVersion.objects.filter(plan__pupil=pupil, status__in=PlanVersion.FROZEN)
        .select_related("published_by")
        .order_by("number")
    }
    responses = defaultdict(list)
    for response in (
        AgreementResponse.objects.filter(version_id__in=versions).select_related("link").order_by("responded_at")
    ):
        responses[response.version_id].append(response)
    reviews = list(
        Review.objects.filter(plan__pupil=pupil, status=Review.Status.COMPLETED, version_id__in=versions)
        .prefetch_related("ratings")
        .order_by("held_on", "pk")
    )
    measures = list(
        Measure.objects.filter(pupil=pupil)
        .select_related("measure_type", "group", "received_in")
        .order_by("taken_on", "pk")
    )
    measures_by_group = defaultdict(list)
    for measure in measures:
        if measure.group_id:
            measures_by_group[measure.group_id].append(measure)
    documents = list(
        Document.objects.filter(pupil=pupil)
        .filter(Q(kind=Document.Kind.PROFESSIONAL_REPORT) | Q(share__isnull=False))
        .select_related("share__specialist", "received_in")
        .order_by("written_on", "pk")
    )
    transfers = list(ReceivedTransfer.objects.filter(pupil=pupil).order_by("received_at", "pk"))

    group_entries, group_ids = _intervention_entries(pupil, measures_by_group, today)
    # A check along the way, or a measure whose group place is gone, is listed on its own date.
    single = [m for m in measures if m.point == Measure.Point.CHECK or m.group_id not in group_ids]
    entries = [
        *status_entries(statuses),
        *need_entries(needs, levels),
        *(plan_entry(version, responses[version.pk], levels) for version in versions.values()),
        *(review_entry(review, versions[review.version_id], pupil.school, levels) for review in reviews),
        *group_entries,
        *(measure_entry(measure) for measure in single),
        *(report_entry(document) for document in documents if levels.allows(document.visibility)),
        *(transfer_entry(transfer) for transfer in transfers),
    ]
    for transfer in transfers:
        entries += history_entries(transfer.document, transfer.from_school_name, levels)
    # A stable sort: same-day entries of one kind keep the order they were read in.
    entries.sort(key=lambda entry: (entry.on is None, entry.on or datetime.date.min, KIND_ORDER[entry.kind]))
    for number, entry in enumerate(entries, start=1):
        entry.number = number
        for count, table in enumerate(entry.tables, start=1):
            table.id = f"chronology-table-{number}-{count}"
    counted = defaultdict(int)
    for entry in entries:
        counted[entry.kind] += 1
    user = getattr(actor, "user", None)
    return Chronology(
        pupil=pupil,
        title=_("Chronology for %(name)s") % {"name": pupil.full_name},
        front=_front_page(pupil, statuses, needs),
        entries=entries,
        counts=[(str(label), counted[kind]) for kind, label in KINDS],
        include_restricted=include_restricted,
        withheld=levels.withheld,
        produced_on=today,
        produced_by=(user.full_name or user.email) if user is not None else _("Waymark (an automated task)"),
    )
