"""Planned against delivered (``provision/delivery.py``) checked by a hand-worked example, and the
pupil's "provision delivered" page.

The example, in the school year 2030 to 2031, as of Wednesday 6 November 2030:

Terms: Autumn 1, Monday 2 September to Friday 18 October; half-term 21 to 25 October;
Autumn 2, Monday 28 October to Friday 20 December.

The plan in force commits to "Reading boost", 3 times a week, from 7 October to 13 December.
The group "Reading boost (2030)" delivers it on Mondays, Wednesdays and Fridays from 7 October.

- School days from 7 October to 6 November: 7 to 18 October (10), half-term (0), 28 October to
  6 November (8) = 18, so 18 ÷ 5 = 3.6 school weeks; 3 × 3.6 = 10.8: **10 expected**.
- Planned: 7, 9, 11, 14, 16, 18 October; 28, 30 October, 1, 4, 6 November = **11**.
- Logged: delivered 7, 9, 11, 14, 16, 28, 29 (a Tuesday catch-up, never planned), 30 October
  and 4 November = **9 delivered**; 18 October cancelled = **1 cancelled**; 1 and 6 November not
  logged = **2 not logged**. The pupil came to all but 16 October: **8 attended, 1 missed**.

The pupil was also in "Social skills (2030)" (Tuesdays, not linked to the plan) from
3 September until 15 October: planned 3, 10, 17, 24 September, 1, 8, 15 October = **7**;
delivered 3 September (came) and 10 September (missed); 17 September cancelled; a session on
29 October, after they left, is not theirs: **2 delivered, 1 cancelled, 4 not logged, 1 attended,
1 missed**.

Only Autumn 2 (28 October to today): school days 8, 3 × 8 ÷ 5 = 4.8: **4 expected**; planned
28, 30 October, 1, 4, 6 November = **5**; delivered 28, 29, 30 October, 4 November = **4**, all
attended; the social skills place ended before the term began.
"""

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from waymark.core.models import AuditEvent, Visibility
from waymark.plans.models import PlanVersion
from waymark.plans.tests.factories import ProvisionFactory, draft_version, freeze
from waymark.provision import delivery
from waymark.provision.schedule import term_ranges
from waymark.provision.tests import factories as pf
from waymark.schools.models import Term
from waymark.tests import factories as f
from waymark.tests.helpers import cast_mismatches

from .test_sessions import TODAY, D, actor_on, add_member, log, make_group, school_year_2030
from .test_today import pin_today

DELIVERED, CANCELLED = "delivered", "cancelled"


def plan_with_commitment(pupil, *, restricted=False):
    """An active plan for ``pupil`` committing to "Reading boost", 3 times a week, 7 October to 13 December 2030."""
    with scopes_disabled():
        version = draft_version(pupil, fill=False)
        commitment = ProvisionFactory(
            version=version,
            what="Reading boost",
            delivered_by_role="Teaching assistant",
            sessions_per_week=Decimal("3"),
            minutes_per_session=20,
            group_size=4,
            starts_on=D(2030, 10, 7),
            ends_on=D(2030, 12, 13),
        )
        if restricted:
            ProvisionFactory(
                version=version,
                what="Restricted: daily check-in with the DSL",
                visibility=Visibility.RESTRICTED,
                starts_on=D(2030, 10, 7),
                ends_on=D(2030, 12, 13),
            )
        freeze(version, PlanVersion.Status.ACTIVE)
    return version, commitment


