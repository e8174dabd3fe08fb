"""Inviting parents: the emailed link and the code on paper, both needed, once, before they expire.

The school invites a parent record; the email carries the link and never the code; the
code is shown to the school once, on a printable letter. A link that cannot be used
shows one page that says to ask the school and nothing about the child. Nothing on the
staff side shows whether an account exists for the address.
"""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from waymark.accounts.models import User
from waymark.conftest import CAST_PEOPLE
from waymark.core.actor import Actor
from waymark.core.models import AuditEvent
from waymark.pupils import invitations
from waymark.pupils.family_views import SESSION_CODES_KEY
from waymark.pupils.models import ParentInvitation, ParentLink, Pupil
from waymark.tests import factories as f
from waymark.tests.helpers import error_summary, fingerprint, text_of

CODE_PATTERN = re.compile(r"\b[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}\b")
# Words that would tell a stranger holding the link who the child, the school or the parent is.
PRIVATE_WORDS = ("Zephyrine", "Quartermaine", "Ashdown", "Grace", "Grandparent")


def fresh(obj):
    with scopes_disabled():
        return type(obj)._base_manager.get(pk=obj.pk)


def senco(cast):
    return Actor.for_user(cast.senco)


@pytest.fixture
def in_school(cast):
    with scope(school=[cast.school.pk]):
        yield


@pytest.fixture
def grace(cast):
    """A grandparent with an email address and no account: ready to invite."""
    return f.ParentLinkFactory(
        pupil=cast.pupil,
        user=None,
        full_name="Grace Grandparent",
        email="grace@example.test",
        relationship=ParentLink.Relationship.GRANDPARENT,
        language="Polish",
        needs_interpreter=True,
    )


def invite(cast, link, actor=None):
    with scope(school=[cast.school.pk]):
        return invitations.parent_invite(actor=actor or senco(cast), link=fresh(link))


def accept_url(token):
    return reverse("pupils:parent-invitation-accept", kwargs={"token": token})


NEW_ACCOUNT = {"full_name": "Grace Grandparent", "password": "a long and memorable passphrase"}


# ----- who may open each page -----

INVITERS = {"senco", "head"}  # INVITE reach on the pupil: SENCO, deputy SENCO, head
PAGES = {
    "parent-invite": (lambda c, g: reverse("pupils:parent-invite", args=[g.public_id]), INVITERS),
    # A school page: each school's inviters open their own school's list.
    "parent-invite-many": (lambda c, g: reverse("pupils:parent-invite-many"), INVITERS | {"other_senco"}),
    "parent-invitation-letters": (
        lambda c, g: reverse("pupils:parent-invitation-letters"),
        INVITERS | {"other_senco"},
    ),
}


@pytest.mark.parametrize("page", PAGES)
def test_who_may_open_each_page(cast, grace, client_for, page):
    build_url, allowed = PAGES[page]
    url = build_url(cast, grace)
    wrong = []
    for name in CAST_PEOPLE:
        expected = 200 if name in allowed else 404
        got = client_for(getattr(cast, name)).get(url).status_code
        if got != expected:
            wrong.append(f"{name}: expected {expected}, got {got}")
    assert not wrong, f"{page}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_sign_in(cast, grace, client_for, page):
    response = client_for(None).get(PAGES[page][0](cast, grace))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_withdrawing_is_a_post_for_inviters_only(cast, grace, client_for):
    issued = invite(cast, grace)
    url = reverse("pupils:parent-invitation-withdraw", args=[grace.public_id])
    assert client_for(cast.senco).get(url).status_code == 405
    for name in CAST_PEOPLE:
        if name in INVITERS:
            continue
        assert client_for(getattr(cast, name)).post(url).status_code == 404, name
    assert client_for(None).post(url).status_code == 302
    assert fresh(issued.invitation).withdrawn_at is None
    response = client_for(cast.head).post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("pupils:pupil-detail", args=[cast.pupil.public_id])
    assert fresh(issued.invitation).withdrawn_at is not None


