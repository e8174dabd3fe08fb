"""Parents' "support this term": what the plan promises and each session, for their own child only.

Only a parent with an active link to the child opens the page. It lists the child's own
sessions (took part, missed, cancelled and why, not recorded) and never another child's
name or attendance, a session's note, or anything staff-only. The counting is checked on
fixed dates (a school year in 2030 to 2031) so it holds whatever day the tests run.
"""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent, Visibility
from waymark.evidence.models import Document, Note
from waymark.plans.family_selectors import family_link_get
from waymark.plans.tests.family_setup import NEVER_FOR_PARENTS, family_plans
from waymark.provision import family
from waymark.provision.models import SessionLog
from waymark.provision.tests import factories as pf
from waymark.schools.models import Term
from waymark.tests import factories as f
from waymark.tests.helpers import text_of

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
INTRUDER = ("Wolfgang", "Intruderson")
SESSION_NOTE = "Wolfgang read brilliantly today"


def url_for(pupil):
    return reverse("provision:family-support", args=[pupil.public_id])


def log(group, day, status=SessionLog.Status.DELIVERED, attended=None, note="", **fields):
    """A session log with attendance: ``attended`` maps pupils to True/False."""
    session = pf.SessionLogFactory(
        group=group, date=day, status=status, note=note, logged_by=group_leader(group), **fields
    )
    for pupil, came in (attended or {}).items():
        pf.AttendanceFactory(session=session, pupil=pupil, attended=came)
    return session


def group_leader(group):
    with scopes_disabled():
        leader = group.leaders.first()
    return leader.user if leader else f.UserFactory()


# ----- who may open it -----


def test_only_the_childs_parents_with_an_active_link_open_it(cast, client_for):
    url = url_for(cast.pupil)
    wrong = []
    for name, user in cast.people.items():
        expected = 200 if name in {"parent", "co_parent"} else 404
        got = client_for(user).get(url).status_code
        if got != expected:
            wrong.append(f"{name}: expected {expected}, got {got}")
    assert not wrong, "\n".join(wrong)
    assert client_for(cast.other_parent).get(url_for(cast.other_pupil)).status_code == 200
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert client_for(cast.parent).post(url).status_code == 405


def test_the_child_page_links_to_it(cast, client_for):
    page = client_for(cast.parent).get(reverse("plans:family-child", args=[cast.pupil.public_id]))
    assert url_for(cast.pupil) in page.content.decode()


# ----- the page, on today's date -----


@pytest.fixture
def this_term(cast):
    """The cast's term moved to hold today, whatever today is."""
    with scopes_disabled():
        Term.objects.filter(pk=cast.term.pk).update(
            starts_on=max(cast.year.starts_on, TODAY - 30 * DAY), ends_on=min(cast.year.ends_on, TODAY + 30 * DAY)
        )
    return cast


@pytest.fixture
def busy_group(this_term):
    """Another child in the pupil's group, and today's session with both there and a note naming the other child."""
    cast = this_term
    intruder = f.PupilFactory(school=cast.school, legal_forename=INTRUDER[0], legal_surname=INTRUDER[1])
    pf.GroupMemberFactory(group=cast.group, pupil=intruder)
    log(cast.group, TODAY, attended={cast.pupil: True, intruder: True}, note=SESSION_NOTE)
    # The other child's own group: their missed session is nothing to do with this child.
    log(cast.other_group, TODAY, attended={cast.other_pupil: False})
    return cast


def test_the_page_shows_this_childs_sessions_and_nobody_elses(busy_group, client_for):
    cast = busy_group
    response = client_for(cast.parent).get(url_for(cast.pupil))
    text = text_of(response)
    assert "Zephyrine's support this term" in text
    assert "Took part" in text and "Phonics catch-up" in text
    assert re.search(r"\d+ of \d+ sessions? took place; Zephyrine took part in 1\.", text)
    for words in (*INTRUDER, SESSION_NOTE, "Oswin", "Blackthorn", "Missed", "Phonics (Year 8)", "Tariq"):
        assert words not in text, words


def test_a_cancelled_session_says_why_in_plain_words(this_term, client_for):
    cast = this_term
    second = pf.InterventionGroupFactory(school=cast.school, name="Lego club", intervention__name="Lego therapy")
    pf.GroupLeaderFactory(group=second, user=cast.ta, staff_role=cast.staff_role)
    pf.GroupMemberFactory(group=second, pupil=cast.pupil)
    log(second, TODAY, status=SessionLog.Status.CANCELLED, cancel_reason=SessionLog.CancelReason.STAFF_ABSENT)
    text = text_of(client_for(cast.co_parent).get(url_for(cast.pupil)))
    assert "Lego therapy" in text and "Cancelled – the adult who runs it was away" in text


