"""School services: school time, the year-end rollover, staff invitations and memberships."""

import datetime
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from waymark.accounts.models import User
from waymark.core.actor import Actor
from waymark.core.models import AuditEvent
from waymark.pupils.models import Enrolment, Pupil
from waymark.pupils.selectors import pupil_filter
from waymark.schools import services
from waymark.schools.models import AcademicYear, ClassGroup, GroupStaff, Membership, StaffInvitation
from waymark.tests import factories as f
from waymark.tests.helpers import fingerprint

TODAY = datetime.date.today()


@pytest.fixture
def in_school(cast):
    with scope(school=[cast.school.pk]):
        yield


def fresh(obj):
    with scopes_disabled():
        return type(obj)._base_manager.get(pk=obj.pk)


def reached(actor):
    with scopes_disabled():
        return set(Pupil.objects.filter(pupil_filter(actor, "view")).values_list("pk", flat=True))


# ----- audit: one event per write -----


def _writes(c, actor):
    year_start = c.year.starts_on.year
    return {
        "schools.academic_year.created": lambda: services.academic_year_create(
            actor=actor,
            school=c.school,
            name="Later",
            starts_on=datetime.date(year_start + 2, 9, 1),
            ends_on=datetime.date(year_start + 3, 8, 31),
        ),
        "schools.term.created": lambda: services.term_create(
            actor=actor,
            academic_year=c.year,
            name="Spring term",
            starts_on=datetime.date(year_start + 1, 1, 5),
            ends_on=datetime.date(year_start + 1, 3, 27),
        ),
        "schools.rollover.applied": lambda: (
            f.AcademicYearFactory(school=c.school, offset=1),
            services.rollover_apply(actor=actor, school=c.school, from_year=fresh(c.year)),
        ),
        "schools.invitation.sent": lambda: services.staff_invite(
            actor=actor, school=c.school, email="new@example.test", full_name="New Person", roles=["teacher"]
        ),
        "schools.membership.updated": lambda: services.membership_update(
            actor=actor,
            membership=fresh(c.teacher_membership),
            roles=["teacher", "ta"],
            year_groups=[],
            expected_version=0,
        ),
        "schools.group.created": lambda: services.class_group_create(
            actor=actor, school=c.school, academic_year=c.year, kind="teaching", name="8x/Ma1", subject="Maths"
        ),
        "schools.group_staff.added": lambda: services.group_staff_add(
            actor=actor, group=c.other_class_group, user=c.teacher, kind="teacher"
        ),
    }


WRITE_CODES = [
    "schools.academic_year.created",
    "schools.term.created",
    "schools.rollover.applied",
    "schools.invitation.sent",
    "schools.membership.updated",
    "schools.group.created",
    "schools.group_staff.added",
]


@pytest.mark.parametrize("code", WRITE_CODES)
@pytest.mark.parametrize("who", ["senco", "head"])
def test_each_write_leaves_exactly_one_audit_event(cast, in_school, code, who):
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    _writes(cast, Actor.for_user(getattr(cast, who)))[code]()
    new = list(AuditEvent.objects.exclude(pk__in=before))
    assert [event.action for event in new] == [code]
    assert new[0].school == cast.school
    assert new[0].actor == getattr(cast, who)


@pytest.mark.parametrize("code", WRITE_CODES)
@pytest.mark.parametrize("who", ["dsl", "teacher", "governor", "trust_lead", "parent", "other_senco"])
def test_services_check_permission_again(cast, code, who):
    f.AcademicYearFactory(school=cast.school, offset=1)
    before = fingerprint()
    with scope(school=[cast.school.pk, cast.other_school.pk]), pytest.raises(PermissionDenied):
        _writes(cast, Actor.for_user(getattr(cast, who)))[code]()
    assert fingerprint() == before


def test_group_staff_must_be_a_member_of_the_school(cast):
    with scope(school=[cast.school.pk]), pytest.raises(PermissionDenied):
        services.group_staff_add(
            actor=Actor.for_user(cast.senco), group=cast.class_group, user=cast.other_senco, kind="teacher"
        )


