"""What is flagged, what is withheld by default, and withholding or putting back an item or a field."""

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled

from waymark.core.models import AuditEvent
from waymark.exchange.models import Redaction, SubjectAccessRequest
from waymark.exchange.subject_access.gather import gather
from waymark.exchange.subject_access.redaction import (
    ANOTHER_PERSON,
    PUPIL_VIEWS,
    SESSION_NOTE,
    annotate,
    sar_redact,
    sar_unredact,
    summarise,
)
from waymark.exchange.subject_access.release import sar_release

from .test_subject_access_setup import actor_for, log_request, rich_record

Requester = SubjectAccessRequest.Requester


def sections_for(request):
    with scope(school=[request.pupil.school_id]):
        return annotate(request, gather(request.pupil))


def section(sections, model):
    return next(section for section in sections if section.model == model)


def item_of(sections, model, obj):
    return next(item for item in section(sections, model).items if item.pk == str(obj.pk))


def redact(cast, request, obj, *, field="", reason="Another child's name", by=None, model=None):
    with scope(school=[cast.school.pk]):
        return sar_redact(
            actor=actor_for(by or cast.senco),
            request=request,
            model=model or obj._meta.label,
            object_pk=str(obj.pk),
            field=field,
            reason=reason,
        )


@pytest.fixture
def record(cast):
    return rich_record(cast)


# ----- defaults -----


@pytest.mark.django_db
def test_for_a_parent_the_other_parents_words_and_contacts_are_withheld_by_default(cast, record):
    request = log_request(cast)  # Paula Parent asks
    sections = sections_for(request)
    contributions = section(sections, "plans.ParentContribution")
    withheld = {item.pk: item.withheld for item in contributions.items}
    assert withheld[str(record.views["parent"].pk)] == ""
    assert withheld[str(record.views["co_private"].pk)] == ANOTHER_PERSON
    assert withheld[str(record.views["co_shared"].pk)] == ANOTHER_PERSON
    assert withheld[str(record.views["restricted"].pk)] == ANOTHER_PERSON
    assert item_of(sections, "plans.AgreementResponse", record.co_response).withheld == ANOTHER_PERSON
    assert item_of(sections, "plans.AgreementResponse", record.own_response).withheld == ""
    assert item_of(sections, "plans.ParentRequest", record.co_request).withheld == ANOTHER_PERSON
    co_link = item_of(sections, "pupils.ParentLink", cast.co_parent_link)
    assert co_link.withheld == ""  # their name and relationship stay: the child's record says who they are
    assert {value.name for value in co_link.withheld_values} == {"email", "phone"}
    assert item_of(sections, "pupils.ParentLink", cast.restricted_link).value("status_reason").withheld
    assert item_of(sections, "pupils.ParentLink", cast.parent_link).withheld_values == []
    invitation = section(sections, "pupils.ParentInvitation").items[0]
    assert invitation.value("email").withheld == ANOTHER_PERSON
    emails = {
        item.value("email").text: item.value("email").withheld for item in section(sections, "core.Notification").items
    }
    assert emails == {cast.parent.email: "", "cleo.private@example.test": ANOTHER_PERSON}
    with scopes_disabled():
        event = AuditEvent.objects.get(action="exchange.sar.redacted")
        assert event.data["default"] is True and event.data["count"] == Redaction.objects.count()


@pytest.mark.django_db
def test_the_pupils_views_kept_from_parents_are_withheld_when_a_parent_asks(cast, record):
    request = log_request(cast)
    voices = section(sections_for(request), "plans.PupilVoice")
    by_visibility = {(item.value("visibility").text, item.withheld) for item in voices.items}
    assert ("Staff only (never parents)", PUPIL_VIEWS) in by_visibility
    assert ("Everyone who can see the plan", "") in by_visibility


@pytest.mark.django_db
def test_session_notes_are_withheld_until_read_whoever_asks(cast, record):
    request = log_request(
        cast,
        link=False,
        requester_kind=Requester.PUPIL,
        parent_link=None,
        identity_check=SubjectAccessRequest.IdentityCheck.PUPIL_IN_PERSON,
    )
    sections = sections_for(request)
    session = item_of(sections, "provision.SessionLog", record.shared_session)
    assert session.value("note").withheld == SESSION_NOTE
    assert session.withheld == ""  # the date and the group are the pupil's own
    # The pupil asking: parents' words are not someone else's to protect from them by default.
    assert all(not item.withheld for item in section(sections, "plans.ParentContribution").items)


@pytest.mark.django_db
def test_third_party_entries_and_restricted_items_are_flagged_not_withheld(cast, record):
    sections = sections_for(log_request(cast))
    restricted = item_of(sections, "evidence.Note", record.restricted_note)
    assert restricted.restricted and not restricted.withheld
    assert any("Restricted" in flag and "serious harm" in flag for flag in restricted.flags)
    assert all(item.flags for item in section(sections, "evidence.Note").items)  # third_party entry
    assert all(not item.flags for item in section(sections, "provision.Measure").items)
    counts = summarise(sections)
    assert counts["restricted_items"] >= 2  # the note, and the restricted parent's link reason
    assert counts["withheld_items"] >= 4


