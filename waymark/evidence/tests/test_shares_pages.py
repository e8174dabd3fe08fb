"""Share pages against the whole cast: the school's list, sharing, ending; the specialist's pages; parents' view.

The school's pages are for those who reach the pupil for ``Action.INVITE`` (the SENCO and
the head in the cast); the specialist's page only for the specialist of a live share.
Everyone else, an expired or ended share included, gets a 404. The specialist sees only
what the share allows and never staff-only or restricted parts; every look is audited.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from waymark.core.models import AuditEvent, Visibility
from waymark.evidence.models import Document, Share
from waymark.plans.tests.family_setup import NEVER_FOR_PARENTS, VISIBLE_VOICE, family_plans
from waymark.tests import factories as f
from waymark.tests.helpers import cast_mismatches, date_fields, error_summary, text_of

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
MANAGERS = {"senco", "head"}


def fresh(obj):
    with scopes_disabled():
        return type(obj)._base_manager.get(pk=obj.pk)


def update_share(share, **changes):
    with scopes_disabled():
        Share.objects.filter(pk=share.pk).update(**changes)
    return fresh(share)


def document(cast, title, visibility, **fields):
    with scopes_disabled():
        return Document.objects.create(
            pupil=cast.pupil,
            title=title,
            kind=Document.Kind.ASSESSMENT,
            written_on=TODAY - 3 * DAY,
            file="documents/test.pdf",
            original_name="test.pdf",
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
            scan=Document.Scan.NOT_SCANNED,
            visibility=visibility,
            uploaded_by=cast.senco,
            **fields,
        )


def audit_count(action, **filters):
    with scopes_disabled():
        return AuditEvent.objects.filter(action=action, **filters).count()


# ----- who may open each page -----

PAGES = {
    "share-list": (lambda c: reverse("evidence:share-list", args=[c.pupil.public_id]), MANAGERS),
    "share-create": (lambda c: reverse("evidence:share-create", args=[c.pupil.public_id]), MANAGERS),
    "share-end": (lambda c: reverse("evidence:share-end", args=[c.share.public_id]), MANAGERS),
    "share-list-other-school": (
        lambda c: reverse("evidence:share-list", args=[c.other_school_pupil.public_id]),
        {"other_senco"},
    ),
    "shared-detail": (lambda c: reverse("evidence:shared-detail", args=[c.share.public_id]), {"specialist"}),
    # Nobody: the specialist's share has ended by expiry.
    "shared-detail-expired": (lambda c: reverse("evidence:shared-detail", args=[c.expired_share.public_id]), set()),
    # Nobody: the cast's live share does not let them add a report.
    "shared-report": (lambda c: reverse("evidence:shared-report", args=[c.share.public_id]), set()),
}


@pytest.mark.parametrize("page", PAGES)
def test_who_may_open_each_page(cast, client_for, page):
    build_url, allowed = PAGES[page]
    url = build_url(cast)
    wrong = cast_mismatches(cast, client_for, url, allowed)
    assert not wrong, f"{page} ({url}):\n" + "\n".join(wrong)


def test_the_report_page_opens_for_the_specialist_when_the_share_allows_it(cast, client_for):
    update_share(cast.share, can_add_report=True)
    url = reverse("evidence:shared-report", args=[cast.share.public_id])
    for name, user in cast.people.items():
        expected = 200 if name == "specialist" else 404
        assert client_for(user).get(url).status_code == expected, name


@pytest.mark.parametrize(
    "url",
    [
        lambda c: reverse("evidence:share-list", args=[c.pupil.public_id]),
        lambda c: reverse("evidence:share-create", args=[c.pupil.public_id]),
        lambda c: reverse("evidence:share-end", args=[c.share.public_id]),
        lambda c: reverse("evidence:shared-detail", args=[c.share.public_id]),
    ],
)
def test_anonymous_is_sent_to_sign_in(cast, client_for, url):
    response = client_for(None).get(url(cast))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_pages_only_answer_their_methods(cast, client_for):
    assert client_for(cast.senco).post(reverse("evidence:share-list", args=[cast.pupil.public_id])).status_code == 405
    specialist = client_for(cast.specialist)
    assert specialist.post(reverse("evidence:shared-detail", args=[cast.share.public_id])).status_code == 405


# ----- the school's list -----


def test_the_list_shows_every_share_with_its_state_and_basis(cast, client_for):
    f.ShareFactory(pupil=cast.pupil, specialist=None, email="wanda@example.test", full_name="Wanda Waiting",
                   service="Speech and language therapy", created_by=cast.senco)  # fmt: skip
    ended = f.ShareFactory(pupil=cast.pupil, specialist=f.UserFactory(full_name="Edna Ended"), created_by=cast.senco)
    update_share(ended, ended_at=datetime.datetime.now(datetime.UTC), ended_by_id=cast.head.pk)
    update_share(cast.share, lawful_basis="Signed consent from Paula Parent, 2 May")
    response = client_for(cast.senco).get(reverse("evidence:share-list", args=[cast.pupil.public_id]))
    text = text_of(response)
    for words in (
        "Sian Specialist",
        "Can see now",
        "Wanda Waiting",
        "Waiting to be accepted",
        "Speech and language therapy",
        "Edna Ended",
        "Ended early",
        "Ended by Hana Head",
        "Ezra Expired",
        "Expired",
        "Signed consent from Paula Parent, 2 May",
        "The parents gave their consent",
    ):
        assert words in text, words
    content = response.content.decode()
    # "End now" for the live and the waiting share, not for the ended or expired ones.
    assert content.count("/end/") == 2
    assert reverse("evidence:share-end", args=[cast.share.public_id]) in content
    assert reverse("evidence:share-end", args=[cast.expired_share.public_id]) not in content


# ----- sharing -----


def create_post(**changes):
    data = {
        "email": "ed.psych@example.test",
        "full_name": "Erin Psych",
        "service": "Educational Psychology",
        **date_fields("starts_on", TODAY),
        **date_fields("expires_on", TODAY + 60 * DAY),
        "access": ["plan", "report"],
        "lawful_basis_kind": "consent",
        "lawful_basis": "Consent from both parents at the review.",
    }
    data.update(changes)
    return data


def test_sharing_from_the_page(cast, client_for, mailoutbox, django_capture_on_commit_callbacks):
    client = client_for(cast.senco)
    url = reverse("evidence:share-create", args=[cast.pupil.public_id])
    page = client.get(url)
    assert page.status_code == 200
    # The start date is filled in with today.
    assert f'value="{TODAY.year}"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, create_post())
    assert response.status_code == 302
    assert response["Location"] == reverse("evidence:share-list", args=[cast.pupil.public_id])
    with scopes_disabled():
        share = Share.objects.get(email="ed.psych@example.test")
    assert (share.can_see_plan, share.can_see_documents, share.can_add_report) == (True, False, True)
    assert share.expires_on == TODAY + 60 * DAY and share.created_by == cast.senco
    assert len(mailoutbox) == 1
    followed = client.get(response["Location"])
    assert "We have emailed a link to ed.psych@example.test" in text_of(followed)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"lawful_basis": ""}, "Enter the details of the consent or other lawful basis"),
        ({"access": []}, "Select what they may see or do"),
        (date_fields("expires_on", TODAY - DAY), "today or in the future"),
        (date_fields("expires_on", TODAY + 400 * DAY), "A share can last up to a year"),
        ({"lawful_basis_kind": ""}, "Select why you may share this pupil"),
    ],
)
def test_bad_input_shows_the_error_summary_and_changes_nothing(cast, client_for, mailoutbox, changes, message):
    with scopes_disabled():
        before = Share.objects.count()
    response = client_for(cast.senco).post(
        reverse("evidence:share-create", args=[cast.pupil.public_id]), create_post(**changes)
    )
    assert response.status_code == 200
    assert message in error_summary(response)
    with scopes_disabled():
        assert Share.objects.count() == before
    assert mailoutbox == []


# ----- ending -----


def test_ending_early_takes_access_away_at_once(cast, client_for):
    specialist = client_for(cast.specialist)
    detail = reverse("evidence:shared-detail", args=[cast.share.public_id])
    assert specialist.get(detail).status_code == 200
    senco = client_for(cast.senco)
    end_url = reverse("evidence:share-end", args=[cast.share.public_id])
    confirm = senco.get(end_url)
    assert "End the share with Sian Specialist" in text_of(confirm)
    response = senco.post(end_url)
    assert response["Location"] == reverse("evidence:share-list", args=[cast.pupil.public_id])
    share = fresh(cast.share)
    assert share.ended_at is not None and share.ended_by == cast.senco
    assert specialist.get(detail).status_code == 404
    home = text_of(specialist.get(reverse("core:home")))
    assert "Zephyrine" not in home
    # A second press says so and changes nothing.
    again = senco.post(end_url)
    assert again.status_code == 200 and "already" in text_of(again)
    assert audit_count("evidence.share.ended") == 1


def test_others_cannot_end_a_share(cast, client_for):
    url = reverse("evidence:share-end", args=[cast.share.public_id])
    for name in ("dsl", "teacher", "trust_lead", "specialist", "parent", "other_senco"):
        assert client_for(getattr(cast, name)).post(url).status_code == 404, name
    assert fresh(cast.share).ended_at is None


# ----- the specialist's page -----


@pytest.fixture
def plans(cast):
    return family_plans(cast)


def test_the_specialist_sees_the_pupil_and_the_plan_for_everyone_only(cast, client_for, plans):
    response = client_for(cast.specialist).get(reverse("evidence:shared-detail", args=[cast.share.public_id]))
    text = text_of(response)
    for words in ("Zephyrine Quartermaine", "Year 8", "Ashdown Academy", "Educational psychology service",
                  "The plan in force", VISIBLE_VOICE):  # fmt: skip
        assert words in text, words
    assert cast.share.expires_on.strftime("%B") in text
    for words in NEVER_FOR_PARENTS:
        assert words not in text, words
    # The parents' wording is not for a specialist.
    assert "You and your family will" not in text


def test_no_plan_when_the_share_does_not_include_it(cast, client_for, plans):
    update_share(cast.share, can_see_plan=False)
    text = text_of(client_for(cast.specialist).get(reverse("evidence:shared-detail", args=[cast.share.public_id])))
    assert "Zephyrine Quartermaine" in text
    assert "The plan in force" not in text and VISIBLE_VOICE not in text


def test_documents_only_when_the_share_includes_them_and_never_staff_only(cast, client_for):
    document(cast, "Reading assessment for everyone", Visibility.EVERYONE)
    document(cast, "Staff only chronology", Visibility.STAFF)
    document(cast, "Restricted letter", Visibility.RESTRICTED)
    url = reverse("evidence:shared-detail", args=[cast.share.public_id])
    client = client_for(cast.specialist)
    text = text_of(client.get(url))
    assert "Reading assessment for everyone" not in text and "Documents" not in text
    update_share(cast.share, can_see_documents=True)
    text = text_of(client.get(url))
    assert "Reading assessment for everyone" in text
    assert "Staff only chronology" not in text and "Restricted letter" not in text


def test_every_look_is_audited(cast, client_for):
    url = reverse("evidence:shared-detail", args=[cast.share.public_id])
    client = client_for(cast.specialist)
    client.get(url)
    client.get(url)
    assert audit_count("evidence.share.viewed", pupil_id=cast.pupil.public_id, actor=cast.specialist) == 2
    # A refused look writes nothing.
    client_for(cast.expired_specialist).get(reverse("evidence:shared-detail", args=[cast.expired_share.public_id]))
    assert audit_count("evidence.share.viewed") == 2


def test_adding_a_report_from_the_page(cast, client_for):
    update_share(cast.share, can_add_report=True)
    client = client_for(cast.specialist)
    detail = reverse("evidence:shared-detail", args=[cast.share.public_id])
    assert "Add a report or recommendations" in text_of(client.get(detail))
    url = reverse("evidence:shared-report", args=[cast.share.public_id])
    data = {"title": "EP assessment", **date_fields("written_on", TODAY), "recommendations": "Use visual timetables."}
    missing = client.post(url, data)
    assert "Choose the file of your report" in error_summary(missing)
    disguised = client.post(url, {**data, "upload": SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf")})
    assert disguised.status_code == 200 and error_summary(disguised)
    with scopes_disabled():
        assert not Document.objects.exists()
    response = client.post(url, {**data, "upload": SimpleUploadedFile("report.pdf", PDF)})
    assert response.status_code == 302 and response["Location"] == detail
    with scopes_disabled():
        report = Document.objects.get()
    assert report.share_id == cast.share.pk and report.visibility == Visibility.STAFF
    assert report.recommendations == "Use visual timetables."
    text = text_of(client.get(detail))
    assert "Reports you have added" in text and "EP assessment" in text
    assert audit_count("evidence.report.added") == 1
    # Staff see it; parents do not (staff only).
    assert "EP assessment" not in text_of(
        client_for(cast.parent).get(reverse("plans:family-child", args=[cast.pupil.public_id]))
    )


def test_the_specialist_home_page_links_each_live_share(cast, client_for):
    text_and_html = client_for(cast.specialist).get(reverse("core:home")).content.decode()
    assert reverse("evidence:shared-detail", args=[cast.share.public_id]) in text_and_html
    assert cast.share.expires_on.strftime("%B %Y") in text_and_html
    expired_home = client_for(cast.expired_specialist).get(reverse("core:home")).content.decode()
    assert "Zephyrine" not in expired_home
    assert reverse("evidence:shared-detail", args=[cast.expired_share.public_id]) not in expired_home


def test_the_specialist_page_runs_a_fixed_number_of_queries(cast, client_for, django_assert_max_num_queries):
    update_share(cast.share, can_see_documents=True, can_add_report=True)
    family_plans(cast)
    url = reverse("evidence:shared-detail", args=[cast.share.public_id])
    client = client_for(cast.specialist)
    client.get(url)  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for index in range(6):
        document(cast, f"Shared document {index}", Visibility.EVERYONE)
        document(cast, f"Own report {index}", Visibility.STAFF, share=cast.share)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert "Shared document 5" in text_of(response) and "Own report 5" in text_of(response)


# ----- what parents see -----


def test_parents_see_who_outside_school_can_see_the_plan_now(cast, client_for):
    f.ShareFactory(pupil=cast.pupil, specialist=None, email="wanda@example.test", full_name="Wanda Waiting",
                   created_by=cast.senco)  # fmt: skip
    ended = f.ShareFactory(pupil=cast.pupil, specialist=f.UserFactory(full_name="Edna Ended"), created_by=cast.senco)
    update_share(ended, ended_at=datetime.datetime.now(datetime.UTC))
    f.ShareFactory(pupil=cast.pupil, specialist=f.UserFactory(full_name="Nora Notyet"), created_by=cast.senco,
                   starts_on=TODAY + 5 * DAY, expires_on=TODAY + 50 * DAY)  # fmt: skip
    url = reverse("plans:family-child", args=[cast.pupil.public_id])
    text = text_of(client_for(cast.parent).get(url))
    assert "Who outside school can see Zephyrine's plan" in text
    assert "Sian Specialist" in text and "Educational psychology service" in text
    assert cast.share.expires_on.strftime("%B %Y") in text
    for name in ("Ezra Expired", "Wanda Waiting", "Edna Ended", "Nora Notyet"):
        assert name not in text, name
    update_share(cast.share, ended_at=datetime.datetime.now(datetime.UTC))
    text = text_of(client_for(cast.co_parent).get(url))
    assert "Nobody outside school can see it." in text and "Sian Specialist" not in text
    # The other child's parent sees only their own child's page.
    assert client_for(cast.other_parent).get(url).status_code == 404


def test_the_school_list_runs_a_fixed_number_of_queries(cast, client_for):
    client = client_for(cast.senco)
    url = reverse("evidence:share-list", args=[cast.pupil.public_id])
    client.get(url)  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for index in range(5):
        ended = f.ShareFactory(pupil=cast.pupil, specialist=f.UserFactory(), created_by=cast.head)
        update_share(ended, ended_at=datetime.datetime.now(datetime.UTC), ended_by_id=cast.senco.pk)
        f.ShareFactory(pupil=cast.pupil, specialist=None, email=f"waiting{index}@example.test", created_by=cast.senco)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert text_of(response).count("Ended early") == 5
    assert len(large.captured_queries) == len(small.captured_queries)


def test_an_ended_share_stays_shut_even_beside_a_live_one_for_the_same_pupil(cast, client_for):
    """The old share's page must not open through the new one: it may have allowed more."""
    old = f.ShareFactory(pupil=cast.pupil, specialist=cast.specialist, created_by=cast.senco, can_see_documents=True)
    update_share(old, ended_at=datetime.datetime.now(datetime.UTC))
    expired = f.ShareFactory(pupil=cast.pupil, specialist=cast.specialist, created_by=cast.senco,
                             starts_on=TODAY - 90 * DAY, expires_on=TODAY - DAY)  # fmt: skip
    client = client_for(cast.specialist)
    assert client.get(reverse("evidence:shared-detail", args=[cast.share.public_id])).status_code == 200
    for share in (old, expired):
        assert client.get(reverse("evidence:shared-detail", args=[share.public_id])).status_code == 404
