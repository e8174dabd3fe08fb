"""Review pages against the whole cast: start, write, complete, read; meetings; review settings; the plan page.

Only the SENCO (and a deputy SENCO) write reviews and record meetings; leaders who see
every version of a plan (SENCO, DSL, head, trust lead) read reviews; everyone else,
parents and specialists included, gets a 404. Bad input shows the GOV.UK error summary
and changes nothing.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent
from waymark.plans import reviews
from waymark.plans.models import ContributionChannel, Outcome, ParentMeeting, PlanVersion, Review
from waymark.plans.review_dates import next_review_default
from waymark.pupils.models import ParentLink
from waymark.schools.models import School
from waymark.tests import factories as f
from waymark.tests.helpers import cast_mismatches, date_fields, error_summary, text_of

from .review_factories import (
    RESTRICTED_OUTCOME,
    STAFF_OUTCOME,
    ParentContributionFactory,
    ParentMeetingFactory,
    plan_in_force,
    started_review,
)

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
LEADERS = {"senco", "dsl", "head", "trust_lead"}


def day(value):
    return f"{value.day} {value:%B} {value.year}"


@pytest.fixture
def setup(cast):
    """A plan in force with a staff-only and a restricted outcome, a completed review and one being written."""
    with scopes_disabled():
        ParentLink.objects.filter(pk=cast.parent_link.pk).update(language="Polish", needs_interpreter=True)
        cast.parent_link.refresh_from_db()
    cast.version = plan_in_force(cast.pupil, outcomes=2, staff_outcome=True, restricted_outcome=True)
    first = started_review(cast.pupil, cast.senco)
    with scope(school=[cast.school.pk]):
        senco = Actor.for_user(cast.senco)
        first = reviews.review_save(
            actor=senco,
            review=first,
            fields={
                "participants": "Sam Senco (SENCO)",
                "decisions": ["continue"],
                "next_review_on": TODAY + 100 * DAY,
                "pupil_views": "The quiet room helps me",
            },
            ratings={str(r.outcome_id): {"rating": 1, "evidence": f"Evidence {r.order}"} for r in first.ratings.all()},
            parents_present=[cast.parent_link],
            expected_version=first.lock_version,
        )
        cast.completed = reviews.review_complete(actor=senco, review=first, expected_version=first.lock_version)
    cast.review = started_review(cast.pupil, cast.senco)
    cast.contribution = ParentContributionFactory(
        link=cast.co_parent_link,
        plan=cast.version.plan,
        given_via=ContributionChannel.MEETING,
        recorded_by=cast.senco,
        worries="Mornings are hard since the new bus route.",
    )
    return cast


# ----- who may open each page -----

PAGES = {
    "review-edit": (lambda c: reverse("plans:review-edit", args=[c.review.public_id]), {"senco"}),
    "review-detail-completed": (lambda c: reverse("plans:review-detail", args=[c.completed.public_id]), LEADERS),
    "review-detail-draft": (lambda c: reverse("plans:review-detail", args=[c.review.public_id]), LEADERS),
    "meeting-create": (lambda c: reverse("plans:meeting-create", args=[c.pupil.public_id]), {"senco"}),
    # A page about the school: the other school's SENCO has their own.
    "review-settings": (lambda c: reverse("plans:review-settings"), {"senco", "head", "other_senco"}),
}


@pytest.mark.parametrize("page", PAGES)
def test_who_may_open_each_page(setup, client_for, page):
    build_url, allowed = PAGES[page]
    url = build_url(setup)
    wrong = cast_mismatches(setup, client_for, url, allowed)
    assert not wrong, f"{page} ({url}):\n" + "\n".join(wrong)


@pytest.mark.parametrize(
    "url",
    [
        lambda c: reverse("plans:review-edit", args=[c.review.public_id]),
        lambda c: reverse("plans:review-detail", args=[c.completed.public_id]),
        lambda c: reverse("plans:meeting-create", args=[c.pupil.public_id]),
        lambda c: reverse("plans:review-settings"),
    ],
)
def test_anonymous_is_sent_to_sign_in(setup, client_for, url):
    response = client_for(None).get(url(setup))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_only_the_senco_may_start_a_review(cast, client_for):
    plan_in_force(cast.pupil)
    url = reverse("plans:review-start", args=[cast.pupil.public_id])
    for name, user in cast.people.items():
        if name != "senco":
            assert client_for(user).post(url).status_code == 404, name
    assert not Review.objects.exists()
    response = client_for(cast.senco).post(url)
    with scopes_disabled():
        review = Review.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("plans:review-edit", args=[review.public_id])
    # Pressing it again carries on with the one being written.
    again = client_for(cast.senco).post(url)
    assert again["Location"] == response["Location"]
    with scopes_disabled():
        assert Review.objects.count() == 1
    assert client_for(None).post(url)["Location"].startswith("/accounts/login/")


def test_starting_without_a_plan_in_force_says_why(cast, client_for):
    client = client_for(cast.senco)
    response = client.post(reverse("plans:review-start", args=[cast.pupil.public_id]), follow=True)
    assert "has no plan in force to review" in text_of(response)
    with scopes_disabled():
        assert not Review.objects.exists()


def test_only_the_senco_may_complete_a_review(setup, client_for):
    url = reverse("plans:review-complete", args=[setup.review.public_id])
    for name, user in setup.people.items():
        expected = 200 if name == "senco" else 404  # the SENCO sees what is missing
        assert client_for(user).post(url, {}).status_code == expected, name
    with scopes_disabled():
        assert Review.objects.get(pk=setup.review.pk).status == Review.Status.DRAFT


def test_only_the_senco_may_discard_a_review_from_the_page(setup, client_for):
    url = reverse("plans:review-discard", args=[setup.review.public_id])
    with scopes_disabled():
        lock_version = Review.objects.get(pk=setup.review.pk).lock_version
    for name, user in setup.people.items():
        if name == "senco":
            continue
        assert client_for(user).post(url, {"lock_version": lock_version}).status_code == 404, name
    assert client_for(setup.people["senco"]).get(url).status_code == 405
    response = client_for(setup.people["senco"]).post(url, {"lock_version": lock_version})
    assert response.status_code == 302 and response["Location"].endswith("#reviews")
    with scopes_disabled():
        assert not Review.objects.filter(pk=setup.review.pk).exists()


def test_pages_only_answer_their_methods(setup, client_for):
    client = client_for(setup.senco)
    assert client.get(reverse("plans:review-start", args=[setup.pupil.public_id])).status_code == 405
    assert client.get(reverse("plans:review-complete", args=[setup.review.public_id])).status_code == 405
    assert client.post(reverse("plans:review-detail", args=[setup.review.public_id])).status_code == 405


# ----- writing a review -----


def review_post(review, **changes):
    """The review form as the page posts it: every outcome rated 1, with evidence."""
    with scopes_disabled():
        review = Review.objects.get(pk=review.pk)
        ratings = list(review.ratings.order_by("order"))
    data = {
        "lock_version": str(review.lock_version),
        **date_fields("held_on", TODAY),
        "participants": "Sam Senco (SENCO), Tess Teacher (class teacher)",
        "parents_present": [],
        "pupil_views": "I like the quiet room",
        "what_worked": "Pre-teaching",
        "what_did_not": "Homework club",
        "decisions": ["adjust"],
        "decision_notes": "",
        **date_fields("next_review_on", TODAY + 90 * DAY),
    }
    for rating in ratings:
        prefix = f"outcome-{rating.outcome_id}"
        data[f"{prefix}-rating"] = "1"
        data[f"{prefix}-evidence"] = f"Probe {rating.order}"
        data[f"{prefix}-comment"] = ""
    data.update(changes)
    return data


def test_the_review_page_shows_the_familys_words_and_the_outcomes(setup, client_for):
    response = client_for(setup.senco).get(reverse("plans:review-edit", args=[setup.review.public_id]))
    page = text_of(response)
    # The parents' views given since the last review, with how they were given.
    assert "Cleo Coparent (step-parent)" in page
    assert f"Recorded by staff (Sam Senco) on {day(TODAY)}: given at a meeting" in page
    assert "Mornings are hard since the new bus route." in page
    # Contact needs beside each parent's name; a restricted parent is marked as such.
    assert "Paula Parent (mother) – Polish, needs an interpreter" in page
    assert "Piers Restricted (father) – their access to the child's records is restricted" in page
    # The pupil's own words from the plan's about-me section.
    assert "People say I am kind and I make them laugh." in page
    # Every outcome, including staff-only and restricted ones, for the SENCO; the scale with values.
    assert STAFF_OUTCOME in page and RESTRICTED_OUTCOME in page
    assert "+2 – Much more than expected" in page and "-1 – Less than expected" in page
    assert "0 – As expected" in page
    # The next review date starts on the school's cycle.
    default = next_review_default(setup.school, TODAY)
    assert response.context["form"].initial["next_review_on"] == default
    # Opening the review reads the pupil's record.
    opened = AuditEvent.objects.get(action="plans.review.viewed", target_id=str(setup.review.public_id))
    assert opened.data == {"editor": True} and opened.actor == setup.senco


def test_views_the_pupil_gave_in_the_new_draft_are_shown(setup, client_for):
    from django.utils import timezone

    from waymark.plans.models import PupilVoice

    with scopes_disabled():
        draft = PlanVersion.objects.get(plan=setup.version.plan, status=PlanVersion.Status.DRAFT)
        PupilVoice.objects.create(
            version=draft,
            style="older",
            answers=[{"question": "What helps you most?", "answer": "Having the timetable on my desk"}],
            given_at=timezone.now(),
            given_with=setup.ta,
        )
    page = text_of(client_for(setup.senco).get(reverse("plans:review-edit", args=[setup.review.public_id])))
    assert f"In their own words, {day(TODAY)}" in page
    assert page.count("Having the timetable on my desk") == 1


def test_a_deputy_does_not_see_views_in_a_restricted_about_me_section_of_the_draft(setup, client_for):
    from django.utils import timezone

    from waymark.plans.models import PlanSection, PupilVoice

    with scopes_disabled():
        deputy = f.MembershipFactory(school=setup.school, roles=["deputy_senco"]).user
        draft = PlanVersion.objects.get(plan=setup.version.plan, status=PlanVersion.Status.DRAFT)
        PlanSection.objects.filter(version=draft, key="about_me").update(visibility="restricted")
        PupilVoice.objects.create(
            version=draft,
            style="older",
            answers=[{"question": "What do you want adults to know?", "answer": "Ocelot words for the SENCO"}],
            given_at=timezone.now(),
            given_with=setup.senco,
        )
    url = reverse("plans:review-edit", args=[setup.review.public_id])
    # The voice is as private as the section it sits in: the editor hides it from the deputy, so does the review.
    assert "Ocelot words for the SENCO" not in text_of(client_for(deputy).get(url))
    assert "Ocelot words for the SENCO" in text_of(client_for(setup.senco).get(url))


def test_a_deputy_does_not_see_a_restricted_outcome(setup, client_for):
    with scopes_disabled():
        deputy = f.MembershipFactory(school=setup.school, roles=["deputy_senco"]).user
    page = text_of(client_for(deputy).get(reverse("plans:review-edit", args=[setup.review.public_id])))
    assert STAFF_OUTCOME in page and RESTRICTED_OUTCOME not in page
    assert "1 outcome is restricted to the SENCO and DSL, so it is not shown here." in page


def test_saving_the_review_page(setup, client_for):
    url = reverse("plans:review-edit", args=[setup.review.public_id])
    data = review_post(setup.review, parents_present=[str(setup.parent_link.public_id)])
    response = client_for(setup.senco).post(url, data)
    assert response.status_code == 302 and response["Location"] == url
    with scopes_disabled():
        review = Review.objects.get(pk=setup.review.pk)
        assert review.participants.startswith("Sam Senco") and review.decisions == ["adjust"]
        assert list(review.parents_present.all()) == [setup.parent_link]
        assert {r.rating for r in review.ratings.all()} == {1}
        assert review.status == Review.Status.DRAFT


def test_a_stale_save_keeps_what_was_typed_and_changes_nothing(setup, client_for):
    url = reverse("plans:review-edit", args=[setup.review.public_id])
    client = client_for(setup.senco)
    old_page = review_post(setup.review)
    assert client.post(url, review_post(setup.review, what_worked="Saved first")).status_code == 302
    response = client.post(url, {**old_page, "what_worked": "Typed on an old page"})
    assert response.status_code == 200
    assert "Someone else saved this review after you opened it" in error_summary(response)
    assert "Typed on an old page" in response.content.decode()
    with scopes_disabled():
        assert Review.objects.get(pk=setup.review.pk).what_worked == "Saved first"


def test_bad_input_shows_the_error_summary_and_changes_nothing(setup, client_for):
    url = reverse("plans:review-edit", args=[setup.review.public_id])
    with scopes_disabled():
        rating = setup.review.ratings.order_by("order").first()
    data = review_post(
        setup.review,
        **date_fields("held_on", (31, 2, TODAY.year)),
        **{f"outcome-{rating.outcome_id}-rating": "9"},
        parents_present=[str(setup.other_parent_link.public_id)],
    )
    response = client_for(setup.senco).post(url, data)
    assert response.status_code == 200
    summary = error_summary(response)
    assert "Date of the review must be a real date" in summary
    assert "Choose a rating from the school's scale." in summary
    assert "Choose from this pupil's parents and carers." in summary
    with scopes_disabled():
        review = Review.objects.get(pk=setup.review.pk)
        assert review.lock_version == setup.review.lock_version and review.participants == ""


def test_completing_an_empty_review_lists_every_problem(setup, client_for):
    url = reverse("plans:review-complete", args=[setup.review.public_id])
    with scopes_disabled():
        before = list(PlanVersion.objects.values_list("pk", "status"))
        lock = Review.objects.get(pk=setup.review.pk).lock_version
    data = {"lock_version": str(lock), **date_fields("held_on", TODAY)}
    response = client_for(setup.senco).post(url, data)
    assert response.status_code == 200
    summary = error_summary(response)
    for problem in (
        "Rate outcome 1.",
        "Rate outcome 2.",
        "Rate outcome 3.",
        "Rate outcome 4.",
        "Say who took part in the review.",
        "Choose at least one decision about what happens next.",
        "Enter the date of the next review.",
    ):
        assert problem in summary, problem
    # Each problem links to its field.
    assert 'href="#id_participants"' in response.content.decode()
    with scopes_disabled():
        review = Review.objects.get(pk=setup.review.pk)
        assert review.status == Review.Status.DRAFT and review.lock_version == lock
        assert list(PlanVersion.objects.values_list("pk", "status")) == before
        assert not AuditEvent.objects.filter(action="plans.review.saved", target_id=str(review.public_id)).exists()


def test_completing_with_a_date_before_the_plan_was_published(setup, client_for):
    url = reverse("plans:review-complete", args=[setup.review.public_id])
    response = client_for(setup.senco).post(url, review_post(setup.review, **date_fields("held_on", TODAY - 60 * DAY)))
    published = TODAY - 30 * DAY
    assert f"on or after {day(published)}, when the plan being reviewed was published" in error_summary(response)
    with scopes_disabled():
        assert Review.objects.get(pk=setup.review.pk).status == Review.Status.DRAFT


def test_completing_a_review_from_the_page(setup, client_for):
    url = reverse("plans:review-complete", args=[setup.review.public_id])
    with scopes_disabled():
        first = setup.review.ratings.order_by("order").first()
    data = review_post(setup.review, **{f"outcome-{first.outcome_id}-rating": "-2"})
    client = client_for(setup.senco)
    response = client.post(url, data)
    assert response["Location"] == reverse("plans:review-detail", args=[setup.review.public_id])
    with scopes_disabled():
        review = Review.objects.get(pk=setup.review.pk)
        assert review.status == Review.Status.COMPLETED and review.next_version.is_draft
        # Rated 1 counts as met; only the outcome rated -2 goes forward.
        carried = list(Outcome.objects.filter(version=review.next_version).values_list("carried_from", flat=True))
        assert carried == [first.outcome_id]
    follow = client.get(response["Location"])
    assert "The review is complete." in text_of(follow)
    # Editing a completed review goes to its summary.
    again = client_for(setup.senco).get(reverse("plans:review-edit", args=[setup.review.public_id]))
    assert again["Location"] == response["Location"]


# ----- reading a review -----


def test_the_review_summary_hides_what_the_reader_may_not_see(setup, client_for):
    url = reverse("plans:review-detail", args=[setup.completed.public_id])
    senco = text_of(client_for(setup.senco).get(url))
    assert RESTRICTED_OUTCOME in senco and STAFF_OUTCOME in senco
    assert "+1 – More than expected" in senco and "Evidence 1" in senco
    assert "Paula Parent (mother) – Polish, needs an interpreter" in senco
    head = text_of(client_for(setup.head).get(url))
    assert STAFF_OUTCOME in head and RESTRICTED_OUTCOME not in head
    assert "1 outcome is restricted to the SENCO and DSL" in head
    assert RESTRICTED_OUTCOME in text_of(client_for(setup.dsl).get(url))
    assert (
        AuditEvent.objects.filter(action="plans.review.viewed", target_id=str(setup.completed.public_id)).count() == 3
    )


# ----- the plan page -----


def test_the_plan_page_lists_reviews_and_meetings(setup, client_for):
    with scopes_disabled():
        ParentMeetingFactory(pupil=setup.pupil, held_on=setup.year.starts_on, parents=[setup.co_parent_link])
    url = reverse("plans:plan-detail", args=[setup.pupil.public_id])
    response = client_for(setup.senco).get(url)
    page = text_of(response)
    # The completed review's meeting and the one above: two of the three the Code expects.
    assert "Meetings with parents this school year 2 of 3 expected" in page
    assert reverse("plans:review-detail", args=[setup.completed.public_id]) in response.content.decode()
    assert "A review is being written." in page and "Carry on with the review" in page
    assert reverse("plans:meeting-create", args=[setup.pupil.public_id]) in response.content.decode()
    # The DSL reads reviews but does not run them; a teacher sees no reviews at all.
    dsl = client_for(setup.dsl).get(url)
    assert "See the review so far" in text_of(dsl)
    assert reverse("plans:meeting-create", args=[setup.pupil.public_id]) not in dsl.content.decode()
    teacher = text_of(client_for(setup.teacher).get(url))
    assert "Meetings with parents" not in teacher and "Past reviews" not in teacher


def test_the_start_button_shows_when_no_review_is_being_written(cast, client_for):
    plan_in_force(cast.pupil)
    url = reverse("plans:plan-detail", args=[cast.pupil.public_id])
    start = reverse("plans:review-start", args=[cast.pupil.public_id])
    assert start in client_for(cast.senco).get(url).content.decode()
    assert start not in client_for(cast.head).get(url).content.decode()


def plan_page_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_plan_page_runs_the_same_queries_for_1_or_8_reviews(setup, client_for):
    url = reverse("plans:plan-detail", args=[setup.pupil.public_id])
    client = client_for(setup.senco)
    small = plan_page_queries(client, url)
    with scopes_disabled():
        for offset in range(7):
            review = Review.objects.create(
                plan=setup.version.plan, version=setup.version, status="completed", held_on=TODAY - offset * DAY
            )
            ParentMeetingFactory(pupil=setup.pupil, held_on=TODAY - offset * DAY, parents=[setup.parent_link])
            review.decisions = ["continue"]
            review.save()
    assert plan_page_queries(client, url) == small


@pytest.mark.parametrize("page", ["review-edit", "review-detail-draft"])
def test_the_review_pages_run_the_same_queries_for_1_or_6_parents_views(setup, client_for, page):
    url = PAGES[page][0](setup)
    client = client_for(setup.senco)
    small = plan_page_queries(client, url)
    for number in range(5):
        ParentContributionFactory(
            link=setup.parent_link if number % 2 else setup.co_parent_link,
            plan=setup.version.plan,
            given_via=ContributionChannel.MEETING,
            recorded_by=setup.senco,
            worries=f"Worry {number}",
        )
    assert plan_page_queries(client, url) == small
    assert "Worry 4" in text_of(client.get(url))  # the views are on the page, each with who gave it


# ----- meetings -----


def test_recording_a_meeting_from_the_page(setup, client_for):
    url = reverse("plans:meeting-create", args=[setup.pupil.public_id])
    page = client_for(setup.senco).get(url)
    assert "Paula Parent (mother) – Polish, needs an interpreter" in text_of(page)
    data = {
        **date_fields("held_on", TODAY),
        "kind": "planning",
        "mode": "phone",
        "parents": [str(setup.parent_link.public_id), str(setup.restricted_link.public_id)],
        "notes": "Agreed a reading plan.",
    }
    response = client_for(setup.senco).post(url, data)
    assert response["Location"].endswith("#reviews")
    with scopes_disabled():
        meeting = ParentMeeting.objects.get(kind="planning")
        assert set(meeting.parents.all()) == {setup.parent_link, setup.restricted_link}


def test_a_meeting_with_nobody_or_in_the_future_is_refused(setup, client_for):
    url = reverse("plans:meeting-create", args=[setup.pupil.public_id])
    data = {**date_fields("held_on", TODAY + DAY), "kind": "planning", "mode": "phone", "notes": ""}
    response = client_for(setup.senco).post(url, data)
    assert "Select who came to the meeting" in error_summary(response)
    response = client_for(setup.senco).post(url, {**data, "parents": [str(setup.parent_link.public_id)]})
    assert "The date of the meeting must be today or in the past." in error_summary(response)
    with scopes_disabled():
        assert not ParentMeeting.objects.filter(kind="planning").exists()


# ----- review settings -----


def settings_post(school, **changes):
    data = {
        "lock_version": str(school.lock_version),
        "cycle_months": "6",
        "complaints_procedure": "Talk to the SENCO, then write to the head.",
        "complaints_url": "https://www.example.sch.uk/complaints",
    }
    for index, (value, label, met) in enumerate([(0, "Not yet", False), (1, "Partly", False), (2, "Achieved", True)]):
        data[f"step-{index}-value"] = str(value)
        data[f"step-{index}-label"] = label
        if met:
            data[f"step-{index}-met"] = "on"
    data.update(changes)
    return data


def test_changing_the_review_settings(cast, client_for):
    url = reverse("plans:review-settings")
    page = client_for(cast.senco).get(url)
    assert 'value="Much more than expected"' in page.content.decode()
    response = client_for(cast.senco).post(url, settings_post(cast.school))
    assert response.status_code == 302
    school = School.objects.get(pk=cast.school.pk)
    assert school.review_cycle_months == 6 and school.met_ratings == [2]
    assert school.review_scale == [
        {"value": 0, "label": "Not yet"},
        {"value": 1, "label": "Partly"},
        {"value": 2, "label": "Achieved"},
    ]
    assert school.complaints_procedure.startswith("Talk to the SENCO")


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"step-2-value": "", "step-2-label": "", "step-2-met": ""}, "The rating scale needs at least 3 steps."),
        ({"step-1-value": "0"}, "Each step needs its own value: 0 is used more than once."),
        ({"step-1-label": ""}, "Enter a label for step 2"),
        ({"step-1-value": ""}, "Enter a value for ‘Partly’"),
        ({"step-2-met": ""}, "Choose at least one rating that counts as met."),
        ({"step-1-value": "one"}, "The value of step 2 must be a whole number"),
        ({"complaints_url": "not a web address"}, "Enter a web address"),
    ],
)
def test_bad_review_settings_show_the_error_summary(cast, client_for, changes, message):
    before = School.objects.filter(pk=cast.school.pk).values().get()
    response = client_for(cast.senco).post(reverse("plans:review-settings"), settings_post(cast.school, **changes))
    assert response.status_code == 200
    assert message in error_summary(response)
    assert School.objects.filter(pk=cast.school.pk).values().get() == before


def test_a_stale_settings_save_shows_what_is_saved_now(cast, client_for):
    url = reverse("plans:review-settings")
    old = settings_post(cast.school)
    assert client_for(cast.head).post(url, settings_post(cast.school, cycle_months="12")).status_code == 302
    response = client_for(cast.senco).post(url, old)
    assert response.status_code == 200 and "Someone else saved changes" in error_summary(response)
    assert School.objects.get(pk=cast.school.pk).review_cycle_months == 12


def test_the_school_settings_page_links_to_the_review_settings(cast, client_for):
    page = client_for(cast.senco).get(reverse("schools:school-settings"))
    assert reverse("plans:review-settings") in page.content.decode()
