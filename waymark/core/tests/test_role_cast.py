"""Every scoped page against the whole cast (waymark/conftest.py).

The allowed sets come from the product rules: DESIGN.md ("Access") and the rule table in
core/access.py. Everyone else gets a 404, because forbidden looks like missing; an
anonymous visitor is sent to sign in.
"""

import datetime

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from waymark.core.access import Action
from waymark.core.actor import Actor
from waymark.core.middleware import SESSION_SCHOOL_KEY
from waymark.core.models import AuditEvent
from waymark.evidence.models import Share
from waymark.pupils.models import NeedType, ParentLink, Pupil
from waymark.pupils.selectors import pupil_filter
from waymark.schools.models import LocalAuthorityOfficer
from waymark.tests import factories as f
from waymark.tests.helpers import cast_mismatches, date_fields, fingerprint, pupil_post_data

LEADERS = {"senco", "dsl", "head", "trust_lead"}  # every pupil of the school
ADMINS = {"senco", "head"}  # administer: the school's settings, staff and history
EDITORS = {"senco"}  # edit a pupil's record (deputy SENCOs too; none in the cast)

# page name -> (URL builder, who gets 200). Everyone else in the cast gets 404.
PAGES = {
    "register-list": (
        lambda c: reverse("pupils:register-list"),
        # Every staff role with a named reach; the other school's SENCO sees their own school's register.
        LEADERS | {"head_of_year", "teacher", "teacher2", "last_year_teacher", "ta", "other_senco"},
    ),
    "figures-detail": (
        lambda c: reverse("pupils:figures-detail"),
        LEADERS | {"governor", "other_senco"},
    ),
    "la-figures-detail": (lambda c: reverse("pupils:la-figures-detail"), set()),  # no LA officer in the cast
    "pupil-create": (lambda c: reverse("pupils:pupil-create"), EDITORS | {"other_senco"}),
    "pupil-detail": (
        lambda c: reverse("pupils:pupil-detail", args=[c.pupil.public_id]),
        # NOT last year's teacher, the governor, parents, specialists or the other school's SENCO.
        LEADERS | {"head_of_year", "teacher", "ta"},
    ),
    "pupil-detail-other-year": (
        lambda c: reverse("pupils:pupil-detail", args=[c.other_pupil.public_id]),
        LEADERS | {"teacher2"},
    ),
    "pupil-detail-other-school": (
        lambda c: reverse("pupils:pupil-detail", args=[c.other_school_pupil.public_id]),
        # The trust lead is working in School A (the first by name) until they switch.
        {"other_senco"},
    ),
    "pupil-history": (lambda c: reverse("pupils:pupil-history", args=[c.pupil.public_id]), ADMINS),
    "pupil-edit": (lambda c: reverse("pupils:pupil-edit", args=[c.pupil.public_id]), EDITORS),
    "sen-status-change": (lambda c: reverse("pupils:sen-status-change", args=[c.pupil.public_id]), EDITORS),
    "need-create": (lambda c: reverse("pupils:need-create", args=[c.pupil.public_id]), EDITORS),
    "need-edit": (lambda c: reverse("pupils:need-edit", args=[c.need.public_id]), EDITORS),
    "need-end": (lambda c: reverse("pupils:need-end", args=[c.need.public_id]), EDITORS),
    "parent-link-status": (
        lambda c: reverse("pupils:parent-link-status", args=[c.parent_link.public_id]),
        {"senco", "dsl"},  # only they may read the reason for a restriction
    ),
    "staff-list": (lambda c: reverse("schools:staff-list"), ADMINS | {"other_senco"}),
    "staff-invite": (lambda c: reverse("schools:staff-invite"), ADMINS | {"other_senco"}),
    "membership-edit": (
        lambda c: reverse("schools:membership-edit", args=[c.teacher_membership.public_id]),
        ADMINS,
    ),
    "school-settings": (lambda c: reverse("schools:school-settings"), ADMINS | {"other_senco"}),
    "academic-year-create": (lambda c: reverse("schools:academic-year-create"), ADMINS | {"other_senco"}),
    "term-create": (lambda c: reverse("schools:term-create", args=[c.year.public_id]), ADMINS),
    "rollover-form": (lambda c: reverse("schools:rollover-form", args=[c.year.public_id]), ADMINS),
    # Data in and out (exchange): imports for those who edit every pupil, the census for those who
    # export across the school, subject access and retention for those who administer it.
    "import-list": (lambda c: reverse("exchange:import-list"), EDITORS | {"other_senco"}),
    "roster-upload": (lambda c: reverse("exchange:roster-upload"), EDITORS | {"other_senco"}),
    "ctf-upload": (lambda c: reverse("exchange:ctf-upload"), EDITORS | {"other_senco"}),
    "transfer-import": (lambda c: reverse("exchange:transfer-import"), EDITORS | {"other_senco"}),
    "census": (lambda c: reverse("exchange:census"), {"senco", "head", "trust_lead", "other_senco"}),
    "archive-list": (lambda c: reverse("exchange:archive-list"), ADMINS | {"other_senco"}),
    "retention-settings": (lambda c: reverse("exchange:retention-settings"), ADMINS | {"other_senco"}),
    "sar-list": (lambda c: reverse("exchange:sar-list"), ADMINS | {"other_senco"}),
    "chronology": (
        lambda c: reverse("exchange:chronology", args=[c.pupil.public_id]),
        {"senco", "head", "trust_lead"},
    ),
    "transfer-export": (
        lambda c: reverse("exchange:transfer-export", args=[c.pupil.public_id]),
        {"senco", "head", "trust_lead"},
    ),
    "sar-create": (lambda c: reverse("exchange:sar-create", args=[c.pupil.public_id]), ADMINS),
    "hold-place": (lambda c: reverse("exchange:hold-place", args=[c.pupil.public_id]), ADMINS),
    "received-list": (
        lambda c: reverse("exchange:received-list", args=[c.pupil.public_id]),
        LEADERS | {"head_of_year", "teacher", "ta"},
    ),
}


