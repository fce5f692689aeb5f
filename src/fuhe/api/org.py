"""JSON API of the reference data: categories, regions and units (tree and search), and the three rates."""

from __future__ import annotations

from ninja import Path, Query, Router

from fuhe.accounts.scope import scope_for
from fuhe.api.auth import API_AUTH
from fuhe.api.present import region_out, region_ref, unit_out
from fuhe.api.schemas import (
    MAX_ID,
    CategoryNode,
    CategoryOut,
    Grouping,
    RateGroupOut,
    RegionChildOut,
    RegionDetailOut,
    RegionOut,
    RegionPage,
    UnitOut,
    UnitPage,
    responses,
)
from fuhe.api.throttles import READ
from fuhe.cases.core.rates import RATE_SPECS
from fuhe.cases.metrics import RATE_ORDER, rates_by, rates_table
from fuhe.cases.models import Category
from fuhe.org import selectors
from fuhe.org.models import UnitKind

router = Router(auth=API_AUTH, throttle=READ)


def _category(category: Category) -> dict:
    return {
        "id": category.pk,
        "name": category.name,
        "path": category.path,
        "level": category.level,
        "parent_id": category.parent_id,
        "is_active": category.is_active,
    }


@router.get(
    "/categories",
    response=responses({200: list[CategoryOut]}),
    tags=["categories"],
    summary="Categories, flat (search by name or path)",
)
def categories_list(
    request,
    q: str = Query("", max_length=60),
    level: int | None = Query(None, ge=1, le=3),
    include_inactive: bool = False,
):
    categories = Category.objects.all()
    if not include_inactive:
        categories = categories.filter(is_active=True)
    if q.strip():
        categories = categories.filter(path__contains=q.strip())
    if level is not None:
        categories = categories.filter(level=level)
    return [_category(c) for c in categories.order_by("path")]


@router.get(
    "/categories/tree",
    response=responses({200: list[CategoryNode]}),
    tags=["categories"],
    summary="The active category tree (level 1 › 2 › 3)",
)
def categories_tree(request):
    nodes: dict[int, dict] = {}
    roots: list[dict] = []
    for category in Category.objects.filter(is_active=True).order_by("level", "path"):
        node = {
            "id": category.pk,
            "name": category.name,
            "path": category.path,
            "level": category.level,
            "children": [],
        }
        nodes[category.pk] = node
        parent = nodes.get(category.parent_id) if category.parent_id else None
        (parent["children"] if parent is not None else roots).append(node)
    return roots


@router.get(
    "/regions",
    response=responses({200: RegionPage}),
    tags=["regions"],
    summary="Search regions in your scope by name or division-code prefix",
)
def regions_search(
    request,
    q: str = Query("", max_length=60),
    level: str = Query("", pattern="^(|province|city|district|street|community|grid)$"),
    within: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
):
    user = request.auth.actor
    parent = selectors.region_get(scope=scope_for(user), region_id=within) if within is not None else None
    regions = selectors.region_search(scope=scope_for(user), query=q, level=level, within=parent)
    return {
        "count": regions.count(),
        "limit": limit,
        "offset": offset,
        "items": [region_out(r) for r in regions[offset : offset + limit]],
    }


@router.get(
    "/regions/roots",
    response=responses({200: list[RegionOut]}),
    tags=["regions"],
    summary="The top of your part of the tree",
)
def regions_roots(request):
    return [region_out(r) for r in selectors.region_roots(scope=scope_for(request.auth.actor)).order_by("id")]


@router.get(
    "/regions/{region_id}",
    response=responses({200: RegionDetailOut}),
    tags=["regions"],
    summary="A region with its ancestors",
)
def regions_detail(request, region_id: int = Path(..., ge=1, le=MAX_ID)):
    region = selectors.region_get(scope=scope_for(request.auth.actor), region_id=region_id)
    return {
        **region_out(region),
        "ancestors": [region_ref(r) for r in selectors.region_ancestors(region) if r.id != region.id],
    }


@router.get(
    "/regions/{region_id}/children",
    response=responses({200: list[RegionChildOut]}),
    tags=["regions"],
    summary="The children of a region (the next level of the tree)",
)
def regions_children(request, region_id: int = Path(..., ge=1, le=MAX_ID)):
    user = request.auth.actor
    region = selectors.region_get(scope=scope_for(user), region_id=region_id)
    return [
        {**region_out(r), "child_count": r.child_count, "unit_count": r.unit_count}
        for r in selectors.region_children(scope=scope_for(user), region=region)
    ]


@router.get(
    "/units",
    response=responses({200: UnitPage}),
    tags=["units"],
    summary="Search units in your scope by name or region name",
)
def units_search(
    request,
    q: str = Query("", max_length=60),
    kind: str = Query("", pattern="^(|" + "|".join(UnitKind.values) + ")$"),
    region: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
):
    user = request.auth.actor
    within = selectors.region_get(scope=scope_for(user), region_id=region) if region is not None else None
    units = selectors.unit_list(scope=scope_for(user), query=q, kind=kind, region=within)
    return {
        "count": units.count(),
        "limit": limit,
        "offset": offset,
        "items": [unit_out(u) for u in units[offset : offset + limit]],
    }


@router.get("/units/{unit_id}", response=responses({200: UnitOut}), tags=["units"], summary="A unit")
def units_detail(request, unit_id: int = Path(..., ge=1, le=MAX_ID)):
    return unit_out(selectors.unit_get(scope=scope_for(request.auth.actor), unit_id=unit_id))


@router.get(
    "/rates",
    response=responses({200: list[RateGroupOut]}),
    tags=["rates"],
    summary="The three rates (response, resolution, satisfaction) and the others, per group",
)
def rates(
    request,
    by: Grouping = "unit",
    days: int = Query(30, ge=1, le=366),
    order_by: str = Query("satisfaction", pattern="^(" + "|".join(RATE_ORDER) + ")$"),
):
    rows = rates_table(rates_by(user=request.auth.actor, by=by, days=days), order_by=order_by)
    return [
        {
            "group": str(row["key"]),
            "position": row["position"],
            "status": row["status"],
            "cases": row["set"].cases,
            "assessed": row["set"].assessed,
            "unrated": row["set"].unrated,
            "awaiting_rating": row["set"].awaiting_rating,
            "rates": [
                {
                    "name": rate.name,
                    "label": RATE_SPECS[rate.name].zh,
                    "numerator": rate.numerator,
                    "denominator": rate.denominator,
                    "value": rate.value,
                    "low": rate.low,
                    "high": rate.high,
                    "small_sample": rate.small_sample,
                }
                for rate in row["rates"]
            ],
        }
        for row in rows
    ]
