"""The staff side of parents' words: the parents page, recording for a parent, replying, sharing.

For staff who review the pupil's plan (SENCO and deputy SENCO): everyone else gets a
404. Parents' responses also show on the staff version page, for staff who see every
version.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from waymark.core.models import AuditEvent
from waymark.plans.models import AgreementResponse, ContributionChannel, ParentContribution, ParentRequest, PlanVersion
from waymark.plans.tests.family_setup import (
    CO_PARENT_PRIVATE,
    PARENT_WORDS,
    RESTRICTED_PARENT_WORDS,
    family_plans,
    family_views,
)
from waymark.plans.tests.test_versions import text_of
from waymark.pupils.models import ParentLink
from waymark.tests import factories as f
from waymark.tests.helpers import error_summary

REVIEWERS = {"senco"}  # Action.REVIEW reaches every pupil for the SENCO and deputy SENCO only
EVERY_VERSION = {"senco", "dsl", "head", "trust_lead"}  # selectors.sees_every_version


@pytest.fixture
def plans(cast):
    return family_plans(cast)


@pytest.fixture
def views(cast, plans):
    return family_views(cast, plans["active"].plan)


@pytest.fixture
def disagreement(cast, plans):
    with scopes_disabled():
        return AgreementResponse.objects.create(
            version=plans["shared"], link=cast.parent_link, agrees=False, comment="Kestrel: not enough reading help"
        )


@pytest.fixture
def open_request(cast, plans):
    with scopes_disabled():
        return ParentRequest.objects.create(
            link=cast.parent_link, plan=plans["active"].plan, kind="meeting", message="Tuesdays suit me"
        )


@pytest.fixture
def deputy(cast):
    with scopes_disabled():
        return f.MembershipFactory(school=cast.school, roles=["deputy_senco"]).user


# ----- who may open what -----


def _pages(cast, plans, views, disagreement):
    return {
        "parent-activity": reverse("plans:parent-activity", args=[cast.pupil.public_id]),
        "parent-views-record": reverse("plans:parent-views-record", args=[cast.parent_link.public_id]),
        "parent-response-record": reverse("plans:parent-response-record", args=[cast.co_parent_link.public_id]),
        "response-reply": reverse("plans:response-reply", args=[disagreement.public_id]),
    }


def test_only_those_who_review_the_plan_open_the_staff_pages(cast, plans, views, disagreement, client_for, deputy):
    wrong = []
    for page, url in _pages(cast, plans, views, disagreement).items():
        for name, user in cast.people.items():
            expected = 200 if name in REVIEWERS else 404
            got = client_for(user).get(url).status_code
            if got != expected:
                wrong.append(f"{page} {name}: expected {expected}, got {got}")
        assert client_for(deputy).get(url).status_code == 200, page
        anonymous = client_for(None).get(url)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/"), page
    assert not wrong, "\n".join(wrong)


def test_the_post_only_actions_are_missing_for_everyone_else(cast, plans, views, open_request, client_for):
    sharing = reverse("plans:contribution-sharing", args=[views["co_private"].public_id])
    resolve = reverse("plans:request-resolve", args=[open_request.public_id])
    for name in ("dsl", "head", "teacher", "parent", "co_parent", "specialist", "other_senco"):
        client = client_for(getattr(cast, name))
        assert client.post(sharing, {"shared": "1"}).status_code == 404, name
        assert client.post(resolve).status_code == 404, name
    assert client_for(cast.senco).get(sharing).status_code == 405
    with scopes_disabled():
        views["co_private"].refresh_from_db()
        open_request.refresh_from_db()
    assert views["co_private"].shared_with_family is False and open_request.resolved_at is None


# ----- the parents page -----


def test_the_parents_page_shows_each_parent_and_marks_views_seen(cast, plans, views, disagreement, client_for):
    with scopes_disabled():
        cast.parent_link.language = "Polish"
        cast.parent_link.needs_interpreter = True
        cast.parent_link.save()
    url = reverse("plans:parent-activity", args=[cast.pupil.public_id])
    page = text_of(client_for(cast.senco).get(url))
    for words in (
        "Paula Parent",
        "Cleo Coparent",
        "Piers Restricted",
        "Polish, needs an interpreter",
        PARENT_WORDS,
        CO_PARENT_PRIVATE,
        "Kestrel: not enough reading help",
        "Does not agree",
        "New",
        # The SENCO may see why a link is restricted.
        "Reason: Court order",
    ):
        assert words in page, words
    with scopes_disabled():
        assert not ParentContribution.objects.filter(seen_at__isnull=True).exists()
        assert set(ParentContribution.objects.values_list("seen_by", flat=True)) == {cast.senco.pk}
    assert AuditEvent.objects.filter(action="plans.contribution.seen").count() == 1
    # Nothing new the second time: no "New" tag, no audit event.
    again = text_of(client_for(cast.senco).get(url))
    assert " New " not in f" {again} "
    assert AuditEvent.objects.filter(action="plans.contribution.seen").count() == 1


def test_a_deputy_does_not_see_why_a_link_is_restricted(cast, plans, views, client_for, deputy):
    page = text_of(client_for(deputy).get(reverse("plans:parent-activity", args=[cast.pupil.public_id])))
    assert "Piers Restricted" in page and "Restricted" in page
    assert "Court order" not in page


def test_nothing_can_be_recorded_for_a_restricted_parent(cast, plans, client_for):
    client = client_for(cast.senco)
    page = client.get(reverse("plans:parent-activity", args=[cast.pupil.public_id])).content.decode()
    assert reverse("plans:parent-views-record", args=[cast.restricted_link.public_id]) not in page
    assert reverse("plans:parent-views-record", args=[cast.parent_link.public_id]) in page
    url = reverse("plans:parent-views-record", args=[cast.restricted_link.public_id])
    assert "nothing can be recorded for them" in text_of(client.get(url))
    response = client.post(url, {"given_via": "meeting", "going_well": "Something", "worries": "", "would_like": ""})
    assert response.status_code == 200
    assert "restricted or suspended" in error_summary(response)
    url = reverse("plans:parent-response-record", args=[cast.restricted_link.public_id])
    response = client.post(
        url, {"version": str(plans["shared"].public_id), "given_via": "phone", "agrees": "yes", "comment": ""}
    )
    assert "restricted or suspended" in error_summary(response)
    with scopes_disabled():
        assert not ParentContribution.objects.exists() and not AgreementResponse.objects.exists()


def test_recording_views_on_a_parents_behalf(cast, plans, client_for):
    with scopes_disabled():
        no_account = f.ParentLinkFactory(pupil=cast.pupil, user=None, full_name="Nell Noemail")
    client = client_for(cast.senco)
    url = reverse("plans:parent-views-record", args=[no_account.public_id])
    data = {"going_well": "Sleeping better", "worries": "", "would_like": ""}
    assert "Select how they gave it" in error_summary(client.post(url, {**data, "given_via": ""}))
    assert "Select how they gave it" in error_summary(client.post(url, {**data, "given_via": "online"}))
    with scopes_disabled():
        assert not ParentContribution.objects.exists()
    response = client.post(url, {**data, "given_via": "paper"})
    assert response.status_code == 302
    with scopes_disabled():
        saved = ParentContribution.objects.get()
    assert (saved.link, saved.given_via, saved.recorded_by) == (no_account, ContributionChannel.PAPER, cast.senco)
    assert AuditEvent.objects.filter(action="plans.contribution.recorded", target_id=str(saved.public_id)).exists()
    page = text_of(client.get(reverse("plans:parent-activity", args=[cast.pupil.public_id])))
    assert "Recorded on their behalf by Sam Senco: given on paper." in page


def test_recording_a_response_against_the_shared_version(cast, plans, client_for):
    client = client_for(cast.senco)
    url = reverse("plans:parent-response-record", args=[cast.co_parent_link.public_id])
    data = {"version": str(plans["shared"].public_id), "given_via": "meeting", "agrees": "no", "comment": ""}
    assert "Tell us what you do not agree with" in error_summary(client.post(url, data))
    response = client.post(url, {**data, "comment": "Wants more speech therapy"})
    assert response.status_code == 302
    with scopes_disabled():
        saved = AgreementResponse.objects.get()
    assert (saved.version, saved.link, saved.agrees, saved.recorded_by, saved.given_via) == (
        plans["shared"],
        cast.co_parent_link,
        False,
        cast.senco,
        "meeting",
    )
    assert AuditEvent.objects.filter(action="plans.response.recorded").count() == 1
    # The parent sees it as theirs, marked as recorded by the school.
    page = text_of(client_for(cast.co_parent).get(reverse("plans:family-respond", args=[plans["shared"].public_id])))
    assert "Wants more speech therapy" in page and "Recorded by the school: given at a meeting" in page


def test_a_recorded_response_for_a_version_since_replaced_changes_nothing(cast, plans, client_for):
    client = client_for(cast.senco)
    url = reverse("plans:parent-response-record", args=[cast.co_parent_link.public_id])
    old_id = str(plans["shared"].public_id)
    with scopes_disabled():
        PlanVersion.objects.filter(pk=plans["shared"].pk).update(status="superseded")
    response = client.post(url, {"version": old_id, "given_via": "phone", "agrees": "yes", "comment": ""})
    assert response.status_code == 200
    assert "has changed since you opened this page" in error_summary(response)
    with scopes_disabled():
        assert not AgreementResponse.objects.exists()


def test_replying_to_a_disagreement_once(cast, plans, disagreement, client_for):
    client = client_for(cast.senco)
    url = reverse("plans:response-reply", args=[disagreement.public_id])
    assert "Enter your reply" in error_summary(client.post(url, {"reply": "  "}))
    response = client.post(url, {"reply": "We will add a fourth session each week."})
    assert response.status_code == 302
    with scopes_disabled():
        disagreement.refresh_from_db()
    assert disagreement.reply == "We will add a fourth session each week." and disagreement.replied_by == cast.senco
    assert AuditEvent.objects.filter(action="plans.response.replied").count() == 1
    response = client.post(url, {"reply": "A different reply"})
    assert "already has a reply" in error_summary(response)
    with scopes_disabled():
        disagreement.refresh_from_db()
    assert disagreement.reply == "We will add a fourth session each week."
    respond = reverse("plans:family-respond", args=[plans["shared"].public_id])
    parent_page = text_of(client_for(cast.parent).get(respond))
    assert "We will add a fourth session each week." in parent_page


def test_sharing_views_with_the_family(cast, plans, views, client_for):
    client = client_for(cast.senco)
    url = reverse("plans:contribution-sharing", args=[views["co_private"].public_id])
    family_page = reverse("plans:family-child", args=[cast.pupil.public_id])
    assert CO_PARENT_PRIVATE not in text_of(client_for(cast.parent).get(family_page))
    response = client.post(url, {"shared": "1"})
    assert response["Location"] == reverse("plans:parent-activity", args=[cast.pupil.public_id])
    assert CO_PARENT_PRIVATE in text_of(client_for(cast.parent).get(family_page))
    assert AuditEvent.objects.filter(action="plans.contribution.sharing_changed").count() == 1
    client.post(url, {"shared": "0"})
    assert CO_PARENT_PRIVATE not in text_of(client_for(cast.parent).get(family_page))
    # A restricted parent's views are never shown to the family.
    with scopes_disabled():
        ParentContribution.objects.filter(pk=views["restricted"].pk).update(shared_with_family=False)
    client.post(reverse("plans:contribution-sharing", args=[views["restricted"].public_id]), {"shared": "1"})
    with scopes_disabled():
        assert ParentContribution.objects.get(pk=views["restricted"].pk).shared_with_family is False
    assert RESTRICTED_PARENT_WORDS not in text_of(client_for(cast.parent).get(family_page))


def test_resolving_a_request(cast, plans, open_request, client_for):
    client = client_for(cast.senco)
    url = reverse("plans:request-resolve", args=[open_request.public_id])
    activity = reverse("plans:parent-activity", args=[cast.pupil.public_id])
    assert "Tuesdays suit me" in text_of(client.get(activity))
    assert client.post(url).status_code == 302
    with scopes_disabled():
        open_request.refresh_from_db()
    assert open_request.resolved_by == cast.senco
    assert "Tuesdays suit me" not in text_of(client.get(activity))
    client.post(url)
    assert AuditEvent.objects.filter(action="plans.request.resolved").count() == 1


def test_the_plan_page_links_to_the_parents_page_for_reviewers_only(cast, plans, client_for):
    link = reverse("plans:parent-activity", args=[cast.pupil.public_id])
    plan_page = reverse("plans:plan-detail", args=[cast.pupil.public_id])
    assert link in client_for(cast.senco).get(plan_page).content.decode()
    assert link not in client_for(cast.teacher).get(plan_page).content.decode()


# ----- responses on the staff version page -----


def test_a_disagreement_stays_visible_on_the_version_with_the_reply(cast, plans, disagreement, client_for):
    url = reverse("plans:version-detail", args=[plans["shared"].public_id])
    page = text_of(client_for(cast.senco).get(url))
    assert "Kestrel: not enough reading help" in page and "Does not agree" in page
    assert (
        reverse("plans:response-reply", args=[disagreement.public_id])
        in client_for(cast.senco).get(url).content.decode()
    )
    with scopes_disabled():
        AgreementResponse.objects.filter(pk=disagreement.pk).update(reply="Heard: let us meet on Tuesday")
        # Publishing the shared version keeps the disagreement on it.
        PlanVersion.objects.filter(plan=plans["shared"].plan, status="active").update(status="superseded")
        PlanVersion.objects.filter(pk=plans["shared"].pk).update(status="active")
    for name in EVERY_VERSION:
        page = text_of(client_for(getattr(cast, name)).get(url))
        assert "Kestrel: not enough reading help" in page and "Heard: let us meet on Tuesday" in page, name
    # A teacher reads the plan in force, but not what parents said about it.
    page = text_of(client_for(cast.teacher).get(url))
    assert "Zephyrine" in page and "Kestrel" not in page


# ----- a fixed number of queries -----


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_staff_pages_run_the_same_queries_whatever_the_size(cast, client_for):
    counts = {}
    for size in (1, 8):
        with scopes_disabled():
            AgreementResponse.objects.all().delete()
            ParentContribution.objects.all().delete()
            ParentRequest.objects.all().delete()
            PlanVersion.objects.all().delete()
            ParentLink.objects.filter(full_name__startswith="Extra carer").delete()
            extra = [
                f.ParentLinkFactory(pupil=cast.pupil, user=None, full_name=f"Extra carer {n}") for n in range(size)
            ]
        plans = family_plans(cast)
        with scopes_disabled():
            for link in [cast.parent_link, cast.co_parent_link, *extra]:
                AgreementResponse.objects.create(version=plans["shared"], link=link, agrees=False, comment="No")
                ParentRequest.objects.create(link=link, plan=plans["active"].plan, kind="meeting")
        for _ in range(size):
            family_views(cast, plans["active"].plan)
        client = client_for(cast.senco)
        counts[size] = [
            _queries(client, reverse("plans:parent-activity", args=[cast.pupil.public_id])),
            _queries(client, reverse("plans:version-detail", args=[plans["shared"].public_id])),
        ]
    assert counts[1] == counts[8], counts
