"""The pupil's own voice: who may start the locked mode, that it cannot reach anything else, how it
ends (sent, stopped, left idle, the draft gone), keeping views from parents, and where they show."""

import datetime
import html
import io
import re
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from docx import Document

from waymark.conftest import CAST_PEOPLE
from waymark.core.actor import Actor
from waymark.core.models import AuditEvent, Visibility
from waymark.plans import services
from waymark.plans.documents import present, version_docx
from waymark.plans.documents.pdf import pdf_html
from waymark.plans.models import PlanVersion, PupilVoice
from waymark.plans.pupil_voice import (
    pupil_voice_end,
    pupil_voice_save,
    pupil_voice_start,
    pupil_voice_visibility_set,
)
from waymark.plans.pupil_voice_lock import SESSION_KEY
from waymark.plans.snapshot import build_snapshot, prefetch_for_snapshot, visible_content
from waymark.plans.tests.factories import draft_version, freeze, published_version
from waymark.tests import factories as f

FORM_URL = "/plans/pupil-voice/"
ENDED_URL = "/plans/pupil-voice/ended/"
OLDER_ANSWERS = {
    "going_well": "Art club and my friend Sol",
    "hard": "Long writing tasks after lunch",
    "helps": "",
    "change": "Sit nearer the front",
    "adults_know": "I like to be asked before I am helped",
}


# ---------------------------------------------------------------------------
# Set-up
# ---------------------------------------------------------------------------


@pytest.fixture
def deputy(cast):
    with scopes_disabled():
        user = f.UserFactory(email="deputy.senco@example.test", full_name="Dana Deputy")
        f.MembershipFactory(user=user, school=cast.school, roles=["deputy_senco"])
    return user


@pytest.fixture
def plan(cast):
    """``cast.pupil`` with a plan in force and a draft copied from it."""
    with scopes_disabled():
        active = published_version(cast.pupil, by=cast.senco)
        draft = draft_version(cast.pupil, copy_from=active, owner=cast.senco)
    return {"active": active, "draft": draft}


def start_url(version):
    return reverse("plans:pupil-voice-start", kwargs={"public_id": version.public_id})


def visibility_url(voice):
    return reverse("plans:pupil-voice-visibility", kwargs={"public_id": voice.public_id})


def text_of(response):
    body = response.content.decode()
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def locked(client_for, user, version, style="older"):
    """A client whose session has been handed to the pupil for ``version``."""
    client = client_for(user)
    response = client.post(start_url(version), {"style": style})
    assert response.status_code == 302 and response["Location"] == FORM_URL, response
    # The adult's earlier pages are emptied from the browser's cache before the hand-over.
    assert response["Clear-Site-Data"] == '"cache"'
    return client


def voices(version):
    with scopes_disabled():
        return list(PupilVoice.objects.filter(version=version).order_by("given_at"))


def make_voice(version, *, by, style="older", visibility=Visibility.EVERYONE, answer="I like art"):
    with scopes_disabled():
        return PupilVoice.objects.create(
            version=version,
            style=style,
            answers=[
                {"question": "What is going well at school?", "answer": answer},
                {"question": "What is hard?", "answer": ""},
            ],
            given_at=timezone.now(),
            given_with=by,
            visibility=visibility,
        )


def actor(user):
    return Actor.for_user(user)


def signed_out(client):
    response = client.get("/")
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def age_the_lock(client, seconds):
    """Pretend the last request of the locked session was ``seconds`` ago."""
    session = client.session
    lock = dict(session[SESSION_KEY])
    lock["last_seen"] = timezone.now().timestamp() - seconds
    session[SESSION_KEY] = lock
    session.save()


def audit_codes(code):
    return list(AuditEvent.objects.filter(action=code))


# ---------------------------------------------------------------------------
# Who may start it
# ---------------------------------------------------------------------------