def test_the_support_in_the_plan_in_plain_words_and_nothing_staff_only(this_term, client_for):
    cast = this_term
    family_plans(cast)
    text = text_of(client_for(cast.parent).get(url_for(cast.pupil)))
    assert "Small-group social skills" in text
    assert "3 times a week, 20 minutes, in a small group of 4, with a teaching assistant" in text
    for words in NEVER_FOR_PARENTS:
        assert words not in text, words
    assert "School SEN budget" not in text  # never the funding


def test_from_the_school_only_what_is_marked_for_everyone(this_term, client_for):
    cast = this_term
    with scopes_disabled():
        Note.objects.create(pupil=cast.pupil, text="Lovely reading this week", happened_on=TODAY,
                            visibility=Visibility.EVERYONE, written_by=cast.ta)  # fmt: skip
        Note.objects.create(pupil=cast.pupil, text="Staff note about home", happened_on=TODAY,
                            visibility=Visibility.STAFF, written_by=cast.ta)  # fmt: skip
        Note.objects.create(pupil=cast.pupil, text="Restricted note", happened_on=TODAY,
                            visibility=Visibility.RESTRICTED, written_by=cast.senco)  # fmt: skip
        for title, visibility in (
            ("Reading report for home", Visibility.EVERYONE),
            ("Staff chronology", Visibility.STAFF),
        ):
            Document.objects.create(pupil=cast.pupil, title=title, kind=Document.Kind.LETTER, written_on=TODAY,
                                    file="documents/x.pdf", original_name="x.pdf", content_type="application/pdf",
                                    size=1, sha256="0" * 64, scan=Document.Scan.NOT_SCANNED, visibility=visibility,
                                    uploaded_by=cast.senco)  # fmt: skip
    text = text_of(client_for(cast.parent).get(url_for(cast.pupil)))
    assert "Lovely reading this week" in text and "Reading report for home" in text
    for words in ("Staff note about home", "Restricted note", "Staff chronology"):
        assert words not in text, words


def test_every_view_is_audited(this_term, client_for):
    client_for(cast_parent := this_term.parent).get(url_for(this_term.pupil))
    with scopes_disabled():
        event = AuditEvent.objects.get(action="provision.family_support.viewed")
    assert event.actor == cast_parent and event.pupil_id == this_term.pupil.public_id
    client_for(this_term.other_parent).get(url_for(this_term.pupil))  # refused: nothing written
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="provision.family_support.viewed").count() == 1


def test_the_page_runs_a_fixed_number_of_queries(this_term, client_for):
    cast = this_term
    family_plans(cast)
    client = client_for(cast.parent)
    url = url_for(cast.pupil)
    client.get(url)  # warm the session
    log(cast.group, TODAY, attended={cast.pupil: True})
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for index in range(5):
        group = pf.InterventionGroupFactory(school=cast.school, intervention=cast.intervention, name=f"Extra {index}")
        pf.GroupLeaderFactory(group=group, user=cast.ta, staff_role=cast.staff_role)
        for weekday in range(5):
            pf.GroupSlotFactory(group=group, weekday=weekday)
        pf.GroupMemberFactory(group=group, pupil=cast.pupil)
        pf.GroupMemberFactory(group=group)
        log(group, TODAY, attended={cast.pupil: index % 2 == 0})
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200 and "Extra" not in text_of(response)  # group names are staff words
    assert len(large.captured_queries) == len(small.captured_queries)


# ----- counting, on fixed dates -----


def d(text):
    return datetime.date.fromisoformat(text)


