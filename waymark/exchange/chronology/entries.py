"""The entries of a chronology, one builder per kind: plain dated data, no queries.

Each builder gets rows its caller has already read (``chronology.gather``) and returns
``Entry`` values: a date, a title, label-and-value details and perhaps a table.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waymark.core.models import Visibility
from waymark.plans.documents.content import how_often, present, status_line
from waymark.plans.reviews import snapshot_outcomes
from waymark.plans.selectors import visible_levels
from waymark.plans.snapshot import visible_content
from waymark.provision.dates import day_text
from waymark.provision.delivery.counting import count_sessions, last_day, window
from waymark.provision.impact import pupil_gain
from waymark.provision.measure_values import format_value
from waymark.provision.models import Measure
from waymark.provision.schedule import planned_dates
from waymark.pupils.models import Provision, Tier

from ..tables import Table

KINDS = (
    ("status", gettext_lazy("SEN provision changes")),
    ("need", gettext_lazy("Needs identified or ended")),
    ("plan", gettext_lazy("Support plan versions")),
    ("review", gettext_lazy("Reviews")),
    ("intervention", gettext_lazy("Interventions")),
    ("measure", gettext_lazy("Measures outside a group, and checks along the way")),
    ("report", gettext_lazy("Outside reports")),
    ("transfer", gettext_lazy("Records received from previous schools")),
)
KIND_ORDER = {kind: order for order, (kind, _label) in enumerate(KINDS)}


def day(value):
    """ "4 March 2027"; '' for no date."""
    return day_text(value) if value else ""


def local_day(moment):
    return timezone.localdate(moment) if moment else None


@dataclass
class Entry:
    """One dated thing that happened: a title, label-and-value details and perhaps a table or two."""

    on: datetime.date | None
    kind: str
    title: str
    details: list = field(default_factory=list)  # [(label, value)]
    tables: list = field(default_factory=list)
    from_school: str = ""  # set when the entry is history from a previous school
    restricted: bool = False  # shown only when restricted content was chosen
    number: int = 0  # its place in the chronology, from 1: names its tables on the page


@dataclass
class Day:
    on: datetime.date | None
    entries: list

    @property
    def heading(self):
        return day(self.on) if self.on else _("Date not recorded")


# ----- each kind of entry -----


class Levels:
    """What the reader may see, counting what was left out because it is restricted."""

    def __init__(self, actor, include_restricted):
        self.levels = set(visible_levels(actor))
        if not include_restricted:
            self.levels.discard(Visibility.RESTRICTED)
        self.withheld = 0

    def allows(self, visibility):
        if visibility in self.levels:
            return True
        if visibility == Visibility.RESTRICTED:
            self.withheld += 1
        return False


def provision_label(status):
    """ "K – SEN support"; a code the census no longer knows is shown as it is."""
    return str(Provision(status.provision).label) if status.provision in Provision.values else status.provision


def tier_label(status):
    return str(Tier(status.tier).label) if status.tier in Tier.values else status.tier


def status_entries(statuses):
    for status in statuses:
        details = [
            (_("Tier of support"), tier_label(status)),
            (_("Until"), day(status.ends_on) if status.ends_on else _("Current")),
        ]
        title = _("SEN provision: %(code)s") % {"code": provision_label(status)}
        yield Entry(status.starts_on, "status", title, details)


def rank_label(rank):
    return {1: _("Primary need"), 2: _("Secondary need")}.get(rank, _("Need ranked %(rank)d") % {"rank": rank})


def need_entries(needs, levels):
    for need in needs:
        name = f"{need.need_type.code} – {need.need_type.name}"
        details = [(_("Rank"), rank_label(need.rank))]
        if need.description and levels.allows(need.visibility):
            restricted = need.visibility == Visibility.RESTRICTED
            details.append((_("Description (restricted)") if restricted else _("Description"), need.description))
        if need.ends_on:
            details.append((_("No longer a need from"), day(need.ends_on)))
        yield Entry(need.starts_on, "need", _("Need identified: %(need)s") % {"need": name}, details)
        if need.ends_on:
            yield Entry(need.ends_on, "need", _("Need no longer recorded: %(need)s") % {"need": name})


def _count_restricted(snapshot, keys, levels):
    for section in snapshot.get("sections", []):
        if section.get("key") in keys:
            for item in section.get("items", []):
                levels.allows(item.get("visibility", Visibility.EVERYONE))


def _titled(item):
    """An item's words, marked when restricted so the SENCO sees what to check before sending."""
    if item.get("visibility") == Visibility.RESTRICTED:
        return _("%(text)s (restricted)") % {"text": item["title"]}
    return item["title"]


