from django.urls import path

from fuhe.resources import views, views_emergency, views_pairing

app_name = "resources"

urlpatterns = [
    path("resources/", views.resource_list, name="resource_list"),
    path("resources/new/", views.resource_new, name="resource_new"),
    path("resources/import/", views.resource_import, name="resource_import"),
    path("resources/export.xlsx", views.resource_export, name="resource_export"),
    path("resources/<int:resource_id>/", views.resource_detail, name="resource_detail"),
    path("resources/<int:resource_id>/edit/", views.resource_edit, name="resource_edit"),
    path("resources/<int:resource_id>/confirm/", views.resource_confirm, name="resource_confirm"),
    path("resources/demands/", views.demand_list, name="demand_list"),
    path("resources/demands/new/", views.demand_new, name="demand_new"),
    path("resources/demands/<int:demand_id>/", views.demand_detail, name="demand_detail"),
    path("resources/demands/<int:demand_id>/cancel/", views.demand_cancel, name="demand_cancel"),
    path("resources/from-case/<int:case_id>/", views.case_demand, name="case_demand"),
    path("resources/matching/", views.run_index, name="run_index"),
    path("resources/matching/<int:run_id>/", views.run_detail, name="run_detail"),
    path("resources/matches/", views.match_inbox, name="match_inbox"),
    path("resources/matches/<int:match_id>/", views.match_detail, name="match_detail"),
    path(
        "resources/matches/<int:match_id>/<str:action>/",
        views.match_act,
        name="match_act",
    ),
    # urban–rural pairing and emergency mode (views_pairing.py, views_emergency.py)
    path("resources/pairings/", views_pairing.pairing_index, name="pairing_index"),
    path("resources/pairings/<int:pairing_id>/", views_pairing.pairing_detail, name="pairing_detail"),
    path("resources/pairings/<int:pairing_id>/end/", views_pairing.pairing_end, name="pairing_end"),
    path("resources/pairings/<int:pairing_id>/flows/", views_pairing.pairing_flow_rows, name="pairing_flows"),
    path("resources/emergencies/", views_emergency.emergency_index, name="emergency_index"),
    path("resources/emergencies/<int:period_id>/", views_emergency.emergency_detail, name="emergency_detail"),
    path("resources/emergencies/<int:period_id>/demand/", views_emergency.emergency_demand, name="emergency_demand"),
    path("resources/emergencies/<int:period_id>/rerun/", views_emergency.emergency_rerun, name="emergency_rerun"),
    path("resources/emergencies/<int:period_id>/end/", views_emergency.emergency_end, name="emergency_end"),
    path(
        "resources/emergencies/<int:period_id>/record.xlsx",
        views_emergency.emergency_record_export,
        name="emergency_record_export",
    ),
]
