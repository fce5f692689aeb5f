"""Benchmark-only endpoints for ``bench/bench_cases.py`` (not part of the platform's URLs).

``POST /bench/cases``: a JSON intake that validates and calls ``case_create`` (channel ``api``) — what a JSON
API for hotline systems would do. ``POST /bench/bare``: one raw ``INSERT`` of the request body into a bench
table, through the same middleware, as the ceiling of a writing request on this stack.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.db import connection
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from fuhe.cases.models import Channel
from fuhe.cases.services.intake import case_create, region_for_intake

BARE_TABLE = "bench_bare"
FIELDS = ("text", "title", "address", "request_type", "urgency", "reporter_name", "reporter_phone")


def _body(request) -> dict | None:
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


@csrf_exempt
@require_POST
def cases_create(request):
    body = _body(request)
    if body is None:
        return JsonResponse({"error": "send a JSON object"}, status=400)
    fields = {name: str(body[name]) for name in FIELDS if name in body}
    region = None
    if body.get("region") is not None:
        region = region_for_intake(body["region"])
        if region is None:
            return JsonResponse({"errors": {"region": "no such region"}}, status=400)
    try:
        intake = case_create(actor=None, channel=Channel.API, region=region,
                             idempotency_key=body.get("idempotency_key") or None, **fields)
    except ValidationError as error:
        return JsonResponse({"errors": error.message_dict}, status=400)
    return JsonResponse({"id": intake.case.pk, "tracking_code": intake.case.tracking_code,
                         "access_token": intake.access_token}, status=201 if intake.created else 200)


@csrf_exempt
@require_POST
def bare_insert(request):
    body = _body(request)
    if body is None:
        return JsonResponse({"error": "send a JSON object"}, status=400)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {BARE_TABLE} (body) VALUES (%s)", [request.body.decode()])  # noqa: S608
        row_id = cursor.lastrowid
    return JsonResponse({"id": row_id}, status=201)


urlpatterns = [
    path("bench/cases", cases_create),
    path("bench/bare", bare_insert),
]