# ----- withholding and putting back -----


@pytest.mark.django_db
def test_a_field_and_a_whole_item_are_withheld_with_their_reasons_and_audited(cast, record):
    request = log_request(cast)
    redact(cast, request, record.note, field="text", reason="Names a member of the public")
    redact(cast, request, record.document, reason="Third-party report: consent refused")
    sections = sections_for(request)
    note = item_of(sections, "evidence.Note", record.note)
    assert note.value("text").withheld == "Names a member of the public"
    assert note.value("happened_on").withheld == ""
    assert item_of(sections, "evidence.Document", record.document).withheld == "Third-party report: consent refused"
    with scopes_disabled():
        events = list(AuditEvent.objects.filter(action="exchange.sar.redacted", data__default__isnull=True))
    assert {(event.data["model"], event.data["field"]) for event in events} == {
        ("evidence.Note", "text"),
        ("evidence.Document", ""),
    }
    assert all("public" not in str(event.data) for event in events)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reason": "  "}, "Give the reason it is withheld."),
        ({"field": "lock_version"}, "Choose the whole item or one of its parts."),
        ({"field": "no_such_field"}, "Choose the whole item or one of its parts."),
        ({"model": "pupils.NotAModel"}, "This is not part of the pupil's record."),
    ],
)
def test_bad_redactions_are_refused_and_change_nothing(cast, record, change, message):
    request = log_request(cast)
    with scopes_disabled():
        before = (Redaction.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as caught:
        redact(cast, request, record.note, **change)
    assert message in caught.value.messages
    with scopes_disabled():
        assert (Redaction.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.django_db
def test_another_pupils_row_cannot_be_named_in_a_redaction(cast, record):
    from waymark.evidence.models import Note

    request = log_request(cast)
    with scopes_disabled():
        other_note = Note.objects.filter(pupil=cast.other_pupil).first()
    with pytest.raises(ValidationError) as caught:
        redact(cast, request, other_note)
    assert caught.value.messages == ["This is not part of the pupil's record."]


@pytest.mark.django_db
def test_the_same_thing_cannot_be_withheld_twice(cast, record):
    request = log_request(cast)
    redact(cast, request, record.note)
    with pytest.raises(ValidationError) as caught:
        redact(cast, request, record.note, field="text")
    assert caught.value.messages == ["This is already withheld."]


@pytest.mark.django_db
def test_a_default_put_back_is_released_and_flagged(cast, record):
    request = log_request(cast)
    with scopes_disabled():
        default = Redaction.objects.get(
            request=request, model="plans.ParentContribution", object_pk=str(record.views["co_shared"].pk)
        )
    with scope(school=[cast.school.pk]):
        sar_unredact(actor=actor_for(cast.senco), request=request, redaction=default)
    item = item_of(sections_for(request), "plans.ParentContribution", record.views["co_shared"])
    assert item.withheld == ""
    assert any("Normally withheld" in flag for flag in item.flags)
    with scopes_disabled():
        event = AuditEvent.objects.get(action="exchange.sar.unredacted")
    assert event.data == {"model": "plans.ParentContribution", "object": str(record.views["co_shared"].pk), "field": ""}


@pytest.mark.django_db
def test_only_the_senco_or_dsl_decide_about_restricted_words(cast, record):
    request = log_request(cast, by=cast.head)
    with pytest.raises(ValidationError) as caught:
        redact(cast, request, record.restricted_note, by=cast.head)
    assert "Only the SENCO can decide" in caught.value.messages[0]
    with scopes_disabled():
        reason = Redaction.objects.get(request=request, object_pk=str(cast.restricted_link.pk), field="status_reason")
    with scope(school=[cast.school.pk]), pytest.raises(ValidationError):
        sar_unredact(actor=actor_for(cast.head), request=request, redaction=reason)
    assert redact(cast, request, record.restricted_note, by=cast.senco).pk


@pytest.mark.django_db
def test_a_released_request_is_read_only(cast, record):
    request = log_request(cast)
    with scope(school=[cast.school.pk]):
        released = sar_release(actor=actor_for(cast.senco), request=request, expected_version=request.lock_version)
    with pytest.raises(ValidationError) as caught:
        redact(cast, released, record.note)
    assert caught.value.code == "closed"
    with scopes_disabled():
        redaction = Redaction.objects.filter(request=released).first()
    with scope(school=[cast.school.pk]), pytest.raises(ValidationError):
        sar_unredact(actor=actor_for(cast.senco), request=released, redaction=redaction)
    with scopes_disabled():
        assert Redaction.objects.filter(pk=redaction.pk).exists()
