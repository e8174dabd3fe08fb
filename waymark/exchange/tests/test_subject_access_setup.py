"""Set-up the subject access tests share: a pupil with a row in every register entry, another pupil
in the same intervention group with words that must never reach the first pupil's release, and a
request to answer. Its own test checks the set-up really fills every entry.

Rows are written directly (factories and ``objects.create``), as test set-up, not through the
services; the request itself is logged through ``sar_log``, as the pages do.
"""

import datetime
import hashlib
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.audit import audit_record
from waymark.core.models import Notification, Visibility
from waymark.core.personal_data import PERSONAL_DATA
from waymark.evidence.models import Document, Note
from waymark.exchange.models import LegalHold, ReceivedTransfer, SubjectAccessRequest
from waymark.exchange.subject_access.requests import sar_log
from waymark.plans.tests.factories import ReadReceiptFactory, SpecialistInputFactory
from waymark.plans.tests.family_setup import completed_review, family_plans, family_views
from waymark.plans.tests.review_factories import (
    AgreementResponseFactory,
    ParentMeetingFactory,
    ParentRequestFactory,
)
from waymark.provision.tests import factories as pf
from waymark.pupils.models import ParentInvitation

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)

# Words about the other pupil that must never be gathered for ``cast.pupil``.
OTHER_SURNAME = "Blackthorn"  # cast.other_pupil is Oswin Blackthorn
OTHER_ONLY_SESSION_NOTE = "Blackthorn read the whole book aloud to the group"
OTHER_PUPIL_NOTE = "Blackthorn's own timeline note: sleeping badly this week"
# A note of a session both pupils attended: gathered for staff to read, withheld by default.
SHARED_SESSION_NOTE = "Worked in a pair with Oswin on the rhyming cards"
NOTE_TEXT = "Settled quickly after break; used the word mat without a prompt."
RESTRICTED_NOTE = "Restricted: contact arrangements at home time are in the safeguarding file."
DOCUMENT_BODY = b"%PDF-1.4 speech and language report for the pupil"
CO_PARENT_EMAIL = "cleo.private@example.test"
FORMULA_NOTE = '=HYPERLINK("http://example.test","click")'


def actor_for(user, school=None):
    return Actor.for_user(user, school_public_id=school.public_id if school else None)


def log_request(cast, *, by=None, link=None, received_on=None, **overrides):
    """A request about ``cast.pupil`` logged through ``sar_log``: from ``link`` (the parent) by default."""
    link = cast.parent_link if link is None else link
    arguments = {
        "requester_kind": SubjectAccessRequest.Requester.PARENT,
        "parent_link": link,
        "identity_check": SubjectAccessRequest.IdentityCheck.KNOWN_PARENT,
        "received_on": received_on or TODAY - 3 * DAY,
    }
    arguments.update(overrides)
    with scope(school=[cast.school.pk]):
        return sar_log(actor=actor_for(by or cast.senco), pupil=cast.pupil, **arguments)


def _document(cast, pupil, title, body, **extra):
    document = Document(
        pupil=pupil,
        title=title,
        kind=Document.Kind.PROFESSIONAL_REPORT,
        written_on=TODAY - 20 * DAY,
        author="Speech and language therapy service",
        original_name=f"{title}.pdf",
        content_type="application/pdf",
        size=len(body),
        sha256=hashlib.sha256(body).hexdigest(),
        scan=Document.Scan.NOT_SCANNED,
        uploaded_by=cast.senco,
        **extra,
    )
    document.file.save("report.pdf", ContentFile(body), save=False)
    document.save()
    return document


