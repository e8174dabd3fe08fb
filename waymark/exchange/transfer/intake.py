"""What receiving a checked package would do, worked out before anything changes.

``plan_intake`` matches the pupil and decides, item by item, what will be created and
what will be left out (and why). The check step shows it as the preview; the confirm step
works it out again from the same file and does exactly that (``receive``).

Matching, in the receiving school only, archived records included:

1. on the UPN, when the package has one (its check letter must be right);
2. otherwise on legal first name, legal last name and date of birth, ignoring case, among
   pupils with no UPN (or any pupil, when the package has no UPN either). Such a match must
   be confirmed by the person importing;
3. no match: a new pupil is created from the package.

Nothing of the receiving school is ever changed: a matched pupil keeps their details, SEN
status, needs and plan. A new pupil gets the package's SEN history (closed periods as
history, the open one as their current status) and needs. Their year group is the one the
package gives, moved on by the school years since it was exported, as the CTF import does:
a Year 6 leaver whose record was sent in July arrives in September in Year 7.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from waymark.evidence import scanning, uploads
from waymark.evidence.uploads import NAME_EXTENSIONS, extension_of
from waymark.exchange.models import ReceivedTransfer
from waymark.provision.dates import day_text
from waymark.provision.dates import parse_iso_date as day
from waymark.provision.models import MeasureType, measure_types_for
from waymark.pupils.models import ON_REGISTER_PROVISIONS, NeedType, Provision, Pupil, SenStatus
from waymark.pupils.upn import UPNError, validate_upn
from waymark.schools.models import year_group_label
from waymark.schools.services import academic_year_current

from ..ctf.validation import academic_year_of

UPN, NAME_AND_DOB, NEW = "upn", "name_and_dob", "new"
LAST_YEAR_GROUP = 14
CURRENT_PROVISIONS = ON_REGISTER_PROVISIONS | {Provision.NO_SEN}
OWN_SCALE_NAME_LENGTH = 100


@dataclass
class Intake:
    """A checked package and what receiving it would do."""

    opened: object  # reader.OpenedPackage
    pupil: Pupil | None = None
    match: str = NEW
    blockers: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    current_status: dict | None = None
    year_group: int | None = None  # a new pupil's year group here (the package's, moved on)
    years_on: int = 0  # school years between the export and now
    history: list = field(default_factory=list)
    closed_needs: list = field(default_factory=list)
    open_needs: list = field(default_factory=list)
    measures: list = field(default_factory=list)  # (entry, MeasureType or a dict for a new scale)
    documents: list = field(default_factory=list)  # (entry, content, upload name)
    refused_files: list = field(default_factory=list)  # {"title", "reason"}

    @property
    def document(self):
        return self.opened.document


def plan_intake(actor, school, opened, *, check_files=True):
    """Work out what receiving ``opened`` into ``school`` would do. Writes nothing.

    ``check_files`` runs the upload checks and the virus scanner on each document now, for
    the preview; the confirm step leaves that to the document service, which refuses a
    file the same way (and the file is then left out, as here).
    """
    intake = Intake(opened=opened)
    _match(intake, school)
    if intake.match == NEW:
        _year_group(intake, school, actor.today)
    if intake.match == NEW and not intake.blockers:
        _statuses(intake, actor.today)
        _needs(intake)
    _measures(intake, school, actor.today)
    _documents(intake, actor.today, check_files=check_files)
    return intake


# ----- who it is -----


def _match(intake, school):
    pupil = intake.document["pupil"]
    upn = pupil["upn"]
    if upn:
        try:
            upn = validate_upn(upn)
        except UPNError:
            intake.blockers.append(
                _(
                    "The UPN in the package (%(upn)s) has the wrong check letter. "
                    "Ask the school that sent it to correct it."
                )
                % {"upn": upn}
            )
            return
        found = Pupil.objects.filter(school=school, upn=upn).first()
        if found is not None:
            _matched(intake, found, UPN)
            return
    candidates = Pupil.objects.filter(
        school=school,
        legal_forename__iexact=pupil["legal_forename"],
        legal_surname__iexact=pupil["legal_surname"],
        date_of_birth=day(pupil["date_of_birth"]),
    )
    if upn:
        candidates = candidates.filter(upn="")  # a pupil with another UPN is another child
    candidates = list(candidates.order_by("pk")[:2])
    if len(candidates) > 1:
        intake.blockers.append(
            _(
                "More than one pupil here has this name and date of birth, so the record cannot be matched. "
                "Give each of them their UPN first."
            )
        )
    elif candidates:
        _matched(intake, candidates[0], NAME_AND_DOB)


def _matched(intake, pupil, how):
    intake.pupil, intake.match = pupil, how
    if pupil.is_archived:
        intake.blockers.append(
            _("The record matches %(name)s, whose record is archived. Bring it back from the archive first.")
            % {"name": pupil.full_name}
        )
    earlier = ReceivedTransfer.objects.filter(pupil=pupil, package_sha256=intake.opened.sha256).first()
    if earlier is not None:
        intake.blockers.append(
            _("This package was already imported for %(name)s on %(date)s. Nothing has been changed.")
            % {"name": pupil.full_name, "date": day_text(earlier.received_at.date())}
        )


# ----- a new pupil's year group -----


def _years_since(exported_on, school, today):
    """School years between the export and now: 0 in the same school year, else at least 1.

    The school's current academic year decides where this year starts; without one set up,
    1 September does.
    """
    current = academic_year_current(school, today)
    starts_on = current.starts_on if current else datetime.date(academic_year_of(today), 9, 1)
    if exported_on >= starts_on:
        return 0
    return max(1, starts_on.year - academic_year_of(exported_on))


def _year_group(intake, school, today):
    pupil = intake.document["pupil"]
    exported_on = timezone.localdate(datetime.datetime.fromisoformat(intake.document["exported_at"]))
    intake.years_on = _years_since(exported_on, school, today)
    moved = pupil["year_group"] + intake.years_on
    if moved > LAST_YEAR_GROUP:
        intake.blockers.append(
            _(
                "The record was sent on %(date)s, when the pupil was in %(year)s: they would now be past "
                "Year %(last)d, so they cannot be added."
            )
            % {"date": day_text(exported_on), "year": year_group_label(pupil["year_group"]), "last": LAST_YEAR_GROUP}
        )
        return
    intake.year_group = moved


# ----- SEN history and needs, for a new pupil -----


def _status_problem(row):
    try:
        SenStatus(
            provision=row["provision"], tier=row["tier"], starts_on=day(row["starts_on"]), ends_on=day(row["ends_on"])
        ).clean()
    except ValidationError as error:
        return " ".join(error.messages)
    return None


def _status_words(row):
    return _("SEN status %(code)s from %(date)s") % {"code": row["provision"], "date": day_text(day(row["starts_on"]))}


def _statuses(intake, today):
    rows = sorted(intake.document["sen_statuses"], key=lambda row: row["starts_on"])
    open_rows = [row for row in rows if row["ends_on"] is None]
    current = open_rows[-1] if open_rows else None
    for row in open_rows[:-1]:
        intake.skipped.append(_("%(what)s: left out, as a later status is open too.") % {"what": _status_words(row)})
    if current is not None:
        problem = _status_problem(current)
        if problem or current["provision"] not in CURRENT_PROVISIONS or day(current["starts_on"]) > today:
            intake.skipped.append(
                _("%(what)s: left out (%(reason)s); the pupil starts with no SEN (N) instead.")
                % {"what": _status_words(current), "reason": problem or _("not a current status")}
            )
            current = None
    intake.current_status = current
    # History must end before the current status starts (or before today, when there is none).
    limit = day(current["starts_on"]) if current else today
    for row in rows:
        if row["ends_on"] is None:
            continue
        problem = _status_problem(row)
        if problem is None and day(row["ends_on"]) >= limit:
            problem = _("it overlaps the current status")
        elif problem is None and any(
            row["starts_on"] <= kept["ends_on"] and kept["starts_on"] <= row["ends_on"] for kept in intake.history
        ):
            problem = _("it overlaps an earlier status")
        if problem:
            intake.skipped.append(
                _("%(what)s: left out (%(reason)s).") % {"what": _status_words(row), "reason": problem}
            )
        else:
            intake.history.append(row)


def _needs(intake):
    rows = intake.document["needs"]
    known = {need_type.code: need_type for need_type in NeedType.objects.filter(code__in=[row["code"] for row in rows])}
    ranks, codes = set(), set()
    for row in sorted(rows, key=lambda row: (row.get("ends_on") is None, row["rank"])):
        need_type = known.get(row["code"])
        words = _("Need %(code)s") % {"code": row["code"]}
        if need_type is None:
            intake.skipped.append(_("%(what)s: left out, as this school does not use that code.") % {"what": words})
        elif row.get("ends_on") is not None:
            if row.get("starts_on") and row["starts_on"] > row["ends_on"]:
                intake.skipped.append(_("%(what)s: left out, as it ends before it starts.") % {"what": words})
            else:
                intake.closed_needs.append((row, need_type))
        elif row["rank"] in ranks or row["code"] in codes:
            intake.skipped.append(
                _("%(what)s: left out, as another current need has the same rank or code.") % {"what": words}
            )
        else:
            ranks.add(row["rank"])
            codes.add(row["code"])
            intake.open_needs.append((row, need_type))


# ----- measures -----


def own_scale_name(name, school_name):
    """ "Reading fluency (from Ashdown Academy)", within the 100 characters a scale's name may have."""
    suffix = _(" (from %(school)s)") % {"school": school_name[:60]}
    return name[: OWN_SCALE_NAME_LENGTH - len(suffix)].rstrip() + suffix


