"""The session and group pages against the whole cast, and logging through them.

A group's page, its log form and a log's correction page are for the staff who run the
group and those who manage provision (the SENCO); the "today" page is for any member of
staff. Everyone else, the head and the DSL included, gets a 404. Bad input shows the
GOV.UK error summary and changes nothing.
"""

import datetime
import uuid

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from waymark.core.models import AuditEvent
from waymark.provision.models import Attendance, SessionLog
from waymark.provision.tests import factories as pf
from waymark.tests import factories as f
from waymark.tests.helpers import cast_mismatches, date_fields, error_summary

from .test_sessions import state

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
STAFF = {
    "senco",
    "dsl",
    "head",
    "head_of_year",
    "teacher",
    "teacher2",
    "last_year_teacher",
    "ta",
    "governor",
    "trust_lead",
    "other_senco",
}


def last_weekday_before(day):
    day -= DAY
    while day.weekday() > 4:
        day -= DAY
    return day


PAST_DAY = last_weekday_before(TODAY)


def log_url(group, day=None, **extra):
    url = reverse("provision:session-log", args=[group.public_id])
    query = {"date": day.isoformat()} if day else {}
    query.update(extra)
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


@pytest.fixture
def logged(cast):
    """One delivered session of each cast group, the day before today (or the last weekday before it)."""
    with scopes_disabled():
        cast.log = pf.SessionLogFactory(group=cast.group, date=PAST_DAY, logged_by=cast.ta)
        pf.AttendanceFactory(session=cast.log, pupil=cast.pupil, attended=True)
        cast.other_log = pf.SessionLogFactory(group=cast.other_group, date=PAST_DAY, logged_by=cast.teacher2)
        cast.other_school_log = pf.SessionLogFactory(
            group=cast.other_school_group, date=PAST_DAY, logged_by=cast.other_senco
        )
    return cast


PAGES = {
    "today": (lambda c: reverse("provision:today"), STAFF),
    "group-detail": (lambda c: reverse("provision:group-detail", args=[c.group.public_id]), {"ta", "senco"}),
    "group-detail-other": (
        lambda c: reverse("provision:group-detail", args=[c.other_group.public_id]),
        {"teacher2", "senco"},
    ),
    "group-detail-other-school": (
        lambda c: reverse("provision:group-detail", args=[c.other_school_group.public_id]),
        {"other_senco"},
    ),
    "session-log": (lambda c: log_url(c.group), {"ta", "senco"}),
    "session-log-dated": (lambda c: log_url(c.group, last_weekday_before(PAST_DAY)), {"ta", "senco"}),
    "session-log-other": (lambda c: log_url(c.other_group), {"teacher2", "senco"}),
    "session-log-other-school": (lambda c: log_url(c.other_school_group), {"other_senco"}),
    "session-edit": (lambda c: reverse("provision:session-edit", args=[c.log.public_id]), {"ta", "senco"}),
    "session-edit-other": (
        lambda c: reverse("provision:session-edit", args=[c.other_log.public_id]),
        {"teacher2", "senco"},
    ),
    "session-edit-other-school": (
        lambda c: reverse("provision:session-edit", args=[c.other_school_log.public_id]),
        {"other_senco"},
    ),
}


@pytest.mark.parametrize("page", PAGES)
def test_who_may_open_each_page(logged, client_for, page):
    build_url, allowed = PAGES[page]
    url = build_url(logged)
    wrong = cast_mismatches(logged, client_for, url, allowed)
    assert not wrong, f"{page} ({url}):\n" + "\n".join(wrong)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_sign_in(logged, client_for, page):
    response = client_for(None).get(PAGES[page][0](logged))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_deputy_senco_manages_every_group(logged, client_for):
    with scopes_disabled():
        deputy = f.MembershipFactory(school=logged.school, roles=["deputy_senco"]).user
    client = client_for(deputy)
    for group in (logged.group, logged.other_group):
        assert client.get(reverse("provision:group-detail", args=[group.public_id])).status_code == 200


def test_a_leader_posting_to_another_groups_log_gets_404_and_nothing_changes(logged, client_for):
    before = state()
    response = client_for(logged.ta).post(
        log_url(logged.other_group, last_weekday_before(PAST_DAY)),
        {"status": "delivered", "attended": [str(logged.other_pupil.public_id)]},
    )
    assert response.status_code == 404
    assert state() == before


