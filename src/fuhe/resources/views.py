"""Thin HTMX views of resource cloud dispatch (资源云调度): the registry, the demands, the matching runs and the
delivery loop. Each validates, calls one service or selector, renders; refusals are shown beside their field."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fuhe.cases.selectors import case_get
from fuhe.resources import selectors, services
from fuhe.resources.exports import resources_workbook
from fuhe.resources.forms import CaseDemandForm, DemandForm, ImportForm, ResourceForm, RunForm
from fuhe.resources.models import DemandPriority, DemandState, ResourceKind
from fuhe.resources.rules import can_dispatch_in, can_keep_resource
from fuhe.resources.services.loop import TRANSITIONS, match_allowed
from fuhe.ui.errors import error_text
from fuhe.ui.htmx import is_htmx, render_page_or_partial
from fuhe.ui.pagination import paginate

#: the loop's buttons, in the order a page shows them
MATCH_ACTIONS = ("offer", "accept", "decline", "deliver", "confirm", "withdraw")
ACTIONS_WITH_REASON = ("decline", "withdraw")
#: a service's field → the form's field
SERVICE_TO_FORM_FIELD = {"owner_id": "owner", "region_id": "region", "windows": "window_end_1"}


def _form_errors(form, exc: ValidationError) -> None:
    """A service's refusal shown next to the field it names (or above the form)."""
    if not hasattr(exc, "message_dict"):
        form.add_error(None, error_text(exc, with_fields=False))
        return
    for key, errors in exc.message_dict.items():
        name = SERVICE_TO_FORM_FIELD.get(key, key)
        form.add_error(name if name in form.fields else None, errors)


def _require_registry(request) -> None:
    if not selectors.may_use_registry(request.user):
        raise PermissionDenied


def _refused_status(request) -> int:
    """HTMX swaps only 2xx answers: a refused HTMX form comes back as 200 with its errors, a plain one as 400."""
    return 200 if is_htmx(request) else 400


# --- the registry -------------------------------------------------------------------------------------------------


@login_required
def resource_list(request):
    _require_registry(request)
    user = request.user
    stale = request.GET.get("stale", "")
    owner = request.GET.get("owner", "")
    filters = {
        "query": request.GET.get("q", "").strip()[:100],
        "kind": request.GET.get("kind", "") if request.GET.get("kind", "") in ResourceKind.values else "",
        "owner_id": int(owner) if owner.isdigit() else None,
        "is_stale": {"1": True, "0": False}.get(stale),
    }
    rows = selectors.resource_search(user=user, **filters)
    page = paginate(request, rows)
    stale_before = selectors.stale_before()
    for resource in page:
        resource.is_stale = resource.confirmed_at < stale_before
        resource.may_keep = can_keep_resource(user, resource)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": {**filters, "stale": stale, "owner": owner},
        "kinds": ResourceKind.choices,
        "owners": selectors.resource_owner_choices(user=user),
        "page_query": query.urlencode(),
        "may_register": selectors.registration_units(user=user).exists(),
        "stale_days": settings.FUHE_RESOURCE_STALE_DAYS,
    }
    return render_page_or_partial(
        request, page="resources/resource_list.html", partial="resources/partials/resource_rows.html", context=context
    )


