"""The chronology for an EHC needs assessment request: what it gathers, in what order, for whom.

The set-up gives a pupil something of every kind a chronology lists, on known dates, and
another pupil beside them in the same group. Rows are written directly (factories, no
services), as in ``plans/tests/factories.py``. Every word that must never reach the
chronology is distinctive, so a test can look for it on the page and in the PDF's text
(``test_chronology_pdf.py``).
"""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent, Visibility
from waymark.evidence.models import Document
from waymark.exchange.chronology import gather
from waymark.exchange.models import ReceivedTransfer
from waymark.plans.models import AgreementResponse, OutcomeRating, PlanVersion, Review
from waymark.plans.tests.factories import OutcomeFactory, draft_version, freeze
from waymark.provision.models import Measure, MeasureType, SessionLog
from waymark.provision.tests.factories import (
    AttendanceFactory,
    GroupMemberFactory,
    GroupSlotFactory,
    InterventionGroupFactory,
    MeasureFactory,
    SessionLogFactory,
    builtin_measure,
)
from waymark.pupils.models import Pupil
from waymark.tests import factories as f
from waymark.tests.helpers import cast_mismatches, text_of

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)

# Another pupil in the same group: their name, notes and marks must never appear.
OTHER_FORENAME, OTHER_SURNAME = "Xanthippe", "Vandersloot"
OTHER_NOTE = "Marmoset note about another child"

STAFF_OUTCOME = "Staff outcome: Wombat steps in the lunch queue"
RESTRICTED_OUTCOME = "Restricted outcome: Okapi plan agreed with the DSL"
RESTRICTED_REPORT = "Capybara family assessment"
RESTRICTED_NEED = "Restricted: Ibex detail of the need"
REPORT_TITLE = "Educational psychology assessment"
REPORT_RECOMMENDATIONS = "Pre-teach key vocabulary before each science topic"
PREVIOUS_SCHOOL = "Downs Primary School"


def at(days_ago):
    """Noon, ``days_ago`` days before today, as an aware datetime."""
    moment = datetime.datetime.combine(TODAY - days_ago * DAY, datetime.time(12, 0))
    return timezone.make_aware(moment)


def weekdays_before(start, end, count):
    """The last ``count`` Monday-to-Friday dates from ``start`` to ``end``, oldest first."""
    days, day = [], end
    while day >= start and len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= DAY
    return sorted(days)


def document(pupil, by, title, **fields):
    fields.setdefault("kind", Document.Kind.PROFESSIONAL_REPORT)
    fields.setdefault("visibility", Visibility.STAFF)
    with scopes_disabled():
        return Document.objects.create(
            pupil=pupil,
            title=title,
            written_on=fields.pop("written_on", TODAY - 20 * DAY),
            file="documents/test.pdf",
            original_name="test.pdf",
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
            scan=Document.Scan.NOT_SCANNED,
            uploaded_by=by,
            **fields,
        )


def plan_history(cast, pupil, *, versions=2, extra_outcomes=0):
    """``versions`` published versions a month apart (the newest 100 days ago, in force), a review of each
    but the newest 20 days after it was published. The newest holds a staff-only and a restricted
    outcome, and the parent's agreement."""
    with scopes_disabled():
        made = []
        for number in range(versions):
            days_ago = 100 + 30 * (versions - 1 - number)
            version = draft_version(pupil, owner=cast.senco, outcomes=1 + extra_outcomes)
            if number == versions - 1:
                OutcomeFactory(version=version, text=STAFF_OUTCOME, visibility=Visibility.STAFF)
                OutcomeFactory(version=version, text=RESTRICTED_OUTCOME, visibility=Visibility.RESTRICTED)
            made.append(freeze(version, PlanVersion.Status.ACTIVE, by=cast.senco, at=at(days_ago)))
        for version in made:
            version.refresh_from_db()
        for version in made[:-1]:
            review = Review.objects.create(
                plan=version.plan,
                version=version,
                status=Review.Status.COMPLETED,
                held_on=timezone.localdate(version.published_at) + 20 * DAY,
                what_worked="Short daily reading sessions worked well",
                decisions=[Review.Decision.ADJUST, Review.Decision.EHC_REQUEST],
                decision_notes="Ask for an EHC needs assessment if progress stays slow",
                completed_at=timezone.now(),
                created_by=cast.senco,
                completed_by=cast.senco,
            )
            for order, item in enumerate(
                next(s for s in version.snapshot["sections"] if s["key"] == "outcomes")["items"]
            ):
                OutcomeRating.objects.create(
                    review=review,
                    outcome_id=uuid.UUID(item["id"]),
                    outcome_text=item["text"],
                    order=order,
                    rating=1,
                    evidence="Probe scores rose from 20 to 38 words",
                )
        links = [link for link in (getattr(cast, "parent_link", None),) if link and link.pupil_id == pupil.pk]
        for link in links:
            AgreementResponse.objects.create(version=made[-1], link=link, agrees=True)
    return made


