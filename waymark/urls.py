"""The URLconf. Every view here is scoped or on the public list (core/tests/test_urlconf.py)."""

from django.urls import include, path

from waymark.accounts.views import closed_account_page

urlpatterns = [
    # Accounts are made by invitation and each has one email address: these allauth pages stay shut.
    path("accounts/signup/", closed_account_page, name="account_signup"),
    path("accounts/email/", closed_account_page, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("", include("waymark.core.urls")),
    path("pupils/", include("waymark.pupils.urls")),
    path("school/", include("waymark.schools.urls")),
    path("plans/", include("waymark.plans.urls")),
    path("provision/", include("waymark.provision.urls")),
    path("evidence/", include("waymark.evidence.urls")),
    path("exchange/", include("waymark.exchange.urls")),
]

handler404 = "waymark.core.views.errors.page_not_found"
handler500 = "waymark.core.views.errors.server_error"