def test_teacher2_logs_their_group_and_not_the_tas(logged, client_for):
    day = last_weekday_before(PAST_DAY)
    client = client_for(logged.teacher2)
    before = state()
    assert (
        client.post(
            log_url(logged.group, day), {"status": "delivered", "attended": [str(logged.pupil.public_id)]}
        ).status_code
        == 404
    )
    assert state() == before
    response = client.post(
        log_url(logged.other_group, day), {"status": "delivered", "attended": [str(logged.other_pupil.public_id)]}
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert SessionLog.objects.filter(group=logged.other_group, date=day, logged_by=logged.teacher2).exists()


def test_a_day_that_was_not_planned_is_said_so(logged, client_for):
    with scopes_disabled():
        f.TermFactory(academic_year=logged.year, starts_on=PAST_DAY - 30 * DAY, ends_on=PAST_DAY + DAY)
    client = client_for(logged.ta)
    planned_day = last_weekday_before(PAST_DAY)
    marker = "planned days (its days in term time)"
    assert marker not in client.get(log_url(logged.group, planned_day)).content.decode()
    saturday = planned_day - (planned_day.weekday() + 2) * DAY
    # The cast's groups began 60 days ago: last Saturday is within their dates but never planned.
    assert marker in client.get(log_url(logged.group, saturday)).content.decode()


def test_unknown_ids_are_missing(logged, client_for):
    client = client_for(logged.senco)
    assert client.get(reverse("provision:group-detail", args=[uuid.uuid4()])).status_code == 404
    # A pupil's id is not a group's, nor a group's a session's.
    assert client.get(reverse("provision:group-detail", args=[logged.pupil.public_id])).status_code == 404
    assert client.get(reverse("provision:session-edit", args=[logged.group.public_id])).status_code == 404


def test_pages_only_answer_their_methods(logged, client_for):
    client = client_for(logged.senco)
    assert client.post(reverse("provision:today")).status_code == 405
    assert client.post(reverse("provision:group-detail", args=[logged.group.public_id])).status_code == 405
    assert client.put(log_url(logged.group, PAST_DAY)).status_code == 405


# ----- the group's page -----


def test_the_group_page_shows_staff_members_commitments_and_sessions(logged, client_for):
    with scopes_disabled():
        SessionLog.objects.filter(pk=logged.log.pk).update(note="Worked on split digraphs")
    page = client_for(logged.ta).get(reverse("provision:group-detail", args=[logged.group.public_id]))
    text = page.content.decode()
    assert "Phonics (Year 8)" in text
    assert "Tariq Assistant (teaching assistant)" in text
    assert logged.pupil.full_name in text
    assert logged.other_pupil.full_name not in text
    assert "Worked on split digraphs" in text
    assert "1 of 1" in text
    assert reverse("provision:session-edit", args=[logged.log.public_id]) in text
    # The TA runs the group but does not manage provision: no link to change its pupils.
    assert reverse("provision:group-members", args=[logged.group.public_id]) not in text
    assert reverse("provision:group-measures", args=[logged.group.public_id]) in text
    senco_page = client_for(logged.senco).get(reverse("provision:group-detail", args=[logged.group.public_id]))
    assert reverse("provision:group-members", args=[logged.group.public_id]) in senco_page.content.decode()


def group_page_queries(client, group, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit):
        response = client.get(reverse("provision:group-detail", args=[group.public_id]))
    assert response.status_code == 200


def test_the_group_page_runs_the_same_queries_for_1_or_10_sessions_and_pupils(
    logged, client_for, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(logged.senco)
    url = reverse("provision:group-detail", args=[logged.group.public_id])
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    with scopes_disabled():
        day = PAST_DAY
        for number in range(9):
            pupil = f.PupilFactory(school=logged.school)
            pf.GroupMemberFactory(group=logged.group, pupil=pupil)
            day = last_weekday_before(day)
            session = pf.SessionLogFactory(group=logged.group, date=day, logged_by=logged.ta)
            pf.AttendanceFactory(session=session, pupil=pupil, attended=number % 2 == 0)
    with django_assert_max_num_queries(len(small)):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("/provision/sessions/") >= 10


# ----- logging through the page -----


def test_logging_a_delivered_session_through_the_page(logged, client_for):
    day = last_weekday_before(PAST_DAY)
    client = client_for(logged.ta)
    form = client.get(log_url(logged.group, day))
    assert logged.pupil.full_name in form.content.decode()
    response = client.post(
        log_url(logged.group, day), {"status": "delivered", "attended": [str(logged.pupil.public_id)], "note": "Good"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(reverse("provision:group-detail", args=[logged.group.public_id]) + "#sessions")
    with scopes_disabled():
        session = SessionLog.objects.get(group=logged.group, date=day)
        assert list(Attendance.objects.filter(session=session).values_list("pupil_id", "attended")) == [
            (logged.pupil.pk, True)
        ]
    assert session.note == "Good"
    followed = client.get(response["Location"])
    assert "logged as delivered, 1 of 1 came" in followed.content.decode()


def test_a_quick_log_goes_back_to_the_today_page(logged, client_for):
    day = last_weekday_before(PAST_DAY)
    response = client_for(logged.ta).post(
        log_url(logged.group, day, return_to="today"),
        {"status": "cancelled", "cancel_reason": "room", "return_to": "today"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("provision:today")


def test_a_cancelled_session_without_a_reason_shows_the_error_and_changes_nothing(logged, client_for):
    before = state()
    response = client_for(logged.ta).post(log_url(logged.group, last_weekday_before(PAST_DAY)), {"status": "cancelled"})
    assert response.status_code == 200
    assert error_summary(response) == "Select why the session was cancelled"
    assert state() == before


def test_nothing_chosen_shows_the_error(logged, client_for):
    response = client_for(logged.ta).post(log_url(logged.group, last_weekday_before(PAST_DAY)), {})
    assert "Select whether the session was delivered or cancelled" in error_summary(response)


def test_a_second_log_for_the_same_day_shows_the_error_and_changes_nothing(logged, client_for):
    before = state()
    response = client_for(logged.ta).post(
        log_url(logged.group, PAST_DAY), {"status": "delivered", "attended": [str(logged.pupil.public_id)]}
    )
    assert response.status_code == 200
    day = f"{PAST_DAY.day} {PAST_DAY:%B} {PAST_DAY.year}"
    assert error_summary(response) == f"A session on {day} is already logged. Change that one instead."
    assert state() == before


def test_opening_the_form_for_a_logged_day_goes_to_the_log(logged, client_for):
    response = client_for(logged.ta).get(log_url(logged.group, PAST_DAY))
    assert response.status_code == 302
    assert response["Location"] == reverse("provision:session-edit", args=[logged.log.public_id])


def test_attendance_for_a_pupil_not_in_the_group_shows_the_error_and_changes_nothing(logged, client_for):
    before = state()
    day = last_weekday_before(PAST_DAY)
    response = client_for(logged.senco).post(
        log_url(logged.group, day),
        {"status": "delivered", "attended": [str(logged.pupil.public_id), str(logged.other_pupil.public_id)]},
    )
    assert response.status_code == 200
    assert error_summary(response) == f"A pupil you chose was not in this group on {day.day} {day:%B} {day.year}."
    assert state() == before


def test_a_future_day_or_one_before_the_group_asks_for_another_day(logged, client_for):
    client = client_for(logged.ta)
    future = client.get(log_url(logged.group, TODAY + DAY))
    assert "You cannot log a session in the future" in error_summary(future)
    before_start = client.get(log_url(logged.group, logged.group.starts_on - DAY))
    assert "Choose a day in between" in error_summary(before_start)
    before = state()
    # Posting to such an address saves nothing either.
    client.post(log_url(logged.group, TODAY + DAY), {"status": "delivered", "attended": [str(logged.pupil.public_id)]})
    assert state() == before


def test_choosing_the_day_leads_to_the_form(logged, client_for):
    day = last_weekday_before(PAST_DAY)
    response = client_for(logged.ta).get(log_url(logged.group), date_fields("date", day))
    assert response.status_code == 302
    assert response["Location"] == log_url(logged.group, day)
    bad = client_for(logged.ta).get(log_url(logged.group), date_fields("date", (31, 2, 2030)))
    assert "must be a real date" in error_summary(bad)


def test_the_follow_up_questions_are_revealed_by_their_radio(logged, client_for):
    text = client_for(logged.ta).get(log_url(logged.group, last_weekday_before(PAST_DAY))).content.decode()
    assert 'data-waymark-reveals="id_status_1-conditional"' in text
    assert 'class="govuk-radios__conditional" id="id_status_1-conditional"' in text
    # Every current member is ticked to start with; they are chosen by public id, never by key.
    assert f'value="{logged.pupil.public_id}"' in text
    assert 'checked>\n        <label class="govuk-label govuk-checkboxes__label"' in text


# ----- correcting through the page -----


def test_correcting_a_log_through_the_page(logged, client_for):
    url = reverse("provision:session-edit", args=[logged.log.public_id])
    client = client_for(logged.ta)
    assert "Change the log of" in client.get(url).content.decode()
    response = client.post(
        url, {"status": "cancelled", "cancel_reason": "pupils_away", "note": "Trip", "lock_version": "0"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        logged.log.refresh_from_db()
        assert not Attendance.objects.filter(session=logged.log).exists()
        assert AuditEvent.objects.filter(action="provision.session.corrected").count() == 1
    assert logged.log.status == "cancelled"


def test_a_stale_correction_keeps_what_was_typed_and_changes_nothing(logged, client_for):
    with scopes_disabled():
        SessionLog.objects.filter(pk=logged.log.pk).update(lock_version=3)
    before = state()
    response = client_for(logged.ta).post(
        reverse("provision:session-edit", args=[logged.log.public_id]),
        {"status": "delivered", "attended": [str(logged.pupil.public_id)], "note": "Mine", "lock_version": "1"},
    )
    assert response.status_code == 200
    assert "Someone else saved changes" in error_summary(response)
    assert "Mine" in response.content.decode()
    assert 'name="lock_version" value="3"' in response.content.decode()
    assert state() == before
