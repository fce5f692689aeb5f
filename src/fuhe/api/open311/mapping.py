"""How Fuhe maps onto Open311 GeoReport v2: categories are services, public cases are service requests.

* service_code = the category's id; service_name = its name; group = its level-1 ancestor; keywords = its path.
  Leaf categories (no active children) are the services a client may post to.
* status: ``closed`` for closed, merged and dismissed cases, ``open`` for every other state; status_notes say the
  state in words and the latest public answer or reason. agency_responsible is the handling unit, or before
  dispatch the street office / township government receiving the case.
* Only cases the reporter agreed to publish (``is_public``) are listed, as a redacted summary: no reporter name or
  phone; description, address and notes pass through ``fuhe.audit.core.masking.redact`` (phone, ID, card and plate
  numbers, flats and units, names); the point is rounded to three decimals (about 100 m), the street, not the door.
* service_request_id = the case's id; token = its tracking code, given only to the poster (``tokens/{token}``
  answers the id); lists never show tracking codes.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import connections
from django.db.models import Exists, OuterRef, QuerySet

from fuhe.audit.core.masking import redact
from fuhe.cases.core.lifecycle import State
from fuhe.cases.models import Case, CaseEvent, Category, RequestType
from fuhe.cases.services.privacy import public_summary
from fuhe.org.core.divisions import Level, ancestor_keys
from fuhe.org.models import Unit, UnitKind

PUBLIC_DECIMALS = 3
CLOSED_STATES = (State.CLOSED.value, State.MERGED.value, State.DISMISSED.value)
OPEN311_SPEC = "http://wiki.open311.org/GeoReport_v2"
RECEIVING_UNIT_KINDS = (UnitKind.STREET_OFFICE, UnitKind.TOWNSHIP_GOVERNMENT)
SERVICE_ATTRIBUTES = [
    {
        "variable": True,
        "code": "request_type",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "one of the keys",
        "order": 1,
        "description": "诉求类型 / Type of request",
        "values": [{"key": value, "name": str(label)} for value, label in RequestType.choices],
    },
    {
        "variable": True,
        "code": "title",
        "datatype": "string",
        "required": False,
        "datatype_description": "at most 120 characters",
        "order": 2,
        "description": "标题 / Short title",
    },
    {
        "variable": True,
        "code": "publish",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "yes or no; without it, no",
        "order": 3,
        "description": (
            "公开摘要 / The reporter agrees to a redacted summary on the public list (category, place without flat, "
            "text without names or numbers). Without a yes the request stays private and is not listed."
        ),
        "values": [{"key": "yes", "name": "公开 / publish"}, {"key": "no", "name": "不公开 / private"}],
    },
]
ATTRIBUTE_CODES = {attribute["code"] for attribute in SERVICE_ATTRIBUTES}


def service_categories() -> QuerySet[Category]:
    """Active categories without active children: the services offered."""
    active_children = Category.objects.filter(parent=OuterRef("pk"), is_active=True)
    return Category.objects.filter(is_active=True).exclude(Exists(active_children)).order_by("path")


_CATEGORY_FIELDS = ("id", "name", "parent_id", "level", "path", "is_active")
_TABLE = Category._meta.db_table
# the table name is the model's own; the code is a bound parameter
_SERVICE_SQL = (
    f"SELECT c.id, c.name, c.parent_id, c.level, c.path, c.is_active FROM {_TABLE} c "  # noqa: S608
    f"WHERE c.id = %s AND c.is_active AND NOT EXISTS "
    f"(SELECT 1 FROM {_TABLE} k WHERE k.parent_id = c.id AND k.is_active)"
)


def service_get(code: str) -> Category | None:
    """The service (an active category without active children, as ``service_categories``) with this code.

    Plain SQL: every Open311 intake looks its service up, and building the ORM's query cost ~1 ms, ten times the
    query."""
    if not code.isdigit() or len(code) > 18:
        return None
    db = Category.objects.db
    with connections[db].cursor() as cursor:
        cursor.execute(_SERVICE_SQL, [int(code)])
        row = cursor.fetchone()
    return None if row is None else Category.from_db(db, _CATEGORY_FIELDS, (*row[:5], bool(row[5])))


def service_out(category: Category) -> dict:
    parts = category.path.split("/")
    return {
        "service_code": str(category.pk),
        "service_name": category.name,
        "description": " › ".join(parts),
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(parts),
        "group": parts[0],
    }


def service_definition_out(category: Category) -> dict:
    return {"service_code": str(category.pk), "attributes": SERVICE_ATTRIBUTES}


def public_requests() -> QuerySet[Case]:
    return Case.objects.filter(is_public=True).select_related("category", "region", "owner_unit")


def public_coordinate(value) -> float | None:
    """A coordinate to three decimals (about 110 m): the place of a public summary, never a resident's door."""
    return None if value is None else round(float(value), PUBLIC_DECIMALS)


