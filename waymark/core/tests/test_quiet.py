"""``core.quiet.email_held``: inside it nothing is emailed or queued; outside it, everything is as usual."""

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent
from waymark.core.quiet import email_held, is_email_held
from waymark.plans.notices import notify_parents_later
from waymark.pupils import invitations
from waymark.pupils.models import ParentInvitation, ParentLink
from waymark.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(cast):
    """A parent's contact record with an email address and no account: ready to invite."""
    return f.ParentLinkFactory(
        pupil=cast.pupil, user=None, full_name="Ada Contact", email="ada@example.test", relationship="other"
    )


def invite(cast, link):
    with scope(school=[cast.school.pk]):
        return invitations.parent_invite(actor=Actor.for_user(cast.senco), link=link)


def test_the_hold_lasts_only_for_its_block():
    assert not is_email_held()
    with email_held():
        assert is_email_held()
        with email_held():
            assert is_email_held()
        assert is_email_held()  # an inner block does not let go of an outer one
    assert not is_email_held()


def test_the_hold_ends_when_the_block_fails():
    with pytest.raises(RuntimeError), email_held():
        raise RuntimeError("the build failed")

    assert not is_email_held()


@pytest.mark.parametrize("held", [False, True])
def test_no_notice_to_parents_is_queued_while_held(cast, held, django_capture_on_commit_callbacks):
    with scope(school=[cast.school.pk]), django_capture_on_commit_callbacks() as callbacks:
        if held:
            with email_held():
                notify_parents_later(pupil=cast.pupil, event="published", event_id="demo")
        else:
            notify_parents_later(pupil=cast.pupil, event="published", event_id="demo")

    assert len(callbacks) == (0 if held else 1)


def test_an_invitation_made_while_held_is_kept_and_audited_but_not_emailed(
    cast, contact, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, email_held():
        issued = invite(cast, contact)

    assert callbacks == []
    assert mailoutbox == []
    with scopes_disabled():
        assert ParentInvitation.objects.filter(pk=issued.invitation.pk, link=contact).exists()
        assert AuditEvent.objects.filter(action="pupils.parent_link.invited", target_id=str(contact.public_id)).exists()


def test_an_invitation_outside_the_hold_is_emailed(cast, contact, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invite(cast, contact)

    assert [message.to for message in mailoutbox] == [["ada@example.test"]]


def test_a_bad_invitation_is_still_refused_while_held(cast, contact):
    with scopes_disabled():
        ParentLink.objects.filter(pk=contact.pk).update(email="", contact_by_email=False)

    with email_held(), pytest.raises(ValidationError, match="no email address"):
        invite(cast, contact)

    with scopes_disabled():
        assert not ParentInvitation.objects.filter(link=contact).exists()
