"""Abuse limits: fixed-window counters in a Django cache, per API key (or user) and per client address.

``FUHE_RATE_LIMITS`` maps an endpoint group to "N/period" (period s, m, h or d), e.g.
``{"public_read": "120/m", "read": "600/m", "write": "30/m"}``; a group missing or set to "" is not limited.
The counters live in the cache named by ``FUHE_RATE_LIMIT_CACHE`` (a file cache shared by the workers by default).
The web's anonymous channels use it too: ``report`` (resident reports per address), ``track`` (tracking look-ups per
address) and ``track_failures`` (wrong phone digits per tracking code, from any address).
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured

PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
PERIOD_RE = re.compile(r"^(?P<multiple>[1-9][0-9]*)?(?P<unit>[a-z]+)$")
DEFAULT_LIMITS = {
    "public_read": "120/m",
    "read": "600/m",
    "write": "30/m",
    "report": "10/m",
    "track": "30/m",
    "track_failures": "5/15m",
}


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


def parse_rate(rate: str) -> Limit | None:
    """ "N/period" with period s, m, h or d, optionally a multiple of it ("5/15m"); "" is no limit."""
    if not rate:
        return None
    try:
        count, period = rate.split("/")
        found = PERIOD_RE.match(period.strip().lower())
        if found is None:
            raise ValueError(period)
        return Limit(int(count), int(found["multiple"] or 1) * PERIODS[found["unit"]])
    except (ValueError, KeyError):
        raise ImproperlyConfigured(f"FUHE_RATE_LIMITS: {rate!r} is not 'N/s|m|h|d'") from None


def limit_for(group: str) -> Limit | None:
    limits = {**DEFAULT_LIMITS, **getattr(settings, "FUHE_RATE_LIMITS", {})}
    return parse_rate(limits.get(group, ""))


def client_address(request) -> str:
    """REMOTE_ADDR, or the address a trusted proxy put last into X-Forwarded-For (FUHE_TRUSTED_PROXIES > 0)."""
    proxies = int(getattr(settings, "FUHE_TRUSTED_PROXIES", 0))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


@dataclass(frozen=True)
class Window:
    """The current fixed window of ``limit`` for one identity in one group: its counter's key, when it ends."""

    limit: Limit
    key: str
    ends_at: float

    def wait(self, now: float) -> int:
        return max(1, math.ceil(self.ends_at - now))


def _window(group: str, identity: str, now: float) -> Window | None:
    limit = limit_for(group)
    if limit is None:
        return None
    window = int(now // limit.seconds)
    return Window(limit, f"fuhe-rl:{group}:{identity}:{window}", (window + 1) * limit.seconds)


def _counters():
    return caches[getattr(settings, "FUHE_RATE_LIMIT_CACHE", "default")]


def hit(group: str, identity: str) -> int | None:
    """Count one request of ``identity`` in ``group``; the seconds to wait when over the limit, else None."""
    now = time.time()
    window = _window(group, identity, now)
    if window is None:
        return None
    cache, timeout = _counters(), window.limit.seconds + 1
    cache.add(window.key, 0, timeout=timeout)
    try:
        count = cache.incr(window.key)
    except ValueError:  # expired between add and incr
        cache.set(window.key, 1, timeout=timeout)
        count = 1
    return None if count <= window.limit.count else window.wait(now)


def check(request, group: str, principal: str | None = None) -> int | None:
    """Apply the group's limit per key/user when the request carries one, else per client address."""
    identity = principal or f"ip:{client_address(request)}"
    return hit(group, identity)


def waiting(group: str, identity: str) -> int | None:
    """The seconds ``identity`` must wait in ``group`` without counting a request (a lock check), else None."""
    now = time.time()
    window = _window(group, identity, now)
    if window is None or (_counters().get(window.key) or 0) < window.limit.count:
        return None
    return window.wait(now)
