"""Interventions, groups, session logs, measures, costs and the provision map."""

from django.urls import path

from .views import costs, family, groups, impact, interventions, sessions

app_name = "provision"
urlpatterns = [
    # --- interventions and groups (interventions.py, groups.py) ---
    path("interventions/", interventions.InterventionListView.as_view(), name="intervention-list"),
    path("interventions/built-in/", interventions.InterventionTypeListView.as_view(), name="intervention-type-list"),
    path("interventions/add/", interventions.InterventionCreateView.as_view(), name="intervention-create"),
    path("interventions/<uuid:public_id>/", interventions.InterventionEditView.as_view(), name="intervention-edit"),
    path(
        "interventions/<uuid:public_id>/archive/",
        interventions.InterventionArchiveView.as_view(),
        name="intervention-archive",
    ),
    path("groups/", groups.GroupListView.as_view(), name="group-list"),
    path("groups/add/", groups.GroupCreateView.as_view(), name="group-create"),
    path("groups/<uuid:public_id>/edit/", groups.GroupEditView.as_view(), name="group-edit"),
    path("groups/<uuid:public_id>/end/", groups.GroupEndView.as_view(), name="group-end"),
    path("groups/<uuid:public_id>/pupils/", groups.GroupMembersView.as_view(), name="group-members"),
    path(
        "groups/<uuid:public_id>/pupils/<uuid:pupil_id>/add/",
        groups.GroupMemberAddView.as_view(),
        name="group-member-add",
    ),
    path(
        "groups/<uuid:public_id>/pupils/<uuid:pupil_id>/change/",
        groups.GroupMemberEditView.as_view(),
        name="group-member-edit",
    ),
    path(
        "groups/<uuid:public_id>/pupils/<uuid:pupil_id>/take-out/",
        groups.GroupMemberRemoveView.as_view(),
        name="group-member-remove",
    ),
    # --- today, session logs, delivery (sessions.py) ---
    path("today/", sessions.TodayView.as_view(), name="today"),
    path("groups/<uuid:public_id>/", sessions.GroupDetailView.as_view(), name="group-detail"),
    path("groups/<uuid:public_id>/sessions/log/", sessions.SessionLogView.as_view(), name="session-log"),
    path("sessions/<uuid:public_id>/", sessions.SessionEditView.as_view(), name="session-edit"),
    path("pupils/<uuid:public_id>/delivery/", sessions.PupilDeliveryView.as_view(), name="pupil-delivery"),
    # --- measures and impact (impact.py) ---
    path("groups/<uuid:public_id>/measures/", impact.GroupMeasuresView.as_view(), name="group-measures"),
    # One name for both points: reverse("provision:measure-record", kwargs={..., "point": "exit"}).
    path(
        "groups/<uuid:public_id>/measures/<uuid:pupil_id>/entry/",
        impact.MeasureRecordView.as_view(),
        {"point": "entry"},
        name="measure-record",
    ),
    path(
        "groups/<uuid:public_id>/measures/<uuid:pupil_id>/exit/",
        impact.MeasureRecordView.as_view(),
        {"point": "exit"},
        name="measure-record",
    ),
    path("measure-types/add/", impact.MeasureTypeCreateView.as_view(), name="measure-type-create"),
    path("impact/", impact.ImpactSummaryView.as_view(), name="impact-summary"),
    path("impact/interventions/<uuid:public_id>/", impact.InterventionImpactView.as_view(), name="intervention-impact"),
    path("pupils/<uuid:public_id>/impact/", impact.PupilImpactView.as_view(), name="pupil-impact"),
    path("pupils/<uuid:public_id>/impact/check/", impact.MeasureCheckView.as_view(), name="measure-check"),
    # --- costs and the provision map (costs.py) ---
    path("costs/", costs.CostingSettingsView.as_view(), name="costs"),
    path("costs/staff-roles/", costs.StaffRoleListView.as_view(), name="staff-role-list"),
    path("costs/staff-roles/add/", costs.StaffRoleCreateView.as_view(), name="staff-role-create"),
    path("costs/staff-roles/<uuid:public_id>/", costs.StaffRoleEditView.as_view(), name="staff-role-edit"),
    path("costs/other/", costs.CostListView.as_view(), name="cost-list"),
    path("costs/other/add/", costs.CostCreateView.as_view(), name="cost-create"),
    path("costs/other/<uuid:public_id>/remove/", costs.CostRemoveView.as_view(), name="cost-remove"),
    path("map/", costs.ProvisionMapView.as_view(), name="provision-map"),
    path("map/export/", costs.provision_map_export, name="provision-map-export"),
    # --- parents: support this term (family.py) ---
    path("family/<uuid:public_id>/support/", family.FamilySupportView.as_view(), name="family-support"),
]
