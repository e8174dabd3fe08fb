"""Export then import gives back the same record: School A sends ``cast.pupil``, School B receives it.

The plans come back as the same snapshots, the reviews with the same ratings, the measures
with the same values, dates and scales, the documents byte for byte. Nothing of School B is
overwritten when the pupil is already there; no other child's words and no restricted content
are ever in the package.
"""

import datetime
import hashlib
import io
import json
import uuid
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent
from waymark.core.personal_data import PERSONAL_DATA
from waymark.evidence.models import Document
from waymark.evidence.tests.filemakers import EXECUTABLE, pdf
from waymark.exchange.models import ReceivedTransfer
from waymark.exchange.transfer import document as builder
from waymark.exchange.transfer.document import LEVELS, PLACES
from waymark.exchange.transfer.envelope import open_envelope
from waymark.exchange.transfer.package import transfer_export
from waymark.exchange.transfer.receive import CHANGED_SINCE_CHECK, CONFIRM_MATCH, transfer_check, transfer_receive
from waymark.plans.snapshot import visible_content
from waymark.plans.tests.factories import published_version
from waymark.provision.models import Measure, MeasureType
from waymark.pupils.models import Need, NeedType, Pupil, SenStatus
from waymark.tests import factories as f
from waymark.tests.factories import make_upn

from .transfer_support import (
    OTHER_CHILD_WORDS,
    OTHER_PUPIL_NOTE,
    OWN_SCALE,
    PARENT_DETAILS,
    PASSPHRASE,
    RESTRICTED_WORDS,
    SESSION_NOTE,
    STAFF_NOTE,
    frozen_versions,
    minimal_document,
    rich_record,
    sealed,
    stored_bytes,
    unchanged_state,
    upload,
)

TODAY = datetime.date.today()


@pytest.fixture(autouse=True)
def no_scanner(settings):
    settings.WAYMARK_VIRUS_SCANNER = "none"


def export(cast, user=None, pupil=None, school=None):
    with scope(school=[(school or cast.school).pk]):
        return transfer_export(
            actor=Actor.for_user(user or cast.senco), pupil=pupil or cast.pupil, passphrase=PASSPHRASE
        )


def receive(cast, data, *, user=None, school=None, match=None):
    school = school or cast.other_school
    with scope(school=[school.pk]):
        actor = Actor.for_user(user or cast.other_senco)
        return transfer_receive(
            actor=actor, school=school, package_bytes=data, passphrase=PASSPHRASE, match_confirmed_pupil=match
        )


def count(model):
    with scopes_disabled():
        return model.objects.count()


def members(data):
    archive = zipfile.ZipFile(io.BytesIO(open_envelope(data, PASSPHRASE)))
    return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture
def record(cast):
    return rich_record(cast)


@pytest.fixture
def package(cast, record):
    return export(cast)


# ----- the round trip -----


def test_the_package_holds_the_document_its_schema_the_pdfs_and_the_files(cast, record, package):
    found = members(package)
    assert sorted(found) == [
        "documents/document-1.pdf",
        "manifest.json",
        "package.json",
        "pdfs/plan-version-1.pdf",
        "pdfs/plan-version-2.pdf",
        "schema.json",
    ]
    assert all(found[name].startswith(b"%PDF-") for name in found if name.startswith("pdfs/"))
    assert found["documents/document-1.pdf"] == stored_bytes(record.document)
    manifest = json.loads(found["manifest.json"])
    assert {entry["name"] for entry in manifest["files"]} == set(found) - {"manifest.json"}


