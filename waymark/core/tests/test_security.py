"""Security settings that must stay on: headers, sign-in by default, quiet error reports, MFA, lockout."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from waymark.core.middleware import SESSION_SCHOOL_KEY
from waymark.core.reporting import NoRequestBodyExceptionReporterFilter
from waymark.tests import factories as f


def test_security_headers_on_a_page(cast, client_for):
    response = client_for(cast.senco).get(reverse("pupils:register-list"))
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Request-ID"]


def test_signed_in_pages_are_never_kept_by_the_browser(cast, client_for):
    """The back button must not show an adult's pages to a child in the locked pupil-voice mode, or to
    the next person at a shared computer: every signed-in page is marked no-store."""
    urls = {
        cast.senco: [
            reverse("core:home"),
            reverse("pupils:register-list"),
            reverse("pupils:pupil-detail", args=[cast.pupil.public_id]),
        ],
        cast.parent: [reverse("core:home")],
    }
    for user, pages in urls.items():
        client = client_for(user)
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            assert {"no-store", "private"} <= {part.strip() for part in response["Cache-Control"].split(",")}, url


def test_public_pages_keep_their_own_caching(db, client_for):
    assert not client_for(None).get("/accessibility/").has_header("Cache-Control")


def test_the_inline_script_carries_the_pages_nonce(cast, client_for):
    response = client_for(cast.senco).get(reverse("core:home"))
    script_src = next(p for p in response["Content-Security-Policy"].split(";") if p.strip().startswith("script-src"))
    nonce = next(s for s in script_src.split() if s.startswith("'nonce-"))[len("'nonce-") : -1]
    assert f'nonce="{nonce}"' in response.content.decode()


def test_sign_in_is_required_by_default(db, client_for):
    response = client_for(None).get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", ["/accessibility/", "/privacy/", "/accounts/login/"])
def test_public_pages_need_no_sign_in(db, client_for, url):
    assert client_for(None).get(url).status_code == 200


def test_sign_up_is_closed(db, client_for):
    assert client_for(None).get("/accounts/signup/").status_code == 404


def test_error_reports_leave_out_what_was_typed():
    request = RequestFactory().post("/pupils/add/", {"legal_forename": "Amira", "upn": "W935212318001"})
    reporter = NoRequestBodyExceptionReporterFilter()
    assert reporter.get_post_parameters(request) == {}
    assert reporter.is_active(request)


def test_error_reports_hide_local_variable_values():
    import sys

    def explode():
        legal_forename = "Amira"  # noqa: F841 - a local the report must not show
        raise RuntimeError("boom")

    try:
        explode()
    except RuntimeError:
        tb = sys.exc_info()[2].tb_next
    variables = NoRequestBodyExceptionReporterFilter().get_traceback_frame_variables(None, tb.tb_frame)
    assert ("legal_forename", NoRequestBodyExceptionReporterFilter.cleansed_substitute) in variables
    assert all(value != "Amira" for _, value in variables)


def test_the_reporter_filter_is_the_default(settings):
    assert settings.DEFAULT_EXCEPTION_REPORTER_FILTER == "waymark.core.reporting.NoRequestBodyExceptionReporterFilter"


# ----- two-factor sign-in -----


def test_mfa_is_required_where_the_school_requires_it_for_the_role(db, client_for):
    school = f.SchoolFactory(mfa_required_roles=["senco"])
    senco = f.MembershipFactory(school=school, roles=["senco"]).user
    teacher = f.MembershipFactory(school=school, roles=["teacher"]).user
    response = client_for(senco).get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    # The setup page itself is not sent round again (allauth may first ask for the password).
    setup = client_for(senco).get(reverse("mfa_activate_totp"))
    assert setup.status_code == 200 or not setup["Location"].startswith(reverse("mfa_activate_totp"))
    assert client_for(teacher).get("/").status_code == 200  # not a role the school lists


def test_switching_to_a_school_without_the_rule_does_not_lift_it(db, client_for):
    strict = f.SchoolFactory(name="A strict school", mfa_required_roles=["senco"])
    relaxed = f.SchoolFactory(name="B relaxed school", mfa_required_roles=[])
    senco = f.MembershipFactory(school=strict, roles=["senco"]).user
    f.MembershipFactory(school=relaxed, user=senco, roles=["teacher"])
    client = client_for(senco)
    session = client.session
    session[SESSION_SCHOOL_KEY] = str(relaxed.public_id)  # working in the relaxed school
    session.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_mfa_is_optional_when_the_school_lists_no_roles(db, client_for):
    school = f.SchoolFactory(mfa_required_roles=[])
    senco = f.MembershipFactory(school=school, roles=["senco"]).user
    assert client_for(senco).get("/").status_code == 200


def test_mfa_is_satisfied_by_a_totp_authenticator(db, client_for):
    from allauth.mfa.models import Authenticator

    school = f.SchoolFactory(mfa_required_roles=["senco"])
    senco = f.MembershipFactory(school=school, roles=["senco"]).user
    Authenticator.objects.create(user=senco, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert client_for(senco).get("/").status_code == 200


def test_new_schools_require_mfa_for_leaders_by_default(db, settings):
    from waymark.schools.models import School

    school = School.objects.create(name="Default", urn="999001", la_number="999", establishment_number="9001")
    assert set(school.mfa_required_roles) == set(settings.WAYMARK_DEFAULT_MFA_ROLES) >= {"senco", "dsl", "head"}


# ----- lockout -----


def test_lockout_after_five_failed_sign_ins(db, client_for, settings):
    settings.AXES_ENABLED = True
    settings.ACCOUNT_RATE_LIMITS = False  # so it is django-axes, not allauth's rate limit, that refuses
    f.UserFactory(email="locked@example.test")
    client = client_for(None)
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": "locked@example.test", "password": "wrong password"})
        assert "_auth_user_id" not in client.session
    response = client.post("/accounts/login/", {"login": "locked@example.test", "password": f.PASSWORD})
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session
    assert "You cannot sign in at the moment" in response.content.decode()
    # Another account from the same address is not locked by someone else's failures.
    f.UserFactory(email="fine@example.test")
    other = client_for(None)
    other.post("/accounts/login/", {"login": "fine@example.test", "password": f.PASSWORD})
    assert other.session.get("_auth_user_id") is not None


def test_lockout_counts_the_address_however_it_is_typed(db, client_for, settings):
    settings.AXES_ENABLED = True
    settings.ACCOUNT_RATE_LIMITS = False
    f.UserFactory(email="mixed@example.test")
    client = client_for(None)
    for login in [
        "Mixed@Example.test",
        " mixed@example.test",
        "MIXED@EXAMPLE.TEST",
        "mixed@example.test",
        "Mixed@example.test",
    ]:
        client.post("/accounts/login/", {"login": login, "password": "wrong password"})
    client.post("/accounts/login/", {"login": "mixed@example.test", "password": f.PASSWORD})
    assert "_auth_user_id" not in client.session


def test_a_right_password_signs_in(db, client_for):
    f.UserFactory(email="right@example.test")
    client = client_for(None)
    response = client.post("/accounts/login/", {"login": "right@example.test", "password": f.PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") is not None


# ----- sessions -----


def test_session_extend_for_a_signed_in_user(cast, client_for):
    response = client_for(cast.teacher).post(reverse("core:session-extend"))
    assert response.status_code == 204


def test_session_extend_redirects_anonymous(db, client_for):
    response = client_for(None).post(reverse("core:session-extend"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_session_extend_is_post_only(cast, client_for):
    assert client_for(cast.teacher).get(reverse("core:session-extend")).status_code == 405


def test_session_cookie_settings(settings):
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE <= 60 * 60


def test_writes_need_the_csrf_token(cast):
    from django.test import Client

    from waymark.conftest import LOGIN_BACKEND
    from waymark.tests.helpers import fingerprint, pupil_post_data

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.senco, backend=LOGIN_BACKEND)
    before = fingerprint()
    url = reverse("pupils:pupil-edit", args=[cast.pupil.public_id])
    response = client.post(url, pupil_post_data(cast.pupil, legal_forename="Forged"))
    assert response.status_code == 403
    assert fingerprint() == before


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_the_school_switcher_does_not_redirect_off_site(cast, client_for, next_url):
    response = client_for(cast.trust_lead).post(
        reverse("core:school-switch"), {"school": str(cast.other_school.public_id), "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