def test_a_duplicate_group_name_is_refused(cast, in_school):
    with pytest.raises(ValidationError, match="already a class or group with this name"):
        services.class_group_create(
            actor=Actor.for_user(cast.senco),
            school=cast.school,
            academic_year=cast.year,
            kind="registration",
            name="8a",
        )


# ----- the year-end rollover -----


@pytest.fixture
def rollover(cast):
    """School A at the end of this year: next year exists, a Year 11 leaver, and staff and classes that ran on."""
    with scopes_disabled():
        c = cast
        c.next_year = f.AcademicYearFactory(school=c.school, offset=1)
        c.leaver = f.PupilFactory(school=c.school, legal_forename="Lionel", legal_surname="Leaver", year_group=11)
        c.left_already = f.PupilFactory(
            school=c.school,
            legal_forename="Gone",
            legal_surname="Before",
            year_group=10,
            date_left=c.year.starts_on + datetime.timedelta(days=20),
        )
        # Dates that ran past the end of the year (typed in by hand, or an import): rollover closes them.
        late = c.next_year.starts_on + datetime.timedelta(days=90)
        GroupStaff.objects.filter(group=c.class_group).update(ends_on=late)
        Enrolment.objects.filter(group=c.class_group).update(ends_on=late)
    return c


def year_groups():
    with scopes_disabled():
        return dict(Pupil.objects.values_list("legal_surname", "year_group"))


def test_rollover_preview_changes_nothing(rollover):
    c = rollover
    before = fingerprint()
    with scope(school=[c.school.pk]):
        plan = services.rollover_preview(actor=Actor.for_user(c.senco), school=c.school, from_year=c.year)
    assert fingerprint() == before
    assert plan.can_apply
    assert plan.to_year == c.next_year
    assert plan.moving_up == {8: 1, 9: 1}
    assert [p.legal_surname for p in plan.leavers] == ["Leaver"]
    assert plan.enrolments_to_close == 1
    assert plan.staff_to_close == 2  # the teacher and the TA of 8A


def test_rollover_apply_moves_up_records_leavers_and_closes_last_year(rollover):
    c = rollover
    with scope(school=[c.school.pk]):
        services.rollover_apply(actor=Actor.for_user(c.senco), school=c.school, from_year=c.year)
    groups = year_groups()
    assert groups["Quartermaine"] == 9
    assert groups["Blackthorn"] == 10
    assert groups["Leaver"] == 11  # stays in Year 11, now as a leaver
    assert groups["Before"] == 10  # had already left: not moved
    assert groups["Featherstone"] == 8  # another school: untouched
    assert fresh(c.leaver).date_left == c.year.ends_on
    assert fresh(c.pupil).date_left is None
    assert fresh(c.pupil).lock_version == 1  # an edit form opened before the rollover is now stale
    with scopes_disabled():
        assert set(GroupStaff.objects.filter(group__academic_year=c.year).values_list("ends_on", flat=True)) == {
            c.year.ends_on
        }
        assert set(Enrolment.objects.filter(group__academic_year=c.year).values_list("ends_on", flat=True)) == {
            c.year.ends_on
        }
        # last year's class was already closed; nothing of the other school changed
        assert GroupStaff.objects.get(group=c.last_year_class).ends_on == c.last_year.ends_on
        event = AuditEvent.objects.get(action="schools.rollover.applied")
    assert event.data == {"moved_up": 2, "leavers": 1}
    assert fresh(c.year).rolled_over_at is not None


def test_rollover_cannot_run_twice(rollover):
    c = rollover
    actor = Actor.for_user(c.senco)
    with scope(school=[c.school.pk]):
        services.rollover_apply(actor=actor, school=c.school, from_year=fresh(c.year))
        before = fingerprint()
        with pytest.raises(ValidationError, match="already been rolled over"):
            services.rollover_apply(actor=actor, school=c.school, from_year=fresh(c.year))
        plan = services.rollover_preview(actor=actor, school=c.school, from_year=fresh(c.year))
    assert not plan.can_apply
    assert fingerprint() == before
    assert year_groups()["Quartermaine"] == 9