def open311_status(state: str) -> str:
    return "closed" if state in CLOSED_STATES else "open"


class RequestWriter:
    """Turns a page of cases into Open311 requests with two extra queries (latest public notes, street units)."""

    def __init__(self, cases: list[Case]) -> None:
        self.cases = cases
        ids = [case.pk for case in cases]
        self.notes: dict[int, str] = {}
        events = (
            CaseEvent.objects.filter(case_id__in=ids, is_public=True)
            .exclude(reason="")
            .order_by("case_id", "-at", "-id")
            .values_list("case_id", "reason")
        )
        for case_id, reason in events.iterator(chunk_size=2000):
            self.notes.setdefault(case_id, reason)
        street_keys = {self._street_key(case) for case in cases if case.region_id}
        self.street_units = dict(
            Unit.objects.filter(region_id__in=street_keys - {None}, kind__in=RECEIVING_UNIT_KINDS)
            .order_by("region_id", "id")
            .values_list("region_id", "name")
        )

    @staticmethod
    def _street_key(case: Case) -> int | None:
        region = case.region
        if region is None:
            return None
        level = region.level_enum
        if level is Level.STREET:
            return region.id
        keys = ancestor_keys(region.id, level)
        return keys[3] if len(keys) > 3 else None  # province, city, district, street, …

    def agency(self, case: Case) -> str:
        if case.owner_unit_id:
            return case.owner_unit.name
        return self.street_units.get(self._street_key(case), "") if case.region_id else ""

    def status_notes(self, case: Case) -> str:
        state = State(case.state)
        note = case.reply_text or self.notes.get(case.pk, "")
        if state is State.MERGED and case.merged_into_id:  # the request id, not the other case's tracking code
            note = f"并入 / merged into request {case.merged_into_id}"
        words = f"{state.zh} ({state.words})"
        return redact(f"{words}: {note}" if note else words)

    def request_out(self, case: Case) -> dict:
        updated = max(
            moment
            for moment in (
                case.created_at,
                case.dispatched_at,
                case.accepted_at,
                case.replied_at,
                case.rated_at,
                case.closed_at,
            )
            if moment is not None
        )
        summary = public_summary(text=case.text, address=case.address)  # what the report form previewed
        return {
            "service_request_id": str(case.pk),
            "status": open311_status(case.state),
            "status_notes": self.status_notes(case),
            "service_name": case.category.name if case.category_id else "",
            "service_code": str(case.category_id) if case.category_id else "",
            "description": summary.text,
            "agency_responsible": self.agency(case),
            "service_notice": "",
            "requested_datetime": case.created_at,
            "updated_datetime": updated,
            "expected_datetime": case.resolution_due,
            "address": summary.place,
            "address_id": case.region.code if case.region_id else "",
            "zipcode": "",
            "lat": public_coordinate(case.latitude),
            "long": public_coordinate(case.longitude),
            "media_url": "",
        }

    def all(self) -> list[dict]:
        return [self.request_out(case) for case in self.cases]


MAX_WINDOW = timedelta(days=90)
