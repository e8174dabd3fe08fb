"""Logging a group's sessions: delivered (with who came) or cancelled (with why), and correcting a log.

Only the staff who run the group and those who manage provision log its sessions
(``permissions.group_restrict``). A session is logged once per group and day; attendance
is recorded for every pupil who was a member on that day, and for nobody else.
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from waymark.core.audit import audit_record
from waymark.core.services import require, save_versioned

from .dates import day_text
from .delivery import last_day
from .models import Attendance, GroupMember, SessionLog, member_on
from .permissions import runs_or_manages

NOTE_MAX_LENGTH = 500


def date_problem(group, day, today):
    """Why ``group``'s session on ``day`` cannot be logged as of ``today``, in plain words; ``None`` if it can."""
    if day > today:
        return _("You cannot log a session in the future. Choose today or an earlier day.")
    if day < group.starts_on or day > last_day(group):
        return _("%(group)s runs from %(start)s to %(end)s. Choose a day in between.") % {
            "group": group.name,
            "start": day_text(group.starts_on),
            "end": day_text(last_day(group)),
        }
    return None


def already_logged_message(day):
    return _("A session on %(date)s is already logged. Change that one instead.") % {"date": day_text(day)}


def _already_logged(group, day):
    return SessionLog.objects.filter(group=group, date=day).exists()


def members_on(group, day):
    """``{pupil public id (str): pupil}`` for the pupils in ``group`` on ``day`` (one query)."""
    places = GroupMember.objects.filter(group=group).filter(member_on(day)).select_related("pupil")
    return {str(place.pupil.public_id): place.pupil for place in places}


def attended_ids_of(session):
    """Public ids (as strings) of the pupils recorded as having come to ``session`` (one query)."""
    return [
        str(row.pupil.public_id)
        for row in Attendance.objects.filter(session=session, attended=True).select_related("pupil")
    ]


def _normalise(pupil_ids):
    """Public ids as canonical strings; anything that is not a UUID is kept as it is, to be refused."""
    found = []
    for value in pupil_ids or ():
        try:
            found.append(str(uuid.UUID(str(value))))
        except ValueError:
            found.append(str(value))
    return set(found)


def _check_attended(group, day, members, attended_ids):
    """Refuse a pupil who was not a member on ``day``, by name when they were ever in the group."""
    strangers = sorted(attended_ids - set(members))
    if not strangers:
        return
    valid = [value for value in strangers if _is_uuid(value)]
    # Name only pupils who were in this group at some time: its leaders see its register anyway.
    names = {
        str(place.pupil.public_id): place.pupil.full_name
        for place in GroupMember.objects.filter(group=group, pupil__public_id__in=valid).select_related("pupil")
    }
    problems = []
    for value in strangers:
        if value in names:
            problems.append(
                _("%(name)s was not in this group on %(date)s.") % {"name": names[value], "date": day_text(day)}
            )
        else:
            problems.append(_("A pupil you chose was not in this group on %(date)s.") % {"date": day_text(day)})
    raise ValidationError({"attended": sorted(set(problems))})


def _is_uuid(value):
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _check_outcome(status, cancel_reason, members, attended_ids):
    if status not in SessionLog.Status.values:
        raise ValidationError({"status": _("Select whether the session was delivered or cancelled.")})
    if status == SessionLog.Status.CANCELLED and cancel_reason not in SessionLog.CancelReason.values:
        raise ValidationError({"cancel_reason": _("Select why the session was cancelled.")})
    if status == SessionLog.Status.DELIVERED and members and not attended_ids:
        raise ValidationError(
            {"attended": _("Select who came. If nobody came, log the session as cancelled because pupils were away.")}
        )