def test_rollover_needs_next_year(cast, in_school):
    with pytest.raises(ValidationError, match="Add next school year before rolling over"):
        services.rollover_apply(actor=Actor.for_user(cast.senco), school=cast.school, from_year=cast.year)


def test_rollover_through_the_page(rollover, client_for):
    c = rollover
    client = client_for(c.senco)
    url = reverse("schools:rollover-form", args=[c.year.public_id])
    before = fingerprint()
    preview = client.get(url)
    assert preview.status_code == 200
    assert "Leaver" in preview.content.decode()
    assert fingerprint() == before  # the preview page writes nothing
    assert client.post(url, {"confirm": "on"}).status_code == 302
    assert year_groups()["Quartermaine"] == 9


def test_on_1_september_last_years_teacher_no_longer_sees_last_years_class(rollover):
    c = rollover
    last_day, first_day = c.year.ends_on, c.next_year.starts_on
    # Before the rollover, dates that ran on would let 8A's staff keep seeing 8A into next year.
    assert c.pupil.pk in reached(Actor.for_user(c.teacher, today=first_day))
    with scope(school=[c.school.pk]):
        services.rollover_apply(actor=Actor.for_user(c.senco), school=c.school, from_year=c.year)
    for user in (c.teacher, c.ta):
        assert c.pupil.pk in reached(Actor.for_user(user, today=last_day))
        assert reached(Actor.for_user(user, today=first_day)) == set()
    # A senco still reaches every pupil on 1 September.
    assert c.pupil.pk in reached(Actor.for_user(c.senco, today=first_day))


def test_without_dates_that_ran_on_a_teacher_stops_on_31_august(cast):
    next_start = f.school_year_bounds(offset=1)[0]
    assert cast.pupil.pk in reached(Actor.for_user(cast.teacher, today=cast.year.ends_on))
    assert reached(Actor.for_user(cast.teacher, today=next_start)) == set()


# ----- school time -----


def test_school_years_cannot_overlap(cast, in_school):
    with pytest.raises(ValidationError, match="overlaps"):
        services.academic_year_create(
            actor=Actor.for_user(cast.senco),
            school=cast.school,
            name="Overlap",
            starts_on=cast.year.starts_on + datetime.timedelta(days=40),
            ends_on=cast.year.ends_on + datetime.timedelta(days=40),
        )


def test_a_school_year_must_end_after_it_starts(cast, in_school):
    with pytest.raises(ValidationError, match="The last day must be after the first day"):
        services.academic_year_create(
            actor=Actor.for_user(cast.senco),
            school=cast.school,
            name="Backwards",
            starts_on=datetime.date(2040, 9, 1),
            ends_on=datetime.date(2040, 8, 31),
        )


def test_terms_fall_within_their_year_and_do_not_overlap(cast, in_school):
    actor = Actor.for_user(cast.senco)
    with pytest.raises(ValidationError, match="A term must fall within the school year"):
        services.term_create(
            actor=actor,
            academic_year=cast.year,
            name="Late",
            starts_on=cast.year.ends_on - datetime.timedelta(days=5),
            ends_on=cast.year.ends_on + datetime.timedelta(days=5),
        )
    with pytest.raises(ValidationError, match="This term overlaps Autumn term"):
        services.term_create(
            actor=actor,
            academic_year=cast.year,
            name="Overlap",
            starts_on=cast.term.starts_on + datetime.timedelta(days=5),
            ends_on=cast.term.ends_on + datetime.timedelta(days=5),
        )


# ----- staff invitations -----


def with_scope(accept):
    """``invitation_accept`` runs in the invitation's own school scope, which its caller opens."""

    def run(*, invitation, user):
        with scope(school=[invitation.school_id]):
            return accept(invitation=invitation, user=user)

    return run