def plan_tables(snapshot, number, levels):
    """A frozen version's outcomes and provision in brief: what the reader may see, restricted ones counted."""
    _count_restricted(snapshot, {"outcomes", "provision"}, levels)
    document = present(visible_content(snapshot, levels.levels))
    sections = {section["key"]: section for section in document["sections"]}
    tables = []
    outcomes = sections.get("outcomes", {}).get("items", [])
    if outcomes:
        tables.append(
            Table(
                caption=_("Outcomes in version %(number)s") % {"number": number},
                header=[_("Outcome"), _("Target"), _("By when")],
                rows=[[_titled(item), item["values"]["target"], item["values"]["by_date"]] for item in outcomes],
            )
        )
    provision = sections.get("provision", {}).get("items", [])
    if provision:
        tables.append(
            Table(
                caption=_("Provision in version %(number)s") % {"number": number},
                header=[_("What"), _("How often"), _("Who delivers it"), _("From – until")],
                rows=[
                    [
                        _titled(item),
                        item["values"]["how_often"],
                        item["values"]["delivered_by"],
                        item["values"]["dates"],
                    ]
                    for item in provision
                ],
            )
        )
    return tables


def plan_entry(version, responses, levels):
    """A shared or published version, from its snapshot: when, who agreed, its outcomes and provision."""
    snapshot = version.snapshot or {}
    details = [(_("Status"), status_line(version)), (_("Tier of support"), snapshot.get("tier_label", ""))]
    shared_on, published_on = local_day(version.frozen_at), local_day(version.published_at)
    if shared_on and shared_on != published_on:
        # Frozen before it was published: it was shared with the parents for agreement first.
        details.append((_("Shared for agreement"), day(shared_on)))
    if published_on:
        who = version.published_by.full_name if version.published_by else ""
        published = day(published_on)
        details.append(
            (_("Published"), _("%(date)s by %(who)s") % {"date": published, "who": who} if who else published)
        )
    if snapshot.get("owner"):
        details.append((_("Plan owner"), snapshot["owner"]))
    said = [
        _("%(name)s (%(relationship)s) %(answer)s on %(date)s")
        % {
            "name": response.link.full_name,
            "relationship": response.link.get_relationship_display().lower(),
            "answer": _("agreed") if response.agrees else _("disagreed"),
            "date": day(local_day(response.responded_at)),
        }
        for response in responses
    ]
    details.append((_("Parents' agreement"), "\n".join(said) or _("No response recorded")))
    title = _("Support plan version %(number)s (%(status)s)") % {
        "number": version.number,
        "status": version.get_status_display().lower(),
    }
    tables = plan_tables(snapshot, version.number, levels)
    return Entry(local_day(version.published_at or version.frozen_at), "plan", title, details, tables)


def rating_text(rating, label):
    """ "+1 – More than expected", as the review showed it."""
    sign = f"+{rating}" if rating > 0 else str(rating)
    return f"{sign} – {label}" if label else sign


def _rating_text(school, rating):
    return _("Not rated") if rating is None else rating_text(rating, school.rating_label(rating))


def review_entry(review, version, school, levels):
    visibilities = {item["id"]: item.get("visibility", Visibility.EVERYONE) for item in snapshot_outcomes(version)}
    rows = []
    for rating in review.ratings.all():
        visibility = visibilities.get(str(rating.outcome_id), Visibility.EVERYONE)
        if levels.allows(visibility):
            outcome = _titled({"title": rating.outcome_text, "visibility": visibility})
            rows.append([outcome, _rating_text(school, rating.rating), rating.evidence])
    details = [(_("Plan reviewed"), _("Version %(number)s") % {"number": version.number})]
    details.append((_("Decisions"), "\n".join(review.decision_labels()) or _("None recorded")))
    for label, value in (
        (_("More about the decision"), review.decision_notes),
        (_("What worked"), review.what_worked),
        (_("What did not work"), review.what_did_not),
    ):
        if value:
            details.append((label, value))
    details.append((_("The pupil took part"), _("Yes") if review.pupil_took_part else _("No")))
    if review.next_review_on:
        details.append((_("Next review"), day(review.next_review_on)))
    tables = []
    if rows:
        tables.append(
            Table(
                caption=_("Outcome ratings at the review on %(date)s") % {"date": day(review.held_on)},
                header=[_("Outcome"), _("Rating"), _("Evidence")],
                rows=rows,
            )
        )
    return Entry(review.held_on, "review", _("Review of the support plan"), details, tables)


