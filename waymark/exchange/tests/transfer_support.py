"""Set-up the transfer package tests share: small valid packages built by hand, ZIPs with something
wrong in them, and a rich pupil record in School A with other children's words planted around it.

Rows are written directly (factories), as test set-up; the pupil's documents go through the real
upload service, so their files are stored as production stores them.
"""

import datetime
import hashlib
import io
import json
import uuid
import zipfile
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import Visibility
from waymark.evidence.documents import document_upload
from waymark.evidence.models import Document, Note
from waymark.evidence.tests.filemakers import pdf
from waymark.exchange.models import ImportBatch, ReceivedTransfer
from waymark.exchange.transfer.envelope import seal
from waymark.exchange.transfer.format import schema_bytes
from waymark.plans.models import ParentMeeting, PlanVersion
from waymark.plans.tests.factories import published_version
from waymark.plans.tests.family_setup import completed_review, contribution
from waymark.provision.models import Measure, MeasureType
from waymark.provision.tests import factories as pf
from waymark.tests.helpers import fingerprint

TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
PASSPHRASE = "maple-otter-violin-harbor"

# Words about other people that must never be in cast.pupil's package.
OTHER_CHILD_WORDS = ("Oswin", "Blackthorn", "Priya", "Otherparent")
SESSION_NOTE = "Oswin Blackthorn and Zephyrine shared the rhyming cards"
OTHER_PUPIL_NOTE = "Blackthorn slept badly all week"
PARENT_DETAILS = ("Paula Parent", "paula.parent", "parent@example.test", "Piers Restricted", "07700 900123")
RESTRICTED_WORDS = (
    "Restricted: see the DSL before contacting home.",
    "Heron restricted timeline note",
    "Secret report",
)
STAFF_NOTE = "Settled quickly after break; used the word mat."
OWN_SCALE = "Reading fluency"


# ----- hand-built packages (no database needed) -----

SNAPSHOT = {
    "schema": 1,
    "pupil": {
        "name": "Ada Lovelace",
        "legal_name": "Ada Lovelace",
        "date_of_birth": "2015-03-14",
        "needs": [{"code": "SPLD", "name": "Specific learning difficulty", "rank": 1}],
    },
    "school": {"name": "Old Mill Primary"},
    "template": {"name": "Individual Support Plan"},
    "number": 1,
    "tier": "targeted",
    "tier_label": "Targeted",
    "owner": "Olive Oldsenco",
    "sections": [
        {
            "key": "strengths",
            "kind": "text",
            "label": "Strengths",
            "visibility": "everyone",
            "fields": [{"key": "strengths", "label": "Strengths", "value": "Tells a good story"}],
        },
        {
            "key": "outcomes",
            "kind": "items",
            "label": "Outcomes",
            "visibility": "everyone",
            "items": [
                {"id": str(uuid.uuid4()), "visibility": "everyone", "text": "Reads 50 common words", "by_date": ""}
            ],
        },
    ],
}


