"""Pupil services: permission checked again, validation in plain English, one audit event per write."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent
from waymark.core.services import STALE_MESSAGE
from waymark.pupils import services
from waymark.pupils.models import Enrolment, Need, NeedType, ParentLink, Pupil, SenStatus
from waymark.tests import factories as f
from waymark.tests.helpers import fingerprint

TODAY = datetime.date.today()


@pytest.fixture
def in_school(cast):
    """Run in School A's scope, as a request from its staff would."""
    with scope(school=[cast.school.pk]):
        yield


def fresh(obj):
    with scopes_disabled():
        return type(obj)._base_manager.get(pk=obj.pk)


def new_pupil_fields(**changes):
    fields = {
        "upn": "W935212318001",
        "legal_forename": "Amira",
        "legal_surname": "Example",
        "date_of_birth": datetime.date(2015, 3, 14),
        "year_group": 6,
        "sex": "F",
        "date_joined": datetime.date(2019, 9, 1),
    }
    fields.update(changes)
    return fields


def _writes(c, actor):
    """Each successful write, as (audit code, callable)."""
    asd, spld = NeedType.objects.get(code="ASD"), NeedType.objects.get(code="SPLD")
    return {
        "pupils.pupil.created": lambda: services.pupil_create(actor=actor, school=c.school, **new_pupil_fields()),
        "pupils.pupil.updated": lambda: services.pupil_update(
            actor=actor, pupil=fresh(c.pupil), expected_version=0, preferred_name="Zeph"
        ),
        "pupils.sen_status.changed": lambda: services.sen_status_change(
            actor=actor, pupil=fresh(c.pupil), provision="E", tier="specialist", starts_on=TODAY, expected_version=0
        ),
        "pupils.need.added": lambda: services.need_add(actor=actor, pupil=fresh(c.pupil), need_type=spld, rank=2),
        "pupils.need.updated": lambda: services.need_update(
            actor=actor, need=fresh(c.need), expected_version=0, need_type=asd, description="Changed"
        ),
        "pupils.need.ended": lambda: services.need_end(
            actor=actor, need=fresh(c.need), ends_on=TODAY, expected_version=0
        ),
        "pupils.parent_link.created": lambda: services.parent_link_create(
            actor=actor, pupil=fresh(c.pupil), user=f.UserFactory(), relationship="guardian"
        ),
        "pupils.parent_link.updated": lambda: services.parent_link_update(
            actor=actor, link=fresh(c.parent_link), expected_version=0, status="suspended", status_reason="Court order"
        ),
        "pupils.enrolment.added": lambda: services.enrolment_add(
            actor=actor, pupil=fresh(c.pupil), group=c.other_class_group
        ),
    }


WRITE_CODES = [
    "pupils.pupil.created",
    "pupils.pupil.updated",
    "pupils.sen_status.changed",
    "pupils.need.added",
    "pupils.need.updated",
    "pupils.need.ended",
    "pupils.parent_link.created",
    "pupils.parent_link.updated",
    "pupils.enrolment.added",
]


@pytest.mark.parametrize("code", WRITE_CODES)
def test_each_write_leaves_exactly_one_audit_event(cast, in_school, code):
    actor = Actor.for_user(cast.senco)
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    _writes(cast, actor)[code]()
    new = list(AuditEvent.objects.exclude(pk__in=before))
    assert [event.action for event in new] == [code]
    event = new[0]
    assert event.actor == cast.senco
    assert event.school == cast.school
    if code != "pupils.pupil.created":
        assert event.pupil_id == cast.pupil.public_id


REFUSED = [
    pytest.param(who, code, id=f"{who}-{code}")
    for who in ("teacher", "dsl", "head", "head_of_year", "governor", "parent", "specialist")
    for code in WRITE_CODES
    # Heads invite (test_a_head_may_link_a_parent); the DSL restricts links (test_dsl_can_restrict_a_parent_link).
    if (who, code) not in {("head", "pupils.parent_link.created"), ("dsl", "pupils.parent_link.updated")}
]


