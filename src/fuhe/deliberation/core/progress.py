"""A resolution item's progress, derived from the state of the work it became (never typed; no Django).

``item_status`` reads the work's facts: done when the work is finished, overdue when its deadline has passed
before that, in progress otherwise. A resolution is done when all its items are; overdue when any item is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Progress(StrEnum):
    DONE = "done"
    IN_PROGRESS = "in_progress"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class WorkFacts:
    is_finished: bool
    finished_at: datetime | None
    due_at: datetime


def item_status(facts: WorkFacts, now: datetime) -> Progress:
    if facts.is_finished:
        return Progress.DONE
    return Progress.OVERDUE if now >= facts.due_at else Progress.IN_PROGRESS


def resolution_status(statuses: list[Progress]) -> Progress:
    if not statuses:
        return Progress.IN_PROGRESS
    if all(status == Progress.DONE for status in statuses):
        return Progress.DONE
    if any(status == Progress.OVERDUE for status in statuses):
        return Progress.OVERDUE
    return Progress.IN_PROGRESS
