from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("fuhe.api.urls")),
    path("", include("fuhe.duties.urls")),
    path("", include("fuhe.burden.urls")),
    path("", include("fuhe.routing.urls")),
    path("", include("fuhe.cases.urls")),
    path("", include("fuhe.web.urls")),
]
