"""Checking and importing rosters: what is created and updated through the services, matching on UPN
(or name and date of birth), never a pupil twice, problems by row and column leaving the database
unchanged, all or nothing, and the same file twice changing nothing.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from waymark.core.models import AuditEvent
from waymark.exchange.roster import RosterImportFailed
from waymark.pupils import services as pupil_services
from waymark.pupils.models import Enrolment, Need, ParentLink, Pupil, SenStatus
from waymark.schools.models import ClassGroup, GroupStaff
from waymark.tests import factories as f
from waymark.tests.helpers import fingerprint

from .roster_files import HEADERS, check, class_rows, commit, csv_bytes, problems_of, sample

TODAY = datetime.date.today()


def everything():
    """Every row an import could write, audit included, and the parents' contact details."""
    with scopes_disabled():
        links = list(ParentLink.objects.order_by("pk").values_list("pk", "full_name", "email", "phone", "relationship"))
    return fingerprint(), class_rows(), links


def row_for(pupil, **changes):
    values = {
        "UPN": pupil.upn,
        "Surname": pupil.legal_surname,
        "Forename": pupil.legal_forename,
        "DOB": pupil.date_of_birth.strftime("%d/%m/%Y"),
        "Year": str(pupil.year_group),
        "Sex": pupil.sex,
    }
    values.update(changes)
    return values


def file_of(*rows):
    headers = list(rows[0])
    return csv_bytes([[row[h] for h in headers] for row in rows], headers=headers)


def pupil_by_upn(cast, upn):
    with scope(school=[cast.school.pk]):
        return Pupil.objects.get(school=cast.school, upn=upn)


def actions(cast):
    with scope(school=[cast.school.pk]):
        return sorted(AuditEvent.objects.values_list("action", flat=True))


# ----- creating -----


def test_a_sims_export_creates_pupils_statuses_needs_and_classes(cast):
    result = commit(cast, sample("sims.csv"))
    assert result["created"] == 3 and result["classes_added"] == 1
    aoife = pupil_by_upn(cast, "B873400115002")
    with scope(school=[cast.school.pk]):
        assert (aoife.legal_surname, aoife.preferred_name, aoife.year_group) == ("Ní Bhriain", "Eve", 9)
        assert aoife.date_of_birth == datetime.date(2012, 11, 2) and aoife.date_joined == datetime.date(2019, 9, 1)
        status = SenStatus.objects.get(pupil=aoife)
        assert (status.provision, status.tier, status.ends_on) == ("E", "specialist", None)
        assert sorted(Need.objects.filter(pupil=aoife).values_list("rank", "need_type__code")) == [
            (1, "ASD"),
            (2, "SLCN"),
        ]
        assert Enrolment.objects.get(pupil=aoife).group == cast.other_class_group  # 9B exists already
        new_class = ClassGroup.objects.get(school=cast.school, name="8C")
        assert new_class.academic_year == cast.year and new_class.year_group == 8
        assert Enrolment.objects.filter(group=new_class).count() == 2
    assert actions(cast).count("exchange.pupil.imported") == 3
    assert actions(cast).count("pupils.pupil.created") == 3


def test_an_arbor_export_adds_parents_and_carers(cast):
    commit(cast, sample("sims.csv"))
    result = commit(cast, sample("arbor.csv"))
    assert result["contacts_added"] == 2 and result["updated"] == 2
    chidi = pupil_by_upn(cast, "M873400115001")
    with scope(school=[cast.school.pk]):
        link = ParentLink.objects.get(pupil=chidi)
    assert (link.full_name, link.relationship, link.email, link.phone) == (
        "Ngozi Okafor", "mother", "ngozi.okafor@example.test", "07700 900123"
    )  # fmt: skip
    assert link.user is None and link.contact_by_email and link.parental_responsibility


# ----- the same file twice; one change -----