def test_export_then_import_gives_back_the_same_record(cast, record, package):
    transfer = receive(cast, package)
    with scopes_disabled():
        pupil = transfer.pupil
        source = Pupil.objects.get(pk=cast.pupil.pk)
        # A new pupil in School B, with the same details.
        assert pupil.school == cast.other_school and pupil.pk != source.pk
        for field in ("upn", "legal_forename", "legal_surname", "date_of_birth", "year_group", "sex"):
            assert getattr(pupil, field) == getattr(source, field)
        assert pupil.date_joined == TODAY
        # SEN status and needs carried over, marked as history only by their dates.
        assert [(s.provision, s.tier, s.starts_on, s.ends_on) for s in pupil.sen_statuses.order_by("starts_on")] == [
            (s.provision, s.tier, s.starts_on, s.ends_on) for s in source.sen_statuses.order_by("starts_on")
        ]
        assert [(n.need_type.code, n.rank) for n in pupil.needs.all()] == [("ASD", 1)]
        # The same plans: each snapshot exactly as frozen at School A.
        sent = transfer.document["plan_versions"]
        assert [entry["snapshot"] for entry in sent] == [version.snapshot for version in frozen_versions(cast.pupil)]
        assert [(entry["number"], entry["status"]) for entry in sent] == [(1, "superseded"), (2, "active")]
        # The same review and ratings.
        (review,) = transfer.document["reviews"]
        ratings = list(record.review.ratings.order_by("order"))
        assert review["held_on"] == record.review.held_on.isoformat()
        assert [(r["outcome_text"], r["rating"], r["met"]) for r in review["ratings"]] == [
            (r.outcome_text, r.rating, r.met) for r in ratings
        ]
        assert review["ratings"][0]["label"] == cast.school.rating_label(ratings[0].rating) != ""
        assert transfer.document["parent_contributions"][0]["review_id"] == review["id"]
        # The same measures: values, dates, scales.
        received = {(m.point, m.value, m.taken_on, m.measure_type_id) for m in Measure.objects.filter(pupil=pupil)}
        scale = MeasureType.objects.get(school=cast.other_school)
        assert scale.name == f"{OWN_SCALE} (from Ashdown Academy)"
        assert (scale.min_value, scale.max_value, scale.higher_is_better) == (0, 50, True)
        assert received == {
            ("entry", Decimal("84.00"), record.entry.taken_on, record.entry.measure_type_id),
            ("exit", Decimal("93.00"), record.exit.taken_on, record.exit.measure_type_id),
            ("check", Decimal("31.50"), record.check.taken_on, scale.pk),
        }
        assert set(Measure.objects.filter(pupil=pupil).values_list("received_in", "group")) == {(transfer.pk, None)}
        # The same document, byte for byte, checked like any upload and marked as received.
        (document,) = Document.objects.filter(pupil=pupil)
        assert document.received_in == transfer and document.visibility == "staff"
        assert (document.title, document.kind, document.written_on, document.author) == (
            record.document.title,
            record.document.kind,
            record.document.written_on,
            record.document.author,
        )
        assert stored_bytes(document) == stored_bytes(record.document)
        assert document.sha256 == record.document.sha256
        # Delivered provision: the pupil's own sessions.
        (place,) = transfer.document["provision_delivered"]
        assert place["intervention"] == "Phonics catch-up"
        assert (place["delivered"], place["cancelled"], place["attended"], place["missed"]) == (2, 1, 2, 0)
        assert transfer.document["notes"][0]["text"] == STAFF_NOTE
        assert transfer.from_school_name == "Ashdown Academy" and transfer.from_school_urn == cast.school.urn
        # Audited once each way, with counts and the file's hash, never content or the passphrase.
        sent_event = AuditEvent.objects.get(action="exchange.transfer.exported")
        received_event = AuditEvent.objects.get(action="exchange.transfer.received")
        assert sent_event.data["sha256"] == received_event.data["sha256"] == transfer.package_sha256
        assert received_event.data["measures"] == 3 and received_event.data["documents"] == 1
        for event in (sent_event, received_event):
            assert PASSPHRASE not in json.dumps(event.data)
            assert "Zephyrine" not in json.dumps(event.data)


def test_a_received_record_travels_on_with_the_next_transfer(cast, record, package):
    transfer = receive(cast, package)
    onward = export(cast, user=cast.other_senco, pupil=transfer.pupil, school=cast.other_school)
    document = json.loads(members(onward)["package.json"])
    (earlier,) = document["previous_transfers"]
    assert earlier["from_school_name"] == "Ashdown Academy"
    assert earlier["document"] == transfer.document
    # Measures that came in a transfer travel inside it, not twice.
    assert document["measures"] == []
    assert [entry["received_from"] for entry in document["documents"]] == ["Ashdown Academy"]


# ----- what never travels -----


def test_no_other_childs_data_and_no_parent_contact_details_are_in_the_package(cast, record, package):
    found = members(package)
    everything = b"".join(found[name] for name in found if not name.startswith("pdfs/"))
    text = json.dumps(json.loads(found["package.json"]), ensure_ascii=False)
    for words in (*OTHER_CHILD_WORDS, SESSION_NOTE, OTHER_PUPIL_NOTE, *PARENT_DETAILS, cast.parent.email):
        assert words.encode() not in everything, words
        assert words not in text, words
    # No group names (schools name groups after the children in them), no session notes.
    assert "Phonics (Year 8)" not in text
    assert "Zephyrine" in text  # the pupil's own record is there


