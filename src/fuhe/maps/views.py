"""One map (一图总览): the page and its GeoJSON layers. Thin: parse the query, call one selector, answer."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fuhe.maps import selectors
from fuhe.maps.core.clusters import BBox, clamp_zoom
from fuhe.maps.rules import can_view_map

DEFAULT_LAYERS = ("regions", "resources", "demands", "matches", "cases")
BBOX_REASONS = {
    "four_numbers": lambda: _("give four numbers: west,south,east,north"),
    "not_a_number": lambda: _("every value must be a number"),
    "not_finite": lambda: _("every value must be a finite number"),
    "longitude_order": lambda: _("west must not exceed east, both between -180 and 180"),
    "latitude_order": lambda: _("south must not exceed north, both between -90 and 90"),
}


class QueryError(ValueError):
    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


def _flag(request, name: str) -> bool:
    return request.GET.get(name, "") in {"1", "true", "yes", "on"}


def _region(request):
    code = request.GET.get("region", "").strip()
    return selectors.map_region_get(user=request.user, code=code) if code else None


def _layer_query(request) -> selectors.MapQuery:
    try:
        bbox = BBox.parse(request.GET.get("bbox", ""))
    except ValueError as error:
        reason = BBOX_REASONS.get(str(error), BBOX_REASONS["four_numbers"])()
        raise QueryError("bbox", reason) from None
    try:
        zoom = clamp_zoom(float(request.GET.get("zoom", "")))
    except ValueError:
        raise QueryError("zoom", _("must be a number between 0 and 22")) from None
    return selectors.MapQuery(
        bbox=bbox,
        zoom=zoom,
        region=_region(request),
        emergency=_flag(request, "emergency"),
        all_cases=request.GET.get("cases") == "all",
    )


@require_GET
def map_layer(request, name: str):
    """One layer as GeoJSON for the view's box and zoom (``?bbox=w,s,e,n&zoom=z``, plus the page's filters)."""
    if not can_view_map(request.user):
        return JsonResponse({"error": _("Sign in to see the map.")}, status=403)
    try:
        query = _layer_query(request)
        data = selectors.map_layer(user=request.user, name=name, query=query)
    except QueryError as error:
        return JsonResponse({"field": error.field, "error": f"{error.field}: {error.reason}"}, status=400)
    except PermissionDenied as error:
        return JsonResponse({"error": str(error)}, status=403)
    response = JsonResponse(data)
    response["Cache-Control"] = "private, max-age=30"
    return response


def _initial_layers(request, available: list[str]) -> list[str]:
    asked = [name.strip() for name in request.GET.get("layers", "").split(",") if name.strip()]
    wanted = asked or list(DEFAULT_LAYERS)
    if "regions" not in wanted:
        wanted.insert(0, "regions")  # the base map: always drawn, as tiles would be
    return [name for name in wanted if name in available]


@login_required
@require_GET
def map_page(request):
    region = _region(request)
    available = selectors.layers_for(request.user)
    config = {
        "layers": available,
        "initial": _initial_layers(request, available),
        "urls": {name: reverse("maps:layer", args=[name]) for name in available},
        "region": region.code if region else "",
        "emergency": _flag(request, "emergency"),
        "cases": "all" if request.GET.get("cases") == "all" else "open",
        "bounds": selectors.map_bounds(user=request.user, region=region),
        "tiles": settings.FUHE_MAP_TILE_URL,
        "attribution": settings.FUHE_MAP_TILE_ATTRIBUTION,
        "labels": {
            "regions": _("Regions"),
            "grids": _("Grids"),
            "resources": _("Resources"),
            "demands": _("Demands"),
            "matches": _("Matches"),
            "cases": _("Cases"),
            "load": _("Load factor"),
            "open_dashboard": _("Open the region's dashboard"),
            "cases_here": _("%(count)s cases here: click to zoom in"),
            "zoom_in_grids": _("Zoom in to see the grids"),
            "no_factor": _("no capacity on record"),
            "failed": _("This layer could not be loaded."),
        },
    }
    return render(request, "maps/map.html", {"config": config, "region": region, "emergency": config["emergency"]})
