"""Thin views of urban–rural pairing (城乡结对): the list with the set-up form, a pairing's page (its shares, the
shared resources each way, the flows by month) and the match rows behind each figure."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fuhe.accounts.scope import scope_for
from fuhe.resources import selectors
from fuhe.resources.models import PairingShare
from fuhe.resources.rules import PAIRING_ROLES, can_set_up_pairing, may_open_pairing_and_emergency
from fuhe.resources.services import pairing as pairings
from fuhe.ui.errors import error_text


def _require_staff(user) -> None:
    if not may_open_pairing_and_emergency(user):  # the navigation shows the link by the same rule
        raise PermissionDenied


def _field_errors(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "message_dict"):
        return {field: " ".join(str(m) for m in messages_) for field, messages_ in exc.message_dict.items()}
    return {"form": error_text(exc)}


def _index_context(request, *, values=None, errors=None) -> dict:
    user = request.user
    may_set_up = scope_for(user).has_role(*PAIRING_ROLES)
    urban, rural = pairings.pairing_region_choices(user=user) if may_set_up else ([], [])
    today = timezone.localdate()
    return {
        "pairings": pairings.pairing_list(user=user),
        "today": today,
        "may_set_up": may_set_up and bool(urban) and bool(rural),
        "streets": urban,
        "townships": rural,
        "share_choices": PairingShare.choices,
        "values": values or {"starts_on": today.isoformat(), "shares": [c for c, _label in PairingShare.choices]},
        "errors": errors or {},
    }


@login_required
def pairing_index(request):
    _require_staff(request.user)
    if request.method == "POST":
        values = {
            "street_id": request.POST.get("street", ""),
            "township_id": request.POST.get("township", ""),
            "purpose": request.POST.get("purpose", ""),
            "starts_on": request.POST.get("starts_on", ""),
            "ends_on": request.POST.get("ends_on", ""),
            "shares": request.POST.getlist("shares"),
        }
        try:
            pairing = pairings.pairing_create(actor=request.user, **values)
        except PermissionDenied:
            errors = {"street": _("You may not set up a pairing between these regions.")}
        except ValidationError as exc:
            errors = _field_errors(exc)
        else:
            messages.success(request, _("The pairing is set up."))
            return redirect("resources:pairing_detail", pairing_id=pairing.pk)
        return render(
            request, "resources/pairing_index.html", _index_context(request, values=values, errors=errors), status=400
        )
    return render(request, "resources/pairing_index.html", _index_context(request))


def _shared(resources):
    return resources.select_related("owner").order_by("kind", "name", "id")


@login_required
def pairing_detail(request, pairing_id: int):
    pairing = pairings.pairing_get(user=request.user, pairing_id=pairing_id)
    flows = pairings.pairing_flows(pairing)
    context = {
        "pairing": pairing,
        "is_active": pairings.pairing_is_active(pairing),
        "street_shared": _shared(pairings.street_shared_resources(pairing)),
        "township_shared": _shared(pairings.township_shared_resources(pairing)),
        "shares": [(value, label) for value, label in PairingShare.choices if value in pairing.shares],
        "flows": flows,
        "totals": pairings.pairing_flow_totals(flows),
        "may_end": can_set_up_pairing(request.user, pairing.street, pairing.township) and pairing.state == "active",
        "errors": {},
        "STREET_TO_TOWNSHIP": pairings.STREET_TO_TOWNSHIP,
        "TOWNSHIP_TO_STREET": pairings.TOWNSHIP_TO_STREET,
    }
    return render(request, "resources/pairing_detail.html", context)


@login_required
@require_POST
def pairing_end(request, pairing_id: int):
    pairing = pairings.pairing_get(user=request.user, pairing_id=pairing_id)
    try:
        pairings.pairing_end(actor=request.user, pairing=pairing, reason=request.POST.get("reason", ""))
    except PermissionDenied:
        raise Http404("No such pairing") from None
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The pairing has ended; offers not yet accepted across it were withdrawn."))
    return redirect("resources:pairing_detail", pairing_id=pairing.pk)


@login_required
def pairing_flow_rows(request, pairing_id: int):
    pairing = pairings.pairing_get(user=request.user, pairing_id=pairing_id)
    direction = request.GET.get("direction", "")
    if direction not in ("", pairings.STREET_TO_TOWNSHIP, pairings.TOWNSHIP_TO_STREET):
        direction = ""
    month = request.GET.get("month", "")[:7]
    rows = [
        (match, pairings.flow_direction(pairing, match), pairings.match_hours(match))
        for match in pairings.pairing_flow_rows(pairing, direction=direction, month=month)
    ]
    # a row links to its match only where the reader may open it (the pairing's flows are shown to more people)
    openable = selectors.match_ids_visible(user=request.user, match_ids=[row[0].pk for row in rows])
    context = {
        "pairing": pairing,
        "rows": rows,
        "openable": openable,
        "direction": direction,
        "month": month,
        "STREET_TO_TOWNSHIP": pairings.STREET_TO_TOWNSHIP,
    }
    return render(request, "resources/pairing_flows.html", context)