def test_restricted_content_does_not_travel(cast):
    rich_record(cast, restricted=True)
    found = members(export(cast))
    text = json.dumps(json.loads(found["package.json"]), ensure_ascii=False)
    for words in RESTRICTED_WORDS:
        assert words not in text
    assert '"restricted"' not in text
    assert sorted(name for name in found if name.startswith("documents/")) == ["documents/document-1.pdf"]
    # The versions travel as frozen, less their restricted parts.
    document = json.loads(found["package.json"])
    assert [entry["snapshot"] for entry in document["plan_versions"]] == [
        visible_content(version.snapshot, LEVELS) for version in frozen_versions(cast.pupil)
    ]


def test_every_register_entry_that_travels_has_a_place_in_the_package():
    travelling = {entry.model for entry in PERSONAL_DATA if entry.transfers}
    assert set(PLACES) == travelling
    builder.check_register()


def test_a_new_entry_that_travels_stops_exports_until_it_has_a_place(monkeypatch):
    monkeypatch.delitem(PLACES, "provision.Measure")
    with pytest.raises(ImproperlyConfigured, match=r"provision\.Measure"):
        builder.check_register()


# ----- a pupil already at the receiving school -----


def b_state(pupil):
    with scopes_disabled():
        pupil = Pupil.objects.get(pk=pupil.pk)
        return {
            "pupil": [getattr(pupil, name) for name in ("preferred_name", "year_group", "date_joined", "lock_version")],
            "statuses": list(
                SenStatus.objects.filter(pupil=pupil).values_list("provision", "tier", "starts_on", "ends_on")
            ),
            "needs": list(Need.objects.filter(pupil=pupil).values_list("need_type__code", "rank", "description")),
            "plans": [(v.number, v.status, v.snapshot) for v in frozen_versions(pupil)],
        }


def test_a_pupil_already_here_is_matched_on_upn_and_nothing_of_theirs_changes(cast, record, package):
    with scopes_disabled():
        here = f.PupilFactory(
            school=cast.other_school,
            upn=cast.pupil.upn,
            legal_forename="Zeph",
            legal_surname="Quartermaine-Jones",
            preferred_name="Zee",
            year_group=9,
        )
        f.SenStatusFactory(pupil=here, provision="E", tier="specialist")
        f.NeedFactory(pupil=here, need_type=NeedType.objects.get(code="SLCN"), rank=1, description="Ours")
        published_version(here)
    before, pupils = b_state(here), count(Pupil)
    with pytest.raises(ValidationError) as caught:
        receive(cast, package)  # the person did not see this match when they checked
    assert caught.value.messages == [str(CHANGED_SINCE_CHECK)]
    transfer = receive(cast, package, match=here)
    assert transfer.pupil == here
    assert count(Pupil) == pupils
    assert b_state(here) == before
    with scopes_disabled():
        assert Measure.objects.filter(pupil=here, received_in=transfer).count() == 3
        assert Document.objects.filter(pupil=here, received_in=transfer).count() == 1


def test_without_a_upn_the_pupil_is_matched_on_name_and_date_of_birth_once_confirmed(cast, record):
    with scopes_disabled():
        Pupil.objects.filter(pk=cast.pupil.pk).update(upn="")
        cast.pupil.refresh_from_db()
        here = f.PupilFactory(
            school=cast.other_school,
            upn="",
            legal_forename="zephyrine",
            legal_surname="QUARTERMAINE",
            date_of_birth=cast.pupil.date_of_birth,
            year_group=7,
        )
    package = export(cast)
    before = b_state(here)
    with pytest.raises(ValidationError) as caught:
        receive(cast, package)
    assert caught.value.messages == [str(CONFIRM_MATCH)]
    assert b_state(here) == before and count(ReceivedTransfer) == 0
    transfer = receive(cast, package, match=here)
    assert transfer.pupil == here
    assert b_state(here) == before


def test_the_same_package_twice_is_refused_and_changes_nothing(cast, record, package):
    transfer = receive(cast, package)
    before = unchanged_state()
    with pytest.raises(ValidationError) as caught:
        receive(cast, package, match=transfer.pupil)
    assert "already imported" in caught.value.messages[0]
    assert unchanged_state() == before


