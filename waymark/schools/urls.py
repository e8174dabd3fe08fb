from django.urls import path

from . import views

app_name = "schools"

urlpatterns = [
    path("staff/", views.StaffListView.as_view(), name="staff-list"),
    path("staff/invite/", views.StaffInviteView.as_view(), name="staff-invite"),
    path("staff/<uuid:public_id>/", views.MembershipEditView.as_view(), name="membership-edit"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("settings/", views.SchoolSettingsView.as_view(), name="school-settings"),
    path("years/add/", views.AcademicYearCreateView.as_view(), name="academic-year-create"),
    path("years/<uuid:public_id>/terms/add/", views.TermCreateView.as_view(), name="term-create"),
    path("years/<uuid:public_id>/rollover/", views.RolloverView.as_view(), name="rollover-form"),
]