def status_of(client, url, **kwargs):
    return client.get(url, **kwargs).status_code


@pytest.mark.parametrize("page", PAGES)
def test_who_may_open_each_page(cast, client_for, page):
    build_url, allowed = PAGES[page]
    url = build_url(cast)
    wrong = cast_mismatches(cast, client_for, url, allowed)
    assert not wrong, f"{page} ({url}):\n" + "\n".join(wrong)


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_sign_in(cast, client_for, page):
    url = PAGES[page][0](cast)
    response = client_for(None).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_unknown_pupil_id_is_missing_for_the_senco(cast, client_for):
    import uuid

    client = client_for(cast.senco)
    assert status_of(client, reverse("pupils:pupil-detail", args=[uuid.uuid4()])) == 404
    assert (
        status_of(client, reverse("pupils:need-edit", args=[cast.pupil.public_id])) == 404
    )  # a pupil id is no need id


# ----- the register shows each person only the pupils they reach -----

SURNAMES = {"pupil": "Quartermaine", "other_pupil": "Blackthorn", "other_school_pupil": "Featherstone"}
REGISTER_SHOWS = {
    "senco": {"pupil", "other_pupil"},
    "dsl": {"pupil", "other_pupil"},
    "head": {"pupil", "other_pupil"},
    "trust_lead": {"pupil", "other_pupil"},
    "head_of_year": {"pupil"},  # leads Year 8, not Year 9
    "teacher": {"pupil"},  # their own class only
    "ta": {"pupil"},
    "teacher2": {"other_pupil"},
    "last_year_teacher": set(),  # last year's class has moved on
    "other_senco": {"other_school_pupil"},
}