def test_an_archived_match_must_be_brought_back_first(cast, record, package):
    with scopes_disabled():
        here = f.PupilFactory(school=cast.other_school, upn=cast.pupil.upn)
        Pupil.objects.filter(pk=here.pk).update(archived_at=datetime.datetime.now(datetime.UTC))
    with pytest.raises(ValidationError, match="archived"):
        receive(cast, package, match=here)
    assert count(ReceivedTransfer) == 0


# ----- who may -----


@pytest.mark.parametrize("who", ["teacher", "ta", "dsl", "governor", "head_of_year", "parent"])
def test_only_those_who_export_the_pupil_may_make_a_package(cast, who):
    with pytest.raises(PermissionDenied):
        export(cast, user=getattr(cast, who))


@pytest.mark.parametrize("who", ["head", "trust_lead"])
def test_the_head_and_trust_lead_may_make_one_but_not_receive_one(cast, who, record):
    data = export(cast, user=getattr(cast, who))
    with pytest.raises(PermissionDenied):
        receive(cast, data, user=getattr(cast, who), school=cast.school)


def test_a_short_passphrase_is_refused(cast):
    with scope(school=[cast.school.pk]), pytest.raises(ValidationError, match="at least 12"):
        transfer_export(actor=Actor.for_user(cast.senco), pupil=cast.pupil, passphrase="too-short")


# ----- what cannot be kept is listed in the preview and left out -----


def test_what_cannot_be_kept_is_listed_and_left_out_and_the_rest_arrives(cast):
    good, bad = pdf(), EXECUTABLE
    document = minimal_document(measures=1, upn=make_upn("823", "4102", 77))
    document["needs"].append({"code": "XYZ", "name": "Unknown here", "rank": 2})
    document["measures"].append({**document["measures"][0], "value": "170.00"})  # off the scale here
    document["documents"] = [
        {
            "id": str(uuid.uuid4()),
            "title": title,
            "kind": "assessment",
            "written_on": "2026-01-10",
            "content_type": "application/pdf",
            "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
            "file": f"documents/document-{number}.pdf",
        }
        for number, (title, content) in enumerate((("Good report", good), ("Not really a PDF", bad)), start=1)
    ]
    data = sealed(document, files=[("documents/document-1.pdf", good), ("documents/document-2.pdf", bad)])
    with scope(school=[cast.other_school.pk]):
        batch = transfer_check(
            actor=Actor.for_user(cast.other_senco),
            school=cast.other_school,
            uploaded_file=upload(data),
            passphrase=PASSPHRASE,
        )
    summary = batch.summary
    assert summary["match"] == {"kind": "new", "pupil_id": None, "pupil_name": ""}
    assert [item["title"] for item in summary["refused_files"]] == ["Not really a PDF"]
    assert summary["counts"]["documents"] == 1 and summary["counts"]["measures"] == 1
    assert summary["skipped"] == [
        "Need XYZ: left out, as this school does not use that code.",
        "Standardised score of 170.00 on 4 March 2026: left out, as it is outside the scale here.",
    ]
    transfer = receive(cast, data)
    with scopes_disabled():
        pupil = transfer.pupil
        assert [d.title for d in Document.objects.filter(pupil=pupil)] == ["Good report"]
        assert [m.value for m in Measure.objects.filter(pupil=pupil)] == [Decimal("80.00")]
        assert [n.need_type.code for n in pupil.needs.all()] == ["SPLD"]
        # Legacy School Action kept as closed history; SEN support open, as at the old school.
        assert list(pupil.sen_statuses.order_by("starts_on").values_list("provision", "starts_on", "ends_on")) == [
            ("A", datetime.date(2019, 9, 1), datetime.date(2020, 8, 31)),
            ("K", datetime.date(2020, 9, 1), None),
        ]
    assert transfer.counts["files_refused"] == 1 and transfer.counts["left_out"] == 2


def test_sen_history_that_overlaps_is_left_out_and_the_rest_is_kept_as_history(cast):
    document = minimal_document()
    document["sen_statuses"] += [
        {"provision": "P", "tier": "targeted", "starts_on": "2020-01-01", "ends_on": "2020-06-30"},
        {"provision": "S", "tier": "specialist", "starts_on": "2020-06-01", "ends_on": "2021-01-31"},
    ]
    transfer = receive(cast, sealed(document))
    with scopes_disabled():
        history = list(transfer.pupil.sen_statuses.order_by("starts_on").values_list("provision", flat=True))
    assert history == ["A", "K"]
    assert transfer.counts["left_out"] == 2
