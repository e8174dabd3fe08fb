"""Notes and the pupil's timeline, against the whole cast: who opens what, what each sees, bad input, query counts.

Staff who reach the pupil (the rule table's view reach, staff audience) open the timeline
and add notes; a note's author changes it. Staff-only content is for staff, restricted
content for the SENCO and the DSL. Parents and specialists get a 404 on these pages.
"""

import datetime
import re
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent, Visibility
from waymark.evidence import notes as services
from waymark.evidence.models import Document, Note
from waymark.evidence.selectors import outcome_choices
from waymark.plans.models import Outcome, PlanVersion
from waymark.plans.tests.factories import draft_version, freeze
from waymark.plans.tests.review_factories import plan_in_force
from waymark.tests.helpers import date_fields, error_summary, text_of

from .filemakers import pdf, upload

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
STAFF_READERS = {"senco", "dsl", "head", "trust_lead", "head_of_year", "teacher", "ta"}


@pytest.fixture(autouse=True)
def no_scanner(settings):
    settings.WAYMARK_VIRUS_SCANNER = "none"


def actor_for(user):
    return Actor.for_user(user)


def note(cast, user=None, *, pupil=None, text="Read the whole page aloud today", happened_on=None, **kwargs):
    actor = actor_for(user or cast.senco)
    with scope(school=[cast.school.pk]):
        return services.note_add(
            actor=actor, pupil=pupil or cast.pupil, text=text, happened_on=happened_on or TODAY, **kwargs
        )


@pytest.fixture
def plan(cast):
    """A plan in force for ``pupil`` with two outcomes for everyone, one staff-only and one restricted."""
    version = plan_in_force(cast.pupil, outcomes=2, staff_outcome=True, restricted_outcome=True)
    with scopes_disabled():
        rows = list(Outcome.objects.filter(version=version).order_by("order", "id"))
    cast.version = version
    cast.everyone_outcome = next(o for o in rows if o.visibility == Visibility.EVERYONE)
    cast.staff_outcome = next(o for o in rows if o.visibility == Visibility.STAFF)
    cast.restricted_outcome = next(o for o in rows if o.visibility == Visibility.RESTRICTED)
    return cast


# ----- who may open each page -----


@pytest.fixture
def pages(plan):
    teachers_note = note(plan, plan.teacher, text="Settled quickly after break")
    restricted_note = note(plan, plan.senco, text="Spoke with the family worker", visibility=Visibility.RESTRICTED)
    return {
        "timeline": (reverse("evidence:timeline", args=[plan.pupil.public_id]), STAFF_READERS),
        "timeline-other-pupil": (
            reverse("evidence:timeline", args=[plan.other_pupil.public_id]),
            {"senco", "dsl", "head", "trust_lead", "teacher2"},
        ),
        "timeline-other-school": (
            reverse("evidence:timeline", args=[plan.other_school_pupil.public_id]),
            {"other_senco"},
        ),
        "note-create": (reverse("evidence:note-create", args=[plan.pupil.public_id]), STAFF_READERS),
        "note-edit-own": (reverse("evidence:note-edit", args=[teachers_note.public_id]), {"teacher"}),
        "note-edit-restricted": (reverse("evidence:note-edit", args=[restricted_note.public_id]), {"senco"}),
    }