def group_history(cast, pupil, *, groups=1, sessions=4, other=None):
    """``groups`` intervention groups with ``pupil`` in each (and ``other`` too, with their own marks),
    ``sessions`` logged sessions each (the last cancelled), entry and exit reading ages for ``pupil``."""
    reading = builtin_measure(MeasureType.Kind.READING_AGE)
    made = []
    with scopes_disabled():
        f.TermFactory(
            academic_year=cast.year, name="Chronology term", starts_on=TODAY - 120 * DAY, ends_on=TODAY + 60 * DAY
        )
        for number in range(groups):
            group = InterventionGroupFactory(
                school=pupil.school,
                intervention=cast.intervention,
                name=f"Reading recovery {number + 1}",
                starts_on=TODAY - (70 + number) * DAY,
                ends_on=TODAY + 30 * DAY,
            )
            for weekday in range(5):
                GroupSlotFactory(group=group, weekday=weekday)
            members = [pupil] + ([other] if other is not None else [])
            for member in members:
                GroupMemberFactory(group=group, pupil=member, joined_on=group.starts_on)
            days = weekdays_before(group.starts_on, TODAY - DAY, sessions)
            for index, day in enumerate(days):
                cancelled = index == len(days) - 1
                log = SessionLogFactory(
                    group=group,
                    date=day,
                    logged_by=cast.ta,
                    status=SessionLog.Status.CANCELLED if cancelled else SessionLog.Status.DELIVERED,
                    cancel_reason=SessionLog.CancelReason.ROOM if cancelled else "",
                )
                if not cancelled:
                    AttendanceFactory(session=log, pupil=pupil, attended=index != 0)
                    if other is not None:
                        AttendanceFactory(session=log, pupil=other, attended=True)
            for point, value, when in ((Measure.Point.ENTRY, "84", group.starts_on), (Measure.Point.EXIT, "96", TODAY)):
                MeasureFactory(
                    pupil=pupil, group=group, measure_type=reading, point=point, value=Decimal(value), taken_on=when
                )
            if other is not None:
                MeasureFactory(
                    pupil=other,
                    group=group,
                    measure_type=reading,
                    point=Measure.Point.ENTRY,
                    value=Decimal("111"),
                    taken_on=group.starts_on,
                    note=OTHER_NOTE,
                )
            made.append(group)
    return made