@pytest.mark.parametrize("name", ["sims.csv", "arbor.csv", "bromcom.csv", "windows-1252.csv"])
def test_importing_the_same_file_again_changes_nothing_and_writes_no_audit(cast, name):
    commit(cast, sample(name))
    before = everything()
    again = check(cast, sample(name))
    assert again.counts["unchanged"] == again.rows_total and not again.has_errors
    result = commit(cast, sample(name))
    assert result["created"] == result["updated"] == 0 and result["unchanged"] == again.rows_total
    assert everything() == before


def test_reimporting_with_one_change_updates_just_that(cast):
    commit(cast, sample("sims.csv"))
    before_pupils = {row[2]: row for row in fingerprint()["pupils"]}
    audit_before = len(actions(cast))
    changed = sample("sims.csv").replace(b"14/03/2013,M,Year 8", b"14/03/2013,M,Year 9")
    plan = check(cast, changed)
    assert plan.counts["update"] == 1 and plan.counts["unchanged"] == 2
    assert plan.summary()["listed"][0]["changes"] == ["Year group: Year 8 to Year 9"]
    commit(cast, changed)
    after = {row[2]: row for row in fingerprint()["pupils"]}
    assert after["M873400115001"][5] == 9 and after["M873400115001"][7] == before_pupils["M873400115001"][7] + 1
    assert {upn: row for upn, row in after.items() if upn != "M873400115001"} == {
        upn: row for upn, row in before_pupils.items() if upn != "M873400115001"
    }
    new_events = actions(cast)
    assert len(new_events) == audit_before + 2  # pupils.pupil.updated and exchange.pupil.import_updated


# ----- matching existing pupils -----


def test_a_pupil_is_found_by_upn_and_updated(cast):
    data = file_of({**row_for(cast.pupil, Forename="Zeph"), "Preferred forename": "Zed"})
    plan = check(cast, data)
    assert plan.counts["update"] == 1
    commit(cast, data)
    cast.pupil.refresh_from_db()
    assert (cast.pupil.legal_forename, cast.pupil.preferred_name) == ("Zeph", "Zed")


def test_a_upn_held_for_a_child_with_another_name_and_birthday_is_an_error(cast):
    before = everything()
    data = file_of(row_for(cast.pupil, Forename="Someone", Surname="Else", DOB="01/01/2012"))
    problems = problems_of(check(cast, data))
    assert problems[0][:2] == (2, "UPN") and "Waymark holds this UPN for Zephyrine Quartermaine" in problems[0][2]
    with pytest.raises(RosterImportFailed):
        commit(cast, data)
    assert everything() == before


def test_a_row_without_upn_is_matched_on_name_and_date_of_birth(cast):
    data = file_of(row_for(cast.other_pupil, UPN="", Year="10"))
    plan = check(cast, data)
    assert plan.counts["update"] == 1 and plan.plans[0].pupil_id == cast.other_pupil.pk


def test_a_new_upn_for_a_pupil_without_one_is_given_to_them(cast):
    no_upn = f.PupilFactory(school=cast.school, upn="", legal_forename="Nia", legal_surname="Jones")
    data = file_of(row_for(no_upn, UPN="M873400115001"))
    commit(cast, data)
    no_upn.refresh_from_db()
    assert no_upn.upn == "M873400115001"
    with scope(school=[cast.school.pk]):
        assert Pupil.objects.filter(legal_surname="Jones").count() == 1


def test_a_new_upn_for_a_child_who_already_has_another_is_an_error(cast):
    data = file_of(row_for(cast.pupil, UPN="M873400115001"))
    assert "already has the UPN" in problems_of(check(cast, data))[0][2]


def test_the_same_pupil_twice_in_a_file_is_an_error_on_the_later_row(cast):
    problems = problems_of(check(cast, sample("duplicate-upns.csv")))
    assert problems == [(3, "UPN", "Row 2 has this UPN too. A pupil can be in the file once.")]
    twice = file_of(row_for(cast.other_pupil, UPN=""), row_for(cast.other_pupil, UPN=""))
    assert "Row 2 has the same name and date of birth" in problems_of(check(cast, twice))[0][2]
    by_both = file_of(row_for(cast.other_pupil, UPN=""), row_for(cast.other_pupil))
    assert "Row 2 is the same pupil" in problems_of(check(cast, by_both))[0][2]


