"""Sharing a pupil with an outside specialist: the services (create, accept, end, add a report).

The school shares by email; only the link's hash is kept and it works once, for the
account with the invited address. A share is live from its first day to its expiry unless
ended early, and gives nothing while it waits to be accepted. Bad input is refused with a
plain message and nothing changes.
"""

import datetime
import hashlib

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope, scopes_disabled

from waymark.accounts.models import User
from waymark.core.actor import Actor
from waymark.core.models import AuditEvent, Visibility
from waymark.evidence import shares
from waymark.evidence.models import Document, Share
from waymark.tests import factories as f

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def fresh(obj):
    with scopes_disabled():
        return type(obj)._base_manager.get(pk=obj.pk)


def share_args(**changes):
    return {
        "email": "Ed.Psych@Example.test",
        "full_name": "Erin Psych",
        "service": "Educational Psychology",
        "expires_on": TODAY + 90 * DAY,
        "lawful_basis_kind": Share.LawfulBasis.CONSENT,
        "lawful_basis": "Mother gave written consent at the meeting on 3 March.",
        "can_see_plan": True,
        "can_see_documents": True,
        "can_add_report": True,
        **changes,
    }


@pytest.fixture
def in_school(cast):
    with scope(school=[cast.school.pk]):
        yield


def audit_count(action):
    with scopes_disabled():
        return AuditEvent.objects.filter(action=action).count()


def create(cast, actor=None, **changes):
    return shares.share_create(actor=actor or Actor.for_user(cast.senco), pupil=cast.pupil, **share_args(**changes))


# ----- creating -----


