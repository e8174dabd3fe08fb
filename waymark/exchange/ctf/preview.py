"""What importing a CTF would do, worked out against this school's records without changing them.

Each pupil in the file is matched on UPN with the school's pupils (archived ones included,
since a UPN stays theirs) and becomes one of:

- **created**: a new pupil, with their current SEN status, their history and their needs;
- **updated**: an existing pupil whose details differ from the file, or to whom the file adds
  history or needs;
- **skipped**: nothing in the file is new for them, or their record is archived.

The receiving school's own record always wins. Details (names, date of birth, sex, year
group) are brought up to date from the file. SEN history from the file is added only where
it ended before the school's own status history begins; an entry that overlaps the school's
history, or a current status that differs from the school's, is skipped with the reason, and
never changes the school's record. A need is added only where the school has no open need of
that rank or type. Everything already held (the same code from the same date, the same need)
is skipped, so importing the same file twice changes nothing the second time.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from waymark.pupils.models import Need, NeedType, Provision, Pupil, Sex
from waymark.schools.models import year_group_label

from ..batches import PROBLEMS_LISTED
from .dates import show_date
from .parsing import CTFRejected, parse_ctf, problem
from .validation import check_parsed

UPN_CHUNK = 500
# Problems and warnings kept and shown; beyond these a file is wrong throughout and one line says so.
MAX_LISTED = PROBLEMS_LISTED
RANK_NAMES = {1: "primary", 2: "secondary"}


@dataclass
class PupilPlan:
    """One pupil's outcome: ``kind`` is create, update or skip.

    ``lines`` say what changes, ``skipped`` what in the file is not imported and why.
    """

    number: int
    label: str
    name: str
    kind: str
    lines: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    reason: str = ""
    pupil: object = None  # the existing pupil, for an update
    fields: dict = field(default_factory=dict)
    current: dict = None
    history: list = field(default_factory=list)
    open_needs: list = field(default_factory=list)
    closed_needs: list = field(default_factory=list)

    def as_json(self):
        return {
            "number": self.number,
            "label": self.label,
            "name": self.name,
            "lines": self.lines,
            "skipped": self.skipped,
            "reason": self.reason,
        }


@dataclass
class CheckResult:
    """A checked file: its header facts, every problem and warning, and each pupil's plan."""

    header: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    plans: list = field(default_factory=list)
    pupils_in_file: int = 0
    rejected: bool = False  # the file could not be read as a CTF at all

    @property
    def ok(self):
        return not self.problems

    def of_kind(self, kind):
        return [plan for plan in self.plans if plan.kind == kind]

    def counts(self):
        return {
            "pupils": self.pupils_in_file,
            "created": len(self.of_kind("create")),
            "updated": len(self.of_kind("update")),
            "skipped": len(self.of_kind("skip")),
            "problems": len(self.problems),
            "warnings": len(self.warnings),
        }

    def summary(self):
        """The preview as JSON for the batch: counts at the top level, then the header and the lists."""
        return {
            **self.counts(),
            "header": self.header,
            "create": [plan.as_json() for plan in self.of_kind("create")],
            "update": [plan.as_json() for plan in self.of_kind("update")],
            "skip": [plan.as_json() for plan in self.of_kind("skip")],
            "warning_list": self.warnings,
        }


def check_file(*, school, data, today):
    """Parse, check and plan the import of ``data`` (a CTF's bytes) into ``school``. Changes nothing.

    Runs a fixed number of queries for files of up to ``UPN_CHUNK`` pupils (one more per
    further ``UPN_CHUNK``).
    """
    try:
        parsed = parse_ctf(data)
    except CTFRejected as rejection:
        return CheckResult(problems=rejection.problems, rejected=True)
    need_types = {need_type.code: need_type for need_type in NeedType.objects.all()}
    checked = check_parsed(parsed, school=school, need_codes=set(need_types), today=today)
    result = CheckResult(
        header=_header_facts(checked),
        problems=list(checked.problems),
        warnings=checked.warnings,
        pupils_in_file=len(checked.pupils),
    )
    existing = _existing_pupils(school, [pupil["upn"] for pupil in checked.pupils if pupil["upn"]])
    for pupil in checked.pupils:
        if pupil["problems"]:
            continue
        match = existing.get(pupil["upn"])
        plan = _plan_update(pupil, match) if match is not None else _plan_create(pupil, today, result.problems)
        if plan is not None:
            result.plans.append(plan)
    result.problems = _capped(result.problems, _("problems"))
    result.warnings = _capped(result.warnings, _("things to check"))
    return result


