"""The delivery loop: the one writer of ``Match.state`` and the sweep that releases expired offers."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from fuhe.audit.services import audit_record
from fuhe.cases.services.clocks import work_calendar
from fuhe.cases.services.notes import case_note
from fuhe.cases.services.notify import notify_unit, notify_users, platform_text
from fuhe.resources.models import (
    HOLDING_STATES,
    Demand,
    DemandPriority,
    DemandState,
    Match,
    MatchEvent,
    MatchState,
    Resource,
)
from fuhe.resources.rules import can_answer_match, can_confirm_match, can_dispatch_in
from fuhe.resources.selectors import demand_served, resource_available
from fuhe.resources.services.common import (
    DELIVERY_CLOCK,
    OFFER_CLOCK,
    ResourceError,
)

# --- the delivery loop --------------------------------------------------------------------------------------------

# (action, state before) → state after: the one transition table of a match
TRANSITIONS = {
    ("offer", MatchState.PROPOSED): MatchState.OFFERED,
    ("accept", MatchState.OFFERED): MatchState.ACCEPTED,
    ("decline", MatchState.OFFERED): MatchState.DECLINED,
    ("deliver", MatchState.ACCEPTED): MatchState.DELIVERED,
    ("confirm", MatchState.DELIVERED): MatchState.CONFIRMED,
    ("withdraw", MatchState.PROPOSED): MatchState.WITHDRAWN,
    ("withdraw", MatchState.OFFERED): MatchState.WITHDRAWN,
    ("withdraw", MatchState.ACCEPTED): MatchState.WITHDRAWN,
    ("expire", MatchState.OFFERED): MatchState.EXPIRED,
}
ACTIONS = frozenset(action for action, _state in TRANSITIONS)


def match_allowed(actor, match: Match, action: str) -> bool:
    """May ``actor`` perform ``action`` on ``match`` (the role side; the state side is ``TRANSITIONS``)?"""
    if action in ("offer", "withdraw"):
        return can_dispatch_in(actor, match.demand.region)
    if action in ("accept", "decline", "deliver"):
        return can_answer_match(actor, match)
    if action == "confirm":
        return can_confirm_match(actor, match)
    return False  # expire: the system only


def _clock(table: dict, demand: Demand, now: datetime) -> datetime:
    amount, unit = table["emergency" if demand.priority == DemandPriority.EMERGENCY else "normal"]
    return work_calendar().deadline_after(now, amount, unit).at


NOTICES = {
    "offer": gettext_noop("Resource %(resource)s is offered for “%(demand)s”: please accept or decline by %(due)s."),
    "accept": gettext_noop("%(owner)s accepted to provide %(resource)s for “%(demand)s” by %(due)s."),
    "decline": gettext_noop("%(owner)s declined to provide %(resource)s for “%(demand)s”: %(reason)s"),
    "deliver": gettext_noop("%(resource)s was delivered for “%(demand)s”: please confirm."),
    "confirm": gettext_noop("The delivery of %(resource)s for “%(demand)s” was confirmed."),
    "expire": gettext_noop("The offer of %(resource)s for “%(demand)s” expired unanswered."),
    "withdraw": gettext_noop("The request for %(resource)s for “%(demand)s” was withdrawn: %(reason)s"),
    "case_served": gettext_noop("The resource demand of this case was met: %(resource)s delivered and confirmed."),
}
# the note on the case's timeline when the case's demand is met (``cases.services.notes.case_note``)
CASE_NOTE = gettext_noop(
    "Resource demand %(demand)s met: %(quantity)s %(unit)s of %(resource)s from %(owner)s delivered and confirmed."
)


def _notify(action: str, match: Match, due: datetime | None, reason: str) -> None:
    demand, resource = match.demand, match.resource
    text = platform_text(
        NOTICES[action],
        resource=resource.name,
        demand=demand.title,
        owner=resource.owner.name,
        due=timezone.localtime(due).strftime("%Y-%m-%d %H:%M") if due else "",
        reason=reason,
    )
    if action == "offer":
        notify_unit(resource.owner_id, case=demand.case, text=text)
    elif action in ("accept", "decline", "deliver", "expire"):
        notify_users([demand.created_by_id], case=demand.case, text=text)
        notify_unit(demand.requester_id, case=demand.case, text=text)
    elif action in ("confirm", "withdraw"):
        notify_unit(resource.owner_id, case=demand.case, text=text)


def _effects(action: str, match: Match, now: datetime, reason: str, actor) -> datetime | None:
    """The step's effect on the match, its resource and its demand; returns the clock it starts (if any)."""
    demand = match.demand
    if action == "offer":
        # one offer at a time per resource and per demand (rows locked in this order everywhere)
        resource = Resource.objects.select_for_update(of=("self",)).get(pk=match.resource_id)
        demand = Demand.objects.select_for_update(of=("self",)).get(pk=match.demand_id)
        if demand.state != DemandState.OPEN:
            raise ResourceError({"demand": _("This demand is no longer open.")})
        free = resource_available(resource)
        if not resource.is_active or free < match.quantity:
            raise ResourceError(
                {
                    "quantity": _("Only %(free)s units of this resource are free; run the matching again.")
                    % {"free": free}
                }
            )
        if demand.quantity - demand_served(demand.pk) < match.quantity:
            raise ResourceError({"quantity": _("The demand is already covered by other offers.")})
        match.offered_at = now
        match.reserved_until = _clock(OFFER_CLOCK, demand, now)
        return match.reserved_until
    if action == "accept":
        match.delivery_due = _clock(DELIVERY_CLOCK, demand, now)
        match.reserved_until = match.delivery_due
        return match.delivery_due
    if action == "decline":
        match.decline_reason = reason
        match.reserved_until = None
    elif action in ("withdraw", "expire"):
        match.reserved_until = None
    elif action == "deliver":
        match.delivered_at = now
        match.reserved_until = None
        Resource.objects.filter(pk=match.resource_id).update(capacity=F("capacity") - match.quantity)
    elif action == "confirm":
        match.confirmed_at = now
        _demand_close_if_met(match, now, actor)
    return None


