"""Archiving a leaver, legal holds and the school's retention setting: the services behind the pages.

An archived record is read-only because the rule table says so (``core.access.
ARCHIVED_RECORD_ACTIONS``): once ``archived_at`` is set, every edit service and page stops
reaching the pupil, while reading, exporting and administering the record still work.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from waymark.core.access import Action
from waymark.core.audit import audit_record
from waymark.core.services import STALE_MESSAGE, require_pupil, save_versioned
from waymark.provision.dates import day_text
from waymark.pupils.models import Pupil
from waymark.schools.models import School

from ..models import LegalHold
from ..permissions import require_importer, require_records_administrator


def _require_archiver(actor, pupil):
    # ``require_importer`` already means they edit every pupil; this checks the pupil is theirs to
    # reach. With VIEW, because an archived record is reachable only to view, export and
    # administer (``ARCHIVED_RECORD_ACTIONS``), and a deputy SENCO does not administer.
    require_importer(actor, pupil.school)
    require_pupil(actor, pupil, Action.VIEW)


def _require_hold_keeper(actor, pupil):
    require_records_administrator(actor, pupil.school)
    require_pupil(actor, pupil, Action.ADMINISTER)


def _locked(pupil):
    # The pupil's row is the lock for archiving and for holds, so two people cannot race.
    return Pupil.objects.select_for_update().filter(pk=pupil.pk).order_by("pk").get()


def _check_version(pupil, expected_version):
    if expected_version is not None and pupil.lock_version != int(expected_version):
        raise ValidationError(STALE_MESSAGE, code="stale")


def archive_problem(pupil, today):
    """Why ``pupil`` cannot be archived today, in plain English; ``None`` when they can."""
    if pupil.is_archived:
        return _("This record is already archived.")
    if pupil.date_left is None:
        return _("Only a leaver's record can be archived. Record the date they left the school first.")
    if pupil.date_left > today:
        return _("They leave on %(date)s. Their record can be archived from that day.") % {
            "date": day_text(pupil.date_left)
        }
    return None


@transaction.atomic
def pupil_archive(*, actor, pupil, expected_version=None):
    """Archive a leaver's record: read-only and out of the register until retention deletes it.

    Who: those who may import into the pupil's school (SENCO, deputy SENCO).
    Guarantees: only a leaver (a leaving date today or earlier) who is not archived yet;
    refuses a stale save when ``expected_version`` is given; sets ``archived_at`` and
    ``archived_by`` and nothing else; audited as ``exchange.pupil.archived``.
    """
    _require_archiver(actor, pupil)
    fresh = _locked(pupil)
    _check_version(fresh, expected_version)
    problem = archive_problem(fresh, actor.today)
    if problem:
        raise ValidationError(problem)
    fresh.archived_at = timezone.now()
    fresh.archived_by = actor.user
    save_versioned(fresh)
    audit_record(actor=actor, action="exchange.pupil.archived", target=fresh, pupil=fresh)
    return fresh


@transaction.atomic
def pupil_restore(*, actor, pupil, expected_version=None):
    """Bring an archived record back: it can be changed again, and shows in the register if they are on roll.

    Who: as for archiving. Guarantees: only an archived record; clears ``archived_at`` and
    ``archived_by``; audited as ``exchange.pupil.restored``.
    """
    _require_archiver(actor, pupil)
    fresh = _locked(pupil)
    _check_version(fresh, expected_version)
    if not fresh.is_archived:
        raise ValidationError(_("This record is not archived."))
    fresh.archived_at = None
    fresh.archived_by = None
    save_versioned(fresh)
    audit_record(actor=actor, action="exchange.pupil.restored", target=fresh, pupil=fresh)
    return fresh


def open_holds():
    """Legal holds not lifted yet: at most one a pupil."""
    return LegalHold.objects.filter(lifted_at__isnull=True)


def open_hold(pupil):
    """``pupil``'s open legal hold, with who placed it, or ``None``."""
    return open_holds().filter(pupil=pupil).select_related("placed_by").first()


@transaction.atomic
def legal_hold_place(*, actor, pupil, reason):
    """Stop retention deleting ``pupil``'s record until the hold is lifted.

    Who: those who administer the school's records (SENCO, head). Guarantees: one open hold
    per pupil (a second is refused in plain English); a reason is given; audited as
    ``exchange.hold.placed`` (the reason stays in the hold, not in the audit trail).
    """
    _require_hold_keeper(actor, pupil)
    fresh = _locked(pupil)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the legal hold.")})
    if open_hold(fresh) is not None:
        raise ValidationError(_("This record already has a legal hold. Lift it before placing another."))
    hold = LegalHold(pupil=fresh, reason=reason, placed_by=actor.user)
    hold.full_clean()
    hold.save()
    audit_record(actor=actor, action="exchange.hold.placed", target=hold, pupil=fresh)
    return hold


@transaction.atomic
def legal_hold_lift(*, actor, pupil):
    """Lift the open legal hold on ``pupil``'s record, so retention may delete it when its time comes.

    Who: as for placing. Guarantees: refuses when there is no open hold; the hold is kept
    (lifted, with who and when), never deleted; audited as ``exchange.hold.lifted``.
    """
    _require_hold_keeper(actor, pupil)
    fresh = _locked(pupil)
    hold = open_hold(fresh)
    if hold is None:
        raise ValidationError(_("There is no legal hold on this record."))
    hold.lifted_at = timezone.now()
    hold.lifted_by = actor.user
    hold.full_clean()
    hold.save()
    audit_record(actor=actor, action="exchange.hold.lifted", target=hold, pupil=fresh)
    return hold


@transaction.atomic
def retention_settings_update(*, actor, school, years_after_birth, expected_version):
    """Set how long the school keeps a pupil's record: until their date of birth plus ``years_after_birth``.

    Who: those who administer the school's records (SENCO, head). Guarantees: between 18 and
    100 years (the model's validators); refuses a stale save; audited as
    ``exchange.retention.updated`` with the old and new number of years.
    """
    require_records_administrator(actor, school)
    fresh = School.objects.get(pk=school.pk)
    before = fresh.retention_years_after_birth
    fresh.retention_years_after_birth = years_after_birth
    save_versioned(fresh, expected_version=expected_version)
    audit_record(
        actor=actor,
        action="exchange.retention.updated",
        target=fresh,
        school=fresh,
        data={"from": before, "to": fresh.retention_years_after_birth},
    )
    return fresh
