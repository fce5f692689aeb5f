"""What every write of the context shares: the error, the engine's error codes in words, input checks and
the conversion of rows into the engine's dataclasses."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuhe.cases.core.workcalendar import ClockUnit
from fuhe.org.models import Region
from fuhe.resources.core import matching as engine
from fuhe.resources.core.errors import ErrorCode, MatchingInputError
from fuhe.resources.models import (
    Resource,
)

GROUP_RADIUS_M = 150  # demands whose places lie this close are about one place
MAX_QUANTITY = 1_000_000  # a typo guard
# (amount, unit) of the owner's time to answer an offer, and of the time from acceptance to delivery
OFFER_CLOCK = {"emergency": (2, ClockUnit.NATURAL_HOUR), "normal": (8, ClockUnit.WORKING_HOUR)}
DELIVERY_CLOCK = {"emergency": (24, ClockUnit.NATURAL_HOUR), "normal": (3, ClockUnit.WORKING_DAY)}


class ResourceError(ValidationError):
    """A write the registry or the loop refuses (a 400 / form error at the edge); nothing was written."""


# --- the engine's error codes, in words ------------------------------------------------------------------------

ENGINE_MESSAGES = {
    ErrorCode.NEGATIVE_QUANTITY: gettext_lazy("The quantity cannot be negative."),
    ErrorCode.NEGATIVE_CAPACITY: gettext_lazy("The capacity cannot be negative."),
    ErrorCode.NEGATIVE_COST: gettext_lazy("A cost cannot be negative."),
    ErrorCode.WINDOW_REVERSED: gettext_lazy("The time window ends before it starts."),
    ErrorCode.NEGATIVE_DURATION: gettext_lazy("The duration cannot be negative."),
    ErrorCode.INVALID_COORDINATES: gettext_lazy(
        "The latitude must lie between -90 and 90 and the longitude between -180 and 180."
    ),
    ErrorCode.DUPLICATE_ID: gettext_lazy("Two records share one id."),
    ErrorCode.UNKNOWN_DEMAND: gettext_lazy("A candidate pair names a demand that is not in this run."),
    ErrorCode.UNKNOWN_RESOURCE: gettext_lazy("A candidate pair names a resource that is not in this run."),
    ErrorCode.INVALID_WEIGHT: gettext_lazy("A weight of the matching is out of its range."),
}
# the engine's field names → the form's fields
ENGINE_FIELDS = {"window": "window_end", "windows": "windows", "place": "latitude", "duration": "duration_minutes"}


def engine_error(error: MatchingInputError) -> ResourceError:
    """The engine's error as a ``ResourceError`` naming the form's field (and the record, when there is one)."""
    message = str(ENGINE_MESSAGES.get(error.code, error.code.value))
    if error.item and error.item[:1] in "dr" and error.item[1:].isdigit() and int(error.item[1:]):
        label = _("demand") if error.item[0] == "d" else _("resource")
        message = _("%(record)s %(id)s: %(message)s") % {"record": label, "id": error.item[1:], "message": message}
    return ResourceError({ENGINE_FIELDS.get(error.field, error.field): message})


# --- input checks -----------------------------------------------------------------------------------------------


def whole_number(value, field: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool):
        value = None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ResourceError({field: _("Enter a whole number.")}) from None
    if number != value and not (isinstance(value, str) and value.strip().lstrip("-").isdigit()):
        raise ResourceError({field: _("Enter a whole number.")})
    if number < minimum:
        if number < 0:
            return number  # the engine's check names it (negative quantity / capacity)
        raise ResourceError({field: _("Enter a number of at least %(min)s.") % {"min": minimum}})
    if number > MAX_QUANTITY:
        raise ResourceError({field: _("Enter a number of at most %(max)s.") % {"max": MAX_QUANTITY}})
    return number


def decimal_number(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ResourceError({field: _("Enter a number.")}) from None
    if not number.is_finite():
        raise ResourceError({field: _("Enter a number.")})
    return number


def region_centroid(region: Region) -> tuple[float, float] | None:
    """The mean of the boundary's outer ring (lat, lon), for a record placed on a region rather than a point."""
    geometry = region.geometry or {}
    rings = []
    if geometry.get("type") == "Polygon":
        rings = geometry.get("coordinates", [])[:1]
    elif geometry.get("type") == "MultiPolygon":
        rings = [polygon[0] for polygon in geometry.get("coordinates", []) if polygon]
    points = [point for ring in rings for point in ring]
    if not points:
        return None
    return sum(p[1] for p in points) / len(points), sum(p[0] for p in points) / len(points)


def place_of(latitude, longitude, region: Region) -> tuple[Decimal, Decimal]:
    lat, lon = decimal_number(latitude, "latitude"), decimal_number(longitude, "longitude")
    if (lat is None) != (lon is None):
        raise ResourceError({"latitude" if lat is None else "longitude": _("Give both latitude and longitude.")})
    if lat is None:
        centre = region_centroid(region)
        if centre is None:
            raise ResourceError(
                {"latitude": _("Give a point on the map: the region %(region)s has no boundary.") % {"region": region}}
            )
        lat, lon = (Decimal(f"{value:.6f}") for value in centre)
    return lat, lon


def choice_of(value, choices, field: str):
    if value not in choices.values:
        raise ResourceError({field: _("Choose one of the listed values.")})
    return value


def region_of(region_id, field: str = "region") -> Region:
    try:
        return Region.objects.get(pk=int(region_id))
    except (Region.DoesNotExist, TypeError, ValueError):
        raise ResourceError({field: _("No region with this id.")}) from None


def windows_of(windows: Iterable[tuple[datetime, datetime]]) -> list[engine.Window]:
    result = []
    for start, end in windows:
        if timezone.is_naive(start) or timezone.is_naive(end):
            raise ResourceError({"windows": _("Give each time with its time zone.")})
        result.append(engine.Window(start, end))
    return result


def engine_resource(resource: Resource, windows: Sequence[engine.Window], capacity: int | None = None):
    return engine.Resource(
        id=f"r{resource.pk or 0}",
        owner=str(resource.owner_id),
        kind=resource.kind,
        capacity=resource.capacity if capacity is None else capacity,
        place=engine.Place(float(resource.latitude), float(resource.longitude)),
        windows=tuple(windows),
        skills=frozenset(resource.skills),
        unit_cost=float(resource.unit_cost),
        service_radius_km=resource.service_radius_km,
    )


def engine_check(demands=(), resources=()) -> None:
    try:
        engine.validate(list(demands), list(resources), engine.Weights())
    except MatchingInputError as error:
        raise engine_error(error) from None