def test_only_those_who_edit_the_plan_reach_the_start_page(cast, plan, client_for):
    url = start_url(plan["draft"])
    wrong = []
    for name in CAST_PEOPLE:
        expected = 200 if name == "senco" else 404
        got = client_for(getattr(cast, name)).get(url).status_code
        if got != expected:
            wrong.append(f"{name}: expected {expected}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_nobody_else_can_start_it_by_posting(cast, plan, client_for):
    for name in CAST_PEOPLE:
        if name == "senco":
            continue
        client = client_for(getattr(cast, name))
        assert client.post(start_url(plan["draft"]), {"style": "older"}).status_code == 404, name
        assert SESSION_KEY not in client.session, name
    assert not audit_codes("plans.pupil_voice.started")


def test_a_deputy_senco_may_start_it(deputy, plan, client_for):
    assert client_for(deputy).get(start_url(plan["draft"])).status_code == 200
    locked(client_for, deputy, plan["draft"])


def test_anonymous_is_sent_to_sign_in(plan, client_for):
    response = client_for(None).get(start_url(plan["draft"]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    response = client_for(None).get(FORM_URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_start_page_warns_and_offers_both_versions(cast, plan, client_for):
    page = text_of(client_for(cast.senco).get(start_url(plan["draft"])))
    assert "Ask Zephyrine for their views" in page
    assert "You will be signed out when Zephyrine finishes, or when the form is left for 10 minutes" in page
    assert "hand the device to Zephyrine" in page
    assert "Younger pupils" in page and "Older pupils" in page


def test_a_shared_or_published_version_cannot_be_asked(cast, plan, client_for):
    response = client_for(cast.senco).post(start_url(plan["active"]), {"style": "older"})
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:version-detail", kwargs={"public_id": plan["active"].public_id})
    assert not audit_codes("plans.pupil_voice.started")


def test_choosing_no_version_is_an_error_and_nothing_starts(cast, plan, client_for):
    client = client_for(cast.senco)
    response = client.post(start_url(plan["draft"]), {})
    assert response.status_code == 200
    assert "Select the version of the form for younger or older pupils" in text_of(response)
    assert SESSION_KEY not in client.session
    assert not audit_codes("plans.pupil_voice.started")


def test_starting_locks_the_session_to_the_pupil_version_style_and_adult(cast, plan, client_for):
    client = client_for(cast.senco)
    before = client.cookies["sessionid"].value
    client.post(start_url(plan["draft"]), {"style": "younger"})
    after = client.cookies["sessionid"].value
    assert before != after  # the session key is cycled at the hand-over
    lock = client.session[SESSION_KEY]
    assert lock["version"] == plan["draft"].pk
    assert lock["pupil"] == cast.pupil.pk
    assert lock["adult"] == cast.senco.pk
    assert lock["style"] == "younger"
    (event,) = audit_codes("plans.pupil_voice.started")
    assert event.actor == cast.senco and event.target_id == str(plan["draft"].public_id)
    assert event.data == {"style": "younger"}


def test_the_start_service_checks_permission_draft_and_style(cast, plan):
    with scope(school=[cast.school.pk]):
        with pytest.raises(PermissionDenied):
            pupil_voice_start(actor=actor(cast.teacher), version=plan["draft"], style="older")
        with pytest.raises(PermissionDenied):
            pupil_voice_start(actor=actor(cast.head), version=plan["draft"], style="older")
        with pytest.raises(ValidationError):
            pupil_voice_start(actor=actor(cast.senco), version=plan["active"], style="older")
        with pytest.raises(ValidationError) as error:
            pupil_voice_start(actor=actor(cast.senco), version=plan["draft"], style="toddler")
        assert "younger or older" in " ".join(error.value.messages)
    assert not audit_codes("plans.pupil_voice.started")


# ---------------------------------------------------------------------------
# The locked mode cannot go anywhere else
# ---------------------------------------------------------------------------


def escape_routes(cast, plan):
    """Every way out we can think of: each must come back to the form."""
    return [
        ("get", "/", {}),
        ("get", reverse("pupils:register-list"), {}),
        ("get", reverse("pupils:pupil-detail", kwargs={"public_id": cast.pupil.public_id}), {}),
        ("get", reverse("plans:plan-detail", kwargs={"public_id": cast.pupil.public_id}), {}),
        ("get", reverse("plans:version-detail", kwargs={"public_id": plan["draft"].public_id}), {}),
        ("get", reverse("plans:version-edit", kwargs={"public_id": plan["draft"].public_id}), {}),
        ("get", reverse("plans:version-pdf", kwargs={"public_id": plan["active"].public_id}), {}),
        ("get", start_url(plan["draft"]), {}),
        ("post", start_url(plan["draft"]), {"style": "younger"}),
        ("get", reverse("account_logout"), {}),
        ("post", reverse("account_logout"), {}),
        ("get", reverse("account_change_password"), {}),
        ("post", reverse("core:school-switch"), {"school": str(cast.other_school.public_id)}),
        ("post", reverse("core:session-extend"), {}),
        ("get", reverse("pupils:pupil-detail", kwargs={"public_id": cast.other_pupil.public_id}), {}),
        ("get", reverse("plans:plan-detail", kwargs={"public_id": cast.other_pupil.public_id}), {}),
        ("get", reverse("core:privacy"), {}),
        ("get", "/admin/", {}),
        ("get", "/no-such-page/", {}),
        ("get", "/static/no-such-file.js", {}),  # not a static file: no 404 page with the adult's header
        ("get", "/plans/pupil-voice/../", {}),
    ]


def test_the_locked_mode_cannot_navigate_away(cast, plan, client_for):
    client = locked(client_for, cast.senco, plan["draft"])
    with scopes_disabled():
        voice = make_voice(plan["draft"], by=cast.senco)
    routes = [*escape_routes(cast, plan), ("post", visibility_url(voice), {"hidden_from_parents": "yes"})]
    escaped = []
    for method, url, data in routes:
        response = getattr(client, method)(url, data)
        if response.status_code != 302 or response["Location"] != FORM_URL:
            escaped.append(f"{method.upper()} {url}: {response.status_code} {response.get('Location', '')}")
    assert not escaped, "\n".join(escaped)
    # Still locked, still the same adult's session: signing out and switching school did nothing.
    assert client.get(FORM_URL).status_code == 200
    assert client.session[SESSION_KEY]["adult"] == cast.senco.pk
    with scopes_disabled():
        assert PupilVoice.objects.get(pk=voice.pk).visibility == Visibility.EVERYONE
    assert not audit_codes("schools.school.switched")


def test_static_files_still_load_in_locked_mode(cast, plan, client_for):
    client = locked(client_for, cast.senco, plan["draft"])
    response = client.get("/static/plans/pupil_voice.js")
    assert response.status_code == 200


def test_the_form_shows_only_the_pupils_first_name_and_no_way_out(cast, plan, client_for):
    client = locked(client_for, cast.senco, plan["draft"])
    response = client.get(FORM_URL)
    assert response.status_code == 200
    page = text_of(response)
    assert "Hello, Zephyrine" in page
    for leak in ("Quartermaine", "Sam Senco", "Ashdown Academy", "Sign out", "Change school", "SEN register"):
        assert leak not in page, leak
    body = response.content.decode()
    links = re.findall(r'href="([^"]*)"', body)
    # Stylesheets and the skip link only: no link the child could follow.
    assert [link for link in links if not link.startswith(("/static/", "#main-content", "data:"))] == []
    assert 'id="session-timeout-dialog"' not in body
    forms = re.findall(r"<form[^>]*>", body)
    assert len(forms) == 1 and "action=" not in forms[0]  # it posts back to itself only
    assert "no-store" in response["Cache-Control"]
    assert 'data-idle-seconds="600"' in body and "/static/plans/pupil_voice.js" in body
    assert "What is going well at school?" in page


def test_the_younger_form_has_a_picture_scale_with_words(cast, plan, client_for):
    client = locked(client_for, cast.senco, plan["draft"], style="younger")
    response = client.get(FORM_URL)
    body = response.content.decode()
    page = text_of(response)
    assert "How do you feel about school?" in page and "What helps you?" in page
    for words in ("Very sad", "Sad", "OK", "Happy", "Very happy"):
        assert words in page
    assert body.count('type="radio"') == 15  # three questions, five faces each
    assert body.count("<svg") == 15 and "<img" not in body
    assert 'aria-hidden="true" focusable="false"' in body  # the face is decoration for its words


# ---------------------------------------------------------------------------
# Ending: sent, stopped, left, idle, the draft gone
# ---------------------------------------------------------------------------


def test_sending_saves_to_the_drafts_about_me_with_who_and_when_and_signs_out(cast, plan, client_for):
    client = locked(client_for, cast.senco, plan["draft"])
    before = timezone.now()
    response = client.post(FORM_URL, {**OLDER_ANSWERS, "action": "send"})
    assert response.status_code == 302 and response["Location"] == f"{ENDED_URL}?outcome=given"
    (voice,) = voices(plan["draft"])
    assert voice.given_with == cast.senco
    assert before <= voice.given_at <= timezone.now()
    assert voice.style == "older" and voice.visibility == Visibility.EVERYONE
    assert voice.answers[0] == {"question": "What is going well at school?", "answer": "Art club and my friend Sol"}
    assert voice.answers[2] == {"question": "What helps you learn?", "answer": ""}
    assert [row["question"] for row in voice.answers] == [
        "What is going well at school?",
        "What is hard?",
        "What helps you learn?",
        "What would you like to change?",
        "What do you want adults to know about you?",
    ]
    (event,) = audit_codes("plans.pupil_voice.given")
    assert event.actor == cast.senco and event.data["voice"] == str(voice.public_id)
    assert not audit_codes("plans.pupil_voice.ended")
    # The whole session is gone: the adult is signed out and the form is no longer there.
    assert SESSION_KEY not in client.session
    assert signed_out(client)
    ended = client.get(response["Location"])
    assert ended.status_code == 200 and "Thank you" in text_of(ended)
    assert "Zephyrine" not in text_of(ended)


def test_the_younger_form_keeps_the_faces_words(cast, plan, client_for):
    client = locked(client_for, cast.senco, plan["draft"], style="younger")
    client.post(FORM_URL, {"school": "4", "reading": "1", "helps": "My reading ruler", "action": "send"})
    (voice,) = voices(plan["draft"])
    assert voice.style == "younger"
    assert voice.answers[:4] == [
        {"question": "How do you feel about school?", "answer": "Happy"},
        {"question": "How do you feel about reading?", "answer": "Very sad"},
        {"question": "How do you feel about playtime?", "answer": ""},
        {"question": "What helps you?", "answer": "My reading ruler"},
    ]


def test_sending_nothing_asks_for_an_answer_and_stays_locked(cast, plan, client_for):
    client = locked(client_for, cast.senco, plan["draft"])
    response = client.post(FORM_URL, {"going_well": "   ", "action": "send"})
    assert response.status_code == 200
    assert "Answer at least one question" in text_of(response)
    assert voices(plan["draft"]) == []
    assert SESSION_KEY in client.session


def test_a_face_that_is_not_on_the_scale_is_refused(cast, plan, client_for):
    client = locked(client_for, cast.senco, plan["draft"], style="younger")
    response = client.post(FORM_URL, {"school": "9", "action": "send"})
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    assert voices(plan["draft"]) == []


def test_an_over_long_answer_is_refused_with_the_words_kept(cast, plan, client_for):
    client = locked(client_for, cast.senco, plan["draft"])
    long_answer = "word " * 500
    response = client.post(FORM_URL, {"going_well": long_answer, "action": "send"})
    assert response.status_code == 200 and "too long" in text_of(response)
    assert long_answer.strip() in response.content.decode()
    assert voices(plan["draft"]) == []


def test_more_time_keeps_what_was_typed_and_saves_nothing(cast, plan, client_for):
    client = locked(client_for, cast.senco, plan["draft"])
    age_the_lock(client, 9 * 60)
    response = client.post(FORM_URL, {"going_well": "Half an answer", "action": "more_time"})
    assert response.status_code == 200 and "Half an answer" in response.content.decode()
    assert voices(plan["draft"]) == []
    # The idle time started again: nine more minutes later it is still open.
    age_the_lock(client, 9 * 60)
    assert client.get(FORM_URL).status_code == 200


def test_stopping_saves_nothing_and_signs_out(cast, plan, client_for):
    client = locked(client_for, cast.senco, plan["draft"])
    response = client.post(FORM_URL, {**OLDER_ANSWERS, "action": "stop"})
    assert response.status_code == 302 and response["Location"] == f"{ENDED_URL}?outcome=ended"
    assert voices(plan["draft"]) == []
    (event,) = audit_codes("plans.pupil_voice.ended")
    assert event.data == {"reason": "stopped"} and event.actor == cast.senco
    assert signed_out(client)


def test_left_idle_it_ends_saves_nothing_and_signs_out(cast, plan, client_for):
    client = locked(client_for, cast.senco, plan["draft"])
    age_the_lock(client, 10 * 60 + 1)
    # Whatever the next request is (here, sending the answers), it ends the mode instead.
    response = client.post(FORM_URL, {**OLDER_ANSWERS, "action": "send"})
    assert response.status_code == 302 and response["Location"] == f"{ENDED_URL}?outcome=ended"
    assert voices(plan["draft"]) == []
    (event,) = audit_codes("plans.pupil_voice.ended")
    assert event.data == {"reason": "idle"}
    assert not audit_codes("plans.pupil_voice.given")
    assert signed_out(client)
    assert client.get(FORM_URL).status_code == 302  # to sign in: no form without an adult and a lock


def test_just_before_the_idle_time_it_is_still_open(cast, plan, client_for):
    client = locked(client_for, cast.senco, plan["draft"])
    age_the_lock(client, 10 * 60 - 5)
    assert client.get(FORM_URL).status_code == 200
    assert not audit_codes("plans.pupil_voice.ended")


def test_the_idle_time_is_a_setting(cast, plan, client_for, settings):
    settings.PUPIL_VOICE_IDLE_MINUTES = 2
    client = locked(client_for, cast.senco, plan["draft"])
    assert 'data-idle-seconds="120"' in client.get(FORM_URL).content.decode()
    age_the_lock(client, 2 * 60 + 1)
    response = client.get("/")
    assert response["Location"] == f"{ENDED_URL}?outcome=ended"
    assert signed_out(client)


def test_opening_the_ended_page_ends_it(cast, plan, client_for):
    client = locked(client_for, cast.senco, plan["draft"])
    response = client.get(f"{ENDED_URL}?outcome=ended")
    assert response.status_code == 200
    page = text_of(response)
    assert "This has ended" in page and "Zephyrine" not in page and "Sam Senco" not in page
    assert "SEN register" not in page  # nothing rendered for the adult after the flush
    (event,) = audit_codes("plans.pupil_voice.ended")
    assert event.data == {"reason": "left"}
    assert signed_out(client)


def test_if_the_draft_is_published_meanwhile_nothing_is_saved(cast, plan, client_for):
    client = locked(client_for, cast.senco, plan["draft"])
    freeze(plan["draft"], PlanVersion.Status.ACTIVE, by=cast.senco)
    response = client.post(FORM_URL, {**OLDER_ANSWERS, "action": "send"})
    assert response.status_code == 302 and response["Location"] == f"{ENDED_URL}?outcome=not-saved"
    assert voices(plan["draft"]) == []
    (event,) = audit_codes("plans.pupil_voice.ended")
    assert event.data["reason"] == "plan_no_longer_draft"
    assert signed_out(client)
    ended = text_of(client.get(response["Location"]))
    assert "could not be sent" in ended and "tell the adult" in ended


def test_the_save_service_refuses_a_frozen_version_at_the_last_moment(cast, plan):
    """The view checks first; the service checks again under a lock, for a publish in between."""
    with scope(school=[cast.school.pk]):
        draft = plan["draft"]
        freeze(draft, PlanVersion.Status.SHARED, by=cast.senco)
        stale = PlanVersion.objects.get(pk=draft.pk)
        stale.status = PlanVersion.Status.DRAFT  # the caller's copy still says draft
        with pytest.raises(ValidationError) as error:
            pupil_voice_save(
                actor=actor(cast.senco),
                version=stale,
                style="older",
                answers=[{"question": "What is hard?", "answer": "Maths"}],
            )
        assert error.value.code == "frozen"
    assert voices(draft) == []


def test_the_save_service_checks_permission_and_answers(cast, plan):
    answers = [{"question": "What is hard?", "answer": "Maths"}]
    with scope(school=[cast.school.pk]):
        for who in ("teacher", "head", "dsl", "other_senco", "parent"):
            with pytest.raises(PermissionDenied):
                pupil_voice_save(actor=actor(getattr(cast, who)), version=plan["draft"], style="older", answers=answers)
        for bad in ([], [{"question": "What is hard?", "answer": ""}], "Maths", [{"answer": "Maths"}]):
            with pytest.raises(ValidationError):
                pupil_voice_save(actor=actor(cast.senco), version=plan["draft"], style="older", answers=bad)
        with pytest.raises(ValidationError):
            pupil_voice_save(actor=actor(cast.senco), version=plan["draft"], style="middle", answers=answers)
    assert voices(plan["draft"]) == []
    assert not audit_codes("plans.pupil_voice.given")


def test_the_end_service_records_the_reason(cast, plan):
    with scope(school=[cast.school.pk]):
        pupil_voice_end(actor=actor(cast.senco), version=plan["draft"], reason="idle")
        with pytest.raises(PermissionDenied):
            pupil_voice_end(actor=actor(cast.teacher), version=plan["draft"], reason="idle")
    (event,) = audit_codes("plans.pupil_voice.ended")
    assert event.data == {"reason": "idle"} and event.pupil_id == cast.pupil.public_id


def test_a_lock_that_is_not_the_signed_in_persons_ends_at_once(cast, plan, client_for):
    client = locked(client_for, cast.senco, plan["draft"])
    session = client.session
    session[SESSION_KEY] = {**session[SESSION_KEY], "adult": cast.head.pk}
    session.save()
    response = client.get(FORM_URL)
    assert response["Location"] == f"{ENDED_URL}?outcome=ended"
    assert signed_out(client)


def test_the_form_is_missing_outside_locked_mode(cast, client_for):
    assert client_for(cast.senco).get(FORM_URL).status_code == 404
    assert client_for(cast.senco).post(FORM_URL, OLDER_ANSWERS).status_code == 404


def test_the_ended_page_is_public_and_says_nothing_about_anyone(client_for):
    for outcome, words in (("given", "Thank you"), ("ended", "This has ended"), ("made-up", "This has ended")):
        response = client_for(None).get(f"{ENDED_URL}?outcome={outcome}")
        assert response.status_code == 200
        assert words in text_of(response)
    assert client_for(None).post(ENDED_URL).status_code == 405


# ---------------------------------------------------------------------------
# Keeping an older pupil's views from their parents
# ---------------------------------------------------------------------------


def test_only_the_senco_and_deputies_change_who_sees_the_views(cast, plan, client_for):
    voice = make_voice(plan["draft"], by=cast.senco)
    wrong = []
    for name in CAST_PEOPLE:
        response = client_for(getattr(cast, name)).post(
            visibility_url(voice), {"hidden_from_parents": "yes", "lock_version": str(voice.lock_version)}
        )
        expected = 302 if name == "senco" else 404
        if response.status_code != expected:
            wrong.append(f"{name}: expected {expected}, got {response.status_code}")
        if name == "senco":
            assert response["Location"].endswith("#section-about_me")
    assert not wrong, "\n".join(wrong)
    with scopes_disabled():
        voice.refresh_from_db()
    assert voice.visibility == Visibility.STAFF
    (event,) = audit_codes("plans.pupil_voice.visibility_changed")
    assert event.data == {"voice": str(voice.public_id), "hidden_from_parents": True}
    response = client_for(None).post(visibility_url(voice), {"hidden_from_parents": "no"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client_for(cast.senco).get(visibility_url(voice)).status_code == 405
    assert client_for(cast.senco).post(reverse("plans:pupil-voice-visibility", args=[uuid.uuid4()])).status_code == 404


def test_the_visibility_service(cast, plan, deputy):
    older = make_voice(plan["draft"], by=cast.senco)
    younger = make_voice(plan["draft"], by=cast.senco, style="younger")
    with scope(school=[cast.school.pk]):
        pupil_voice_visibility_set(actor=actor(deputy), voice=older, hidden_from_parents=True)
        assert PupilVoice.objects.get(pk=older.pk).visibility == Visibility.STAFF
        older.refresh_from_db()
        pupil_voice_visibility_set(
            actor=actor(cast.senco), voice=older, hidden_from_parents=False, expected_version=older.lock_version
        )
        assert PupilVoice.objects.get(pk=older.pk).visibility == Visibility.EVERYONE
        with pytest.raises(ValidationError) as error:
            pupil_voice_visibility_set(actor=actor(cast.senco), voice=younger, hidden_from_parents=True)
        assert "older pupil" in " ".join(error.value.messages)
        with pytest.raises(ValidationError) as error:  # opened before the last change
            pupil_voice_visibility_set(
                actor=actor(cast.senco), voice=older, hidden_from_parents=True, expected_version=0
            )
        assert error.value.code == "stale"
        for who in ("teacher", "head", "dsl", "trust_lead", "other_senco"):
            with pytest.raises(PermissionDenied):
                pupil_voice_visibility_set(actor=actor(getattr(cast, who)), voice=older, hidden_from_parents=True)
    assert [voice.visibility for voice in voices(plan["draft"])] == [Visibility.EVERYONE, Visibility.EVERYONE]
    assert len(audit_codes("plans.pupil_voice.visibility_changed")) == 2


def test_the_views_of_a_frozen_version_cannot_be_changed(cast, plan, client_for):
    voice = make_voice(plan["draft"], by=cast.senco)
    freeze(plan["draft"], PlanVersion.Status.SHARED, by=cast.senco)
    with scope(school=[cast.school.pk]), pytest.raises(ValidationError):
        pupil_voice_visibility_set(actor=actor(cast.senco), voice=voice, hidden_from_parents=True)
    response = client_for(cast.senco).post(
        visibility_url(voice), {"hidden_from_parents": "yes", "lock_version": str(voice.lock_version)}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:version-detail", kwargs={"public_id": plan["draft"].public_id})
    with scopes_disabled():
        assert PupilVoice.objects.get(pk=voice.pk).visibility == Visibility.EVERYONE


def test_views_kept_from_parents_are_not_in_content_for_everyone(cast, plan):
    make_voice(plan["draft"], by=cast.senco, answer="Shared with everyone")
    make_voice(plan["draft"], by=cast.senco, visibility=Visibility.STAFF, answer="Only for staff")
    with scopes_disabled():
        version = prefetch_for_snapshot(PlanVersion.objects.filter(pk=plan["draft"].pk)).get()
        content = build_snapshot(version)

    def answers(levels):
        (about,) = [s for s in visible_content(content, levels)["sections"] if s["key"] == "about_me"]
        return [voice["answers"][0]["answer"] for voice in about["voices"]]

    assert answers({Visibility.EVERYONE}) == ["Shared with everyone"]
    assert answers({Visibility.EVERYONE, Visibility.STAFF}) == ["Shared with everyone", "Only for staff"]


# ---------------------------------------------------------------------------
# Where the views go and show
# ---------------------------------------------------------------------------


def test_a_new_draft_keeps_the_pupils_views(cast, plan):
    hidden = make_voice(plan["draft"], by=cast.senco, visibility=Visibility.STAFF, answer="Kept back")
    freeze(plan["draft"], PlanVersion.Status.ACTIVE, by=cast.senco)
    with scope(school=[cast.school.pk]):
        new = services.plan_start(actor=actor(cast.senco), pupil=cast.pupil, copy_from=plan["draft"])
    (copy,) = voices(new)
    assert copy.pk != hidden.pk
    assert copy.answers == hidden.answers
    assert copy.given_at == hidden.given_at and copy.given_with == cast.senco
    assert copy.visibility == Visibility.STAFF and copy.style == "older"


def test_the_views_show_on_the_staff_plan_page_with_who_and_when(cast, plan, client_for):
    client = locked(client_for, cast.senco, plan["draft"])
    client.post(FORM_URL, {**OLDER_ANSWERS, "action": "send"})
    (voice,) = voices(plan["draft"])
    freeze(plan["draft"], PlanVersion.Status.ACTIVE, by=cast.senco)
    given_on = timezone.localdate(voice.given_at)
    heading = f"In Zephyrine Quartermaine’s own words ({given_on.day} {given_on:%B} {given_on.year}, with Sam Senco)"
    for who in ("senco", "teacher"):
        page = text_of(client_for(getattr(cast, who)).get(reverse("plans:plan-detail", args=[cast.pupil.public_id])))
        assert heading in page, who
        assert "What is hard? Long writing tasks after lunch" in page
        assert "What helps you learn? No answer" in page
        assert "Kept from parents" not in page


def test_views_kept_from_parents_are_tagged_for_staff(cast, plan, client_for):
    make_voice(plan["draft"], by=cast.senco, visibility=Visibility.STAFF, answer="Kept back")
    page = text_of(client_for(cast.senco).get(reverse("plans:version-detail", args=[plan["draft"].public_id])))
    assert "with Sam Senco) Kept from parents" in page and "Kept back" in page


def test_the_word_and_pdf_documents_show_the_views(cast, plan):
    make_voice(plan["draft"], by=cast.senco, visibility=Visibility.STAFF, answer="Drawing dragons")
    with scopes_disabled():
        version = prefetch_for_snapshot(PlanVersion.objects.filter(pk=plan["draft"].pk)).get()
        document = present(build_snapshot(version))
        html_text = pdf_html(version, document)
        docx = version_docx(version, document)
    assert "Zephyrine Quartermaine’s own words" in html.unescape(html_text) and "Drawing dragons" in html_text
    word = Document(io.BytesIO(docx))
    words = "\n".join(paragraph.text for paragraph in word.paragraphs)
    cells = "\n".join(cell.text for table in word.tables for row in table.rows for cell in row.cells)
    assert "own words" in words and "(Kept from parents)" in words
    assert "Drawing dragons" in cells


def test_the_editor_offers_the_link_and_shows_the_views(cast, plan, client_for):
    make_voice(plan["draft"], by=cast.senco, answer="Drawing dragons")
    make_voice(plan["draft"], by=cast.senco, style="younger", answer="Happy")
    response = client_for(cast.senco).get(reverse("plans:version-edit", kwargs={"public_id": plan["draft"].public_id}))
    body = response.content.decode()
    page = text_of(response)
    assert start_url(plan["draft"]) in body and "Ask Zephyrine for their views" in page
    assert "In Zephyrine’s own words" in page and "Drawing dragons" in page
    # Only the older pupil's views can be kept from parents.
    assert body.count(visibility_url(voices(plan["draft"])[0])) == 1
    assert visibility_url(voices(plan["draft"])[1]) not in body


def test_the_editor_runs_the_same_queries_whatever_the_number_of_views(cast, plan, client_for):
    client = client_for(cast.senco)
    url = reverse("plans:version-edit", kwargs={"public_id": plan["draft"].public_id})
    counts = []
    for extra in (1, 4):
        for _ in range(extra):
            make_voice(plan["draft"], by=cast.senco)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_form_page_runs_a_fixed_number_of_queries(cast, plan, client_for, django_assert_max_num_queries):
    client = locked(client_for, cast.senco, plan["draft"])
    with django_assert_max_num_queries(20):
        assert client.get(FORM_URL).status_code == 200
    for _ in range(3):
        make_voice(plan["draft"], by=cast.senco)
    with django_assert_max_num_queries(20):
        assert client.get(FORM_URL).status_code == 200


def test_a_locked_session_is_not_offered_to_anyone_else(cast, plan, client_for):
    """Another person's browser is untouched by one adult's hand-over."""
    locked(client_for, cast.senco, plan["draft"])
    other = client_for(cast.senco)
    assert other.get("/").status_code == 200
    assert other.get(FORM_URL).status_code == 404


def test_the_pupils_name_is_never_in_the_session_and_dates_stay_numbers(cast, plan, client_for):
    client = locked(client_for, cast.senco, plan["draft"])
    lock = client.session[SESSION_KEY]
    assert set(lock) == {"version", "pupil", "adult", "style", "started_at", "last_seen"}
    assert all(isinstance(lock[key], (int, float)) for key in ("version", "pupil", "adult", "started_at", "last_seen"))
    assert datetime.datetime.fromtimestamp(lock["started_at"], tz=datetime.UTC) <= timezone.now()