def minimal_document(*, plans=0, measures=0, upn="", **overrides):
    """A valid package document for "Ada Lovelace" from "Old Mill Primary", with ``plans`` plan versions
    (no PDFs) and ``measures`` standardised scores."""
    document = {
        "package_version": "1.0",
        "generator": "Waymark",
        "exported_at": "2026-07-20T10:00:00+00:00",
        "source_school": {
            "name": "Old Mill Primary",
            "urn": "123456",
            "la_number": "823",
            "establishment_number": "4102",
        },
        "pupil": {
            "upn": upn,
            "legal_forename": "Ada",
            "legal_surname": "Lovelace",
            "preferred_name": "",
            "pronouns": "",
            "date_of_birth": "2015-03-14",
            "sex": "F",
            "year_group": 5,
            "year_group_label": "Year 5",
            "date_joined": "2019-09-01",
            "date_left": "2026-07-20",
        },
        "sen_statuses": [
            {"provision": "A", "tier": "targeted", "starts_on": "2019-09-01", "ends_on": "2020-08-31"},
            {"provision": "K", "tier": "targeted", "starts_on": "2020-09-01", "ends_on": None},
        ],
        "needs": [{"code": "SPLD", "name": "Specific learning difficulty", "rank": 1, "description": "Dyslexia"}],
        "plan_versions": [
            {
                "id": str(uuid.uuid4()),
                "number": number,
                "status": "superseded" if number < plans else "active",
                "tier": "targeted",
                "template": "Individual Support Plan",
                "frozen_at": "2025-09-20T10:00:00+00:00",
                "published_at": "2025-09-20T10:00:00+00:00",
                "ended_at": None,
                "next_review_on": "2026-01-20",
                "snapshot": {**SNAPSHOT, "number": number},
                "pdf": None,
            }
            for number in range(1, plans + 1)
        ],
        "reviews": [],
        "parent_contributions": [],
        "agreement_responses": [],
        "parent_meetings": [],
        "provision_delivered": [],
        "measures": [
            {
                "type": {
                    "code": "standard_score",
                    "name": "Standardised score",
                    "min_value": "40.00",
                    "max_value": "160.00",
                    "higher_is_better": True,
                    "builtin": True,
                },
                "point": "check",
                "value": f"{80 + index}.00",
                "taken_on": "2026-03-04",
                "note": "",
                "intervention": None,
            }
            for index in range(measures)
        ],
        "documents": [],
        "notes": [],
        "previous_transfers": [],
    }
    document.update(overrides)
    return document