@pytest.mark.parametrize("person", REGISTER_SHOWS)
def test_register_lists_only_the_pupils_each_person_reaches(cast, client_for, person):
    response = client_for(getattr(cast, person)).get(reverse("pupils:register-list"), {"provision": "all"})
    assert response.status_code == 200
    html = response.content.decode()
    shown = {key for key, surname in SURNAMES.items() if surname in html}
    assert shown == REGISTER_SHOWS[person]


def test_figures_never_name_a_child(cast, client_for):
    html = client_for(cast.governor).get(reverse("pupils:figures-detail")).content.decode()
    for surname in SURNAMES.values():
        assert surname not in html


# ----- forbidden POSTs are 404 and change nothing -----


def _post_data(c, page):
    today = datetime.date.today()
    spld = NeedType.objects.get(code="SPLD")
    return {
        "pupil-create": lambda: {
            **pupil_post_data(c.pupil, legal_forename="Newcomer", upn="", lock_version=""),
            "provision": "N",
            "tier": "universal",
        },
        "pupil-edit": lambda: pupil_post_data(c.pupil, legal_forename="Changed"),
        "sen-status-change": lambda: {
            "lock_version": str(c.pupil.lock_version),
            "provision": "E",
            "tier": "specialist",
            **date_fields("starts_on", today),
        },
        "need-create": lambda: {
            "need_type": str(spld.pk),
            "rank": "2",
            "description": "Changed",
            "visibility": "everyone",
            **date_fields("starts_on", None),
        },
        "need-edit": lambda: {
            "lock_version": str(c.need.lock_version),
            "need_type": str(c.need.need_type_id),
            "rank": "1",
            "description": "Changed",
            "visibility": "everyone",
            **date_fields("starts_on", None),
        },
        "need-end": lambda: {"lock_version": str(c.need.lock_version), **date_fields("ends_on", today)},
        "parent-link-status": lambda: {
            "lock_version": str(c.parent_link.lock_version),
            "status": "suspended",
            "status_reason": "Changed",
        },
        "staff-invite": lambda: {"full_name": "New Person", "email": "new.person@example.test", "roles": ["teacher"]},
        "membership-edit": lambda: {
            "lock_version": str(c.teacher_membership.lock_version),
            "roles": ["teacher", "ta"],
            **date_fields("ends_on", None),
        },
        "academic-year-create": lambda: {
            "name": "Later",
            **date_fields("starts_on", datetime.date(c.year.starts_on.year + 2, 9, 1)),
            **date_fields("ends_on", datetime.date(c.year.starts_on.year + 3, 8, 31)),
        },
        "term-create": lambda: {
            "name": "Spring term",
            **date_fields("starts_on", datetime.date(c.year.starts_on.year + 1, 1, 5)),
            **date_fields("ends_on", datetime.date(c.year.starts_on.year + 1, 3, 27)),
        },
        "rollover-form": lambda: {"confirm": "on"},
    }[page]()


FORM_PAGES = [
    "pupil-create",
    "pupil-edit",
    "sen-status-change",
    "need-create",
    "need-edit",
    "need-end",
    "parent-link-status",
    "staff-invite",
    "membership-edit",
    "academic-year-create",
    "term-create",
    "rollover-form",
]


@pytest.mark.parametrize("page", FORM_PAGES)
def test_forbidden_posts_are_missing_and_change_nothing(cast, client_for, page):
    f.AcademicYearFactory(school=cast.school, offset=1)  # so the SENCO's rollover can apply
    build_url, allowed = PAGES[page]
    url = build_url(cast)
    data = _post_data(cast, page)
    before = fingerprint()
    wrong = []
    for name, user in cast.people.items():
        if name in allowed or (page == "parent-link-status" and name == "dsl"):
            continue  # the DSL's submit: see test_dsl_can_restrict_a_parent_link
        got = client_for(user).post(url, data).status_code
        if got != 404:
            wrong.append(f"{name}: expected 404, got {got}")
    anonymous = client_for(None).post(url, data)
    assert anonymous.status_code == 302
    assert not wrong, f"{page}:\n" + "\n".join(wrong)
    assert fingerprint() == before
    # The same POST from the SENCO is valid and saves, so the 404s above were not a bad form.
    response = client_for(cast.senco).post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert fingerprint() != before


