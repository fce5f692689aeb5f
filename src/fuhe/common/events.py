"""A small in-process event bus for the calls between bounded contexts that are *events*.

When something happens in one context that another context reacts to (a case is received → routing recommends
its owner; a duty list comes into force → routing retrains), the first context publishes an event and knows
nothing of who listens; the listener subscribes in its ``AppConfig.ready()``. So the import arrows point one way
only (``docs/architecture.md`` lists every event, its publisher and its subscribers).

Two ways to publish:

- ``publish(event)`` calls every handler now, in the publisher's transaction: a handler's error propagates and
  rolls the action back, as if the handler's work were part of it.
- ``publish_on_commit(event)`` calls the handlers after the surrounding transaction commits (at once outside
  one). The action has happened by then, so a handler that fails is logged and never fails the publisher or
  keeps the other handlers from running; such handlers must be safe to miss (a periodic sweep catches up).

Event types are frozen dataclasses defined in the publishing context's ``events.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction

logger = logging.getLogger("fuhe.events")

E = TypeVar("E")
Handler = Callable[[Any], None]

_handlers: dict[type, list[Handler]] = {}


def subscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    """Call ``handler(event)`` for every published event of ``event_type``. Subscribing twice is harmless."""
    handlers = _handlers.setdefault(event_type, [])
    if handler not in handlers:
        handlers.append(handler)


def unsubscribe(event_type: type, handler: Handler) -> None:
    handlers = _handlers.get(event_type, [])
    if handler in handlers:
        handlers.remove(handler)


def subscribers(event_type: type) -> list[Handler]:
    """The handlers of ``event_type``, in the order they subscribed."""
    return list(_handlers.get(event_type, ()))


def publish(event: object) -> None:
    """Call the handlers of ``type(event)`` now; an error propagates to the publisher."""
    for handler in _handlers.get(type(event), ()):
        handler(event)


def publish_on_commit(event: object, *, using: str | None = None) -> None:
    """Call the handlers of ``type(event)`` once the current transaction commits; errors are logged only."""
    if _handlers.get(type(event)):
        transaction.on_commit(lambda: _deliver_committed(event), using=using)


def _deliver_committed(event: object) -> None:
    for handler in _handlers.get(type(event), ()):
        try:
            handler(event)
        except Exception:  # noqa: BLE001 - the action is committed; a listener's failure must not undo or hide it
            logger.exception("handler %s of %s failed", getattr(handler, "__qualname__", handler), event)