@pytest.mark.parametrize(("who", "code"), REFUSED)
def test_services_check_permission_again(cast, in_school, who, code):
    actor = Actor.for_user(getattr(cast, who))
    before = fingerprint()
    with pytest.raises(PermissionDenied):
        _writes(cast, actor)[code]()
    assert fingerprint() == before


@pytest.mark.parametrize("code", WRITE_CODES)
def test_another_schools_senco_is_refused_even_with_both_scopes_open(cast, code):
    actor = Actor.for_user(cast.other_senco)
    before = fingerprint()
    with scope(school=[cast.school.pk, cast.other_school.pk]), pytest.raises(PermissionDenied):
        _writes(cast, actor)[code]()
    assert fingerprint() == before


def test_a_system_actor_reaches_one_school_only(cast):
    actor = Actor.system(cast.school)
    with scope(school=[cast.school.pk]):
        services.pupil_update(actor=actor, pupil=fresh(cast.pupil), expected_version=0, pronouns="she/her")
    with scope(school=[cast.school.pk, cast.other_school.pk]), pytest.raises(PermissionDenied):
        services.pupil_update(actor=actor, pupil=fresh(cast.other_school_pupil), expected_version=0, pronouns="x")


# ----- validation -----


def test_pupil_create_refuses_a_bad_check_letter(cast, in_school):
    actor = Actor.for_user(cast.senco)
    with pytest.raises(ValidationError) as caught:
        services.pupil_create(actor=actor, school=cast.school, **new_pupil_fields(upn="A935212318001"))
    assert "check letter does not match" in caught.value.message_dict["upn"][0]
    assert not Pupil.objects.filter(legal_forename="Amira").exists()


def test_pupil_create_refuses_a_duplicate_upn_and_a_duplicate_child_without_one(cast, in_school):
    actor = Actor.for_user(cast.senco)
    services.pupil_create(actor=actor, school=cast.school, **new_pupil_fields())
    with pytest.raises(ValidationError, match="already has this UPN"):
        services.pupil_create(actor=actor, school=cast.school, **new_pupil_fields(legal_forename="Other"))
    services.pupil_create(actor=actor, school=cast.school, **new_pupil_fields(upn="", legal_forename="Noupn"))
    with pytest.raises(ValidationError, match="already on roll"):
        services.pupil_create(actor=actor, school=cast.school, **new_pupil_fields(upn="", legal_forename="NOUPN"))


def test_the_same_upn_may_be_at_another_school(cast):
    with scope(school=[cast.other_school.pk]):
        services.pupil_create(
            actor=Actor.for_user(cast.other_senco), school=cast.other_school, **new_pupil_fields(upn=cast.pupil.upn)
        )


def test_pupil_create_refuses_a_bad_opening_status(cast, in_school):
    actor = Actor.for_user(cast.senco)
    with pytest.raises(ValidationError) as caught:
        services.pupil_create(actor=actor, school=cast.school, provision="E", tier="targeted", **new_pupil_fields())
    assert caught.value.message_dict["tier"] == ["A pupil with an EHC plan is in the specialist tier."]


@pytest.mark.parametrize(
    ("provision", "tier", "field", "message"),
    [
        ("E", "targeted", "tier", "A pupil with an EHC plan is in the specialist tier."),
        ("E", "universal", "tier", "A pupil with an EHC plan is in the specialist tier."),
        ("K", "specialist", "tier", "The specialist tier is for pupils with an EHC plan (provision E)."),
        ("N", "specialist", "tier", "The specialist tier is for pupils with an EHC plan (provision E)."),
        ("K", "universal", "tier", "SEN support (provision K) goes with the targeted or targeted plus tier."),
        ("S", "specialist", "provision", "Legacy codes S, A and P can only be kept as history"),
    ],
)
def test_sen_status_change_refuses_a_tier_that_does_not_fit(cast, in_school, provision, tier, field, message):
    before = fingerprint()
    with pytest.raises(ValidationError) as caught:
        services.sen_status_change(
            actor=Actor.for_user(cast.senco),
            pupil=fresh(cast.pupil),
            provision=provision,
            tier=tier,
            starts_on=TODAY,
            expected_version=0,
        )
    assert message in caught.value.message_dict[field][0]
    assert fingerprint() == before  # the version bump and the closing of the old status rolled back


