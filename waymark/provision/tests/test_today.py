"""The "today" page: the sessions the signed-in person runs today, each logged or ready to log, and the
sessions of the last two weeks not logged yet.

The actor's day is pinned to a weekday near today (``pin_today``), and the school's terms are
replaced by one term around it, so the page has something to plan whatever day the tests run.
"""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from waymark.core import actor as actor_module
from waymark.core.actor import Actor
from waymark.provision.delivery import today_sessions
from waymark.provision.models import InterventionGroup, SessionLog
from waymark.provision.tests import factories as pf
from waymark.schools.models import Term
from waymark.tests import factories as f

DAY = datetime.timedelta(days=1)


def weekday_on_or_before(day):
    while day.weekday() > 4:
        day -= DAY
    return day


# A Tuesday to Friday, so that "yesterday" is a school day too.
PINNED = weekday_on_or_before(datetime.date.today())
if PINNED.weekday() == 0:
    PINNED -= 3 * DAY


def pin_today(monkeypatch, day):
    """Every actor built from a request has ``today == day``."""

    class PinnedDate(datetime.date):
        @classmethod
        def today(cls):
            return day

    monkeypatch.setattr(actor_module, "datetime", SimpleNamespace(date=PinnedDate))


def set_terms(school, year, *ranges):
    with scopes_disabled():
        Term.objects.filter(academic_year__school=school).delete()
        for number, (start, end) in enumerate(ranges):
            f.TermFactory(academic_year=year, name=f"Term {number}", starts_on=start, ends_on=end)


@pytest.fixture
def today_cast(cast, monkeypatch):
    pin_today(monkeypatch, PINNED)
    set_terms(cast.school, cast.year, (PINNED - 60 * DAY, PINNED + 60 * DAY))
    set_terms(cast.other_school, cast.other_year, (PINNED - 60 * DAY, PINNED + 60 * DAY))
    return cast


def page_text(response):
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def test_the_ta_sees_only_the_group_they_run_with_a_form_ready(today_cast, client_for):
    c = today_cast
    response = client_for(c.ta).get(reverse("provision:today"))
    text = page_text(response)
    assert "Phonics (Year 8)" in text
    assert "Phonics (Year 9)" not in text and "Brookfield reading" not in text
    assert c.pupil.full_name in text and c.other_pupil.full_name not in text
    html = response.content.decode()
    action = (
        reverse("provision:session-log", args=[c.group.public_id]) + f"?date={PINNED.isoformat()}&amp;return_to=today"
    )
    assert f'action="{action}"' in html
    # One form per group: ids carry the group, so two forms never share one.
    assert f'id="s{c.group.public_id.hex[:12]}-status_0"' in html


def test_teacher2_sees_only_their_group(today_cast, client_for):
    text = page_text(client_for(today_cast.teacher2).get(reverse("provision:today")))
    assert "Phonics (Year 9)" in text and "Phonics (Year 8)" not in text


def test_someone_who_runs_no_group_is_told_so(today_cast, client_for):
    for user in (today_cast.senco, today_cast.head, today_cast.governor):
        assert "You have no intervention sessions planned today." in page_text(
            client_for(user).get(reverse("provision:today"))
        )


@pytest.mark.parametrize("who", ["parent", "co_parent", "other_parent", "specialist", "expired_specialist"])
def test_people_who_are_not_staff_get_404(today_cast, client_for, who):
    assert client_for(getattr(today_cast, who)).get(reverse("provision:today")).status_code == 404


def test_a_logged_session_says_what_happened_with_a_link_to_change_it(today_cast, client_for):
    c = today_cast
    with scopes_disabled():
        log = pf.SessionLogFactory(group=c.group, date=PINNED, logged_by=c.ta)
        pf.AttendanceFactory(session=log, pupil=c.pupil, attended=True)
    response = client_for(c.ta).get(reverse("provision:today"))
    text = page_text(response)
    assert "Logged Delivered, 1 of 1 attended." in text
    assert reverse("provision:session-edit", args=[log.public_id]) + "?return_to=today" in response.content.decode()
    assert "What happened?" not in text


def test_a_quick_log_from_the_page_comes_back_logged(today_cast, client_for):
    c = today_cast
    client = client_for(c.ta)
    url = reverse("provision:session-log", args=[c.group.public_id]) + f"?date={PINNED.isoformat()}&return_to=today"
    response = client.post(url, {"status": "delivered", "attended": [str(c.pupil.public_id)], "return_to": "today"})
    assert response["Location"] == reverse("provision:today")
    text = page_text(client.get(response["Location"]))
    assert "logged as delivered, 1 of 1 came" in text
    assert "Logged Delivered, 1 of 1 attended." in text


