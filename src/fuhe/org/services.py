"""Writes to the org tree: importing official division codes; creating, changing and deleting regions and units (the
back office's writes, each with its audit event)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import connection, transaction

from fuhe.audit.services import ObjectRef, audit_changes, audit_record, audit_snapshot
from fuhe.org.core.divisions import DivisionRow
from fuhe.org.models import Region, Unit
from fuhe.org.signals import regions_changed

BATCH_SIZE = 5000
UPSERT_SQL = (
    "INSERT INTO org_region (id, code, name, level, parent_id, kind, urban_rural_code, population, is_generated) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name, level = excluded.level, "
    "parent_id = excluded.parent_id, kind = excluded.kind, "
    "urban_rural_code = COALESCE(excluded.urban_rural_code, org_region.urban_rural_code), "
    "population = COALESCE(excluded.population, org_region.population), is_generated = excluded.is_generated"
)


@dataclass(frozen=True)
class ImportResult:
    total: int
    created: int
    updated: int
    by_level: dict[str, int]


def regions_import(
    *, actor, rows: Sequence[DivisionRow], source: str = "", progress: Callable[[int], None] | None = None
) -> ImportResult:
    """Insert or update regions in one transaction (idempotent; all or nothing).

    Rows must come parents-first (``parse_directory`` yields them by level). One audit event records the
    import as a whole; rows are written with a batched upsert, the only way to load 660k rows quickly.
    """
    by_level: dict[str, int] = {}
    for row in rows:
        by_level[row.level.value] = by_level.get(row.level.value, 0) + 1
    with transaction.atomic():
        before = Region.objects.count()
        with connection.cursor() as cursor:
            for start in range(0, len(rows), BATCH_SIZE):
                batch = rows[start : start + BATCH_SIZE]
                cursor.executemany(
                    UPSERT_SQL,
                    [
                        (
                            r.key,
                            r.code,
                            r.name,
                            r.level.value,
                            r.parent_key,
                            r.kind.value,
                            r.urban_rural_code,
                            r.population,
                            False,
                        )
                        for r in batch
                    ],
                )
                if progress:
                    progress(len(batch))
        created = Region.objects.count() - before
        result = ImportResult(total=len(rows), created=created, updated=len(rows) - created, by_level=by_level)
        audit_record(
            actor=actor,
            action="org.regions_imported",
            target=ObjectRef("org.region", "*"),
            summary={
                "source": source,
                "total": result.total,
                "created": created,
                "updated": result.updated,
                "by_level": by_level,
            },
        )
    regions_changed.send(sender=Region)
    return result


# --- regions and units, as the back office (Django admin) writes them --------------------------------------------
# Each write saves and records its audit event in one transaction; caches derived from regions hear of it on commit.

REGION_FIELDS = ("code", "name", "level", "parent", "kind", "urban_rural_code", "population", "is_generated")
UNIT_FIELDS = ("name", "kind", "region", "parent", "department_type", "party_level", "is_active", "covers")


def _region_snapshot(region: Region | None) -> dict:
    values = audit_snapshot(region, REGION_FIELDS)
    if region is not None:  # a boundary can be large: the summary says whether there is one, not its points
        values["geometry"] = region.geometry is not None
    return values


def _regions_changed() -> None:
    transaction.on_commit(lambda: regions_changed.send(sender=Region))


def region_save(*, actor, region: Region) -> Region:
    """Create or change one region (as the back office's form filled it in)."""
    adding = region._state.adding
    with transaction.atomic():
        stored = None if adding else Region.objects.filter(pk=region.pk).first()
        before = _region_snapshot(stored)
        geometry_changed = stored is not None and stored.geometry != region.geometry
        region.full_clean()
        region.save()
        summary = audit_changes(before, _region_snapshot(region))
        if geometry_changed:
            summary["geometry_changed"] = True
        audit_record(
            actor=actor, action="org.region_created" if adding else "org.region_changed", target=region, summary=summary
        )
        _regions_changed()
    return region


def region_delete(*, actor, region: Region) -> None:
    """Delete a region (the database refuses while regions, units or role assignments still point to it)."""
    with transaction.atomic():
        audit_record(
            actor=actor, action="org.region_deleted", target=region, summary={"before": _region_snapshot(region)}
        )
        region.delete()
        _regions_changed()


def unit_save(*, actor, unit: Unit, covers=None) -> Unit:
    """Create or change a unit; ``covers``: the units it covers (regional party building), when changed."""
    adding = unit._state.adding
    with transaction.atomic():
        before = audit_snapshot(None if adding else Unit.objects.filter(pk=unit.pk).first(), UNIT_FIELDS)
        unit.full_clean()
        unit.save()
        if covers is not None:
            unit.covers.set(covers)
        audit_record(
            actor=actor,
            action="org.unit_created" if adding else "org.unit_changed",
            target=unit,
            summary=audit_changes(before, audit_snapshot(unit, UNIT_FIELDS)),
        )
    return unit


def unit_delete(*, actor, unit: Unit) -> None:
    """Delete a unit (the database refuses while people, cases or subunits still point to it)."""
    with transaction.atomic():
        audit_record(
            actor=actor, action="org.unit_deleted", target=unit, summary={"before": audit_snapshot(unit, UNIT_FIELDS)}
        )
        unit.delete()
