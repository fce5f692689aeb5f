"""Builders of small matching instances shared by the tests of ``fuhe.resources.core``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fuhe.resources.core.matching import Demand, Place, Priority, Resource, Window

T0 = datetime(2026, 12, 2, 8, tzinfo=UTC)
DAY = Window(T0, T0 + timedelta(hours=10))
HERE = Place(39.1200, 117.2000)  # 劝业场街道 (Tianjin), roughly


def north(km: float) -> Place:
    """A place ``km`` kilometres north of HERE (one degree of latitude is about 111.2 km)."""
    return Place(HERE.lat + km / 111.195, HERE.lon)


def demand(identifier: str, quantity: int = 1, **changes) -> Demand:
    values = {
        "priority": Priority.BASIC_LIVELIHOOD,
        "window": DAY,
        "place": HERE,
        "kind": "vehicle",
        "region": "劝业场街道",
    }
    values.update(changes)
    return Demand(id=identifier, quantity=quantity, **values)


def resource(identifier: str, capacity: int = 1, **changes) -> Resource:
    values = {"owner": "街道办", "kind": "vehicle", "place": HERE, "windows": (DAY,)}
    values.update(changes)
    return Resource(id=identifier, capacity=capacity, **values)