def invite(c, email="new.teacher@example.test", roles=("teacher",), who="senco", **kwargs):
    with scope(school=[c.school.pk]):
        return services.staff_invite(
            actor=Actor.for_user(getattr(c, who)),
            school=c.school,
            email=email,
            full_name="New Teacher",
            roles=list(roles),
            **kwargs,
        )


def test_the_token_is_stored_only_as_a_hash(cast):
    invitation, token = invite(cast)
    assert len(token) >= 40
    stored = fresh(invitation)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    with scopes_disabled():
        row = StaffInvitation.objects.filter(pk=invitation.pk).values().get()
    assert token not in {str(value) for value in row.values()}


def test_the_invitation_email_is_sent_after_commit(cast, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invite(cast, email="  New.Teacher@Example.TEST ")
    assert fresh(invitation).email == "new.teacher@example.test"
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["new.teacher@example.test"]
    assert reverse("schools:invitation-accept", kwargs={"token": token}) in message.body
    assert cast.school.name in message.subject


def test_a_token_works_once(cast):
    invitation, token = invite(cast)
    user = f.UserFactory(email="new.teacher@example.test")
    found = services.invitation_for_token(token)
    assert found == invitation
    accept = with_scope(services.invitation_accept)
    membership = accept(invitation=found, user=user)
    assert membership.roles == ["teacher"]
    assert fresh(invitation).accepted_at is not None
    assert services.invitation_for_token(token) is None
    with pytest.raises(ValidationError, match="already been used or has expired"):
        accept(invitation=found, user=user)
    with scopes_disabled():
        assert Membership.objects.filter(user=user).count() == 1
        assert AuditEvent.objects.filter(action="schools.invitation.accepted").count() == 1


def test_an_expired_token_is_refused(cast):
    invitation, token = invite(cast)
    with scopes_disabled():
        StaffInvitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - datetime.timedelta(minutes=1)
        )
    assert services.invitation_for_token(token) is None
    user = f.UserFactory(email="new.teacher@example.test")
    with pytest.raises(ValidationError, match="already been used or has expired"):
        with_scope(services.invitation_accept)(invitation=fresh(invitation), user=user)
    with scopes_disabled():
        assert not Membership.objects.filter(user=user).exists()


def test_an_unknown_token_opens_nothing(cast):
    invite(cast)
    assert services.invitation_for_token("not-a-token") is None


def test_the_wrong_email_is_refused(cast):
    invitation, _ = invite(cast)
    with pytest.raises(ValidationError, match="sent to a different email address"):
        with_scope(services.invitation_accept)(invitation=invitation, user=cast.teacher)
    assert fresh(invitation).accepted_at is None
    assert fresh(cast.teacher_membership).roles == ["teacher"]


def test_an_invitation_can_add_a_second_school(cast):
    with scope(school=[cast.other_school.pk]):
        _, token = services.staff_invite(
            actor=Actor.for_user(cast.other_senco),
            school=cast.other_school,
            email=cast.teacher.email,
            full_name=cast.teacher.full_name,
            roles=["ta"],
        )
    with_scope(services.invitation_accept)(invitation=services.invitation_for_token(token), user=cast.teacher)
    with scopes_disabled():
        assert set(Membership.objects.filter(user=cast.teacher).values_list("school__name", flat=True)) == {
            "Ashdown Academy",
            "Brookfield School",
        }


def test_invitation_checks(cast):
    with pytest.raises(ValidationError, match="already a member of staff"):
        invite(cast, email=cast.ta.email.upper())
    with pytest.raises(ValidationError, match="Choose roles from the list"):
        invite(cast, roles=["wizard"])
    with pytest.raises(ValidationError, match="Choose at least one role"):
        invite(cast, roles=[])
    with pytest.raises(ValidationError, match="Choose the year groups a head of year leads"):
        invite(cast, roles=["head_of_year"])
    invitation, _ = invite(cast, roles=["head_of_year"], year_groups=["7", "8"])
    assert fresh(invitation).year_groups == [7, 8]