@pytest.fixture
def example(cast):
    c = cast
    c.year_2030 = school_year_2030(c.school)
    c.version, c.commitment = plan_with_commitment(c.pupil, restricted=True)
    with scopes_disabled():
        c.ada = f.PupilFactory(school=c.school, legal_forename="Ada", legal_surname="Lovelace", year_group=8)
    c.reading = make_group(c)
    add_member(c.reading, c.pupil, D(2030, 10, 7), commitment=c.commitment.lineage)
    add_member(c.reading, c.ada, D(2030, 10, 7), left_on=D(2030, 10, 31))
    c.social = make_group(
        c, name="Social skills (2030)", weekdays=[1], starts_on=D(2030, 9, 3), ends_on=D(2030, 12, 17)
    )
    add_member(c.social, c.pupil, D(2030, 9, 3), left_on=D(2030, 10, 15))
    add_member(c.social, c.ada, D(2030, 9, 3))

    pupil, ada = c.pupil.public_id, c.ada.public_id
    for day, came in [
        (D(2030, 10, 7), [pupil, ada]),
        (D(2030, 10, 9), [pupil]),
        (D(2030, 10, 11), [pupil, ada]),
        (D(2030, 10, 14), [pupil, ada]),
        (D(2030, 10, 16), [ada]),
        (D(2030, 10, 28), [pupil, ada]),
        (D(2030, 10, 29), [pupil, ada]),
        (D(2030, 10, 30), [pupil, ada]),
        (D(2030, 11, 4), [pupil]),
    ]:
        log(c, c.reading, day, attended_pupil_ids=came)
    log(c, c.reading, D(2030, 10, 18), status=CANCELLED, cancel_reason="staff_absent")
    log(c, c.social, D(2030, 9, 3), attended_pupil_ids=[pupil, ada])
    log(c, c.social, D(2030, 9, 10), attended_pupil_ids=[ada])
    log(c, c.social, D(2030, 9, 17), status=CANCELLED, cancel_reason="pupils_away")
    log(c, c.social, D(2030, 10, 29), attended_pupil_ids=[ada])
    return c


def counts(tally):
    return {
        "planned": tally.planned,
        "delivered": tally.delivered,
        "cancelled": tally.cancelled,
        "not_logged": tally.not_logged,
        "attended": tally.attended,
        "missed": tally.missed,
    }


def pupil_report(c, user=None, period=None, day=TODAY):
    with scope(school=[c.school.pk]):
        return delivery.pupil_delivery(actor_on(user or c.senco, day), c.pupil, period)


# ----- small pieces -----


def test_expected_sessions_count_school_weeks_across_half_term():
    terms = [(D(2030, 9, 2), D(2030, 10, 18)), (D(2030, 10, 28), D(2030, 12, 20))]
    assert delivery.school_days(terms, D(2030, 10, 7), D(2030, 11, 6)) == 18
    assert delivery.expected_sessions(Decimal("3"), terms, D(2030, 10, 7), D(2030, 11, 6)) == 10
    # Once a fortnight for one school week is half a session: none expected yet.
    assert delivery.expected_sessions(Decimal("0.5"), terms, D(2030, 10, 7), D(2030, 10, 11)) == 0
    assert delivery.expected_sessions(Decimal("1"), terms, D(2030, 10, 21), D(2030, 10, 25)) == 0
    assert delivery.expected_sessions("not a number", terms, D(2030, 10, 7), D(2030, 11, 6)) == 0


# ----- the pupil -----


def test_the_pupils_delivery_against_the_plan_matches_the_hand_count(example):
    report = pupil_report(example, user=example.ta)
    assert report.period.label == "2030 to 2031"
    (commitment,) = report.commitments
    assert commitment.what == "Reading boost"
    assert commitment.words == "3 times a week, 20 minutes, in a small group of 4, with a teaching assistant"
    assert commitment.expected == 10
    assert counts(commitment.tally) == {
        "planned": 11,
        "delivered": 9,
        "cancelled": 1,
        "not_logged": 2,
        "attended": 8,
        "missed": 1,
    }
    assert [group.name for group in commitment.groups] == ["Reading boost (2030)"]


def test_the_pupils_delivery_by_group_includes_groups_not_linked_to_the_plan(example):
    report = pupil_report(example)
    rows = {row.group.name: row for row in report.places}
    assert set(rows) == {"Reading boost (2030)", "Social skills (2030)"}
    social = rows["Social skills (2030)"]
    assert social.commitment == "Not linked to the plan"
    assert (social.first, social.last) == (D(2030, 9, 3), D(2030, 10, 15))
    assert counts(social.tally) == {
        "planned": 7,
        "delivered": 2,
        "cancelled": 1,
        "not_logged": 4,
        "attended": 1,
        "missed": 1,
    }
    assert rows["Reading boost (2030)"].commitment == "Reading boost"


