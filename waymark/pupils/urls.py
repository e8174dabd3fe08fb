from django.urls import path

from . import family_views, views

app_name = "pupils"

urlpatterns = [
    path("", views.RegisterListView.as_view(), name="register-list"),
    path("figures/", views.FiguresView.as_view(), name="figures-detail"),
    path("figures/local-authority/", views.LocalAuthorityFiguresView.as_view(), name="la-figures-detail"),
    path("add/", views.PupilCreateView.as_view(), name="pupil-create"),
    path("<uuid:public_id>/", views.PupilDetailView.as_view(), name="pupil-detail"),
    path("<uuid:public_id>/history/", views.PupilHistoryView.as_view(), name="pupil-history"),
    path("<uuid:public_id>/edit/", views.PupilEditView.as_view(), name="pupil-edit"),
    path("<uuid:public_id>/sen-status/", views.SenStatusChangeView.as_view(), name="sen-status-change"),
    path("<uuid:public_id>/needs/add/", views.NeedCreateView.as_view(), name="need-create"),
    path("needs/<uuid:public_id>/edit/", views.NeedEditView.as_view(), name="need-edit"),
    path("needs/<uuid:public_id>/end/", views.NeedEndView.as_view(), name="need-end"),
    path("parents/<uuid:public_id>/status/", views.ParentLinkStatusView.as_view(), name="parent-link-status"),
    # Parents and carers: contact records, invitations and accepting them.
    path(
        "<uuid:public_id>/parents/add/",
        family_views.ParentContactCreateView.as_view(),
        name="parent-contact-create",
    ),
    path("parents/<uuid:public_id>/edit/", family_views.ParentContactEditView.as_view(), name="parent-contact-edit"),
    path("parents/<uuid:public_id>/invite/", family_views.ParentInviteView.as_view(), name="parent-invite"),
    path(
        "parents/<uuid:public_id>/invitation/withdraw/",
        family_views.ParentInvitationWithdrawView.as_view(),
        name="parent-invitation-withdraw",
    ),
    path("parents/invite/", family_views.ParentInviteManyView.as_view(), name="parent-invite-many"),
    path(
        "parents/invitation-letters/",
        family_views.ParentInvitationLettersView.as_view(),
        name="parent-invitation-letters",
    ),
    path("parents/join/<str:token>/", family_views.parent_invitation_accept, name="parent-invitation-accept"),
]
