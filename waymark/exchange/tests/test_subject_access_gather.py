"""Gathering everything held about a pupil from the personal-data register."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from waymark.core.audit import audit_record
from waymark.core.personal_data import PERSONAL_DATA
from waymark.evidence.models import Note
from waymark.exchange.subject_access.gather import gather, shown_field_names
from waymark.exchange.subject_access.readable import json_text
from waymark.plans.tests.review_factories import ParentMeetingFactory
from waymark.provision.tests import factories as pf
from waymark.tests import factories as f

from .test_subject_access_setup import (
    DAY,
    NOTE_TEXT,
    OTHER_ONLY_SESSION_NOTE,
    OTHER_PUPIL_NOTE,
    OTHER_SURNAME,
    SHARED_SESSION_NOTE,
    TODAY,
    actor_for,
    log_request,
    rich_record,
)

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
HEX_64 = re.compile(r"\b[0-9a-f]{64}\b")
ENTRIES = [entry.model for entry in PERSONAL_DATA]


def _gather(pupil):
    with scope(school=[pupil.school_id]):
        return gather(pupil)


def _all_text(sections):
    return "\n".join(
        f"{item.title}\n" + "\n".join(f"{value.label}: {value.text}" for value in item.values)
        for section in sections
        for item in section.items
    )


@pytest.fixture
def record(cast):
    rich = rich_record(cast)
    rich.request = log_request(cast)
    rich.sections = _gather(cast.pupil)
    return rich


@pytest.mark.django_db
@pytest.mark.parametrize("model", ENTRIES)
def test_every_register_entry_is_a_section_even_when_nothing_is_held(cast, model):
    newcomer = f.PupilFactory(school=cast.school)
    sections = _gather(newcomer)
    assert [section.model for section in sections] == ENTRIES  # the register's order, none left out
    section = next(section for section in sections if section.model == model)
    assert section.what == next(entry.what for entry in PERSONAL_DATA if entry.model == model)
    assert section.title
    if model != "pupils.Pupil":
        assert section.items == []


@pytest.mark.django_db
@pytest.mark.parametrize("model", ENTRIES)
def test_every_register_entry_gathers_the_pupils_rows(record, model):
    section = next(section for section in record.sections if section.model == model)
    assert section.items, f"{model} gathered nothing"
    with scopes_disabled():
        expected = {
            str(pk)
            for pk in next(e for e in PERSONAL_DATA if e.model == model)
            .for_pupil(record.request.pupil)
            .values_list("pk", flat=True)
        }
    assert {item.pk for item in section.items} == expected
    assert all(item.values for item in section.items)


@pytest.mark.django_db
def test_items_read_as_labels_and_values_without_internal_ids(record, cast):
    text = _all_text(record.sections)
    assert not UUID.search(text), UUID.search(text)
    assert not HEX_64.search(text)
    assert str(cast.pupil.public_id) not in text
    for hidden in ("Lock version", "Public id", "Sha256", "Token hash", "Snapshot", "documents/", "Lineage"):
        assert hidden not in text
    with scopes_disabled():
        stored_name = record.document.file.name
    assert stored_name not in text


@pytest.mark.django_db
def test_dates_people_and_codes_read_plainly(record, cast):
    notes = next(section for section in record.sections if section.model == "evidence.Note")
    note = next(item for item in notes.items if item.pk == str(record.note.pk))
    values = {value.label: value.text for value in note.values}
    happened = record.note.happened_on
    assert values["Date"] == f"{happened.day} {happened:%B %Y}"
    assert values["Written by"] == "Tariq Assistant"
    assert values["Note"] == NOTE_TEXT
    assert values["Who can see this"] == "Staff only (never parents)"
    assert note.title == f"Note, {happened.day} {happened:%B %Y}"
    statuses = next(section for section in record.sections if section.model == "pupils.SenStatus")
    assert {value.label: value.text for value in statuses.items[0].values}["SEN provision"] == "K – SEN support"
    sections = next(section for section in record.sections if section.model == "plans.PlanSection")
    about = next(item for item in sections.items if item.value("key").text == "About me")
    assert "What is important to me: My cat, football on Saturdays and my big sister." in about.value("data").text


@pytest.mark.django_db
def test_the_audit_trail_says_who_did_what_and_when(record):
    trail = next(section for section in record.sections if section.model == "core.AuditEvent")
    assert trail.title == "Who viewed or changed the record"
    assert trail.tabular
    assert trail.labels[:3] == ["When", "Who", "What"]
    rows = [{value.label: value.text for value in item.values} for item in trail.items]
    assert {"Who": "Tess Teacher", "What": "viewed the pupil's record"}.items() <= next(
        row for row in rows if row["Who"] == "Tess Teacher"
    ).items()
    assert any(row["What"] == "logged a subject access request" for row in rows)


@pytest.mark.django_db
def test_another_pupils_data_is_never_gathered(record, cast):
    text = _all_text(record.sections)
    assert OTHER_SURNAME not in text
    assert OTHER_ONLY_SESSION_NOTE not in text
    assert OTHER_PUPIL_NOTE not in text
    assert "Oswin Blackthorn" not in text
    attendance = next(section for section in record.sections if section.model == "provision.Attendance")
    with scopes_disabled():
        assert {item.obj.pupil_id for item in attendance.items} == {cast.pupil.pk}
    sessions = next(section for section in record.sections if section.model == "provision.SessionLog")
    assert [item.pk for item in sessions.items] == [str(record.shared_session.pk)]
    # The session both pupils were at is gathered, for a member of staff to read, with its note.
    assert sessions.items[0].value("note").text == SHARED_SESSION_NOTE
    measures = next(section for section in record.sections if section.model == "provision.Measure")
    with scopes_disabled():
        assert {item.obj.pupil_id for item in measures.items} == {cast.pupil.pk}


@pytest.mark.django_db
def test_json_reads_as_indented_lines_without_ids():
    text = json_text(
        {"pupil": {"id": "abc", "forename": "Zeph"}, "plans": [{"number": 1, "on": "2024-03-01"}], "x": ""}
    )
    assert text == "Pupil:\n  Forename: Zeph\nPlans:\n  1.\n    Number: 1\n    On: 1 March 2024"


def test_no_shown_field_is_an_internal_one():
    for entry in PERSONAL_DATA:
        names = shown_field_names(entry.model_class)
        assert "id" not in names and "public_id" not in names and "lock_version" not in names, entry.model
        assert not any("sha256" in name or name.endswith("_hash") for name in names), entry.model
        assert "pupil" not in names, entry.model


def _count_gather_queries(pupil):
    with scope(school=[pupil.school_id]), CaptureQueriesContext(connection) as queries:
        gather(pupil)
    return len(queries)


def add_more(cast, count):
    """More of everything repeatable: notes, sessions and attendance, measures, meetings, audit events."""
    with scopes_disabled():
        for number in range(count):
            Note.objects.create(
                pupil=cast.pupil, text=f"More {number}", happened_on=TODAY - number * DAY, written_by=cast.ta
            )
            session = pf.SessionLogFactory(group=cast.group, date=TODAY - (100 + number) * DAY, logged_by=cast.ta)
            pf.AttendanceFactory(session=session, pupil=cast.pupil)
            pf.MeasureFactory(pupil=cast.pupil, recorded_by=cast.ta)
            ParentMeetingFactory(
                pupil=cast.pupil, parents=[cast.parent_link, cast.co_parent_link], recorded_by=cast.senco
            )
    with scope(school=[cast.school.pk]):
        for _ in range(count):
            audit_record(
                actor=actor_for(cast.teacher), action="pupils.pupil.viewed", target=cast.pupil, pupil=cast.pupil
            )


@pytest.mark.django_db
def test_gathering_runs_a_fixed_number_of_queries_whatever_the_size(cast, django_assert_max_num_queries):
    rich_record(cast)
    log_request(cast)
    small = _count_gather_queries(cast.pupil)
    # One query per register entry, and one per many-to-many field (reviews' and meetings' parents).
    assert small <= len(PERSONAL_DATA) + 2
    add_more(cast, 12)
    with django_assert_max_num_queries(small), scope(school=[cast.school.pk]):
        sections = gather(cast.pupil)
    assert len(next(s for s in sections if s.model == "evidence.Note").items) > 12
    assert len(next(s for s in sections if s.model == "core.AuditEvent").items) > 12