def _demand_close_if_met(match: Match, now: datetime, actor) -> None:
    """Close the demand when its confirmed deliveries cover it; a demand from a case is recorded on the case (its
    audit trail) and the case's owner unit is told, so the handler can reply to the resident."""
    demand = Demand.objects.select_for_update(of=("self",)).get(pk=match.demand_id)
    confirmed = (
        Match.objects.filter(demand=demand, state=MatchState.CONFIRMED)
        .exclude(pk=match.pk)
        .aggregate(t=Sum("quantity"))
    )["t"] or 0
    if confirmed + match.quantity < demand.quantity or demand.state != DemandState.OPEN:
        return
    Demand.objects.filter(pk=demand.pk).update(state=DemandState.CLOSED, closed_at=now)
    audit_record(
        actor=actor,
        action="resources.demand_closed",
        target=demand,
        summary={"match": match.pk, "case": demand.case_id},
    )
    if demand.case_id is not None:
        case = demand.case
        text = platform_text(NOTICES["case_served"], resource=match.resource.name)
        if case.owner_unit_id:
            notify_unit(case.owner_unit_id, case=case, text=text)
        audit_record(
            actor=actor,
            action="resources.case_demand_met",
            target=case,
            summary={"demand": demand.pk, "match": match.pk, "resource": match.resource_id},
        )
        case_note(
            case=case,
            actor=actor,
            text_key=CASE_NOTE,
            params={
                "quantity": demand.quantity,
                "unit": match.resource.unit_label,
                "resource": match.resource.name,
                "owner": match.resource.owner.name,
                "demand": demand.pk,
            },
        )


