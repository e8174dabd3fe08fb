"""Impact pages against the whole cast: the summary of every intervention, one intervention's
pupils, and one pupil's progress (charts with tables, audited). Fixed query counts at two sizes."""

import datetime
import html
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from waymark.core.models import AuditEvent
from waymark.plans.models import Outcome, OutcomeRating, PlanVersion, Review
from waymark.plans.tests.factories import draft_version, freeze
from waymark.provision.models import MeasureType
from waymark.provision.tests import factories as pf
from waymark.tests import factories as f
from waymark.tests.helpers import cast_mismatches

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
SVG = "{http://www.w3.org/2000/svg}"


def text_of(response):
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    body = re.sub(r"<svg.*?</svg>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def measure(pupil, group, kind, point, value, days_ago, **extra):
    with scopes_disabled():
        return pf.MeasureFactory(
            pupil=pupil,
            group=group,
            measure_type=pf.builtin_measure(kind),
            point=point,
            value=Decimal(value),
            taken_on=TODAY - days_ago * DAY,
            recorded_by=extra.pop("recorded_by", None) or f.UserFactory(),
            **extra,
        )


@pytest.fixture
def setup(cast):
    """The pupil's reading age went from 7 years to 7 years 10 months in about five months."""
    with scopes_disabled():
        cast.intervention.measure_type = pf.builtin_measure(MeasureType.Kind.READING_AGE)
        cast.intervention.save()
    measure(cast.pupil, cast.group, MeasureType.Kind.READING_AGE, "entry", 84, 153)
    measure(cast.pupil, cast.group, MeasureType.Kind.READING_AGE, "exit", 94, 1)
    return cast


LEADERS = {"senco", "head", "trust_lead"}
# Staff who reach the pupil: every-pupil roles, the head of Year 8, the class teacher and the TA.
REACH_PUPIL = {"senco", "dsl", "head", "trust_lead", "head_of_year", "teacher", "ta"}

PAGES = {
    # A page about the school: the other school's SENCO sees their own school's summary.
    "impact-summary": (lambda c: reverse("provision:impact-summary"), LEADERS | {"other_senco"}),
    "intervention-impact": (
        lambda c: reverse("provision:intervention-impact", args=[c.intervention.public_id]),
        LEADERS,
    ),
    "pupil-impact": (lambda c: reverse("provision:pupil-impact", args=[c.pupil.public_id]), REACH_PUPIL),
    "other-pupil-impact": (
        lambda c: reverse("provision:pupil-impact", args=[c.other_pupil.public_id]),
        {"senco", "dsl", "head", "trust_lead", "teacher2"},
    ),
}


@pytest.mark.parametrize("page", PAGES)
def test_who_may_open_each_page(setup, client_for, page):
    build_url, allowed = PAGES[page]
    url = build_url(setup)
    wrong = cast_mismatches(setup, client_for, url, allowed)
    assert not wrong, f"{page} ({url}):\n" + "\n".join(wrong)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_sign_in(setup, client_for, page):
    response = client_for(None).get(PAGES[page][0](setup))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_another_schools_intervention_is_missing(setup, client_for):
    url = reverse("provision:intervention-impact", args=[setup.other_school_group.intervention.public_id])
    assert client_for(setup.senco).get(url).status_code == 404
    assert client_for(setup.other_senco).get(url).status_code == 200


# ----- the summary -----


def test_the_summary_shows_each_intervention_with_a_care_note_for_few_pupils(setup, client_for):
    page = text_of(client_for(setup.head).get(reverse("provision:impact-summary"), {"year": "all"}))
    assert "All school years" in page
    assert "Phonics catch-up 2 No sessions delivered Reading age 1 +10 months" in page
    assert "fewer than 5 pupils – treat with care" in page
    assert "1 of 1 (100%)" in page
    # Only those who manage provision are offered a scale of their own.
    assert "Add a scale of your own" not in page
    assert "Add a scale of your own" in text_of(client_for(setup.senco).get(reverse("provision:impact-summary")))


def test_an_unknown_year_shows_every_year(setup, client_for):
    response = client_for(setup.senco).get(reverse("provision:impact-summary"), {"year": "nonsense"})
    assert response.status_code == 200 and "Phonics catch-up" in text_of(response)


@pytest.mark.parametrize("groups", [1, 8])
def test_the_summary_page_runs_a_fixed_number_of_queries(setup, client_for, django_assert_max_num_queries, groups):
    with scopes_disabled():
        for number in range(groups):
            group = pf.InterventionGroupFactory(
                school=setup.school, intervention=pf.InterventionFactory(school=setup.school)
            )
            for _ in range(3):
                pupil = pf.GroupMemberFactory(group=group).pupil
                measure(pupil, group, MeasureType.Kind.SDQ, "entry", 20, 40)
                measure(pupil, group, MeasureType.Kind.SDQ, "exit", 15 + number % 3, 2)
            pf.SessionLogFactory(group=group, date=TODAY - DAY, logged_by=setup.senco)
    client = client_for(setup.senco)
    url = reverse("provision:impact-summary")
    client.get(url)
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200


# ----- one intervention -----


def test_one_interventions_pupils_with_entry_exit_gain_band_and_attendance(setup, client_for):
    with scopes_disabled():
        session = pf.SessionLogFactory(group=setup.group, date=TODAY - 2 * DAY, logged_by=setup.ta)
        pf.AttendanceFactory(session=session, pupil=setup.pupil, attended=True)
    page = text_of(
        client_for(setup.senco).get(reverse("provision:intervention-impact", args=[setup.intervention.public_id]))
    )
    assert "Pupils: Reading age" in page
    entry_on, exit_on = TODAY - 153 * DAY, TODAY - DAY
    assert (
        f"{setup.pupil.full_name} Phonics (Year 8) 7 years {entry_on.day} {entry_on:%B} {entry_on.year} "
        f"7 years 10 months {exit_on.day} {exit_on:%B} {exit_on.year} +10 months 2.00 Substantial 100% 1 of 1"
    ) in page
    assert f"{setup.other_pupil.full_name} Phonics (Year 9) Not recorded Not recorded" in page


@pytest.mark.parametrize("pupils", [1, 10])
def test_the_intervention_page_runs_a_fixed_number_of_queries(setup, client_for, django_assert_max_num_queries, pupils):
    with scopes_disabled():
        for number in range(pupils):
            pupil = pf.GroupMemberFactory(group=setup.group).pupil
            measure(pupil, setup.group, MeasureType.Kind.READING_AGE, "entry", 80, 100)
            measure(pupil, setup.group, MeasureType.Kind.READING_AGE, "exit", 84 + number, 3)
    client = client_for(setup.senco)
    url = reverse("provision:intervention-impact", args=[setup.intervention.public_id])
    client.get(url)
    with django_assert_max_num_queries(18):  # one of them writes the audit event for the pupils named
        assert client.get(url).status_code == 200


# ----- one pupil's progress -----


def rated_plan(pupil, reviews=2):
    """A plan in force with two outcomes, rated at ``reviews`` completed reviews."""
    with scopes_disabled():
        version = freeze(draft_version(pupil, outcomes=2), PlanVersion.Status.ACTIVE)
        outcomes = list(Outcome.objects.filter(version=version).order_by("order", "pk"))
        for number in range(reviews):
            review = Review.objects.create(
                plan=version.plan, version=version, status="completed", held_on=TODAY - (90 - number * 30) * DAY
            )
            for order, outcome in enumerate(outcomes, start=1):
                OutcomeRating.objects.create(
                    review=review,
                    outcome_id=outcome.public_id,
                    outcome_text=outcome.text,
                    order=order,
                    rating=number - 1,
                )
    return outcomes


def svgs_of(response):
    return [ET.fromstring(svg) for svg in re.findall(r"<svg.*?</svg>", response.content.decode(), flags=re.S)]  # noqa: S314


def test_the_pupil_page_draws_a_chart_and_a_table_for_each_scale_and_outcome(setup, client_for):
    measure(setup.pupil, None, MeasureType.Kind.READING_AGE, "check", 90, 70, note="<b>Salford</b> form B")
    outcomes = rated_plan(setup.pupil)
    response = client_for(setup.teacher).get(reverse("provision:pupil-impact", args=[setup.pupil.public_id]))
    page = text_of(response)
    charts = svgs_of(response)
    assert len(charts) == 3  # reading age, two outcomes
    reading = charts[0]
    assert reading.find(f"{SVG}title").text == "Reading age over time"
    # One point per row of the table under it.
    assert len(reading.findall(f".//{SVG}circle")) == 3
    assert "Reading age: every measure, oldest first" in page
    assert "7 years 6 months Check along the way <b>Salford</b> form B" in page
    assert "&lt;b&gt;Salford" in response.content.decode()
    assert "Phonics (Year 8): +10 months from" in page and "ratio gain 2.00 (substantial)" in page
    assert outcomes[0].text in page
    assert "-1 – Less than expected" in page and "0 – As expected" in page
    assert len(charts[1].findall(f".//{SVG}circle")) == 2
    # Only those who manage provision are offered a check along the way.
    assert "Record a check along the way" not in page


def test_viewing_a_pupils_progress_is_audited(setup, client_for):
    client_for(setup.ta).get(reverse("provision:pupil-impact", args=[setup.pupil.public_id]))
    event = AuditEvent.objects.get(action="provision.impact.viewed")
    assert (event.pupil_id, event.actor, event.school) == (setup.pupil.public_id, setup.ta, setup.school)
    # A refused look is not a read.
    client_for(setup.teacher2).get(reverse("provision:pupil-impact", args=[setup.pupil.public_id]))
    assert AuditEvent.objects.filter(action="provision.impact.viewed").count() == 1


def test_a_pupil_with_nothing_recorded_says_so(setup, client_for):
    page = text_of(client_for(setup.senco).get(reverse("provision:pupil-impact", args=[setup.other_pupil.public_id])))
    assert "No measures have been recorded for this pupil yet." in page
    assert "No outcome of this pupil's plan has been rated at a completed review yet." in page
    assert "Record a check along the way" in page


@pytest.mark.parametrize("size", ["small", "big"])
def test_the_pupil_page_runs_a_fixed_number_of_queries(setup, client_for, django_assert_max_num_queries, size):
    if size == "big":
        for days_ago in range(10, 150, 10):
            measure(setup.pupil, None, MeasureType.Kind.READING_AGE, "check", 85, days_ago)
            measure(setup.pupil, None, MeasureType.Kind.SDQ, "check", 20, days_ago)
        rated_plan(setup.pupil, reviews=3)
    client = client_for(setup.senco)
    url = reverse("provision:pupil-impact", args=[setup.pupil.public_id])
    client.get(url)
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200