# ----- SEN status and needs -----


def test_a_new_provision_closes_the_old_status_and_keeps_the_tier_when_it_fits(cast):
    data = file_of({**row_for(cast.pupil), "SEN status": "E"})
    commit(cast, data)
    with scope(school=[cast.school.pk]):
        statuses = list(SenStatus.objects.filter(pupil=cast.pupil).order_by("starts_on"))
    assert [(s.provision, s.tier, s.ends_on) for s in statuses] == [
        ("K", "targeted", TODAY - datetime.timedelta(days=1)),
        ("E", "specialist", None),
    ]


def test_legacy_codes_are_refused_as_the_current_status(cast):
    data = file_of({**row_for(cast.pupil), "SEN status": "S"})
    ((row, column, message),) = problems_of(check(cast, data))
    assert (row, column) == (2, "SEN status") and "legacy code" in message


def test_needs_are_replaced_rank_by_rank_and_the_old_ones_ended(cast):
    data = file_of({**row_for(cast.pupil), "Primary need": "SLCN", "Secondary need": "ASD"})
    plan = check(cast, data)
    assert plan.summary()["listed"][0]["changes"] == ["Primary need: ASD to SLCN", "Secondary need: (none) to ASD"]
    commit(cast, data)
    with scope(school=[cast.school.pk]):
        open_needs = sorted(
            Need.objects.filter(pupil=cast.pupil, ends_on__isnull=True).values_list("rank", "need_type__code")
        )
        assert open_needs == [(1, "SLCN"), (2, "ASD")]
        assert Need.objects.get(pk=cast.need.pk).ends_on == TODAY


def test_a_need_for_a_pupil_without_sen_is_an_error_and_an_unknown_code_lists_the_codes(cast):
    no_sen = file_of({**row_for(cast.pupil), "SEN status": "N", "Primary need": "ASD"})
    assert "only for pupils on SEN support (K) or with an EHC plan (E)" in problems_of(check(cast, no_sen))[0][2]
    unknown = file_of({**row_for(cast.pupil), "Primary need": "XYZ"})
    message = problems_of(check(cast, unknown))[0][2]
    assert "XYZ is not a census need type" in message and "SLCN" in message


# ----- classes and teachers -----


def test_a_pupil_moves_class_and_a_teacher_is_added_to_a_new_class(cast):
    data = file_of(
        {**row_for(cast.pupil), "Reg": "8D", "Teacher": "teacher2@example.test"},
        {**row_for(cast.other_pupil), "Reg": "8D", "Teacher": "Theo Teacher"},
    )
    plan = check(cast, data)
    assert plan.counts["update"] == 2 and plan.summary()["classes"] == ["8D"]
    commit(cast, data)
    with scope(school=[cast.school.pk]):
        new_class = ClassGroup.objects.get(name="8D")
        assert list(GroupStaff.objects.filter(group=new_class).values_list("user", flat=True)) == [cast.teacher2.pk]
        current = Enrolment.objects.filter(pupil=cast.pupil, starts_on__lte=TODAY, ends_on__gte=TODAY)
        assert [e.group.name for e in current] == ["8D"]


def test_unknown_or_ambiguous_teachers_are_errors(cast):
    f.MembershipFactory(school=cast.school, user=f.UserFactory(full_name="Tess Teacher"), roles=["teacher"])
    ambiguous = file_of({**row_for(cast.pupil), "Reg": "8A", "Teacher": "Tess Teacher"})
    assert "More than one member of staff is called Tess Teacher" in problems_of(check(cast, ambiguous))[0][2]
    unknown = file_of({**row_for(cast.pupil), "Reg": "8A", "Teacher": "Nobody Here"})
    assert "No member of staff at this school is called Nobody Here" in problems_of(check(cast, unknown))[0][2]
    governor = file_of({**row_for(cast.pupil), "Reg": "8A", "Teacher": "Gail Governor"})
    assert problems_of(check(cast, governor)), "a governor does not teach a class"