def _capped(items, noun):
    if len(items) <= MAX_LISTED:
        return items
    more = len(items) - MAX_LISTED
    return [
        *items[:MAX_LISTED],
        problem(_("And %(count)d more %(noun)s, not listed.") % {"count": more, "noun": noun}),
    ]


def _header_facts(checked):
    source, dest = checked.header["source"], checked.header.get("dest") or {}
    return {
        "source_name": source["name"],
        "source_lea": source["lea"],
        "source_estab": source["estab"],
        "source_urn": source["urn"],
        "academic_year": source["academic_year"],
        "version": checked.header["version"],
        "written_on": checked.file_date.isoformat(),
        "dest_name": dest.get("name", ""),
        "dest_lea": dest.get("lea", ""),
        "dest_estab": dest.get("estab", ""),
        "dest_urn": dest.get("urn", ""),
    }


def _existing_pupils(school, upns):
    found = {}
    for start in range(0, len(upns), UPN_CHUNK):
        pupils = Pupil.objects.filter(school=school, upn__in=upns[start : start + UPN_CHUNK]).prefetch_related(
            "sen_statuses", Prefetch("needs", queryset=Need.objects.select_related("need_type"))
        )
        found.update((pupil.upn, pupil) for pupil in pupils)
    return found


# ----- describing -----


def _provision(code):
    return Provision(code).label


def _period(period):
    if period.get("ends_on"):
        return _("%(code)s from %(start)s to %(end)s") % {
            "code": _provision(period["provision"]),
            "start": show_date(period["starts_on"]),
            "end": show_date(period["ends_on"]),
        }
    return _("%(code)s from %(start)s") % {
        "code": _provision(period["provision"]),
        "start": show_date(period["starts_on"]),
    }


def _need(need):
    text = _("%(code)s (%(rank)s need)") % {"code": need["code"], "rank": RANK_NAMES[need["rank"]]}
    if need["ends_on"]:
        start = show_date(need["starts_on"]) if need["starts_on"] else _("an unknown date")
        text += " " + _("from %(start)s to %(end)s") % {"start": start, "end": show_date(need["ends_on"])}
    elif need["starts_on"]:
        text += " " + _("from %(start)s") % {"start": show_date(need["starts_on"])}
    return text


def _name(pupil):
    forename = pupil["preferred_name"] or pupil["legal_forename"]
    return f"{forename} {pupil['legal_surname']}"


# ----- a new pupil -----


def _plan_create(pupil, today, problems):
    if pupil["year_group"] is None:
        problems.append(
            problem(
                _(
                    "A new pupil needs a year group, and the file gives none (NCyearActual is missing or X). "
                    "Add this pupil by hand, or correct the file."
                ),
                row=pupil["number"],
                column="NCyearActual",
                pupil=pupil["label"],
            )
        )
        return None
    current = dict(pupil["current"])
    current["starts_on"] = current["starts_on"] or today
    fields = {
        "upn": pupil["upn"],
        "legal_forename": pupil["legal_forename"],
        "legal_surname": pupil["legal_surname"],
        "preferred_name": pupil["preferred_name"] or "",
        "date_of_birth": pupil["date_of_birth"],
        "sex": pupil["sex"],
        "year_group": pupil["year_group"],
        "date_joined": today,
    }
    lines = [
        _("Born %(born)s, %(year)s, %(sex)s")
        % {
            "born": show_date(fields["date_of_birth"]),
            "year": year_group_label(fields["year_group"]),
            "sex": Sex(fields["sex"]).label.lower(),
        },
        _("Current SEN provision: %(period)s") % {"period": _period(current)},
    ]
    lines += [_("History: %(period)s") % {"period": _period(period)} for period in pupil["history"]]
    open_needs = [need for need in pupil["needs"] if need["ends_on"] is None]
    closed_needs = [need for need in pupil["needs"] if need["ends_on"] is not None]
    lines += [_("Need: %(need)s") % {"need": _need(need)} for need in open_needs]
    lines += [_("Past need: %(need)s") % {"need": _need(need)} for need in closed_needs]
    return PupilPlan(
        number=pupil["number"],
        label=pupil["label"],
        name=_name(pupil),
        kind="create",
        lines=lines,
        fields=fields,
        current=current,
        history=list(pupil["history"]),
        open_needs=open_needs,
        closed_needs=closed_needs,
    )


# ----- a pupil the school has -----


