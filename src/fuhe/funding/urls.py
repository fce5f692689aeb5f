from django.urls import path

from fuhe.funding import views

app_name = "funding"

urlpatterns = [
    path("funding/", views.call_list, name="call_list"),
    path("funding/calls/new/", views.call_new, name="call_new"),
    path("funding/calls/<int:call_id>/", views.call_detail, name="call_detail"),
    path("funding/calls/<int:call_id>/award/", views.call_award, name="call_award"),
    path("funding/calls/<int:call_id>/apply/", views.application_new, name="application_new"),
    path("funding/calls/<int:call_id>/money/", views.money_path, name="money_path"),
    path("funding/applications/<int:application_id>/", views.application_detail, name="application_detail"),
    path("funding/applications/<int:application_id>/score/", views.application_score, name="application_score"),
    path("funding/applications/<int:application_id>/tranche/", views.award_tranche, name="award_tranche"),
    path("funding/applications/<int:application_id>/spending/", views.award_spending, name="award_spending"),
    path("funding/deliverables/<int:deliverable_id>/report/", views.deliverable_report, name="deliverable_report"),
    path("funding/deliverables/<int:deliverable_id>/confirm/", views.deliverable_confirm, name="deliverable_confirm"),
]