def everything(cast, *, versions=2, groups=1, sessions=4, reports=1, measures=1):
    """``cast.pupil`` with every kind of entry; ``cast.other`` a pupil in the same groups."""
    pupil = cast.pupil
    with scopes_disabled():
        other = f.PupilFactory(school=cast.school, legal_forename=OTHER_FORENAME, legal_surname=OTHER_SURNAME)
        cast.other = other
        f.NeedFactory(
            pupil=pupil,
            need_type_id=cast.need.need_type_id,
            rank=2,
            starts_on=TODAY - 300 * DAY,
            ends_on=TODAY - 250 * DAY,
            description=RESTRICTED_NEED,
            visibility=Visibility.RESTRICTED,
        )
        plans = plan_history(cast, pupil, versions=versions)
        groups = group_history(cast, pupil, groups=groups, sessions=sessions, other=other)
        for number in range(measures):
            MeasureFactory(
                pupil=pupil,
                measure_type=builtin_measure(MeasureType.Kind.STANDARD_SCORE),
                point=Measure.Point.CHECK,
                value=Decimal(85 + number),
                taken_on=TODAY - (40 + number) * DAY,
                recorded_by=cast.senco,
            )
        for number in range(reports):
            document(
                pupil,
                cast.senco,
                REPORT_TITLE if number == 0 else f"{REPORT_TITLE} {number + 1}",
                author="Dr Ada Okonkwo",
                recommendations=REPORT_RECOMMENDATIONS,
                written_on=TODAY - (30 + number) * DAY,
            )
        document(pupil, cast.senco, RESTRICTED_REPORT, visibility=Visibility.RESTRICTED, written_on=TODAY - 25 * DAY)
        document(pupil, cast.senco, "A letter home", kind=Document.Kind.LETTER)  # not an outside report
        transfer = ReceivedTransfer.objects.create(
            pupil=pupil,
            from_school_name=PREVIOUS_SCHOOL,
            from_school_urn="123456",
            package_version="1",
            exported_at=at(400),
            package_sha256="a" * 64,
            document={},
            received_by=cast.senco,
        )
        ReceivedTransfer.objects.filter(pk=transfer.pk).update(received_at=at(390))
        MeasureFactory(
            pupil=pupil,
            measure_type=builtin_measure(MeasureType.Kind.READING_AGE),
            point=Measure.Point.CHECK,
            value=Decimal("70"),
            taken_on=TODAY - 450 * DAY,
            received_in=transfer,
            recorded_by=cast.senco,
        )
    return {"plans": plans, "groups": groups, "other": other, "transfer": transfer}


def transfer_document(cast, school_name="Chalk Hill Primary"):
    """A package document as another Waymark sends it (``schemas/transfer-package-1.json``), trimmed to
    what a chronology reads: one published version from a real snapshot, its review, and a group."""
    with scopes_disabled():
        donor = f.PupilFactory(school=cast.other_school)
        version = freeze(
            draft_version(donor, outcomes=1), PlanVersion.Status.SUPERSEDED, by=cast.other_senco, at=at(700)
        )
        version.refresh_from_db()
    outcome = next(s for s in version.snapshot["sections"] if s["key"] == "outcomes")["items"][0]
    return {
        "package_version": "1.0",
        "plan_versions": [
            {
                "id": str(uuid.uuid4()),
                "number": 1,
                "status": "superseded",
                "tier": "targeted",
                "frozen_at": at(700).isoformat(),
                "published_at": at(700).isoformat(),
                "ended_at": at(500).isoformat(),
                "snapshot": version.snapshot,
            }
        ],
        "agreement_responses": [
            {
                "version_number": 1,
                "agrees": True,
                "relationship": "mother",
                "responded_on": (TODAY - 698 * DAY).isoformat(),
            }
        ],
        "reviews": [
            {
                "id": str(uuid.uuid4()),
                "version_number": 1,
                "held_on": (TODAY - 600 * DAY).isoformat(),
                "decisions": [{"code": "continue", "label": "Continue the plan as it is"}],
                "decision_notes": "Chalk Hill decided to carry on",
                "ratings": [
                    {
                        "outcome_id": outcome["id"],
                        "outcome_text": outcome["text"],
                        "rating": 1,
                        "label": "More than expected",
                    }
                ],
            }
        ],
        "provision_delivered": [
            {
                "intervention": "Chalk Hill reading club",
                "joined_on": (TODAY - 650 * DAY).isoformat(),
                "first_day": (TODAY - 650 * DAY).isoformat(),
                "last_day": (TODAY - 560 * DAY).isoformat(),
                "planned": 30,
                "delivered": 27,
                "cancelled": 3,
                "not_logged": 0,
                "attended": 25,
                "missed": 2,
            },
            "not an object: left out",
        ],
        "previous_transfers": [
            {
                "from_school_name": "Acorn Nursery",
                "received_at": at(800).isoformat(),
                "document": {"provision_delivered": [{"intervention": "Acorn speech group", "joined_on": "bad date"}]},
            }
        ],
    }


# ----- gathering -----


def gathered(cast, user=None, pupil=None, **options):
    actor = Actor.for_user(user or cast.senco)
    with scope(school=[actor.school.pk]):
        return gather(actor, pupil or cast.pupil, **options)


