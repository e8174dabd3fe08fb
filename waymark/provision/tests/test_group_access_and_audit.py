"""Security review of issue 5 (provision): each test failed before its fix.

- A governor or trust lead never sees a named child (docs/access.md), even when a group
  still has a leader row for them from before they took that role (a TA turned governor).
- Pages that name pupils with their attendance, session notes or measures are audited as
  reads, as the register and the provision map are.
- Session notes are personal data, so the personal-data register names them.
"""

import datetime

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent
from waymark.core.personal_data import entry_for
from waymark.provision.delivery import today_sessions
from waymark.provision.tests import factories as pf

from .test_today import PINNED, pin_today, set_terms

DAY = datetime.timedelta(days=1)
SESSION_NOTE = "Zephyrine was upset after break"


@pytest.fixture
def review_cast(cast, monkeypatch):
    """The cast on a pinned weekday inside a term, so the groups meet whatever day the tests run."""
    pin_today(monkeypatch, PINNED)
    set_terms(cast.school, cast.year, (PINNED - 60 * DAY, PINNED + 60 * DAY))
    return cast


def _leaves_a_leader_row(cast, user):
    with scopes_disabled():
        pf.GroupLeaderFactory(group=cast.group, user=user, staff_role=cast.staff_role)
        cast.log = pf.SessionLogFactory(group=cast.group, date=PINNED - DAY, logged_by=cast.ta, note=SESSION_NOTE)
        pf.AttendanceFactory(session=cast.log, pupil=cast.pupil, attended=True)


@pytest.mark.parametrize("who", ["governor", "trust_lead"])
def test_a_leader_row_left_on_a_governor_or_trust_lead_opens_no_group(review_cast, client_for, who):
    c = review_cast
    user = getattr(c, who)
    _leaves_a_leader_row(c, user)
    client = client_for(user)
    for url in (
        reverse("provision:group-detail", args=[c.group.public_id]),
        reverse("provision:group-measures", args=[c.group.public_id]),
        reverse("provision:session-log", args=[c.group.public_id]),
        reverse("provision:session-edit", args=[c.log.public_id]),
        reverse(
            "provision:measure-record",
            kwargs={"public_id": c.group.public_id, "pupil_id": c.pupil.public_id, "point": "entry"},
        ),
    ):
        assert client.get(url).status_code == 404, url
    today = client.get(reverse("provision:today")).content.decode()
    assert c.pupil.legal_surname not in today and "Phonics (Year 8)" not in today


def test_the_today_list_names_nobody_for_a_governor_with_a_leader_row(review_cast):
    c = review_cast
    _leaves_a_leader_row(c, c.governor)
    with scope(school=[c.school.pk]):
        governor = today_sessions(Actor.for_user(c.governor, today=PINNED))
        ta = today_sessions(Actor.for_user(c.ta, today=PINNED))
    # The TA who runs the group still has it, with its pupils: the fix takes nothing from them.
    assert [s.group for s in ta.sessions] == [c.group] and c.pupil in ta.sessions[0].members
    assert governor.sessions == [] and governor.not_logged == []


def test_a_ta_who_is_also_a_governor_still_runs_their_group(review_cast, client_for):
    c = review_cast
    with scopes_disabled():
        c.ta_membership.roles = ["ta", "governor"]
        c.ta_membership.save()
    assert client_for(c.ta).get(reverse("provision:group-detail", args=[c.group.public_id])).status_code == 200


# ----- reads of named pupils' attendance, notes and measures are audited -----


def _events(action):
    return list(AuditEvent.objects.filter(action=action))


def test_opening_a_group_page_is_audited_with_its_pupils(review_cast, client_for):
    c = review_cast
    _leaves_a_leader_row(c, c.teacher)  # any leader; the TA runs it too
    assert client_for(c.ta).get(reverse("provision:group-detail", args=[c.group.public_id])).status_code == 200
    (event,) = _events("provision.group.viewed")
    assert event.actor == c.ta and event.target_id == str(c.group.public_id) and event.school == c.school
    assert event.data["pupils"] == [str(c.pupil.public_id)]
    assert SESSION_NOTE not in str(event.data)


def test_opening_a_groups_measures_is_audited(review_cast, client_for):
    c = review_cast
    url = reverse("provision:group-measures", args=[c.group.public_id])
    assert client_for(c.ta).get(url).status_code == 200
    (event,) = _events("provision.group_measures.viewed")
    assert event.actor == c.ta and event.target_id == str(c.group.public_id)
    assert event.data["pupils"] == [str(c.pupil.public_id)]


def test_opening_an_interventions_pupils_is_audited(review_cast, client_for):
    c = review_cast
    url = reverse("provision:intervention-impact", args=[c.intervention.public_id])
    assert client_for(c.senco).get(url).status_code == 200
    (event,) = _events("provision.intervention_impact.viewed")
    assert event.actor == c.senco and event.target_id == str(c.intervention.public_id)
    assert set(event.data["pupils"]) == {str(c.pupil.public_id), str(c.other_pupil.public_id)}


# ----- the personal-data register -----


def test_session_notes_are_in_the_personal_data_register(review_cast):
    c = review_cast
    _leaves_a_leader_row(c, c.teacher)
    entry = entry_for("provision.SessionLog")
    assert entry.third_party  # a note may name other children: redact before a release
    with scope(school=[c.school.pk]):
        assert list(entry.for_pupil(c.pupil)) == [c.log]
        assert list(entry.for_pupil(c.other_pupil)) == []