def test_who_may_open_each_page(cast, pages, client_for):
    wrong = []
    for page, (url, allowed) in pages.items():
        for name, user in cast.people.items():
            expected = 200 if name in allowed else 404
            got = client_for(user).get(url).status_code
            if got != expected:
                wrong.append(f"{page} {name}: expected {expected}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_anonymous_is_sent_to_sign_in_and_methods_are_pinned(cast, pages, client_for):
    for url, _allowed in pages.values():
        response = client_for(None).get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client_for(cast.senco).post(pages["timeline"][0]).status_code == 405


def test_opening_the_timeline_is_audited(cast, client_for):
    client_for(cast.ta).get(reverse("evidence:timeline", args=[cast.pupil.public_id]))
    event = AuditEvent.objects.get(action="evidence.timeline.viewed")
    assert event.actor == cast.ta and event.pupil_id == cast.pupil.public_id


# ----- what each person sees -----


def test_the_timeline_shows_notes_and_documents_newest_first(plan, client_for):
    note(plan, plan.teacher, text="Oldest note", happened_on=TODAY - 10 * DAY)
    note(plan, plan.ta, text="Newest note", happened_on=TODAY, outcome=plan.everyone_outcome.lineage)
    with scope(school=[plan.school.pk]):
        from waymark.evidence.documents import document_upload

        document_upload(
            actor=actor_for(plan.senco),
            pupil=plan.pupil,
            upload=upload("salt.pdf", pdf()),
            title="Speech and language report",
            kind=Document.Kind.PROFESSIONAL_REPORT,
            written_on=TODAY - 5 * DAY,
            author="Dr Ada Okonkwo",
        )
    page = text_of(client_for(plan.teacher).get(reverse("evidence:timeline", args=[plan.pupil.public_id])))
    assert page.index("Newest note") < page.index("Speech and language report") < page.index("Oldest note")
    assert f"About the outcome: {plan.everyone_outcome.text}" in page
    assert "by Dr Ada Okonkwo" in page and "Not checked for viruses" in page
    # Only the SENCO and deputies add documents.
    assert "Add a document" not in page and "Change who can see it" not in page
    senco_page = text_of(client_for(plan.senco).get(reverse("evidence:timeline", args=[plan.pupil.public_id])))
    assert "Add a document" in senco_page and "Change who can see it" in senco_page


def test_restricted_notes_are_for_the_senco_and_dsl_only(plan, client_for):
    note(plan, plan.dsl, text="Restricted words here", visibility=Visibility.RESTRICTED)
    note(plan, plan.ta, text="Staff words here", visibility=Visibility.STAFF)
    note(plan, plan.ta, text="Family words here", visibility=Visibility.EVERYONE)
    for who in STAFF_READERS:
        page = text_of(client_for(getattr(plan, who)).get(reverse("evidence:timeline", args=[plan.pupil.public_id])))
        assert ("Restricted words here" in page) is (who in {"senco", "dsl"}), who
        assert "Staff words here" in page and "Family words here" in page, who


def test_only_the_author_gets_a_change_link(plan, client_for):
    written = note(plan, plan.ta, text="A note by the TA")
    url = reverse("evidence:note-edit", args=[written.public_id])
    assert url in client_for(plan.ta).get(reverse("evidence:timeline", args=[plan.pupil.public_id])).content.decode()
    assert (
        url
        not in client_for(plan.senco).get(reverse("evidence:timeline", args=[plan.pupil.public_id])).content.decode()
    )


def test_the_timeline_filters_to_notes_about_one_outcome(plan, client_for):
    note(plan, plan.ta, text="About reading", outcome=plan.everyone_outcome.lineage)
    note(plan, plan.ta, text="About nothing in particular")
    url = reverse("evidence:timeline", args=[plan.pupil.public_id])
    response = client_for(plan.ta).get(url, {"outcome": str(plan.everyone_outcome.lineage)})
    page = text_of(response)
    assert "About reading" in page and "About nothing in particular" not in page
    assert f"?outcome={plan.everyone_outcome.lineage}" in response.content.decode()  # "Add a note" starts there
    # An outcome they may not see is not offered, and asking for it shows everything.
    response = client_for(plan.ta).get(url, {"outcome": str(plan.restricted_outcome.lineage)})
    assert plan.restricted_outcome.text not in text_of(response)
    assert "About nothing in particular" in text_of(response)
    assert error_summary(response) == "Choose an outcome from the list"
    # Turning pages is not a filter with a missing answer.
    assert error_summary(client_for(plan.ta).get(url, {"page": "1"})) == ""
    assert error_summary(client_for(plan.ta).get(url, {"outcome": "all"})) == ""


def test_a_long_timeline_is_paged(plan, client_for, monkeypatch):
    from waymark.evidence.views import notes as views

    monkeypatch.setattr(views, "TIMELINE_PAGE_SIZE", 2)
    for number in range(3):
        note(plan, plan.ta, text=f"Note number {number}", happened_on=TODAY - number * DAY)
    url = reverse("evidence:timeline", args=[plan.pupil.public_id])
    first = text_of(client_for(plan.ta).get(url))
    assert "Note number 0" in first and "Note number 2" not in first
    second = text_of(client_for(plan.ta).get(url, {"page": "2"}))
    assert "Note number 2" in second and "Note number 0" not in second


def test_a_note_names_its_outcome_as_the_newest_plan_words_it(plan, client_for):
    note(plan, plan.ta, text="Read ten words", outcome=plan.everyone_outcome.lineage)
    with scopes_disabled():
        draft = draft_version(plan.pupil, copy_from=plan.version)
        Outcome.objects.filter(version=draft, lineage=plan.everyone_outcome.lineage).update(text="Reworded outcome")
    freeze(draft, PlanVersion.Status.ACTIVE)
    page = text_of(client_for(plan.ta).get(reverse("evidence:timeline", args=[plan.pupil.public_id])))
    assert "About the outcome: Reworded outcome" in page


def test_outcome_choices_follow_what_each_person_may_read(plan):
    def texts(who):
        actor = actor_for(getattr(plan, who))
        with scope(school=[plan.school.pk]):
            return {text for _lineage, text in outcome_choices(actor, plan.pupil)}

    assert plan.restricted_outcome.text in texts("senco")
    assert plan.restricted_outcome.text not in texts("ta")
    assert plan.staff_outcome.text in texts("ta") and plan.everyone_outcome.text in texts("ta")


def test_a_draft_only_plan_offers_outcomes_to_those_who_see_drafts(cast):
    version = draft_version(cast.pupil, outcomes=1)
    with scopes_disabled():
        text = Outcome.objects.filter(version=version).first().text
    for who, sees in (("senco", True), ("ta", False)):
        actor = actor_for(getattr(cast, who))
        with scope(school=[cast.school.pk]):
            assert (text in {t for _l, t in outcome_choices(actor, cast.pupil)}) is sees, who


# ----- adding and changing notes -----


def test_a_teacher_adds_a_note_about_an_outcome(plan, client_for):
    url = reverse("evidence:note-create", args=[plan.pupil.public_id])
    page = client_for(plan.teacher).get(url).content.decode()
    assert plan.everyone_outcome.text in page and plan.restricted_outcome.text not in page
    assert "Restricted: the SENCO and the DSL only" not in page
    response = client_for(plan.teacher).post(
        url,
        {
            "text": "Used the word mat without a prompt",
            **date_fields("happened_on", TODAY - DAY),
            "outcome": str(plan.everyone_outcome.lineage),
            "visibility": Visibility.EVERYONE,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("evidence:timeline", args=[plan.pupil.public_id])
    with scopes_disabled():
        saved = Note.objects.get()
    assert saved.outcome == plan.everyone_outcome.lineage
    assert saved.written_by == plan.teacher and saved.visibility == Visibility.EVERYONE
    assert saved.happened_on == TODAY - DAY
    assert AuditEvent.objects.get(action="evidence.note.added").data == {"visibility": "everyone", "outcome": True}


def test_the_dsl_may_restrict_a_note_through_the_page(plan, client_for):
    url = reverse("evidence:note-create", args=[plan.pupil.public_id])
    assert "Restricted: the SENCO and the DSL only" in client_for(plan.dsl).get(url).content.decode()
    data = {"text": "Restricted", **date_fields("happened_on", TODAY), "visibility": Visibility.RESTRICTED}
    assert client_for(plan.dsl).post(url, data).status_code == 302


def note_errors(cast, user, **kwargs):
    with pytest.raises(ValidationError) as caught:
        note(cast, user, **kwargs)
    return caught.value.message_dict


def test_bad_notes_are_refused_and_nothing_changes(plan):
    with scopes_disabled():
        other = plan_in_force(plan.other_pupil, outcomes=1)
        other_outcome = Outcome.objects.filter(version=other).first()
    cases = [
        ({"happened_on": TODAY + DAY}, {"happened_on": ["The date must be today or in the past."]}),
        ({"text": "   "}, {"text": ["Enter the note."]}),
        ({"outcome": other_outcome.lineage}, {"outcome": ["Choose an outcome from this pupil's plan."]}),
        ({"outcome": uuid.uuid4()}, {"outcome": ["Choose an outcome from this pupil's plan."]}),
        ({"outcome": "not a uuid"}, {"outcome": ["Choose an outcome from this pupil's plan."]}),
        # The TA cannot read the restricted outcome, so may not name it either.
        ({"outcome": plan.restricted_outcome.lineage}, {"outcome": ["Choose an outcome from this pupil's plan."]}),
        ({"visibility": Visibility.RESTRICTED}, {"visibility": ["Only the SENCO and the DSL can restrict a note."]}),
        ({"visibility": "public"}, {"visibility": ["Choose who can see this note."]}),
        ({"text": "x" * 5001}, None),
    ]
    for kwargs, expected in cases:
        errors = note_errors(plan, plan.ta, **kwargs)
        if expected is not None:
            assert errors == expected, kwargs
        else:
            assert "text" in errors
    with scopes_disabled():
        assert not Note.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="evidence.note").exists()


@pytest.mark.parametrize("who", ["governor", "parent", "specialist", "last_year_teacher", "other_senco", "teacher2"])
def test_those_who_do_not_work_with_the_pupil_may_not_add_notes(cast, who):
    with pytest.raises(PermissionDenied):
        note(cast, getattr(cast, who))


def test_bad_input_on_the_page_shows_the_error_summary(plan, client_for):
    url = reverse("evidence:note-create", args=[plan.pupil.public_id])
    response = client_for(plan.ta).post(
        url, {"text": "", **date_fields("happened_on", TODAY + DAY), "visibility": Visibility.STAFF}
    )
    summary = error_summary(response)
    assert "Enter the note" in summary
    response = client_for(plan.ta).post(
        url, {"text": "Fine", **date_fields("happened_on", TODAY + DAY), "visibility": Visibility.STAFF}
    )
    assert error_summary(response) == "The date must be today or in the past."
    with scopes_disabled():
        assert not Note.objects.exists()


def test_the_author_changes_their_note(plan, client_for):
    written = note(plan, plan.ta, text="First words", outcome=plan.everyone_outcome.lineage)
    url = reverse("evidence:note-edit", args=[written.public_id])
    page = client_for(plan.ta).get(url).content.decode()
    assert "First words" in page
    response = client_for(plan.ta).post(
        url,
        {
            "text": "Better words",
            **date_fields("happened_on", TODAY - 2 * DAY),
            "outcome": "",
            "visibility": Visibility.STAFF,
            "lock_version": str(written.lock_version),
        },
    )
    assert response.status_code == 302
    written.refresh_from_db()
    assert written.text == "Better words" and written.outcome is None
    assert AuditEvent.objects.filter(action="evidence.note.updated", target_id=str(written.public_id)).count() == 1


def test_only_the_author_may_change_a_note(plan):
    written = note(plan, plan.ta)
    with scope(school=[plan.school.pk]), pytest.raises(PermissionDenied):
        services.note_update(
            actor=actor_for(plan.senco),
            note=written,
            text="Overwritten",
            happened_on=TODAY,
            visibility=Visibility.STAFF,
            expected_version=written.lock_version,
        )


def test_a_note_keeps_an_outcome_that_has_left_the_plan(plan, client_for):
    written = note(plan, plan.ta, text="About an old outcome", outcome=plan.everyone_outcome.lineage)
    with scopes_disabled():
        draft = draft_version(plan.pupil, copy_from=plan.version)
        Outcome.objects.filter(version=draft, lineage=plan.everyone_outcome.lineage).delete()
    freeze(draft, PlanVersion.Status.ACTIVE)
    url = reverse("evidence:note-edit", args=[written.public_id])
    # A TA reads only the plan in force, so the old words are not theirs to see; the link stays.
    assert "An outcome no longer in the plan" in text_of(client_for(plan.ta).get(url))
    assert plan.everyone_outcome.text not in text_of(client_for(plan.ta).get(url))
    timeline = reverse("evidence:timeline", args=[plan.pupil.public_id])
    assert f"About the outcome: {plan.everyone_outcome.text}" in text_of(client_for(plan.senco).get(timeline))
    response = client_for(plan.ta).post(
        url,
        {
            "text": "Still about the old outcome",
            **date_fields("happened_on", TODAY),
            "outcome": str(plan.everyone_outcome.lineage),
            "visibility": Visibility.STAFF,
            "lock_version": str(written.lock_version),
        },
    )
    assert response.status_code == 302
    written.refresh_from_db()
    assert written.outcome == plan.everyone_outcome.lineage


def test_a_stale_save_keeps_the_typed_words_and_says_so(plan, client_for):
    written = note(plan, plan.ta, text="Original")
    url = reverse("evidence:note-edit", args=[written.public_id])
    stale = str(written.lock_version)
    client = client_for(plan.ta)
    data = {**date_fields("happened_on", TODAY), "outcome": "", "visibility": Visibility.STAFF, "lock_version": stale}
    assert client.post(url, {**data, "text": "Saved in another tab"}).status_code == 302
    response = client.post(url, {**data, "text": "Typed here"})
    assert response.status_code == 200
    assert "Someone else saved changes" in error_summary(response)
    assert "Typed here" in response.content.decode()
    written.refresh_from_db()
    assert written.text == "Saved in another tab"
    # Saving again on the page replaces their version.
    form_version = re.search(r'name="lock_version" value="(\d+)"', response.content.decode()).group(1)
    assert client.post(url, {**data, "text": "Typed here", "lock_version": form_version}).status_code == 302
    written.refresh_from_db()
    assert written.text == "Typed here"


# ----- a fixed number of queries -----


def fill_timeline(cast, notes, documents):
    for number in range(notes):
        note(
            cast,
            cast.ta if number % 2 else cast.senco,
            text=f"Note {number}",
            happened_on=TODAY - number * DAY,
            outcome=cast.everyone_outcome.lineage if number % 3 else cast.staff_outcome.lineage,
            visibility=Visibility.EVERYONE if number % 2 else Visibility.STAFF,
        )
    with scope(school=[cast.school.pk]):
        from waymark.evidence.documents import document_upload

        for number in range(documents):
            document_upload(
                actor=actor_for(cast.senco),
                pupil=cast.pupil,
                upload=upload(f"d{number}.pdf", pdf()),
                title=f"Document {number}",
                kind=Document.Kind.LETTER,
                written_on=TODAY - number * DAY,
                visibility=Visibility.EVERYONE if number % 2 else Visibility.STAFF,
            )


@pytest.mark.parametrize("who", ["senco", "ta"])
def test_the_timeline_runs_the_same_queries_for_few_or_many_entries(
    plan, client_for, django_assert_max_num_queries, who
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("evidence:timeline", args=[plan.pupil.public_id])
    client = client_for(getattr(plan, who))
    fill_timeline(plan, notes=2, documents=1)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    fill_timeline(plan, notes=12, documents=6)
    with django_assert_max_num_queries(len(small)) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert "Note 11" in text_of(response) and "Document 5" in text_of(response)
    assert len(large) == len(small)
    assert len(small) <= 20
