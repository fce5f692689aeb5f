"""The JSON API (django-ninja) at /api/v1/: one NinjaAPI, routers per context, errors turned into 4xx here."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from fuhe.api import cases, org, summons
from fuhe.api.errors import InvalidFieldsError, field_errors
from fuhe.cases.core.lifecycle import IllegalTransition
from fuhe.cases.services.intake import IdempotencyConflictError, IdempotencyInProgressError

api = NinjaAPI(
    title="Fuhe API",
    version="1",
    description=(
        "Cases, categories, regions, units and rates of the Fuhe platform, scoped exactly as in the web UI. "
        "Authenticate with an API key (`Authorization: Bearer fuhe_…` or `X-API-Key: fuhe_…`) or the browser "
        "session (send the CSRF token in `X-CSRFToken` on POST). Personal data is never returned in full."
    ),
    urls_namespace="api:v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/", cases.router)
api.add_router("/", org.router)
api.add_router("/", summons.router)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    return api.create_response(request, {"detail": field_errors(exc)}, status=422)


@api.exception_handler(InvalidFieldsError)
def _field_errors(request, exc: InvalidFieldsError):
    return api.create_response(request, {"detail": exc.errors}, status=422)


@api.exception_handler(IdempotencyConflictError)
def _idempotency_conflict(request, exc):
    return api.create_response(
        request,
        {"detail": [{"loc": ["header", "Idempotency-Key"], "msg": str(exc), "type": "idempotency_conflict"}]},
        status=422,
    )


@api.exception_handler(IdempotencyInProgressError)
def _idempotency_in_progress(request, exc):
    response = api.create_response(request, {"detail": str(exc)}, status=409)
    response["Retry-After"] = "1"
    return response


@api.exception_handler(IllegalTransition)
def _illegal_transition(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(PermissionDenied)
def _permission_denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or "You may not do this."}, status=403)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    response = api.create_response(request, {"detail": "Authenticate with an API key or sign in."}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="fuhe"'
    return response