def test_a_deputy_senco_cannot_add_classes_or_teachers(cast):
    deputy = f.MembershipFactory(school=cast.school, roles=["deputy_senco"]).user
    data = file_of({**row_for(cast.pupil), "Reg": "8Z", "Teacher": "Tess Teacher"})
    before = everything()
    problems = problems_of(check(cast, data, user=deputy))
    assert problems[0][1] == "Reg" and "only the SENCO or the head can add one" in problems[0][2]
    # An existing class is fine for a deputy, but adding a teacher to it is not.
    known = file_of({**row_for(cast.pupil), "Reg": "9B", "Teacher": "Tess Teacher"})
    assert problems_of(check(cast, known, user=deputy))[0][1] == "Teacher"
    moved = file_of({**row_for(cast.pupil), "Reg": "9B"})
    commit(cast, moved, user=deputy)
    assert everything()[0]["enrolments"] != before[0]["enrolments"]


def test_no_school_year_means_no_classes(cast):
    with scopes_disabled():
        cast.year.__class__.objects.filter(pk=cast.year.pk).update(
            starts_on=TODAY + datetime.timedelta(days=400), ends_on=TODAY + datetime.timedelta(days=700)
        )
    data = file_of({**row_for(cast.pupil), "Reg": "8A"})
    assert "No school year is set up for today" in problems_of(check(cast, data))[0][2]


# ----- parents and carers -----


def test_contacts_are_matched_by_email_then_name_and_never_duplicated(cast):
    data = file_of(
        {**row_for(cast.pupil), "Contact 1 name": "Paula Parent", "Contact 1 relationship": "Mother",
         "Contact 1 email": "PARENT@example.test", "Contact 1 phone": "01234 567890",
         "Contact 2 name": "Piers Restricted", "Contact 2 relationship": "Father", "Contact 2 email": "",
         "Contact 2 phone": ""}
    )  # fmt: skip
    plan = check(cast, data)
    assert not plan.has_errors
    assert plan.plans[0].contact_creates == []
    commit(cast, data)
    with scope(school=[cast.school.pk]):
        assert ParentLink.objects.filter(pupil=cast.pupil).count() == 3
        assert ParentLink.objects.get(pk=cast.parent_link.pk).phone == "01234 567890"
    assert check(cast, data).counts["unchanged"] == 1


def test_professionals_are_not_parents_and_a_contact_needs_a_name(cast):
    doctor = file_of({**row_for(cast.pupil), "Contact 1 name": "Dr Who", "Contact 1 relationship": "Doctor"})
    result = check(cast, doctor)
    assert not result.has_errors and result.counts["unchanged"] == 1
    assert "not a parent or carer" in result.problems[-1]["message"] and result.problems[-1]["severity"] == "warning"
    nameless = file_of({**row_for(cast.pupil), "Contact 1 name": "", "Contact 1 email": "x@example.test"})
    assert "Contact 1 has details but no name" in problems_of(check(cast, nameless))[0][2]


def test_an_email_another_parent_of_the_child_has_is_an_error(cast):
    data = file_of({**row_for(cast.pupil), "Contact 1 name": "Cleo Coparent", "Contact 1 email": "parent@example.test"})
    # Matched by email to Paula: the name would change to Cleo's, whose own record keeps its address.
    assert check(cast, data).plans[0].contact_updates


# ----- archived records -----


def test_changes_to_an_archived_record_are_refused_but_an_unchanged_row_is_fine(cast):
    with scopes_disabled():
        Pupil.objects.filter(pk=cast.pupil.pk).update(archived_at=timezone.now())
    cast.pupil.refresh_from_db()
    assert check(cast, file_of(row_for(cast.pupil))).counts["unchanged"] == 1
    problems = problems_of(check(cast, file_of(row_for(cast.pupil, Year="9"))))
    assert "record is archived" in problems[0][2]


