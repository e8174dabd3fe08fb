"""Telling parents when their child's plan is shared, published or reviewed, and sending each email once.

Who gets a notice is read when the task runs: active links with an account whose parent
allows email. Never the restricted parent (``cast.parent2``), a suspended one, a contact
record with no account, a parent who asked for no email, or anyone of another child.
"""

import smtplib

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent, Notification
from waymark.plans import services
from waymark.plans.notices import NoticesNotSent, notification_send, notify_parents_later, parents_notify
from waymark.plans.tasks import notify_parents_task
from waymark.pupils.models import ParentLink
from waymark.tests import factories as f

from .factories import draft_version, published_version

EVENTS = ("shared", "published", "reviewed")
EVENT_ID = "5b7c4b0e-8d0f-4c38-9d5e-1f2a3b4c5d6e"


@pytest.fixture
def family(cast):
    """``cast.pupil``'s links beyond the cast's three: each one that must never get a notice."""
    links = {
        "suspended": f.ParentLinkFactory(
            pupil=cast.pupil,
            user=f.UserFactory(email="suspended.parent@example.test"),
            status=ParentLink.Status.SUSPENDED,
            status_reason="Left the family home",
        ),
        "no_account": f.ParentLinkFactory(pupil=cast.pupil, user=None, email="no.account@example.test"),
        "no_email": f.ParentLinkFactory(
            pupil=cast.pupil, user=f.UserFactory(email="post.only@example.test"), contact_by_email=False
        ),
    }
    return links


def expected_recipients(cast):
    return {cast.parent.email, cast.co_parent.email}


def notify(cast, event, *, capture, event_id=EVENT_ID, pupil=None):
    with scope(school=[cast.school.pk]), capture(execute=True):
        notify_parents_later(pupil=pupil or cast.pupil, event=event, event_id=event_id)


def recipients(outbox):
    return {address for message in outbox for address in message.to}


def notifications():
    with scopes_disabled():
        return list(Notification.objects.order_by("email").values_list("kind", "event_key", "email"))


# ----- who gets it -----


@pytest.mark.parametrize("event", EVENTS)
def test_an_event_emails_only_active_parents_with_accounts_who_allow_email(
    cast, family, event, mailoutbox, django_capture_on_commit_callbacks
):
    notify(cast, event, capture=django_capture_on_commit_callbacks)

    assert recipients(mailoutbox) == expected_recipients(cast)
    assert len(mailoutbox) == 2  # one each
    never = {cast.parent2.email, cast.other_parent.email, "suspended.parent@example.test"}
    never |= {"no.account@example.test", "post.only@example.test"}
    assert not recipients(mailoutbox) & never
    assert notifications() == sorted(
        (f"plan_{event}", f"{event}:{EVENT_ID}", email) for email in expected_recipients(cast)
    )