def test_planned_sessions_of_the_last_two_weeks_not_logged_are_listed(today_cast, client_for):
    c = today_cast
    yesterday = PINNED - DAY
    day_before = weekday_on_or_before(PINNED - 2 * DAY)
    with scopes_disabled():
        pf.SessionLogFactory(group=c.group, date=day_before, logged_by=c.ta, status="cancelled", cancel_reason="room")
    text = page_text(client_for(c.ta).get(reverse("provision:today")))
    missed = text.split("Not logged yet", 1)[1]
    assert f"{yesterday:%A} {yesterday.day} {yesterday:%B}: Phonics (Year 8)" in missed
    assert f"{day_before:%A} {day_before.day} {day_before:%B}: Phonics (Year 8)" not in missed
    # Nothing older than two weeks.
    old = weekday_on_or_before(PINNED - 15 * DAY)
    assert f"{old:%A} {old.day} {old:%B}:" not in missed


def actor_for(user, day):
    return Actor.for_user(user, today=day)


def test_sessions_are_sorted_by_time_and_ended_or_unplanned_groups_are_left_out(today_cast):
    c = today_cast
    with scopes_disabled():
        early = pf.InterventionGroupFactory(school=c.school, intervention=c.intervention, name="Early words")
        pf.GroupLeaderFactory(group=early, user=c.ta, staff_role=c.staff_role)
        pf.GroupSlotFactory(group=early, weekday=PINNED.weekday(), starts_at=datetime.time(8, 30))
        ended = pf.InterventionGroupFactory(school=c.school, intervention=c.intervention, name="Ended group")
        pf.GroupLeaderFactory(group=ended, user=c.ta, staff_role=c.staff_role)
        pf.GroupSlotFactory(group=ended, weekday=PINNED.weekday())
        InterventionGroup.objects.filter(pk=ended.pk).update(ended_at=timezone.now() - 30 * DAY)
        other_day = pf.InterventionGroupFactory(school=c.school, intervention=c.intervention, name="Other day")
        pf.GroupLeaderFactory(group=other_day, user=c.ta, staff_role=c.staff_role)
        pf.GroupSlotFactory(group=other_day, weekday=(PINNED.weekday() + 1) % 5)
    with scope(school=[c.school.pk]):
        today = today_sessions(actor_for(c.ta, PINNED))
    assert [item.group.name for item in today.sessions] == ["Early words", "Phonics (Year 8)"]


def test_nothing_is_planned_at_a_weekend_or_outside_term(today_cast):
    c = today_cast
    saturday = PINNED + (5 - PINNED.weekday()) * DAY
    with scope(school=[c.school.pk]):
        assert today_sessions(actor_for(c.ta, saturday)).sessions == []
    set_terms(c.school, c.year, (PINNED - 60 * DAY, PINNED - 30 * DAY))
    with scope(school=[c.school.pk]):
        found = today_sessions(actor_for(c.ta, PINNED))
    assert found.sessions == [] and found.not_logged == [] and not found.has_terms


def test_the_page_runs_the_same_queries_for_1_or_10_groups(today_cast, client_for, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = today_cast
    client = client_for(c.ta)
    with scopes_disabled():
        # One of each kind of row already, so the count compares like with like (an empty prefetch is skipped).
        log = pf.SessionLogFactory(group=c.group, date=PINNED - DAY, logged_by=c.ta)
        pf.AttendanceFactory(session=log, pupil=c.pupil)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("provision:today")).status_code == 200
    with scopes_disabled():
        for number in range(9):
            group = pf.InterventionGroupFactory(school=c.school, intervention=c.intervention, name=f"Extra {number}")
            pf.GroupLeaderFactory(group=group, user=c.ta, staff_role=c.staff_role)
            for weekday in range(5):
                pf.GroupSlotFactory(group=group, weekday=weekday)
            for _ in range(3):
                pf.GroupMemberFactory(group=group, pupil=f.PupilFactory(school=c.school))
            if number % 2:
                log = pf.SessionLogFactory(group=group, date=PINNED, logged_by=c.ta)
                pf.AttendanceFactory(session=log, pupil=group.members.first().pupil)
            pf.SessionLogFactory(group=group, date=PINNED - DAY, logged_by=c.ta, status=SessionLog.Status.DELIVERED)
    with django_assert_max_num_queries(len(small)):
        response = client.get(reverse("provision:today"))
    assert page_text(response).count("Extra ") >= 9