def _scale_key(kind):
    return (Decimal(kind["min_value"]), Decimal(kind["max_value"]), bool(kind["higher_is_better"]))


def _measures(intake, school, today):
    builtin = {kind.kind: kind for kind in MeasureType.objects.filter(school__isnull=True)}
    existing = {kind.name.lower(): kind for kind in measure_types_for(school)}
    planned = {}  # name -> the new scale to create, shared by every measure on it
    source = intake.document["source_school"]["name"]
    for entry in intake.document["measures"]:
        kind = entry["type"]
        if kind["builtin"] and kind["code"] != MeasureType.Kind.SCALE and kind["code"] in builtin:
            target = builtin[kind["code"]]
            low, high = target.min_value, target.max_value
        else:
            target, low, high = _own_scale(kind, source, existing, planned)
        value, taken_on = Decimal(entry["value"]), day(entry["taken_on"])
        words = _("%(scale)s of %(value)s on %(date)s") % {
            "scale": kind["name"],
            "value": entry["value"],
            "date": day_text(taken_on),
        }
        if not (low <= value <= high):
            intake.skipped.append(_("%(what)s: left out, as it is outside the scale here.") % {"what": words})
        elif taken_on > today:
            intake.skipped.append(_("%(what)s: left out, as it is dated in the future.") % {"what": words})
        else:
            intake.measures.append((entry, target))


