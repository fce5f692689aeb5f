from django.urls import path, re_path

from fuhe.api.api import api
from fuhe.api.open311 import views as open311

app_name = "api"
FORMAT = r"\.(?P<fmt>json|xml)"
# Repeated slashes are tolerated: clients join the root address and the path themselves, and a root given as
# ".../open311/v2/" becomes ".../open311/v2//requests.xml" (codeforamerica's open311 1.1 posts there). Leading
# slashes are matched as "(?:/)*" rather than "/*" so Django's check for patterns starting with "/" stays quiet.
V2 = r"^(?:/)*open311/+v2/+"

urlpatterns = [
    path("api/v1/", api.urls),
    re_path(rf"^(?:/)*open311/+discovery{FORMAT}$", open311.discovery, name="open311-discovery-root"),
    re_path(rf"{V2}discovery{FORMAT}$", open311.discovery, name="open311-discovery"),
    re_path(rf"{V2}services{FORMAT}$", open311.services, name="open311-services"),
    re_path(rf"{V2}services/+(?P<service_code>[^/]+?){FORMAT}$", open311.service_definition, name="open311-service"),
    re_path(rf"{V2}requests{FORMAT}$", open311.requests, name="open311-requests"),
    re_path(rf"{V2}requests/+(?P<request_id>[^/]+?){FORMAT}$", open311.request_detail, name="open311-request"),
    re_path(rf"{V2}tokens/+(?P<token>[^/]+?){FORMAT}$", open311.token, name="open311-token"),
    re_path(r"^(?:/)*open311/(?P<path>.*)$", open311.not_found, name="open311-not-found"),
]
