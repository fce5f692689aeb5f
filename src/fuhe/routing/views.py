"""Thin views of routing: the dashboard, the dispatcher's decision from the case page, a manual retrain."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuhe.cases import selectors as case_selectors
from fuhe.cases.core.lifecycle import IllegalTransition
from fuhe.routing import selectors
from fuhe.routing.models import system_note
from fuhe.routing.services import auto_dispatch_threshold, routing_decide
from fuhe.ui.errors import error_text as _error_text


@login_required
def dashboard(request):
    if not request.user.has_perm("routing.view_dashboard"):
        raise Http404("No routing dashboard here")
    days = int(request.GET["days"]) if request.GET.get("days", "").isdigit() else 30
    days = min(max(days, 1), 366)
    return render(
        request,
        "routing/dashboard.html",
        {
            "figures": selectors.routing_figures(user=request.user, days=days),
            "days": days,
            "models": selectors.routing_model_list(),
            "examples": selectors.routing_example_counts_labelled(),
            "corrections": selectors.recent_corrections(user=request.user),
            "threshold": auto_dispatch_threshold(),
            "can_retrain": request.user.has_perm("routing.retrain"),
        },
    )


@login_required
@require_POST
def decide(request, case_id: int):
    case = case_selectors.case_get(user=request.user, case_id=case_id)
    if not request.user.has_perm("routing.decide", case):
        raise Http404("No such case")
    unit_id = request.POST.get("unit", "")
    try:  # a missing item or unit and one out of reach read the same, as the form's own error
        item = selectors.duty_item_get(user=request.user, item_id=request.POST.get("item"))
        unit = selectors.dispatch_unit_get(case=case, unit_id=unit_id) if unit_id else None
    except Http404:
        messages.error(request, _("Choose a duty item (and, if you like, a unit of this case's district)."))
        return redirect("cases:detail", case_id=case.pk)
    try:
        routing_decide(actor=request.user, case=case, item=item, unit=unit, reason=request.POST.get("reason", "")[:500])
    except (IllegalTransition, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Dispatched. The decision was recorded as training data."))
    return redirect("cases:detail", case_id=case.pk)


@login_required
@require_POST
def retrain(request):
    if not request.user.has_perm("routing.retrain"):
        raise Http404("No such page")
    from fuhe.routing.tasks import routing_retrain

    routing_retrain(note=system_note("requested", request.user.get_username()))
    messages.success(request, _("Retraining was started in the background."))
    return redirect("routing:dashboard")