def test_sen_status_change_keeps_one_open_status(cast, in_school):
    actor = Actor.for_user(cast.senco)
    services.sen_status_change(
        actor=actor, pupil=fresh(cast.pupil), provision="E", tier="specialist", starts_on=TODAY, expected_version=0
    )
    with pytest.raises(ValidationError, match="already the pupil's current provision and tier"):
        services.sen_status_change(
            actor=actor,
            pupil=fresh(cast.pupil),
            provision="E",
            tier="specialist",
            starts_on=TODAY + datetime.timedelta(days=1),
            expected_version=1,
        )
    assert SenStatus.objects.filter(pupil=cast.pupil, ends_on__isnull=True).count() == 1


def test_the_database_refuses_a_second_open_status_and_an_open_legacy_code(cast):
    with scopes_disabled():
        with pytest.raises(IntegrityError), transaction.atomic():
            SenStatus.objects.create(pupil=cast.pupil, provision="E", tier="specialist", starts_on=TODAY)
        with pytest.raises(IntegrityError), transaction.atomic():
            SenStatus.objects.create(pupil=cast.other_school_pupil, provision="S", tier="specialist", starts_on=TODAY)


def test_the_database_refuses_two_open_needs_of_one_rank(cast):
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        Need.objects.create(pupil=cast.pupil, need_type=NeedType.objects.get(code="SPLD"), rank=1)


def test_a_stale_save_is_refused_and_changes_nothing(cast, in_school):
    actor = Actor.for_user(cast.senco)
    services.pupil_update(actor=actor, pupil=fresh(cast.pupil), expected_version=0, preferred_name="First")
    before = fingerprint()
    with pytest.raises(ValidationError) as caught:
        services.pupil_update(actor=actor, pupil=fresh(cast.pupil), expected_version=0, preferred_name="Second")
    assert caught.value.messages == [str(STALE_MESSAGE)]
    assert fingerprint() == before
    assert fresh(cast.pupil).preferred_name == "First"


def test_need_end_before_it_was_identified(cast, in_school):
    actor = Actor.for_user(cast.senco)
    need = services.need_add(
        actor=actor,
        pupil=fresh(cast.pupil),
        need_type=NeedType.objects.get(code="SPLD"),
        rank=2,
        starts_on=TODAY,
    )
    with pytest.raises(ValidationError, match="after the date the need was identified"):
        services.need_end(actor=actor, need=need, ends_on=TODAY - datetime.timedelta(days=1), expected_version=0)


def test_a_head_may_link_a_parent(cast, in_school):
    link = services.parent_link_create(
        actor=Actor.for_user(cast.head), pupil=fresh(cast.pupil), user=f.UserFactory(), relationship="father"
    )
    assert fresh(link).status == "active"


def test_a_parent_is_linked_once(cast, in_school):
    with pytest.raises(ValidationError, match="already linked"):
        services.parent_link_create(
            actor=Actor.for_user(cast.senco), pupil=fresh(cast.pupil), user=cast.parent, relationship="mother"
        )


def test_reactivating_a_link_clears_the_reason(cast, in_school):
    link = services.parent_link_update(
        actor=Actor.for_user(cast.senco), link=fresh(cast.restricted_link), expected_version=0, status="active"
    )
    assert fresh(link).status_reason == ""
    assert Actor.for_user(cast.parent2).is_parent


def test_enrolment_in_another_schools_class_is_refused(cast):
    with scope(school=[cast.school.pk, cast.other_school.pk]), pytest.raises(PermissionDenied):
        services.enrolment_add(actor=Actor.for_user(cast.senco), pupil=fresh(cast.pupil), group=cast.other_school_class)


def test_a_pupil_has_one_registration_class_at_a_time(cast, in_school):
    services.enrolment_add(actor=Actor.for_user(cast.senco), pupil=fresh(cast.pupil), group=cast.other_class_group)
    current = Enrolment.objects.filter(
        pupil=cast.pupil, group__kind="registration", starts_on__lte=TODAY, ends_on__gte=TODAY
    )
    assert [e.group.name for e in current] == ["9B"]


