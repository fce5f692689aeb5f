"""The one error the matching engine raises for bad input, with a stable code and the field it concerns.

The Django layer translates the codes; the engine itself carries no user-facing text.

| code | raised when |
|---|---|
| ``negative_quantity`` | a demand's quantity is below zero |
| ``negative_capacity`` | a resource's capacity is below zero |
| ``negative_cost`` | a resource's cost of funds per unit, or a weight that must be non-negative, is below zero |
| ``window_reversed`` | a time window ends before it starts |
| ``negative_duration`` | a demand needs a resource for a negative time |
| ``invalid_coordinates`` | a latitude outside [-90, 90] or a longitude outside [-180, 180] (or not a number) |
| ``duplicate_id`` | two demands (or two resources) share an id |
| ``unknown_demand`` | a candidate arc names a demand that is not in the instance |
| ``unknown_resource`` | a candidate arc names a resource that is not in the instance |
| ``invalid_weight`` | a weight is out of its range (tiers not increasing, a speed not positive, ...) |
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    NEGATIVE_QUANTITY = "negative_quantity"
    NEGATIVE_CAPACITY = "negative_capacity"
    NEGATIVE_COST = "negative_cost"
    WINDOW_REVERSED = "window_reversed"
    NEGATIVE_DURATION = "negative_duration"
    INVALID_COORDINATES = "invalid_coordinates"
    DUPLICATE_ID = "duplicate_id"
    UNKNOWN_DEMAND = "unknown_demand"
    UNKNOWN_RESOURCE = "unknown_resource"
    INVALID_WEIGHT = "invalid_weight"


class MatchingInputError(ValueError):
    """Bad input to the matching engine: ``code`` says why, ``field`` names the field, ``item`` the record."""

    def __init__(self, code: ErrorCode, field: str, item: str | None = None, detail: str = "") -> None:
        self.code = code
        self.field = field
        self.item = item
        self.detail = detail
        where = f"{item}." if item is not None else ""
        super().__init__(f"{code.value}: {where}{field}" + (f" ({detail})" if detail else ""))
