"""Request and response shapes of the JSON API (they are the OpenAPI schema)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema

from fuhe.cases.core.lifecycle import Action, State
from fuhe.cases.models import ReportInStatus, RequestType, Urgency
from fuhe.cases.services.actions import EXTRA_ACTIONS
from fuhe.org.models import UnitKind

MAX_ID = 2**63 - 1

StateFilter = Literal[("all", "open", *[s.value for s in State])]  # type: ignore[valid-type]
ActionName = Literal[(*[a.value for a in Action], *EXTRA_ACTIONS)]  # type: ignore[valid-type]
RequestTypeName = Literal[tuple(RequestType.values)]  # type: ignore[valid-type]
UrgencyName = Literal[tuple(Urgency.values)]  # type: ignore[valid-type]
ReportInStatusName = Literal[tuple(ReportInStatus.values)]  # type: ignore[valid-type]
UnitKindName = Literal[tuple(UnitKind.values)]  # type: ignore[valid-type]
Ordering = Literal["deadline", "newest", "oldest"]
Grouping = Literal["unit", "street", "category"]


class ErrorItem(Schema):
    loc: list[str | int] = Field(description="where: body/query/path/header and the field's name")
    msg: str
    type: str = "value_error"


class ValidationErrorOut(Schema):
    detail: list[ErrorItem]


class MessageOut(Schema):
    detail: str


ERRORS: dict[int, type[Schema]] = {
    400: MessageOut,
    401: MessageOut,
    403: MessageOut,
    404: MessageOut,
    409: MessageOut,
    422: ValidationErrorOut,
    429: MessageOut,
}


def responses(ok: dict[int, object]) -> dict[int, object]:
    """Every operation documents the errors the edge may answer, so fuzzers and clients see them all."""
    return {**ERRORS, **ok}


# --- org ------------------------------------------------------------------------------------------------------


class RegionRef(Schema):
    id: int
    code: str
    name: str
    level: str


class RegionOut(RegionRef):
    parent_id: int | None
    kind: str
    population: int | None


class RegionChildOut(RegionOut):
    child_count: int
    unit_count: int


class RegionDetailOut(RegionOut):
    ancestors: list[RegionRef]


class UnitRef(Schema):
    id: int
    name: str
    kind: str


class UnitOut(UnitRef):
    department_type: str
    region: RegionRef
    is_active: bool


class CategoryRef(Schema):
    id: int
    name: str
    path: str


class CategoryOut(CategoryRef):
    level: int
    parent_id: int | None
    is_active: bool


class CategoryNode(CategoryRef):
    level: int
    children: list[CategoryNode] = []


CategoryNode.model_rebuild()


class Page(Schema):
    count: int
    limit: int
    offset: int


class RegionPage(Page):
    items: list[RegionOut]


class UnitPage(Page):
    items: list[UnitOut]


# --- cases ----------------------------------------------------------------------------------------------------


class CaseIn(Schema):
    text: str = Field(min_length=1, max_length=4000, description="what happened")
    title: str = Field("", max_length=120)
    address: str = Field("", max_length=200)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    region_id: int | None = Field(None, ge=1, le=MAX_ID, description="a community or grid in your scope")
    category_id: int | None = Field(None, ge=1, le=MAX_ID)
    request_type: RequestTypeName = RequestType.HELP.value
    urgency: UrgencyName = Urgency.NORMAL.value
    reporter_name: str = Field("", max_length=60)
    reporter_phone: str = Field("", max_length=20, pattern=r"^[0-9+\- ]*$")
    is_public: bool = False  # private unless the reporter chose to publish a summary (docs/api.md)


class EventOut(Schema):
    at: datetime
    action: str
    action_label: str
    from_state: str
    to_state: str
    unit: UnitRef | None
    reason: str
    is_public: bool


class CaseOut(Schema):
    id: int
    tracking_code: str
    title: str
    text: str
    state: str
    state_label: str
    channel: str
    request_type: str
    urgency: str
    category: CategoryRef | None
    region: RegionRef | None
    address: str
    latitude: float | None
    longitude: float | None
    owner_unit: UnitRef | None
    reporter_phone: str = Field(description="always masked (138****1234)")
    is_public: bool
    is_proactive: bool
    is_overdue: bool
    created_at: datetime
    dispatched_at: datetime | None
    accepted_at: datetime | None
    acceptance_due: datetime | None
    resolution_due: datetime | None
    replied_at: datetime | None
    closed_at: datetime | None
    reply_outcome: str
    reply_text: str
    rating_resolved: bool | None
    rating_satisfied: bool | None
    hop_count: int
    return_count: int
    reopen_count: int
    merged_into: str | None = Field(description="tracking code of the case this one was merged into")


class CaseCreatedOut(CaseOut):
    access_token: str | None = Field(description="the resident's tracking secret, shown once")


class SummonedDepartmentOut(Schema):
    id: int = Field(description="the report-in's id: the {report_in_id} of report-in and release")
    department: UnitRef
    status: ReportInStatusName
    status_label: str
    reported_at: datetime | None
    is_on_time: bool | None = Field(description="reported in before the summons' due time (null until reported)")
    note: str = Field(description="what the department did, as it reported in")
    released_at: datetime | None
    release_reason: str
    actions: list[Literal["report_in", "release"]] = Field(description="what you may do about it now")


class SummonsOut(Schema):
    id: int
    whistled_by: UnitRef = Field(description="the street/township or community centre that whistled")
    whistled_at: datetime
    due_at: datetime = Field(description="report in by this time (30 minutes after the whistle unless set)")
    reason: str
    is_open: bool = Field(description="a summoned department has neither reported in nor been released")
    departments: list[SummonedDepartmentOut]


class CaseDetailOut(CaseOut):
    timeline: list[EventOut]
    actions: list[str] = Field(
        description="actions you may take now: the life cycle's (POST …/actions/{action}) and, as the case page "
        "offers them, whistle, report_in, release and follow_up"
    )
    intake_due: datetime | None = Field(description="dispatch by: the deadline of the intake (dispatch) clock")
    is_intake_overdue: bool = Field(description="still waiting for its first dispatch after intake_due")
    summonses: list[SummonsOut] = Field(description="吹哨报到: who was summoned, when, and who reported in")


class CasePage(Page):
    items: list[CaseOut]


class ActionIn(Schema):
    reason: str = Field("", max_length=2000)
    unit_id: int | None = Field(None, ge=1, le=MAX_ID, description="dispatch / reassign: the handling unit")
    outcome: str = Field("", max_length=20, description="reply: resolved, explained, not_our_duty or tracked")
    text: str = Field("", max_length=4000, description="reply / answer_directly: the answer")
    days: int | None = Field(None, ge=1, le=365, description="request_extension: working days asked for")
    into: str = Field("", max_length=16, description="merge: tracking code of the surviving case")
    departments: list[int] = Field([], max_length=50, description="whistle: department unit ids")
    report_in_id: int | None = Field(None, ge=1, le=MAX_ID, description="report_in / release")
    resolved: bool | None = None
    satisfied: bool | None = None
    reasons: list[str] = Field(
        [],
        max_length=6,
        description="follow_up, when not satisfied: why (not_resolved, too_slow, never_contacted, passed_around, "
        "attitude, other); the resident's words go in reason",
    )


class SummonsIn(Schema):
    department_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        [], max_length=50, description="functional departments of the case's district (see dispatch-units)"
    )
    reason: str = Field("", max_length=2000, description="why they are summoned (required)")
    due_at: datetime | None = Field(
        None, description="report in by: in the future, within 7 days (default: 30 minutes from now)"
    )


class ReportInIn(Schema):
    note: str = Field("", max_length=2000, description="what the department did on site (required)")


class ReleaseIn(Schema):
    reason: str = Field("", max_length=2000, description="why the department is released (required)")


DispatchTier = Literal["recommended", "own_street", "department", "other"]


class DispatchUnitOut(UnitOut):
    tier: DispatchTier = Field(
        description="the picker's order: the routing recommendation, the case's street, the district's departments"
    )
    confidence: float | None = Field(description="the recommendation's confidence, for recommended units")


class DispatchUnitPage(Page):
    items: list[DispatchUnitOut]


# --- rates ----------------------------------------------------------------------------------------------------


class RateOut(Schema):
    name: str
    label: str
    numerator: int
    denominator: int
    value: float | None
    low: float | None
    high: float | None
    small_sample: bool


class RateGroupOut(Schema):
    group: str
    position: int | None
    status: str
    cases: int
    assessed: int
    unrated: int = Field(description="未评价: replied cases not rated within the rating window (in no numerator)")
    awaiting_rating: int = Field(description="replied cases not rated yet, still inside the rating window")
    rates: list[RateOut]