# ----- the audit trail -----


def test_audit_events_cannot_be_changed_or_deleted(cast, in_school):
    services.pupil_update(actor=Actor.for_user(cast.senco), pupil=fresh(cast.pupil), expected_version=0, pronouns="x")
    event = AuditEvent.objects.get(action="pupils.pupil.updated")
    event.action = "pupils.pupil.viewed"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(action="pupils.pupil.viewed")
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    with pytest.raises(TypeError), transaction.atomic():  # bulk_update opens its own transaction
        AuditEvent.objects.bulk_update([event], ["action"])
    assert AuditEvent.objects.get(pk=event.pk).action == "pupils.pupil.updated"


def test_only_expired_audit_events_are_purged(cast, in_school):
    services.pupil_update(actor=Actor.for_user(cast.senco), pupil=fresh(cast.pupil), expected_version=0, pronouns="x")
    count = AuditEvent.objects.count()
    AuditEvent.objects.purge_expired(before=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))
    assert AuditEvent.objects.count() == count


def test_an_unregistered_audit_code_fails_loudly(cast):
    from waymark.core.audit import audit_record

    with pytest.raises(KeyError, match="not registered"):
        audit_record(actor=Actor.for_user(cast.senco), action="pupils.pupil.teleported")


def test_viewing_a_pupil_is_audited(cast, client_for):
    client = client_for(cast.teacher)
    assert client.get(reverse("pupils:pupil-detail", args=[cast.pupil.public_id])).status_code == 200
    with scopes_disabled():
        events = list(AuditEvent.objects.filter(action="pupils.pupil.viewed"))
    assert len(events) == 1
    assert events[0].actor == cast.teacher
    assert events[0].pupil_id == cast.pupil.public_id
    assert events[0].school == cast.school
    assert events[0].request_id  # ties the event to the request's log lines


def test_a_refused_pupil_page_is_not_audited_as_viewed(cast, client_for):
    assert client_for(cast.teacher2).get(reverse("pupils:pupil-detail", args=[cast.pupil.public_id])).status_code == 404
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="pupils.pupil.viewed").exists()


@pytest.mark.parametrize(
    ("who", "shown"), [("senco", {"pupil", "other_pupil"}), ("teacher", {"pupil"}), ("last_year_teacher", set())]
)
def test_the_register_is_one_audit_event_with_the_ids_shown(cast, client_for, who, shown):
    response = client_for(getattr(cast, who)).get(reverse("pupils:register-list"))
    assert response.status_code == 200
    with scopes_disabled():
        events = list(AuditEvent.objects.filter(action="pupils.register.viewed"))
        assert AuditEvent.objects.count() == 1
    assert len(events) == 1
    assert set(events[0].data["pupils"]) == {str(getattr(cast, name).public_id) for name in shown}
    assert events[0].actor == getattr(cast, who)


def test_the_audit_event_holds_ids_not_content(cast, in_school):
    services.pupil_update(
        actor=Actor.for_user(cast.senco), pupil=fresh(cast.pupil), expected_version=0, preferred_name="Secretname"
    )
    event = AuditEvent.objects.get(action="pupils.pupil.updated")
    assert event.data == {"fields": ["preferred_name"]}
    assert event.target_id == str(cast.pupil.public_id)
    assert "Secretname" not in str(event.data)


def test_a_failed_write_leaves_no_audit_event(cast, in_school):
    with pytest.raises(ValidationError):
        services.need_add(
            actor=Actor.for_user(cast.senco),
            pupil=fresh(cast.pupil),
            need_type=NeedType.objects.get(code="SPLD"),
            rank=1,
        )
    assert not AuditEvent.objects.exists()


def test_parent_links_are_scoped_to_the_school(cast):
    with scope(school=[cast.other_school.pk]):
        assert not ParentLink.objects.filter(pk=cast.parent_link.pk).exists()