def zip_of(members, *, manifest=True, compression=zipfile.ZIP_DEFLATED):
    """A ZIP of ``members`` (name or ZipInfo, bytes), with a correct manifest unless told otherwise."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        if manifest:
            listed = [
                {
                    "name": info.filename if isinstance(info, zipfile.ZipInfo) else info,
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "size": len(data),
                }
                for info, data in members
            ]
            archive.writestr("manifest.json", json.dumps({"package_version": "1.0", "files": listed}))
        for info, data in members:
            archive.writestr(info, data)
    return buffer.getvalue()


def package_members(document, files=()):
    return [("package.json", json.dumps(document).encode()), ("schema.json", schema_bytes()), *files]


def sealed(document=None, *, files=(), extra=(), passphrase=PASSPHRASE):
    """A sealed package of ``document`` (``minimal_document()`` by default) and ``files``."""
    document = minimal_document() if document is None else document
    return seal(zip_of([*package_members(document, files), *extra]), passphrase)


def upload(data, name="ada.waymark"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


# ----- what a write could change -----


def unchanged_state():
    """``fingerprint()`` without the audit count (a refusal is audited), and the tables a transfer writes."""
    with scopes_disabled():
        state = fingerprint(audit=False)
        state.update(
            transfers=list(ReceivedTransfer.objects.values_list("pk", flat=True)),
            measures=list(Measure.objects.values_list("pk", "value")),
            documents=list(Document.objects.values_list("pk", "title")),
            scales=MeasureType.objects.count(),
            batches=list(ImportBatch.objects.values_list("pk", "status")),
        )
    return state


# ----- a rich record in School A -----


def rich_record(cast, *, restricted=False):
    """``cast.pupil``'s record in School A with something in every part that travels.

    Two published versions (the first superseded), a completed review of the first with its
    ratings and a parent's views, places in the TA's phonics group with logged sessions
    (``cast.other_pupil`` is in the group too), entry and exit reading ages, a check on the
    school's own scale, a document, a note, a meeting with parents. With ``restricted``, a
    restricted plan item, note and document too. Other children's words are planted nearby.
    """
    x = SimpleNamespace()
    with scopes_disabled():
        pupil = cast.pupil
        x.first = published_version(pupil, by=cast.senco, staff_only=True)
        x.review = completed_review(cast, x.first, held_on=TODAY - 20 * DAY)
        x.words = contribution(cast.parent_link, x.first.plan, "She reads to her little brother now", review=x.review)
        x.second = published_version(pupil, by=cast.senco, restricted=restricted, specialist_inputs=1)
        x.first.refresh_from_db()
        meeting = ParentMeeting.objects.create(
            pupil=pupil, held_on=TODAY - 20 * DAY, notes="Talked through the new targets", review=x.review
        )
        meeting.parents.set([cast.parent_link])
        # The group: this pupil and the other pupil, with sessions both came to.
        pf.GroupMemberFactory(group=cast.group, pupil=cast.other_pupil)
        for days_ago, note in ((10, SESSION_NOTE), (3, "")):
            session = pf.SessionLogFactory(group=cast.group, date=TODAY - days_ago * DAY, note=note, logged_by=cast.ta)
            pf.AttendanceFactory(session=session, pupil=pupil, attended=True)
            pf.AttendanceFactory(session=session, pupil=cast.other_pupil, attended=False)
        cancelled = pf.SessionLogFactory(
            group=cast.group, date=TODAY - 5 * DAY, status="cancelled", cancel_reason="room", logged_by=cast.ta
        )
        x.cancelled = cancelled
        age = pf.builtin_measure(MeasureType.Kind.READING_AGE)
        x.entry = pf.MeasureFactory(
            pupil=pupil,
            group=cast.group,
            measure_type=age,
            point="entry",
            value=Decimal("84"),
            taken_on=TODAY - 50 * DAY,
        )
        x.exit = pf.MeasureFactory(
            pupil=pupil, group=cast.group, measure_type=age, point="exit", value=Decimal("93"), taken_on=TODAY - 2 * DAY
        )
        x.scale = MeasureType.objects.create(
            school=cast.school, kind=MeasureType.Kind.SCALE, name=OWN_SCALE, min_value=0, max_value=50
        )
        x.check = pf.MeasureFactory(
            pupil=pupil, measure_type=x.scale, point="check", value=Decimal("31.5"), taken_on=TODAY - 9 * DAY
        )
        # The other pupil's own record, in the same school and group.
        pf.MeasureFactory(pupil=cast.other_pupil, group=cast.group, measure_type=age, point="entry", value=70)
        Note.objects.create(pupil=cast.other_pupil, text=OTHER_PUPIL_NOTE, happened_on=TODAY, written_by=cast.senco)
        x.note = Note.objects.create(
            pupil=pupil, text=STAFF_NOTE, happened_on=TODAY - 4 * DAY, written_by=cast.senco, visibility="staff"
        )
        cast.parent_link.phone = "07700 900123"
        cast.parent_link.save()
        if restricted:
            Note.objects.create(
                pupil=pupil,
                text=RESTRICTED_WORDS[1],
                happened_on=TODAY,
                written_by=cast.senco,
                visibility=Visibility.RESTRICTED,
            )
    with scope(school=[cast.school.pk]):
        actor = Actor.for_user(cast.senco)
        x.document = document_upload(
            actor=actor,
            pupil=cast.pupil,
            upload=SimpleUploadedFile("SALT report.pdf", pdf()),
            title="Speech and language report",
            kind=Document.Kind.PROFESSIONAL_REPORT,
            written_on=TODAY - 30 * DAY,
            author="Dr Ada Example",
        )
        if restricted:
            document_upload(
                actor=actor,
                pupil=cast.pupil,
                upload=SimpleUploadedFile("secret.pdf", pdf(b"<< /Type /Catalog /Secret 1 >>")),
                title=RESTRICTED_WORDS[2],
                kind=Document.Kind.LETTER,
                written_on=TODAY - 30 * DAY,
                visibility=Visibility.RESTRICTED,
            )
    return x


def frozen_versions(pupil):
    with scopes_disabled():
        return list(PlanVersion.objects.filter(plan__pupil=pupil, status__in=PlanVersion.FROZEN).order_by("number"))


def stored_bytes(document):
    with scopes_disabled(), document.file.open("rb") as handle:
        return handle.read()


def a_while_ago():
    return timezone.now() - 30 * DAY
