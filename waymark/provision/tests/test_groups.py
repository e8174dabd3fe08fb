"""Group services: setting up, changing and ending groups (pupils' places: test_members.py).

Dates are pinned to a school year of our own (2030 to 2031, two terms with the Christmas
holiday between them), and the actor's day to 1 October 2030, so the tests pass on any
day of the year.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent
from waymark.provision import groups, members
from waymark.provision.models import GroupLeader, GroupMember, GroupSlot, InterventionGroup, SessionLog
from waymark.provision.tests import factories as pf
from waymark.tests import factories as f

D = datetime.date
TODAY = D(2030, 10, 1)  # a Tuesday in the autumn term below
AUTUMN = (D(2030, 9, 2), D(2030, 12, 20))
SPRING = (D(2031, 1, 6), D(2031, 3, 28))
NINE_FIFTEEN = datetime.time(9, 15)


def add_terms(school):
    """The 2030 to 2031 school year with an autumn and a spring term (Christmas holiday between)."""
    year = f.AcademicYearFactory(school=school, starts_on=D(2030, 9, 1), ends_on=D(2031, 8, 31), name="2030 to 2031")
    f.TermFactory(academic_year=year, name="Autumn term", starts_on=AUTUMN[0], ends_on=AUTUMN[1])
    f.TermFactory(academic_year=year, name="Spring term", starts_on=SPRING[0], ends_on=SPRING[1])
    return year


def actor_for(user, today=TODAY):
    return Actor.for_user(user, today=today)


def group_fields(cast, **changes):
    fields = {
        "intervention": cast.intervention,
        "name": "Year 8 phonics (Monday)",
        "starts_on": AUTUMN[0],
        "ends_on": AUTUMN[1],
        "slots": {0: NINE_FIFTEEN, 2: NINE_FIFTEEN},
        "leaders": [(cast.ta, cast.staff_role)],
        "room": "Library",
        "funding": "sen_budget",
        **changes,
    }
    return fields


def make_group(cast, actor=None, **changes):
    return groups.group_create(actor=actor or actor_for(cast.senco), **group_fields(cast, **changes))


@pytest.fixture
def terms(cast):
    with scopes_disabled():
        add_terms(cast.school)
        add_terms(cast.other_school)


@pytest.fixture
def in_school(cast, terms):
    with scope(school=[cast.school.pk]):
        yield


def error_text(error):
    return " ".join(str(message) for message in error.value.messages)


# ----- setting up -----


def test_a_group_is_set_up_with_its_days_and_staff(cast, in_school):
    group = make_group(cast, minutes_per_session=None)
    assert group.school == cast.school
    assert group.minutes_per_session == cast.intervention.minutes_per_session  # the intervention's by default
    assert sorted(GroupSlot.objects.filter(group=group).values_list("weekday", flat=True)) == [0, 2]
    leader = GroupLeader.objects.get(group=group)
    assert (leader.user, leader.staff_role) == (cast.ta, cast.staff_role)
    event = AuditEvent.objects.get(action="provision.group.created", target_id=str(group.public_id))
    assert event.data["days"] == [0, 2] and event.actor == cast.senco


def test_holidays_inside_the_dates_are_fine(cast, in_school):
    group = make_group(cast, starts_on=AUTUMN[0], ends_on=SPRING[1])
    assert group.ends_on == SPRING[1]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"starts_on": D(2031, 1, 1), "ends_on": SPRING[1]}, "starts_on", "1 January 2031 is in the school holidays"),
        ({"ends_on": D(2030, 12, 23)}, "ends_on", "23 December 2030 is in the school holidays"),
        ({"starts_on": D(2030, 10, 7), "ends_on": D(2030, 10, 7), "slots": {1: NINE_FIFTEEN}}, "weekdays", "no term"),
        ({"starts_on": D(2031, 9, 8), "ends_on": D(2031, 10, 8)}, "starts_on", "term dates"),
        ({"ends_on": D(2030, 9, 1)}, "ends_on", "on or after the first"),
        ({"slots": {}}, "weekdays", "Choose the days"),
        ({"slots": {5: NINE_FIFTEEN}}, "weekdays", "Monday to Friday"),
        ({"name": "  "}, "name", "Enter a name"),
        ({"minutes_per_session": 2}, "minutes_per_session", "from 5 to"),
        ({"funding": "lottery"}, "funding", "where the money"),
        ({"leaders": []}, "leaders", "Choose who runs"),
    ],
)
def test_bad_groups_are_refused_with_nothing_saved(cast, in_school, changes, field, words):
    before = InterventionGroup.objects.count()
    with pytest.raises(ValidationError) as error:
        make_group(cast, **changes)
    assert field in error.value.message_dict, error.value.message_dict
    assert words.lower() in " ".join(error.value.message_dict[field]).lower()
    assert InterventionGroup.objects.count() == before
    assert not AuditEvent.objects.filter(action="provision.group.created").exists()


def test_the_holiday_message_says_to_choose_a_date_in_term(cast, in_school):
    with pytest.raises(ValidationError) as error:
        make_group(cast, starts_on=D(2031, 1, 1), ends_on=SPRING[1])
    assert error.value.message_dict["starts_on"] == ["1 January 2031 is in the school holidays. Choose a date in term."]


def test_only_the_schools_staff_run_a_group_each_with_a_role(cast, in_school):
    with scopes_disabled():
        other_role = pf.StaffRoleFactory(school=cast.other_school, name="Other school TA")
    for leaders in (
        [(cast.parent, cast.staff_role)],  # not staff
        [(cast.other_senco, cast.staff_role)],  # another school's staff
        [(cast.governor, cast.staff_role)],  # a governor oversees, not delivers
        [(cast.ta, other_role)],  # another school's role
        [(cast.ta, None)],
        [(cast.ta, cast.staff_role), (cast.ta, cast.staff_role)],
    ):
        with pytest.raises(ValidationError) as error:
            make_group(cast, leaders=leaders)
        assert "leaders" in error.value.message_dict, leaders
    assert not InterventionGroup.objects.filter(name="Year 8 phonics (Monday)").exists()


def test_a_school_with_no_staff_roles_is_told_to_add_one(cast, terms):
    with scopes_disabled():
        school = f.SchoolFactory(name="Chalkhill Primary", trust=cast.trust)
        add_terms(school)
        senco = f.MembershipFactory(school=school, roles=["senco"]).user
        intervention = pf.InterventionFactory(school=school)
    with scope(school=[school.pk]), pytest.raises(ValidationError) as error:
        groups.group_create(
            actor=actor_for(senco), **group_fields(cast, intervention=intervention, leaders=[(senco, cast.staff_role)])
        )
    assert "no staff roles yet" in " ".join(error.value.message_dict["leaders"])


def test_interventions_a_group_may_deliver(cast, in_school):
    with scopes_disabled():
        private = pf.InterventionFactory(school=cast.other_school, name="Brookfield private")
        shared = pf.InterventionFactory(school=cast.other_school, name="Brookfield shared", shared_with_trust=True)
        archived = pf.InterventionFactory(school=cast.school, name="Old programme", is_archived=True)
    for intervention in (private, archived):
        with pytest.raises(ValidationError) as error:
            make_group(cast, intervention=intervention)
        assert "intervention" in error.value.message_dict
    group = make_group(cast, intervention=shared)
    assert group.intervention == shared


def test_only_managers_set_up_groups(cast, in_school):
    for who in ("ta", "teacher", "head", "trust_lead"):
        with pytest.raises(PermissionDenied):
            make_group(cast, actor=actor_for(getattr(cast, who)))
    assert not InterventionGroup.objects.filter(name="Year 8 phonics (Monday)").exists()


def test_two_groups_of_one_name_cannot_run_at_once(cast, in_school):
    make_group(cast)
    with pytest.raises(ValidationError) as error:
        make_group(cast, name="year 8 PHONICS (monday)")
    assert "runs at the same time" in error_text(error)
    # The same name in another term is fine: groups recur.
    make_group(cast, starts_on=SPRING[0], ends_on=SPRING[1])


# ----- changing a group -----


def test_a_group_is_changed_and_a_stale_change_refused(cast, in_school):
    group = make_group(cast)
    version = group.lock_version
    groups.group_update(
        actor=actor_for(cast.senco),
        group=group,
        expected_version=version,
        name="Phonics (Wednesday)",
        slots={2: datetime.time(13, 30)},
        leaders=[(cast.teacher, cast.staff_role)],
    )
    group.refresh_from_db()
    assert group.name == "Phonics (Wednesday)"
    assert list(GroupSlot.objects.filter(group=group).values_list("weekday", "starts_at")) == [
        (2, datetime.time(13, 30))
    ]
    assert list(GroupLeader.objects.filter(group=group).values_list("user", flat=True)) == [cast.teacher.pk]
    with pytest.raises(ValidationError) as error:
        groups.group_update(actor=actor_for(cast.senco), group=group, expected_version=version, name="Stale")
    assert error.value.code == "stale"
    group.refresh_from_db()
    assert group.name == "Phonics (Wednesday)"


def test_pupils_who_joined_at_the_first_session_move_with_it(cast, in_school):
    group = make_group(cast)
    senco = actor_for(cast.senco)
    first = members.member_add(actor=senco, group=group, pupil=cast.pupil, joined_on=AUTUMN[0])
    later = members.member_add(actor=senco, group=group, pupil=cast.other_pupil, joined_on=D(2030, 9, 9))
    with pytest.raises(ValidationError) as error:
        groups.group_update(actor=senco, group=group, expected_version=group.lock_version, starts_on=D(2030, 9, 16))
    assert "Oswin Blackthorn joined the group on 9 September 2030" in error_text(error)
    first.refresh_from_db()
    assert first.joined_on == AUTUMN[0]  # nothing changed
    members.member_remove(actor=senco, member=later, left_on=D(2030, 9, 10))
    later.refresh_from_db()
    with pytest.raises(ValidationError):
        # Oswin's place (9 to 10 September) would lie wholly before the new first session.
        groups.group_update(actor=senco, group=group, expected_version=group.lock_version, starts_on=D(2030, 9, 16))
    later.delete()
    groups.group_update(actor=senco, group=group, expected_version=group.lock_version, starts_on=D(2030, 9, 16))
    first.refresh_from_db()
    assert first.joined_on == D(2030, 9, 16)


def test_dates_must_keep_logged_sessions_and_the_intervention_stays_once_sessions_are_logged(cast, in_school):
    group = make_group(cast)
    with scopes_disabled():
        SessionLog.objects.create(group=group, date=D(2030, 9, 4), status="delivered", logged_by=cast.ta)
        other = pf.InterventionFactory(school=cast.school, name="Spelling")
    senco = actor_for(cast.senco)
    with pytest.raises(ValidationError) as error:
        groups.group_update(actor=senco, group=group, expected_version=group.lock_version, starts_on=D(2030, 9, 9))
    assert "A session is logged on 4 September 2030" in error_text(error)
    with pytest.raises(ValidationError) as error:
        groups.group_update(actor=senco, group=group, expected_version=group.lock_version, intervention=other)
    assert "cannot change" in error_text(error)


def test_another_schools_group_cannot_be_changed(cast, terms):
    with scope(school=[cast.school.pk]):
        group = make_group(cast)
    with scope(school=[cast.other_school.pk]), pytest.raises(PermissionDenied):
        groups.group_update(
            actor=actor_for(cast.other_senco), group=group, expected_version=group.lock_version, name="Mine now"
        )


# ----- ending a group -----


def test_ending_a_group_early_closes_its_places(cast, in_school):
    group = make_group(cast)
    senco = actor_for(cast.senco)
    place = members.member_add(actor=senco, group=group, pupil=cast.pupil, joined_on=AUTUMN[0])
    future = members.member_add(actor=senco, group=group, pupil=cast.other_pupil, joined_on=D(2030, 11, 4))
    groups.group_end(actor=senco, group=group, ends_on=D(2030, 9, 30), expected_version=group.lock_version)
    group.refresh_from_db()
    place.refresh_from_db()
    assert group.ends_on == D(2030, 9, 30) and group.ended_at is not None
    assert place.left_on == D(2030, 9, 30)
    assert not GroupMember.objects.filter(pk=future.pk).exists()  # never began: cancelled
    assert AuditEvent.objects.filter(action="provision.group.ended").count() == 1
    assert AuditEvent.objects.filter(action="provision.member.left", pupil_id=cast.pupil.public_id).count() == 1
    # An ended group changes no more.
    with pytest.raises(ValidationError):
        groups.group_update(actor=senco, group=group, expected_version=group.lock_version, name="Again")
    with pytest.raises(ValidationError):
        members.member_add(actor=senco, group=group, pupil=cast.other_pupil, joined_on=AUTUMN[0])


@pytest.mark.parametrize(
    ("ends_on", "words"),
    [
        (D(2030, 10, 2), "today or an earlier date"),  # after the actor's day
        (D(2030, 8, 30), "cannot be before the first"),
        (D(2031, 1, 10), "already ends on"),
    ],
)
def test_bad_end_dates_are_refused(cast, in_school, ends_on, words):
    group = make_group(cast)
    with pytest.raises(ValidationError) as error:
        groups.group_end(actor=actor_for(cast.senco), group=group, ends_on=ends_on)
    assert words in error_text(error)
    group.refresh_from_db()
    assert group.ended_at is None and group.ends_on == AUTUMN[1]


def test_a_group_cannot_end_before_a_logged_session(cast, in_school):
    group = make_group(cast)
    with scopes_disabled():
        SessionLog.objects.create(group=group, date=D(2030, 9, 30), status="delivered", logged_by=cast.ta)
    with pytest.raises(ValidationError) as error:
        groups.group_end(actor=actor_for(cast.senco), group=group, ends_on=D(2030, 9, 25))
    assert "logged on 30 September 2030" in error_text(error)
