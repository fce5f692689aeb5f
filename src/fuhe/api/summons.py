"""JSON API of 吹哨报到: a street (or community) centre summons departments on a case, they report in, it releases
them; and the units a case may be dispatched to (the dispatcher's picker).

Every write goes through ``fuhe.cases.services.summons`` (the same rules, permission checks, events and audit as the
case page). A case the caller may not see is 404, exactly as a missing one (a department's key acting outside its
scope learns nothing); on a case it sees, an action its role may not take is 403.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, Path, Query, Router

from fuhe.api.access import api_case_get
from fuhe.api.auth import API_AUTH
from fuhe.api.cases import summons_view
from fuhe.api.errors import fields_at
from fuhe.api.idempotency import idempotent
from fuhe.api.present import unit_out
from fuhe.api.schemas import (
    MAX_ID,
    DispatchUnitPage,
    ReleaseIn,
    ReportInIn,
    SummonsIn,
    SummonsOut,
    UnitKindName,
    responses,
)
from fuhe.api.throttles import WRITE
from fuhe.cases import selectors
from fuhe.cases.core.unit_ranking import DEPARTMENT, OTHER, OWN_STREET, RECOMMENDED
from fuhe.cases.models import Case, ReportIn
from fuhe.cases.rules import is_dispatcher_for
from fuhe.cases.services.actions import dispatch_units
from fuhe.cases.services.summons import summons_release, summons_report_in, summons_whistle
from fuhe.org.models import Unit, UnitKind
from fuhe.routing.templatetags.routing_tags import routing_advice

router = Router(tags=["summons"], auth=API_AUTH)

CASE_ID = Path(..., ge=1, le=MAX_ID)
REPORT_IN_ID = Path(..., ge=1, le=MAX_ID, description="a summoned department's id in the case's `summonses`")
IDEMPOTENCY_KEY = Header(None, alias="Idempotency-Key", min_length=1, max_length=255)
#: where each field of the summons services comes from in these requests
WHISTLE_FIELDS = {"departments": ("body", "department_ids"), "case": ("path", "case_id")}
REPORT_IN_FIELDS = {"report_in": ("path", "report_in_id")}


def _summons(user, case: Case, summons_id: int) -> dict:
    """One summons of ``case`` as ``SummonsOut``, with what ``user`` may do about each summoned department."""
    summonses, _actions = summons_view(user, case)
    return next(summons for summons in summonses if summons["id"] == summons_id)


def _departments(case: Case, ids: list[int]) -> list[Unit]:
    """The units ``ids`` names, each a functional department the case's district may summon (as the page offers
    them); any other id is refused by name rather than dropped."""
    wanted = list(dict.fromkeys(ids))
    found = dispatch_units(case).filter(pk__in=wanted, kind=UnitKind.DEPARTMENT).in_bulk()
    unknown = [str(pk) for pk in wanted if pk not in found]
    if unknown:
        message = _("Not a functional department of this case's district: %(ids)s.") % {"ids": ", ".join(unknown)}
        raise ValidationError({"departments": message})
    return [found[pk] for pk in wanted]


def _aware(moment: datetime | None) -> datetime | None:
    """A time sent without an offset is taken as the platform's local time."""
    if moment is None or timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment)


def _report_in_get(case: Case, report_in_id: int) -> ReportIn:
    """A summoned department of ``case``; the same 404 for a missing one and one of another case."""
    report_in = ReportIn.objects.filter(pk=report_in_id, summons__case=case).select_related("summons__case").first()
    if report_in is None:
        raise Http404("No such summoned department on this case")
    return report_in


@router.get(
    "/cases/{case_id}/summonses",
    response=responses({200: list[SummonsOut]}),
    summary="The summonses (吹哨报到) of a case, with what you may do about each",
)
def summonses_list(request, case_id: int = CASE_ID):
    user = request.auth.actor
    summonses, _actions = summons_view(user, api_case_get(user=user, case_id=case_id))
    return summonses


@router.post(
    "/cases/{case_id}/summonses",
    response=responses({201: SummonsOut}),
    throttle=WRITE,
    summary="Whistle (吹哨): summon departments to report in on a case",
)
def summonses_create(
    request,
    response: HttpResponse,
    payload: SummonsIn,
    case_id: int = CASE_ID,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
):
    """For the street/township or community centre of the case (``cases.whistle``, as the case page's whistle form):
    the departments (functional departments of the case's district, see ``dispatch-units?kind=department``) are
    notified and must report in by ``due_at`` (default 30 minutes). 403 for anyone else who sees the case; 422 names
    the field (no department, an id that is not a department of the district, no reason, a past ``due_at``, a
    closed case). With an ``Idempotency-Key`` a retry answers the first summons instead of whistling twice."""
    user = request.auth.actor
    case = api_case_get(user=user, case_id=case_id)

    def whistle() -> tuple[int, dict]:
        with fields_at(**WHISTLE_FIELDS):
            summons = summons_whistle(
                actor=user,
                case=case,
                departments=_departments(case, payload.department_ids),
                reason=payload.reason,
                due_at=_aware(payload.due_at),
            )
        return 201, SummonsOut.model_validate(_summons(user, case, summons.pk)).model_dump(mode="json")

    body = {"case": case.pk, **payload.dict()}
    return idempotent(request, response, endpoint="api.summons.whistle", key=idempotency_key, body=body, run=whistle)


