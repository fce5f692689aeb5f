"""Thin views of emergency mode: the list with the switch-on form, an emergency's page (raise an emergency demand,
re-run the matching, the map of what matters, switch off with a summary) and its after-action record as Excel."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuhe.resources import selectors
from fuhe.resources.forms import DemandForm
from fuhe.resources.models import DemandPriority, DemandSource, EmergencyKind
from fuhe.resources.rules import (
    can_declare_emergency,
    can_dispatch_in,
    may_open_pairing_and_emergency,
)
from fuhe.resources.services import emergency as emergencies
from fuhe.ui.errors import error_text


def _require_staff(user) -> None:
    if not may_open_pairing_and_emergency(user):  # the navigation shows the link by the same rule
        raise PermissionDenied


@login_required
def emergency_index(request):
    _require_staff(request.user)
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        values = {key: request.POST.get(key, "") for key in ("region", "kind", "reason")}
        try:
            period = emergencies.emergency_start(
                actor=request.user, region_id=values["region"], kind=values["kind"], reason=values["reason"]
            )
        except PermissionDenied:
            errors, status = {"region": _("You may not switch this region into emergency mode.")}, 400
        except ValidationError as exc:
            errors, status = {f: " ".join(map(str, m)) for f, m in exc.message_dict.items()}, 400
        else:
            messages.success(request, _("Emergency mode is on: the matching has been re-run for the region."))
            return redirect("resources:emergency_detail", period_id=period.pk)
    context = {
        "periods": emergencies.emergency_list(user=request.user),
        "regions": selectors.emergency_region_choices(user=request.user),
        "kinds": EmergencyKind.choices,
        "values": values,
        "errors": errors,
    }
    return render(request, "resources/emergency_index.html", context, status=status)


def _demand_form(request, period, data=None):
    low, high = period.region.subtree
    regions = [r for r in selectors.demand_region_choices(user=request.user) if low <= r.pk < high]
    if not regions and can_dispatch_in(request.user, period.region):
        regions = [period.region]
    now = timezone.localtime().replace(second=0, microsecond=0)
    initial = {
        "window_start": now,
        "window_end": now + timedelta(hours=24),
        "priority": DemandPriority.EMERGENCY,  # the default while the region is in emergency
        "source": DemandSource.EMERGENCY,
    }
    return DemandForm(data, regions=regions, initial=initial), bool(regions)


def _detail(request, period, *, form=None, status=200):
    user = request.user
    rows = emergencies.emergency_record(period)
    demand_form, may_raise = _demand_form(request, period) if form is None else (form, True)
    context = {
        "period": period,
        "record": rows,
        "counts": emergencies.emergency_record_counts(rows),
        "form": demand_form,
        "may_raise": may_raise and period.is_active,
        "may_rerun": period.is_active and can_dispatch_in(user, period.region),
        "may_end": period.is_active and can_declare_emergency(user, period.region),
        "map_url": f"/map/?region={period.region.code}&emergency=1",
    }
    return render(request, "resources/emergency_detail.html", context, status=status)


@login_required
def emergency_detail(request, period_id: int):
    period = emergencies.emergency_get(user=request.user, period_id=period_id)
    return _detail(request, period)


@login_required
@require_POST
def emergency_demand(request, period_id: int):
    period = emergencies.emergency_get(user=request.user, period_id=period_id)
    form, _may = _demand_form(request, period, request.POST)
    if form.is_valid():
        values = form.service_values()
        values.pop("source", None)
        values.pop("source_reference", None)
        try:
            demand = emergencies.emergency_demand_raise(actor=request.user, period=period, **values)
        except PermissionDenied:
            raise Http404("No such emergency") from None
        except ValidationError as exc:
            for key, errors in getattr(exc, "message_dict", {"__all__": [error_text(exc)]}).items():
                name = "region" if key == "region_id" else key
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(
                request, _("Emergency demand “%(title)s” raised; the matching was re-run.") % {"title": demand.title}
            )
            return redirect("resources:emergency_detail", period_id=period.pk)
    return _detail(request, period, form=form, status=400)


@login_required
@require_POST
def emergency_rerun(request, period_id: int):
    period = emergencies.emergency_get(user=request.user, period_id=period_id)
    try:
        preempting, _usual = emergencies.emergency_rerun(actor=request.user, period=period)
    except PermissionDenied:
        raise Http404("No such emergency") from None
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The matching was re-run; emergency demands came first."))
        return redirect("resources:run_detail", run_id=preempting.pk)
    return redirect("resources:emergency_detail", period_id=period.pk)


@login_required
@require_POST
def emergency_end(request, period_id: int):
    period = emergencies.emergency_get(user=request.user, period_id=period_id)
    try:
        emergencies.emergency_end(actor=request.user, period=period, summary=request.POST.get("summary", ""))
    except PermissionDenied:
        raise Http404("No such emergency") from None
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Emergency mode is off; the after-action record is filed below."))
    return redirect("resources:emergency_detail", period_id=period.pk)


@login_required
def emergency_record_export(request, period_id: int):
    period = emergencies.emergency_get(user=request.user, period_id=period_id)
    buffer = BytesIO()
    emergencies.emergency_record_workbook(period).save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"emergency-{period.pk}-{timezone.localtime(period.started_at):%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