def titles(chronology):
    return [entry.title for entry in chronology.entries]


def test_entries_of_every_kind_come_oldest_first(cast):
    everything(cast)
    chronology = gathered(cast)
    days = [entry.on for entry in chronology.entries]
    dated = [on for on in days if on is not None]
    assert dated == sorted(dated)
    assert days.index(None) == len(dated)  # the need identified on no recorded date comes last
    assert {entry.kind for entry in chronology.entries} == {
        "status", "need", "plan", "review", "intervention", "measure", "report", "transfer"
    }  # fmt: skip
    order = [
        "Measure: Reading age",  # taken at the previous school, 450 days ago
        "Record received from Downs Primary School",  # 390 days ago
        "Need identified: ASD – Autistic spectrum disorder",  # the ended secondary need, 300 days ago
        "Need no longer recorded: ASD – Autistic spectrum disorder",
        "Support plan version 1 (superseded)",  # 130 days ago
        "Review of the support plan",  # 110 days ago
        "Support plan version 2 (active)",  # 100 days ago
        "Intervention: Phonics catch-up",  # 70 days ago
        "Measure: Standardised score",  # 40 days ago
        f"Outside report: {REPORT_TITLE}",  # 30 days ago
    ]
    found = titles(chronology)
    positions = [found.index(title) for title in order]
    assert positions == sorted(positions), found
    counts = dict(chronology.counts)
    assert counts["Support plan versions"] == 2 and counts["Reviews"] == 1
    assert counts["Interventions"] == 2  # the cast's phonics group and the reading recovery group
    assert counts["Outside reports"] == 1  # the restricted one is left out; a letter is not an outside report


def test_an_intervention_shows_sessions_attendance_and_the_measures_with_their_ratio_gain(cast):
    everything(cast)
    entry = next(e for e in gathered(cast).entries if e.kind == "intervention")
    details = dict(entry.details)
    assert details["Group"] == "Reading recovery 1"
    assert details["Sessions delivered"] == "3 (1 cancelled, " + details["Sessions delivered"].split(", ")[1]
    assert details["Attendance"] == "Attended 2 of 3 delivered sessions (missed 1)"
    assert int(details["Sessions planned so far"]) >= 4
    (table,) = entry.tables
    assert table.header == ["Scale", "Entry", "Exit", "Gain", "Ratio gain"]
    ((scale, entry_text, exit_text, gain, ratio),) = table.rows
    assert scale == "Reading age" and entry_text.startswith("7 years") and exit_text.startswith("8 years")
    assert gain == "+12 months" and ratio.endswith("(remarkable)")


def test_no_other_pupil_is_named_or_counted(cast):
    everything(cast)
    words = str([(e.title, e.details, [t.rows for t in e.tables]) for e in gathered(cast).entries])
    for never in (OTHER_FORENAME, OTHER_SURNAME, OTHER_NOTE, "9 years 3 months"):  # 111 months is theirs
        assert never not in words


def test_restricted_content_is_left_out_unless_the_senco_chooses_it(cast):
    everything(cast)
    hidden = (RESTRICTED_OUTCOME, RESTRICTED_REPORT, RESTRICTED_NEED)
    for user in (cast.head, cast.trust_lead):
        chronology = gathered(cast, user, include_restricted=True)  # asking makes no difference
        words = str([(e.title, e.details, [t.rows for t in e.tables]) for e in chronology.entries])
        assert not any(word in words for word in hidden), user
        assert STAFF_OUTCOME in words  # staff-only content is for the local authority too
        assert chronology.withheld == 3 and not chronology.include_restricted
    assert gathered(cast).withheld == 3  # the SENCO too, by default
    chronology = gathered(cast, include_restricted=True)
    words = str([(e.title, e.details, [t.rows for t in e.tables]) for e in chronology.entries])
    assert all(word in words for word in hidden)
    assert f"{RESTRICTED_OUTCOME} (restricted)" in words
    assert chronology.include_restricted and chronology.withheld == 0
    report = next(e for e in chronology.entries if RESTRICTED_REPORT in e.title)
    assert report.restricted