def test_one_term_only(example):
    with scopes_disabled():
        autumn_2 = Term.objects.get(academic_year=example.year_2030, name="Autumn 2")
    period = delivery.Period(
        start=autumn_2.starts_on, end=autumn_2.ends_on, label="Autumn 2", term_id=str(autumn_2.public_id)
    )
    report = pupil_report(example, user=example.ta, period=period)
    (commitment,) = report.commitments
    assert commitment.expected == 4
    assert counts(commitment.tally) == {
        "planned": 5,
        "delivered": 4,
        "cancelled": 0,
        "not_logged": 2,
        "attended": 4,
        "missed": 0,
    }
    assert [row.group.name for row in report.places] == ["Reading boost (2030)"]


def test_restricted_commitments_are_only_for_the_senco_and_dsl(example):
    senco = [item.what for item in pupil_report(example).commitments]
    ta = [item.what for item in pupil_report(example, user=example.ta).commitments]
    assert senco == ["Reading boost", "Restricted: daily check-in with the DSL"]
    assert ta == ["Reading boost"]


def test_a_place_delivering_a_restricted_commitment_does_not_show_it_to_the_ta(example):
    with scopes_disabled():
        restricted = example.version.provisions.get(visibility=Visibility.RESTRICTED)
        example.social.members.filter(pupil=example.pupil).update(commitment=restricted.lineage)
    ta_rows = {row.group.name: row.commitment for row in pupil_report(example, user=example.ta).places}
    senco_rows = {row.group.name: row.commitment for row in pupil_report(example).places}
    assert ta_rows["Social skills (2030)"] == "A part of the plan only the SENCO and DSL see"
    assert senco_rows["Social skills (2030)"] == "Restricted: daily check-in with the DSL"


def test_a_snapshot_frozen_before_lineages_is_matched_through_its_rows(example):
    with scopes_disabled():
        snapshot = example.version.snapshot
        for section in snapshot["sections"]:
            for item in section.get("items", []):
                item.pop("lineage", None)
        # Straight to the table: the model refuses to change a frozen snapshot, as it should.
        PlanVersion.objects.filter(pk=example.version.pk).update(snapshot=snapshot)
    (commitment, _restricted) = pupil_report(example).commitments
    assert commitment.lineage == str(example.commitment.lineage)
    assert commitment.tally.delivered == 9


def test_a_group_place_for_a_commitment_no_longer_in_the_plan_says_so(example):
    with scopes_disabled():
        example.social.members.filter(pupil=example.pupil).update(commitment=uuid.uuid4())
    rows = {row.group.name: row for row in pupil_report(example).places}
    assert rows["Social skills (2030)"].commitment == "Not in the plan in force"


def test_without_a_plan_in_force_only_the_groups_show(example):
    with scopes_disabled():
        PlanVersion.objects.filter(pk=example.version.pk).update(status=PlanVersion.Status.CLOSED)
    report = pupil_report(example)
    assert report.version is None and report.commitments == []
    assert len(report.places) == 2


# ----- the group -----


def test_the_groups_delivery_matches_the_hand_count(example):
    with scope(school=[example.school.pk]):
        group = delivery.group_detail_queryset(actor_on(example.ta)).get(pk=example.reading.pk)
        terms = term_ranges(example.school, group.starts_on, TODAY)
        report = delivery.group_delivery(group, terms, TODAY)
    assert counts(report.tally) == {
        "planned": 11,
        "delivered": 9,
        "cancelled": 1,
        "not_logged": 2,
        "attended": 0,
        "missed": 0,
    }
    assert report.not_logged == [D(2030, 11, 1), D(2030, 11, 6)]
    places = {row.place.pupil.legal_forename: row.tally for row in report.places}
    assert (places["Zephyrine"].planned, places["Zephyrine"].attended, places["Zephyrine"].missed) == (11, 8, 1)
    # Ada left on 31 October: 7 to 18 October (6) and 28, 30 October planned; missed 9 October only.
    assert (places["Ada"].planned, places["Ada"].attended, places["Ada"].missed) == (8, 7, 1)


# ----- the page -----

READERS = {"senco", "dsl", "head", "head_of_year", "teacher", "ta", "trust_lead"}


def test_who_may_open_a_pupils_provision_delivered(cast, client_for):
    url = reverse("provision:pupil-delivery", args=[cast.pupil.public_id])
    wrong = cast_mismatches(cast, client_for, url, READERS)
    assert not wrong, "\n".join(wrong)
    assert client_for(cast.senco).post(url).status_code == 405
    assert (
        client_for(cast.other_senco)
        .get(reverse("provision:pupil-delivery", args=[cast.other_school_pupil.public_id]))
        .status_code
        == 200
    )