# ----- bad files leave everything as it was -----


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("missing-columns.csv", (0, "", "Choose the column that holds “Legal first name”. Every pupil needs it.")),
        ("duplicate-upns.csv", (3, "UPN", "Row 2 has this UPN too. A pupil can be in the file once.")),
        ("bad-check-letters.csv", (2, "UPN", "The check letter does not match the rest of this UPN. "
                                             "Check it has been typed correctly.")),
        ("impossible-dates.csv", (2, "DOB", "31/02/2013 is not a real date.")),
    ],
)  # fmt: skip
def test_malformed_files_give_clear_errors_and_change_nothing(cast, name, expected):
    before = everything()
    result = check(cast, sample(name))
    assert expected in problems_of(result)
    with pytest.raises(RosterImportFailed):
        commit(cast, sample(name))
    assert everything() == before


def test_a_failure_half_way_rolls_back_everything(cast, monkeypatch):
    before = everything()
    real_create = pupil_services.pupil_create
    calls = []

    def failing_create(**kwargs):
        calls.append(kwargs["legal_surname"])
        if len(calls) == 3:
            raise ValidationError("The database said no.")
        return real_create(**kwargs)

    monkeypatch.setattr(pupil_services, "pupil_create", failing_create)
    with pytest.raises(RosterImportFailed) as failure:
        commit(cast, sample("sims.csv"))
    assert failure.value.message.startswith("Row 4 (Riya Patel) could not be imported: The database said no.")
    assert len(calls) == 3  # two pupils and a class went in before the failure, and all were rolled back
    assert everything() == before


def test_a_several_megabyte_file_is_accepted_and_previewed(cast):
    notes = "x" * 300
    rows = [
        [f.make_upn("873", "4001", n % 1000, year=f"{10 + n // 1000:02d}"), f"Surname{n}", f"Forename{n}",
         "14/03/2013", "8", "F", notes]
        for n in range(1, 8001)
    ]  # fmt: skip
    data = csv_bytes(rows, headers=[*HEADERS, "Notes"])
    assert len(data) > 2.5 * 1024 * 1024
    before = everything()
    result = check(cast, data)
    assert result.counts["create"] == 8000 and not result.has_errors
    assert len(result.summary()["listed"]) == 2000 and result.summary()["not_listed"] == 6000
    assert everything() == before


def test_an_xlsx_with_date_cells_imports_like_the_csv(cast):
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["UPN", "Legal Surname", "Legal Forename", "DOB", "NC Year", "Gender", "Admission Date"])
    sheet.append(["M873400115001", "Okafor", "Chidi", datetime.datetime(2013, 3, 14), 8, "M", 43709])
    out = io.BytesIO()
    workbook.save(out)
    result = commit(cast, out.getvalue())
    assert result["created"] == 1
    chidi = pupil_by_upn(cast, "M873400115001")
    assert (chidi.date_of_birth, chidi.date_joined) == (datetime.date(2013, 3, 14), datetime.date(2019, 9, 1))
    assert commit(cast, out.getvalue())["unchanged"] == 1


def test_a_teacher_is_added_to_the_class_the_pupil_is_already_in(cast):
    data = file_of({**row_for(cast.pupil), "Reg": "8A", "Teacher": "Theo Teacher"})
    plan = check(cast, data)
    assert plan.summary()["listed"][0]["changes"] == ["Teacher added to the class: Theo Teacher"]
    before_enrolments = fingerprint()["enrolments"]
    commit(cast, data)
    with scope(school=[cast.school.pk]):
        assert GroupStaff.objects.filter(group=cast.class_group, user=cast.teacher2).exists()
    assert fingerprint()["enrolments"] == before_enrolments
    assert check(cast, data).counts["unchanged"] == 1
