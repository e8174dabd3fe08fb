"""Member services: pupils' places in a group (adding, changing, taking out).

Dates and the actor's day are pinned as in test_groups.py, whose helpers and fixtures these use.
"""

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scopes_disabled

from waymark.core.models import AuditEvent
from waymark.plans.tests.factories import published_version
from waymark.provision import members
from waymark.provision.models import GroupMember, SessionLog
from waymark.provision.tests import factories as pf
from waymark.pupils.models import SenStatus

# ``in_school`` (the school's terms, inside its scope) and ``terms`` are test_groups.py's fixtures.
from .test_groups import AUTUMN, D, actor_for, error_text, in_school, make_group, terms  # noqa: F401

pytestmark = pytest.mark.usefixtures("in_school")


@pytest.fixture
def plan(cast):
    """``cast.pupil``'s plan in force, with two commitments."""
    return published_version(cast.pupil, by=cast.senco, provisions=2)


def test_a_pupil_joins_delivering_a_commitment_in_their_plan(cast, plan):
    group = make_group(cast)
    with scopes_disabled():
        commitment = plan.provisions.order_by("order", "id").first()
    place = members.member_add(
        actor=actor_for(cast.senco),
        group=group,
        pupil=cast.pupil,
        joined_on=D(2030, 9, 9),
        commitment=commitment.lineage,
    )
    assert place.commitment == commitment.lineage
    event = AuditEvent.objects.get(action="provision.member.added")
    assert event.pupil_id == cast.pupil.public_id and event.data["commitment"] == str(commitment.lineage)


def test_a_commitment_must_come_from_the_pupils_own_plan_in_force(cast, plan):
    group = make_group(cast)
    with scopes_disabled():
        others = published_version(cast.other_pupil, by=cast.senco)
        someone_elses = others.provisions.first().lineage
    for commitment in (someone_elses, uuid.uuid4(), "not-a-uuid"):
        with pytest.raises(ValidationError) as error:
            members.member_add(
                actor=actor_for(cast.senco), group=group, pupil=cast.pupil, joined_on=AUTUMN[0], commitment=commitment
            )
        assert "Choose a part of Zephyrine Quartermaine's plan in force." in error.value.message_dict["commitment"]
    assert not GroupMember.objects.filter(group=group).exists()


@pytest.mark.parametrize(
    ("joined_on", "words"),
    [
        (D(2030, 8, 30), "must be from 2 September 2030 to 20 December 2030"),
        (D(2031, 1, 6), "must be from 2 September 2030 to 20 December 2030"),
        (None, "Enter the date"),
    ],
)
def test_a_place_lies_inside_the_groups_dates(cast, joined_on, words):
    group = make_group(cast)
    with pytest.raises(ValidationError) as error:
        members.member_add(actor=actor_for(cast.senco), group=group, pupil=cast.pupil, joined_on=joined_on)
    assert words in error_text(error)
    assert not GroupMember.objects.filter(group=group).exists()


def test_a_pupil_is_in_a_group_once_at_a_time_and_may_rejoin(cast):
    group = make_group(cast)
    senco = actor_for(cast.senco)
    place = members.member_add(actor=senco, group=group, pupil=cast.pupil, joined_on=AUTUMN[0])
    with pytest.raises(ValidationError) as error:
        members.member_add(actor=senco, group=group, pupil=cast.pupil, joined_on=D(2030, 11, 4))
    assert "already in this group from 2 September 2030" in error_text(error)
    members.member_remove(actor=senco, member=place, left_on=D(2030, 10, 18))
    again = members.member_add(actor=senco, group=group, pupil=cast.pupil, joined_on=D(2030, 11, 4))
    assert again.pk != place.pk
    # A change that would make the two places overlap is refused.
    with pytest.raises(ValidationError):
        members.member_update(actor=senco, member=again, joined_on=D(2030, 10, 1))


def test_only_pupils_on_the_sen_register_of_the_groups_school(cast):
    group = make_group(cast)
    senco = actor_for(cast.senco)
    with scopes_disabled():
        SenStatus.objects.filter(pupil=cast.other_pupil).update(ends_on=D(2030, 9, 1))
    with pytest.raises(ValidationError) as error:
        members.member_add(actor=senco, group=group, pupil=cast.other_pupil, joined_on=AUTUMN[0])
    assert "not on the SEN register" in error_text(error)
    with pytest.raises(PermissionDenied):
        members.member_add(actor=senco, group=group, pupil=cast.other_school_pupil, joined_on=AUTUMN[0])
    with pytest.raises(PermissionDenied):
        members.member_add(actor=actor_for(cast.ta), group=group, pupil=cast.pupil, joined_on=AUTUMN[0])
    assert not GroupMember.objects.filter(group=group).exists()


def test_a_places_commitment_changes_without_touching_the_plan(cast, plan):
    group = make_group(cast)
    senco = actor_for(cast.senco)
    place = members.member_add(actor=senco, group=group, pupil=cast.pupil, joined_on=AUTUMN[0])
    with scopes_disabled():
        second = plan.provisions.order_by("order", "id")[1]
        snapshot = plan.snapshot
    members.member_update(actor=senco, member=place, joined_on=AUTUMN[0], commitment=second.lineage)
    place.refresh_from_db()
    assert place.commitment == second.lineage
    with scopes_disabled():
        plan.refresh_from_db()
    assert plan.snapshot == snapshot
    members.member_update(actor=senco, member=place, joined_on=AUTUMN[0], commitment=None)
    place.refresh_from_db()
    assert place.commitment is None
    assert AuditEvent.objects.filter(action="provision.member.updated").count() == 2


def test_taking_a_pupil_out(cast):
    group = make_group(cast)
    senco = actor_for(cast.senco)
    place = members.member_add(actor=senco, group=group, pupil=cast.pupil, joined_on=D(2030, 9, 9))
    with pytest.raises(ValidationError) as error:
        members.member_remove(actor=senco, member=place, left_on=D(2030, 9, 6))
    assert "on or after the date they joined (9 September 2030)" in error_text(error)
    with pytest.raises(ValidationError):
        members.member_remove(actor=senco, member=place, left_on=D(2031, 1, 6))
    with scopes_disabled():
        session = SessionLog.objects.create(group=group, date=D(2030, 9, 25), status="delivered", logged_by=cast.ta)
        pf.AttendanceFactory(session=session, pupil=cast.pupil)
    with pytest.raises(ValidationError) as error:
        members.member_remove(actor=senco, member=place, left_on=D(2030, 9, 20))
    assert "Attendance is recorded for Zephyrine Quartermaine on 25 September 2030" in error_text(error)
    place.refresh_from_db()
    assert place.left_on is None
    members.member_remove(actor=senco, member=place, left_on=D(2030, 9, 26))
    place.refresh_from_db()
    assert place.left_on == D(2030, 9, 26)
    with pytest.raises(ValidationError) as error:
        members.member_remove(actor=senco, member=place, left_on=D(2030, 9, 27))
    assert "already left" in error_text(error)
    assert AuditEvent.objects.get(action="provision.member.left").pupil_id == cast.pupil.public_id
