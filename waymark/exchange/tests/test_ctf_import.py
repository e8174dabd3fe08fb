"""The CTF import end to end, without the pages: what the preview says, what the commit writes,
that legacy codes never become the open status, that the school's own record wins, and that
importing the same file again changes nothing.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django_scopes import scope, scopes_disabled

from waymark.core.actor import Actor
from waymark.core.models import AuditEvent
from waymark.exchange.ctf.commit import CTFNotImported, ctf_import
from waymark.exchange.ctf.history import need_history_add, sen_history_add
from waymark.pupils.models import Need, NeedType, Pupil, SenStatus
from waymark.tests import factories as f
from waymark.tests.helpers import fingerprint

from .ctf_helpers import TODAY, check, ctf_bytes, ctf_document, ctf_pupil, need, sen, system_actor

D = datetime.date


def run_import(school, data, user=None):
    with scope(school=[school.pk]):
        return ctf_import(actor=system_actor(school, user), school=school, data=data)


def pupil_by_upn(school, upn):
    with scope(school=[school.pk]):
        return Pupil.objects.get(school=school, upn=upn)


def statuses(pupil):
    with scopes_disabled():
        return [
            (s.provision, s.tier, s.starts_on, s.ends_on)
            for s in SenStatus.objects.filter(pupil=pupil).order_by("starts_on")
        ]


def needs(pupil):
    with scopes_disabled():
        return sorted(
            (n.need_type.code, n.rank, n.starts_on, n.ends_on)
            for n in Need.objects.filter(pupil=pupil).select_related("need_type")
        )


# ----- a new school's worth of pupils -----


def test_the_preview_of_the_dfe_file_lists_five_new_pupils_and_changes_nothing(ctf_school):
    before = fingerprint()
    result = check(ctf_school, ctf_bytes("dfe_several_pupils.xml"))
    assert result.ok, result.problems
    assert result.counts() == {"pupils": 5, "created": 5, "updated": 0, "skipped": 0, "problems": 0, "warnings": 1}
    assert result.header["source_name"] == "Hillside Academy"
    assert result.header["version"] == "26.0"
    assert result.header["written_on"] == "2026-07-14"
    khan = result.of_kind("create")[0]
    assert khan.label == "Pupil 1 (UPN C823410213011, Khan)"
    assert "Current SEN provision: E – Education, health and care plan from 18 March 2019" in khan.lines
    assert "History: A – School Action (legacy) from 2 September 2013 to 5 January 2014" in khan.lines
    assert "Need: SLCN (primary need)" in khan.lines
    # A file from last school year: year groups move on, and the preview says so.
    assert "Born 11 February 2009, Year 13, female" in khan.lines
    assert "moved on by 1" in result.warnings[0]["message"]
    assert fingerprint() == before


def test_committing_creates_pupils_with_their_history_and_ranked_needs(ctf_school, cast):
    counts = run_import(ctf_school, ctf_bytes("dfe_several_pupils.xml"), user=cast.senco)
    assert counts == {"pupils": 5, "created": 5, "updated": 0, "skipped": 0}

    khan = pupil_by_upn(ctf_school, "C823410213011")
    assert (khan.legal_forename, khan.legal_surname, khan.sex, khan.year_group) == ("Ayesha", "Khan", "F", 13)
    assert khan.date_of_birth == D(2009, 2, 11) and khan.date_joined == TODAY
    assert statuses(khan) == [
        ("A", "targeted", D(2013, 9, 2), D(2014, 1, 5)),
        ("P", "targeted_plus", D(2014, 1, 6), D(2015, 3, 31)),
        ("K", "targeted", D(2015, 4, 1), D(2019, 3, 17)),
        ("E", "specialist", D(2019, 3, 18), None),
    ]
    assert needs(khan) == [("ASD", 2, D(2019, 3, 18), None), ("SLCN", 1, None, None)]

    brown = pupil_by_upn(ctf_school, "A823410213027")
    assert brown.preferred_name == "Ollie"
    assert statuses(brown) == [
        ("S", "specialist", D(2012, 5, 14), D(2017, 11, 30)),
        ("E", "specialist", D(2017, 12, 1), None),
    ]
    # The hearing need ended; vision is the secondary need now.
    assert needs(brown) == [
        ("HI", 2, D(2014, 2, 3), D(2020, 7, 17)),
        ("PD", 1, D(2012, 5, 14), None),
        ("VI", 2, D(2020, 7, 20), None),
    ]

    oduya = pupil_by_upn(ctf_school, "Q823410215104")  # no SEN history at all
    assert statuses(oduya) == [("N", "universal", TODAY, None)] and needs(oduya) == []

    nowak = pupil_by_upn(ctf_school, "B823410216052")  # SEN support that ended
    assert statuses(nowak) == [
        ("K", "targeted", D(2021, 9, 1), D(2023, 7, 21)),
        ("N", "universal", D(2023, 7, 22), None),
    ]
    assert needs(nowak) == [("SPLD", 1, D(2021, 9, 1), D(2023, 7, 21))]

    with scopes_disabled():
        events = list(AuditEvent.objects.filter(action__startswith="exchange.").values_list("action", flat=True))
        assert events.count("exchange.pupil.imported") == 5
        assert all(e.actor_id == cast.senco.pk for e in AuditEvent.objects.filter(action="exchange.pupil.imported"))


def test_a_legacy_code_is_never_the_open_status(ctf_school):
    run_import(ctf_school, ctf_bytes("ctf16_gender.xml"))
    tobi = pupil_by_upn(ctf_school, "T319200113033")
    # P was still open in the file: closed the day before the file was written, then N.
    assert statuses(tobi) == [
        ("P", "targeted_plus", D(2013, 9, 2), D(2026, 10, 4)),
        ("N", "universal", D(2026, 10, 5), None),
    ]
    with scopes_disabled():
        assert not SenStatus.objects.filter(ends_on__isnull=True, provision__in=["S", "A", "P"]).exists()


def test_importing_the_same_file_again_changes_nothing(ctf_school):
    data = ctf_bytes("dfe_several_pupils.xml")
    run_import(ctf_school, data)
    before = fingerprint()
    result = check(ctf_school, data)
    assert result.counts()["skipped"] == 5 and result.counts()["created"] == result.counts()["updated"] == 0
    assert all(plan.reason == "Nothing in the file is new for this pupil." for plan in result.plans)
    counts = run_import(ctf_school, data)
    assert counts == {"pupils": 5, "created": 0, "updated": 0, "skipped": 5}
    assert_only_the_import_was_recorded(before)


def assert_only_the_import_was_recorded(before):
    """Nothing changed but one more audit event: that the (empty) import ran."""
    after = fingerprint()
    assert {key: value for key, value in after.items() if key != "audit"} == {
        key: value for key, value in before.items() if key != "audit"
    }
    assert after["audit"] == before["audit"] + 1
    with scopes_disabled():
        assert AuditEvent.objects.order_by("-pk").first().action == "exchange.import.committed"


@pytest.mark.parametrize("name", ["ctf16_gender.xml", "namespaced.xml", "minimal.xml"])
def test_every_sample_file_imports_and_reimports_to_nothing(ctf_school, name):
    data = ctf_bytes(name)
    first = run_import(ctf_school, data)
    assert first["created"] == first["pupils"]
    before = fingerprint()
    assert run_import(ctf_school, data)["skipped"] == first["pupils"]
    assert_only_the_import_was_recorded(before)


# ----- pupils the school already has -----


@pytest.fixture
def known(ctf_school, cast):
    """Ayesha Khan on roll here since September 2024 with K (targeted plus) and SLCN as her primary need."""
    with scopes_disabled():
        pupil = f.PupilFactory(
            school=ctf_school,
            upn="C823410213011",
            legal_forename="Aisha",
            legal_surname="Khan",
            date_of_birth=D(2009, 2, 11),
            year_group=13,
            sex="F",
            date_joined=D(2024, 9, 2),
        )
        f.SenStatusFactory(pupil=pupil, provision="K", tier="targeted_plus", starts_on=D(2024, 9, 2))
        f.NeedFactory(pupil=pupil, need_type=NeedType.objects.get(code="SLCN"), rank=1)
    return pupil


def test_an_existing_pupil_is_updated_and_the_schools_own_record_wins(ctf_school, known):
    data = ctf_document(
        ctf_pupil(
            "C823410213011",
            "Khan",
            dob="2009-02-11",
            year="13",
            sen=sen("2013-09-02", "A") + sen("2015-04-01", "K") + sen("2025-03-18", "E"),
            needs=need("ASD", 1) + need("SEMH", 2) + need("HI", 2, "2014-01-01", "2016-07-20"),
        ),
    )
    result = check(ctf_school, data)
    assert result.ok, result.problems
    [plan] = result.plans
    assert plan.kind == "update"
    assert "Legal first name: Aisha to Sam" in plan.lines
    # Before the school's own history: added. K ran into it: skipped, and so is the newer E.
    assert "History added: A – School Action (legacy) from 2 September 2013 to 31 March 2015" in plan.lines
    assert any(line.startswith("K – SEN support from 1 April 2015 to 17 March 2025: overlaps") for line in plan.skipped)
    assert any("An import never changes the school's own record" in line for line in plan.skipped)
    assert "Need ASD (primary need): this school records SLCN as the primary need." in plan.skipped
    assert "Need added: SEMH (secondary need)" in plan.lines
    assert "Past need added: HI (secondary need) from 1 January 2014 to 20 July 2016" in plan.lines

    run_import(ctf_school, data)
    pupil = pupil_by_upn(ctf_school, "C823410213011")
    assert pupil.legal_forename == "Sam"
    assert statuses(pupil) == [
        ("A", "targeted", D(2013, 9, 2), D(2015, 3, 31)),
        ("K", "targeted_plus", D(2024, 9, 2), None),
    ]
    assert needs(pupil) == [("HI", 2, D(2014, 1, 1), D(2016, 7, 20)), ("SEMH", 2, None, None), ("SLCN", 1, None, None)]
    with scopes_disabled():
        event = AuditEvent.objects.get(action="exchange.pupil.import_updated")
        assert event.data["fields"] == ["legal_forename"] and event.data["history"] == 1
    # Again: nothing new.
    assert check(ctf_school, data).plans[0].kind == "skip"


def test_a_preferred_name_is_changed_only_by_one_that_differs_from_the_legal_name(ctf_school, known):
    with scopes_disabled():
        Pupil.objects.filter(pk=known.pk).update(legal_forename="Sam", preferred_name="Sammy")
    same = "<BasicDetails><PreferredForename>Sam</PreferredForename><NCyearActual>13</NCyearActual></BasicDetails>"
    pupil = ctf_pupil("C823410213011", "Khan", dob="2009-02-11", year="13")
    result = check(
        ctf_school, ctf_document(pupil.replace("<BasicDetails><NCyearActual>13</NCyearActual></BasicDetails>", same))
    )
    assert result.plans[0].kind == "skip"
    other = same.replace("<PreferredForename>Sam<", "<PreferredForename>Sasha<")
    result = check(
        ctf_school, ctf_document(pupil.replace("<BasicDetails><NCyearActual>13</NCyearActual></BasicDetails>", other))
    )
    assert result.plans[0].fields == {"preferred_name": "Sasha"}
    assert "Preferred first name: Sammy to Sasha" in result.plans[0].lines


def test_an_archived_pupil_is_skipped_with_the_reason(ctf_school, known):
    with scopes_disabled():
        Pupil.objects.filter(pk=known.pk).update(archived_at=datetime.datetime(2026, 8, 1, tzinfo=datetime.UTC))
    before = fingerprint()
    result = check(ctf_school, ctf_document(ctf_pupil("C823410213011", "Khan", dob="2009-02-11", year="13")))
    [plan] = result.plans
    assert plan.kind == "skip" and "archived" in plan.reason
    run_import(ctf_school, ctf_document(ctf_pupil("C823410213011", "Khan", dob="2009-02-11", year="13")))
    assert fingerprint()["pupils"] == before["pupils"]


def test_a_pupil_of_another_school_with_the_same_upn_is_not_touched(ctf_school, cast):
    with scopes_disabled():
        f.PupilFactory(school=cast.other_school, upn="C823410213011", legal_surname="Elsewhere")
    result = check(ctf_school, ctf_document(ctf_pupil("C823410213011", "Khan")))
    assert [plan.kind for plan in result.plans] == ["create"]


def test_a_new_pupil_needs_a_year_group(ctf_school):
    result = check(ctf_school, ctf_document(ctf_pupil("C823410213011", "Khan", year="X")))
    assert not result.ok
    assert result.problems[0]["column"] == "NCyearActual" and "needs a year group" in result.problems[0]["message"]


def test_an_existing_pupil_keeps_their_year_group_when_the_file_gives_none(ctf_school, known):
    result = check(ctf_school, ctf_document(ctf_pupil("C823410213011", "Khan", dob="2009-02-11", year="X")))
    assert result.ok and "year_group" not in result.plans[0].fields


# ----- all or nothing -----


def test_a_file_with_one_bad_pupil_imports_nobody(ctf_school):
    before = fingerprint()
    with pytest.raises(CTFNotImported) as refused:
        run_import(ctf_school, ctf_bytes("bad/bad_check_letter.xml"))
    assert "check letter" in str(refused.value)
    assert fingerprint() == before


def test_a_failure_half_way_rolls_everything_back(ctf_school, monkeypatch):
    from waymark.exchange.ctf import commit

    calls = []

    def fail_on_second(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(**kwargs)

    original = commit.pupil_create
    monkeypatch.setattr(commit, "pupil_create", fail_on_second)
    before = fingerprint()
    with pytest.raises(RuntimeError):
        run_import(ctf_school, ctf_bytes("dfe_several_pupils.xml"))
    assert fingerprint() == before


@pytest.mark.parametrize("who", ["head", "dsl", "teacher", "trust_lead", "other_senco"])
def test_only_importers_may_commit(ctf_school, cast, who):
    actor = Actor.for_user(getattr(cast, who))
    before = fingerprint()
    with scope(school=[ctf_school.pk]), pytest.raises(PermissionDenied):
        ctf_import(actor=actor, school=ctf_school, data=ctf_bytes("minimal.xml"))
    assert fingerprint() == before


def test_a_deputy_senco_may_import(ctf_school):
    deputy = f.MembershipFactory(school=ctf_school, roles=["deputy_senco"]).user
    with scope(school=[ctf_school.pk]):
        counts = ctf_import(actor=Actor.for_user(deputy), school=ctf_school, data=ctf_bytes("minimal.xml"))
    assert counts["created"] == 1


# ----- the history services -----


def test_sen_history_add_refuses_an_open_or_overlapping_period(ctf_school, known):
    from django.core.exceptions import ValidationError

    actor = system_actor(ctf_school)
    with scope(school=[ctf_school.pk]):
        with pytest.raises(ValidationError, match="end date"):
            sen_history_add(
                actor=actor, pupil=known, provision="A", tier="targeted", starts_on=D(2013, 1, 1), ends_on=None
            )
        with pytest.raises(ValidationError, match="overlaps"):
            sen_history_add(
                actor=actor, pupil=known, provision="K", tier="targeted", starts_on=D(2023, 1, 1), ends_on=D(2024, 9, 2)
            )
        status = sen_history_add(
            actor=actor, pupil=known, provision="S", tier="specialist", starts_on=D(2012, 1, 1), ends_on=D(2024, 9, 1)
        )
    assert status.ends_on == D(2024, 9, 1)


def test_the_history_services_refuse_those_who_may_not_edit_the_pupil(ctf_school, known, cast):
    actor = Actor.for_user(cast.teacher)
    slcn = NeedType.objects.get(code="SLCN")
    with scope(school=[ctf_school.pk]):
        with pytest.raises(PermissionDenied):
            sen_history_add(
                actor=actor, pupil=known, provision="A", tier="targeted", starts_on=D(2013, 1, 1), ends_on=D(2014, 1, 1)
            )
        with pytest.raises(PermissionDenied):
            need_history_add(actor=actor, pupil=known, need_type=slcn, rank=1, starts_on=None, ends_on=D(2014, 1, 1))