def test_a_deputy_senco_may_invite(cast, grace, client_for):
    with scopes_disabled():
        deputy = f.MembershipFactory(school=cast.school, roles=["deputy_senco"]).user
    assert client_for(deputy).get(reverse("pupils:parent-invite", args=[grace.public_id])).status_code == 200


def test_the_accept_page_is_public_and_pinned_to_get_and_post(cast, grace, client_for):
    issued = invite(cast, grace)
    assert client_for(None).get(accept_url(issued.token)).status_code == 200
    assert client_for(None).put(accept_url(issued.token)).status_code == 405


# ----- inviting one parent -----


def test_the_senco_invites_a_parent_and_prints_the_letter_once(
    cast, grace, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(cast.senco)
    page = text_of(client.get(reverse("pupils:parent-invite", args=[grace.public_id])))
    assert "grace@example.test" in page and "Polish, needs an interpreter" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pupils:parent-invite", args=[grace.public_id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("pupils:parent-invitation-letters")
    with scopes_disabled():
        invitation = ParentInvitation.objects.get(link=grace)
    assert invitation.email == "grace@example.test" and invitation.created_by == cast.senco
    assert invitation.expires_at - timezone.now() > datetime.timedelta(days=13, hours=23)

    letters = client.get(reverse("pupils:parent-invitation-letters"))
    assert "no-store" in letters["Cache-Control"]
    letter = text_of(letters)
    codes = CODE_PATTERN.findall(letter)
    assert len(codes) == 1
    code = codes[0]
    for words in ("Dear Grace Grandparent", "Zephyrine Quartermaine", "Ashdown Academy", "grace@example.test"):
        assert words in letter, words
    # No other child's data on the letter.
    assert "Oswin" not in letter and "Blackthorn" not in letter
    # Shown once: the session gave the code up, and the page now says so.
    assert SESSION_CODES_KEY not in client.session
    again = text_of(client.get(reverse("pupils:parent-invitation-letters")))
    assert code not in again and not CODE_PATTERN.search(again)
    assert "There are no letters to print" in again

    # The email: to the record's address, with the link, never the code.
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["grace@example.test"]
    assert "/pupils/parents/join/" in message.body
    assert code not in message.body and code.replace("-", "") not in message.body
    token = re.search(r"/pupils/parents/join/([^/\s]+)/", message.body).group(1)
    assert invitations.invitation_for_token(token) == invitation
    # The child is not named in the email: it may reach the wrong inbox.
    assert "Zephyrine" not in message.body


def test_the_emailed_link_uses_the_configured_address_not_the_request_host(
    cast, grace, client_for, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.WAYMARK_BASE_URL = "https://waymark.example.sch.uk"
    settings.ALLOWED_HOSTS = ["*"]
    url = reverse("pupils:parent-invite", kwargs={"public_id": grace.public_id})
    with django_capture_on_commit_callbacks(execute=True):
        client_for(cast.senco).post(url, HTTP_HOST="attacker.example")
    assert len(mailoutbox) == 1
    assert "https://waymark.example.sch.uk/pupils/parents/join/" in mailoutbox[0].body
    assert "attacker.example" not in mailoutbox[0].body


def test_link_and_code_are_stored_only_as_hashes(cast, grace):
    issued = invite(cast, grace)
    with scopes_disabled():
        row = ParentInvitation.objects.filter(pk=issued.invitation.pk).values().get()
    stored = " ".join(str(value) for value in row.values())
    assert issued.token not in stored and issued.code not in stored
    assert len(row["token_hash"]) == len(row["code_hash"]) == 64


def test_codes_are_short_and_unambiguous():
    codes = {invitations.new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 8 and not set(code) & set("0O1IL")
        assert invitations.code_looks_right(code)
    assert invitations.group_code("K7QM3XDP") == "K7QM-3XDP"
    assert invitations.normalise_code(" k7qm-3xdp ") == "K7QM3XDP"


def test_inviting_is_audited_once(cast, grace, in_school):
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    issued = invitations.parent_invite(actor=senco(cast), link=fresh(grace))
    events = list(AuditEvent.objects.exclude(pk__in=before))
    assert [event.action for event in events] == ["pupils.parent_link.invited"]
    assert events[0].pupil_id == cast.pupil.public_id and events[0].actor == cast.senco
    assert events[0].data == {"invitation": str(issued.invitation.public_id), "withdrawn": 0}


def test_a_new_invitation_withdraws_the_last(cast, grace, client_for):
    first = invite(cast, grace)
    second = invite(cast, grace)
    assert fresh(first.invitation).withdrawn_at is not None
    assert fresh(second.invitation).withdrawn_at is None
    assert client_for(None).get(accept_url(first.token)).status_code == 404
    assert client_for(None).get(accept_url(second.token)).status_code == 200


@pytest.mark.parametrize("who", ["teacher", "dsl", "head_of_year", "trust_lead", "parent", "specialist", "other_senco"])
def test_only_inviters_may_invite(cast, grace, in_school, who):
    before = fingerprint()
    with pytest.raises(PermissionDenied):
        invitations.parent_invite(actor=Actor.for_user(getattr(cast, who)), link=fresh(grace))
    with pytest.raises(PermissionDenied):
        invitations.parent_invite_many(actor=Actor.for_user(getattr(cast, who)), links=[fresh(grace)])
    assert fingerprint() == before
    assert not ParentInvitation.objects.exists()


REFUSALS = {
    "restricted": (
        lambda c: f.ParentLinkFactory(
            pupil=c.pupil, user=None, full_name="Rory Restricted", email="rory@example.test", status="restricted"
        ),
        "restricted or suspended",
    ),
    "no email": (
        lambda c: f.ParentLinkFactory(pupil=c.pupil, user=None, full_name="Nia Noemail", email=""),
        "has no email address",
    ),
    "has an account": (lambda c: c.parent_link, "already has an account"),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_invite_is_refused_with_a_clear_message(cast, client_for, mailoutbox, django_capture_on_commit_callbacks, case):
    build, message = REFUSALS[case]
    link = build(cast)
    before = fingerprint()
    with scope(school=[cast.school.pk]), pytest.raises(ValidationError) as caught:
        invitations.parent_invite(actor=senco(cast), link=fresh(link))
    assert message in " ".join(caught.value.messages)
    # The page says why, offers no button, and a forced POST changes nothing.
    url = reverse("pupils:parent-invite", args=[link.public_id])
    client = client_for(cast.senco)
    assert message in text_of(client.get(url))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 200
    assert message in error_summary(response)
    assert fingerprint() == before
    with scopes_disabled():
        assert not ParentInvitation.objects.exists()
    assert mailoutbox == []


# ----- withdrawing -----


def test_a_withdrawn_invitation_cannot_be_used_or_withdrawn_again(cast, grace, client_for, in_school):
    issued = invitations.parent_invite(actor=senco(cast), link=fresh(grace))
    invitations.invitation_withdraw(actor=senco(cast), invitation=fresh(issued.invitation))
    assert AuditEvent.objects.filter(action="pupils.parent_link.invitation_withdrawn").count() == 1
    with pytest.raises(ValidationError, match="already been withdrawn"):
        invitations.invitation_withdraw(actor=senco(cast), invitation=fresh(issued.invitation))
    with pytest.raises(PermissionDenied):
        invitations.invitation_withdraw(actor=Actor.for_user(cast.teacher), invitation=fresh(issued.invitation))
    response = client_for(None).get(accept_url(issued.token))
    assert response.status_code == 404
    assert "Ask the school" in text_of(response)


# ----- accepting -----


def test_a_new_parent_accepts_with_the_link_and_the_code(cast, grace, client_for):
    issued = invite(cast, grace)
    client = client_for(None)
    page = client.get(accept_url(issued.token))
    assert page.status_code == 200
    words = text_of(page)
    assert "Enter the code" in words or "Code from your letter" in words
    for private in PRIVATE_WORDS:
        assert private not in words, private
    response = client.post(accept_url(issued.token), {"code": issued.grouped_code.lower(), **NEW_ACCOUNT})
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    with scopes_disabled():
        user = User.objects.get(email="grace@example.test")
        link = fresh(grace)
        invitation = fresh(issued.invitation)
        event = AuditEvent.objects.get(action="pupils.parent_link.invitation_accepted")
    assert link.user == user and user.full_name == "Grace Grandparent"
    assert invitation.accepted_at is not None and invitation.accepted_by == user
    assert event.actor == user and event.pupil_id == cast.pupil.public_id and event.data["new_account"] is True
    # Signed in, and the child is on their home page.
    home = client.get(reverse("core:home"))
    assert home.status_code == 200
    assert [child.pk for child in home.context["children"]] == [cast.pupil.pk]


def test_the_link_alone_is_not_enough(cast, grace, client_for):
    issued = invite(cast, grace)
    wrong = "ABCD-EFGH" if issued.grouped_code != "ABCD-EFGH" else "HGFE-DCBA"
    before = fingerprint()
    response = client_for(None).post(accept_url(issued.token), {"code": wrong, **NEW_ACCOUNT})
    assert response.status_code == 200
    assert "The code is not right" in error_summary(response)
    assert "4 more times" in error_summary(response)
    invitation = fresh(issued.invitation)
    assert invitation.failed_attempts == 1 and invitation.accepted_at is None
    assert fresh(grace).user_id is None
    assert not User.objects.filter(email="grace@example.test").exists()
    with scopes_disabled():
        failed = AuditEvent.objects.get(action="pupils.parent_link.invitation_code_failed")
    assert failed.actor is None and failed.data["failed_attempts"] == 1
    # Nothing else changed: only the attempt and its audit event.
    after = fingerprint()
    assert after["audit"] == before["audit"] + 1
    assert {k: v for k, v in after.items() if k != "audit"} == {k: v for k, v in before.items() if k != "audit"}


def test_the_code_alone_is_not_enough(cast, grace, client_for):
    issued = invite(cast, grace)
    response = client_for(None).post(accept_url("not-the-emailed-token"), {"code": issued.code, **NEW_ACCOUNT})
    assert response.status_code == 404
    assert fresh(grace).user_id is None


def test_a_badly_typed_code_is_not_counted(cast, grace, client_for):
    issued = invite(cast, grace)
    response = client_for(None).post(accept_url(issued.token), {"code": "12", **NEW_ACCOUNT})
    assert "Enter the code exactly as it is in the letter" in error_summary(response)
    assert fresh(issued.invitation).failed_attempts == 0


def test_five_wrong_codes_lock_the_invitation(cast, grace, client_for):
    issued = invite(cast, grace)
    client = client_for(None)
    wrong = "ABCD-EFGH" if issued.grouped_code != "ABCD-EFGH" else "HGFE-DCBA"
    for attempt in range(1, 5):
        response = client.post(accept_url(issued.token), {"code": wrong, **NEW_ACCOUNT})
        assert response.status_code == 200, attempt
    fifth = client.post(accept_url(issued.token), {"code": wrong, **NEW_ACCOUNT})
    assert fifth.status_code == 404 and "Ask the school" in text_of(fifth)
    assert fresh(issued.invitation).failed_attempts == 5
    # Locked: even the right code no longer works.
    right = client_for(None).post(accept_url(issued.token), {"code": issued.code, **NEW_ACCOUNT})
    assert right.status_code == 404
    assert fresh(grace).user_id is None
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="pupils.parent_link.invitation_code_failed").count() == 5
    # The school sees that it stopped working, and can invite again.
    pupil_page = text_of(client_for(cast.senco).get(reverse("pupils:pupil-detail", args=[cast.pupil.public_id])))
    assert "stopped working after 5 wrong codes" in pupil_page


def expire(invitation):
    with scopes_disabled():
        ParentInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(1))


def withdraw(cast, invitation):
    with scope(school=[cast.school.pk]):
        invitations.invitation_withdraw(actor=senco(cast), invitation=fresh(invitation))


def use(cast, issued):
    with scope(school=[cast.school.pk]):
        invitations.invitation_accept(invitation=fresh(issued.invitation), code=issued.code, user=cast.other_parent)


def restrict(cast, issued):
    with scope(school=[cast.school.pk]):
        from waymark.pupils import services

        link = fresh(issued.invitation.link)
        services.parent_link_update(
            actor=senco(cast), link=link, expected_version=link.lock_version, status="restricted", status_reason="Order"
        )


UNUSABLE = {
    "expired": lambda c, issued: expire(issued.invitation),
    "withdrawn": lambda c, issued: withdraw(c, issued.invitation),
    "used": lambda c, issued: use(c, issued),
    "link restricted since": lambda c, issued: restrict(c, issued),
}


@pytest.mark.parametrize("case", UNUSABLE)
def test_an_unusable_link_says_ask_the_school_and_nothing_else(cast, grace, client_for, case):
    issued = invite(cast, grace)
    UNUSABLE[case](cast, issued)
    before = fingerprint()
    for client in (client_for(None), client_for(cast.co_parent)):
        for response in (
            client.get(accept_url(issued.token)),
            client.post(accept_url(issued.token), {"code": issued.code, **NEW_ACCOUNT}),
        ):
            assert response.status_code == 404
            words = text_of(response)
            assert "This invitation link cannot be used" in words and "Ask the school" in words
            for private in PRIVATE_WORDS:
                assert private not in words, (case, private)
    assert fingerprint() == before


def test_an_unknown_token_gets_the_same_page(cast, grace, client_for):
    issued = invite(cast, grace)
    withdraw(cast, issued.invitation)
    unknown = client_for(None).get(accept_url("no-such-token"))
    withdrawn = client_for(None).get(accept_url(issued.token))
    assert unknown.status_code == withdrawn.status_code == 404
    assert text_of(unknown) == text_of(withdrawn)


def test_used_twice_the_second_time_is_refused(cast, grace, in_school):
    issued = invitations.parent_invite(actor=senco(cast), link=fresh(grace))
    found = invitations.invitation_for_token(issued.token)
    invitations.invitation_accept(invitation=found, code=issued.code, user=cast.other_parent)
    before = fingerprint()
    with pytest.raises(invitations.InvitationUnusable):
        invitations.invitation_accept(invitation=found, code=issued.code, user=cast.co_parent)
    assert fingerprint() == before
    assert fresh(grace).user == cast.other_parent


def test_an_existing_account_signs_in_first_and_is_linked(cast, grace, client_for):
    with scopes_disabled():
        existing = f.UserFactory(email="grace@example.test", full_name="Grace G")
    issued = invite(cast, grace)
    anonymous = client_for(None)
    response = anonymous.get(accept_url(issued.token))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={accept_url(issued.token).replace('/', '%2F')}"
    # Posting without signing in changes nothing either.
    anonymous.post(accept_url(issued.token), {"code": issued.code, **NEW_ACCOUNT})
    assert fresh(grace).user_id is None and User.objects.filter(email="grace@example.test").count() == 1

    client = client_for(existing)
    page = client.get(accept_url(issued.token))
    assert page.status_code == 200 and "password" not in page.context["form"].fields
    response = client.post(accept_url(issued.token), {"code": issued.code})
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    assert fresh(grace).user == existing
    assert [child.pk for child in client.get(reverse("core:home")).context["children"]] == [cast.pupil.pk]


def test_the_staff_side_never_learns_whether_an_account_exists(cast, client_for, in_school):
    """Invite two parents, one whose address has an account: the service never reads accounts,
    and the pupil page tells them apart only by name and address until one accepts."""
    with scopes_disabled():
        f.UserFactory(email="known@example.test", full_name="Someone Known")
        known = f.ParentLinkFactory(pupil=cast.pupil, user=None, full_name="Kim Known", email="known@example.test")
        unknown = f.ParentLinkFactory(pupil=cast.pupil, user=None, full_name="Uma Unknown", email="uma@example.test")
    with CaptureQueriesContext(connection) as queries:
        for link in (known, unknown):
            invitations.parent_invite(actor=senco(cast), link=fresh(link))
    # (full_clean checks the inviter's own account exists: that is the only look at accounts.)
    looked_up = [q["sql"] for q in queries if "accounts_user" in q["sql"] and "email" in q["sql"].lower()]
    assert not looked_up
    page = client_for(cast.senco).get(reverse("pupils:pupil-detail", args=[cast.pupil.public_id]))
    cards = {link.full_name: link.access.code for link in page.context["parent_links"]}
    assert cards["Kim Known"] == cards["Uma Unknown"] == "invited"
    words = text_of(page)
    card_known = words[words.index("Kim Known") :].split("Status")[0]
    card_unknown = words[words.index("Uma Unknown") :].split("Status")[0]
    assert card_known.replace("Kim Known", "X").replace("known@example.test", "Y") == card_unknown.replace(
        "Uma Unknown", "X"
    ).replace("uma@example.test", "Y")


def test_a_signed_in_parent_may_accept_an_invitation_sent_to_another_address(cast, grace, client_for):
    """Our choice (see family_views.parent_invitation_accept): the link and the school's code are what count."""
    issued = invite(cast, grace)
    client = client_for(cast.other_parent)
    assert "You are signed in as Priya Otherparent" in text_of(client.get(accept_url(issued.token)))
    response = client.post(accept_url(issued.token), {"code": issued.code})
    assert response.status_code == 302
    assert fresh(grace).user == cast.other_parent
    # Their own address is not marked as the invitation's: it was sent elsewhere.
    from allauth.account.models import EmailAddress

    assert not EmailAddress.objects.filter(email="grace@example.test").exists()


def test_a_second_child_joins_the_same_account(cast, client_for):
    with scopes_disabled():
        second = f.ParentLinkFactory(
            pupil=cast.other_pupil, user=None, full_name="Paula Parent", email="parent@example.test"
        )
    issued = invite(cast, second)
    client = client_for(cast.parent)
    assert client.post(accept_url(issued.token), {"code": issued.code}).status_code == 302
    children = client.get(reverse("core:home")).context["children"]
    assert sorted(child.pk for child in children) == sorted([cast.pupil.pk, cast.other_pupil.pk])
    with scope(school=[cast.school.pk]):
        assert Pupil.objects.restrict(Actor.for_user(cast.parent), "view").count() == 2


def test_an_account_already_linked_to_the_child_is_told_and_nothing_changes(cast, grace, client_for):
    issued = invite(cast, grace)
    before = fingerprint()
    response = client_for(cast.parent).post(accept_url(issued.token), {"code": issued.code})
    assert response.status_code == 200
    assert "already linked to this child" in error_summary(response)
    assert fingerprint() == before
    assert fresh(issued.invitation).accepted_at is None and fresh(issued.invitation).failed_attempts == 0


def test_a_weak_password_is_refused_and_nothing_changes(cast, grace, client_for):
    issued = invite(cast, grace)
    before = fingerprint()
    response = client_for(None).post(
        accept_url(issued.token), {"code": issued.code, "full_name": "Grace", "password": "short"}
    )
    assert response.status_code == 200 and error_summary(response)
    assert fingerprint() == before
    assert not User.objects.filter(email="grace@example.test").exists()


# ----- inviting several at once -----


@pytest.fixture
def many(cast):
    """Three parents who can be invited (two in Year 8, one in Year 9) and some who cannot."""
    with scopes_disabled():
        links = {
            "grace": f.ParentLinkFactory(
                pupil=cast.pupil, user=None, full_name="Grace Grandparent", email="g@example.test"
            ),
            "omar": f.ParentLinkFactory(
                pupil=cast.other_pupil, user=None, full_name="Omar Other", email="o@example.test"
            ),
            "fern": f.ParentLinkFactory(pupil=cast.pupil, user=None, full_name="Fern Foster", email="f@example.test"),
            "no_email": f.ParentLinkFactory(pupil=cast.pupil, user=None, full_name="Nia Noemail", email=""),
            "restricted": f.ParentLinkFactory(
                pupil=cast.pupil, user=None, full_name="Rory Restricted", email="r@example.test", status="restricted"
            ),
            "other_school": f.ParentLinkFactory(
                pupil=cast.other_school_pupil, user=None, full_name="Bea Brookfield", email="b@example.test"
            ),
        }
    return links


def test_the_list_shows_only_those_who_can_be_invited(cast, many, client_for):
    client = client_for(cast.senco)
    url = reverse("pupils:parent-invite-many")
    words = text_of(client.get(url))
    for name in ("Grace Grandparent", "Omar Other", "Fern Foster"):
        assert name in words, name
    for name in ("Nia Noemail", "Rory Restricted", "Bea Brookfield", "Paula Parent", "Cleo Coparent"):
        assert name not in words, name
    year_9 = text_of(client.get(url, {"year_group": "9"}))
    assert "Omar Other" in year_9 and "Grace Grandparent" not in year_9
    # Invited already: out of the default list, back in when asked for.
    invite(cast, many["fern"])
    assert "Fern Foster" not in text_of(client.get(url))
    assert "Fern Foster" in text_of(client.get(url, {"show": "all"}))


def test_several_parents_are_invited_at_once(cast, many, client_for, mailoutbox, django_capture_on_commit_callbacks):
    client = client_for(cast.senco)
    chosen = [str(many["grace"].public_id), str(many["omar"].public_id)]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pupils:parent-invite-many"), {"links": chosen})
    assert response.status_code == 302 and response["Location"] == reverse("pupils:parent-invitation-letters")
    assert sorted(message.to[0] for message in mailoutbox) == ["g@example.test", "o@example.test"]
    with scopes_disabled():
        assert ParentInvitation.objects.count() == 2
        events = AuditEvent.objects.filter(action="pupils.parent_link.invited")
        assert sorted(str(e.pupil_id) for e in events) == sorted(
            [str(cast.pupil.public_id), str(cast.other_pupil.public_id)]
        )
    page = client.get(reverse("pupils:parent-invitation-letters"))
    letters = re.findall(r"<article.*?</article>", page.content.decode(), flags=re.S)
    assert len(letters) == 2
    # One child per letter: nobody's letter carries another child's name or code.
    grace_letter = next(letter for letter in letters if "Grace Grandparent" in letter)
    omar_letter = next(letter for letter in letters if "Omar Other" in letter)
    assert "Zephyrine" in grace_letter and "Oswin" not in grace_letter
    assert "Oswin" in omar_letter and "Zephyrine" not in omar_letter
    assert len(set(CODE_PATTERN.findall(grace_letter) + CODE_PATTERN.findall(omar_letter))) == 2
    for message in mailoutbox:
        for code in CODE_PATTERN.findall(page.content.decode()):
            assert code not in message.body


def test_invite_many_is_all_or_nothing(cast, many, client_for, mailoutbox, django_capture_on_commit_callbacks):
    client = client_for(cast.senco)
    url = reverse("pupils:parent-invite-many")
    client.get(url)
    # Someone restricts Omar's link after the list was opened.
    with scope(school=[cast.school.pk]):
        from waymark.pupils import services

        services.parent_link_update(
            actor=senco(cast), link=fresh(many["omar"]), expected_version=0, status="restricted", status_reason="Order"
        )
    before = fingerprint()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"links": [str(many["grace"].public_id), str(many["omar"].public_id)]})
    assert response.status_code == 200
    assert "You cannot invite Omar Other" in error_summary(response)
    assert fingerprint() == before
    with scopes_disabled():
        assert not ParentInvitation.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("links", "message"),
    [
        (lambda m: [], "Select at least one parent or carer to invite"),
        (lambda m: [str(m["other_school"].public_id)], "Select parents and carers from the list"),
        (lambda m: ["not-a-uuid"], "Select parents and carers from the list"),
    ],
)
def test_invite_many_bad_input(cast, many, client_for, links, message):
    before = fingerprint()
    response = client_for(cast.senco).post(reverse("pupils:parent-invite-many"), {"links": links(many)})
    assert response.status_code == 200
    assert message in error_summary(response)
    assert fingerprint() == before
    with scopes_disabled():
        assert not ParentInvitation.objects.exists()


