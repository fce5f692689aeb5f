"""django-ninja throttles backed by ``fuhe.ui.ratelimit`` (the same counters as the Open311 endpoints)."""

from __future__ import annotations

import threading

from ninja.throttling import BaseThrottle

from fuhe.ui import ratelimit


class GroupThrottle(BaseThrottle):
    """Counts per API key or user when authenticated (``request.auth``), else per client address."""

    def __init__(self, group: str) -> None:
        self.group = group
        self._local = threading.local()

    def allow_request(self, request) -> bool:
        principal = getattr(request, "auth", None)
        wait = ratelimit.check(request, self.group, getattr(principal, "identity", None))
        self._local.wait = wait
        return wait is None

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)


READ = GroupThrottle("read")
WRITE = GroupThrottle("write")
