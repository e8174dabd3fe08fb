"""One pupil's provision delivered: per commitment of their plan in force, and per group place."""

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from waymark.plans.family_content import provision_in_words
from waymark.plans.models import PlanVersion, Provision
from waymark.plans.selectors import visible_levels
from waymark.schools.models import AcademicYear

from ..dates import parse_iso_date
from ..models import Attendance, GroupMember, InterventionGroup, SessionLog
from ..permissions import group_restrict
from ..schedule import planned_dates, term_ranges
from .counting import Tally, count_sessions, expected_sessions, member_on_any, weekdays_of, window

# ----- one pupil -----


@dataclass
class Period:
    """The dates a delivery page covers: a school year or one of its terms."""

    start: datetime.date
    end: datetime.date
    label: str
    term_id: str = ""


def delivery_periods(school, today):
    """The school year containing ``today`` and its terms (two queries); ``None`` and [] without one."""
    year = (
        AcademicYear.objects.filter(school=school, starts_on__lte=today, ends_on__gte=today)
        .prefetch_related("terms")
        .first()
    )
    if year is None:
        return None, []
    terms = [
        Period(start=term.starts_on, end=term.ends_on, label=term.name, term_id=str(term.public_id))
        for term in sorted(year.terms.all(), key=lambda term: term.starts_on)
    ]
    return Period(start=year.starts_on, end=year.ends_on, label=year.name), terms


@dataclass
class CommitmentDelivery:
    """One provision item of the plan in force and what was delivered against it."""

    lineage: str
    what: str
    words: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    expected: int
    tally: Tally
    groups: list = field(default_factory=list)


@dataclass
class PlaceRow:
    """One of the pupil's places in a group, with the commitment it delivers (if any) and its sessions."""

    place: GroupMember
    group: InterventionGroup
    commitment: str
    first: datetime.date
    last: datetime.date
    tally: Tally
    may_open: bool


@dataclass
class PupilDelivery:
    period: Period
    version: PlanVersion | None
    commitments: list
    places: list
    has_terms: bool


def _commitment_items(actor, version):
    """The provision items of ``version``'s frozen snapshot, each with its lineage: those ``actor`` may read,
    and the lineages of those they may not (restricted ones, for all but the SENCO and DSL).

    Snapshots frozen before lineages existed lack them: those are read from the version's
    own rows by the item's id (one query, only then).
    """
    if version is None or not version.snapshot:
        return [], set()
    section = next((s for s in version.snapshot.get("sections", []) if s.get("key") == "provision"), None)
    items = [dict(item) for item in (section or {}).get("items", [])]
    missing = [item["id"] for item in items if not item.get("lineage") and item.get("id")]
    if missing:
        lineages = dict(
            Provision.objects.filter(version=version, public_id__in=missing).values_list("public_id", "lineage")
        )
        for item in items:
            if not item.get("lineage"):
                found = lineages.get(_uuid(item.get("id")))
                item["lineage"] = str(found) if found else ""
    levels = visible_levels(actor)
    readable = [item for item in items if item.get("lineage") and item.get("visibility", "everyone") in levels]
    hidden = {item["lineage"] for item in items if item.get("lineage")} - {item["lineage"] for item in readable}
    return readable, hidden


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def pupil_delivery(actor, pupil, period=None):
    """What ``pupil`` was planned and had, per commitment of their plan in force and per group place.

    ``period`` (a ``Period``) defaults to the school year containing ``actor.today``;
    nothing after today is counted. Restricted commitments are left out for those who may
    not read restricted content (``plans.selectors.visible_levels``). Eight queries at
    most, whatever the number of groups and sessions.
    """
    today = actor.today
    if period is None:
        year, _terms = delivery_periods(pupil.school, today)
        period = year or Period(start=today - datetime.timedelta(days=365), end=today, label=_("The last 12 months"))
    start, end = period.start, min(period.end, today)
    version = PlanVersion.objects.filter(plan__pupil=pupil, status=PlanVersion.Status.ACTIVE).first()
    items, hidden = _commitment_items(actor, version)
    places = list(
        GroupMember.objects.filter(pupil=pupil, group__starts_on__lte=end, group__ends_on__gte=start)
        .filter(member_on_any(start, end))
        .select_related("group__intervention")
        .prefetch_related("group__slots")
        .order_by("joined_on", "pk")
    )
    groups = {place.group_id: place.group for place in places}
    terms = term_ranges(pupil.school, start, end) if end >= start else []
    sessions_by_group = defaultdict(list)
    attendance = {}
    if groups:
        for session in SessionLog.objects.filter(group_id__in=groups, date__gte=start, date__lte=end).only(
            "pk", "group_id", "date", "status"
        ):
            sessions_by_group[session.group_id].append(session)
        attendance = {
            row.session_id: row
            for row in Attendance.objects.filter(
                pupil=pupil, session__group_id__in=groups, session__date__gte=start, session__date__lte=end
            ).only("pk", "session_id", "pupil_id", "attended")
        }
        openable = set(group_restrict(actor).filter(pk__in=groups).values_list("pk", flat=True))
    else:
        openable = set()

    by_lineage = {item["lineage"]: item for item in items}
    rows = []
    for place in places:
        group = place.group
        first, last = window(place, group, start, end)
        if first > last:  # a group ended early, before the period began
            continue
        planned = planned_dates(weekdays_of(group), first, last, terms)
        in_window = [session for session in sessions_by_group[group.pk] if first <= session.date <= last]
        lineage = str(place.commitment) if place.commitment else ""
        item = by_lineage.get(lineage)
        if item is not None:
            commitment = item.get("what", "")
        elif lineage in hidden:
            commitment = _("A part of the plan only the SENCO and DSL see")
        elif lineage:
            commitment = _("Not in the plan in force")
        else:
            commitment = _("Not linked to the plan")
        rows.append(
            PlaceRow(
                place=place,
                group=group,
                commitment=commitment,
                first=first,
                last=last,
                tally=count_sessions(planned, in_window, attendance),
                may_open=group.pk in openable,
            )
        )

    commitments = []
    for item in items:
        starts_on, ends_on = parse_iso_date(item.get("starts_on")), parse_iso_date(item.get("ends_on"))
        first = max(starts_on or start, start)
        last = min(ends_on or end, end)
        tally = Tally()
        linked = [row for row in rows if str(row.place.commitment or "") == item["lineage"]]
        for row in linked:
            tally.add(row.tally)
        commitments.append(
            CommitmentDelivery(
                lineage=item["lineage"],
                what=item.get("what", ""),
                words=provision_in_words(item),
                starts_on=starts_on,
                ends_on=ends_on,
                expected=expected_sessions(item.get("sessions_per_week"), terms, first, last) if first <= last else 0,
                tally=tally,
                groups=[row.group for row in linked],
            )
        )
    return PupilDelivery(period=period, version=version, commitments=commitments, places=rows, has_terms=bool(terms))
