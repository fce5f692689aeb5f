from django.contrib.auth import views as auth_views
from django.urls import path

from fuhe.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("regions/", views.region_index, name="region_index"),
    path("regions/<int:region_id>/", views.region_detail, name="region_detail"),
    path("units/", views.unit_index, name="unit_index"),
    path("units/<int:unit_id>/", views.unit_detail, name="unit_detail"),
    path("people/<int:person_id>/", views.person_detail, name="person_detail"),
    path("people/<int:person_id>/reveal/<str:field>/", views.person_reveal, name="person_reveal"),
    path("healthz", views.healthz, name="healthz"),
]
