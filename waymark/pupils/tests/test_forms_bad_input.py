"""Bad input through the pages: each gets a specific message in the GOV.UK error summary and changes nothing."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django_scopes import scopes_disabled

from waymark.core.services import STALE_MESSAGE
from waymark.pupils.models import NeedType, ParentLink, Pupil, SenStatus
from waymark.tests.helpers import date_fields, error_summary, fingerprint, pupil_post_data

TODAY = datetime.date.today()


def post_refused(client, url, data, message):
    """POST ``data``; the page comes back with ``message`` in the error summary and nothing saved."""
    before = fingerprint()
    response = client.post(url, data)
    assert response.status_code == 200, response.status_code
    summary = error_summary(response)
    assert message in summary, summary
    assert "Error: " in response.content.decode()  # the page title says so too
    assert fingerprint() == before
    return response


@pytest.fixture
def senco(cast, client_for):
    return client_for(cast.senco)


def edit_url(cast):
    return reverse("pupils:pupil-edit", args=[cast.pupil.public_id])


def status_url(cast):
    return reverse("pupils:sen-status-change", args=[cast.pupil.public_id])


def status_data(cast, provision, tier, starts_on=TODAY, **extra):
    return {
        "lock_version": str(cast.pupil.lock_version),
        "provision": provision,
        "tier": tier,
        **date_fields("starts_on", starts_on),
        **extra,
    }


# ----- UPNs -----


@pytest.mark.parametrize(
    ("upn", "message"),
    [
        ("A935212318001", "The check letter does not match the rest of this UPN."),
        ("W93521231800", "A UPN has 13 characters; this one has 12."),
        ("W93521231800I", "A UPN is a letter, 11 digits, then a digit or (for a temporary UPN) a letter."),
    ],
)
def test_bad_upn_on_the_edit_page(cast, senco, upn, message):
    post_refused(senco, edit_url(cast), pupil_post_data(cast.pupil, upn=upn), message)


def test_bad_upn_when_adding_a_pupil(cast, senco):
    data = {
        **pupil_post_data(cast.pupil, legal_forename="Newcomer", upn="A935212318001", lock_version=""),
        "provision": "N",
        "tier": "universal",
    }
    post_refused(senco, reverse("pupils:pupil-create"), data, "The check letter does not match")


def test_a_upn_another_pupil_holds_is_refused(cast, senco):
    with scopes_disabled():
        taken = Pupil.objects.get(pk=cast.other_pupil.pk).upn
    post_refused(
        senco,
        edit_url(cast),
        pupil_post_data(cast.pupil, upn=taken),
        "Another pupil at this school already has this UPN.",
    )


def test_a_valid_upn_from_the_samples_is_saved(cast, senco):
    response = senco.post(edit_url(cast), pupil_post_data(cast.pupil, upn="w935 2123 18001"))
    assert response.status_code == 302
    with scopes_disabled():
        assert Pupil.objects.get(pk=cast.pupil.pk).upn == "W935212318001"


# ----- dates -----


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ((31, 2, 2015), "Date of birth must be a real date"),
        ((29, 2, 2015), "Date of birth must be a real date"),  # not a leap year
        ((1, 13, 2015), "Date of birth must be a real date"),
        (("x", 3, 2015), "Date of birth must be a real date"),
        ((14, 3, 15), "Date of birth year must include 4 numbers"),
        ((14, "", 2015), "Date of birth must include a month"),
        (("", "", ""), "Enter a date of birth"),
    ],
)
def test_impossible_date_of_birth(cast, senco, parts, message):
    data = pupil_post_data(cast.pupil, **date_fields("date_of_birth", parts))
    post_refused(senco, edit_url(cast), data, message)


def test_date_of_birth_in_the_future(cast, senco):
    data = pupil_post_data(
        cast.pupil,
        **date_fields("date_of_birth", TODAY + datetime.timedelta(days=3)),
        **date_fields("date_joined", TODAY + datetime.timedelta(days=5)),
    )
    post_refused(senco, edit_url(cast), data, "Date of birth must be in the past.")


def test_joined_before_born(cast, senco):
    data = pupil_post_data(cast.pupil, **date_fields("date_joined", cast.pupil.date_of_birth - datetime.timedelta(1)))
    post_refused(senco, edit_url(cast), data, "The date they joined must be after their date of birth.")


def test_impossible_sen_status_start_date(cast, senco):
    post_refused(senco, status_url(cast), status_data(cast, "E", "specialist", (31, 2, 2027)), "must be a real date")


def test_impossible_need_end_date(cast, senco):
    url = reverse("pupils:need-end", args=[cast.need.public_id])
    data = {"lock_version": str(cast.need.lock_version), **date_fields("ends_on", (31, 2, TODAY.year))}
    post_refused(senco, url, data, "must be a real date")


# ----- SEN provision and tier -----


def test_second_open_provision_with_the_same_code_is_refused(cast, senco):
    post_refused(
        senco,
        status_url(cast),
        status_data(cast, "K", "targeted"),
        "That is already the pupil's current provision and tier.",
    )


def test_second_open_provision_is_refused_by_the_database(cast):
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        SenStatus.objects.create(pupil=cast.pupil, provision="E", tier="specialist", starts_on=TODAY)


def test_new_status_cannot_start_before_the_current_one(cast, senco):
    data = status_data(cast, "E", "specialist", cast.last_year.starts_on - datetime.timedelta(days=1))
    post_refused(senco, status_url(cast), data, "The new status must start after the current one, which started on")


def test_ehc_plan_outside_the_specialist_tier(cast, senco):
    post_refused(
        senco,
        status_url(cast),
        status_data(cast, "E", "targeted"),
        "A pupil with an EHC plan is in the specialist tier.",
    )


def test_specialist_tier_without_an_ehc_plan(cast, senco):
    post_refused(
        senco,
        status_url(cast),
        status_data(cast, "K", "specialist"),
        "The specialist tier is for pupils with an EHC plan (provision E).",
    )


def test_no_sen_outside_the_universal_tier(cast, senco):
    post_refused(
        senco,
        status_url(cast),
        status_data(cast, "N", "targeted"),
        "A pupil with no SEN (provision N) is in the universal tier.",
    )


@pytest.mark.parametrize("code", ["S", "A", "P", "X"])
def test_legacy_or_unknown_provision_codes_cannot_be_chosen(cast, senco, code):
    post_refused(senco, status_url(cast), status_data(cast, code, "targeted"), "Select a valid choice.")


def test_a_valid_status_change_saves(cast, senco):
    response = senco.post(status_url(cast), status_data(cast, "E", "specialist"))
    assert response.status_code == 302
    with scopes_disabled():
        open_status = SenStatus.objects.get(pupil=cast.pupil, ends_on__isnull=True)
        assert (open_status.provision, open_status.tier, open_status.starts_on) == ("E", "specialist", TODAY)
        assert SenStatus.objects.get(pupil=cast.pupil, provision="K").ends_on == TODAY - datetime.timedelta(days=1)


# ----- needs -----


def need_data(need_type, rank=2, **extra):
    return {
        "need_type": str(need_type),
        "rank": str(rank),
        "description": "",
        "visibility": "everyone",
        **date_fields("starts_on", None),
        **extra,
    }


@pytest.mark.parametrize("forged", ["999999", "ASD", "-1", ""])
def test_unknown_need_type_is_refused(cast, senco, forged):
    url = reverse("pupils:need-create", args=[cast.pupil.public_id])
    # An empty choice gets the GOV.UK "Select ..." wording from the renderer.
    message = "Choose a type of need from the list." if forged else "Select type of need"
    post_refused(senco, url, need_data(forged), message)


def test_an_inactive_need_type_is_refused(cast, senco):
    NeedType.objects.filter(code="MLD").update(is_active=False)
    url = reverse("pupils:need-create", args=[cast.pupil.public_id])
    post_refused(senco, url, need_data(NeedType.objects.get(code="MLD").pk), "Choose a type of need from the list.")


def test_a_second_need_with_the_same_rank_or_type(cast, senco):
    url = reverse("pupils:need-create", args=[cast.pupil.public_id])
    spld = NeedType.objects.get(code="SPLD").pk
    asd = NeedType.objects.get(code="ASD").pk
    post_refused(senco, url, need_data(spld, rank=1), "This pupil already has a need ranked 1.")
    post_refused(senco, url, need_data(asd, rank=2), "This pupil already has ASD as a need.")


def test_the_senco_may_mark_a_need_restricted(cast, client_for):
    url = reverse("pupils:need-create", args=[cast.pupil.public_id])
    spld = NeedType.objects.get(code="SPLD").pk
    response = client_for(cast.senco).post(url, need_data(spld, visibility="restricted"))
    assert response.status_code == 302


# ----- forged ids -----


def test_another_schools_pupil_is_missing(cast, senco):
    before = fingerprint()
    for name in ("pupil-edit", "sen-status-change", "need-create", "pupil-detail"):
        url = reverse(f"pupils:{name}", args=[cast.other_school_pupil.public_id])
        assert senco.post(url, pupil_post_data(cast.other_school_pupil)).status_code in (404, 405)
        assert senco.get(url).status_code == 404
    assert senco.get(reverse("pupils:need-edit", args=[cast.other_school_need.public_id])).status_code == 404
    link_url = reverse("pupils:parent-link-status", args=[cast.other_school_link.public_id])
    assert senco.post(link_url, {"lock_version": "0", "status": "suspended", "status_reason": "x"}).status_code == 404
    assert fingerprint() == before


def test_a_forged_school_field_is_ignored_when_adding_a_pupil(cast, senco):
    data = {
        **pupil_post_data(cast.pupil, legal_forename="Newcomer", upn="", lock_version=""),
        "provision": "N",
        "tier": "universal",
        "school": str(cast.other_school.public_id),
        "school_id": str(cast.other_school.pk),
    }
    assert senco.post(reverse("pupils:pupil-create"), data).status_code == 302
    with scopes_disabled():
        assert Pupil.objects.get(legal_forename="Newcomer").school_id == cast.school.pk


@pytest.mark.parametrize("which", ["other_school", "last_year", "unknown"])
def test_a_forged_group_filter_is_ignored(cast, senco, which):
    group = {
        "other_school": lambda: str(cast.other_school_class.public_id),
        "last_year": lambda: str(cast.last_year_class.public_id),
        "unknown": lambda: "00000000-0000-0000-0000-000000000000",
    }[which]()
    response = senco.get(reverse("pupils:register-list"), {"group": group})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Quartermaine" in html and "Blackthorn" in html
    assert "Featherstone" not in html


def test_a_real_group_filter_applies(cast, senco):
    html = senco.get(reverse("pupils:register-list"), {"group": str(cast.class_group.public_id)}).content.decode()
    assert "Quartermaine" in html and "Blackthorn" not in html


def test_a_teacher_cannot_widen_the_register_with_filters(cast, client_for):
    client = client_for(cast.teacher)
    for params in ({"group": str(cast.other_class_group.public_id)}, {"year_group": "9"}, {"q": "Blackthorn"}):
        html = client.get(reverse("pupils:register-list"), {**params, "provision": "all"}).content.decode()
        assert str(cast.other_pupil.public_id) not in html  # the search box echoes a name, so look for its link


# ----- stale forms -----


def test_stale_pupil_edit(cast, client_for):
    first, second = client_for(cast.senco), client_for(cast.senco)
    url = edit_url(cast)
    assert first.get(url).status_code == 200 and second.get(url).status_code == 200
    assert first.post(url, pupil_post_data(cast.pupil, legal_forename="First")).status_code == 302
    post_refused(second, url, pupil_post_data(cast.pupil, legal_forename="Second"), str(STALE_MESSAGE))
    with scopes_disabled():
        assert Pupil.objects.get(pk=cast.pupil.pk).legal_forename == "First"


def test_stale_sen_status_change(cast, senco):
    url = status_url(cast)
    assert senco.post(url, status_data(cast, "E", "specialist")).status_code == 302
    tomorrow = TODAY + datetime.timedelta(days=1)
    post_refused(senco, url, status_data(cast, "K", "targeted_plus", tomorrow), "Someone else saved changes")


def test_stale_need_edit(cast, senco):
    url = reverse("pupils:need-edit", args=[cast.need.public_id])
    asd = NeedType.objects.get(code="ASD").pk
    data = need_data(asd, rank=1, lock_version=str(cast.need.lock_version))
    assert senco.post(url, {**data, "description": "First"}).status_code == 302
    post_refused(senco, url, {**data, "description": "Second"}, "Someone else saved changes")


def test_stale_parent_link_status(cast, senco):
    url = reverse("pupils:parent-link-status", args=[cast.parent_link.public_id])
    data = {"lock_version": str(cast.parent_link.lock_version), "status": "suspended", "status_reason": "First"}
    assert senco.post(url, data).status_code == 302
    post_refused(senco, url, {**data, "status": "restricted", "status_reason": "Second"}, "Someone else saved changes")
    with scopes_disabled():
        assert ParentLink.objects.get(pk=cast.parent_link.pk).status == "suspended"


def test_restricting_a_link_needs_a_reason(cast, senco):
    url = reverse("pupils:parent-link-status", args=[cast.parent_link.public_id])
    data = {"lock_version": str(cast.parent_link.lock_version), "status": "restricted", "status_reason": "  "}
    post_refused(senco, url, data, "Give the reason this link is restricted or suspended.")


def test_stale_membership_edit(cast, senco):
    url = reverse("schools:membership-edit", args=[cast.teacher_membership.public_id])
    data = {"lock_version": str(cast.teacher_membership.lock_version), **date_fields("ends_on", None)}
    assert senco.post(url, {**data, "roles": ["teacher", "ta"]}).status_code == 302
    post_refused(senco, url, {**data, "roles": ["ta"]}, "Someone else saved changes")


def test_membership_roles_bad_input(cast, senco):
    url = reverse("schools:membership-edit", args=[cast.teacher_membership.public_id])
    data = {"lock_version": str(cast.teacher_membership.lock_version), **date_fields("ends_on", None)}
    post_refused(senco, url, {**data, "roles": ["wizard"]}, "Select a valid choice.")
    post_refused(senco, url, data, "Choose at least one role.")
    post_refused(senco, url, {**data, "roles": ["head_of_year"]}, "Choose the year groups a head of year leads.")


def test_the_senco_cannot_remove_their_own_senco_role(cast, senco):
    url = reverse("schools:membership-edit", args=[cast.senco_membership.public_id])
    data = {
        "lock_version": str(cast.senco_membership.lock_version),
        "roles": ["teacher"],
        **date_fields("ends_on", None),
    }
    post_refused(senco, url, data, "You cannot remove your own SENCO role.")


def test_impossible_dates_for_a_school_year(cast, senco):
    url = reverse("schools:academic-year-create")
    data = {"name": "Later", **date_fields("starts_on", (31, 2, 2030)), **date_fields("ends_on", (31, 8, 2031))}
    post_refused(senco, url, data, "First day must be a real date")
    data = {"name": "Backwards", **date_fields("starts_on", (1, 9, 2031)), **date_fields("ends_on", (31, 8, 2031))}
    post_refused(senco, url, data, "The last day must be after the first day.")
    overlapping = cast.year.starts_on + datetime.timedelta(days=30)
    data = {"name": "Overlap", **date_fields("starts_on", overlapping), **date_fields("ends_on", cast.year.ends_on)}
    post_refused(senco, url, data, "This school year overlaps")


def test_a_school_year_starting_on_the_same_day_says_it_overlaps(cast, senco):
    url = reverse("schools:academic-year-create")
    same = {**date_fields("starts_on", cast.year.starts_on), **date_fields("ends_on", cast.year.ends_on)}
    post_refused(senco, url, {"name": "Again", **same}, "This school year overlaps")


def test_a_term_outside_its_school_year(cast, senco):
    url = reverse("schools:term-create", args=[cast.year.public_id])
    outside = cast.year.ends_on + datetime.timedelta(days=10)
    data = {"name": "Summer", **date_fields("starts_on", cast.year.ends_on), **date_fields("ends_on", outside)}
    post_refused(senco, url, data, "A term must fall within the school year")
    data = {
        "name": "Overlap",
        **date_fields("starts_on", cast.term.starts_on),
        **date_fields("ends_on", cast.term.ends_on),
    }
    post_refused(senco, url, data, "This term overlaps Autumn term.")


def test_rollover_needs_confirming_and_a_next_year(cast, senco):
    url = reverse("schools:rollover-form", args=[cast.year.public_id])
    post_refused(senco, url, {}, "Confirm you have checked the preview.")
    post_refused(senco, url, {"confirm": "on"}, "Add next school year before rolling over")


def test_invitation_bad_input(cast, senco):
    url = reverse("schools:staff-invite")
    base = {"full_name": "New Person", "email": "new.person@example.test", "roles": ["teacher"]}
    post_refused(senco, url, {**base, "email": "not-an-email"}, "Enter a valid email address.")
    post_refused(senco, url, {**base, "email": cast.teacher.email.upper()}, "already a member of staff at this school")
    post_refused(senco, url, {**base, "roles": ["head_of_year"]}, "Choose the year groups a head of year leads.")