def rich_record(cast, *, extra=0):
    """A row in every register entry for ``cast.pupil`` (``extra`` more of the repeatable ones), and the
    other pupil's words planted in the same intervention group."""
    r = SimpleNamespace()
    pupil, other = cast.pupil, cast.other_pupil
    with scopes_disabled():
        r.versions = family_plans(cast)
        active = r.versions["active"]
        plan = active.plan
        SpecialistInputFactory(version=active)
        ReadReceiptFactory(version=active, user=cast.teacher)
        r.review = completed_review(cast, active)
        r.views = family_views(cast, plan, review=r.review)
        ParentMeetingFactory(
            pupil=pupil, parents=[cast.parent_link, cast.co_parent_link], recorded_by=cast.senco, notes="Agreed targets"
        )
        r.co_response = AgreementResponseFactory(version=r.versions["shared"], link=cast.co_parent_link)
        r.own_response = AgreementResponseFactory(
            version=r.versions["shared"], link=cast.parent_link, agrees=True, comment="Happy with it"
        )
        r.co_request = ParentRequestFactory(plan=plan, link=cast.co_parent_link, message="Cleo asks for a meeting")
        ParentInvitation.objects.create(
            link=cast.co_parent_link,
            email=CO_PARENT_EMAIL,
            token_hash=hashlib.sha256(b"token").hexdigest(),
            code_hash=hashlib.sha256(b"code").hexdigest(),
            expires_at=timezone.now() + 7 * DAY,
            created_by=cast.senco,
        )
        cast.co_parent_link.email = CO_PARENT_EMAIL
        cast.co_parent_link.phone = "07700 900123"
        cast.co_parent_link.save()
        r.note = Note.objects.create(pupil=pupil, text=NOTE_TEXT, happened_on=TODAY - 2 * DAY, written_by=cast.ta)
        r.restricted_note = Note.objects.create(
            pupil=pupil,
            text=RESTRICTED_NOTE,
            happened_on=TODAY - 4 * DAY,
            written_by=cast.senco,
            visibility=Visibility.RESTRICTED,
        )
        r.formula_note = Note.objects.create(
            pupil=pupil, text=FORMULA_NOTE, happened_on=TODAY - 5 * DAY, written_by=cast.ta
        )
        r.document = _document(cast, pupil, "Speech and language report", DOCUMENT_BODY)
        pf.MeasureFactory(pupil=pupil, group=cast.group, recorded_by=cast.ta)
        pf.OtherCostFactory(school=cast.school, pupil=pupil, created_by=cast.senco, description="Laptop licence")
        ReceivedTransfer.objects.create(
            pupil=pupil,
            from_school_name="Chalkpit Primary",
            from_school_urn="100001",
            package_version="1",
            exported_at=timezone.now() - 300 * DAY,
            package_sha256="a" * 64,
            document={
                "pupil": {"id": "x", "forename": "Zephyrine"},
                "plans": [{"number": 1, "published_on": "2024-03-01"}],
            },
            received_by=cast.senco,
        )
        LegalHold.objects.create(pupil=pupil, reason="A claim against the school", placed_by=cast.head)
        Notification.objects.create(
            school=cast.school,
            kind="plan_shared",
            event_key="v3",
            email=cast.parent.email,
            user=cast.parent,
            pupil_id=pupil.public_id,
            subject="Zephyrine's plan is ready",
        )
        Notification.objects.create(
            school=cast.school,
            kind="plan_shared",
            event_key="v3",
            email=CO_PARENT_EMAIL,
            user=cast.co_parent,
            pupil_id=pupil.public_id,
            subject="Zephyrine's plan is ready",
        )
        # The intervention group: both pupils in it, sessions with and without the subject.
        pf.GroupMemberFactory(group=cast.group, pupil=other)
        r.shared_session = pf.SessionLogFactory(
            group=cast.group, date=TODAY - 1 * DAY, logged_by=cast.ta, note=SHARED_SESSION_NOTE
        )
        pf.AttendanceFactory(session=r.shared_session, pupil=pupil, attended=True)
        pf.AttendanceFactory(session=r.shared_session, pupil=other, attended=False)
        r.other_session = pf.SessionLogFactory(
            group=cast.group, date=TODAY - 2 * DAY, logged_by=cast.ta, note=OTHER_ONLY_SESSION_NOTE
        )
        pf.AttendanceFactory(session=r.other_session, pupil=other, attended=True)
        Note.objects.create(pupil=other, text=OTHER_PUPIL_NOTE, happened_on=TODAY - 1 * DAY, written_by=cast.ta)
        pf.MeasureFactory(pupil=other, group=cast.group, recorded_by=cast.ta)
        for number in range(extra):
            Note.objects.create(
                pupil=pupil, text=f"Extra note {number}", happened_on=TODAY - (10 + number) * DAY, written_by=cast.ta
            )
            session = pf.SessionLogFactory(group=cast.group, date=TODAY - (30 + number) * DAY, logged_by=cast.ta)
            pf.AttendanceFactory(session=session, pupil=pupil, attended=number % 2 == 0)
            pf.MeasureFactory(pupil=pupil, recorded_by=cast.ta)
            ParentMeetingFactory(pupil=pupil, parents=[cast.parent_link], recorded_by=cast.senco)
            ParentRequestFactory(plan=plan, link=cast.parent_link)
    with scope(school=[cast.school.pk]):
        audit_record(actor=actor_for(cast.teacher), action="pupils.pupil.viewed", target=pupil, pupil=pupil)
        audit_record(actor=actor_for(cast.senco), action="pupils.pupil.viewed", target=other, pupil=other)
        for _ in range(extra):
            audit_record(actor=actor_for(cast.ta), action="pupils.pupil.viewed", target=pupil, pupil=pupil)
    return r


@pytest.mark.django_db
def test_the_rich_record_fills_every_register_entry(cast):
    rich_record(cast)
    request = log_request(cast)
    empty = []
    with scopes_disabled():
        for entry in PERSONAL_DATA:
            if not entry.for_pupil(cast.pupil).exists():
                empty.append(entry.model)
        assert request.pk in set(SubjectAccessRequest.objects.values_list("pk", flat=True))
    assert empty == []
