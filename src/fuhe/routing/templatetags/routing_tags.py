"""``{% routing_panel case user %}``: the routing recommendation and its reasons on the case page."""

from __future__ import annotations

import logging

from django import template

from fuhe.cases.core.lifecycle import State
from fuhe.duties.models import DutyList
from fuhe.duties.selectors import duty_list_in_force, resolution_text

register = template.Library()
logger = logging.getLogger("fuhe.routing")

#: a stored ``Resolution.how`` (how the owning unit was found) in the reader's language
register.filter("resolution_text", resolution_text)

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


ADVICE_ATTRIBUTE = "_fuhe_routing_advice"
ALTERNATIVE_OFFERED = 0.15  # an alternative's unit is offered beside the recommended one from this confidence on


def _advice(case) -> dict:
    """The recommendation of ``case`` (stored, else computed now), the duty list in force, the recommended units
    best first and, when the confidence is below the auto-dispatch threshold, why: computed once per case object,
    for the routing panel and the dispatch picker of the same page."""
    cached = getattr(case, ADVICE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    from fuhe.routing.services import recommendation_is_weak, recommendation_weaknesses

    routing = case.routing if (case.routing or {}).get("item") else _live(case)
    current = duty_list_in_force(region_id=case.region_id)
    units: list[dict] = []
    if routing:
        pairs = [(routing.get("unit"), routing.get("confidence"))]
        pairs += [
            (a.get("unit"), a.get("confidence"))
            for a in routing.get("alternatives") or []
            if (a.get("confidence") or 0) >= ALTERNATIVE_OFFERED
        ]
        for unit, confidence in pairs:
            if unit and unit["id"] not in {u["id"] for u in units}:
                units.append({"id": unit["id"], "name": unit["name"], "confidence": confidence})
        from fuhe.cases.services.actions import dispatch_units

        allowed = set(dispatch_units(case).filter(pk__in=[u["id"] for u in units]).values_list("pk", flat=True))
        units = [u for u in units if u["id"] in allowed]  # a unit since moved or closed is not offered
    is_weak = recommendation_is_weak(routing)
    advice = {
        "routing": routing,
        "current_list": current,
        "units": units,
        "is_weak": is_weak,
        "reasons": recommendation_weaknesses(case=case, routing=routing, has_duty_list=current is not None)
        if is_weak
        else [],
    }
    setattr(case, ADVICE_ATTRIBUTE, advice)
    return advice


@register.simple_tag
def routing_advice(case, user) -> dict:
    """``{% routing_advice case user as advice %}``: the recommended units and the reasons a recommendation is weak,
    for those who may see the recommendation (else an empty advice)."""
    if not user.has_perm("routing.view_recommendation", case):
        return {"routing": None, "units": [], "is_weak": False, "reasons": []}
    return _advice(case)


@register.inclusion_tag("routing/partials/panel.html", takes_context=True)
def routing_panel(context, case, user):
    if not user.has_perm("routing.view_recommendation", case):
        return {"show": False}
    from fuhe.cases.selectors import case_queryset
    from fuhe.cases.services.actions import dispatch_units

    advice = _advice(case)
    routing, current = advice["routing"], advice["current_list"]
    routed_list = None
    if routing and routing.get("duty_list"):
        routed_list = DutyList.objects.filter(pk=routing["duty_list"]["id"]).first()
    similar = (routing or {}).get("similar_cases") or []
    visible = set(case_queryset(user).filter(pk__in=[s["case_id"] for s in similar]).values_list("pk", flat=True))
    can_decide = user.has_perm("routing.decide", case) and case.state in DECIDABLE_STATES and current is not None
    recommended_code = ((routing or {}).get("item") or {}).get("code", "")
    from fuhe.routing.selectors import typical_cases_like

    return {
        "show": True,
        "case": case,
        "routing": routing,
        "current_list": current,
        "routed_list": routed_list,
        "is_old_version": bool(routed_list and current and routed_list.pk != current.pk),
        "similar": [s for s in similar if s["case_id"] in visible],
        "typical": typical_cases_like(case=case, duty_list=current, item_code=recommended_code),
        "can_decide": can_decide,
        "recommended_code": recommended_code,
        "items": list(current.items.order_by("code")) if can_decide else [],
        "units": list(dispatch_units(case)) if can_decide else [],
        "needs_reason": case.state != State.RECEIVED,
        "is_weak": advice["is_weak"],
        "weak_reasons": advice["reasons"],
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def percent(value) -> str:
    try:
        return f"{float(value) * 100:.0f}%"
    except (TypeError, ValueError):
        return "—"
