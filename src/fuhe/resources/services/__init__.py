"""Writes of resource cloud dispatch: the registry, the demands, the matching run and the delivery loop.

Each write is one atomic action with the acting user as keyword argument and its audit event in the same
transaction; refusals raise ``ResourceError`` (a ``ValidationError`` naming the field) and nothing is written.

* ``resource_register`` / ``resource_update`` / ``resource_confirm``: owners keep their own entries;
  ``resources_import_xlsx``: many at once from a workbook, all or nothing, bad rows named by row and column;
* ``demand_create``, ``demand_from_case`` (one step from a case), ``demands_group`` (demands about one place);
* ``matching_run``: the engine's input built from the database, proposals stored with their explanations —
  nothing is reserved until a human offers;
* ``match_transition``: the one writer of ``Match.state`` (offer → accept / decline → deliver → confirm,
  withdraw, expire), with clocks from the work calendar; ``matches_expire`` releases offers not answered in time.
"""

from fuhe.resources.services.common import ResourceError, engine_error, region_centroid
from fuhe.resources.services.demands import (
    demand_cancel,
    demand_close_met,
    demand_create,
    demand_from_case,
    demands_group,
)
from fuhe.resources.services.loop import (
    TRANSITIONS,
    match_accept,
    match_allowed,
    match_confirm,
    match_decline,
    match_deliver,
    match_offer,
    match_transition,
    match_withdraw,
    matches_expire,
)
from fuhe.resources.services.matching import matching_run
from fuhe.resources.services.registry import resource_confirm, resource_register, resource_update
from fuhe.resources.services.sheet_import import ResourceImportError, resources_import_xlsx

__all__ = [
    "TRANSITIONS",
    "ResourceError",
    "ResourceImportError",
    "demand_cancel",
    "demand_close_met",
    "demand_create",
    "demand_from_case",
    "demands_group",
    "engine_error",
    "match_accept",
    "match_allowed",
    "match_confirm",
    "match_decline",
    "match_deliver",
    "match_offer",
    "match_transition",
    "match_withdraw",
    "matches_expire",
    "matching_run",
    "region_centroid",
    "resource_confirm",
    "resource_register",
    "resource_update",
    "resources_import_xlsx",
]