def test_the_page_shows_the_numbers_and_is_audited(example, client_for, monkeypatch):
    pin_today(monkeypatch, TODAY)
    response = client_for(example.senco).get(reverse("provision:pupil-delivery", args=[example.pupil.public_id]))
    text = " ".join(response.content.decode().split())
    assert "2030 to 2031: 1 September 2030 to 31 August 2031." in text
    assert "3 times a week, 20 minutes, in a small group of 4, with a teaching assistant" in text
    assert "Ada Lovelace" not in text  # another child's name never appears on this pupil's page
    (commitment,) = [item for item in response.context["delivery"].commitments if item.what == "Reading boost"]
    assert (commitment.expected, commitment.tally.delivered, commitment.tally.attended) == (10, 9, 8)
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">10</td>' in text
    with scopes_disabled():
        event = AuditEvent.objects.get(action="provision.delivery.viewed")
    assert event.pupil_id == example.pupil.public_id
    assert event.data == {"term": ""}


def test_the_term_filter(example, client_for, monkeypatch):
    pin_today(monkeypatch, TODAY)
    with scopes_disabled():
        autumn_2 = Term.objects.get(academic_year=example.year_2030, name="Autumn 2")
    response = client_for(example.senco).get(
        reverse("provision:pupil-delivery", args=[example.pupil.public_id]), {"term": str(autumn_2.public_id)}
    )
    text = " ".join(response.content.decode().split())
    assert "Autumn 2: 28 October 2030 to 20 December 2030." in text
    assert "Social skills (2030)" not in text
    assert response.context["delivery"].commitments[0].expected == 4
    with scopes_disabled():
        assert AuditEvent.objects.get(action="provision.delivery.viewed").data == {"term": str(autumn_2.public_id)}


def test_the_page_runs_the_same_queries_for_2_or_7_groups(example, client_for, monkeypatch):
    pin_today(monkeypatch, TODAY)
    client = client_for(example.senco)
    url = reverse("provision:pupil-delivery", args=[example.pupil.public_id])
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for number in range(5):
        group = make_group(example, name=f"Extra (2030) {number}", weekdays=[3])
        add_member(group, example.pupil, D(2030, 10, 7))
        for day in (D(2030, 10, 10), D(2030, 10, 17), D(2030, 10, 31)):
            log(example, group, day, attended_pupil_ids=[example.pupil.public_id])
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.content.decode().count("Extra (2030)") == 5
    assert len(large) == len(small), [query["sql"] for query in large.captured_queries]


def test_a_ta_sees_links_only_to_the_groups_they_run(example, client_for, monkeypatch):
    pin_today(monkeypatch, TODAY)
    other = make_group(example, leader=example.teacher2, name="Maths (2030)", weekdays=[3])
    add_member(other, example.pupil, D(2030, 10, 7))
    html = client_for(example.ta).get(reverse("provision:pupil-delivery", args=[example.pupil.public_id])).content
    html = html.decode()
    assert reverse("provision:group-detail", args=[example.reading.public_id]) in html
    assert "Maths (2030)" in html
    assert reverse("provision:group-detail", args=[other.public_id]) not in html


def test_no_terms_entered_is_said_plainly(cast, client_for):
    with scopes_disabled():
        Term.objects.filter(academic_year__school=cast.school).delete()
    text = client_for(cast.senco).get(reverse("provision:pupil-delivery", args=[cast.pupil.public_id])).content
    assert "No term dates are entered for these dates" in text.decode()


def test_a_place_outside_the_period_is_left_out(example):
    with scopes_disabled():
        late = pf.InterventionGroupFactory(
            school=example.school, intervention=example.intervention, starts_on=D(2031, 1, 6), ends_on=D(2031, 3, 28)
        )
        pf.GroupMemberFactory(group=late, pupil=example.pupil, joined_on=D(2031, 1, 6))
    assert "Reading boost (2030)" in [row.group.name for row in pupil_report(example).places]
    assert late.name not in [row.group.name for row in pupil_report(example).places]
