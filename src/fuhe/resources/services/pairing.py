"""Urban–rural pairing (城乡结对): a street opens chosen shares of its resources to a rural township, and the
township opens its spaces back (issue 16, item 7).

* ``pairing_create``: a leader or administrator holding both sides sets it up (dates, purpose, shares);
* ``pairing_end``: access ends at once; proposals and unanswered offers across the pairing are withdrawn, accepted
  reservations stay; ``pairings_expire`` ends those past their end date (the system);
* ``pairing_candidates``: what a matching run over a region may add from active pairings — each shared resource
  with the partner's subtree it may serve (the matching run narrows its allowed regions to that subtree);
* the reads of the pairing's page: its shared resources, the flows in both directions by month, the match rows
  behind each figure.

A share is a set of resources, so every use of it is a match row (``Match.pairing``), audited when proposed
(``resources.pairing_use``) and at every step of the delivery loop.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fuhe.accounts.scope import scope_for
from fuhe.audit.services import audit_record
from fuhe.cases.services.notify import notify_unit, notify_users, platform_text
from fuhe.org.models import Region, RegionKind
from fuhe.resources.models import (
    Match,
    MatchState,
    Pairing,
    PairingShare,
    PairingState,
    Resource,
    ResourceKind,
)
from fuhe.resources.rules import can_set_up_pairing, can_view_pairing
from fuhe.resources.services.common import ResourceError, region_of
from fuhe.resources.services.loop import match_step

STREET_SHARES = (PairingShare.STREET_POOL, PairingShare.STREET_VOLUNTEER_SKILLS)
TOWNSHIP_SHARES = (PairingShare.TOWNSHIP_SPACES,)
DELIVERED_STATES = (MatchState.DELIVERED, MatchState.CONFIRMED)
# the partner may lie across the city: a pairing's shared resources reach this far (the owner's own service radius
# still holds); the trip is still costed by its length
PAIRING_REACH_KM = 200.0
ENDED_NOTICE = gettext_noop("The pairing %(pairing)s ended: the offer of %(resource)s for “%(demand)s” was withdrawn.")


def is_township(region: Region) -> bool:
    """A township (镇/乡) or a street whose communities are rural villages."""
    if region.level != "street":
        return False
    if region.name.endswith(("镇", "乡")):
        return True
    kinds = set(Region.objects.filter(parent=region).values_list("kind", flat=True).distinct())
    return RegionKind.RURAL in kinds and RegionKind.URBAN not in kinds


def pairing_label(pairing: Pairing) -> str:
    return f"{pairing.street.name} ⇄ {pairing.township.name}"


def _parse_date(value, field_name: str) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ResourceError({field_name: _("Enter a date such as 2026-12-31.")}) from None


def pairing_create(*, actor, street_id, township_id, purpose: str, starts_on, ends_on, shares) -> Pairing:
    """Set up a pairing between an urban street and a rural township with the shares each side opens."""
    street, township = region_of(street_id, "street"), region_of(township_id, "township")
    if not can_set_up_pairing(actor, street, township):
        raise PermissionDenied(_("You may not set up a pairing between these regions."))
    if street.level != "street" or is_township(street):
        raise ResourceError({"street": _("Choose an urban street.")})
    if not is_township(township):
        raise ResourceError({"township": _("Choose a rural township.")})
    purpose = str(purpose or "").strip()
    if not purpose:
        raise ResourceError({"purpose": _("Say what the pairing is for.")})
    starts, ends = _parse_date(starts_on, "starts_on"), _parse_date(ends_on, "ends_on")
    if ends < starts:
        raise ResourceError({"ends_on": _("The pairing ends before it starts.")})
    shares = sorted(set(shares or ()))
    if not shares:
        raise ResourceError({"shares": _("Choose at least one share.")})
    if any(share not in PairingShare.values for share in shares):
        raise ResourceError({"shares": _("Choose one of the listed values.")})
    with transaction.atomic():
        overlapping = Pairing.objects.filter(
            street=street, township=township, state=PairingState.ACTIVE, starts_on__lte=ends, ends_on__gte=starts
        )
        if overlapping.exists():
            raise ResourceError({"township": _("These two regions are already paired for these dates.")})
        pairing = Pairing.objects.create(
            street=street,
            township=township,
            purpose=purpose,
            starts_on=starts,
            ends_on=ends,
            shares=shares,
            created_by=actor,
            created_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action="resources.pairing_create",
            target=pairing,
            summary={
                "street": street.pk,
                "township": township.pk,
                "starts_on": starts.isoformat(),
                "ends_on": ends.isoformat(),
                "shares": shares,
            },
        )
    return pairing


def _end(pairing: Pairing, *, actor, reason: str, now: datetime) -> None:
    Pairing.objects.filter(pk=pairing.pk).update(
        state=PairingState.ENDED, ended_by=actor, ended_at=now, end_reason=reason
    )
    pairing.state, pairing.ended_at, pairing.end_reason = PairingState.ENDED, now, reason
    pending = (
        Match.objects.select_for_update(of=("self",))
        .filter(pairing=pairing, state__in=(MatchState.PROPOSED, MatchState.OFFERED))
        .order_by("id")
    )
    withdrawn = []
    for match in pending:
        match = Match.objects.select_related("demand", "demand__case", "resource", "resource__owner").get(pk=match.pk)
        was_offered = match.state == MatchState.OFFERED
        match_step(actor=actor, match=match, action="withdraw", reason=_("the pairing ended"), now=now)
        if was_offered:  # the requester learns it too (the loop tells the owner)
            text = platform_text(
                ENDED_NOTICE, pairing=pairing_label(pairing), resource=match.resource.name, demand=match.demand.title
            )
            notify_users([match.demand.created_by_id], case=match.demand.case, text=text)
            notify_unit(match.demand.requester_id, case=match.demand.case, text=text)
        withdrawn.append(match.pk)
    audit_record(
        actor=actor,
        action="resources.pairing_end",
        target=pairing,
        summary={"reason": reason, "withdrawn": withdrawn},
    )


def pairing_end(*, actor, pairing: Pairing, reason: str) -> Pairing:
    """End the pairing now: no more cross-pairing candidates; proposals and offers not yet accepted across it are
    withdrawn (their owners and requesters told); accepted reservations stay and are delivered as agreed."""
    reason = str(reason or "").strip()
    if not reason:
        raise ResourceError({"reason": _("Say why the pairing ends.")})
    with transaction.atomic():
        pairing = (
            Pairing.objects.select_for_update(of=("self",)).select_related("street", "township").get(pk=pairing.pk)
        )
        if not can_set_up_pairing(actor, pairing.street, pairing.township):
            raise PermissionDenied(_("You may not end this pairing."))
        if pairing.state != PairingState.ACTIVE:
            raise ResourceError({"state": _("This pairing has already ended.")})
        _end(pairing, actor=actor, reason=reason, now=timezone.now())
    return pairing


def pairings_expire(*, now: datetime | None = None) -> int:
    """End the active pairings whose end date has passed (the system acts); returns how many."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    ended = 0
    for pk in list(Pairing.objects.filter(state=PairingState.ACTIVE, ends_on__lt=today).values_list("pk", flat=True)):
        with transaction.atomic():
            pairing = (
                Pairing.objects.select_for_update(of=("self",))
                .select_related("street", "township")
                .filter(pk=pk)
                .first()
            )
            if pairing is None or pairing.state != PairingState.ACTIVE:
                continue
            _end(pairing, actor=None, reason=_("the pairing's end date passed"), now=now)
            ended += 1
    return ended