def test_invite_many_service_checks_every_link_first(cast, many, in_school):
    with pytest.raises(ValidationError) as caught:
        invitations.parent_invite_many(
            actor=senco(cast), links=[fresh(many["grace"]), fresh(many["no_email"]), fresh(many["restricted"])]
        )
    assert len(caught.value.messages) == 2
    assert not ParentInvitation.objects.exists()


def add_invitable_parents(cast, count, start=0):
    with scopes_disabled():
        pupils = [
            f.PupilFactory(school=cast.school, legal_surname=f"Bulkpupil{start + i:03d}", year_group=7)
            for i in range(count)
        ]
        ParentLink.objects.bulk_create(
            ParentLink(
                pupil=p,
                full_name=f"Bulk Carer {start + i}",
                email=f"carer{start + i}@example.test",
                relationship="parent",
            )
            for i, p in enumerate(pupils)
        )


def test_the_list_runs_the_same_queries_for_3_or_60_parents(cast, client_for):
    client = client_for(cast.senco)
    url = reverse("pupils:parent-invite-many")

    def count(params=None):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params or {})
        assert response.status_code == 200
        return len(queries)

    add_invitable_parents(cast, 3)
    few = count()
    add_invitable_parents(cast, 57, start=3)
    assert count() == few
    assert count({"page": 2, "year_group": "7", "show": "all"}) == few
    assert "Bulk Carer" in text_of(client.get(url, {"page": 2}))


