"""Group pages: who may open each, what each person's list shows, and setting up, ending and filling a group."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from waymark.plans.tests.factories import published_version
from waymark.provision.models import GroupMember, InterventionGroup
from waymark.provision.tests import factories as pf
from waymark.tests import factories as f
from waymark.tests.helpers import cast_mismatches

from .test_groups import AUTUMN, SPRING, D, add_terms
from .test_interventions import text_of

MANAGERS = {"senco"}
STAFF = {
    "senco",
    "dsl",
    "head",
    "head_of_year",
    "teacher",
    "teacher2",
    "last_year_teacher",
    "ta",
    "governor",
    "trust_lead",
    "other_senco",
}


def group_url(name, group, pupil=None):
    args = [group.public_id] + ([pupil.public_id] if pupil is not None else [])
    return reverse(f"provision:{name}", args=args)


PAGES = {
    "group-list": (lambda c: reverse("provision:group-list"), STAFF),
    "group-create": (lambda c: reverse("provision:group-create"), MANAGERS | {"other_senco"}),
    "group-edit": (lambda c: group_url("group-edit", c.group), MANAGERS),
    "group-end": (lambda c: group_url("group-end", c.group), MANAGERS),
    "group-members": (lambda c: group_url("group-members", c.group), MANAGERS),
    "group-member-add": (lambda c: group_url("group-member-add", c.group, c.other_pupil), MANAGERS),
    "group-member-edit": (lambda c: group_url("group-member-edit", c.group, c.pupil), MANAGERS),
    "group-member-remove": (lambda c: group_url("group-member-remove", c.group, c.pupil), MANAGERS),
    "other-school-group-edit": (lambda c: group_url("group-edit", c.other_school_group), {"other_senco"}),
}


@pytest.mark.parametrize("page", PAGES)
def test_who_may_open_each_page(cast, client_for, page):
    build_url, allowed = PAGES[page]
    url = build_url(cast)
    wrong = cast_mismatches(cast, client_for, url, allowed)
    assert not wrong, f"{page} ({url}):\n" + "\n".join(wrong)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_sign_in(cast, client_for, page):
    response = client_for(None).get(PAGES[page][0](cast))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_deputy_senco_manages_groups(cast, client_for):
    with scopes_disabled():
        deputy = f.MembershipFactory(school=cast.school, roles=["deputy_senco"]).user
    client = client_for(deputy)
    for page, (build_url, allowed) in PAGES.items():
        if "senco" in allowed:
            assert client.get(build_url(cast)).status_code == 200, page


def test_a_pupil_with_no_place_or_off_the_register_is_missing(cast, client_for):
    client = client_for(cast.senco)
    # No place in the group to change.
    assert client.get(group_url("group-member-edit", cast.group, cast.other_pupil)).status_code == 404
    # Another school's pupil cannot be added.
    assert client.get(group_url("group-member-add", cast.group, cast.other_school_pupil)).status_code == 404


# ----- each person's list -----


def listed(client):
    response = client.get(reverse("provision:group-list"))
    assert response.status_code == 200
    return response, sorted(group.name for group in response.context["groups"])


def test_each_person_sees_the_groups_they_run_and_managers_see_all(cast, client_for):
    assert listed(client_for(cast.ta))[1] == ["Phonics (Year 8)"]
    assert listed(client_for(cast.teacher2))[1] == ["Phonics (Year 9)"]
    assert listed(client_for(cast.senco))[1] == ["Phonics (Year 8)", "Phonics (Year 9)"]
    assert listed(client_for(cast.other_senco))[1] == ["Brookfield reading"]
    response, names = listed(client_for(cast.governor))
    assert names == [] and "You do not run any groups." in text_of(response)
    ta_page = text_of(listed(client_for(cast.ta))[0])
    assert "Set up a group" not in ta_page and "Phonics (Year 9)" not in ta_page
    assert "Oswin" not in ta_page and "Zephyrine" not in ta_page  # the list names no pupils


def test_the_list_links_each_group_to_its_page_and_filters(cast, client_for):
    client = client_for(cast.senco)
    response = client.get(reverse("provision:group-list"))
    body = response.content.decode()
    assert group_url("group-detail", cast.group) in body
    assert group_url("group-members", cast.group) in body
    with scopes_disabled():
        pf.InterventionGroupFactory(
            school=cast.school,
            intervention=cast.intervention,
            name="Last year's phonics",
            starts_on=datetime.date.today() - datetime.timedelta(days=400),
            ends_on=datetime.date.today() - datetime.timedelta(days=300),
        )
        spelling = pf.InterventionGroupFactory(school=cast.school, name="Spelling")
    assert listed(client)[1] == ["Last year's phonics", "Phonics (Year 8)", "Phonics (Year 9)", "Spelling"]
    names = lambda query: sorted(g.name for g in client.get(reverse("provision:group-list"), query).context["groups"])  # noqa: E731
    assert names({"status": "ended"}) == ["Last year's phonics"]
    assert names({"status": "running"}) == ["Phonics (Year 8)", "Phonics (Year 9)", "Spelling"]
    assert names({"intervention": str(spelling.intervention.public_id)}) == ["Spelling"]
    assert names({"status": "nonsense"}) == ["Last year's phonics", "Phonics (Year 8)", "Phonics (Year 9)", "Spelling"]


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["senco", "ta"])
def test_the_list_runs_a_fixed_number_of_queries(cast, client_for, django_assert_max_num_queries, who):
    client = client_for(getattr(cast, who))
    url = reverse("provision:group-list")
    client.get(url)
    small = count_queries(client, url)
    with scopes_disabled():
        for number in range(12):
            group = pf.InterventionGroupFactory(school=cast.school, name=f"Group {number}")
            pf.GroupLeaderFactory(group=group, user=cast.ta, staff_role=cast.staff_role)
            pf.GroupLeaderFactory(group=group, user=cast.teacher, staff_role=cast.staff_role)
            for weekday in range(3):
                pf.GroupSlotFactory(group=group, weekday=weekday)
            for _ in range(3):
                pf.GroupMemberFactory(group=group)
    with django_assert_max_num_queries(small):
        response = client.get(url)
    assert len(response.context["groups"]) >= 12


# ----- setting up a group through the pages -----


@pytest.fixture
def terms(cast):
    with scopes_disabled():
        add_terms(cast.school)


def date_fields(name, day):
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


def group_post(cast, **changes):
    data = {
        "intervention": str(cast.intervention.public_id),
        "name": "Year 8 phonics (Monday)",
        "minutes_per_session": "",
        **date_fields("starts_on", AUTUMN[0]),
        **date_fields("ends_on", AUTUMN[1]),
        "weekdays": ["0", "2"],
        "starts_at": "9:15",
        "room": "Library",
        "funding": "sen_budget",
        "leader_0": str(cast.ta.public_id),
        "role_0": str(cast.staff_role.public_id),
    }
    data.update(changes)
    return data


def test_the_senco_sets_up_a_group_then_adds_a_pupil(cast, client_for, terms):
    client = client_for(cast.senco)
    response = client.post(reverse("provision:group-create"), group_post(cast))
    with scopes_disabled():
        group = InterventionGroup.objects.get(name="Year 8 phonics (Monday)")
        plan = published_version(cast.other_pupil, by=cast.senco, provisions=1)
        commitment = plan.provisions.get()
    assert response.status_code == 302 and response["Location"] == group_url("group-members", group)
    assert group.minutes_per_session == cast.intervention.minutes_per_session
    members = client.get(group_url("group-members", group), {"q": "blackthorn"})
    assert [pupil.pk for pupil in members.context["found"]] == [cast.other_pupil.pk]
    add_url = group_url("group-member-add", group, cast.other_pupil)
    add_page = client.get(add_url)
    assert commitment.what in text_of(add_page)
    response = client.post(add_url, {**date_fields("joined_on", D(2030, 9, 9)), "commitment": str(commitment.lineage)})
    assert response.status_code == 302
    with scopes_disabled():
        place = GroupMember.objects.get(group=group)
    assert (place.pupil, place.joined_on, place.commitment) == (cast.other_pupil, D(2030, 9, 9), commitment.lineage)
    page = text_of(client.get(group_url("group-members", group)))
    assert "Oswin Blackthorn" in page and commitment.what in page


def test_a_first_session_in_the_holidays_is_shown_in_the_error_summary(cast, client_for, terms):
    response = client_for(cast.senco).post(
        reverse("provision:group-create"),
        group_post(cast, **date_fields("starts_on", D(2031, 1, 1)), **date_fields("ends_on", SPRING[1])),
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert "1 January 2031 is in the school holidays. Choose a date in term." in text_of(response)
    with scopes_disabled():
        assert not InterventionGroup.objects.filter(name="Year 8 phonics (Monday)").exists()


def test_a_leader_needs_a_role_and_the_form_says_so(cast, client_for, terms):
    response = client_for(cast.senco).post(reverse("provision:group-create"), group_post(cast, role_0=""))
    assert response.status_code == 200
    assert "Select the role of Tariq Assistant" in text_of(response)


def test_a_school_with_no_staff_roles_is_told_where_to_add_them(cast, client_for):
    with scopes_disabled():
        school = f.SchoolFactory(name="Chalkhill Primary", trust=cast.trust)
        senco = f.MembershipFactory(school=school, roles=["senco"]).user
    response = client_for(senco).get(reverse("provision:group-create"))
    page = text_of(response)
    assert "Your school has no staff roles yet" in page
    assert reverse("provision:staff-role-list") in response.content.decode()


def test_a_stale_group_edit_keeps_what_was_typed(cast, client_for, terms):
    client = client_for(cast.senco)
    client.post(reverse("provision:group-create"), group_post(cast))
    with scopes_disabled():
        group = InterventionGroup.objects.get(name="Year 8 phonics (Monday)")
    url = group_url("group-edit", group)
    data = group_post(cast, lock_version=str(group.lock_version))
    assert client.post(url, {**data, "room": "Room 4"}).status_code == 302
    response = client.post(url, {**data, "name": "My late name"})
    assert response.status_code == 200
    assert "Someone else saved changes to this record" in text_of(response)
    assert response.context["form"]["name"].value() == "My late name"
    with scopes_disabled():
        group.refresh_from_db()
    assert group.name == "Year 8 phonics (Monday)" and group.room == "Room 4"


def test_ending_a_group_through_the_page(cast, client_for):
    client = client_for(cast.senco)
    url = group_url("group-end", cast.group)
    today = datetime.date.today()
    response = client.post(url, {**date_fields("ends_on", today), "lock_version": str(cast.group.lock_version)})
    assert response.status_code == 302
    with scopes_disabled():
        cast.group.refresh_from_db()
        place = GroupMember.objects.get(group=cast.group)
    assert cast.group.ended_at is not None and cast.group.ends_on == today
    assert place.left_on == today
    # An ended group's change pages send the SENCO back rather than offer a form.
    assert client.get(group_url("group-edit", cast.group)).status_code == 302
    assert client.get(url).status_code == 302
    assert "Ended" in text_of(client.get(reverse("provision:group-list")))


def test_taking_a_pupil_out_through_the_page(cast, client_for):
    client = client_for(cast.senco)
    url = group_url("group-member-remove", cast.group, cast.pupil)
    with scopes_disabled():
        place = GroupMember.objects.get(group=cast.group, pupil=cast.pupil)
    before = place.joined_on - datetime.timedelta(days=1)
    response = client.post(url, date_fields("left_on", before))
    assert response.status_code == 200 and "on or after the date they joined" in text_of(response)
    today = datetime.date.today()
    assert client.post(url, date_fields("left_on", today)).status_code == 302
    with scopes_disabled():
        place.refresh_from_db()
    assert place.left_on == today
    assert client.get(url).status_code == 302  # already left


def test_the_members_page_runs_a_fixed_number_of_queries(cast, client_for, django_assert_max_num_queries):
    client = client_for(cast.senco)
    url = group_url("group-members", cast.group)
    client.get(url)
    small = count_queries(client, url)
    with scopes_disabled():
        for _ in range(10):
            pupil = f.PupilFactory(school=cast.school)
            f.SenStatusFactory(pupil=pupil)
            published_version(pupil, by=cast.senco)
            pf.GroupMemberFactory(group=cast.group, pupil=pupil)
    with django_assert_max_num_queries(small):
        client.get(url)


def test_the_search_leaves_out_pupils_already_in_the_group(cast, client_for):
    client = client_for(cast.senco)
    url = group_url("group-members", cast.group)
    assert client.get(url, {"q": "quartermaine"}).context["found"] == []
    assert [p.pk for p in client.get(url, {"q": "blackthorn"}).context["found"]] == [cast.other_pupil.pk]
    # Another school's pupil is never found.
    assert client.get(url, {"q": "featherstone"}).context["found"] == []