def _gain_row(measure_type, points):
    entry, exit_ = points.get(Measure.Point.ENTRY), points.get(Measure.Point.EXIT)
    gain = pupil_gain(entry, exit_)

    def taken(measure):
        if measure is None:
            return _("Not recorded")
        return _("%(value)s on %(date)s") % {
            "value": format_value(measure_type, measure.value),
            "date": day(measure.taken_on),
        }

    ratio = ""
    if gain is not None and gain.ratio is not None:
        ratio = f"{gain.ratio_text} ({gain.band_label.lower()})"
    return [measure_type.name, taken(entry), taken(exit_), gain.gain_text if gain else "", ratio]


def intervention_entry(place, group, terms, sessions, attendance, measures, today):
    first, last = window(place, group, group.starts_on, today)
    if first <= last:
        planned = planned_dates([slot.weekday for slot in group.slots.all()], first, last, terms)
        in_window = [session for session in sessions if first <= session.date <= last]
        tally = count_sessions(planned, in_window, attendance)
    else:
        tally = count_sessions([], [], {})
    left = min(place.left_on or datetime.date.max, last_day(group))
    slots = len(group.slots.all())
    details = [
        (_("Group"), group.name),
        (
            _("In the group"),
            (_("%(start)s to %(end)s") if left <= today else _("%(start)s to %(end)s (planned)"))
            % {"start": day(max(place.joined_on, group.starts_on)), "end": day(left)},
        ),
        (_("How often"), how_often(slots, group.minutes_per_session) if slots else _("No weekly session set")),
        (_("Sessions planned so far"), str(tally.planned)),
        (
            _("Sessions delivered"),
            _("%(delivered)d (%(cancelled)d cancelled, %(missing)d not recorded)")
            % {"delivered": tally.delivered, "cancelled": tally.cancelled, "missing": tally.not_logged},
        ),
        (
            _("Attendance"),
            _("Attended %(attended)d of %(delivered)d delivered sessions (missed %(missed)d)")
            % {"attended": tally.attended, "delivered": tally.delivered, "missed": tally.missed},
        ),
    ]
    by_type = defaultdict(dict)
    types = {}
    for measure in measures:
        if measure.point != Measure.Point.CHECK:
            by_type[measure.measure_type_id][measure.point] = measure
            types[measure.measure_type_id] = measure.measure_type
    tables = []
    if by_type:
        tables.append(
            Table(
                caption=_("Entry and exit measures in %(group)s") % {"group": group.name},
                header=[_("Scale"), _("Entry"), _("Exit"), _("Gain"), _("Ratio gain")],
                rows=[_gain_row(types[type_id], points) for type_id, points in by_type.items()],
            )
        )
    title = _("Intervention: %(name)s") % {"name": group.intervention.name}
    return Entry(max(place.joined_on, group.starts_on), "intervention", title, details, tables)


def measure_entry(measure):
    details = [
        (_("Value"), format_value(measure.measure_type, measure.value)),
        (_("When"), measure.get_point_display()),
    ]
    if measure.group_id:
        details.append((_("Group"), measure.group.name))
    if measure.note:
        details.append((_("Note"), measure.note))
    title = _("Measure: %(scale)s") % {"scale": measure.measure_type.name}
    from_school = measure.received_in.from_school_name if measure.received_in_id else ""
    return Entry(measure.taken_on, "measure", title, details, from_school=from_school)


def report_entry(document):
    author = document.author or (document.share.display_name if document.share_id else "")
    details = [(_("Written by"), author or _("Not recorded")), (_("Kind"), document.get_kind_display())]
    if document.share_id and document.share.service:
        details.append((_("Service"), document.share.service))
    details.append((_("Recommendations"), document.recommendations or _("None recorded")))
    from_school = document.received_in.from_school_name if document.received_in_id else ""
    title = _("Outside report: %(title)s") % {"title": document.title}
    return Entry(
        document.written_on,
        "report",
        title,
        details,
        from_school=from_school,
        restricted=document.visibility == Visibility.RESTRICTED,
    )


def transfer_entry(transfer):
    title = _("Record received from %(school)s") % {"school": transfer.from_school_name}
    details = [(_("Sent on"), day(local_day(transfer.exported_at)))]
    if transfer.from_school_urn:
        details.append((_("School's URN"), transfer.from_school_urn))
    details.append(
        (
            _("What it holds"),
            _(
                "The previous school's plans, reviews and provision, as they sent them: each is listed in this "
                "chronology under its own date, marked as from that school, with the measures and reports they sent."
            ),
        )
    )
    return Entry(local_day(transfer.received_at), "transfer", title, details)
