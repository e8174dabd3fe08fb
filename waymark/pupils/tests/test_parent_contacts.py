"""Parents' contact records: who adds and changes them, what the pupil page shows, and bad input.

The SENCO and deputies (EDIT reach, from the rule table) keep the records; everyone who
sees the pupil page sees each parent's relationship, access and language or access needs;
addresses and numbers are for those who keep the records or invite, and the DSL; a
restricted link's reason stays with the SENCO and the DSL.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from waymark.conftest import CAST_PEOPLE
from waymark.core.actor import Actor
from waymark.core.models import AuditEvent
from waymark.core.services import STALE_MESSAGE
from waymark.pupils import invitations, services
from waymark.pupils.models import ParentInvitation, ParentLink
from waymark.tests import factories as f
from waymark.tests.helpers import error_summary, fingerprint, text_of


def fresh(obj):
    with scopes_disabled():
        return type(obj)._base_manager.get(pk=obj.pk)


@pytest.fixture
def in_school(cast):
    with scope(school=[cast.school.pk]):
        yield


@pytest.fixture
def grandma(cast):
    """A carer with no account and no email: the school records her from its MIS."""
    return f.ParentLinkFactory(
        pupil=cast.pupil,
        user=None,
        full_name="Gwen Grandmother",
        email="",
        relationship=ParentLink.Relationship.GRANDPARENT,
        contact_by_email=False,
        contact_by_phone=True,
        phone="01632 960123",
        address="1 Orchard Lane\nAshdown",
        language="Polish",
        needs_interpreter=True,
        preferred_format=ParentLink.Format.LARGE_PRINT,
    )


@pytest.fixture
def deputy(cast):
    with scopes_disabled():
        return f.MembershipFactory(school=cast.school, roles=["deputy_senco"]).user


def contact_post(**changes):
    data = {
        "full_name": "Dara Carer",
        "relationship": "foster_carer",
        "parental_responsibility": "False",
        "email": "Dara.Carer@Example.TEST ",
        "phone": "",
        "address": "",
        "contact_by": ["email"],
        "language": "Urdu",
        "needs_interpreter": "True",
        "preferred_format": "paper",
        "access_needs": "Step-free access",
    }
    data.update(changes)
    return data


def edit_post(link, **changes):
    data = {
        "full_name": link.full_name,
        "relationship": link.relationship,
        "parental_responsibility": str(link.parental_responsibility),
        "email": link.email,
        "phone": link.phone,
        "address": link.address,
        "contact_by": [
            way
            for way, on in (
                ("email", link.contact_by_email),
                ("phone", link.contact_by_phone),
                ("post", link.contact_by_post),
            )
            if on
        ],
        "language": link.language,
        "needs_interpreter": str(link.needs_interpreter),
        "preferred_format": link.preferred_format,
        "access_needs": link.access_needs,
        "lock_version": str(link.lock_version),
    }
    data.update(changes)
    return data


# ----- who may open each page -----

PAGES = {
    "parent-contact-create": lambda c, g: reverse("pupils:parent-contact-create", args=[c.pupil.public_id]),
    "parent-contact-edit": lambda c, g: reverse("pupils:parent-contact-edit", args=[g.public_id]),
    "parent-contact-edit-account-holder": lambda c, g: reverse(
        "pupils:parent-contact-edit", args=[c.parent_link.public_id]
    ),
    "parent-contact-edit-restricted": lambda c, g: reverse(
        "pupils:parent-contact-edit", args=[c.restricted_link.public_id]
    ),
}


@pytest.mark.parametrize("page", PAGES)
def test_only_the_senco_opens_the_contact_pages(cast, grandma, client_for, page):
    url = PAGES[page](cast, grandma)
    wrong = []
    for name in CAST_PEOPLE:
        expected = 200 if name == "senco" else 404
        got = client_for(getattr(cast, name)).get(url).status_code
        if got != expected:
            wrong.append(f"{name}: expected {expected}, got {got}")
    assert not wrong, f"{page}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_sign_in(cast, grandma, client_for, page):
    response = client_for(None).get(PAGES[page](cast, grandma))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_other_schools_senco_cannot_reach_our_records(cast, grandma, client_for):
    client = client_for(cast.other_senco)
    assert (
        client.post(reverse("pupils:parent-contact-edit", args=[grandma.public_id]), edit_post(grandma)).status_code
        == 404
    )
    assert (
        client.post(reverse("pupils:parent-contact-create", args=[cast.pupil.public_id]), contact_post()).status_code
        == 404
    )
    assert fresh(grandma).lock_version == grandma.lock_version


def test_a_deputy_senco_keeps_the_records_but_never_sees_a_restricted_reason(cast, deputy, client_for):
    client = client_for(deputy)
    assert client.get(reverse("pupils:parent-contact-create", args=[cast.pupil.public_id])).status_code == 200
    page = client.get(reverse("pupils:parent-contact-edit", args=[cast.restricted_link.public_id]))
    assert page.status_code == 200
    assert "Court order" not in page.content.decode()
    assert "status" not in page.context["form"].fields
    pupil_page = text_of(client.get(reverse("pupils:pupil-detail", args=[cast.pupil.public_id])))
    assert "Court order" not in pupil_page
    assert "Add a parent or carer" in pupil_page


def test_the_pages_answer_only_their_methods(cast, grandma, client_for):
    client = client_for(cast.senco)
    assert client.put(reverse("pupils:parent-contact-create", args=[cast.pupil.public_id])).status_code == 405
    assert client.delete(reverse("pupils:parent-contact-edit", args=[grandma.public_id])).status_code == 405


# ----- adding and changing a record -----


def test_the_senco_adds_a_parent_without_an_account(cast, client_for):
    url = reverse("pupils:parent-contact-create", args=[cast.pupil.public_id])
    response = client_for(cast.senco).post(url, contact_post())
    assert response.status_code == 302
    assert response["Location"] == reverse("pupils:pupil-detail", args=[cast.pupil.public_id])
    with scopes_disabled():
        link = ParentLink.objects.get(full_name="Dara Carer")
        event = AuditEvent.objects.get(action="pupils.parent_link.created", target_id=str(link.public_id))
    assert link.user is None and link.status == "active" and link.pupil == cast.pupil
    assert link.email == "dara.carer@example.test"
    assert link.parental_responsibility is False
    assert (link.contact_by_email, link.contact_by_phone, link.contact_by_post) == (True, False, False)
    assert link.contact_needs == "Urdu, needs an interpreter, Paper copy, Step-free access"
    assert event.actor == cast.senco and event.pupil_id == cast.pupil.public_id


def test_a_parent_with_no_email_can_be_recorded(cast, client_for):
    url = reverse("pupils:parent-contact-create", args=[cast.pupil.public_id])
    data = contact_post(email="", contact_by=["phone", "post"], phone="01632 960999", address="2 Mill Road")
    assert client_for(cast.senco).post(url, data).status_code == 302
    with scopes_disabled():
        link = ParentLink.objects.get(full_name="Dara Carer")
    assert link.email == "" and link.contact_by_phone and link.contact_by_post


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"full_name": ""}, "Enter full name"),
        ({"relationship": ""}, "Select relationship to the child"),
        ({"email": "not an email"}, "Enter a valid email address"),
        ({"email": "", "contact_by": ["email"]}, "Enter an email address, or do not choose email"),
        ({"contact_by": ["phone"]}, "Enter a phone number, or do not choose phone"),
        ({"contact_by": ["post"]}, "Enter a postal address, or do not choose letter"),
        ({"email": "Parent@example.test"}, "already recorded for this child"),
    ],
)
def test_bad_input_changes_nothing_and_says_why(cast, client_for, changes, message):
    url = reverse("pupils:parent-contact-create", args=[cast.pupil.public_id])
    before = fingerprint()
    response = client_for(cast.senco).post(url, contact_post(**changes))
    assert response.status_code == 200
    assert message in error_summary(response)
    assert fingerprint() == before


def test_the_senco_changes_a_record(cast, grandma, client_for):
    url = reverse("pupils:parent-contact-edit", args=[grandma.public_id])
    page = client_for(cast.senco).get(url)
    assert page.context["form"].initial["phone"] == "01632 960123"
    response = client_for(cast.senco).post(url, edit_post(grandma, language="", needs_interpreter="False"))
    assert response.status_code == 302
    link = fresh(grandma)
    assert link.language == "" and link.needs_interpreter is False
    assert link.lock_version == grandma.lock_version + 1
    with scopes_disabled():
        event = AuditEvent.objects.get(action="pupils.parent_link.updated")
    assert set(event.data["fields"]) == {"language", "needs_interpreter"}


def test_a_stale_edit_is_refused(cast, grandma, client_for):
    url = reverse("pupils:parent-contact-edit", args=[grandma.public_id])
    client = client_for(cast.senco)
    assert client.post(url, edit_post(grandma, language="Welsh")).status_code == 302
    before = fingerprint()
    response = client.post(url, edit_post(grandma, language="Tamil"))  # still the old lock_version
    assert response.status_code == 200
    assert str(STALE_MESSAGE) in error_summary(response)
    assert fingerprint() == before
    assert fresh(grandma).language == "Welsh"


def test_services_check_permission_again(cast, grandma, in_school):
    for who in ("head", "dsl", "teacher", "head_of_year", "parent", "specialist", "other_senco", "trust_lead"):
        actor = Actor.for_user(getattr(cast, who))
        before = fingerprint()
        with pytest.raises(PermissionDenied):
            services.parent_contact_create(actor=actor, pupil=cast.pupil, full_name="X Y", relationship="parent")
        with pytest.raises(PermissionDenied):
            services.parent_contact_update(actor=actor, link=fresh(grandma), expected_version=0, language="Welsh")
        assert fingerprint() == before, who


def test_the_contact_services_never_set_an_account_or_a_status(cast, grandma, in_school):
    actor = Actor.for_user(cast.senco)
    with pytest.raises(TypeError):
        services.parent_contact_create(
            actor=actor, pupil=cast.pupil, full_name="X Y", relationship="parent", user=cast.other_parent
        )
    with pytest.raises(TypeError):
        services.parent_contact_update(actor=actor, link=fresh(grandma), expected_version=0, status="restricted")
    assert fresh(grandma).user_id is None and fresh(grandma).status == "active"


def test_a_new_email_address_withdraws_the_open_invitation(cast, grandma, in_school):
    actor = Actor.for_user(cast.senco)
    link = services.parent_contact_update(
        actor=actor, link=fresh(grandma), expected_version=0, email="gwen@example.test", contact_by_email=True
    )
    issued = invitations.parent_invite(actor=actor, link=link)
    services.parent_contact_update(actor=actor, link=fresh(grandma), expected_version=1, email="gwen.new@example.test")
    assert fresh(issued.invitation).withdrawn_at is not None
    event = AuditEvent.objects.filter(action="pupils.parent_link.updated").order_by("-id").first()
    assert event.data == {"fields": ["email"], "invitations_withdrawn": 1}
    # Any other change leaves an open invitation alone.
    second = invitations.parent_invite(actor=actor, link=fresh(grandma))
    services.parent_contact_update(actor=actor, link=fresh(grandma), expected_version=2, language="Welsh")
    assert fresh(second.invitation).withdrawn_at is None


def test_a_service_validation_error_names_the_field(cast, in_school):
    with pytest.raises(ValidationError) as caught:
        services.parent_contact_create(
            actor=Actor.for_user(cast.senco),
            pupil=cast.pupil,
            full_name="X Y",
            relationship="parent",
            contact_by_email=True,
            email="",
        )
    assert "email" in caught.value.message_dict


# ----- the pupil page -----


def parent_card(page_text, name):
    """The words of one parent's card on the pupil page, up to the next card or section."""
    start = page_text.index(name)
    ends = [page_text.find(marker, start + len(name)) for marker in ("Add a parent or carer", "Safeguarding concerns")]
    return page_text[start : min(end for end in ends if end != -1)]


