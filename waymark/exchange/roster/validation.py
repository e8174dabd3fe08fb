"""Checking a whole roster before anything changes: every row through ``RosterRowForm``, then
against the file's other rows and what the school holds, giving each row a plan (create,
update or unchanged) or its problems by row and column.

Decisions, so the preview and the import agree with what people expect:

- A pupil is found by UPN; a row with no UPN by legal first name, last name and date of birth.
  A pupil is never added twice: the same UPN twice in a file, the same name and date of birth
  twice with no UPN, or two rows reaching one pupil, is an error on the later row.
- A UPN that Waymark holds for a pupil whose name AND date of birth both differ from the row's is
  an error (a mistyped UPN would otherwise overwrite another child's record). If only the name
  or only the date of birth differs, it is the same pupil and the record is updated.
- A row with a UPN Waymark does not hold, whose name and date of birth match a pupil with no
  UPN, gives that pupil the UPN; if the match already has a different UPN, it is an error.
- An empty cell never clears what Waymark holds. Pupils not in the file are left alone (a
  leaver is archived on their own page, not by their absence from a file).
- A class not known this school year is added, and a teacher named for it is added to it, only
  when the person importing may manage classes (SENCO, head); otherwise those rows are errors.
- Problems are "error" (nothing can be imported until it is fixed) or "warning" (imported;
  shown so nobody is surprised).
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from waymark.provision.dates import day_text
from waymark.pupils.models import ON_REGISTER_PROVISIONS, TIERS_FOR_PROVISION, Provision, Sex, Tier
from waymark.schools.models import year_group_label

from ..permissions import require_importer
from .headers import FIELDS_BY_KEY, IGNORE, mapping_problems
from .lookups import name_key, school_holdings
from .relations import ClassesAndFamilyMixin
from .rowform import row_form_class

ERROR, WARNING = "error", "warning"
CREATE, UPDATE, UNCHANGED, INVALID = "create", "update", "unchanged", "error"
DEFAULT_TIER = {
    Provision.NO_SEN: Tier.UNIVERSAL,
    Provision.SEN_SUPPORT: Tier.TARGETED,
    Provision.EHC_PLAN: Tier.SPECIALIST,
}
PUPIL_FIELD_KEYS = ("upn", "legal_forename", "legal_surname", "preferred_name", "date_of_birth", "year_group", "sex",
                    "date_joined", "date_left")  # fmt: skip
ROWS_LISTED = 2000  # rows whose planned changes are kept for the preview page; counts cover every row


@dataclass
class RowPlan:
    """What the import will do for one row. Ids and versions are those read when the row was checked."""

    row: int
    name: str
    action: str = UNCHANGED
    pupil_id: int = None
    version: int = None
    fields: dict = field(default_factory=dict)  # pupil fields to set (all of them for a new pupil)
    provision: tuple = None  # (provision, tier) to change to, or to open a new pupil with
    need_ends: list = field(default_factory=list)  # [(need pk, lock_version)]
    need_adds: list = field(default_factory=list)  # [(rank, NeedType)]
    enrol: str = ""  # the class (name, lower case) to put the pupil in
    teacher: int = None  # user pk to add as a teacher of ``teacher_class``
    teacher_class: str = ""  # the class (name, lower case), which the pupil may already be in
    contact_creates: list = field(default_factory=list)  # [parent_contact_create fields]
    contact_updates: list = field(default_factory=list)  # [(link pk, lock_version, changed fields)]
    changes: list = field(default_factory=list)  # plain-English lines for the preview


@dataclass
class RosterCheck:
    rows_total: int
    plans: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # [{"row", "column", "message", "severity"}]
    new_classes: dict = field(default_factory=dict)  # name lower -> (name as written, year group)
    unreadable_rows: int = 0  # rows with a cell that cannot be read as what its column was said to hold

    @property
    def has_errors(self):
        return any(problem["severity"] == ERROR for problem in self.problems)

    @property
    def mapping_fits(self):
        """Whether the column choices read the whole file: nothing wrong with them as a whole, and no
        cell that cannot be read as its column's field (a wrong choice shows as such cells)."""
        whole_file = any(problem["severity"] == ERROR and not problem["row"] for problem in self.problems)
        return not whole_file and not self.unreadable_rows

    @property
    def counts(self):
        counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0, INVALID: 0}
        for plan in self.plans:
            counts[plan.action] += 1
        return {
            "rows": self.rows_total,
            "create": counts[CREATE],
            "update": counts[UPDATE],
            "unchanged": counts[UNCHANGED],
            "invalid": counts[INVALID],
            "errors": sum(1 for problem in self.problems if problem["severity"] == ERROR),
            "warnings": sum(1 for problem in self.problems if problem["severity"] == WARNING),
            "new_classes": len(self.new_classes),
        }

    def summary(self):
        """The counts, the classes to be added and the first ``ROWS_LISTED`` changing rows, as JSON values."""
        listed = [
            {"row": plan.row, "name": plan.name, "action": plan.action, "changes": plan.changes}
            for plan in self.plans
            if plan.action in (CREATE, UPDATE)
        ]
        return {
            **self.counts,
            "classes": sorted(name for name, _year in self.new_classes.values()),
            "listed": listed[:ROWS_LISTED],
            "not_listed": max(0, len(listed) - ROWS_LISTED),
        }


