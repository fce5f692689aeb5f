"""``{% routing_panel case user %}``: the routing recommendation and its reasons on the case page."""

from __future__ import annotations

import logging

from django import template

from fuhe.cases.core.lifecycle import State
from fuhe.duties.models import DutyList
from fuhe.duties.selectors import duty_list_in_force

register = template.Library()
logger = logging.getLogger("fuhe.routing")

DECIDABLE_STATES = (State.RECEIVED, State.RETURNED, State.REOPENED, State.ESCALATED, State.DISPATCHED)


def _live(case) -> dict | None:
    from fuhe.routing.services import WAITING_STATES, auto_dispatch_threshold, recommend

    if case.state not in WAITING_STATES:
        return None
    try:
        recommendation = recommend(case)
    except Exception:  # noqa: BLE001 - the case page must render even when routing cannot
        logger.exception("routing preview of case %s failed", case.pk)
        return None
    if recommendation is None:
        return None
    return recommendation.as_routing(decision="preview", threshold=auto_dispatch_threshold())


@register.inclusion_tag("routing/partials/panel.html", takes_context=True)
def routing_panel(context, case, user):
    if not user.has_perm("routing.view_recommendation", case):
        return {"show": False}
    from fuhe.cases.selectors import case_queryset
    from fuhe.cases.services.actions import dispatch_units

    routing = case.routing if (case.routing or {}).get("item") else _live(case)
    current = duty_list_in_force(region_id=case.region_id)
    routed_list = None
    if routing and routing.get("duty_list"):
        routed_list = DutyList.objects.filter(pk=routing["duty_list"]["id"]).first()
    similar = (routing or {}).get("similar_cases") or []
    visible = set(case_queryset(user).filter(pk__in=[s["case_id"] for s in similar]).values_list("pk", flat=True))
    can_decide = user.has_perm("routing.decide", case) and case.state in DECIDABLE_STATES and current is not None
    recommended_code = ((routing or {}).get("item") or {}).get("code", "")
    return {
        "show": True,
        "case": case,
        "routing": routing,
        "current_list": current,
        "routed_list": routed_list,
        "is_old_version": bool(routed_list and current and routed_list.pk != current.pk),
        "similar": [s for s in similar if s["case_id"] in visible],
        "can_decide": can_decide,
        "recommended_code": recommended_code,
        "items": list(current.items.order_by("code")) if can_decide else [],
        "units": list(dispatch_units(case)) if can_decide else [],
        "needs_reason": case.state != State.RECEIVED,
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def percent(value) -> str:
    try:
        return f"{float(value) * 100:.0f}%"
    except (TypeError, ValueError):
        return "—"