@pytest.mark.parametrize(
    ("who", "sees"), [("senco", True), ("head", True), ("teacher", False), ("head_of_year", False)]
)
def test_the_register_links_to_inviting_several_parents(cast, client_for, who, sees):
    page = client_for(getattr(cast, who)).get(reverse("pupils:register-list")).content.decode()
    assert (reverse("pupils:parent-invite-many") in page) is sees


def test_forbidden_invitation_posts_are_missing_and_change_nothing(
    cast, grace, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    posts = {
        reverse("pupils:parent-invite", args=[grace.public_id]): ({}, INVITERS),
        reverse("pupils:parent-invite-many"): ({"links": [str(grace.public_id)]}, INVITERS | {"other_senco"}),
    }
    wrong = []
    with django_capture_on_commit_callbacks(execute=True):
        for url, (data, allowed) in posts.items():
            for name in CAST_PEOPLE:
                if name in allowed:
                    continue
                got = client_for(getattr(cast, name)).post(url, data).status_code
                if got != 404:
                    wrong.append(f"{url} {name}: expected 404, got {got}")
            assert client_for(None).post(url, data).status_code == 302
        # The other school's SENCO opens their own list, but cannot pick our parents from it.
        other = client_for(cast.other_senco).post(
            reverse("pupils:parent-invite-many"), {"links": [str(grace.public_id)]}
        )
    assert not wrong, "\n".join(wrong)
    assert other.status_code == 200 and "Select parents and carers from the list" in error_summary(other)
    with scopes_disabled():
        assert not ParentInvitation.objects.exists()
    assert mailoutbox == []
    for url, (data, _) in posts.items():
        assert client_for(cast.head).post(url, data).status_code == 302, url
    with scopes_disabled():
        assert ParentInvitation.objects.filter(link=grace).count() == 2