@pytest.mark.parametrize("event", EVENTS)
def test_the_email_names_only_the_childs_first_name_and_the_school_and_links_to_the_child_page(
    cast, event, mailoutbox, django_capture_on_commit_callbacks
):
    with scopes_disabled():
        cast.pupil.preferred_name = "Zeph"
        cast.pupil.save()
    notify(cast, event, capture=django_capture_on_commit_callbacks)

    message = next(m for m in mailoutbox if m.to == [cast.parent.email])
    link = "http://127.0.0.1:8000" + reverse("plans:family-child", kwargs={"public_id": cast.pupil.public_id})
    assert link in message.body
    assert message.subject.startswith("Ashdown Academy: Zeph's ")
    assert "Zeph" in message.body and "Hello Paula," in message.body
    assert message.body.rstrip().endswith("Ashdown Academy")  # signed by the school
    words = (message.subject + message.body).replace(link, "")
    for child_detail in ("Zephyrine", "Quartermaine", str(cast.pupil.date_of_birth.year), "Year 8", "ASD"):
        assert child_detail not in words
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_links_are_built_on_the_base_url_setting(cast, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.WAYMARK_BASE_URL = "https://waymark.example.sch.uk"
    notify(cast, "published", capture=django_capture_on_commit_callbacks)
    assert "https://waymark.example.sch.uk/plans/" in mailoutbox[0].body


def test_the_restricted_parent_gets_nothing_even_as_the_only_parent(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    with scopes_disabled():
        ParentLink.objects.filter(pk__in=[cast.parent_link.pk, cast.co_parent_link.pk]).delete()
    notify(cast, "shared", capture=django_capture_on_commit_callbacks)
    assert mailoutbox == []
    assert notifications() == []


def test_a_deactivated_account_gets_nothing(cast, mailoutbox, django_capture_on_commit_callbacks):
    cast.co_parent.is_active = False
    cast.co_parent.save()
    notify(cast, "shared", capture=django_capture_on_commit_callbacks)
    assert recipients(mailoutbox) == {cast.parent.email}


def test_the_link_status_is_read_when_the_task_runs_not_when_it_was_queued(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    with scope(school=[cast.school.pk]), django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify_parents_later(pupil=cast.pupil, event="published", event_id=EVENT_ID)
    # The school restricts one parent and restores the other before the worker gets to it.
    with scopes_disabled():
        ParentLink.objects.filter(pk=cast.co_parent_link.pk).update(
            status=ParentLink.Status.RESTRICTED, status_reason="Court order"
        )
        ParentLink.objects.filter(pk=cast.restricted_link.pk).update(status=ParentLink.Status.ACTIVE)
    assert len(callbacks) == 1
    callbacks[0]()
    assert recipients(mailoutbox) == {cast.parent.email, cast.parent2.email}


def test_nothing_is_queued_when_the_change_rolls_back(cast, mailoutbox, django_capture_on_commit_callbacks):
    with scope(school=[cast.school.pk]), django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify_parents_later(pupil=cast.pupil, event="shared", event_id=EVENT_ID)
            raise RuntimeError("the plan change failed")
    assert callbacks == []
    assert mailoutbox == []


def test_a_pupil_of_another_school_is_not_found_in_the_named_school(cast, mailoutbox):
    # The task runs in the school it is given: a pupil id from elsewhere finds nobody.
    sent = parents_notify(
        school_id=cast.other_school.pk, pupil_id=str(cast.pupil.public_id), event="shared", event_id=EVENT_ID
    )
    assert sent == 0
    assert mailoutbox == []


def test_an_unknown_event_is_refused(cast):
    with pytest.raises(ValueError, match="Unknown plan event"):
        notify_parents_later(pupil=cast.pupil, event="deleted", event_id=EVENT_ID)


# ----- the services that call it -----


def test_sharing_and_publishing_a_plan_email_the_parents(cast, mailoutbox, django_capture_on_commit_callbacks):
    senco = Actor.for_user(cast.senco)
    with scope(school=[cast.school.pk]):
        draft = draft_version(cast.pupil)
        with django_capture_on_commit_callbacks(execute=True):
            shared = services.plan_share(actor=senco, version=draft)
        assert recipients(mailoutbox) == expected_recipients(cast)
        assert all("new support plan is ready for you to read" in m.subject for m in mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            services.plan_publish(actor=senco, version=shared)
    assert len(mailoutbox) == 4
    assert all("has been updated" in m.subject for m in mailoutbox[2:])
    assert {kind for kind, _key, _email in notifications()} == {"plan_shared", "plan_published"}
    assert {key for _kind, key, _email in notifications()} == {
        f"shared:{shared.public_id}",
        f"published:{shared.public_id}",
    }


def test_a_refused_share_emails_nobody(cast, mailoutbox, django_capture_on_commit_callbacks):
    senco = Actor.for_user(cast.senco)
    with scope(school=[cast.school.pk]):
        version = published_version(cast.pupil)
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError, match="draft"):
            services.plan_share(actor=senco, version=version)  # not a draft
    assert mailoutbox == []


# ----- once only -----


def test_the_same_event_twice_sends_nothing_more(cast, mailoutbox, django_capture_on_commit_callbacks):
    notify(cast, "reviewed", capture=django_capture_on_commit_callbacks)
    notify(cast, "reviewed", capture=django_capture_on_commit_callbacks)
    notify_parents_task.enqueue(
        school_id=cast.school.pk, pupil_id=str(cast.pupil.public_id), event="reviewed", event_id=EVENT_ID
    )
    assert len(mailoutbox) == 2
    assert len(notifications()) == 2


def test_a_different_event_is_a_different_email(cast, mailoutbox, django_capture_on_commit_callbacks):
    notify(cast, "reviewed", capture=django_capture_on_commit_callbacks)
    notify(
        cast, "reviewed", event_id="0f0e0d0c-0b0a-4908-8706-050403020100", capture=django_capture_on_commit_callbacks
    )
    assert len(mailoutbox) == 4


def test_a_failed_email_is_not_recorded_and_goes_on_the_next_run(cast, monkeypatch, mailoutbox):
    real_send = mail.EmailMessage.send

    def refuse_co_parent(message, *args, **kwargs):
        if cast.co_parent.email in message.to:
            raise smtplib.SMTPRecipientsRefused({cast.co_parent.email: (550, b"no")})
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMessage, "send", refuse_co_parent)
    arguments = {"school_id": cast.school.pk, "pupil_id": str(cast.pupil.public_id), "event": "shared"}
    with pytest.raises(NoticesNotSent, match="1 of 2"):
        parents_notify(**arguments, event_id=EVENT_ID)
    assert recipients(mailoutbox) == {cast.parent.email}
    assert [email for _kind, _key, email in notifications()] == [cast.parent.email]

    monkeypatch.setattr(mail.EmailMessage, "send", real_send)
    assert parents_notify(**arguments, event_id=EVENT_ID) == 1
    assert [m.to for m in mailoutbox] == [[cast.parent.email], [cast.co_parent.email]]


# ----- the one sending function -----


def send_one(cast, **changes):
    fields = {
        "school": cast.school,
        "kind": "plan_shared",
        "event_key": "shared:1",
        "email": "someone@example.test",
        "subject": "Subject",
        "body": "The body of the email.",
        "pupil": cast.pupil,
        **changes,
    }
    return notification_send(**fields)


def test_notification_send_sends_once_per_kind_event_and_address(cast, mailoutbox):
    assert send_one(cast) is not None
    assert send_one(cast) is None
    assert send_one(cast, email="someone.else@example.test") is not None
    assert send_one(cast, kind="plan_published") is not None
    assert send_one(cast, event_key="shared:2") is not None
    assert len(mailoutbox) == 4


def test_notification_send_audits_ids_never_the_body(cast, mailoutbox):
    notification = send_one(cast, body="Secret words about the child.")
    with scopes_disabled():
        event = AuditEvent.objects.get(action="core.notification.sent")
    assert event.school_id == cast.school.pk
    assert event.actor is None  # the system
    assert event.target_type == "core.notification" and event.target_id == str(notification.pk)
    assert event.pupil_id == cast.pupil.public_id
    assert event.data == {"kind": "plan_shared", "event": "shared:1"}
    assert "Secret" not in str(event.data)


def test_notification_send_refuses_to_run_inside_another_transaction(cast, mailoutbox):
    # An outer transaction could roll the record back after the email had gone, and the email would go again.
    with pytest.raises(RuntimeError), transaction.atomic():
        send_one(cast)
    assert mailoutbox == []


def test_a_refused_email_leaves_no_record_and_no_audit_event(cast, monkeypatch):
    def refuse(message, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(mail.EmailMessage, "send", refuse)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send_one(cast)
    assert notifications() == []
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="core.notification.sent").exists()
