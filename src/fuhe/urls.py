from django.contrib import admin
from django.urls import include, path

from fuhe.web.views import favicon

urlpatterns = [
    # pages that do not name an icon (the back office, the API docs) make browsers ask for /favicon.ico
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("fuhe.api.urls")),
    path("", include("fuhe.duties.urls")),
    path("", include("fuhe.burden.urls")),
    path("", include("fuhe.routing.urls")),
    path("", include("fuhe.cases.urls")),
    path("", include("fuhe.resources.urls")),
    path("", include("fuhe.funding.urls")),
    path("", include("fuhe.deliberation.urls")),
    path("", include("fuhe.participation.urls")),
    path("", include("fuhe.maps.urls")),
    path("", include("fuhe.web.urls")),
]