def test_the_front_page(cast):
    everything(cast)
    front = dict(gathered(cast).front)
    assert front["Name"] == "Zephyrine Quartermaine"
    assert front["UPN"] == cast.pupil.upn
    assert front["School"] == "Ashdown Academy" and front["Year group"] == "Year 8"
    assert front["Current SEN provision"] == "K – SEN support (Targeted)"
    assert front["Current needs"] == "Primary need: ASD – Autistic spectrum disorder"


def test_history_from_a_previous_school_is_listed_and_marked(cast):
    everything(cast)
    with scopes_disabled():
        ReceivedTransfer.objects.filter(pupil=cast.pupil).update(document=transfer_document(cast))
    entries = gathered(cast).entries
    previous = [e for e in entries if e.from_school == PREVIOUS_SCHOOL]
    kinds = sorted(e.kind for e in previous)
    assert kinds == ["intervention", "measure", "plan", "review", "transfer"]  # the last: their own record from Acorn
    plan = next(e for e in previous if e.kind == "plan")
    assert dict(plan.details)["Parents' agreement"].startswith("A parent (mother) agreed on")
    assert plan.tables and plan.tables[0].header == ["Outcome", "Target", "By when"]
    review = next(e for e in previous if e.kind == "review")
    assert review.tables[0].rows[0][1] == "+1 – More than expected"
    club = next(e for e in previous if e.kind == "intervention")
    assert dict(club.details)["Attendance"] == "Attended 25 of 27 delivered sessions (missed 2)"
    nursery = [e for e in entries if e.from_school == "Acorn Nursery"]
    assert [e.title for e in nursery] == ["Intervention: Acorn speech group"] and nursery[0].on is None
    dated = [e.on for e in entries if e.on is not None]
    assert dated == sorted(dated)


@pytest.mark.parametrize(
    "document",
    [
        "a string",
        [],
        {"plan_versions": "not a list", "reviews": [1, 2], "provision_delivered": [{}]},
        {"plan_versions": [{"number": 3, "status": "odd", "snapshot": {"sections": [{"key": "outcomes"}]}}]},
        {"reviews": [{"held_on": "not a date", "ratings": [{"rating": "high"}], "decisions": [{}]}]},
        {"previous_transfers": [{"document": {"previous_transfers": [{"document": {"previous_transfers": [{}]}}]}}]},
    ],
)
def test_a_received_record_not_as_expected_never_stops_the_chronology(cast, document):
    with scopes_disabled():
        ReceivedTransfer.objects.create(
            pupil=cast.pupil,
            from_school_name=PREVIOUS_SCHOOL,
            package_version="1",
            exported_at=at(400),
            package_sha256="b" * 64,
            document=document,
            received_by=cast.senco,
        )
    chronology = gathered(cast)
    assert f"Record received from {PREVIOUS_SCHOOL}" in titles(chronology)


def test_only_staff_who_export_across_the_school_may_gather(cast):
    for user in (cast.dsl, cast.teacher, cast.head_of_year, cast.governor):
        with pytest.raises(PermissionDenied):
            gathered(cast, user)
    with pytest.raises(PermissionDenied):
        gathered(cast, cast.senco, pupil=cast.other_school_pupil)


# ----- the page and the download -----


def chronology_url(pupil, name="chronology"):
    return reverse(f"exchange:{name}", args=[pupil.public_id])


ALLOWED = {"senco", "head", "trust_lead"}


@pytest.mark.parametrize("name", ["chronology", "chronology-pdf"])
def test_who_may_open_the_chronology(cast, client_for, name):
    assert cast_mismatches(cast, client_for, chronology_url(cast.pupil, name), ALLOWED) == []
    assert client_for(cast.other_senco).get(chronology_url(cast.pupil, name)).status_code == 404
    assert client_for(cast.senco).get(chronology_url(cast.other_school_pupil, name)).status_code == 404


def test_a_deputy_senco_may_open_it(cast, client_for):
    deputy = f.UserFactory(email="deputy@example.test", full_name="Dana Deputy")
    f.MembershipFactory(user=deputy, school=cast.school, roles=["deputy_senco"])
    assert client_for(deputy).get(chronology_url(cast.pupil)).status_code == 200


