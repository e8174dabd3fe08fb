"""Logging, extending and closing a subject access request: deadlines, requesters, permissions, audit."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django_scopes import scope, scopes_disabled

from waymark.core.models import AuditEvent
from waymark.exchange.models import SubjectAccessRequest
from waymark.exchange.subject_access.requests import (
    add_months,
    due_date,
    latest_extension,
    sar_close,
    sar_extend,
    sar_log,
)
from waymark.pupils.models import ParentLink
from waymark.tests import factories as f

from .test_subject_access_setup import actor_for, log_request

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
Requester = SubjectAccessRequest.Requester
IdentityCheck = SubjectAccessRequest.IdentityCheck
D = datetime.date


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (D(2027, 3, 4), D(2027, 4, 4)),  # the corresponding date next month
        (D(2027, 1, 31), D(2027, 2, 28)),  # no 31 February: the last day of the month
        (D(2028, 1, 31), D(2028, 2, 29)),  # a leap year
        (D(2027, 1, 29), D(2027, 2, 28)),
        (D(2027, 3, 31), D(2027, 4, 30)),
        (D(2027, 8, 31), D(2027, 9, 30)),
        (D(2027, 12, 15), D(2028, 1, 15)),  # across a year end
        (D(2027, 12, 31), D(2028, 1, 31)),
        (D(2027, 2, 28), D(2027, 3, 28)),  # the 28th stays the 28th, not the month's last day
    ],
)
def test_the_answer_is_due_one_calendar_month_after_receipt(received, due):
    assert due_date(received) == due


@override_settings(WAYMARK_SUBJECT_ACCESS_MONTHS=2)
def test_the_number_of_months_is_a_setting():
    assert due_date(D(2027, 12, 31)) == D(2028, 2, 29)


def test_add_months_moves_whole_months_and_clamps_to_the_month_end():
    assert add_months(D(2027, 1, 31), 3) == D(2027, 4, 30)
    assert add_months(D(2027, 11, 30), 3) == D(2028, 2, 29)
    assert add_months(D(2027, 5, 10), 0) == D(2027, 5, 10)


def test_an_extension_is_at_most_two_further_months():
    request = SubjectAccessRequest(received_on=D(2027, 1, 31), due_on=D(2027, 2, 28))
    assert latest_extension(request) == D(2027, 4, 30)


# ----- logging -----


@pytest.mark.django_db
def test_a_parent_with_parental_responsibility_is_logged_with_the_due_date_and_audited(cast):
    received = TODAY - 2 * DAY
    request = log_request(cast, received_on=received, requester_name="Someone Else")
    assert request.status == SubjectAccessRequest.Status.GATHERING
    assert request.due_on == due_date(received)
    assert request.requester_name == "Paula Parent"  # the name on their link, whatever was typed
    assert request.parent_link_id == cast.parent_link.pk
    assert request.logged_by_id == cast.senco.pk
    with scopes_disabled():
        event = AuditEvent.objects.get(action="exchange.sar.logged")
    assert event.pupil_id == cast.pupil.public_id
    assert event.data == {
        "requester_kind": "parent",
        "identity_check": "known_parent",
        "received_on": received.isoformat(),
        "due_on": request.due_on.isoformat(),
    }
    assert "Paula" not in str(event.data)


@pytest.mark.django_db
def test_the_pupil_asking_gets_their_own_name_when_none_is_typed(cast):
    request = log_request(
        cast, link=False, requester_kind=Requester.PUPIL, parent_link=None, identity_check=IdentityCheck.PUPIL_IN_PERSON
    )
    assert request.requester_name == "Zephyrine Quartermaine"
    assert request.parent_link is None


@pytest.mark.django_db
def test_the_head_may_log_a_request(cast):
    request = log_request(cast, by=cast.head)
    assert request.logged_by_id == cast.head.pk


def _refused(cast, *, by=None, **overrides):
    with scopes_disabled():
        before = SubjectAccessRequest.objects.count()
        events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        log_request(cast, by=by, **overrides)
    with scopes_disabled():
        assert SubjectAccessRequest.objects.count() == before
        assert AuditEvent.objects.count() == events
    return caught.value.message_dict


@pytest.mark.django_db
def test_a_future_received_date_is_refused_and_nothing_is_logged(cast):
    errors = _refused(cast, received_on=TODAY + DAY)
    assert errors["received_on"] == ["The date the request was received must be today or in the past."]


@pytest.mark.django_db
def test_a_parent_without_parental_responsibility_must_be_logged_as_a_representative(cast):
    with scopes_disabled():
        cast.co_parent_link.parental_responsibility = False
        cast.co_parent_link.save()
    errors = _refused(cast, link=cast.co_parent_link)
    assert "parental responsibility" in errors["parent_link"][0]
    request = log_request(
        cast,
        link=False,
        requester_kind=Requester.REPRESENTATIVE,
        parent_link=None,
        requester_name="Cleo Coparent",
        acting_for="The pupil, with a signed letter from her",
        identity_check=IdentityCheck.AUTHORITY,
    )
    assert request.requester_kind == Requester.REPRESENTATIVE
    assert request.acting_for == "The pupil, with a signed letter from her"


@pytest.mark.django_db
def test_a_restricted_parent_link_cannot_ask_as_a_parent(cast):
    errors = _refused(cast, link=cast.restricted_link)
    assert "not active" in errors["parent_link"][0]


@pytest.mark.django_db
def test_another_pupils_parent_cannot_be_the_parent_asking(cast):
    errors = _refused(cast, link=cast.other_parent_link)
    assert errors["parent_link"] == ["Choose one of this pupil's parents or carers."]


@pytest.mark.django_db
def test_a_parent_request_needs_the_parent(cast):
    errors = _refused(cast, link=False, parent_link=None)
    assert errors["parent_link"] == ["Choose the parent or carer who is asking."]


@pytest.mark.django_db
def test_a_representative_needs_their_authority_and_name(cast):
    errors = _refused(
        cast,
        link=False,
        requester_kind=Requester.REPRESENTATIVE,
        parent_link=None,
        identity_check=IdentityCheck.AUTHORITY,
    )
    assert "acting_for" in errors


@pytest.mark.django_db
def test_the_identity_check_must_fit_who_is_asking(cast):
    errors = _refused(cast, identity_check=IdentityCheck.PUPIL_IN_PERSON)
    assert errors["identity_check"] == ["Choose a check of identity that fits who is asking."]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["dsl", "teacher", "trust_lead", "governor", "other_senco"])
def test_only_those_who_administer_the_records_may_log(cast, who):
    with pytest.raises(PermissionDenied):
        log_request(cast, by=getattr(cast, who))


@pytest.mark.django_db
def test_an_archived_leavers_record_can_still_be_asked_for(cast):
    from django.utils import timezone

    with scopes_disabled():
        cast.pupil.date_left = TODAY - 30 * DAY
        cast.pupil.archived_at = timezone.now()
        cast.pupil.save()
    request = log_request(cast)
    assert request.pk


# ----- extending -----


def _extend(cast, request, extended_to, reason="The record is very large", *, by=None, version=None):
    with scope(school=[cast.school.pk]):
        return sar_extend(
            actor=actor_for(by or cast.senco),
            request=request,
            extended_to=extended_to,
            reason=reason,
            expected_version=request.lock_version if version is None else version,
        )


@pytest.mark.django_db
def test_a_complex_request_may_be_extended_by_up_to_two_months_with_a_reason(cast):
    request = log_request(cast)
    latest = latest_extension(request)
    request = _extend(cast, request, latest)
    assert request.deadline == latest
    assert request.extension_reason == "The record is very large"
    with scopes_disabled():
        event = AuditEvent.objects.get(action="exchange.sar.extended")
    assert event.data == {"due_on": request.due_on.isoformat(), "extended_to": latest.isoformat()}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("when", "field", "words"),
    [
        (lambda r: latest_extension(r) + DAY, "extended_to", "at most two further months"),
        (lambda r: r.due_on, "extended_to", "must be after"),
        (lambda r: None, "extended_to", "Enter the new due date"),
    ],
)
def test_an_extension_beyond_the_limit_or_not_after_the_due_date_is_refused(cast, when, field, words):
    request = log_request(cast)
    version = request.lock_version
    with pytest.raises(ValidationError) as caught:
        _extend(cast, request, when(request))
    assert words in caught.value.message_dict[field][0]
    with scopes_disabled():
        request.refresh_from_db()
    assert request.extended_to is None and request.lock_version == version


@pytest.mark.django_db
def test_an_extension_needs_a_reason(cast):
    request = log_request(cast)
    with pytest.raises(ValidationError) as caught:
        _extend(cast, request, request.due_on + DAY, reason="   ")
    assert caught.value.message_dict["extension_reason"] == ["Give the reason for extending the deadline."]


@pytest.mark.django_db
def test_the_first_extension_must_come_within_the_first_month(cast):
    request = log_request(cast, received_on=TODAY - 40 * DAY)
    assert request.due_on < TODAY
    with pytest.raises(ValidationError) as caught:
        _extend(cast, request, latest_extension(request))
    assert "within the first month" in caught.value.message_dict["extended_to"][0]


@pytest.mark.django_db
def test_a_stale_extension_is_refused(cast):
    request = log_request(cast)
    with pytest.raises(ValidationError) as caught:
        _extend(cast, request, request.due_on + DAY, version=request.lock_version - 1)
    assert caught.value.code == "stale" or "stale" in [e.code for e in caught.value.error_list]


# ----- closing -----


@pytest.mark.django_db
def test_a_request_is_closed_as_withdrawn_or_refused_with_a_reason_then_read_only(cast):
    request = log_request(cast)
    with scope(school=[cast.school.pk]):
        closed = sar_close(
            actor=actor_for(cast.head),
            request=request,
            status=SubjectAccessRequest.Status.WITHDRAWN,
            reason="She withdrew it by email",
            expected_version=request.lock_version,
        )
    assert closed.status == SubjectAccessRequest.Status.WITHDRAWN
    assert closed.closed_reason == "She withdrew it by email"
    with scopes_disabled():
        assert AuditEvent.objects.get(action="exchange.sar.closed").data == {"status": "withdrawn"}
    with pytest.raises(ValidationError) as caught:
        _extend(cast, closed, closed.due_on + DAY)
    assert caught.value.code == "closed"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "reason", "field"),
    [("released", "Done", "status"), ("refused", "  ", "closed_reason"), ("gathering", "x", "status")],
)
def test_closing_needs_withdrawn_or_refused_and_a_reason(cast, status, reason, field):
    request = log_request(cast)
    with scope(school=[cast.school.pk]), pytest.raises(ValidationError) as caught:
        sar_close(actor=actor_for(cast.senco), request=request, status=status, reason=reason)
    assert field in caught.value.message_dict
    with scopes_disabled():
        request.refresh_from_db()
    assert request.status == SubjectAccessRequest.Status.GATHERING


@pytest.mark.django_db
def test_a_school_b_senco_cannot_touch_school_a_requests(cast):
    request = log_request(cast)
    with scope(school=[cast.other_school.pk]), pytest.raises(PermissionDenied):
        sar_close(
            actor=actor_for(cast.other_senco),
            request=request,
            status=SubjectAccessRequest.Status.REFUSED,
            reason="No",
        )


@pytest.mark.django_db
def test_a_parent_link_from_another_school_is_refused(cast):
    link = f.ParentLinkFactory(pupil=cast.other_school_pupil, status=ParentLink.Status.ACTIVE)
    with scope(school=[cast.school.pk]), pytest.raises(ValidationError):
        sar_log(
            actor=actor_for(cast.senco),
            pupil=cast.pupil,
            requester_kind=Requester.PARENT,
            parent_link=link,
            identity_check=IdentityCheck.DOCUMENTS,
            received_on=TODAY,
        )
