from django.urls import path

from fuhe.cases import views
from fuhe.cases.models import Channel

app_name = "cases"
urlpatterns = [
    path("report/", views.report, name="report"),
    path("track/", views.track, name="track"),
    path("track/<str:code>/", views.track_case, name="track_case"),
    path("cases/", views.worklist, name="worklist"),
    path("cases/queue/", views.worklist, {"queue": True}, name="queue"),
    path("cases/queue/dispatch/", views.bulk_dispatch, name="bulk_dispatch"),
    path("cases/units/search/", views.unit_search, name="unit_search"),
    path("cases/new/", views.intake, {"channel": Channel.HOTLINE}, name="intake"),
    path("cases/patrol/", views.patrol, name="patrol"),
    path("cases/patrol/<int:case_id>/done/", views.patrol_done, name="patrol_done"),
    path("cases/patrol/spot-checks/", views.spot_checks, name="spot_checks"),
    path("cases/<int:case_id>/spot-check/", views.spot_check, name="spot_check"),
    path("cases/<int:case_id>/", views.detail, name="detail"),
    path("cases/<int:case_id>/act/", views.act, name="act"),
    path("cases/<int:case_id>/reveal/<str:field>/", views.reveal, name="reveal"),
    path("photos/<int:photo_id>/", views.photo, name="photo"),
    path("notifications/", views.notifications, name="notifications"),
    path("cases/rates/", views.rates, name="rates"),
    path("cases/import/", views.import_upload, name="import_upload"),
    path("cases/import/<int:job_id>/", views.import_job, name="import_job"),
    path("cases/calendar/", views.calendar_import, name="calendar_import"),
    path("docs/metrics/", views.metrics_doc, name="metrics_doc"),
]
