"""Writes to the org tree: importing official division codes, generating grids, creating units."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import connection, transaction

from fuhe.audit.services import ObjectRef, audit_record
from fuhe.org.core.divisions import DivisionRow
from fuhe.org.models import Region
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
