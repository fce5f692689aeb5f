"""Benchmark-only endpoints for ``bench/bench_cases.py`` (not part of the platform's URLs).

``POST /bench/cases``: a JSON intake that validates and calls ``case_create`` (channel ``api``) — what a JSON
API for hotline systems would do. ``POST /bench/bare``: one raw ``INSERT`` of the request body into a bench
table, through the same middleware, as the ceiling of a writing request on this stack. ``POST /bench/writes``:
only the writes of an intake — the case, its receive event, its audit event and the chain head, as plain
statements with parameters prepared from templates, in one writer-locked transaction — without validation or
model code: the floor under ``case_create`` on this stack (whatever Python it runs, it cannot be faster).
"""

from __future__ import annotations

import functools
import json
import secrets
import sqlite3

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from fuhe.audit.core.chain import hash_with_tail, payload_tail
from fuhe.audit.models import AuditEvent
from fuhe.audit.services import audit_signing_key
from fuhe.cases.models import Case, CaseEvent, Channel
from fuhe.cases.services.intake import _tracking_code, case_create, hash_token, region_for_intake
from fuhe.db import prepare

BARE_TABLE = "bench_bare"
FIELDS = ("text", "title", "address", "request_type", "urgency", "reporter_name", "reporter_phone")


def _json_post(view):
    """A POST view given the request's JSON object, or a 400 answer when the body is not one."""

    @csrf_exempt
    @require_POST
    @functools.wraps(view)
    def wrapper(request):
        try:
            body = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            return JsonResponse({"error": "send a JSON object"}, status=400)
        return view(request, body)

    return wrapper


@_json_post
def cases_create(request, body: dict):
    fields = {name: str(body[name]) for name in FIELDS if name in body}
    region = None
    if body.get("region") is not None:
        region = region_for_intake(body["region"])
        if region is None:
            return JsonResponse({"errors": {"region": "no such region"}}, status=400)
    try:
        intake = case_create(
            actor=None,
            channel=Channel.API,
            region=region,
            idempotency_key=body.get("idempotency_key") or None,
            **fields,
        )
    except ValidationError as error:
        return JsonResponse({"errors": error.message_dict}, status=400)
    return JsonResponse(
        {"id": intake.case.pk, "tracking_code": intake.case.tracking_code, "access_token": intake.access_token},
        status=201 if intake.created else 200,
    )


@_json_post
def bare_insert(request, body: dict):
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {BARE_TABLE} (body) VALUES (%s)", [request.body.decode()])  # noqa: S608
        row_id = cursor.lastrowid
    return JsonResponse({"id": row_id}, status=201)


_TEMPLATES: dict[str, tuple[str, list, dict[str, int]]] = {}


def _template(name: str, instance) -> tuple[str, list, dict[str, int]]:
    """The INSERT of ``instance`` in sqlite3's parameter style, its parameters and each column's position."""
    if name not in _TEMPLATES:
        row = prepare(instance)
        _TEMPLATES[name] = (row.sql.replace("%s", "?"), row.params, row._positions)
    return _TEMPLATES[name]


@_json_post
def intake_writes(request, body: dict):
    """The rows ``case_create`` writes for this body, and nothing else (SQLite only)."""
    now = timezone.now()
    stamp = now.replace(tzinfo=None).isoformat(" ", timespec="microseconds")  # as the ORM stores it
    case_sql, case_params, case_at = _template(
        "case",
        Case(
            tracking_code="",
            access_token_hash="",
            channel=Channel.API,
            title="",
            text="",
            address="",
            reporter_phone="",
            is_public=False,  # case_create's default: private unless the reporter chose to publish
            created_at=now,
            request_fingerprint="",
        ),
    )
    event_sql, event_params, event_at = _template(
        "event", CaseEvent(case_id=0, at=now, action="receive", to_state="received", data={"channel": Channel.API})
    )
    audit_sql, audit_params, audit_at = _template(
        "audit",
        AuditEvent(
            seq=0,
            at=now,
            actor_id=None,
            actor_label="system",
            action="case.receive",
            object_type="cases.case",
            object_id="",
            summary={},
            prev_hash="",
            hash="",
        ),
    )
    token = secrets.token_urlsafe(16)
    tracking_code = _tracking_code()
    case = list(case_params)
    for name, value in (
        ("tracking_code", tracking_code),
        ("access_token_hash", hash_token(token, code=tracking_code)),
        ("title", str(body.get("title", ""))[:120]),
        ("text", str(body.get("text", ""))),
        ("address", str(body.get("address", ""))),
        ("region_id", body.get("region")),
        ("request_type", str(body.get("request_type", "help"))),
        ("reporter_phone", str(body.get("reporter_phone", ""))),
        ("created_at", stamp),
    ):
        case[case_at[name]] = value
    summary = {"after": {"category": None, "channel": Channel.API, "region": str(body.get("region"))}}
    execute = sqlite3.Cursor.execute  # the driver's own, past Django's wrappers
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor
        case_id = execute(cursor, case_sql, case).fetchone()[0]
        event = list(event_params)
        event[event_at["case_id"]], event[event_at["at"]] = case_id, stamp
        execute(cursor, event_sql, event).fetchone()
        seq, prev_hash, key_id = execute(
            cursor, "SELECT seq, hash, key_id FROM audit_auditchainhead WHERE id = 1"
        ).fetchone()
        key_id, key = audit_signing_key(key_id)  # the chain's HMAC key, as audit_append signs (ADR 0003)
        tail = payload_tail(
            at=now,
            actor_id=None,
            actor_label="system",
            action="case.receive",
            object_type="cases.case",
            object_id=str(case_id),
            summary=summary,
        )
        digest = hash_with_tail(prev_hash=prev_hash, seq=seq + 1, tail=tail, key=key, key_id=key_id)
        audit = list(audit_params)
        for name, value in (
            ("seq", seq + 1),
            ("at", stamp),
            ("object_id", str(case_id)),
            ("summary", json.dumps(summary)),
            ("prev_hash", prev_hash),
            ("hash", digest),
            ("key_id", key_id),
        ):
            audit[audit_at[name]] = value
        execute(cursor, audit_sql, audit).fetchone()
        head_sql = "UPDATE audit_auditchainhead SET seq = ?, hash = ?, key_id = ? WHERE id = 1"
        execute(cursor, head_sql, [seq + 1, digest, key_id])
    return JsonResponse({"id": case_id, "access_token": token}, status=201)


urlpatterns = [
    path("bench/cases", cases_create),
    path("bench/bare", bare_insert),
    path("bench/writes", intake_writes),
]
