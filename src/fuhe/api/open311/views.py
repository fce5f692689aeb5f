"""Open311 GeoReport v2 under /open311/v2/: discovery, services, service definitions, requests and tokens.

Reads are public (an api_key is optional and only changes whose rate limit applies); POST requests needs an
api_key. Every answer exists as .json and .xml, errors included, with the HTTP status the error names.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, time
from decimal import Decimal, InvalidOperation
from functools import wraps

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from fuhe.api.models import ApiScope
from fuhe.api.open311.mapping import (
    ATTRIBUTE_CODES,
    CLOSED_STATES,
    MAX_WINDOW,
    OPEN311_SPEC,
    RequestWriter,
    public_requests,
    service_categories,
    service_definition_out,
    service_get,
    service_out,
)
from fuhe.api.open311.render import render, render_errors
from fuhe.api.services import (
    Replay,
    api_key_authenticate,
    body_fingerprint,
    case_idempotency_key,
    idempotency_abandon,
    idempotency_begin,
    idempotency_finish,
)
from fuhe.cases.models import Case, Channel, RequestType
from fuhe.cases.services.intake import IdempotencyConflictError, IdempotencyInProgressError, case_create
from fuhe.org.models import Region
from fuhe.ui import ratelimit

ENDPOINT_POST = "open311.requests"
MAX_IDS = 200
OFFSET_RE = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")  # '+' decoded to ' ' in a query


#: the parameters (and the intake's fields) an error may name, with their label in the user's language: an error
#: keeps the parameter's name, which a client program matches, and adds the label a person reads ("lat (纬度): …")
FIELD_LABELS = {
    "lat": _("latitude"),
    "latitude": _("latitude"),
    "long": _("longitude"),
    "longitude": _("longitude"),
    "location": _("location"),
    "where": _("location"),
    "address_string": _("address"),
    "address": _("address"),
    "address_id": _("address code"),
    "service_code": _("service code"),
    "description": _("description"),
    "text": _("description"),
    "title": _("title"),
    "api_key": _("API key"),
    "jurisdiction_id": _("jurisdiction"),
    "service_request_id": _("request id"),
    "status": _("status"),
    "start_date": _("start date"),
    "end_date": _("end date"),
    "page": _("page"),
    "page_size": _("page size"),
    "token": _("token"),
    "body": _("request body"),
    "Idempotency-Key": _("idempotency key"),
    "attribute[request_type]": _("request type"),
    "attribute[publish]": _("publish"),
    "attribute[title]": _("title"),
    "request": _("request"),
}
_NAMED = re.compile(r"^([A-Za-z_\-]+(?:\[[A-Za-z_]+\])?): ")


def labelled(description: str) -> str:
    """``lat: must be …`` → ``lat (纬度): must be …`` in Chinese (the parameter's name kept, its label added)."""
    match = _NAMED.match(description)
    label = FIELD_LABELS.get(match.group(1)) if match else None
    if label is None:
        return description
    name = match.group(1)
    label = str(label)
    return description if label == name else f"{name} ({label}): {description[match.end() :]}"


class Open311Error(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        description = labelled(description)
        super().__init__(description)
        self.status, self.description, self.retry_after = status, description, retry_after


def _setting(name: str, default: str = "") -> str:
    return getattr(settings, name, default) or default


def _page_size() -> int:
    return int(getattr(settings, "FUHE_OPEN311_PAGE_SIZE", 500))


CORS_HEADERS = {  # browser apps of other origins may call Open311: the api_key is the credential, never a cookie
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "Content-Type, Idempotency-Key, X-API-Key, Authorization",
    "Access-Control-Expose-Headers": "Retry-After, Idempotent-Replayed",
    "Access-Control-Max-Age": "86400",
}


def _cors(response, allowed: list[str]):
    for name, value in CORS_HEADERS.items():
        response[name] = value
    response["Access-Control-Allow-Methods"] = ", ".join(allowed)
    return response


def endpoint(*methods: str):
    """Method check (HEAD wherever GET; OPTIONS answers CORS preflights), jurisdiction check, public-read rate
    limit, errors in the spec's format, CORS headers on every answer."""
    allowed = [*methods, *(["HEAD"] if "GET" in methods else []), "OPTIONS"]

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, fmt: str, **kwargs):
            if request.method == "OPTIONS":
                response = HttpResponse(status=204)
                response["Allow"] = ", ".join(allowed)
                return _cors(response, allowed)
            return _cors(handle(request, fmt, **kwargs), allowed)

        def handle(request, fmt: str, **kwargs):
            try:
                if request.method not in allowed:
                    response = render_errors(fmt, 405, f"method {request.method} is not allowed here")
                    response["Allow"] = ", ".join(allowed)
                    return response
                params = request.GET if request.method in ("GET", "HEAD") else _post_params(request)
                jurisdiction = _setting("FUHE_OPEN311_JURISDICTION")
                given = params.get("jurisdiction_id", "")
                if jurisdiction and given and given != jurisdiction:
                    raise Open311Error(404, f"jurisdiction_id: {given!r} is not served here")
                if request.method in ("GET", "HEAD"):
                    _limit(request, "public_read", _read_identity(params))
                response = view(request, fmt, params, **kwargs)
            except Open311Error as error:
                headers = {"Retry-After": str(error.retry_after)} if error.retry_after is not None else None
                response = render_errors(fmt, error.status, error.description, headers=headers)
            if request.method == "HEAD":  # the GET answer's status and headers, without the body
                length = len(response.content)
                response.content = b""
                response["Content-Length"] = str(length)
            return response

        return wrapper

    return decorate


def _limit(request, group: str, identity: str | None) -> None:
    wait = ratelimit.check(request, group, identity)
    if wait is not None:
        raise Open311Error(429, f"too many requests: retry after {wait} s", retry_after=wait)


def _read_identity(params) -> str | None:
    api_key = api_key_authenticate(params.get("api_key"))
    return f"key:{api_key.pk}" if api_key is not None else None


def _post_params(request) -> QueryDict:
    """Form-encoded (the spec) or multipart; a JSON object is accepted too."""
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise Open311Error(400, "body: send form-encoded parameters (or a JSON object)") from None
        if not isinstance(body, dict):
            raise Open311Error(400, "body: send form-encoded parameters (or a JSON object)")
        params = QueryDict(mutable=True)
        for name, value in body.items():
            params.setlist(name, [str(v) for v in value] if isinstance(value, list) else [str(value)])
        return params
    try:
        return request.POST
    except Exception:  # noqa: BLE001 - a malformed multipart body
        raise Open311Error(400, "body: could not parse the form data") from None


# --- discovery and services -------------------------------------------------------------------------------------


@endpoint("GET")
def discovery(request, fmt, params):
    base = request.build_absolute_uri("/open311/v2")
    changeset = _setting("FUHE_OPEN311_CHANGESET", "2026-01-01T00:00:00+08:00")
    payload = {
        "changeset": changeset,
        "contact": _setting("FUHE_OPEN311_CONTACT", "12345"),
        "key_service": _setting(
            "FUHE_OPEN311_KEY_SERVICE", "API keys are issued by the platform's administrators (fuhe api_key create)."
        ),
        "endpoints": [
            {
                "specification": OPEN311_SPEC,
                "url": base,
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, payload, root="discovery", item=None)


@endpoint("GET")
def services(request, fmt, params):
    return render(fmt, [service_out(c) for c in service_categories()], root="services", item="service")


@endpoint("GET")
def service_definition(request, fmt, params, service_code: str):
    category = service_get(service_code)
    if category is None:
        raise Open311Error(404, f"service_code: {service_code!r} is not a service")
    return render(fmt, service_definition_out(category), root="service_definition", item=None)


# --- requests ----------------------------------------------------------------------------------------------------


def _moment(params, name: str) -> datetime | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    value = parse_datetime(OFFSET_RE.sub(r"\1+\2", raw)) if "T" in raw or " " in raw else None
    if value is None:
        try:
            day = parse_date(raw)
        except ValueError:
            day = None
        if day is None:
            raise Open311Error(400, f"{name}: {raw!r} is not a W3C date-time (2026-05-01T00:00:00+08:00)")
        value = datetime.combine(day, time.min)
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _window(params) -> tuple[datetime, datetime]:
    """Default and maximum window: 90 days (ending now, or at end_date; a longer span is cut to its last 90 days)."""
    start, end = _moment(params, "start_date"), _moment(params, "end_date")
    if start and end and start > end:
        raise Open311Error(400, "start_date: must not be after end_date")
    if end is None:
        end = start + MAX_WINDOW if start else timezone.now()
    if start is None or end - start > MAX_WINDOW:
        start = end - MAX_WINDOW
    return start, end


def _ids(raw: str) -> tuple[list[int], list[str]]:
    numbers, codes = [], []
    for value in (v.strip() for v in raw.split(",")):
        if not value:
            continue
        if value.isdigit() and len(value) <= 18:
            numbers.append(int(value))
        elif re.fullmatch(r"[A-Za-z0-9]{1,16}", value):
            codes.append(value.upper())
        else:
            raise Open311Error(400, f"service_request_id: {value[:40]!r} is not a request id")
    if len(numbers) + len(codes) > MAX_IDS:
        raise Open311Error(400, f"service_request_id: at most {MAX_IDS} ids at once")
    return numbers, codes


def _positive(params, name: str, default: int, highest: int) -> int:
    raw = params.get(name, "")
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= highest:
        raise Open311Error(400, f"{name}: give a whole number from 1 to {highest}")
    return int(raw)


def _request_list(params):
    cases = public_requests()
    raw_ids = params.get("service_request_id", "").strip()
    if raw_ids:  # the spec: with ids given, the other parameters are ignored
        numbers, codes = _ids(raw_ids)
        return list(cases.filter(pk__in=numbers)) + list(cases.filter(tracking_code__in=codes))
    codes = [c.strip() for c in params.get("service_code", "").split(",") if c.strip()]
    if codes:
        if not all(c.isdigit() and len(c) <= 18 for c in codes):
            raise Open311Error(400, "service_code: give service codes from services.json")
        cases = cases.filter(category_id__in=[int(c) for c in codes])
    statuses = {s.strip().lower() for s in params.get("status", "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status: give open, closed or open,closed")
    if statuses == {"open"}:
        cases = cases.exclude(state__in=CLOSED_STATES)
    elif statuses == {"closed"}:
        cases = cases.filter(state__in=CLOSED_STATES)
    start, end = _window(params)
    size = _positive(params, "page_size", _page_size(), 1000)
    page = _positive(params, "page", 1, 100_000)
    cases = cases.filter(created_at__gte=start, created_at__lte=end).order_by("-created_at", "-id")
    return list(cases[(page - 1) * size : page * size])


@endpoint("GET", "POST")
def requests(request, fmt, params):
    if request.method == "POST":
        return _post_request(request, fmt, params)
    return render(fmt, RequestWriter(_request_list(params)).all(), root="service_requests", item="request")


def _case_for(request_id: str) -> Case | None:
    cases = public_requests()
    if request_id.isdigit() and len(request_id) <= 18:
        return cases.filter(pk=int(request_id)).first()
    if re.fullmatch(r"[A-Za-z0-9]{1,16}", request_id):
        return cases.filter(tracking_code=request_id.upper()).first()
    return None


@endpoint("GET")
def request_detail(request, fmt, params, request_id: str):
    case = _case_for(request_id)
    if case is None:
        raise Open311Error(404, "service_request_id: no such public request")
    return render(fmt, RequestWriter([case]).all(), root="service_requests", item="request")


@endpoint("GET")
def token(request, fmt, params, token: str):
    case = None
    if re.fullmatch(r"[A-Za-z0-9]{1,16}", token):
        case = Case.objects.filter(tracking_code=token.upper(), is_public=True).only("pk", "tracking_code").first()
    if case is None:
        raise Open311Error(404, "token: no such token")
    return render(
        fmt,
        [{"service_request_id": str(case.pk), "token": case.tracking_code}],
        root="service_requests",
        item="request",
    )


# --- POST requests ---------------------------------------------------------------------------------------------


def _api_key_from(request, params):
    secret = params.get("api_key") or request.GET.get("api_key") or request.headers.get("X-API-Key", "")
    authorization = request.headers.get("Authorization", "")
    if not secret and authorization.lower().startswith("bearer "):
        secret = authorization[7:].strip()
    return api_key_authenticate(secret)


def _coordinate(params, name: str, bound: int) -> Decimal | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise Open311Error(400, f"{name}: {raw[:40]!r} is not a number") from None
    if not value.is_finite() or not -bound <= value <= bound:
        raise Open311Error(400, f"{name}: must be between -{bound} and {bound}")
    return value.quantize(Decimal("0.000001"))


def _attributes(params) -> dict[str, str]:
    values = {}
    for name in params:
        match = re.fullmatch(r"attribute\[([^\]]+)\](\[\])?", name)
        if match is None:
            continue
        code = match.group(1)
        if code not in ATTRIBUTE_CODES:
            raise Open311Error(400, f"attribute[{code[:40]}]: not an attribute of this service")
        given = [value.strip() for value in params.getlist(name) if value.strip()]
        if given:  # an optional attribute sent empty (a form field left blank) is no answer
            values[code] = given[0]
    if "request_type" in values and values["request_type"] not in RequestType.values:
        raise Open311Error(400, f"attribute[request_type]: give one of {', '.join(RequestType.values)}")
    if values.get("publish", "no") not in ("yes", "no"):
        raise Open311Error(400, "attribute[publish]: give yes or no")
    if len(values.get("title", "")) > 120:
        raise Open311Error(400, "attribute[title]: at most 120 characters")
    return values


def _address_region(address_id: str) -> Region | None:
    if not address_id:
        return None
    region = None
    if address_id.isdigit() and len(address_id) <= 15:
        region = (
            Region.objects.filter(code=address_id).first()
            or Region.objects.filter(code=address_id.ljust(12, "0")).first()
        )
    if region is None:
        raise Open311Error(400, f"address_id: {address_id[:40]!r} is not a known address (a division code)")
    return region


def _create(api_key, params, idempotency_key: str | None) -> dict:
    category = service_get(params.get("service_code", "").strip())
    if category is None:
        code = params.get("service_code", "").strip()
        raise Open311Error(400, f"service_code: {code[:40]!r} is not a service" if code else "service_code: required")
    latitude, longitude = _coordinate(params, "lat", 90), _coordinate(params, "long", 180)
    if (latitude is None) != (longitude is None):
        raise Open311Error(400, "lat: give both lat and long, or neither")
    address = params.get("address_string", "").strip()
    region = _address_region(params.get("address_id", "").strip())
    if latitude is None and not address and region is None:
        raise Open311Error(400, "location: give lat and long, address_string or address_id")
    if len(address) > 200:
        raise Open311Error(400, "address_string: at most 200 characters")
    description = params.get("description", "").strip()
    if len(description) > 4000:
        raise Open311Error(400, "description: at most 4,000 characters")
    attributes = _attributes(params)
    phone = re.sub(r"[^\d+]", "", params.get("phone", ""))[:20]
    name = " ".join(p for p in (params.get("first_name", "").strip(), params.get("last_name", "").strip()) if p)
    owner = f"key:{api_key.pk}"
    try:
        intake = case_create(
            actor=api_key.user,
            channel=Channel.API,
            text=description or category.name,
            title=attributes.get("title", ""),
            address=address,
            latitude=latitude,
            longitude=longitude,
            region=region,
            category=category,
            request_type=attributes.get("request_type", RequestType.HELP),
            reporter_name=name[:60],
            reporter_phone=phone,
            is_public=attributes.get("publish") == "yes",  # private unless the reporter agreed
            idempotency_key=case_idempotency_key(owner, ENDPOINT_POST, idempotency_key) if idempotency_key else None,
        )
    except ValidationError as error:
        fields = getattr(error, "message_dict", {"request": error.messages})
        raise Open311Error(400, "; ".join(labelled(f"{f}: {' '.join(m)}") for f, m in fields.items())) from None
    # read back: the region the point or address placed it in, the unit routing may have dispatched it to already
    case = Case.objects.select_related("region", "owner_unit").get(pk=intake.case.pk)
    notice = f"已受理，查询码 {case.tracking_code} / Received, tracking code {case.tracking_code}"
    return {
        "service_request_id": str(case.pk),
        "token": case.tracking_code,
        "service_notice": notice,
        "account_id": None,
        "agency_responsible": RequestWriter([case]).agency(case),
        "address_id": case.region.code if case.region_id else "",
    }


def _post_request(request, fmt, params):
    api_key = _api_key_from(request, params)
    _limit(request, "write", f"key:{api_key.pk}" if api_key is not None else None)
    if api_key is None:
        raise Open311Error(403, "api_key: missing, unknown or revoked")
    if not api_key.allows(ApiScope.WRITE):
        raise Open311Error(403, "api_key: this key may not create requests")
    idempotency_key = request.headers.get("Idempotency-Key", "").strip() or None
    if idempotency_key is None:
        return render(fmt, [_create(api_key, params, None)], root="service_requests", item="request")
    body = {name: params.getlist(name) for name in params if name != "api_key"}
    try:
        record = idempotency_begin(
            owner=f"key:{api_key.pk}", endpoint=ENDPOINT_POST, key=idempotency_key, fingerprint=body_fingerprint(body)
        )
    except ValidationError:
        raise Open311Error(400, "Idempotency-Key: give 1 to 255 characters") from None
    except IdempotencyConflictError as error:
        raise Open311Error(422, f"Idempotency-Key: {error}") from None
    except IdempotencyInProgressError as error:
        raise Open311Error(409, f"Idempotency-Key: {error}") from None
    if isinstance(record, Replay):
        response = render(fmt, record.response, root="service_requests", item="request", status=record.status_code)
        response["Idempotent-Replayed"] = "true"
        return response
    try:
        payload = [_create(api_key, params, idempotency_key)]
    except BaseException:
        idempotency_abandon(record=record)
        raise
    idempotency_finish(record=record, status_code=200, response=payload)
    return render(fmt, payload, root="service_requests", item="request")


@csrf_exempt
def not_found(request, path: str = ""):
    fmt = "xml" if request.path.endswith(".xml") else "json"
    response = render_errors(
        fmt, 404, f"{request.path[:80]} is not an Open311 resource (see /open311/v2/discovery.json)"
    )
    return _cors(response, ["GET", "HEAD", "OPTIONS"])