def _write_attendance(session, members, attended_ids, *, replacing=False):
    """One row for each member on the day when delivered; none when cancelled.

    ``replacing`` (a correction) clears the rows written before; a new log has none, and
    skipping the delete keeps logging a term of sessions (the demo, an import) linear.
    """
    if replacing:
        Attendance.objects.filter(session=session).delete()
    if session.status != SessionLog.Status.DELIVERED:
        return
    # Built from the group's own members on the day, so there is nothing left for full_clean to refuse;
    # the unique index still guards one row per pupil.
    Attendance.objects.bulk_create(
        [
            Attendance(session=session, pupil=pupil, attended=public_id in attended_ids)
            for public_id, pupil in members.items()
        ]
    )


def _audit_data(session, members, attended_ids):
    return {
        "group": str(session.group.public_id),
        "date": session.date.isoformat(),
        "status": session.status,
        "cancel_reason": session.cancel_reason,
        "attended": len(attended_ids) if session.status == SessionLog.Status.DELIVERED else 0,
        "members": len(members),
    }


@transaction.atomic
def session_log(*, actor, group, date, status, cancel_reason="", note="", attended_pupil_ids=()):
    """Log ``group``'s session on ``date``: delivered, with who came, or cancelled, with why.

    Guarantees: the actor runs the group or manages provision; ``date`` is within the
    group's dates and not after the actor's today; one log per group and day (a second one,
    even from a simultaneous request, is refused with a message and nothing changes); a
    delivered session has an Attendance row for every pupil who was a member on ``date``
    (``attended_pupil_ids`` are pupils' public ids; anyone else is refused by name) and a
    cancelled one has none. The audit event holds ids and codes, never the note.
    """
    require(runs_or_manages(actor, group))
    problem = date_problem(group, date, actor.today)
    if problem:
        raise ValidationError({"date": problem})
    if _already_logged(group, date):
        raise ValidationError(already_logged_message(date), code="already_logged")
    members = members_on(group, date)
    attended_ids = _normalise(attended_pupil_ids) if status == SessionLog.Status.DELIVERED else set()
    _check_outcome(status, cancel_reason, members, attended_ids)
    _check_attended(group, date, members, attended_ids)
    session = SessionLog(
        group=group,
        date=date,
        status=status,
        cancel_reason=cancel_reason if status == SessionLog.Status.CANCELLED else "",
        note=(note or "").strip(),
        logged_by=actor.user,
    )
    # The one-log-a-day rule is checked above in plain words; the unique index is the guard against a race.
    session.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError:
        raise ValidationError(already_logged_message(date), code="already_logged") from None
    _write_attendance(session, members, attended_ids)
    audit_record(
        actor=actor,
        action="provision.session.logged",
        target=session,
        school=group.school,
        data=_audit_data(session, members, attended_ids),
    )
    return session


@transaction.atomic
def session_correct(*, actor, session, expected_version, status, cancel_reason="", note="", attended_pupil_ids=()):
    """Correct a logged session: what happened, why it was cancelled, who came, the note.

    Guarantees the same as ``session_log`` (the date does not change), and refuses a save
    made on a version of the log someone else has changed since (``expected_version``).
    Attendance is written afresh for the members on the session's day.
    """
    group = session.group
    require(runs_or_manages(actor, group))
    members = members_on(group, session.date)
    attended_ids = _normalise(attended_pupil_ids) if status == SessionLog.Status.DELIVERED else set()
    _check_outcome(status, cancel_reason, members, attended_ids)
    _check_attended(group, session.date, members, attended_ids)
    before = {
        "status": session.status,
        "cancel_reason": session.cancel_reason,
        "note": session.note,
        "attended": sorted(attended_ids_of(session)),
    }
    session.status = status
    session.cancel_reason = cancel_reason if status == SessionLog.Status.CANCELLED else ""
    session.note = (note or "").strip()
    save_versioned(session, expected_version=expected_version)
    _write_attendance(session, members, attended_ids, replacing=True)
    after = {
        "status": session.status,
        "cancel_reason": session.cancel_reason,
        "note": session.note,
        "attended": sorted(attended_ids),
    }
    audit_record(
        actor=actor,
        action="provision.session.corrected",
        target=session,
        school=group.school,
        data={
            **_audit_data(session, members, attended_ids),
            "changed": [name for name in before if before[name] != after[name]],
        },
    )
    return session
