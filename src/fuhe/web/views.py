"""Thin views: validate the request, call one selector or service, render."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET, require_POST

from fuhe.accounts import selectors as people
from fuhe.accounts.scope import scope_for
from fuhe.accounts.services import personal_data_reveal
from fuhe.org import selectors as org
from fuhe.org.models import RegionLevel, UnitKind
from fuhe.ui.htmx import render_page_or_partial
from fuhe.ui.pagination import paginate
from fuhe.web.forms import LoginForm
from fuhe.web.selectors import home_headline, home_sections, home_work


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
def home(request):
    return render(
        request,
        "web/home.html",
        {
            "sections": home_sections(user=request.user),
            "headline": home_headline(user=request.user),
            "work": home_work(user=request.user),
        },
    )


def _search_params(request) -> tuple[str, str]:
    return request.GET.get("q", "").strip()[:60], request.GET.get("level", "")


@login_required
@require_GET
def region_index(request):
    query, level = _search_params(request)
    if level and level not in RegionLevel.values:
        level = ""
    regions = (
        org.region_search(scope=scope_for(request.user), query=query, level=level)
        if query or level
        else org.region_roots(scope=scope_for(request.user))
    )
    context = {
        "page": paginate(request, regions),
        "query": query,
        "level": level,
        "levels": RegionLevel.choices,
        "is_search": bool(query or level),
    }
    return render_page_or_partial(
        request, page="web/region_index.html", partial="web/partials/region_rows.html", context=context
    )


@login_required
@require_GET
def region_detail(request, region_id: int):
    scope = scope_for(request.user)
    region = org.region_get(scope=scope, region_id=region_id)
    query, _level = _search_params(request)
    children = (
        org.region_search(scope=scope, query=query, within=region).exclude(id=region.id)
        if query
        else org.region_children(scope=scope, region=region)
    )
    ancestors = [(a, scope.contains_region(a.id)) for a in org.region_ancestors(region)]
    context = {
        "region": region,
        "ancestors": ancestors,
        "page": paginate(request, children),
        "query": query,
        "units": org.unit_list(scope=scope, region=region).filter(region=region)[:100],
    }
    return render_page_or_partial(
        request, page="web/region_detail.html", partial="web/partials/region_rows.html", context=context
    )


@login_required
@require_GET
def unit_index(request):
    query, _level = _search_params(request)
    kind = request.GET.get("kind", "")
    if kind and kind not in UnitKind.values:
        kind = ""
    units = org.unit_list(scope=scope_for(request.user), query=query, kind=kind)
    context = {"page": paginate(request, units), "query": query, "kind": kind, "kinds": UnitKind.choices}
    return render_page_or_partial(
        request, page="web/unit_index.html", partial="web/partials/unit_rows.html", context=context
    )


@login_required
@require_GET
def unit_detail(request, unit_id: int):
    unit = org.unit_get(scope=scope_for(request.user), unit_id=unit_id)
    members = [(m, people.personal_data_masked(person=m.user)["phone"]) for m in people.members_of(unit_id=unit.id)]
    openable = people.person_ids_visible(user=request.user, person_ids=[m.user_id for m, _phone in members])
    return render(
        request,
        "web/unit_detail.html",
        {
            "unit": unit,
            "members": members,
            "openable_people": openable,
            "covers": unit.covers.select_related("region").order_by("name")[:200],
            "covered_by": unit.covered_by.order_by("name"),
        },
    )


@login_required
@require_GET
def person_detail(request, person_id: int):
    person = people.person_get(user=request.user, person_id=person_id)
    return render(
        request,
        "web/person_detail.html",
        {
            "person": person,
            "personal": people.personal_data_masked(person=person),
            "assignments": people.role_assignments_for(person=person),
            "can_reveal": request.user.has_perm("accounts.view_personal_data", person),
        },
    )


@login_required
@require_POST
def person_reveal(request, person_id: int, field: str):
    person = people.person_get(user=request.user, person_id=person_id)
    if field not in people.PERSONAL_FIELDS:
        raise Http404("No such field")
    try:
        value = personal_data_reveal(actor=request.user, person=person, field=field)
    except PermissionDenied:
        raise Http404("No such person") from None
    return render(request, "web/partials/revealed_value.html", {"value": value})


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok"})


@require_GET
def favicon(request):
    """Pages that name no icon (the back office, the API docs) make browsers ask for /favicon.ico: the platform's
    icon (resolved per request: the static manifest exists only after collectstatic)."""
    return HttpResponsePermanentRedirect(static("web/favicon.svg"))