# --- reads --------------------------------------------------------------------------------------------------------


def active_pairings(*, today: date | None = None) -> QuerySet[Pairing]:
    today = today or timezone.localdate()
    return Pairing.objects.filter(state=PairingState.ACTIVE, starts_on__lte=today, ends_on__gte=today)


def pairing_is_active(pairing: Pairing, *, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return pairing.state == PairingState.ACTIVE and pairing.starts_on <= today <= pairing.ends_on


def _owned_in(region: Region) -> Q:
    low, high = region.subtree
    return Q(owner__region_id__gte=low, owner__region_id__lt=high)


def street_shared_resources(pairing: Pairing) -> QuerySet[Resource]:
    """What the street opens to the township: its units' resources (the pool) or only its volunteer skills."""
    rows = Resource.objects.filter(_owned_in(pairing.street), is_active=True)
    if PairingShare.STREET_POOL in pairing.shares:
        return rows
    if PairingShare.STREET_VOLUNTEER_SKILLS in pairing.shares:
        return rows.filter(kind=ResourceKind.VOLUNTEER_SKILL)
    return Resource.objects.none()


def township_shared_resources(pairing: Pairing) -> QuerySet[Resource]:
    """What the township opens to the street: the spaces its units own (school buildings, collective rooms)."""
    if PairingShare.TOWNSHIP_SPACES not in pairing.shares:
        return Resource.objects.none()
    return Resource.objects.filter(_owned_in(pairing.township), is_active=True, kind=ResourceKind.SPACE)


def pairing_candidates(region: Region, *, today: date | None = None) -> dict[int, tuple[int, tuple[int, int]]]:
    """For a matching run over ``region``: resource id → (pairing id, the partner subtree it may serve), for every
    active pairing whose one side reaches into the region — the other side's shared resources."""
    low, high = region.subtree
    found: dict[int, tuple[int, tuple[int, int]]] = {}
    for pairing in active_pairings(today=today).select_related("street", "township").order_by("id"):
        for side, shared in (
            (pairing.township, street_shared_resources(pairing)),
            (pairing.street, township_shared_resources(pairing)),
        ):
            side_low, side_high = side.subtree
            if side_low < high and low < side_high:  # this side's demands are in the run
                for resource_id in shared.values_list("pk", flat=True):
                    found.setdefault(resource_id, (pairing.pk, (side_low, side_high)))
    return found


def pairing_list(*, user) -> list[Pairing]:
    """The pairings whose street or township the user's scope reaches into (pairings are few: checked one by one
    with the same rule as the page)."""
    rows = Pairing.objects.select_related("street", "township").order_by("-created_at", "-id")
    return [pairing for pairing in rows if can_view_pairing(user, pairing)]


def pairing_region_choices(*, user) -> tuple[list[Region], list[Region]]:
    """The urban streets and the rural townships the user may pair (both sides' districts in scope)."""
    scope = scope_for(user)
    urban, rural = [], []
    for region in Region.objects.filter(scope.region_q("id"), level="street").order_by("id"):
        if scope.contains_region(region.parent_id):
            (rural if is_township(region) else urban).append(region)
    return urban, rural


def pairing_get(*, user, pairing_id) -> Pairing:
    try:
        pairing = Pairing.objects.select_related("street", "township", "created_by").get(pk=int(pairing_id))
    except (Pairing.DoesNotExist, TypeError, ValueError):
        raise Http404("No such pairing") from None
    if not can_view_pairing(user, pairing):
        raise Http404("No such pairing")
    return pairing


STREET_TO_TOWNSHIP = "street_to_township"
TOWNSHIP_TO_STREET = "township_to_street"


@dataclass
class FlowMonth:
    month: str  # YYYY-MM
    direction: str
    matches: int = 0
    quantity: int = 0
    hours: float = 0.0
    match_ids: list[int] = field(default_factory=list)


def pairing_flow_matches(pairing: Pairing) -> QuerySet[Match]:
    """The match rows behind every figure of the flows: delivered (or confirmed) across the pairing."""
    return (
        Match.objects.filter(pairing=pairing, state__in=DELIVERED_STATES, delivered_at__isnull=False)
        .select_related("demand", "demand__region", "resource", "resource__owner")
        .order_by("delivered_at", "id")
    )


def flow_direction(pairing: Pairing, match: Match) -> str:
    return STREET_TO_TOWNSHIP if pairing.street.contains(match.resource.owner.region_id) else TOWNSHIP_TO_STREET


def match_hours(match: Match) -> float:
    """Hours of use: the units times the demand's duration (0 for a delivery of goods)."""
    return round(match.quantity * match.demand.duration_minutes / 60, 2)


def pairing_flows(pairing: Pairing) -> list[FlowMonth]:
    """Matches, quantities and hours delivered in each direction, by month of delivery (local time)."""
    months: dict[tuple[str, str], FlowMonth] = {}
    for match in pairing_flow_matches(pairing):
        month = timezone.localtime(match.delivered_at).strftime("%Y-%m")
        direction = flow_direction(pairing, match)
        row = months.setdefault((month, direction), FlowMonth(month, direction))
        row.matches += 1
        row.quantity += match.quantity
        row.hours = round(row.hours + match_hours(match), 2)
        row.match_ids.append(match.pk)
    return [months[key] for key in sorted(months)]


def pairing_flow_totals(flows: list[FlowMonth]) -> dict[str, dict]:
    totals: dict[str, dict] = defaultdict(lambda: {"matches": 0, "quantity": 0, "hours": 0.0})
    for row in flows:
        total = totals[row.direction]
        total["matches"] += row.matches
        total["quantity"] += row.quantity
        total["hours"] = round(total["hours"] + row.hours, 2)
    return {direction: dict(totals[direction]) for direction in (STREET_TO_TOWNSHIP, TOWNSHIP_TO_STREET)}


def pairing_flow_rows(pairing: Pairing, *, direction: str = "", month: str = "") -> list[Match]:
    rows = []
    for match in pairing_flow_matches(pairing):
        if direction and flow_direction(pairing, match) != direction:
            continue
        if month and timezone.localtime(match.delivered_at).strftime("%Y-%m") != month:
            continue
        rows.append(match)
    return rows