def test_the_pupil_page_shows_each_parent_and_how_to_contact_them(cast, grandma, client_for):
    page = text_of(client_for(cast.senco).get(reverse("pupils:pupil-detail", args=[cast.pupil.public_id])))
    card = parent_card(page, "Gwen Grandmother")
    for words in (
        "Grandparent",
        "Not invited",
        "Polish, needs an interpreter, Large print",
        "01632 960123",
        "1 Orchard Lane",
    ):
        assert words in card, words
    assert "Has an account" in parent_card(page, "Paula Parent")


def test_a_detail_not_recorded_says_so_on_the_pupil_and_invite_pages(cast, grandma, client_for):
    with scopes_disabled():
        bare = f.ParentLinkFactory(
            pupil=cast.pupil,
            user=None,
            full_name="Nell Nodetails",
            email="",
            phone="",
            address="",
            language="",
            needs_interpreter=False,
            preferred_format=ParentLink.Format.STANDARD,
            access_needs="",
            contact_by_email=False,
        )
    client = client_for(cast.senco)
    response = client.get(reverse("pupils:pupil-detail", args=[cast.pupil.public_id]))
    card = parent_card(text_of(response), "Nell Nodetails").split("Status")[0]  # her card alone
    for row in ("Language and access needs", "Email address", "Phone number", "Postal address"):
        assert f"{row} None recorded" in card, row
    # A recorded address keeps its lines.
    assert "1 Orchard Lane<br>Ashdown" in response.content.decode()
    invite = text_of(client.get(reverse("pupils:parent-invite", args=[bare.public_id])))
    assert "Email address None recorded" in invite and "Language and access needs None recorded" in invite