def _problem(row, column, message, severity=ERROR):
    return {"row": row, "column": column, "message": str(message), "severity": severity}


def _show(key, value):
    if value in (None, ""):
        return _("(blank)")
    if key in ("date_of_birth", "date_joined", "date_left"):
        return day_text(value)
    if key == "year_group":
        return str(year_group_label(value))
    if key == "sex":
        return str(Sex(value).label)
    return str(value)


def check_roster(*, actor, school, table, mapping):
    """Check every row of ``table`` (``reading.Table``) read through ``mapping`` ({header: field key}).

    Reads the school's records in a fixed number of queries (``lookups``) and writes nothing.
    """
    require_importer(actor, school)
    check = RosterCheck(rows_total=len(table.rows))
    check.problems.extend(_problem(p["row"], p["column"], p["message"]) for p in table.row_problems)
    mapping = {header: key for header, key in mapping.items() if header in table.headers and key != IGNORE}
    whole = mapping_problems({header: mapping.get(header, IGNORE) for header in table.headers})
    if whole:
        check.problems[:0] = [_problem(0, "", message) for message in whole]
        return check
    held = school_holdings(school, actor.today)
    checker = _Checker(actor=actor, school=school, held=held, mapping=mapping, check=check)
    for number, cells in table.rows:
        check.plans.append(checker.plan_row(number, cells))
    if "date_joined" not in mapping.values() and any(plan.action == CREATE for plan in check.plans):
        check.problems.append(
            _problem(0, "", _("No column gives the date pupils joined: new pupils get today's date."), WARNING)
        )
    check.problems.sort(key=lambda problem: (problem["row"], problem["severity"] != ERROR))
    return check


