"""``Idempotency-Key`` on the API's POSTs: the first answer is stored and replayed (docs/api.md)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse
from ninja import Status

from fuhe.api.services import Replay, body_fingerprint, idempotency_abandon, idempotency_begin, idempotency_finish


def idempotent(
    request,
    response: HttpResponse,
    *,
    endpoint: str,
    key: str | None,
    body: object,
    run: Callable[[], tuple[int, object]],
) -> Status:
    """Answer ``run()`` (status and JSON body) once per sender, endpoint and ``key``: the same key with the same
    ``body`` replays the stored answer (header ``Idempotent-Replayed: true``) without running again; with another
    body, 422; while the first request runs, 409. A request that fails (bad input, refused) releases the key.
    Without a key, ``run()`` answers every time. ``body`` is what identifies the request: put path ids in it."""
    if not key:
        return Status(*run())
    record = idempotency_begin(
        owner=request.auth.identity, endpoint=endpoint, key=key, fingerprint=body_fingerprint(body)
    )
    if isinstance(record, Replay):
        response["Idempotent-Replayed"] = "true"
        return Status(record.status_code, record.response)
    try:
        status, answer = run()
    except BaseException:
        idempotency_abandon(record=record)
        raise
    idempotency_finish(record=record, status_code=status, response=answer)
    return Status(status, answer)