@pytest.mark.parametrize(
    ("who", "sees_details"),
    [("senco", True), ("head", True), ("dsl", True), ("teacher", False), ("ta", False), ("head_of_year", False)],
)
def test_addresses_and_numbers_are_for_those_who_keep_the_records(cast, grandma, client_for, who, sees_details):
    page = text_of(client_for(getattr(cast, who)).get(reverse("pupils:pupil-detail", args=[cast.pupil.public_id])))
    card = parent_card(page, "Gwen Grandmother")
    # Everyone who sees the page sees the relationship, access and language or access needs.
    assert "Grandparent" in card and "Not invited" in card
    assert "Polish, needs an interpreter, Large print" in card
    assert ("01632 960123" in card) is sees_details
    assert ("1 Orchard Lane" in card) is sees_details


@pytest.mark.parametrize(("who", "sees"), [("senco", True), ("dsl", True), ("head", False), ("teacher", False)])
def test_a_restricted_links_reason_stays_with_the_senco_and_dsl(cast, client_for, who, sees):
    page = text_of(client_for(getattr(cast, who)).get(reverse("pupils:pupil-detail", args=[cast.pupil.public_id])))
    assert ("Court order" in page) is sees


def test_only_editors_get_the_add_and_change_links(cast, grandma, client_for):
    url = reverse("pupils:pupil-detail", args=[cast.pupil.public_id])
    senco = client_for(cast.senco).get(url).content.decode()
    assert reverse("pupils:parent-contact-create", args=[cast.pupil.public_id]) in senco
    assert reverse("pupils:parent-contact-edit", args=[grandma.public_id]) in senco
    for who in ("head", "dsl", "teacher"):
        other = client_for(getattr(cast, who)).get(url).content.decode()
        assert reverse("pupils:parent-contact-create", args=[cast.pupil.public_id]) not in other, who
        assert reverse("pupils:parent-contact-edit", args=[grandma.public_id]) not in other, who