class _Checker(ClassesAndFamilyMixin):
    def __init__(self, *, actor, school, held, mapping, check):
        self.actor, self.school, self.held, self.check = actor, school, held, check
        self.today = actor.today
        self.mapping = mapping
        self.header_of = {key: header for header, key in mapping.items()}
        self.form_class = row_form_class(tuple(sorted(mapping.values())))
        self.may_manage_classes = actor.school == school and actor.can_administer()
        self.seen_upn, self.seen_name, self.seen_pupil = {}, {}, {}
        self.teacher_adds = set()

    # ----- one row -----

    def plan_row(self, number, cells):
        data = {key: cells.get(header, "") for header, key in self.mapping.items()}
        form = self.form_class(data, need_types=self.held.need_types, today=self.today)
        name = f"{data.get('legal_forename', '')} {data.get('legal_surname', '')}".strip()
        plan = RowPlan(row=number, name=name)
        self.errors = []
        if not form.is_valid():
            self.check.unreadable_rows += 1
            for key, messages in form.errors.items():
                for message in messages:
                    self._error(number, key if key != "__all__" else None, message)
            return self._invalid(plan)
        values = form.cleaned_data
        for key, message in form.warnings:
            self.check.problems.append(_problem(number, self.header_of.get(key, ""), message, WARNING))
        pupil = self._match(number, values)
        if self.errors:
            return self._invalid(plan)
        if pupil is None:
            self._plan_new(plan, values)
        else:
            self._plan_update(plan, pupil, values)
        self._plan_class(plan, pupil, values)
        self._plan_contacts(plan, pupil, values)
        if self.errors:
            return self._invalid(plan)
        if pupil is not None:
            self.seen_pupil[pupil["pk"]] = number
            if plan.changes and pupil["archived_at"]:
                self._error(
                    number,
                    None,
                    _("%(name)s's record is archived. Restore it before importing changes to it.")
                    % {"name": self._pupil_name(pupil)},
                )
                return self._invalid(plan)
        if plan.action != CREATE:
            plan.action = UPDATE if plan.changes else UNCHANGED
        return plan

    def _invalid(self, plan):
        plan.action = INVALID
        self.check.problems.extend(self.errors)
        return plan

    def _error(self, number, key, message):
        self.errors.append(_problem(number, self.header_of.get(key, "") if key else "", message))

    @staticmethod
    def _pupil_name(pupil):
        return f"{pupil['legal_forename']} {pupil['legal_surname']}"

    # ----- which pupil -----

    def _match(self, number, values):
        held = self.held
        upn = values.get("upn") or ""
        key = name_key(values["legal_forename"], values["legal_surname"], values["date_of_birth"])
        found = None
        if upn:
            if upn in self.seen_upn:
                self._error(
                    number,
                    "upn",
                    _("Row %(row)d has this UPN too. A pupil can be in the file once.") % {"row": self.seen_upn[upn]},
                )
                return None
            self.seen_upn[upn] = number
            if upn in held.by_upn:
                found = held.pupils[held.by_upn[upn]]
                same_name = key[:2] == name_key(found["legal_forename"], found["legal_surname"], None)[:2]
                if not same_name and found["date_of_birth"] != values["date_of_birth"]:
                    self._error(
                        number,
                        "upn",
                        _(
                            "Waymark holds this UPN for %(name)s, born %(born)s. The name and date of birth in this "
                            "row are both different: check the UPN."
                        )
                        % {"name": self._pupil_name(found), "born": _show("date_of_birth", found["date_of_birth"])},
                    )
                    return None
            else:
                candidates = [held.pupils[pk] for pk in held.by_name.get(key, [])]
                with_upn = [pupil for pupil in candidates if pupil["upn"]]
                if with_upn:
                    self._error(
                        number,
                        "upn",
                        _(
                            "A pupil with this name and date of birth already has the UPN %(upn)s. Check the UPN: "
                            "a pupil is never added twice."
                        )
                        % {"upn": with_upn[0]["upn"]},
                    )
                    return None
                if len(candidates) > 1:
                    self._error(number, None, _("More than one pupil here has this name and date of birth."))
                    return None
                found = candidates[0] if candidates else None
        else:
            if key in self.seen_name:
                self._error(
                    number,
                    None,
                    _(
                        "Row %(row)d has the same name and date of birth. A pupil can be in the file "
                        "once; if these are two children, give each their UPN."
                    )
                    % {"row": self.seen_name[key]},
                )
                return None
            candidates = held.by_name.get(key, [])
            if len(candidates) > 1:
                self._error(
                    number,
                    None,
                    _("More than one pupil here has this name and date of birth: add the UPN to say which."),
                )
                return None
            found = held.pupils[candidates[0]] if candidates else None
        self.seen_name.setdefault(key, number)
        if found is not None and found["pk"] in self.seen_pupil:
            self._error(
                number,
                None,
                _("Row %(row)d is the same pupil. A pupil can be in the file once.")
                % {"row": self.seen_pupil[found["pk"]]},
            )
            return None
        return found

    # ----- the pupil's own details -----

    def _plan_new(self, plan, values):
        plan.action = CREATE
        plan.fields = {key: values[key] for key in PUPIL_FIELD_KEYS if values.get(key) not in (None, "")}
        if "date_joined" not in plan.fields:
            plan.fields["date_joined"] = self.today
            if "date_joined" in self.header_of:
                self.check.problems.append(
                    _problem(
                        plan.row,
                        self.header_of["date_joined"],
                        _("No date they joined: today's date is used."),
                        WARNING,
                    )
                )
        provision = values.get("provision") or Provision.NO_SEN
        plan.provision = (provision, DEFAULT_TIER[provision])
        plan.changes.append(
            _("New pupil: %(name)s, %(year)s, SEN provision %(code)s")
            % {"name": plan.name, "year": _show("year_group", values["year_group"]), "code": provision}
        )
        plan.need_adds = [(rank, values[f"need_{rank}"]) for rank in (1, 2) if values.get(f"need_{rank}")]
        self._check_needs_allowed(plan, values, provision)
        for rank, need_type in plan.need_adds:
            plan.changes.append(_("%(which)s need: %(code)s") % {"which": _rank_name(rank), "code": need_type.code})

    def _plan_update(self, plan, pupil, values):
        plan.pupil_id, plan.version = pupil["pk"], pupil["lock_version"]
        for key in PUPIL_FIELD_KEYS:
            new = values.get(key)
            if new in (None, "") or new == pupil[key]:
                continue
            plan.fields[key] = new
            plan.changes.append(
                _("%(field)s: %(old)s to %(new)s")
                % {"field": FIELDS_BY_KEY[key].label, "old": _show(key, pupil[key]), "new": _show(key, new)}
            )
        self._plan_status(plan, pupil, values)
        self._plan_needs(plan, pupil, values)

    def _plan_status(self, plan, pupil, values):
        current = self.held.statuses.get(pupil["pk"])
        new = values.get("provision")
        if not new or (current and current["provision"] == new):
            return
        if current and current["starts_on"] >= self.today:
            self._error(
                plan.row,
                "provision",
                _("The SEN provision was already changed today. Change it again on the pupil's page."),
            )
            return
        tier = current["tier"] if current and current["tier"] in TIERS_FOR_PROVISION[new] else DEFAULT_TIER[new]
        plan.provision = (new, tier)
        plan.changes.append(
            _("SEN provision: %(old)s to %(new)s")
            % {"old": current["provision"] if current else _("(none)"), "new": new}
        )

    def _check_needs_allowed(self, plan, values, provision):
        if (values.get("need_1") or values.get("need_2")) and provision not in ON_REGISTER_PROVISIONS:
            key = "need_1" if values.get("need_1") else "need_2"
            self._error(
                plan.row,
                key,
                _(
                    "A need type is recorded only for pupils on SEN support (K) or with an "
                    "EHC plan (E); this pupil's provision is %(code)s."
                )
                % {"code": provision},
            )

    def _plan_needs(self, plan, pupil, values):
        current_status = self.held.statuses.get(pupil["pk"])
        provision = (plan.provision or (current_status["provision"] if current_status else Provision.NO_SEN,))[0]
        self._check_needs_allowed(plan, values, provision)
        open_needs = self.held.needs.get(pupil["pk"], {})
        ending = {}
        for rank in (1, 2):
            need_type = values.get(f"need_{rank}")
            if not need_type:
                continue
            now = open_needs.get(rank)
            if now and now["code"] == need_type.code:
                continue
            for other in open_needs.values():
                if other is now or other["code"] == need_type.code:
                    ending[other["pk"]] = other
            plan.need_adds.append((rank, need_type))
            plan.changes.append(
                _("%(which)s need: %(old)s to %(new)s")
                % {"which": _rank_name(rank), "old": now["code"] if now else _("(none)"), "new": need_type.code}
            )
        for need in ending.values():
            if need["starts_on"] and need["starts_on"] > self.today:
                self._error(
                    plan.row, "need_1", _("A need to be replaced starts after today. Change it on the pupil's page.")
                )
            plan.need_ends.append((need["pk"], need["lock_version"]))


def _rank_name(rank):
    return _("Primary") if rank == 1 else _("Secondary")
