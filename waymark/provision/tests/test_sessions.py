"""Logging and correcting sessions (``provision/sessions.py``): who may, which days, attendance, bad input.

Dates are pinned to the school year 2030 to 2031 (terms and a half-term holiday made here),
and each actor is built with its own ``today``, so these pass on any day of the year.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent
from waymark.provision import sessions
from waymark.provision.models import Attendance, SessionLog
from waymark.provision.tests import factories as pf
from waymark.tests import factories as f

D = datetime.date
AUTUMN_1 = (D(2030, 9, 2), D(2030, 10, 18))
AUTUMN_2 = (D(2030, 10, 28), D(2030, 12, 20))
TODAY = D(2030, 11, 6)  # a Wednesday in the second half of the autumn term
MONDAY, WEDNESDAY, FRIDAY = 0, 2, 4


def school_year_2030(school):
    """The school year 2030 to 2031 with two autumn half-terms and half-term (21 to 25 October) between."""
    with scopes_disabled():
        year = f.AcademicYearFactory(
            school=school, starts_on=D(2030, 9, 1), ends_on=D(2031, 8, 31), name="2030 to 2031"
        )
        f.TermFactory(academic_year=year, name="Autumn 1", starts_on=AUTUMN_1[0], ends_on=AUTUMN_1[1])
        f.TermFactory(academic_year=year, name="Autumn 2", starts_on=AUTUMN_2[0], ends_on=AUTUMN_2[1])
    return year


def make_group(cast, *, leader=None, name="Reading boost (2030)", weekdays=(MONDAY, WEDNESDAY, FRIDAY), **dates):
    """A group in 2030 run by ``leader`` (the TA) meeting on ``weekdays``; no members yet."""
    with scopes_disabled():
        group = pf.InterventionGroupFactory(
            school=cast.school,
            intervention=cast.intervention,
            name=name,
            starts_on=dates.get("starts_on", D(2030, 10, 7)),
            ends_on=dates.get("ends_on", D(2030, 12, 13)),
        )
        pf.GroupLeaderFactory(group=group, user=leader or cast.ta, staff_role=cast.staff_role)
        for weekday in weekdays:
            pf.GroupSlotFactory(group=group, weekday=weekday)
    return group


def add_member(group, pupil, joined_on, left_on=None, commitment=None):
    with scopes_disabled():
        return pf.GroupMemberFactory(
            group=group, pupil=pupil, joined_on=joined_on, left_on=left_on, commitment=commitment
        )


def actor_on(user, day=TODAY):
    return Actor.for_user(user, today=day)


def log(cast, group, day, *, user=None, today=TODAY, **changes):
    arguments = {"status": SessionLog.Status.DELIVERED, "cancel_reason": "", "note": "", "attended_pupil_ids": ()}
    arguments.update(changes)
    with scope(school=[cast.school.pk]):
        return sessions.session_log(actor=actor_on(user or cast.ta, today), group=group, date=day, **arguments)


def state():
    """What a refused write must leave as it was."""
    with scopes_disabled():
        return (
            list(
                SessionLog.objects.order_by("pk").values_list("pk", "status", "cancel_reason", "note", "lock_version")
            ),
            list(Attendance.objects.order_by("pk").values_list("pk", "session_id", "pupil_id", "attended")),
            AuditEvent.objects.count(),
        )


@pytest.fixture
def setup(cast):
    """``group``: Monday, Wednesday and Friday from 7 October to 13 December 2030, run by the TA, with
    ``cast.pupil`` throughout and Ada, who left on 31 October."""
    school_year_2030(cast.school)
    cast.reading = make_group(cast)
    with scopes_disabled():
        cast.ada = f.PupilFactory(school=cast.school, legal_forename="Ada", legal_surname="Lovelace", year_group=8)
    add_member(cast.reading, cast.pupil, D(2030, 10, 7))
    add_member(cast.reading, cast.ada, D(2030, 10, 7), left_on=D(2030, 10, 31))
    return cast


# ----- logging -----


def test_a_delivered_session_records_everyone_in_the_group_that_day(setup):
    c = setup
    session = log(c, c.reading, D(2030, 10, 9), attended_pupil_ids=[str(c.pupil.public_id)], note="Blending went well")
    with scopes_disabled():
        rows = {row.pupil_id: row.attended for row in Attendance.objects.filter(session=session)}
        event = AuditEvent.objects.get(action="provision.session.logged")
    assert session.status == SessionLog.Status.DELIVERED
    assert session.logged_by == c.ta
    assert rows == {c.pupil.pk: True, c.ada.pk: False}
    assert event.target_id == str(session.public_id)
    assert event.data["group"] == str(c.reading.public_id)
    assert event.data["attended"] == 1 and event.data["members"] == 2
    # Ids and codes only: never what the note says.
    assert "Blending" not in str(event.data)


def test_a_pupil_who_has_left_gets_no_attendance_row(setup):
    c = setup
    session = log(c, c.reading, D(2030, 11, 4), attended_pupil_ids=[c.pupil.public_id])
    with scopes_disabled():
        assert list(Attendance.objects.filter(session=session).values_list("pupil_id", "attended")) == [
            (c.pupil.pk, True)
        ]


def test_a_cancelled_session_has_a_reason_and_no_attendance(setup):
    c = setup
    session = log(
        c,
        c.reading,
        D(2030, 10, 18),
        status=SessionLog.Status.CANCELLED,
        cancel_reason=SessionLog.CancelReason.STAFF_ABSENT,
        # Ticks left over from the form are ignored for a cancelled session, strangers included.
        attended_pupil_ids=[c.pupil.public_id, c.other_pupil.public_id],
    )
    assert session.cancel_reason == SessionLog.CancelReason.STAFF_ABSENT
    with scopes_disabled():
        assert not Attendance.objects.filter(session=session).exists()


def test_the_senco_may_log_a_group_they_do_not_run(setup):
    c = setup
    session = log(c, c.reading, D(2030, 10, 9), user=c.senco, attended_pupil_ids=[c.pupil.public_id])
    assert session.logged_by == c.senco


@pytest.mark.parametrize("who", ["teacher2", "head", "dsl", "teacher", "other_senco"])
def test_only_the_groups_leaders_and_managers_may_log(setup, who):
    c = setup
    before = state()
    with pytest.raises(PermissionDenied):
        log(c, c.reading, D(2030, 10, 9), user=getattr(c, who), attended_pupil_ids=[c.pupil.public_id])
    assert state() == before


# ----- bad input: a clear message each, nothing changed -----


def problems(error):
    return " ".join(error.value.messages)


def test_a_second_log_for_the_same_day_is_refused(setup):
    c = setup
    log(c, c.reading, D(2030, 10, 9), attended_pupil_ids=[c.pupil.public_id])
    before = state()
    with pytest.raises(ValidationError) as error:
        log(c, c.reading, D(2030, 10, 9), status="cancelled", cancel_reason="room")
    assert problems(error) == "A session on 9 October 2030 is already logged. Change that one instead."
    assert state() == before


def test_two_logs_at_once_are_caught_by_the_database_with_the_same_message(setup, monkeypatch):
    c = setup
    log(c, c.reading, D(2030, 10, 9), attended_pupil_ids=[c.pupil.public_id])
    before = state()
    # The second request checked before the first had saved: only the unique index can stop it.
    monkeypatch.setattr(sessions, "_already_logged", lambda group, day: False)
    with pytest.raises(ValidationError) as error:
        log(c, c.reading, D(2030, 10, 9), attended_pupil_ids=[c.pupil.public_id])
    assert problems(error) == "A session on 9 October 2030 is already logged. Change that one instead."
    assert state() == before


def test_attendance_for_a_pupil_who_had_left_names_them(setup):
    c = setup
    before = state()
    with pytest.raises(ValidationError) as error:
        log(c, c.reading, D(2030, 11, 4), attended_pupil_ids=[c.pupil.public_id, c.ada.public_id])
    assert problems(error) == "Ada Lovelace was not in this group on 4 November 2030."
    assert state() == before


def test_attendance_for_a_pupil_never_in_the_group_does_not_name_them(setup):
    c = setup
    before = state()
    for stranger in (c.other_pupil.public_id, "not-a-uuid"):
        with pytest.raises(ValidationError) as error:
            log(c, c.reading, D(2030, 10, 9), attended_pupil_ids=[c.pupil.public_id, stranger])
        assert problems(error) == "A pupil you chose was not in this group on 9 October 2030."
    assert state() == before


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (D(2030, 11, 8), "You cannot log a session in the future. Choose today or an earlier day."),
        (D(2030, 10, 4), "Reading boost (2030) runs from 7 October 2030 to 13 December 2030. Choose a day in between."),
    ],
)
def test_a_day_in_the_future_or_outside_the_groups_dates_is_refused(setup, day, message):
    c = setup
    before = state()
    with pytest.raises(ValidationError) as error:
        log(c, c.reading, day, attended_pupil_ids=[c.pupil.public_id])
    assert problems(error) == message
    assert state() == before


def test_a_day_after_the_group_ended_is_refused(setup):
    c = setup
    with scopes_disabled():
        ended = datetime.datetime(2030, 10, 31, 15, 0, tzinfo=datetime.UTC)
        type(c.reading).objects.filter(pk=c.reading.pk).update(ended_at=ended)
        c.reading.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        log(c, c.reading, D(2030, 11, 4), attended_pupil_ids=[c.pupil.public_id])
    assert "runs from 7 October 2030 to 31 October 2030" in problems(error)


def test_a_cancelled_session_needs_a_reason(setup):
    c = setup
    before = state()
    with pytest.raises(ValidationError) as error:
        log(c, c.reading, D(2030, 10, 9), status="cancelled", cancel_reason="")
    assert error.value.message_dict == {"cancel_reason": ["Select why the session was cancelled."]}
    assert state() == before


def test_a_delivered_session_that_nobody_came_to_is_refused(setup):
    c = setup
    before = state()
    with pytest.raises(ValidationError) as error:
        log(c, c.reading, D(2030, 10, 9), attended_pupil_ids=[])
    assert "If nobody came, log the session as cancelled" in problems(error)
    assert state() == before


def test_an_unknown_status_is_refused(setup):
    c = setup
    with pytest.raises(ValidationError):
        log(c, c.reading, D(2030, 10, 9), status="postponed")


def test_a_note_is_at_most_500_characters(setup):
    c = setup
    before = state()
    with pytest.raises(ValidationError) as error:
        log(c, c.reading, D(2030, 10, 9), attended_pupil_ids=[c.pupil.public_id], note="x" * 501)
    assert "note" in error.value.message_dict
    assert state() == before


# ----- correcting -----


def correct(cast, session, *, user=None, expected_version=None, **changes):
    arguments = {"status": session.status, "cancel_reason": session.cancel_reason, "note": session.note}
    arguments["attended_pupil_ids"] = changes.pop("attended_pupil_ids", ())
    arguments.update(changes)
    with scope(school=[cast.school.pk]):
        return sessions.session_correct(
            actor=actor_on(user or cast.ta),
            session=session,
            expected_version=session.lock_version if expected_version is None else expected_version,
            **arguments,
        )


def test_correcting_rewrites_attendance_and_records_what_changed(setup):
    c = setup
    session = log(c, c.reading, D(2030, 10, 9), attended_pupil_ids=[c.pupil.public_id])
    corrected = correct(c, session, attended_pupil_ids=[c.pupil.public_id, c.ada.public_id], note="Both came")
    with scopes_disabled():
        rows = {row.pupil_id: row.attended for row in Attendance.objects.filter(session=session)}
        event = AuditEvent.objects.get(action="provision.session.corrected")
    assert rows == {c.pupil.pk: True, c.ada.pk: True}
    assert corrected.lock_version == 1
    assert sorted(event.data["changed"]) == ["attended", "note"]
    assert "Both came" not in str(event.data)


def test_correcting_to_cancelled_removes_attendance(setup):
    c = setup
    session = log(c, c.reading, D(2030, 10, 9), attended_pupil_ids=[c.pupil.public_id])
    correct(c, session, status="cancelled", cancel_reason="pupils_away")
    with scopes_disabled():
        session.refresh_from_db()
        assert not Attendance.objects.filter(session=session).exists()
    assert session.cancel_reason == "pupils_away"


def test_a_stale_correction_is_refused(setup):
    c = setup
    session = log(c, c.reading, D(2030, 10, 9), attended_pupil_ids=[c.pupil.public_id])
    correct(c, session, note="First change", attended_pupil_ids=[c.pupil.public_id])
    before = state()
    with pytest.raises(ValidationError) as error:
        correct(c, session, expected_version=0, note="Second change", attended_pupil_ids=[c.pupil.public_id])
    assert error.value.code == "stale"
    assert state() == before


def test_a_correction_checks_attendance_like_a_log(setup):
    c = setup
    session = log(c, c.reading, D(2030, 11, 4), attended_pupil_ids=[c.pupil.public_id])
    before = state()
    with pytest.raises(ValidationError) as error:
        correct(c, session, attended_pupil_ids=[c.ada.public_id])
    assert problems(error) == "Ada Lovelace was not in this group on 4 November 2030."
    with pytest.raises(PermissionDenied):
        correct(c, session, user=c.teacher2, attended_pupil_ids=[c.pupil.public_id])
    assert state() == before
