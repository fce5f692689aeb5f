"""JSON API of cases: create (idempotent), list, detail with timeline, and every action through ``case_perform``."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Header, Path, Query, Router

from fuhe.accounts.scope import scope_for
from fuhe.api.access import api_case_get, api_cases
from fuhe.api.auth import API_AUTH
from fuhe.api.idempotency import idempotent
from fuhe.api.present import case_out, event_out, is_intake_overdue, summons_out
from fuhe.api.schemas import (
    MAX_ID,
    ActionIn,
    ActionName,
    CaseCreatedOut,
    CaseDetailOut,
    CaseIn,
    CasePage,
    Ordering,
    StateFilter,
    responses,
)
from fuhe.api.services import case_idempotency_key
from fuhe.api.throttles import READ, WRITE
from fuhe.cases import selectors
from fuhe.cases.core.lifecycle import State
from fuhe.cases.models import Category, Channel
from fuhe.cases.services.actions import case_perform
from fuhe.cases.services.intake import case_create, region_for_intake
from fuhe.cases.services.lifecycle import case_rating_window
from fuhe.org.models import Region

router = Router(tags=["cases"], auth=API_AUTH, throttle=READ)
ENDPOINT_CREATE = "api.cases.create"


def _resolve(payload: CaseIn, user) -> tuple[Region | None, Category | None]:
    region = category = None
    if payload.region_id is not None:
        region = region_for_intake(payload.region_id)
        if region is None or not scope_for(user).covers_case_region(region.pk):
            raise ValidationError({"region_id": _("No such region in your scope.")})
    if payload.category_id is not None:
        category = Category.objects.filter(pk=payload.category_id, is_active=True).first()
        if category is None:
            raise ValidationError({"category_id": _("No such active category.")})
    return region, category


def _coordinate(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.000001"))


def _create(request, payload: CaseIn, idempotency_key: str | None) -> tuple[int, dict]:
    principal = request.auth
    region, category = _resolve(payload, principal.user)
    data = payload.dict()
    case_key = case_idempotency_key(principal.identity, ENDPOINT_CREATE, idempotency_key) if idempotency_key else None
    intake = case_create(
        actor=principal.actor,
        channel=Channel.API,
        text=data["text"],
        title=data["title"],
        address=data["address"],
        latitude=_coordinate(data["latitude"]),
        longitude=_coordinate(data["longitude"]),
        region=region,
        category=category,
        request_type=data["request_type"],
        urgency=data["urgency"],
        reporter_name=data["reporter_name"],
        reporter_phone=data["reporter_phone"],
        is_public=data["is_public"],
        idempotency_key=case_key,
    )
    case = selectors.Case.objects.select_related("category", "region", "owner_unit", "merged_into").get(
        pk=intake.case.pk
    )
    body = CaseCreatedOut.model_validate({**case_out(case), "access_token": intake.access_token})
    return (201 if intake.created else 200), body.model_dump(mode="json")


@router.post(
    "/cases",
    response=responses({201: CaseCreatedOut, 200: CaseCreatedOut}),
    throttle=WRITE,
    summary="Create a case (idempotent with an Idempotency-Key header)",
)
def cases_create(
    request,
    response: HttpResponse,
    payload: CaseIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", min_length=1, max_length=255),
):
    """The same key with the same body answers the first response and creates one case; with another body, 422;
    while the first request is still being processed, 409. Without a key every call creates a case."""
    return idempotent(
        request,
        response,
        endpoint=ENDPOINT_CREATE,
        key=idempotency_key,
        body=payload.dict(),
        run=lambda: _create(request, payload, idempotency_key),
    )


@router.get("/cases", response=responses({200: CasePage}), summary="List the cases you may see")
def cases_list(
    request,
    state: StateFilter = "all",
    category: int | None = Query(None, ge=1, le=MAX_ID),
    region: int | None = Query(None, ge=1, le=MAX_ID),
    overdue: bool = False,
    q: str = Query("", max_length=60),
    ordering: Ordering = "deadline",
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
):
    filters = selectors.CaseFilters(
        state="" if state == "all" else state,
        category_id=category,
        region_id=region,
        overdue=overdue,
        query=q,
        order=ordering,
    )
    user = request.auth.actor
    cases = api_cases(user=user, cases=selectors.case_list(user=user, filters=filters))
    cases = cases.select_related("merged_into")
    return {
        "count": cases.count(),
        "limit": limit,
        "offset": offset,
        "items": [case_out(case) for case in cases[offset : offset + limit]],
    }


def _follow_up_allowed(user, case) -> bool:
    """The case page's follow-up call (回访) form: a replied case inside its rating window, for the dispatching side."""
    return (
        case.state == State.REPLIED and not case_rating_window(case).is_over and user.has_perm("cases.follow_up", case)
    )


def summons_view(user, case) -> tuple[list[dict], list[str]]:
    """The case's summonses as the API shows them, and the summons actions the user may take (as on the case
    page: whistle for the street or community centre, report_in for a summoned department, release)."""
    summonses = selectors.case_summons_list(case=case)
    report_ins = [report_in for summons in summonses for report_in in summons.report_ins.all()]
    allowed = selectors.case_summons_actions(user=user, case=case, report_ins=report_ins)
    names = [
        name
        for name, offered in (
            ("whistle", allowed.can_whistle),
            ("report_in", bool(allowed.report_in)),
            ("release", bool(allowed.release)),
        )
        if offered
    ]
    return [summons_out(summons, allowed) for summons in summonses], names


def _detail(user, case) -> dict:
    summonses, summons_actions = summons_view(user, case)
    actions = selectors.case_actions(user=user, case=case) + summons_actions
    if _follow_up_allowed(user, case):
        actions.append("follow_up")
    return {
        **case_out(case),
        "timeline": [event_out(e) for e in selectors.case_timeline(case=case)],
        "actions": actions,
        "intake_due": case.intake_due,
        "is_intake_overdue": is_intake_overdue(case),
        "summonses": summonses,
    }


@router.get("/cases/{case_id}", response=responses({200: CaseDetailOut}), summary="A case with its timeline")
def cases_detail(request, case_id: int = Path(..., ge=1, le=MAX_ID)):
    user = request.auth.actor
    return _detail(user, api_case_get(user=user, case_id=case_id))


@router.post(
    "/cases/{case_id}/actions/{action}",
    response=responses({200: CaseDetailOut}),
    throttle=WRITE,
    summary="Perform an action (dispatch, accept, reply, close …) on a case",
)
def cases_act(request, action: ActionName, payload: ActionIn | None = None, case_id: int = Path(..., ge=1, le=MAX_ID)):
    """The same entry point as the web UI (``case_perform``): 409 when the case's state or facts do not allow the
    action, 403 when your role may not take it, 422 for missing inputs (the field is named)."""
    user = request.auth.actor
    case = api_case_get(user=user, case_id=case_id)
    payload = payload or ActionIn()
    with transaction.atomic():
        case_perform(
            actor=user,
            case=case,
            action=action,
            reason=payload.reason,
            unit=payload.unit_id,
            outcome=payload.outcome,
            text=payload.text,
            days=payload.days,
            into=payload.into,
            departments=payload.departments,
            report_in=payload.report_in_id,
            resolved=payload.resolved,
            satisfied=payload.satisfied,
            reasons=payload.reasons,
        )
    return _detail(user, api_case_get(user=user, case_id=case_id))
