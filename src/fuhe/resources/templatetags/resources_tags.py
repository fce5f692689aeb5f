"""Words for the engine's codes on the resource pages, and ``{% resource_demand_panel case user %}``: the case
page's one-step "raise a demand" form with the demands the case has raised."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from fuhe.resources.forms import CaseDemandForm
from fuhe.resources.models import DemandPriority, MatchState
from fuhe.resources.rules import can_dispatch_in
from fuhe.resources.selectors import case_demands

register = template.Library()

#: the constraint that keeps a demand from being met (``core.explain.Binding``), as a dispatcher reads it
BINDING_TEXT = {
    "kind": _("No resource of the required kind is registered within reach."),
    "skill": _("No resource of this kind has the required skill."),
    "region": _("The owners' conditions of use exclude this region."),
    "priority": _("The owners' conditions of use exclude this priority."),
    "window": _("No availability window covers the time needed."),
    "distance": _("Every suitable resource is too far away (maximum distance or the owner's service radius)."),
    "no_candidate": _("No candidate pair was given for this demand."),
    "capacity": _("Every suitable resource is used up."),
    "cost": _("Serving it would cost more than leaving it unmet (e.g. a dear fund line for an improvement)."),
}
#: the checks of a candidate pair, in order (``core.matching.Reason``): "resources left after …"
FUNNEL_TEXT = {
    "kind": _("of the kind"),
    "skill": _("with the skill"),
    "region": _("allowed for the region"),
    "priority": _("allowed for the priority"),
    "window": _("available in time"),
    "distance": _("within reach"),
}
HOLDING = {MatchState.OFFERED.value, MatchState.ACCEPTED.value}


@register.filter
def binding_text(code: str) -> str:
    return str(BINDING_TEXT.get(code, code))


@register.filter
def funnel_text(code: str) -> str:
    return str(FUNNEL_TEXT.get(code, code))


@register.filter
def priority_label(value) -> str:
    try:
        return str(DemandPriority(int(value)).label)
    except (TypeError, ValueError):
        return str(value)


@register.filter
def is_holding(match) -> bool:
    return match.state in HOLDING


@register.inclusion_tag("resources/partials/case_demands_slot.html")
def resource_demand_panel(case, user):
    """Shown to those who may see the case; the form to those who may raise demands in its region."""
    may_raise = (
        case.region_id is not None
        and case.state not in ("closed", "merged", "dismissed")
        and can_dispatch_in(user, case.region)
    )
    demands = case_demands(case=case)
    return {
        "case": case,
        "demands": demands,
        "form": CaseDemandForm() if may_raise else None,
        "may_raise": may_raise,
        "show": may_raise or demands.exists(),
    }
