"""A term's worth of provision and evidence for the browser tests of issue 5 (``test_provision.py``,
``test_evidence.py``), built on the role cast and committed so the live server sees it.

Sessions are planned Monday to Friday only, so "today" for these tests is ``SCHOOL_DAY``: today
on a weekday, the Friday before on a Saturday or Sunday. ``pin_school_day`` makes every actor the
live server builds see that day (on a weekday it changes nothing). The alternative, logging the
weekend's test through the "Not logged yet" link for Friday, would test a different page on two
days of the week; pinning the actor's day keeps one journey, the TA's real one, every day.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import Visibility
from waymark.evidence import shares
from waymark.evidence.models import Document, Note, Share
from waymark.plans.models import Outcome, OutcomeRating, PlanVersion, Review
from waymark.plans.tests.factories import draft_version, freeze
from waymark.provision.models import MeasureType, OtherCost, SessionLog
from waymark.provision.tests import factories as pf
from waymark.schools.models import Term
from waymark.tests import factories as f

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
# Saturday (5) and Sunday (6) become the Friday before.
SCHOOL_DAY = TODAY - max(0, TODAY.weekday() - 4) * DAY
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
NEW_SPECIALIST_EMAIL = "erin.psych@example.test"


def school_days_before(day, count):
    """The ``count`` weekdays before ``day``, most recent first."""
    found = []
    while len(found) < count:
        day -= DAY
        if day.weekday() < 5:
            found.append(day)
    return found


def pin_school_day(monkeypatch):
    """Every actor built without a day of its own (each request's) sees ``SCHOOL_DAY`` as today."""
    if SCHOOL_DAY == TODAY:
        return
    build = Actor.for_user.__func__

    def for_user(cls, user, *, school_public_id=None, today=None):
        return build(cls, user, school_public_id=school_public_id, today=today or SCHOOL_DAY)

    monkeypatch.setattr(Actor, "for_user", classmethod(for_user))


def _rated_plan(cast):
    """A plan in force for ``cast.pupil`` with two outcomes, rated at two completed reviews (chart data)."""
    version = freeze(draft_version(cast.pupil, owner=cast.senco, outcomes=2), PlanVersion.Status.ACTIVE, by=cast.senco)
    outcomes = list(Outcome.objects.filter(version=version).order_by("order", "pk"))
    for number, days_ago in enumerate((60, 20)):
        review = Review.objects.create(
            plan=version.plan, version=version, status="completed", held_on=SCHOOL_DAY - days_ago * DAY
        )
        for order, outcome in enumerate(outcomes, start=1):
            OutcomeRating.objects.create(
                review=review, outcome_id=outcome.public_id, outcome_text=outcome.text, order=order, rating=number
            )
    return version


def _measure(cast, pupil, point, value, taken_on, group=None):
    return pf.MeasureFactory(
        pupil=pupil,
        group=group if group is not None else cast.group,
        measure_type=pf.builtin_measure(MeasureType.Kind.READING_AGE),
        point=point,
        value=Decimal(value),
        taken_on=taken_on,
        recorded_by=cast.senco,
    )


def build_provision(cast):
    """What the pages need, so every table and chart on them has rows.

    - A term around ``SCHOOL_DAY`` (the only term: the cast's autumn term may not cover today).
    - ``cast.group`` (the TA's phonics group, Monday to Friday) with three pupils: ``cast.pupil``,
      ``data.amira`` and ``data.bo``; the previous school day logged as delivered (Bo away), the one
      before cancelled; ``SCHOOL_DAY`` not logged yet.
    - Reading age as the intervention's scale: Amira's entry and exit, Zephyrine's entry only (so
      an exit can be tried before it) and a check along the way; a rated plan for Zephyrine.
    - A cost for the group and one for Zephyrine; a note and a document on Zephyrine's timeline.
    - ``cast.share`` lets the specialist see documents and add a report; ``data.invitation`` is a
      new share's emailed link to someone with no account.
    """
    data = SimpleNamespace()
    with scopes_disabled():
        Term.objects.filter(academic_year__school=cast.school).delete()
        data.term = Term.objects.create(
            academic_year=cast.year, name="This term", starts_on=SCHOOL_DAY - 40 * DAY, ends_on=SCHOOL_DAY + 40 * DAY
        )
        cast.intervention.measure_type = pf.builtin_measure(MeasureType.Kind.READING_AGE)
        cast.intervention.save()

        data.amira = f.PupilFactory(school=cast.school, legal_forename="Amira", legal_surname="Abbott", year_group=8)
        data.bo = f.PupilFactory(school=cast.school, legal_forename="Bo", legal_surname="Brennan", year_group=8)
        for pupil in (data.amira, data.bo):
            f.SenStatusFactory(pupil=pupil, provision="K", tier="targeted")
            pf.GroupMemberFactory(group=cast.group, pupil=pupil)
        members = (cast.pupil, data.amira, data.bo)

        yesterday, day_before = school_days_before(SCHOOL_DAY, 2)
        data.session = pf.SessionLogFactory(
            group=cast.group, date=yesterday, logged_by=cast.ta, note="Good focus on digraphs."
        )
        for pupil in members:
            pf.AttendanceFactory(session=data.session, pupil=pupil, attended=pupil != data.bo)
        pf.SessionLogFactory(
            group=cast.group,
            date=day_before,
            status=SessionLog.Status.CANCELLED,
            cancel_reason=SessionLog.CancelReason.STAFF_ABSENT,
            logged_by=cast.ta,
        )

        start = cast.group.starts_on
        data.entry = _measure(cast, cast.pupil, "entry", 84, start)
        _measure(cast, data.amira, "entry", 80, start)
        _measure(cast, data.amira, "exit", 88, SCHOOL_DAY - 5 * DAY)
        _measure(cast, cast.pupil, "check", 87, SCHOOL_DAY - 20 * DAY, group=None)
        data.plan = _rated_plan(cast)

        data.group_cost = pf.OtherCostFactory(
            school=cast.school, group=cast.group, description="Phonics reading books", created_by=cast.senco
        )
        pf.OtherCostFactory(
            school=cast.school,
            pupil=cast.pupil,
            kind=OtherCost.Kind.OUTSIDE_SERVICE,
            description="Speech and language therapy",
            annual_amount=Decimal("450.00"),
            created_by=cast.senco,
        )

        data.note = Note.objects.create(
            pupil=cast.pupil,
            text="Zephyrine read a whole page aloud to the group.",
            happened_on=SCHOOL_DAY - 2 * DAY,
            visibility=Visibility.STAFF,
            written_by=cast.senco,
        )
        data.document = Document(
            pupil=cast.pupil,
            title="Educational psychology report",
            kind=Document.Kind.PROFESSIONAL_REPORT,
            written_on=SCHOOL_DAY - 10 * DAY,
            author="Dr Ada Okonkwo",
            original_name="ep-report.pdf",
            content_type="application/pdf",
            size=len(PDF),
            sha256="0" * 64,
            scan=Document.Scan.NOT_SCANNED,
            visibility=Visibility.EVERYONE,
            uploaded_by=cast.senco,
        )
        data.document.file.save("ep-report.pdf", ContentFile(PDF), save=False)
        data.document.save()

        Share.objects.filter(pk=cast.share.pk).update(can_see_documents=True, can_add_report=True)
    with scope(school=[cast.school.pk]):
        data.invitation = shares.share_create(
            actor=Actor.for_user(cast.senco, today=SCHOOL_DAY),
            pupil=cast.pupil,
            email=NEW_SPECIALIST_EMAIL,
            full_name="Erin Psych",
            service="Educational Psychology",
            starts_on=SCHOOL_DAY,
            expires_on=SCHOOL_DAY + 60 * DAY,
            lawful_basis_kind=Share.LawfulBasis.CONSENT,
            lawful_basis="Consent from both parents at the review meeting.",
        )
    return data