@login_required
@require_http_methods(["GET", "POST"])
def resource_new(request):
    _require_registry(request)
    owners = selectors.registration_units(user=request.user)
    if not owners.exists():
        raise PermissionDenied
    form = ResourceForm(request.POST or None, owners=owners)
    if request.method == "POST" and form.is_valid():
        try:
            resource = services.resource_register(
                actor=request.user, owner_id=form.cleaned_data["owner"].pk, **form.service_values()
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Resource “%(name)s” registered.") % {"name": resource.name})
            return redirect("resources:resource_detail", resource.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "resources/resource_form.html", {"form": form, "resource": None}, status=status)


@login_required
def resource_detail(request, resource_id: int):
    _require_registry(request)
    user = request.user
    resource = selectors.resource_get(user=user, resource_id=resource_id)
    context = {
        "resource": resource,
        "windows": resource.windows.all(),
        "is_stale": selectors.resource_is_stale(resource),
        "available": selectors.resource_available(resource),
        "may_keep": can_keep_resource(user, resource),
        "contact_phone": resource.contact_phone
        if selectors.resource_contact_visible(user=user, resource=resource)
        else resource.contact_phone_masked,
        "matches": selectors.resource_matches(user=user, resource=resource),
        "stale_days": settings.FUHE_RESOURCE_STALE_DAYS,
    }
    return render(request, "resources/resource_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def resource_edit(request, resource_id: int):
    resource = selectors.resource_get_for_change(user=request.user, resource_id=resource_id)
    form = ResourceForm(request.POST or None, is_new=False, initial=ResourceForm.initial_from(resource))
    if request.method == "POST" and form.is_valid():
        try:
            services.resource_update(actor=request.user, resource=resource, **form.service_values())
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Resource “%(name)s” saved.") % {"name": resource.name})
            return redirect("resources:resource_detail", resource.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "resources/resource_form.html", {"form": form, "resource": resource}, status=status)


@login_required
@require_POST
def resource_confirm(request, resource_id: int):
    """The owner confirms the entry is still true: the stale flag goes."""
    resource = selectors.resource_get_for_change(user=request.user, resource_id=resource_id)
    resource = services.resource_confirm(actor=request.user, resource=resource)
    if is_htmx(request):
        context = {"resource": resource, "is_stale": False, "may_keep": True}
        return render(request, "resources/partials/freshness.html", context)
    messages.success(request, _("Confirmed as still valid."))
    return redirect("resources:resource_detail", resource.pk)


@login_required
@require_http_methods(["GET", "POST"])
def resource_import(request):
    _require_registry(request)
    owners = selectors.registration_units(user=request.user)
    if not owners.exists():
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None, owners=owners)
    row_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            created = services.resources_import_xlsx(
                actor=request.user, owner_id=form.cleaned_data["owner"].pk, file=form.cleaned_data["file"]
            )
        except services.ResourceImportError as exc:
            row_errors = list(exc.messages)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("%(count)s resources imported.") % {"count": len(created)})
            return redirect("resources:resource_list")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "row_errors": row_errors}
    return render(request, "resources/resource_import.html", context, status=status)


@login_required
def resource_export(request):
    _require_registry(request)
    workbook = resources_workbook(user=request.user)
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="resources-{timezone.localdate():%Y%m%d}.xlsx"'
    workbook.save(response)
    return response


# --- demands --------------------------------------------------------------------------------------------------------


@login_required
def demand_list(request):
    _require_registry(request)
    state = request.GET.get("state", DemandState.OPEN)
    filters = {
        "state": state if state in DemandState.values else "",
        "query": request.GET.get("q", "").strip()[:100],
        "priority": request.GET.get("priority", ""),
    }
    page = paginate(request, selectors.demand_search(user=request.user, **filters))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "states": DemandState.choices,
        "priorities": DemandPriority.choices,
        "page_query": query.urlencode(),
        "may_raise": selectors.dispatch_regions(user=request.user).exists(),
    }
    return render_page_or_partial(
        request, page="resources/demand_list.html", partial="resources/partials/demand_rows.html", context=context
    )


@login_required
@require_http_methods(["GET", "POST"])
def demand_new(request):
    regions = selectors.demand_region_choices(user=request.user)
    if not regions:
        raise PermissionDenied
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = DemandForm(request.POST or None, regions=regions, initial={"window_start": now})
    if request.method == "POST" and form.is_valid():
        try:
            demand = services.demand_create(actor=request.user, **form.service_values())
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Demand “%(title)s” raised.") % {"title": demand.title})
            return redirect("resources:demand_detail", demand.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "resources/demand_form.html", {"form": form}, status=status)


def _match_rows(user, matches) -> list[dict]:
    """Each match with the loop's buttons the user may press now (the role side and the state side)."""
    return [{"match": match, "actions": _actions(user, match)} for match in matches]


def _actions(user, match) -> list[str]:
    return [a for a in MATCH_ACTIONS if (a, match.state) in TRANSITIONS and match_allowed(user, match, a)]


@login_required
def demand_detail(request, demand_id: int):
    _require_registry(request)
    user = request.user
    demand = selectors.demand_get(user=user, demand_id=demand_id)
    context = {
        "demand": demand,
        "served": selectors.demand_served(demand.pk),
        "rows": _match_rows(user, selectors.demand_matches(demand=demand)),
        "group": selectors.demand_group_members(user=user, demand=demand),
        "may_dispatch": can_dispatch_in(user, demand.region),
        "now": timezone.now(),
    }
    return render(request, "resources/demand_detail.html", context)