def test_an_archived_leavers_chronology_can_still_be_made(cast, client_for):
    with scopes_disabled():
        Pupil.objects.filter(pk=cast.pupil.pk).update(
            date_left=TODAY - 10 * DAY, archived_at=timezone.now(), archived_by=cast.senco
        )
    client = client_for(cast.senco)
    assert client.get(chronology_url(cast.pupil)).status_code == 200
    assert client.get(chronology_url(cast.pupil, "chronology-pdf")).status_code == 200


def test_the_page_lists_every_entry_and_is_audited(cast, client_for):
    everything(cast)
    response = client_for(cast.head).get(chronology_url(cast.pupil))
    text = text_of(response)
    for words in (
        "Chronology for an EHC needs assessment request",
        "Support plan version 2 (active)",
        REPORT_RECOMMENDATIONS,
        "Attended 2 of 3 delivered sessions (missed 1)",
        "History from the previous school: Downs Primary School",
        "3 items restricted to the SENCO and DSL are left out.",
        STAFF_OUTCOME,
    ):
        assert words in text, words
    for never in (OTHER_FORENAME, OTHER_SURNAME, RESTRICTED_OUTCOME, RESTRICTED_REPORT):
        assert never not in text
    assert "Include content restricted" not in text  # only the SENCO may choose it
    content = response.content.decode()
    assert chronology_url(cast.pupil, "chronology-pdf") + '"' in content
    with scopes_disabled():
        event = AuditEvent.objects.get(action="exchange.chronology.viewed")
    assert event.pupil_id == cast.pupil.public_id and event.data["restricted"] is False


def test_the_senco_chooses_to_include_restricted_content(cast, client_for):
    everything(cast)
    client = client_for(cast.senco)
    assert "Include content restricted to the SENCO and DSL" in text_of(client.get(chronology_url(cast.pupil)))
    response = client.get(chronology_url(cast.pupil) + "?restricted=on")
    text = text_of(response)
    assert RESTRICTED_REPORT in text and f"{RESTRICTED_OUTCOME} (restricted)" in text
    assert "This chronology includes content restricted to the SENCO and DSL" in text
    assert chronology_url(cast.pupil, "chronology-pdf") + "?restricted=on" in response.content.decode()


def test_the_download_is_an_audited_attachment_never_cached(cast, client_for):
    response = client_for(cast.trust_lead).get(chronology_url(cast.pupil, "chronology-pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == f'attachment; filename="chronology-quartermaine-{TODAY.isoformat()}.pdf"'
    assert "no-store" in response["Cache-Control"]
    with scopes_disabled():
        event = AuditEvent.objects.get(action="exchange.chronology.downloaded")
    assert event.pupil_id == cast.pupil.public_id and event.actor == cast.trust_lead
    assert "Quartermaine" not in str(event.data)  # ids and counts, never content


@pytest.mark.parametrize("name", ["chronology", "chronology-pdf"])
def test_only_get(cast, client_for, name):
    assert client_for(cast.senco).post(chronology_url(cast.pupil, name)).status_code == 405


# ----- queries -----


@pytest.mark.parametrize("size", [1, 4])
def test_gathering_runs_a_fixed_number_of_queries(cast, django_assert_max_num_queries, size):
    everything(cast, versions=1 + size, groups=size, sessions=2 + 2 * size, reports=size, measures=size)
    actor = Actor.for_user(cast.senco)
    with scope(school=[cast.school.pk]):
        pupil = Pupil.objects.select_related("school").get(pk=cast.pupil.pk)
        with django_assert_max_num_queries(15):
            chronology = gather(actor, pupil)
    assert sum(count for _label, count in chronology.counts) > 10 * size // 2


@pytest.mark.parametrize("size", [1, 4])
def test_the_page_runs_a_fixed_number_of_queries(cast, client_for, django_assert_max_num_queries, size):
    everything(cast, versions=1 + size, groups=size, sessions=2 + 2 * size, reports=size, measures=size)
    client = client_for(cast.senco)
    client.get(chronology_url(cast.pupil))
    with django_assert_max_num_queries(27):
        assert client.get(chronology_url(cast.pupil)).status_code == 200