@router.post(
    "/cases/{case_id}/report-ins/{report_in_id}/report-in",
    response=responses({200: SummonsOut}),
    throttle=WRITE,
    summary="Report in (报到): a summoned department records what it did",
)
def report_ins_report_in(
    request,
    response: HttpResponse,
    payload: ReportInIn,
    case_id: int = CASE_ID,
    report_in_id: int = REPORT_IN_ID,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
):
    """Only a key acting for the summoned department (403 for others who see the case, 404 for those who do not);
    punctuality against the summons' ``due_at`` is kept for the two-way assessment. Reporting in twice, or after a
    release, is 422 on ``report_in_id``; with an ``Idempotency-Key`` a retry answers the first report-in."""
    user = request.auth.actor
    case = api_case_get(user=user, case_id=case_id)
    report_in = _report_in_get(case, report_in_id)

    def report() -> tuple[int, dict]:
        with fields_at(**REPORT_IN_FIELDS):
            summons_report_in(actor=user, report_in=report_in, note=payload.note)
        return 200, SummonsOut.model_validate(_summons(user, case, report_in.summons_id)).model_dump(mode="json")

    body = {"case": case.pk, "report_in": report_in.pk, **payload.dict()}
    return idempotent(request, response, endpoint="api.summons.report_in", key=idempotency_key, body=body, run=report)


@router.post(
    "/cases/{case_id}/report-ins/{report_in_id}/release",
    response=responses({200: SummonsOut}),
    throttle=WRITE,
    summary="Release a summoned department (with a reason)",
)
def report_ins_release(
    request,
    response: HttpResponse,
    payload: ReleaseIn,
    case_id: int = CASE_ID,
    report_in_id: int = REPORT_IN_ID,
    idempotency_key: str | None = IDEMPOTENCY_KEY,
):
    """Only the whistling side (the street/township or community centre of the case; 403 for the department itself
    and others who see the case). A department that already reported in or was released is 422 on
    ``report_in_id``."""
    user = request.auth.actor
    case = api_case_get(user=user, case_id=case_id)
    report_in = _report_in_get(case, report_in_id)

    def release() -> tuple[int, dict]:
        with fields_at(**REPORT_IN_FIELDS):
            summons_release(actor=user, report_in=report_in, reason=payload.reason)
        return 200, SummonsOut.model_validate(_summons(user, case, report_in.summons_id)).model_dump(mode="json")

    body = {"case": case.pk, "report_in": report_in.pk, **payload.dict()}
    return idempotent(request, response, endpoint="api.summons.release", key=idempotency_key, body=body, run=release)


TIER_NAMES = {RECOMMENDED: "recommended", OWN_STREET: "own_street", DEPARTMENT: "department", OTHER: "other"}


def _recommended(user, case: Case) -> dict[int, float | None]:
    """The units the routing recommendation offers for ``case`` (best first, with their confidence), as the case
    page's picker shows them; none for those who may not see the recommendation."""
    return {unit["id"]: unit.get("confidence") for unit in routing_advice(case, user)["units"]}


@router.get(
    "/cases/{case_id}/dispatch-units",
    response=responses({200: DispatchUnitPage}),
    tags=["units"],
    summary="The units a case may be dispatched to (or departments summoned from), searchable, best first",
)
def dispatch_units_list(
    request,
    case_id: int = CASE_ID,
    q: str = Query("", max_length=60, description="words the unit's name holds (all of them)"),
    kind: UnitKindName | None = None,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=10_000),
):
    """The active units of the case's district (departments, street offices, committees), in the dispatch picker's
    order: the routing recommendation first, then the case's own street, then the district's departments. For the
    case's dispatcher; a centre that may only whistle gets the departments it may summon. 404 for anyone else."""
    user = request.auth.actor
    case = api_case_get(user=user, case_id=case_id)
    units = dispatch_units(case)
    if not is_dispatcher_for(user, case):
        if not user.has_perm("cases.whistle", case):
            raise Http404("No such case")
        units = units.filter(kind=UnitKind.DEPARTMENT)
    if kind:
        units = units.filter(kind=kind)
    recommended = _recommended(user, case)
    found, total = selectors.dispatch_unit_search(
        case=case, units=units, query=q, recommended=list(recommended), limit=offset + limit
    )
    page = found[offset : offset + limit]
    full = Unit.objects.select_related("region").in_bulk([unit.pk for _tier, unit in page])
    items = [
        {
            **unit_out(full[unit.pk]),
            "tier": TIER_NAMES.get(tier, "other"),
            "confidence": recommended.get(unit.pk) if tier == RECOMMENDED else None,
        }
        for tier, unit in page
    ]
    return {"count": total, "limit": limit, "offset": offset, "items": items}