def test_create_keeps_only_the_hash_and_emails_the_link_after_commit(
    cast, in_school, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        issued = create(cast)
    share = fresh(issued.share)
    assert share.email == "ed.psych@example.test"
    assert share.specialist is None and share.accepted_at is None
    assert share.starts_on == TODAY and share.expires_on == TODAY + 90 * DAY
    assert share.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    assert issued.token not in share.token_hash
    assert (share.can_see_plan, share.can_see_documents, share.can_add_report) == (True, True, True)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["ed.psych@example.test"]
    assert f"/evidence/shares/accept/{issued.token}/" in message.body
    assert "Ashdown Academy" in message.subject
    # The email never names the pupil: it might reach the wrong inbox.
    assert "Zephyrine" not in message.body and "Quartermaine" not in message.body
    with scopes_disabled():
        event = AuditEvent.objects.get(action="evidence.share.created")
    assert event.pupil_id == cast.pupil.public_id and event.actor == cast.senco


def test_a_rolled_back_share_sends_nothing(cast, in_school, mailoutbox, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            create(cast)
            raise RuntimeError
    assert mailoutbox == []
    with scopes_disabled():
        assert not Share.objects.filter(email="ed.psych@example.test").exists()


@pytest.mark.parametrize("person", ["dsl", "teacher", "ta", "head_of_year", "trust_lead", "other_senco", "parent"])
def test_only_those_who_invite_may_share(cast, in_school, person):
    before = audit_count("evidence.share.created")
    with pytest.raises(PermissionDenied):
        create(cast, actor=Actor.for_user(getattr(cast, person)))
    assert audit_count("evidence.share.created") == before


def test_the_head_may_share(cast, in_school):
    assert create(cast, actor=Actor.for_user(cast.head)).share.created_by == cast.head


@pytest.mark.parametrize(
    "changes, field, words",
    [
        ({"expires_on": TODAY - DAY}, "expires_on", "today or in the future"),
        ({"expires_on": TODAY + 366 * DAY}, "expires_on", "up to a year"),
        ({"starts_on": TODAY - DAY}, "starts_on", "cannot start before today"),
        ({"starts_on": TODAY + 10 * DAY, "expires_on": TODAY + 5 * DAY}, "expires_on", "on or after the day it starts"),
        ({"can_see_plan": False, "can_see_documents": False, "can_add_report": False}, "__all__", "Choose what"),
        ({"lawful_basis": "  "}, "lawful_basis", ""),
        ({"service": ""}, "service", ""),
        ({"lawful_basis_kind": "because"}, "lawful_basis_kind", ""),
    ],
)
def test_bad_shares_are_refused_and_nothing_changes(cast, in_school, mailoutbox, changes, field, words):
    with scopes_disabled():
        before = Share.objects.count()
    with pytest.raises(ValidationError) as caught:
        create(cast, **changes)
    messages = caught.value.message_dict if hasattr(caught.value, "error_dict") else {"__all__": caught.value.messages}
    assert field in messages and words in " ".join(messages[field])
    with scopes_disabled():
        assert Share.objects.count() == before
    assert mailoutbox == []


def test_a_year_ahead_is_the_longest(cast, in_school):
    assert create(cast, expires_on=TODAY + 365 * DAY).share.expires_on == TODAY + 365 * DAY


def test_one_open_share_per_address_and_pupil(cast, in_school):
    first = create(cast).share
    with pytest.raises(ValidationError) as caught:
        create(cast, email="ED.PSYCH@example.test")
    assert "already shared with this email address" in str(caught.value)
    # The live share's specialist counts by their account's address too.
    with pytest.raises(ValidationError):
        create(cast, email=cast.specialist.email.upper())
    shares.share_end(actor=Actor.for_user(cast.senco), share=first)
    assert create(cast).share.pk != first.pk
    # Another pupil may be shared with the same person.
    assert shares.share_create(actor=Actor.for_user(cast.senco), pupil=cast.other_pupil, **share_args()).share


# ----- ending -----


def test_ending_stops_access_at_once_and_kills_the_link(cast, in_school):
    senco = Actor.for_user(cast.senco)
    assert Share.objects.live(TODAY).filter(pk=cast.share.pk).exists()
    ended = shares.share_end(actor=senco, share=cast.share)
    assert ended.ended_at is not None and ended.ended_by == cast.senco
    assert not Share.objects.live(TODAY).filter(pk=cast.share.pk).exists()
    assert cast.pupil.school_id not in Actor.for_user(cast.specialist).shared_school_ids
    issued = create(cast)
    shares.share_end(actor=senco, share=issued.share)
    assert fresh(issued.share).token_hash is None
    assert shares.share_for_token(issued.token) is None
    assert audit_count("evidence.share.ended") == 2


def test_ending_twice_or_after_expiry_is_refused(cast, in_school):
    senco = Actor.for_user(cast.senco)
    shares.share_end(actor=senco, share=cast.share)
    with pytest.raises(ValidationError, match="already been ended"):
        shares.share_end(actor=senco, share=cast.share)
    with pytest.raises(ValidationError, match="already expired"):
        shares.share_end(actor=senco, share=cast.expired_share)
    assert fresh(cast.expired_share).ended_at is None


@pytest.mark.parametrize("person", ["dsl", "teacher", "specialist", "parent", "other_senco"])
def test_only_those_who_invite_may_end(cast, in_school, person):
    with pytest.raises(PermissionDenied):
        shares.share_end(actor=Actor.for_user(getattr(cast, person)), share=cast.share)
    assert fresh(cast.share).ended_at is None


# ----- accepting -----


def test_the_invited_account_accepts_once_whatever_the_case_of_its_address(cast, in_school):
    issued = create(cast)
    erin = f.UserFactory(email="ed.psych@example.test", full_name="Erin Psych")
    found = shares.share_for_token(issued.token)
    assert found.pk == issued.share.pk
    # Signed in as a capitalised version of the address: the same mailbox.
    User.objects.filter(pk=erin.pk).update(email="Ed.Psych@example.test")
    erin.refresh_from_db()
    accepted = shares.share_accept(share=found, user=erin)
    assert accepted.specialist == erin and accepted.accepted_at is not None and accepted.token_hash is None
    assert EmailAddress.objects.filter(user=erin, verified=True).exists()
    assert shares.share_for_token(issued.token) is None
    with pytest.raises(shares.ShareUnusable):
        shares.share_accept(share=found, user=erin)
    assert cast.pupil.school_id in Actor.for_user(erin).shared_school_ids
    with scopes_disabled():
        event = AuditEvent.objects.get(action="evidence.share.accepted")
    assert event.actor == erin and event.data == {"new_account": False}


def test_another_account_cannot_accept(cast, in_school):
    issued = create(cast)
    with pytest.raises(shares.ShareWrongAccount):
        shares.share_accept(share=issued.share, user=cast.teacher)
    share = fresh(issued.share)
    assert share.specialist is None and share.token_hash is not None
    assert audit_count("evidence.share.accepted") == 0


def test_a_new_account_is_made_for_the_invited_address(cast, in_school):
    issued = create(cast)
    accepted = shares.share_accept(share=issued.share, full_name="Erin Psych", password="a long enough passphrase")
    erin = User.objects.get(email="ed.psych@example.test")
    assert accepted.specialist == erin and erin.check_password("a long enough passphrase")
    assert EmailAddress.objects.filter(user=erin, email=erin.email, verified=True).exists()


def test_an_existing_address_must_sign_in_rather_than_make_an_account(cast, in_school):
    issued = create(cast, email=cast.teacher.email)
    with pytest.raises(ValidationError, match="Sign in"):
        shares.share_accept(share=issued.share, full_name="Someone", password="a long enough passphrase")
    assert fresh(issued.share).specialist is None


def test_expired_ended_and_unknown_links_cannot_be_used(cast, in_school):
    ended = create(cast)
    shares.share_end(actor=Actor.for_user(cast.senco), share=ended.share)
    assert shares.share_for_token(ended.token) is None
    assert shares.share_for_token("not-a-real-token") is None
    later = create(cast, email="later@example.test", expires_on=TODAY + 5 * DAY)
    assert shares.share_for_token(later.token, today=TODAY + 6 * DAY) is None
    with pytest.raises(shares.ShareUnusable):
        shares.share_accept(share=later.share, user=None, full_name="Late", password="x" * 20, today=TODAY + 6 * DAY)


# ----- reports -----


def report_share(cast, **changes):
    with scopes_disabled():
        Share.objects.filter(pk=cast.share.pk).update(can_add_report=True, **changes)
    return fresh(cast.share)


def pdf(name="report.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_a_specialist_adds_a_staff_only_report_through_their_share(cast):
    share = report_share(cast)
    specialist = Actor.for_user(cast.specialist)
    with scope(school=specialist.scope_school_ids):
        document = shares.share_report_add(
            actor=specialist,
            share=share,
            upload=pdf(),
            title="Educational psychology assessment",
            written_on=TODAY,
            recommendations="  Short, chunked instructions.  ",
        )
    assert document.share == share and document.visibility == Visibility.STAFF
    assert document.kind == Document.Kind.PROFESSIONAL_REPORT
    assert document.recommendations == "Short, chunked instructions."
    assert document.uploaded_by == cast.specialist
    with scopes_disabled():
        event = AuditEvent.objects.get(action="evidence.report.added")
    assert event.pupil_id == cast.pupil.public_id and event.data["recommendations"] is True


def test_no_report_without_permission_a_live_share_or_a_file(cast):
    share = fresh(cast.share)  # can_add_report is False
    specialist = Actor.for_user(cast.specialist)
    with scope(school=specialist.scope_school_ids):
        with pytest.raises(PermissionDenied):
            shares.share_report_add(actor=specialist, share=share, upload=pdf(), title="T", written_on=TODAY)
        share = report_share(cast)
        with pytest.raises(PermissionDenied):  # someone else
            shares.share_report_add(
                actor=Actor.for_user(cast.senco), share=share, upload=pdf(), title="T", written_on=TODAY
            )
        with pytest.raises(ValidationError):
            shares.share_report_add(actor=specialist, share=share, upload=None, title="T", written_on=TODAY)
    expired = report_share(cast)
    with scopes_disabled():
        Share.objects.filter(pk=expired.pk).update(expires_on=TODAY - DAY, starts_on=TODAY - 10 * DAY)
    with scope(school=[cast.school.pk]), pytest.raises(PermissionDenied):
        shares.share_report_add(actor=specialist, share=fresh(expired), upload=pdf(), title="T", written_on=TODAY)
    with scopes_disabled():
        assert not Document.objects.exists()
    assert audit_count("evidence.report.added") == 0
