from django.urls import path

from fuhe.participation import views

app_name = "participation"

urlpatterns: list = [
    path("volunteering/", views.home, name="home"),
    path("volunteering/requests/new/", views.request_new, name="request_new"),
    path("volunteering/requests/<int:request_id>/", views.request_detail, name="request_detail"),
    path("volunteering/requests/<int:request_id>/take/", views.request_take, name="request_take"),
    path("volunteering/requests/<int:request_id>/release/", views.request_release, name="request_release"),
    path("volunteering/requests/<int:request_id>/cancel/", views.request_cancel, name="request_cancel"),
    path("volunteering/requests/<int:request_id>/record/", views.record_create, name="record_create"),
    path("volunteering/requests/<int:request_id>/sign/", views.record_sign, name="record_sign"),
    path("volunteering/requests/<int:request_id>/correct/", views.record_correct, name="record_correct"),
    path("volunteering/certifications/", views.certifications, name="certifications"),
    path(
        "volunteering/certifications/<int:certification_id>/revoke/",
        views.certification_revoke_view,
        name="certification_revoke",
    ),
    path("volunteering/catalogue/", views.catalogue, name="catalogue"),
    path("volunteering/certificate.<str:fmt>", views.certificate_download, name="certificate"),
]
