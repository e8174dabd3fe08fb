"""SEN history and needs from a CTF, checked and turned into periods and ranked needs.

The rules for SEN history (DOMAIN.md: one provision open at a time; legacy S, A and P
only in old files):

- The ``SEN`` entries are put in date order. An entry with no end date ends the day before
  the next one starts; two entries starting on the same day, or an end date on or after the
  next start, are problems (which one is right cannot be guessed).
- An end date after the file was written is a plan, not history: it is ignored, with a
  warning, and the entry is treated as still open.
- The newest entry, if it is open and is N, K or E, is the pupil's current status.
- A legacy code (S, A, P) is never the current status: if the newest entry is legacy and
  open, it is closed on the day before the file was written and the pupil's current status
  is N from that day, with a warning to check it (a statement became an EHC plan, School
  Action became SEN support, but which is true now the file does not say).
- If every entry is closed, the pupil's current status is N from the day after the last one.
- No SEN history at all: N.
- Tiers are not in a CTF: N is universal, K targeted, E specialist; for the history, S is
  specialist, P targeted plus and A targeted.

Needs: ``SENtypeRank`` 1 is the primary need and 2 the secondary; the type must be a census
code Waymark knows. Needs without an end date are open, and at most one open need may hold
each rank and each type.
"""

import datetime
import itertools

from django.utils.translation import gettext as _

from waymark.pupils.models import LEGACY_PROVISIONS, Provision

from .dates import DateProblem, parse_date, show_date

TIER_FOR_CODE = {
    "N": "universal",
    "K": "targeted",
    "E": "specialist",
    "S": "specialist",
    "P": "targeted_plus",
    "A": "targeted",
}


def check_sen_history(entries, file_date, fail, warn):
    """(closed history periods, current status) from the SEN entries; see the module's docstring."""
    periods = []
    for entry in entries:
        where = f"SEN {entry['number']}"
        code = _known_code(
            entry["provision"],
            TIER_FOR_CODE,
            f"{where} SENprovision",
            fail,
            unknown=_('"%(code)s" is not an SEN provision code (N, K, E, or the legacy S, A and P).'),
            missing=_("The SEN provision code is missing."),
        )
        if code is None:
            continue
        starts_on = _entry_date(entry["start"], f"{where} StartDate", _("start date"), fail, required=True)
        ends_on = _entry_date(entry["end"], f"{where} EndDate", _("end date"), fail)
        if starts_on is None or (entry["end"] and ends_on is None):
            continue
        if starts_on > file_date:
            fail(
                f"{where} StartDate",
                _("%(code)s starts on %(date)s, after the file was written.")
                % {"code": code, "date": show_date(starts_on)},
            )
            continue
        if ends_on and ends_on < starts_on:
            fail(f"{where} EndDate", _("%(code)s ends before it starts.") % {"code": code})
            continue
        ends_on = _end_unless_after_file(code, ends_on, f"{where} EndDate", file_date, warn)
        periods.append({"provision": code, "tier": TIER_FOR_CODE[code], "starts_on": starts_on, "ends_on": ends_on})
    periods.sort(key=lambda period: period["starts_on"])
    for earlier, later in itertools.pairwise(periods):
        if earlier["starts_on"] == later["starts_on"]:
            fail("SEN", _("Two SEN entries start on %(date)s.") % {"date": show_date(later["starts_on"])})
        elif earlier["ends_on"] is None:
            earlier["ends_on"] = later["starts_on"] - datetime.timedelta(days=1)
        elif earlier["ends_on"] >= later["starts_on"]:
            fail(
                "SEN",
                _(
                    "The SEN entries overlap: %(code)s from %(start)s ends on %(end)s, but %(next)s starts on "
                    "%(next_start)s."
                )
                % {
                    "code": earlier["provision"],
                    "start": show_date(earlier["starts_on"]),
                    "end": show_date(earlier["ends_on"]),
                    "next": later["provision"],
                    "next_start": show_date(later["starts_on"]),
                },
            )
    if not periods:
        return [], {"provision": Provision.NO_SEN.value, "tier": "universal", "starts_on": None, "from_file": False}
    last = periods[-1]
    if last["ends_on"] is None and last["provision"] not in LEGACY_PROVISIONS:
        current = {
            "provision": last["provision"],
            "tier": last["tier"],
            "starts_on": last["starts_on"],
            "from_file": True,
        }
        return periods[:-1], current
    if last["ends_on"] is None:
        last["ends_on"] = max(last["starts_on"], file_date - datetime.timedelta(days=1))
        warn(
            "SEN",
            _(
                "The newest SEN entry is the legacy code %(code)s, which cannot be a current status: it is kept as "
                "history ending on %(end)s, and the current status is N from the next day. Check the pupil's "
                "provision after importing."
            )
            % {"code": last["provision"], "end": show_date(last["ends_on"])},
        )
    starts_on = last["ends_on"] + datetime.timedelta(days=1)
    # Not in the file: what follows from it, so it never counts against a school's own record.
    return periods, {
        "provision": Provision.NO_SEN.value,
        "tier": "universal",
        "starts_on": starts_on,
        "from_file": False,
    }