@pytest.fixture
def spring(cast):
    """A school year 2030 to 2031 with two spring terms (half-term 15 to 23 February 2031).

    ``phonics`` meets on Mondays and Wednesdays from 6 January 2031, with the pupil and
    another child; ``lego`` meets on Tuesdays and the pupil left it on 10 January.
    """
    year = f.AcademicYearFactory(school=cast.school, starts_on=d("2030-09-01"), ends_on=d("2031-08-31"))
    f.TermFactory(academic_year=year, name="Spring 1", starts_on=d("2031-01-06"), ends_on=d("2031-02-14"))
    f.TermFactory(academic_year=year, name="Spring 2", starts_on=d("2031-02-24"), ends_on=d("2031-03-28"))
    intruder = f.PupilFactory(school=cast.school, legal_forename=INTRUDER[0], legal_surname=INTRUDER[1])
    groups = {}
    lego = pf.InterventionFactory(school=cast.school, name="Lego therapy")
    for key, intervention, weekdays in (("phonics", cast.intervention, (0, 2)), ("lego", lego, (1,))):
        group = pf.InterventionGroupFactory(
            school=cast.school, intervention=intervention, starts_on=d("2031-01-06"), ends_on=d("2031-03-28")
        )
        pf.GroupLeaderFactory(group=group, user=cast.ta, staff_role=cast.staff_role)
        for weekday in weekdays:
            pf.GroupSlotFactory(group=group, weekday=weekday)
        groups[key] = group
    pf.GroupMemberFactory(group=groups["phonics"], pupil=cast.pupil, joined_on=d("2031-01-06"))
    pf.GroupMemberFactory(group=groups["phonics"], pupil=intruder, joined_on=d("2031-01-06"))
    pf.GroupMemberFactory(group=groups["lego"], pupil=cast.pupil, joined_on=d("2031-01-06"), left_on=d("2031-01-10"))
    phonics = groups["phonics"]
    log(phonics, d("2031-01-06"), attended={cast.pupil: True, intruder: True}, note=SESSION_NOTE)
    log(phonics, d("2031-01-08"), attended={cast.pupil: False, intruder: True})
    log(phonics, d("2031-01-13"), status=SessionLog.Status.CANCELLED, cancel_reason=SessionLog.CancelReason.ROOM)
    log(phonics, d("2031-01-15"), attended={intruder: True})  # no register for this child
    log(phonics, d("2031-01-23"), attended={cast.pupil: True})  # a catch-up on a Thursday
    log(groups["lego"], d("2031-01-14"), attended={cast.pupil: True})  # after they left
    cast.intruder = intruder
    cast.groups = groups
    return cast


def support_on(cast, today):
    actor = Actor.for_user(cast.parent, today=today)
    with scope(school=actor.scope_school_ids):
        link = family_link_get(actor, cast.pupil.public_id)
        return family.family_support(actor, link)


def test_sessions_this_term_are_counted_for_this_child_only(spring):
    support = support_on(spring, d("2031-01-23"))
    assert support.period.term_name == "Spring 1"
    rows = {(row.date.isoformat(), row.intervention): (row.outcome, row.reason) for row in support.sessions}
    assert rows == {
        ("2031-01-23", "Phonics catch-up"): ("took_part", ""),
        ("2031-01-22", "Phonics catch-up"): ("not_recorded", ""),
        ("2031-01-20", "Phonics catch-up"): ("not_recorded", ""),
        ("2031-01-15", "Phonics catch-up"): ("no_register", ""),
        ("2031-01-13", "Phonics catch-up"): ("cancelled", "there was no room free"),
        ("2031-01-08", "Phonics catch-up"): ("missed", ""),
        ("2031-01-06", "Phonics catch-up"): ("took_part", ""),
        ("2031-01-07", "Lego therapy"): ("not_recorded", ""),
    }
    assert [row.date for row in support.sessions] == sorted((row.date for row in support.sessions), reverse=True)
    counts = {count.name: count for count in support.counts}
    phonics = counts["Phonics catch-up"]
    assert (phonics.sessions, phonics.took_place, phonics.took_part, phonics.cancelled, phonics.not_recorded) == (
        7,
        4,
        2,
        1,
        2,
    )
    assert phonics.recorded == 5
    lego = counts["Lego therapy"]
    assert (lego.sessions, lego.took_place, lego.not_recorded) == (1, 0, 1)


def test_without_a_term_today_the_last_twelve_weeks_in_term_time(spring):
    support = support_on(spring, d("2031-02-19"))  # half-term
    assert support.period.term_name == "" and support.period.start == d("2031-02-19") - datetime.timedelta(weeks=12)
    phonics = [row for row in support.sessions if row.intervention == "Phonics catch-up"]
    # Mondays and Wednesdays of Spring 1 (12) and the Thursday catch-up; nothing in the holiday.
    assert len(phonics) == 13
    assert all(row.date <= d("2031-02-14") for row in support.sessions)


def test_counting_runs_a_fixed_number_of_queries(spring):
    with CaptureQueriesContext(connection) as small:
        support_on(spring, d("2031-01-23"))
    for index in range(4):
        group = pf.InterventionGroupFactory(
            school=spring.school, name=f"More {index}", starts_on=d("2031-01-06"), ends_on=d("2031-03-28")
        )
        pf.GroupLeaderFactory(group=group, user=spring.ta, staff_role=spring.staff_role)
        pf.GroupSlotFactory(group=group, weekday=index)
        pf.GroupMemberFactory(group=group, pupil=spring.pupil, joined_on=d("2031-01-06"))
        pf.GroupMemberFactory(group=group, joined_on=d("2031-01-06"))
        for day in ("2031-01-06", "2031-01-07", "2031-01-08", "2031-01-09"):
            log(group, d(day), attended={spring.pupil: True})
    with CaptureQueriesContext(connection) as large:
        support = support_on(spring, d("2031-01-23"))
    assert len(support.counts) == 6
    assert len(large.captured_queries) == len(small.captured_queries)
