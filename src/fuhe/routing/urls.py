from django.urls import path

from fuhe.routing import views

app_name = "routing"
urlpatterns = [
    path("routing/", views.dashboard, name="dashboard"),
    path("routing/cases/<int:case_id>/decide/", views.decide, name="decide"),
    path("routing/retrain/", views.retrain, name="retrain"),
]