def _known_code(text, known, column, fail, *, unknown, missing, **details):
    """``text`` upper-cased when it is one of ``known``; otherwise ``None``, having said why (``unknown``
    is given the code as written as ``%(code)s``, and ``details``)."""
    code = text.upper()
    if code in known:
        return code
    fail(column, unknown % {"code": text, **details} if code else missing)
    return None


def _end_unless_after_file(code, ends_on, column, file_date, warn):
    """An end date after the file was written is a plan, not history: ``None`` (still open), with a warning."""
    if ends_on and ends_on > file_date:
        warn(
            column,
            _("%(code)s ends on %(date)s, after the file was written: it was treated as still open.")
            % {"code": code, "date": show_date(ends_on)},
        )
        return None
    return ends_on


def _entry_date(text, column, noun, fail, *, required=False):
    if not text:
        if required:
            fail(column, _("The %(noun)s is missing.") % {"noun": noun})
        return None
    try:
        return parse_date(text)
    except DateProblem as error:
        fail(column, str(error))
        return None


def check_needs(entries, file_date, need_codes, fail, warn):
    needs = []
    for entry in entries:
        where = f"SENneed {entry['number']}"
        code = _known_code(
            entry["type"],
            need_codes,
            f"{where} SENtype",
            fail,
            unknown=_('"%(code)s" is not a census need type (%(codes)s).'),
            missing=_("The need type is missing."),
            codes=", ".join(sorted(need_codes)),
        )
        if code is None:
            continue
        if entry["rank"] not in ("1", "2"):
            fail(
                f"{where} SENtypeRank",
                _('The rank of %(code)s must be 1 (primary need) or 2 (secondary need), not "%(rank)s".')
                % {"code": code, "rank": entry["rank"]},
            )
            continue
        starts_on = _entry_date(entry["start"], f"{where} StartDate", _("start date"), fail)
        ends_on = _entry_date(entry["end"], f"{where} EndDate", _("end date"), fail)
        if (entry["start"] and starts_on is None) or (entry["end"] and ends_on is None):
            continue
        if starts_on and ends_on and ends_on < starts_on:
            fail(f"{where} EndDate", _("%(code)s ends before it starts.") % {"code": code})
            continue
        ends_on = _end_unless_after_file(code, ends_on, f"{where} EndDate", file_date, warn)
        needs.append({"code": code, "rank": int(entry["rank"]), "starts_on": starts_on, "ends_on": ends_on})
    open_needs = [need for need in needs if need["ends_on"] is None]
    for rank in (1, 2):
        if sum(1 for need in open_needs if need["rank"] == rank) > 1:
            fail("SENneed", _("More than one open need is ranked %(rank)d.") % {"rank": rank})
    codes = [need["code"] for need in open_needs]
    for code in sorted({code for code in codes if codes.count(code) > 1}):
        fail("SENneed", _("%(code)s is given twice as an open need.") % {"code": code})
    return needs
