from django.urls import path

from .views import pages

app_name = "core"

urlpatterns = [
    path("", pages.home, name="home"),
    path("school/switch/", pages.school_switch, name="school-switch"),
    path("session/extend/", pages.session_extend, name="session-extend"),
    path("accessibility/", pages.accessibility, name="accessibility"),
    path("privacy/", pages.privacy, name="privacy"),
]