@login_required
@require_POST
def demand_cancel(request, demand_id: int):
    demand = selectors.demand_get(user=request.user, demand_id=demand_id)
    try:
        services.demand_cancel(actor=request.user, demand=demand, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, error_text(exc, with_fields=False))
    else:
        messages.success(request, _("The demand was cancelled; the resources it held are free again."))
    return redirect("resources:demand_detail", demand.pk)


@login_required
@require_POST
def case_demand(request, case_id: int):
    """Raise a demand from a case in one step (kind and quantity; the rest comes from the case)."""
    case = case_get(user=request.user, case_id=case_id)
    if not can_dispatch_in(request.user, case.region):
        raise PermissionDenied
    form = CaseDemandForm(request.POST)
    demand = None
    if form.is_valid():
        try:
            demand = services.demand_from_case(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
    if not is_htmx(request):
        if demand is not None:
            messages.success(request, _("Demand “%(title)s” raised.") % {"title": demand.title})
            return redirect("resources:demand_detail", demand.pk)
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            text = " ".join(errors)
            messages.error(request, _("%(field)s: %(message)s") % {"field": label, "message": text} if label else text)
        return redirect("cases:detail", case.pk)
    context = {
        "case": case,
        "demands": selectors.case_demands(case=case),
        "form": form if demand is None else CaseDemandForm(),
        "may_raise": True,
        "show": True,
        "raised": demand,
    }
    return render(request, "resources/partials/case_demands.html", context)


# --- matching runs ----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def run_index(request):
    _require_registry(request)
    regions = list(selectors.dispatch_regions(user=request.user))
    form = RunForm(request.POST or None, regions=regions)
    if request.method == "POST":
        if not regions:
            raise PermissionDenied
        if form.is_valid():
            region = next(r for r in regions if r.pk == form.cleaned_data["region"])
            try:
                run = services.matching_run(actor=request.user, region=region)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                return redirect("resources:run_detail", run.pk)
    context = {
        "form": form,
        "may_run": bool(regions),
        "runs": paginate(request, selectors.matching_run_list(user=request.user), per_page=20),
    }
    return render(request, "resources/run_index.html", context, status=400 if form.errors else 200)


@login_required
def run_detail(request, run_id: int):
    _require_registry(request)
    user = request.user
    run = selectors.matching_run_get(user=user, run_id=run_id)
    report = selectors.matching_run_report(run=run)
    context = {**report, "run": run, "rows": _match_rows(user, report["matches"]), "now": timezone.now()}
    return render(request, "resources/run_detail.html", context)


# --- the delivery loop ------------------------------------------------------------------------------------------


@login_required
def match_inbox(request):
    _require_registry(request)
    lists = selectors.match_inbox(user=request.user)
    context = {name: _match_rows(request.user, rows[:50]) for name, rows in lists.items()}
    context["now"] = timezone.now()
    return render(request, "resources/match_inbox.html", context)


@login_required
def match_detail(request, match_id: int):
    _require_registry(request)
    match = selectors.match_get(user=request.user, match_id=match_id)
    context = {
        "row": {"match": match, "actions": _actions(request.user, match)},
        "timeline": selectors.match_timeline(match=match),
        "now": timezone.now(),
    }
    return render(request, "resources/match_detail.html", context)


@login_required
@require_POST
def match_act(request, match_id: int, action: str):
    """One step of the loop (offer, accept, decline with a reason, deliver, confirm, withdraw): the match's card
    comes back for HTMX, with the refusal in it when the step is refused."""
    match = selectors.match_get(user=request.user, match_id=match_id)
    error = ""
    try:
        match = services.match_transition(
            actor=request.user, match=match, action=action, reason=request.POST.get("reason", "")
        )
    except (ValidationError, PermissionDenied) as exc:
        error = error_text(exc, with_fields=False)
    match = selectors.match_get(user=request.user, match_id=match.pk)
    if not is_htmx(request):
        if error:
            messages.error(request, error)
        target = request.POST.get("next", "")
        if target.startswith("/") and not target.startswith("//"):
            return redirect(target)
        return redirect("resources:match_detail", match.pk)
    context = {
        "row": {"match": match, "actions": _actions(request.user, match)},
        "error": error,
        "now": timezone.now(),
        "show_demand": request.POST.get("show_demand") == "1",
    }
    return render(request, "resources/partials/match_card.html", context)
