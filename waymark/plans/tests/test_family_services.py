"""The services behind parents' words: who may call them, bad input, and the audit trail.

Parents write only through their own active link; staff who review the plan record for
them, never for a restricted or suspended link. Bad input changes nothing and says why.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent
from waymark.plans import family
from waymark.plans.models import (
    AgreementResponse,
    ContributionChannel,
    ParentContribution,
    ParentRequest,
    PlanVersion,
    SupportPlan,
)
from waymark.plans.tests.family_setup import family_plans, family_views


@pytest.fixture
def plans(cast):
    return family_plans(cast)


@pytest.fixture
def in_school(cast):
    with scope(school=[cast.school.pk, cast.other_school.pk]):
        yield


def actor(user):
    return Actor.for_user(user)


def rows():
    """What the services could change, as plain values."""
    with scopes_disabled():
        return {
            "audit": AuditEvent.objects.count(),
            "contributions": list(
                ParentContribution.objects.order_by("pk").values_list("pk", "shared_with_family", "seen_at")
            ),
            "responses": list(AgreementResponse.objects.order_by("pk").values_list("pk", "agrees", "reply")),
            "requests": list(ParentRequest.objects.order_by("pk").values_list("pk", "resolved_at")),
        }


# ----- parents' own views -----


def test_a_parent_adds_views_through_their_own_active_link(cast, plans, in_school):
    contribution = family.contribution_add(
        actor=actor(cast.parent), link=cast.parent_link, going_well=" Reading at bedtime ", worries=""
    )
    assert contribution.going_well == "Reading at bedtime"
    assert contribution.given_via == ContributionChannel.ONLINE and contribution.recorded_by is None
    assert contribution.plan == plans["active"].plan and contribution.review is None
    assert contribution.seen_at is None
    event = AuditEvent.objects.get(action="plans.contribution.added")
    assert event.actor == cast.parent and event.pupil_id == cast.pupil.public_id
    assert event.target_id == str(contribution.public_id)
    assert "Reading at bedtime" not in str(event.data)


@pytest.mark.parametrize(
    "who, link",
    [
        ("parent2", "restricted_link"),  # their own link, but restricted
        ("other_parent", "parent_link"),  # someone else's link
        ("co_parent", "parent_link"),  # the other parent of the same child
        ("senco", "parent_link"),  # staff record on a parent's behalf instead
        ("specialist", "parent_link"),
        ("other_senco", "parent_link"),
    ],
)
def test_nobody_else_may_write_as_a_parent(cast, plans, in_school, who, link):
    before = rows()
    user, parent_link = getattr(cast, who), getattr(cast, link)
    with pytest.raises(PermissionDenied):
        family.contribution_add(actor=actor(user), link=parent_link, going_well="Words")
    with pytest.raises(PermissionDenied):
        family.response_give(actor=actor(user), link=parent_link, version=plans["shared"], agrees=True)
    with pytest.raises(PermissionDenied):
        family.request_make(actor=actor(user), link=parent_link, kind="meeting")
    assert rows() == before


def test_a_suspended_link_stops_writing_at_once(cast, plans, in_school):
    parent = actor(cast.parent)
    with scopes_disabled():
        cast.parent_link.status = "suspended"
        cast.parent_link.status_reason = "Safeguarding review"
        cast.parent_link.save()
    with pytest.raises(PermissionDenied):
        family.contribution_add(actor=parent, link=cast.parent_link, going_well="Words")


def test_the_same_views_sent_twice_are_kept_once(cast, plans, in_school):
    """A double click on "Send your views" (or "Save their views") must not leave two copies for the SENCO."""
    first = family.contribution_add(actor=actor(cast.parent), link=cast.parent_link, going_well="Reading at bedtime")
    again = family.contribution_add(actor=actor(cast.parent), link=cast.parent_link, going_well="Reading at bedtime")
    assert again == first and ParentContribution.objects.filter(link=cast.parent_link).count() == 1
    assert AuditEvent.objects.filter(action="plans.contribution.added").count() == 1
    senco = actor(cast.senco)
    recorded = [
        family.contribution_record(actor=senco, link=cast.co_parent_link, given_via="phone", worries="Buses")
        for _ in range(2)
    ]
    assert recorded[0] == recorded[1] and ParentContribution.objects.filter(link=cast.co_parent_link).count() == 1
    # Different words, or the same words given another way, are new views.
    family.contribution_add(actor=actor(cast.parent), link=cast.parent_link, going_well="Reading at bedtime!")
    family.contribution_record(actor=actor(cast.senco), link=cast.co_parent_link, given_via="paper", worries="Buses")
    assert ParentContribution.objects.count() == 4


def test_empty_views_are_refused(cast, plans, in_school):
    before = rows()
    with pytest.raises(ValidationError) as error:
        family.contribution_add(actor=actor(cast.parent), link=cast.parent_link, going_well=" ", worries="\n")
    assert "Answer at least one question" in " ".join(error.value.messages)
    assert rows() == before


def test_views_need_a_plan(cast, in_school):
    with scopes_disabled():
        SupportPlan.objects.filter(pupil=cast.pupil).delete()
    with pytest.raises(ValidationError) as error:
        family.contribution_add(actor=actor(cast.parent), link=cast.parent_link, going_well="Words")
    assert "has not started a plan" in " ".join(error.value.messages)
    assert not ParentContribution.objects.exists()


# ----- agreement -----


def test_a_parent_agrees_or_disagrees_with_the_shared_version(cast, plans, in_school):
    response = family.response_give(
        actor=actor(cast.parent), link=cast.parent_link, version=plans["shared"], agrees=False, comment="Too little"
    )
    assert (response.version, response.agrees, response.comment, response.given_via) == (
        plans["shared"],
        False,
        "Too little",
        "online",
    )
    assert response.responded_at is not None
    event = AuditEvent.objects.get(action="plans.response.given")
    assert event.data == {"version": str(plans["shared"].public_id), "agrees": False, "given_via": "online"}
    # Each parent answers for themselves.
    other = family.response_give(
        actor=actor(cast.co_parent), link=cast.co_parent_link, version=plans["shared"], agrees=True
    )
    assert other.agrees is True


def test_disagreeing_needs_a_comment(cast, plans, in_school):
    before = rows()
    with pytest.raises(ValidationError) as error:
        family.response_give(
            actor=actor(cast.parent), link=cast.parent_link, version=plans["shared"], agrees=False, comment=" "
        )
    assert error.value.message_dict == {"comment": ["Tell us what you do not agree with"]}
    assert rows() == before


@pytest.mark.parametrize("version", ["active", "superseded"])
def test_only_the_version_shared_now_can_be_answered(cast, plans, in_school, version):
    before = rows()
    with pytest.raises(ValidationError) as error:
        family.response_give(actor=actor(cast.parent), link=cast.parent_link, version=plans[version], agrees=True)
    assert error.value.code == "changed"
    assert "has changed since you opened the page" in " ".join(error.value.messages)
    assert rows() == before


def test_a_version_replaced_after_the_page_opened_is_refused(cast, plans, in_school):
    stale = plans["shared"]  # the caller's copy still says "shared"
    with scopes_disabled():
        PlanVersion.objects.filter(pk=stale.pk).update(status=PlanVersion.Status.SUPERSEDED)
    assert stale.status == PlanVersion.Status.SHARED
    with pytest.raises(ValidationError):
        family.response_give(actor=actor(cast.parent), link=cast.parent_link, version=stale, agrees=True)
    assert not AgreementResponse.objects.exists()


def test_one_response_per_parent_per_version(cast, plans, in_school):
    family.response_give(actor=actor(cast.parent), link=cast.parent_link, version=plans["shared"], agrees=True)
    before = rows()
    with pytest.raises(ValidationError) as error:
        family.response_give(
            actor=actor(cast.parent), link=cast.parent_link, version=plans["shared"], agrees=False, comment="Changed"
        )
    assert "already recorded" in " ".join(error.value.messages)
    assert rows() == before


def test_a_response_must_be_about_the_parents_own_child(cast, plans, in_school):
    other = family_plans(cast, pupil=cast.other_pupil)
    with pytest.raises(PermissionDenied):
        family.response_give(actor=actor(cast.parent), link=cast.parent_link, version=other["shared"], agrees=True)
    assert not AgreementResponse.objects.exists()


# ----- requests -----


def test_requests_one_open_of_each_kind(cast, plans, in_school):
    parent = actor(cast.parent)
    request = family.request_make(actor=parent, link=cast.parent_link, kind="paper_copy", message=" Large print ")
    assert (request.kind, request.message, request.plan) == ("paper_copy", "Large print", plans["active"].plan)
    assert AuditEvent.objects.get(action="plans.request.made").data == {"kind": "paper_copy"}
    with pytest.raises(ValidationError):
        family.request_make(actor=parent, link=cast.parent_link, kind="paper_copy")
    with pytest.raises(ValidationError):
        family.request_make(actor=parent, link=cast.parent_link, kind="a pony")
    family.request_make(actor=parent, link=cast.parent_link, kind="meeting")
    family.request_resolve(actor=actor(cast.senco), request=request)
    # Once dealt with, they may ask again.
    family.request_make(actor=parent, link=cast.parent_link, kind="paper_copy")
    assert ParentRequest.objects.count() == 3


def test_a_request_is_resolved_once_and_only_by_a_reviewer(cast, plans, in_school):
    request = family.request_make(actor=actor(cast.parent), link=cast.parent_link, kind="meeting")
    for name in ("dsl", "head", "teacher", "parent", "other_senco"):
        with pytest.raises(PermissionDenied):
            family.request_resolve(actor=actor(getattr(cast, name)), request=request)
    family.request_resolve(actor=actor(cast.senco), request=request)
    with pytest.raises(ValidationError):
        family.request_resolve(actor=actor(cast.senco), request=request)
    assert AuditEvent.objects.filter(action="plans.request.resolved").count() == 1


# ----- staff on a parent's behalf -----


def test_staff_record_views_on_a_parents_behalf(cast, plans, in_school):
    contribution = family.contribution_record(
        actor=actor(cast.senco), link=cast.co_parent_link, given_via="phone", worries="Mornings are hard"
    )
    assert (contribution.given_via, contribution.recorded_by, contribution.on_behalf) == ("phone", cast.senco, True)
    # Staff wrote it down themselves: it is not news to them.
    assert contribution.seen_by == cast.senco and contribution.seen_at is not None
    assert AuditEvent.objects.get(action="plans.contribution.recorded").actor == cast.senco


@pytest.mark.parametrize("name", ["dsl", "head", "teacher", "ta", "head_of_year", "parent", "other_senco"])
def test_only_reviewers_record_for_parents(cast, plans, in_school, name):
    before = rows()
    who = actor(getattr(cast, name))
    with pytest.raises(PermissionDenied):
        family.contribution_record(actor=who, link=cast.parent_link, given_via="meeting", going_well="Words")
    with pytest.raises(PermissionDenied):
        family.response_record(
            actor=who, link=cast.parent_link, version=plans["shared"], given_via="meeting", agrees=True
        )
    assert rows() == before


def test_nothing_is_recorded_for_a_restricted_link(cast, plans, in_school):
    before = rows()
    senco = actor(cast.senco)
    with pytest.raises(ValidationError) as error:
        family.contribution_record(actor=senco, link=cast.restricted_link, given_via="meeting", going_well="Words")
    assert error.value.code == "not_active"
    with pytest.raises(ValidationError):
        family.response_record(
            actor=senco, link=cast.restricted_link, version=plans["shared"], given_via="paper", agrees=True
        )
    assert rows() == before


def test_staff_must_say_how_it_was_given(cast, plans, in_school):
    with pytest.raises(ValidationError) as error:
        family.contribution_record(actor=actor(cast.senco), link=cast.parent_link, given_via="online", going_well="W")
    assert "given_via" in error.value.message_dict
    assert not ParentContribution.objects.exists()


def test_staff_record_a_response_to_the_shared_version_only(cast, plans, in_school):
    senco = actor(cast.senco)
    with pytest.raises(ValidationError):
        family.response_record(
            actor=senco, link=cast.parent_link, version=plans["active"], given_via="meeting", agrees=True
        )
    response = family.response_record(
        actor=senco, link=cast.parent_link, version=plans["shared"], given_via="meeting", agrees=True
    )
    assert (response.recorded_by, response.given_via) == (cast.senco, "meeting")
    assert AuditEvent.objects.get(action="plans.response.recorded").data["given_via"] == "meeting"


def test_a_reply_is_sent_once(cast, plans, in_school):
    response = family.response_give(
        actor=actor(cast.parent), link=cast.parent_link, version=plans["shared"], agrees=False, comment="No"
    )
    with pytest.raises(PermissionDenied):
        family.response_reply(actor=actor(cast.dsl), response=response, reply="Hello")
    with pytest.raises(ValidationError):
        family.response_reply(actor=actor(cast.senco), response=response, reply="  ")
    replied = family.response_reply(actor=actor(cast.senco), response=response, reply="Let us meet")
    assert (replied.reply, replied.replied_by) == ("Let us meet", cast.senco)
    with pytest.raises(ValidationError):
        family.response_reply(actor=actor(cast.senco), response=response, reply="Something else")
    with scopes_disabled():
        assert AgreementResponse.objects.get().reply == "Let us meet"
    assert AuditEvent.objects.filter(action="plans.response.replied").count() == 1


def test_marking_views_seen_is_audited_only_when_something_was_new(cast, plans, in_school):
    family_views(cast, plans["active"].plan)
    senco = actor(cast.senco)
    with pytest.raises(PermissionDenied):
        family.contribution_mark_seen(actor=actor(cast.teacher), pupil=cast.pupil)
    assert family.contribution_mark_seen(actor=senco, pupil=cast.pupil) == 4
    assert family.contribution_mark_seen(actor=senco, pupil=cast.pupil) == 0
    assert AuditEvent.objects.filter(action="plans.contribution.seen").count() == 1


def test_sharing_views_with_the_family(cast, plans, in_school):
    views = family_views(cast, plans["active"].plan)
    senco = actor(cast.senco)
    family.contribution_sharing_change(actor=senco, contribution=views["co_private"], shared=True)
    with scopes_disabled():
        assert ParentContribution.objects.get(pk=views["co_private"].pk).shared_with_family is True
    # No change, no event.
    family.contribution_sharing_change(actor=senco, contribution=views["co_private"], shared=True)
    assert AuditEvent.objects.filter(action="plans.contribution.sharing_changed").count() == 1
    with pytest.raises(PermissionDenied):
        family.contribution_sharing_change(actor=actor(cast.co_parent), contribution=views["parent"], shared=True)
    # A restricted parent's views can be hidden, never shown.
    family.contribution_sharing_change(actor=senco, contribution=views["restricted"], shared=False)
    with pytest.raises(ValidationError):
        family.contribution_sharing_change(actor=senco, contribution=views["restricted"], shared=True)
    with scopes_disabled():
        assert ParentContribution.objects.get(pk=views["restricted"].pk).shared_with_family is False
