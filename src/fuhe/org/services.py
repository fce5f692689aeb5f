"""Writes to the org tree: importing official division codes, generating grids, creating units."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import connection, transaction

from fuhe.audit.services import ObjectRef, audit_record
from fuhe.org.core.divisions import DivisionRow, Level, grid_key
from fuhe.org.models import Region, RegionKind, Unit
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


def grids_generate(*, actor, community: Region, count: int) -> list[Region]:
    """Create ``count`` generated grids (marked as such) inside a community/village, idempotently."""
    if community.level != Level.COMMUNITY:
        raise ValueError(f"{community} is not a community/village")
    grids = [
        Region(
            id=grid_key(community.id, n),
            code=str(grid_key(community.id, n)).zfill(15),
            name=f"{community.name.removesuffix('居委会').removesuffix('村委会')}第{n}网格",
            level=Level.GRID,
            parent=community,
            kind=community.kind or RegionKind.UNKNOWN,
            is_generated=True,
        )
        for n in range(1, count + 1)
    ]
    with transaction.atomic():
        Region.objects.bulk_create(grids, ignore_conflicts=True)
        audit_record(actor=actor, action="org.grids_generated", target=community, summary={"count": count})
    return grids


def unit_create(
    *,
    actor,
    name: str,
    kind: str,
    region: Region,
    parent: Unit | None = None,
    department_type: str = "",
    party_level: str = "",
    covers: Sequence[Unit] = (),
) -> Unit:
    unit = Unit(
        name=name, kind=kind, region=region, parent=parent, department_type=department_type, party_level=party_level
    )
    unit.full_clean()
    with transaction.atomic():
        unit.save()
        if covers:
            unit.covers.set(covers)
        audit_record(
            actor=actor,
            action="org.unit_created",
            target=unit,
            summary={"after": {"name": name, "kind": kind, "region": region.code}},
        )
    return unit