def match_step(*, actor, match: Match, action: str, reason: str, now: datetime) -> Match:
    """Apply ``action`` to a locked ``match`` (no permission check: the caller checked it, or the system acts):
    state from ``TRANSITIONS``, effects, the timeline row, the audit row and the notice."""
    before = MatchState(match.state)
    after = TRANSITIONS.get((action, before))
    if after is None:
        raise ResourceError(
            {
                "state": _("A match that is %(state)s cannot be %(action)s.")
                % {"state": before.label, "action": ACTION_LABELS.get(action, action)}
            }
        )
    due = _effects(action, match, now, reason, actor)
    match.state = after
    match.save()
    MatchEvent.objects.create(
        match=match, at=now, actor=actor, action=action, from_state=before.value, to_state=after.value, reason=reason
    )
    audit_record(
        actor=actor,
        action=f"resources.match_{action}",
        target=match,
        summary={"before": before.value, "after": after.value, "reason": reason, "quantity": match.quantity},
    )
    if action in NOTICES and not (action == "withdraw" and before not in HOLDING_STATES):
        _notify(action, match, due, reason)  # a withdrawn proposal was never shown to the owner: no notice
    return match


ACTION_LABELS = {
    "offer": gettext_lazy("offered"),
    "accept": gettext_lazy("accepted"),
    "decline": gettext_lazy("declined"),
    "deliver": gettext_lazy("delivered"),
    "confirm": gettext_lazy("confirmed"),
    "withdraw": gettext_lazy("withdrawn"),
    "expire": gettext_lazy("expired"),
}


def match_transition(*, actor, match: Match, action: str, reason: str = "") -> Match:
    """The one writer of ``Match.state``: permission, state, effects, timeline, audit, notice — in one transaction.
    A decline needs a reason. Raises ``PermissionDenied`` or ``ResourceError``; nothing changes then."""
    if action not in ACTIONS or action == "expire":
        raise ResourceError({"action": _("Unknown action.")})
    reason = str(reason or "").strip()
    if action == "decline" and not reason:
        raise ResourceError({"reason": _("Say why the offer is declined.")})
    with transaction.atomic():
        match = Match.objects.select_for_update(of=("self",)).get(pk=match.pk)
        match = Match.objects.select_related(
            "demand", "demand__region", "demand__case", "resource", "resource__owner"
        ).get(pk=match.pk)
        if not match_allowed(actor, match, action):
            raise PermissionDenied(_("You may not do this to this match."))
        return match_step(actor=actor, match=match, action=action, reason=reason, now=timezone.now())


def match_offer(*, actor, match: Match) -> Match:
    return match_transition(actor=actor, match=match, action="offer")


def match_accept(*, actor, match: Match) -> Match:
    return match_transition(actor=actor, match=match, action="accept")


def match_decline(*, actor, match: Match, reason: str) -> Match:
    return match_transition(actor=actor, match=match, action="decline", reason=reason)


def match_deliver(*, actor, match: Match) -> Match:
    return match_transition(actor=actor, match=match, action="deliver")


def match_confirm(*, actor, match: Match) -> Match:
    return match_transition(actor=actor, match=match, action="confirm")


def match_withdraw(*, actor, match: Match, reason: str = "") -> Match:
    return match_transition(actor=actor, match=match, action="withdraw", reason=reason)


def matches_expire(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Release offers whose owner did not answer in time (the reservation lapses); returns how many."""
    now = now or timezone.now()
    expired = 0
    due = Match.objects.filter(state=MatchState.OFFERED, reserved_until__lt=now).values_list("pk", flat=True)[:limit]
    for pk in list(due):
        with transaction.atomic():
            match = (
                Match.objects.select_for_update(of=("self",))
                .filter(pk=pk, state=MatchState.OFFERED, reserved_until__lt=now)
                .first()
            )
            if match is None:
                continue
            match = Match.objects.select_related("demand", "demand__case", "resource", "resource__owner").get(pk=pk)
            match_step(actor=None, match=match, action="expire", reason=_("not answered in time"), now=now)
            expired += 1
    return expired
