"""Events the cases context publishes (``fuhe.common.events``); ``docs/architecture.md`` lists their listeners."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CaseReceived:
    """A case was taken in (any channel) and committed; published on commit."""

    case_id: int


@dataclass(frozen=True, slots=True)
class ImportJobQueued:
    """A ticket import was checked and queued; its rows are written by the background worker."""

    job_id: int
