"""The sample files in docs/samples import cleanly into the demo secondary, Riverside High Academy.

They are there for trying the imports on the demo (``manage.py import_roster`` and
``import_ctf``, or the import pages as Riverside High's SENCO), so they must keep working as
the importers and the demo change. Here they go into the smallest stand-in for the demo
secondary (its numbers and this school year's forms, from ``core.demo``'s own constants);
``core/tests/test_demo.py`` checks the same previews against the whole built demo, with
the helpers below.
"""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django_scopes import scope, scopes_disabled

from waymark.core import demo
from waymark.core.actor import Actor
from waymark.exchange.ctf import check_file
from waymark.exchange.ctf.commit import ctf_import
from waymark.exchange.roster import check_roster, commit_roster, mapping_for, read_table
from waymark.exchange.roster.headers import IGNORE
from waymark.pupils.models import ParentLink, Pupil, SenStatus
from waymark.schools.models import AcademicYear, ClassGroup, School, Trust

SAMPLES = Path(settings.BASE_DIR) / "docs" / "samples"
ROSTER = SAMPLES / "roster-sims-example.csv"
CTF = SAMPLES / "ctf-example.xml"
ROSTER_PUPILS = 8
CTF_PUPILS = 3
# A file written in July and imported in the autumn: the only thing the CTF check asks anyone to look at.
YEARS_MOVED_ON = "The file was written in the 2025 to 2026 school year: year groups have been moved on by 1."


def roster_sample_check(school, today):
    """(table, mapping, check) for the roster sample read into ``school`` as the import command reads it."""
    table = read_table(ROSTER.read_bytes())
    mapping, _saved = mapping_for(school, table.headers)
    check = check_roster(actor=Actor.system(school, today=today), school=school, table=table, mapping=mapping)
    return table, mapping, check


def ctf_sample_check(school, today):
    return check_file(school=school, data=CTF.read_bytes(), today=today)


def assert_samples_preview_cleanly(school, today):
    """Both samples: every column recognised, every row a new pupil, nothing to fix and nothing to check."""
    table, mapping, roster = roster_sample_check(school, today)
    assert [header for header, key in mapping.items() if key == IGNORE] == []
    assert roster.problems == []
    assert roster.counts["create"] == len(table.rows) == ROSTER_PUPILS
    assert roster.new_classes == {}  # every form named is one the school has this year
    ctf = ctf_sample_check(school, today)
    assert ctf.problems == []
    assert [warning["message"] for warning in ctf.warnings] == [YEARS_MOVED_ON]
    assert ctf.counts()["created"] == CTF_PUPILS
    assert ctf.header["source_urn"] == demo.PRIMARY.urn and ctf.header["dest_urn"] == school.urn


@pytest.fixture
def demo_secondary(db):
    """Riverside High as the demo makes it, as far as the imports read it: its numbers and this year's forms."""
    plan = demo.SECONDARY
    with scopes_disabled():
        school = School.objects.create(
            trust=Trust.objects.create(name=demo.TRUST_NAME),
            name=plan.name,
            urn=plan.urn,
            la_number=demo.LA_NUMBER,
            establishment_number=plan.establishment_number,
            phase=plan.phase,
            is_demo=True,
        )
        year = AcademicYear.objects.create(
            school=school,
            name=f"{demo.THIS_YEAR} to {demo.THIS_YEAR + 1}",
            starts_on=datetime.date(demo.THIS_YEAR, 9, 1),
            ends_on=datetime.date(demo.THIS_YEAR + 1, 8, 31),
        )
        ClassGroup.objects.bulk_create(
            ClassGroup(
                school=school,
                academic_year=year,
                kind=ClassGroup.Kind.REGISTRATION,
                name=f"{year_group}{form}",
                year_group=year_group,
            )
            for year_group in plan.year_groups
            for form in demo.FORMS
        )
    return school


def test_the_samples_preview_with_nothing_to_fix(demo_secondary):
    with scope(school=[demo_secondary.pk]):
        assert_samples_preview_cleanly(demo_secondary, demo.DEMO_DATE)


def test_the_samples_import_and_a_second_import_changes_nothing(demo_secondary):
    school, today = demo_secondary, demo.DEMO_DATE
    actor = Actor.system(school, today=today)
    with scope(school=[school.pk]):
        table, mapping, _check = roster_sample_check(school, today)
        result = commit_roster(actor=actor, school=school, table=table, mapping=mapping)
        assert (result["created"], result["classes_added"]) == (ROSTER_PUPILS, 0)
        counts = ctf_import(actor=actor, school=school, data=CTF.read_bytes())
        assert (counts["created"], counts["updated"]) == (CTF_PUPILS, 0)

        assert Pupil.objects.filter(school=school).count() == ROSTER_PUPILS + CTF_PUPILS
        macleod = Pupil.objects.get(upn="Q999400118903")
        assert macleod.enrolments.get().group.name == "8D"
        assert sorted(macleod.needs.values_list("rank", "need_type__code")) == [(1, "ASD"), (2, "SLCN")]
        foster_carer = ParentLink.objects.get(pupil__upn="P999400115907")
        assert (foster_carer.relationship, foster_carer.parental_responsibility) == ("foster_carer", False)
        # The statement is history; the EHC plan that replaced it is open. Year 6 in July is Year 7 now.
        niamh = Pupil.objects.get(upn="F999200119021")
        statuses = list(niamh.sen_statuses.order_by("starts_on").values_list("provision", "ends_on"))
        assert statuses == [("S", datetime.date(2018, 3, 29)), ("E", None)]
        assert niamh.year_group == 7
        assert not SenStatus.objects.filter(ends_on__isnull=True, provision__in=["S", "A", "P"]).exists()

        _table, _mapping, again = roster_sample_check(school, today)
        assert again.counts["unchanged"] == ROSTER_PUPILS and again.problems == []
        assert ctf_sample_check(school, today).counts()["skipped"] == CTF_PUPILS
