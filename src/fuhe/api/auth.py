"""Who is calling: the browser session (CSRF enforced on unsafe methods) or an API key.

Every authentication class answers a ``Principal``: the person the request acts as (None for an application
key) and the key, if any. Services receive ``principal.actor``, exactly what the web UI passes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from ninja.security import APIKeyHeader, HttpBearer
from ninja.security.session import SessionAuth

from fuhe.api.models import ApiKey, ApiScope
from fuhe.api.services import api_key_authenticate

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Principal:
    user: object | None  # the acting person, None for an application's key
    api_key: ApiKey | None = None

    @property
    def actor(self):
        return self.user if self.user is not None else AnonymousUser()

    @property
    def identity(self) -> str:
        """What rate limits and idempotency keys are counted per."""
        if self.api_key is not None:
            return f"key:{self.api_key.pk}"
        return f"user:{getattr(self.user, 'pk', '')}"

    def allows(self, scope: str) -> bool:
        return self.api_key is None or self.api_key.allows(scope)

    def __bool__(self) -> bool:  # ninja takes a falsy answer for "not authenticated"
        return True


def _principal_for_key(request, secret: str | None) -> Principal | None:
    api_key = api_key_authenticate(secret)
    if api_key is None:
        return None
    scope = ApiScope.READ if request.method in SAFE_METHODS else ApiScope.WRITE
    if not api_key.allows(scope):
        return None
    if api_key.user_id:
        request.user = api_key.user
    return Principal(api_key.user if api_key.user_id else None, api_key)


class BearerKey(HttpBearer):
    """``Authorization: Bearer fuhe_…``"""

    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        return _principal_for_key(request, token)


class HeaderKey(APIKeyHeader):
    """``X-API-Key: fuhe_…``"""

    param_name = "X-API-Key"

    def authenticate(self, request, key):
        return _principal_for_key(request, key)


class Session(SessionAuth):
    """The signed-in browser session; ninja checks the CSRF token on POST, PUT, PATCH and DELETE."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return Principal(user) if user is not None else None


API_AUTH = [BearerKey(), HeaderKey(), Session()]
