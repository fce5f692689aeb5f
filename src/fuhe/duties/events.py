"""Events the duties context publishes (``fuhe.common.events``); ``docs/architecture.md`` lists their listeners."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DutyListActivated:
    """A duty list came into force (its items, classes and keywords changed); published on commit."""

    duty_list_id: int
    #: False when the caller trains routing itself (the demo, bulk seeding): listeners skip the retrain
    retrain_routing: bool = True