def test_dsl_can_restrict_a_parent_link(cast, client_for):
    url = reverse("pupils:parent-link-status", args=[cast.parent_link.public_id])
    response = client_for(cast.dsl).post(
        url, {"lock_version": str(cast.parent_link.lock_version), "status": "restricted", "status_reason": "Court"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert ParentLink.objects.get(pk=cast.parent_link.pk).status == "restricted"


# ----- links, shares and schools -----


def _reached(actor, action=Action.VIEW, audience="anyone"):
    with scopes_disabled():
        return set(Pupil.objects.filter(pupil_filter(actor, action, audience=audience)).values_list("pk", flat=True))


def test_a_restricted_parent_link_is_not_an_active_link(cast):
    restricted = Actor.for_user(cast.parent2)
    assert restricted.is_parent is False
    assert _reached(restricted) == set()
    active = Actor.for_user(cast.parent)
    assert active.is_parent is True
    assert _reached(active) == {cast.pupil.pk}
    assert _reached(active, Action.EDIT) == set()
    assert _reached(active, audience="staff") == set()


def test_restricting_a_link_takes_effect_on_the_next_request(cast, client_for):
    assert Actor.for_user(cast.parent).is_parent
    with scopes_disabled():
        ParentLink.objects.filter(pk=cast.parent_link.pk).update(status="suspended", status_reason="x")
    assert not Actor.for_user(cast.parent).is_parent
    assert _reached(Actor.for_user(cast.parent)) == set()


def test_a_specialist_with_an_expired_share_reaches_nothing(cast):
    expired = Actor.for_user(cast.expired_specialist)
    assert expired.is_specialist is False
    assert expired.scope_school_ids == []
    assert _reached(expired) == set()
    live = Actor.for_user(cast.specialist)
    assert live.is_specialist is True
    assert _reached(live) == {cast.pupil.pk}
    assert _reached(live, Action.EDIT) == set()
    # On the day after the live share expires, it reaches nothing either.
    with scopes_disabled():
        expires_on = Share.objects.get(pk=cast.share.pk).expires_on
    assert _reached(Actor.for_user(cast.specialist, today=expires_on)) == {cast.pupil.pk}
    assert _reached(Actor.for_user(cast.specialist, today=expires_on + datetime.timedelta(days=1))) == set()


def test_last_years_teacher_reaches_last_years_class_only_last_year(cast):
    assert _reached(Actor.for_user(cast.last_year_teacher)) == set()
    last_year_day = cast.last_year.starts_on + datetime.timedelta(days=30)
    assert _reached(Actor.for_user(cast.last_year_teacher, today=last_year_day)) == {cast.pupil.pk}
    assert _reached(Actor.for_user(cast.teacher)) == {cast.pupil.pk}
    assert _reached(Actor.for_user(cast.teacher2)) == {cast.other_pupil.pk}


def test_switching_to_a_school_without_membership_changes_nothing(cast, client_for):
    client = client_for(cast.senco)
    response = client.post(
        reverse("core:school-switch"), {"school": str(cast.other_school.public_id), "next": "/pupils/"}
    )
    assert response.status_code == 302
    assert SESSION_SCHOOL_KEY not in client.session
    html = client.get(reverse("pupils:register-list"), {"provision": "all"}).content.decode()
    assert "Quartermaine" in html and "Featherstone" not in html
    assert client.get(reverse("pupils:pupil-detail", args=[cast.other_school_pupil.public_id])).status_code == 404
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="schools.school.switched").exists()


def test_a_trust_lead_switches_between_their_schools(cast, client_for):
    client = client_for(cast.trust_lead)
    other_pupil_url = reverse("pupils:pupil-detail", args=[cast.other_school_pupil.public_id])
    pupil_url = reverse("pupils:pupil-detail", args=[cast.pupil.public_id])
    assert client.get(other_pupil_url).status_code == 404
    response = client.post(reverse("core:school-switch"), {"school": str(cast.other_school.public_id), "next": "/"})
    assert response.status_code == 302
    assert client.session[SESSION_SCHOOL_KEY] == str(cast.other_school.public_id)
    assert client.get(other_pupil_url).status_code == 200
    assert client.get(pupil_url).status_code == 404  # one school at a time


def test_a_local_authority_officer_sees_counts_never_names(cast, client_for):
    officer = f.UserFactory(full_name="Laila Authority")
    LocalAuthorityOfficer.objects.create(user=officer, la_number=cast.school.la_number, name="Downshire")
    client = client_for(officer)
    response = client.get(reverse("pupils:la-figures-detail"))
    assert response.status_code == 200
    html = response.content.decode()
    assert cast.school.name in html
    assert cast.other_school.name not in html  # another LA's school
    for surname in SURNAMES.values():
        assert surname not in html
    assert client.get(reverse("pupils:pupil-detail", args=[cast.pupil.public_id])).status_code == 404
    assert client.get(reverse("pupils:register-list")).status_code == 404


# ----- visibility levels on the pupil page -----

RESTRICTED_READERS = {"senco", "dsl"}


def test_restricted_content_reaches_the_senco_and_dsl_only(cast, client_for):
    with scopes_disabled():
        cast.need.description = "Disclosed to the DSL in confidence"
        cast.need.visibility = "restricted"
        cast.need.save()
        f.NeedFactory(
            pupil=cast.pupil,
            need_type=NeedType.objects.get(code="SLCN"),
            rank=2,
            description="Uses a communication book",
            visibility="staff",
        )
        ParentLink.objects.filter(pk=cast.restricted_link.pk).update(status_reason="Non-molestation order 2026")
    url = reverse("pupils:pupil-detail", args=[cast.pupil.public_id])
    for name in PAGES["pupil-detail"][1]:
        html = client_for(getattr(cast, name)).get(url).content.decode()
        sees_restricted = name in RESTRICTED_READERS
        assert ("Disclosed to the DSL in confidence" in html) is sees_restricted, name
        assert ("Non-molestation order 2026" in html) is sees_restricted, name
        assert "Uses a communication book" in html, name  # staff-only content is for every member of staff


def test_counts_under_five_are_suppressed_for_the_governor(cast, client_for):
    client = client_for(cast.governor)
    response = client.get(reverse("pupils:figures-detail"))
    assert response.context["pupils"] is None  # 2 on roll
    assert response.context["on_register"] is None
    assert "fewer than 5" in response.content.decode()
    with scopes_disabled():
        for _ in range(5):
            f.SenStatusFactory(pupil=f.PupilFactory(school=cast.school, year_group=7))
    response = client.get(reverse("pupils:figures-detail"))
    assert response.context["on_register"] == 7
    assert {row["label"]: row["count"] for row in response.context["by_year"]} == {
        "Year 7": 5,
        "Year 8": None,
        "Year 9": None,
    }


@pytest.mark.parametrize(
    ("person", "sees"),
    [
        ("parent", True),
        ("parent2", False),  # restricted link
        ("other_parent", False),
        ("specialist", True),
        ("expired_specialist", False),
        ("governor", False),
    ],
)
def test_home_page_names_only_children_reached_by_an_active_link_or_live_share(cast, client_for, person, sees):
    response = client_for(getattr(cast, person)).get(reverse("core:home"))
    assert response.status_code == 200
    assert ("Quartermaine" in response.content.decode()) is sees
