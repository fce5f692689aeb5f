from django.urls import path

from fuhe.maps import views

app_name = "maps"

urlpatterns = [
    path("map/", views.map_page, name="map"),
    path("map/layers/<slug:name>.geojson", views.map_layer, name="layer"),
]
