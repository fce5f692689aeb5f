"""Writes of the API context: keys (created, shown once, revoked, last use) and idempotent answers."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fuhe.api.models import ApiKey, ApiScope, IdempotencyRecord
from fuhe.audit.services import audit_record
from fuhe.cases.services.intake import IdempotencyConflictError, IdempotencyInProgressError

KEY_PREFIX = "fuhe_"
LAST_USED_RESOLUTION = timedelta(minutes=1)  # last use is written at most once a minute per key
IN_PROGRESS_TIMEOUT = timedelta(minutes=2)  # a first request older than this is taken as abandoned
MAX_IDEMPOTENCY_KEY = 255


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    secret: str  # shown once; only its hash is stored


def api_key_create(
    *, actor, user=None, application: str = "", name: str = "", scopes: list[str] | None = None
) -> IssuedKey:
    """Issue a key owned by ``user`` or by the ``application`` name; returns the secret once."""
    application = application.strip()
    if (user is None) == (not application):
        raise ValidationError({"owner": _("Give exactly one owner: a user or an application name.")})
    scopes = sorted(set(scopes if scopes is not None else [ApiScope.READ, ApiScope.WRITE]))
    unknown = [s for s in scopes if s not in ApiScope.values]
    if unknown or not scopes:
        raise ValidationError({"scopes": _("Choose among %(scopes)s.") % {"scopes": ", ".join(ApiScope.values)}})
    with transaction.atomic():
        prefix = secrets.token_hex(4)
        while ApiKey.objects.filter(prefix=prefix).exists():  # pragma: no cover - 1 in 4 billion
            prefix = secrets.token_hex(4)
        secret = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        api_key = ApiKey(
            name=name.strip()[:80],
            prefix=prefix,
            secret_hash=hash_secret(secret),
            user=user,
            application=application[:80],
            scopes=scopes,
            created_at=timezone.now(),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        api_key.full_clean(exclude=["created_by", "user"])
        api_key.save(force_insert=True)
        audit_record(
            actor=actor,
            action="api_key.create",
            target=api_key,
            summary={"after": {"prefix": prefix, "owner": api_key.owner_label, "scopes": scopes}},
        )
    return IssuedKey(api_key, secret)


def api_key_revoke(*, actor, api_key: ApiKey) -> ApiKey:
    """Revoke a key at once; revoking twice changes nothing."""
    with transaction.atomic():
        api_key = ApiKey.objects.select_for_update().get(pk=api_key.pk)
        if api_key.revoked_at is None:
            api_key.revoked_at = timezone.now()
            api_key.save(update_fields=["revoked_at"])
            audit_record(
                actor=actor,
                action="api_key.revoke",
                target=api_key,
                summary={"after": {"prefix": api_key.prefix, "owner": api_key.owner_label}},
            )
    return api_key


def api_key_authenticate(secret: str | None) -> ApiKey | None:
    """The active key with this secret (looked up by its hash), recording its use; None otherwise."""
    if not secret or not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    api_key = (
        ApiKey.objects.select_related("user").filter(secret_hash=hash_secret(secret), revoked_at__isnull=True).first()
    )
    if api_key is None or (api_key.user_id and not api_key.user.is_active):
        return None
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key


# --- idempotency ---------------------------------------------------------------------------------------------


def body_fingerprint(body) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class Replay:
    status_code: int
    response: object


def idempotency_begin(*, owner: str, endpoint: str, key: str, fingerprint: str) -> IdempotencyRecord | Replay:
    """Claim ``key`` for this request, or say what an earlier request with it answered.

    Returns the claimed record (go on, then call ``idempotency_finish`` or ``idempotency_abandon``) or a
    ``Replay`` of the stored answer. Raises ``IdempotencyConflictError`` when the key came with another body and
    ``IdempotencyInProgressError`` while the first request is still being processed.
    """
    if not key or len(key) > MAX_IDEMPOTENCY_KEY:
        raise ValidationError(
            {"Idempotency-Key": _("Give 1 to %(count)d characters.") % {"count": MAX_IDEMPOTENCY_KEY}}
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                owner=owner, endpoint=endpoint, key=key, fingerprint=fingerprint, created_at=now
            )
    except IntegrityError:
        pass
    with transaction.atomic():
        record = IdempotencyRecord.objects.select_for_update().filter(owner=owner, endpoint=endpoint, key=key).first()
        if record is None:  # abandoned and deleted in between: claim it now
            return IdempotencyRecord.objects.create(
                owner=owner, endpoint=endpoint, key=key, fingerprint=fingerprint, created_at=now
            )
        if record.fingerprint != fingerprint:
            raise IdempotencyConflictError("this Idempotency-Key was used with a different request body")
        if record.status_code is not None:
            return Replay(record.status_code, record.response)
        if now - record.created_at < IN_PROGRESS_TIMEOUT:
            raise IdempotencyInProgressError("a request with this Idempotency-Key is still being processed")
        record.created_at = now  # the first request died: this one takes over
        record.save(update_fields=["created_at"])
        return record


def idempotency_finish(*, record: IdempotencyRecord, status_code: int, response) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        status_code=status_code, response=response, completed_at=timezone.now()
    )


def idempotency_abandon(*, record: IdempotencyRecord) -> None:
    """The request failed before creating anything (bad input): the key may be used again."""
    IdempotencyRecord.objects.filter(pk=record.pk, status_code__isnull=True).delete()


def case_idempotency_key(owner: str, endpoint: str, key: str) -> str:
    """The key handed to ``case_create`` (80 characters at most), unique per sender and endpoint."""
    return "api:" + hashlib.sha256(f"{owner}\n{endpoint}\n{key}".encode()).hexdigest()[:60]