def _plan_update(pupil, existing):
    plan = PupilPlan(
        number=pupil["number"], label=pupil["label"], name=existing.full_name, kind="update", pupil=existing
    )
    if existing.is_archived:
        plan.kind = "skip"
        plan.reason = _("Their record here is archived (they have left). Restore it first to import into it.")
        return plan
    _plan_fields(pupil, existing, plan)
    _plan_statuses(pupil, existing, plan)
    _plan_needs(pupil, existing, plan)
    if not (plan.fields or plan.history or plan.open_needs or plan.closed_needs):
        plan.kind = "skip"
        plan.reason = _("Nothing in the file is new for this pupil.")
    return plan


def _plan_fields(pupil, existing, plan):
    labels = {
        "legal_forename": _("Legal first name"),
        "legal_surname": _("Legal last name"),
        "preferred_name": _("Preferred first name"),
        "date_of_birth": _("Date of birth"),
        "sex": _("Sex"),
        "year_group": _("Year group"),
    }
    shown = {"date_of_birth": show_date, "year_group": year_group_label, "sex": lambda code: Sex(code).label}
    for name, label in labels.items():
        new = pupil[name]
        if new is None:  # not in the file (a preferred name, a year group of X): the school's stays
            continue
        old = getattr(existing, name)
        if new != old:
            plan.fields[name] = new
            show = shown.get(name, lambda value: value or _("(none)"))
            plan.lines.append(_("%(label)s: %(old)s to %(new)s") % {"label": label, "old": show(old), "new": show(new)})


def _plan_statuses(pupil, existing, plan):
    statuses = list(existing.sen_statuses.all())
    held = {(status.provision, status.starts_on) for status in statuses}
    earliest = min((status.starts_on for status in statuses), default=None)
    for period in pupil["history"]:
        if (period["provision"], period["starts_on"]) in held:
            plan.skipped.append(_("%(period)s: already held.") % {"period": _period(period)})
        elif earliest is None or period["ends_on"] < earliest:
            plan.history.append(period)
            plan.lines.append(_("History added: %(period)s") % {"period": _period(period)})
        else:
            plan.skipped.append(
                _("%(period)s: overlaps this school's own SEN history, which starts on %(earliest)s.")
                % {"period": _period(period), "earliest": show_date(earliest)}
            )
    current = pupil["current"]
    if not current["from_file"]:
        return
    open_status = next((status for status in statuses if status.ends_on is None), None)
    if (current["provision"], current["starts_on"]) in held or (
        open_status is not None and open_status.provision == current["provision"]
    ):
        plan.skipped.append(_("Current status %(period)s: already held.") % {"period": _period(current)})
    elif open_status is not None:
        plan.skipped.append(
            _(
                "The file's current status is %(period)s; this school's record says %(ours)s. An import never "
                "changes the school's own record: change the status on the pupil's page if the file is right."
            )
            % {
                "period": _period(current),
                "ours": _period({"provision": open_status.provision, "starts_on": open_status.starts_on}),
            }
        )
    else:
        plan.skipped.append(
            _("Current status %(period)s: the pupil has no SEN status here to compare it with; set it on their page.")
            % {"period": _period(current)}
        )


def _plan_needs(pupil, existing, plan):
    needs = list(existing.needs.all())
    open_needs = [need for need in needs if need.ends_on is None]
    for need in pupil["needs"]:
        if need["ends_on"] is not None:
            held = any(
                (other.need_type.code, other.rank, other.starts_on, other.ends_on)
                == (need["code"], need["rank"], need["starts_on"], need["ends_on"])
                for other in needs
            )
            if held:
                plan.skipped.append(_("Past need %(need)s: already held.") % {"need": _need(need)})
            else:
                plan.closed_needs.append(need)
                plan.lines.append(_("Past need added: %(need)s") % {"need": _need(need)})
            continue
        same_rank = next((other for other in open_needs if other.rank == need["rank"]), None)
        same_type = next((other for other in open_needs if other.need_type.code == need["code"]), None)
        if same_rank is not None and same_rank is same_type:
            plan.skipped.append(_("Need %(need)s: already held.") % {"need": _need(need)})
        elif same_rank is not None:
            plan.skipped.append(
                _("Need %(need)s: this school records %(ours)s as the %(rank)s need.")
                % {"need": _need(need), "ours": same_rank.need_type.code, "rank": RANK_NAMES[need["rank"]]}
            )
        elif same_type is not None:
            plan.skipped.append(
                _("Need %(need)s: this school records %(code)s as the %(rank)s need.")
                % {"need": _need(need), "code": need["code"], "rank": RANK_NAMES.get(same_type.rank, same_type.rank)}
            )
        else:
            plan.open_needs.append(need)
            plan.lines.append(_("Need added: %(need)s") % {"need": _need(need)})