def add_parents(pupil, count, start=0):
    """``count`` parents without accounts, each invited three times (two withdrawn, one open)."""
    now = timezone.now()
    with scopes_disabled():
        links = ParentLink.objects.bulk_create(
            ParentLink(
                pupil=pupil,
                full_name=f"Bulk Parent {start + i}",
                email=f"bulk{start + i}@example.test",
                relationship="parent",
            )
            for i in range(count)
        )
        ParentInvitation.objects.bulk_create(
            ParentInvitation(
                link=link,
                email=link.email,
                token_hash=f"{link.pk:032d}{n:032d}",
                code_hash="x" * 64,
                expires_at=now + datetime.timedelta(days=14),
                withdrawn_at=None if n == 2 else now,
            )
            for link in links
            for n in range(3)
        )
    return links


def test_the_pupil_page_runs_the_same_queries_for_2_or_20_parents(cast, client_for):
    client = client_for(cast.senco)
    url = reverse("pupils:pupil-detail", args=[cast.pupil.public_id])
    add_parents(cast.pupil, 2)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), text_of(response)

    few, _ = count()
    add_parents(cast.pupil, 18, start=2)
    many, page = count()
    assert few == many
    assert "Bulk Parent 19" in page and page.count("Invited on") == 20


def test_forbidden_posts_are_missing_and_change_nothing(cast, grandma, client_for):
    posts = {
        reverse("pupils:parent-contact-create", args=[cast.pupil.public_id]): contact_post(),
        reverse("pupils:parent-contact-edit", args=[grandma.public_id]): edit_post(grandma, language="Welsh"),
    }
    before = fingerprint()
    wrong = []
    for url, data in posts.items():
        for name in CAST_PEOPLE:
            if name == "senco":
                continue
            got = client_for(getattr(cast, name)).post(url, data).status_code
            if got != 404:
                wrong.append(f"{url} {name}: expected 404, got {got}")
        assert client_for(None).post(url, data).status_code == 302
    assert not wrong, "\n".join(wrong)
    assert fingerprint() == before
    # The same POSTs from the SENCO save, so the 404s above were not a bad form.
    for url, data in posts.items():
        assert client_for(cast.senco).post(url, data).status_code == 302, url
    assert fingerprint() != before