def _own_scale(kind, source, existing, planned):
    """The receiving school's scale for one of the sending school's own: found by name and range, or to make."""
    key = _scale_key(kind)
    base = own_scale_name(kind["name"], source)
    name, number = base, 1
    while True:
        found = existing.get(name.lower())
        if found is not None and (found.min_value, found.max_value, found.higher_is_better) == key:
            return found, found.min_value, found.max_value
        new = planned.get(name.lower())
        if new is not None and (new["min_value"], new["max_value"], new["higher_is_better"]) == key:
            return new, key[0], key[1]
        if found is None and new is None:
            new = {"name": name, "min_value": key[0], "max_value": key[1], "higher_is_better": key[2]}
            planned[name.lower()] = new
            return new, key[0], key[1]
        number += 1
        name = f"{base[: OWN_SCALE_NAME_LENGTH - 4]} {number}"


# ----- documents -----


def upload_name(entry):
    """The name to check a file under: the original one if its extension fits the content, else the package's."""
    original = entry.get("original_name") or ""
    if NAME_EXTENSIONS.get(extension_of(original)) == entry["content_type"]:
        return original
    return entry["file"].rsplit("/", 1)[-1]


def _documents(intake, today, *, check_files):
    for entry in intake.document["documents"]:
        content = intake.opened.files[entry["file"]]
        name = upload_name(entry)
        reason = None
        if day(entry["written_on"]) > today:
            reason = _("It is dated in the future.")
        elif check_files:
            try:
                checked = uploads.check_upload(SimpleUploadedFile(name, content))
                scanning.scan_or_refuse(checked.received)
            except uploads.UploadRefused as refusal:
                reason = refusal.message
        if reason:
            intake.refused_files.append({"title": entry["title"], "reason": str(reason)})
        else:
            intake.documents.append((entry, content, name))


# ----- the preview -----


def preview(intake):
    """What the preview page shows, as plain JSON (kept on the import batch between check and confirm)."""
    document = intake.document
    pupil = document["pupil"]
    counts = {
        "plan_versions": len(document["plan_versions"]),
        "reviews": len(document["reviews"]),
        "provision_delivered": len(document["provision_delivered"]),
        "notes": len(document["notes"]),
        "previous_transfers": len(document["previous_transfers"]),
        "measures": len(intake.measures),
        "documents": len(intake.documents),
        "sen_statuses": len(intake.history) + (1 if intake.current_status else 0),
        "needs": len(intake.closed_needs) + len(intake.open_needs),
    }
    preferred = pupil.get("preferred_name") or pupil["legal_forename"]
    year_group = pupil.get("year_group_label", "")
    moved_on = ""
    if intake.years_on and intake.year_group is not None:
        year_group = str(year_group_label(intake.year_group))
        moved_on = ngettext(
            "%(then)s when the record was sent: moved on %(years)d school year to %(now)s.",
            "%(then)s when the record was sent: moved on %(years)d school years to %(now)s.",
            intake.years_on,
        ) % {"then": year_group_label(pupil["year_group"]), "years": intake.years_on, "now": year_group}
    return {
        "pupil": {
            "name": f"{preferred} {pupil['legal_surname']}",
            "legal_name": f"{pupil['legal_forename']} {pupil['legal_surname']}",
            "date_of_birth": pupil["date_of_birth"],
            "upn": pupil["upn"],
            "year_group": year_group,
            "year_group_moved_on": moved_on,
        },
        "from_school": {"name": document["source_school"]["name"], "urn": document["source_school"]["urn"]},
        "exported_at": document["exported_at"],
        "package_version": document["package_version"],
        "sha256": intake.opened.sha256,
        "match": {
            "kind": intake.match,
            "pupil_id": str(intake.pupil.public_id) if intake.pupil else None,
            "pupil_name": intake.pupil.full_name if intake.pupil else "",
        },
        "blockers": [str(message) for message in intake.blockers],
        "counts": counts,
        "skipped": [str(message) for message in intake.skipped],
        "refused_files": intake.refused_files,
    }