def test_only_administrators_give_leadership_roles(cast):
    f.MembershipFactory(user=f.UserFactory(email="deputy@example.test"), school=cast.school, roles=["deputy_senco"])
    deputy = User.objects.get(email="deputy@example.test")
    cast.deputy = deputy
    with pytest.raises(ValidationError, match="Only the SENCO or headteacher can give leadership roles"):
        invite(cast, roles=["senco"], who="deputy")
    invite(cast, roles=["teacher"], who="deputy")  # a deputy SENCO may invite teachers
    invite(cast, email="new.head@example.test", roles=["head"], who="head")


def test_accepting_through_the_page_makes_an_account_once(cast, client_for):
    _, token = invite(cast)
    url = reverse("schools:invitation-accept", kwargs={"token": token})
    client = client_for(None)
    assert client.get(url).status_code == 200
    response = client.post(url, {"full_name": "Nia New", "password": "a long enough passphrase here"})
    assert response.status_code == 302
    with scopes_disabled():
        user = User.objects.get(email="new.teacher@example.test")
        assert Membership.objects.get(user=user).school == cast.school
    assert client.get(reverse("core:home")).status_code == 200  # signed in
    again = client_for(None)
    assert again.get(url).status_code == 404
    assert again.post(url, {"full_name": "Someone Else", "password": "another long passphrase"}).status_code == 404


def test_an_expired_link_page_is_missing(cast, client_for):
    invitation, token = invite(cast)
    with scopes_disabled():
        StaffInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(days=1))
    response = client_for(None).get(reverse("schools:invitation-accept", kwargs={"token": token}))
    assert response.status_code == 404


def test_an_existing_account_accepts_only_when_signed_in_as_itself(cast, client_for):
    existing = f.UserFactory(email="returning@example.test", full_name="Rita Returning")
    _, token = invite(cast, email="returning@example.test")
    url = reverse("schools:invitation-accept", kwargs={"token": token})
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")
    assert client_for(cast.teacher).post(url).status_code == 404  # someone else's invitation
    assert client_for(existing).post(url).status_code == 302
    with scopes_disabled():
        assert Membership.objects.get(user=existing).roles == ["teacher"]
        assert Membership.objects.get(user=cast.teacher).roles == ["teacher"]


# ----- memberships -----


def test_the_senco_cannot_remove_their_own_senco_role(cast, in_school):
    with pytest.raises(ValidationError, match="You cannot remove your own SENCO role"):
        services.membership_update(
            actor=Actor.for_user(cast.senco),
            membership=fresh(cast.senco_membership),
            roles=["teacher"],
            year_groups=[],
            expected_version=0,
        )


def test_ending_a_membership_ends_access_after_that_day(cast, in_school):
    services.membership_update(
        actor=Actor.for_user(cast.head),
        membership=fresh(cast.teacher_membership),
        roles=["teacher"],
        year_groups=[],
        ends_on=TODAY,
        expected_version=0,
    )
    assert Actor.for_user(cast.teacher).membership is not None
    tomorrow = Actor.for_user(cast.teacher, today=TODAY + datetime.timedelta(days=1))
    assert tomorrow.membership is None
    assert reached(tomorrow) == set()


def test_class_groups_are_per_school_year(cast, in_school):
    assert ClassGroup.objects.filter(academic_year=cast.year).count() == 2
    assert AcademicYear.objects.filter(school=cast.school).count() == 2


def test_an_edit_form_opened_before_the_rollover_is_stale_for_a_leaver(rollover, client_for):
    from waymark.tests.helpers import pupil_post_data

    c = rollover
    client = client_for(c.senco)
    url = reverse("pupils:pupil-edit", args=[c.leaver.public_id])
    opened = pupil_post_data(fresh(c.leaver), pronouns="he/him")  # the form as it was opened
    with scope(school=[c.school.pk]):
        services.rollover_apply(actor=Actor.for_user(c.senco), school=c.school, from_year=c.year)
    client.post(url, opened)
    assert fresh(c.leaver).date_left == c.year.ends_on
