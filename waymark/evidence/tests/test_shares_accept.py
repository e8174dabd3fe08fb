"""Accepting a share from the emailed link: the right account, another account, a new account, a used link.

The page opens with the link alone and never names the pupil or the school. Every link
that cannot be used (unknown, accepted already, ended, expired) gets the same "ask the
school" page.
"""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from waymark.accounts.models import User
from waymark.core.actor import Actor
from waymark.core.models import AuditEvent
from waymark.evidence import shares
from waymark.evidence.models import Share
from waymark.tests import factories as f
from waymark.tests.helpers import error_summary, text_of

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
# Words that would tell a stranger holding the link who the pupil or the school is.
PRIVATE_WORDS = ("Zephyrine", "Quartermaine", "Ashdown", "Educational Psychology")
INVALID = "This link cannot be used"


def fresh(obj):
    with scopes_disabled():
        return type(obj)._base_manager.get(pk=obj.pk)


def issue(cast, email="ed.psych@example.test", **changes):
    with scope(school=[cast.school.pk]):
        return shares.share_create(
            actor=Actor.for_user(cast.senco),
            pupil=cast.pupil,
            email=email,
            full_name="Erin Psych",
            service="Educational Psychology",
            expires_on=changes.pop("expires_on", TODAY + 30 * DAY),
            lawful_basis_kind=Share.LawfulBasis.CONSENT,
            lawful_basis="Consent from both parents.",
            **changes,
        )


def url_for(issued):
    return reverse("evidence:share-accept", args=[issued.token])


def assert_private(response):
    text = text_of(response)
    for words in PRIVATE_WORDS:
        assert words not in text, words


def test_the_invited_account_signed_in_accepts_with_one_button(cast, client_for):
    issued = issue(cast)
    erin = f.UserFactory(email="Ed.Psych@Example.test", full_name="Erin Psych")
    client = client_for(erin)
    page = client.get(url_for(issued))
    assert page.status_code == 200 and "Accept" in text_of(page)
    assert "no-cache" in page["Cache-Control"] or "no-store" in page["Cache-Control"]
    assert_private(page)
    assert fresh(issued.share).specialist is None  # opening the page accepts nothing
    response = client.post(url_for(issued))
    assert response.status_code == 302
    assert response["Location"] == reverse("evidence:shared-detail", args=[issued.share.public_id])
    share = fresh(issued.share)
    assert share.specialist == erin and share.accepted_at is not None and share.token_hash is None
    assert client.get(response["Location"]).status_code == 200
    # The link worked once.
    again = client.get(url_for(issued))
    assert again.status_code == 404 and INVALID in text_of(again)


def test_another_account_is_told_to_sign_out_first(cast, client_for):
    issued = issue(cast)
    # Not a member of the school's staff: the header would name their own school.
    client = client_for(f.UserFactory(email="someone.else@example.test"))
    page = client.get(url_for(issued))
    text = text_of(page)
    assert "This link was sent to another email address" in text and "Sign out" in text
    assert "ed.psych@example.test" not in text
    assert_private(page)
    posted = client.post(url_for(issued))
    assert "another email address" in text_of(posted)
    share = fresh(issued.share)
    assert share.specialist is None and share.token_hash is not None
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="evidence.share.accepted").exists()


def test_an_existing_account_signs_in_first(cast, client_for):
    issued = issue(cast, email=cast.dsl.email)
    page = client_for(None).get(url_for(issued))
    assert page.status_code == 200 and "Sign in to accept" in text_of(page)
    assert f"/accounts/login/?next=%2Fevidence%2Fshares%2Faccept%2F{issued.token}%2F" in page.content.decode()
    assert_private(page)
    # Once signed in as that address, the button.
    assert "Accept" in text_of(client_for(cast.dsl).get(url_for(issued)))


def test_someone_new_creates_their_account_and_accepts(cast, client_for):
    issued = issue(cast)
    client = client_for(None)
    page = client.get(url_for(issued))
    assert "Create account and accept" in text_of(page) and "ed.psych@example.test" in text_of(page)
    assert_private(page)
    weak = client.post(url_for(issued), {"full_name": "Erin Psych", "password": "short"})
    assert weak.status_code == 200 and "too short" in error_summary(weak)
    assert not User.objects.filter(email="ed.psych@example.test").exists()
    missing = client.post(url_for(issued), {"full_name": "", "password": "a long enough passphrase"})
    assert "Enter your full name" in error_summary(missing)
    response = client.post(url_for(issued), {"full_name": "Erin Psych", "password": "a long enough passphrase"})
    assert response["Location"] == reverse("evidence:shared-detail", args=[issued.share.public_id])
    erin = User.objects.get(email="ed.psych@example.test")
    assert erin.full_name == "Erin Psych"
    assert EmailAddress.objects.filter(user=erin, verified=True).exists()
    assert fresh(issued.share).specialist == erin
    # Signed in now: the shared page opens.
    assert "Zephyrine Quartermaine" in text_of(client.get(response["Location"]))
    with scopes_disabled():
        assert AuditEvent.objects.get(action="evidence.share.accepted").data == {"new_account": True}


def test_a_share_starting_later_is_accepted_but_opens_on_its_first_day(cast, client_for):
    issued = issue(cast, starts_on=TODAY + 3 * DAY)
    erin = f.UserFactory(email="ed.psych@example.test")
    client = client_for(erin)
    response = client.post(url_for(issued))
    assert response["Location"] == reverse("core:home")
    assert fresh(issued.share).specialist == erin
    assert client.get(reverse("evidence:shared-detail", args=[issued.share.public_id])).status_code == 404


@pytest.mark.parametrize("how", ["unknown", "used", "ended", "expired"])
def test_links_that_cannot_be_used_get_one_page(cast, client_for, how):
    issued = issue(cast, expires_on=TODAY + 2 * DAY)
    url = url_for(issued)
    if how == "unknown":
        url = reverse("evidence:share-accept", args=["not-a-token"])
    elif how == "used":
        with scope(school=[cast.school.pk]):
            shares.share_accept(share=issued.share, full_name="Erin", password="a long enough passphrase")
    elif how == "ended":
        with scope(school=[cast.school.pk]):
            shares.share_end(actor=Actor.for_user(cast.senco), share=issued.share)
    elif how == "expired":
        with scopes_disabled():
            Share.objects.filter(pk=issued.share.pk).update(starts_on=TODAY - 10 * DAY, expires_on=TODAY - DAY)
    for user in (None, f.UserFactory(email="someone.else@example.test")):
        client = client_for(user)
        for response in (client.get(url), client.post(url, {"full_name": "X", "password": "a long enough passphrase"})):
            assert response.status_code == 404
            assert INVALID in text_of(response)
            assert_private(response)
    assert User.objects.filter(email="ed.psych@example.test").count() == (1 if how == "used" else 0)
