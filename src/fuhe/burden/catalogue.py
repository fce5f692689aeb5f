"""The fill-once catalogue (一表通) on the database: what the platform already knows about each unit.

``known_values`` gathers, for many units at once, the candidates ``core.prefill`` chooses from: values derived
live from the platform's own data (the org tree, cases) and earlier submissions or entries (``DataValue``).
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from django.db.models import Q

from fuhe.burden.core.prefill import FieldPrefill, Known, resolve
from fuhe.burden.models import DataItem, DataSource, DataValue
from fuhe.org.core.divisions import Level
from fuhe.org.models import Region, Unit

# code, name, aliases, unit of measure, source, owner, validity (days), minutes by hand, derivation
DEFAULT_ITEMS: list[tuple] = [
    ("org.population", "常住人口", ["人口数", "居民人数"], "人", DataSource.ORG, "统计局", 365, 5, "org.population"),
    ("org.grids", "网格数", ["网格数量"], "个", DataSource.ORG, "社会工作部", None, 2, "org.grids"),
    (
        "cases.total",
        "近90天诉求件数",
        ["诉求数量", "工单数"],
        "件",
        DataSource.PLATFORM,
        "12345热线",
        30,
        10,
        "cases.count",
    ),
    (
        "cases.construction",
        "城乡建设类诉求件数",
        ["城建类诉求"],
        "件",
        DataSource.PLATFORM,
        "12345热线",
        30,
        8,
        "cases.count:城乡建设",
    ),
    (
        "cases.environment",
        "环境保护类诉求件数",
        ["环保类诉求"],
        "件",
        DataSource.PLATFORM,
        "12345热线",
        30,
        8,
        "cases.count:环境保护",
    ),
    (
        "cases.social",
        "劳动和社会保障类诉求件数",
        ["社保类诉求"],
        "件",
        DataSource.PLATFORM,
        "12345热线",
        30,
        8,
        "cases.count:劳动和社会保障",
    ),
    ("pop.households", "户数", ["常住户数"], "户", DataSource.SUBMISSION, "民政局", 365, 5, ""),
    (
        "pop.elderly_alone",
        "独居老人人数",
        ["空巢独居老人", "独居老人"],
        "人",
        DataSource.SUBMISSION,
        "民政局",
        90,
        15,
        "",
    ),
    ("pop.elderly_80", "80岁以上老人人数", ["高龄老人"], "人", DataSource.SUBMISSION, "民政局", 180, 10, ""),
    ("pop.disabled", "残疾人人数", ["持证残疾人"], "人", DataSource.SUBMISSION, "残联", 180, 10, ""),
    ("pop.low_income", "低保户数", ["最低生活保障户"], "户", DataSource.SUBMISSION, "民政局", 90, 8, ""),
    ("pop.veterans", "退役军人人数", ["退役军人"], "人", DataSource.SUBMISSION, "退役军人事务局", 365, 8, ""),
    ("pop.floating", "流动人口数", ["外来人口"], "人", DataSource.SUBMISSION, "公安局", 90, 12, ""),
    ("fac.elevators", "老旧电梯数", ["电梯数量"], "部", DataSource.SUBMISSION, "住建委", 365, 10, ""),
    ("fac.fire_points", "消防隐患点数", ["消防隐患"], "处", DataSource.SUBMISSION, "应急管理局", 30, 20, ""),
    ("fac.service_points", "养老服务站点数", ["养老驿站"], "个", DataSource.SUBMISSION, "民政局", 365, 5, ""),
    ("fac.parking", "小区停车位数", ["停车位"], "个", DataSource.SUBMISSION, "城管委", 365, 10, ""),
    ("fac.garbage_points", "垃圾分类投放点数", ["垃圾投放点"], "个", DataSource.SUBMISSION, "城管委", 180, 8, ""),
    ("org.volunteers", "注册志愿者人数", ["志愿者人数"], "人", DataSource.SUBMISSION, "文明办", 180, 6, ""),
    ("org.social_orgs", "社区社会组织数", ["社会组织数"], "个", DataSource.SUBMISSION, "民政局", 365, 6, ""),
]

CASE_WINDOW_DAYS = 90


def catalogue_seed() -> int:
    """Create the default catalogue items that are missing (idempotent); returns how many were created."""
    existing = set(DataItem.objects.values_list("code", flat=True))
    new = [
        DataItem(
            code=code,
            name=name,
            aliases=aliases,
            unit_of_measure=measure,
            source=source,
            owner=owner,
            validity_days=validity,
            effort_minutes=minutes,
            derivation=derivation,
        )
        for code, name, aliases, measure, source, owner, validity, minutes, derivation in DEFAULT_ITEMS
        if code not in existing
    ]
    DataItem.objects.bulk_create(new)
    return len(new)


def catalogue_names() -> dict[str, str]:
    """Every name and alias of the catalogue → item code (for the duplicate-collection flag)."""
    names: dict[str, str] = {}
    for code, name, aliases in DataItem.objects.values_list("code", "name", "aliases"):
        names[name] = code
        for alias in aliases or []:
            names[alias] = code
    return names


def _unit_region_level(unit: Unit) -> Level:
    return Level(unit.region.level)


def _derived(units: Sequence[Unit], items: Sequence[DataItem], at: datetime) -> dict[int, dict[str, list[Known]]]:
    """Values the platform computes itself for each unit's region: population, grids, case counts."""
    derived: dict[int, dict[str, list[Known]]] = defaultdict(lambda: defaultdict(list))
    wanted = {item.derivation: item for item in items if item.derivation}
    if not wanted or not units:
        return derived
    ranges = {unit.pk: unit.region.subtree for unit in units}
    if "org.population" in wanted:
        for unit in units:
            if unit.region.population is not None:
                derived[unit.pk][wanted["org.population"].code].append(
                    Known(str(unit.region.population), at, DataSource.ORG)
                )
    if "org.grids" in wanted:
        counts = _count_in_ranges(Region.objects.filter(level=Level.GRID), "id", ranges)
        for unit in units:
            derived[unit.pk][wanted["org.grids"].code].append(Known(str(counts.get(unit.pk, 0)), at, DataSource.ORG))
    case_derivations = {d: item for d, item in wanted.items() if d.startswith("cases.count")}
    if case_derivations:
        from fuhe.cases.models import Case

        since = at - timedelta(days=CASE_WINDOW_DAYS)
        low = min(low for low, _ in ranges.values())
        high = max(high for _, high in ranges.values())
        # merged cases are dropped here, not in SQL: ``merged_into IS NULL`` lures SQLite onto that index (nearly
        # every case matches) instead of the region range; no ordering, the rows are only counted
        rows = (
            Case.objects.filter(created_at__gte=since, created_at__lte=at, region_id__gte=low, region_id__lt=high)
            .order_by()
            .values_list("region_id", "category__path", "merged_into_id")
        )
        prefixes = {derivation: derivation.partition(":")[2] for derivation in case_derivations}
        counted_for: dict[str | None, list[str]] = {}  # category path → the derivations that count it
        per_region: dict[str, Counter[int]] = {derivation: Counter() for derivation in case_derivations}
        for region, path, merged_into in rows:
            if merged_into is not None:
                continue
            derivations = counted_for.get(path)
            if derivations is None:
                derivations = counted_for[path] = [
                    derivation
                    for derivation, prefix in prefixes.items()
                    if not prefix or (path or "").startswith(prefix + "/") or path == prefix
                ]
            for derivation in derivations:
                per_region[derivation][region] += 1
        for derivation, item in case_derivations.items():
            counts = _bucket_counts(per_region[derivation], ranges)
            for unit in units:
                derived[unit.pk][item.code].append(Known(str(counts.get(unit.pk, 0)), at, DataSource.PLATFORM))
    return derived


def _bucket(region_ids: Iterable[int], ranges: dict[int, tuple[int, int]]) -> dict[int, int]:
    """How many of ``region_ids`` fall in each unit's range."""
    return _bucket_counts(Counter(region_ids), ranges)


def _bucket_counts(region_counts: Mapping[int, int], ranges: dict[int, tuple[int, int]]) -> dict[int, int]:
    """``region_counts`` (region → how many) summed per unit range (binary search when the ranges do not nest);
    each distinct region is placed once, however many rows it stands for."""
    ordered = sorted(ranges.items(), key=lambda kv: kv[1])
    lows = [low for _unit, (low, _high) in ordered]
    nested = any(ordered[i][1][1] > ordered[i + 1][1][0] for i in range(len(ordered) - 1))
    counts: dict[int, int] = defaultdict(int)
    for region_id, how_many in region_counts.items():
        if nested:
            for unit_id, (low, high) in ordered:
                if low <= region_id < high:
                    counts[unit_id] += how_many
            continue
        index = bisect.bisect_right(lows, region_id) - 1
        if index >= 0 and region_id < ordered[index][1][1]:
            counts[ordered[index][0]] += how_many
    return counts


RANGES_PER_QUERY = 200  # SQLite refuses an expression tree deeper than 1,000; each range is one OR term


def _merged(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The union of half-open ranges as disjoint ranges: the communities of a street become one range."""
    merged: list[tuple[int, int]] = []
    for low, high in sorted(set(ranges)):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _count_in_ranges(queryset, field: str, ranges: dict[int, tuple[int, int]]) -> dict[int, int]:
    if not ranges:
        return {}
    merged = _merged(ranges.values())
    values: list[int] = []
    for start in range(0, len(merged), RANGES_PER_QUERY):
        condition = Q()
        for low, high in merged[start : start + RANGES_PER_QUERY]:
            condition |= Q(**{f"{field}__gte": low, f"{field}__lt": high})
        values.extend(queryset.filter(condition).values_list(field, flat=True))
    return _bucket(values, ranges)


def grid_counts(units: Sequence[Unit]) -> dict[int, int]:
    """Grids under each unit's region."""
    return _count_in_ranges(Region.objects.filter(level=Level.GRID), "id", {u.pk: u.region.subtree for u in units})


def _fresh_enough(items: Sequence[DataItem], at: datetime) -> Q:
    """Values still within their item's validity period at ``at`` (as ``Known.is_valid``), one term per period."""
    by_validity: dict[int | None, list[int]] = defaultdict(list)
    for item in items:
        by_validity[item.validity_days].append(item.pk)
    condition = Q()
    for days, item_ids in by_validity.items():
        term = Q(item_id__in=item_ids)
        if days is not None:
            term &= Q(as_of__gte=at - timedelta(days=days))
        condition |= term
    return condition


def _add_stored(known: dict[int, dict[str, list[Known]]], codes: dict[int, str], row: tuple) -> None:
    unit_id, item_id, value, as_of, source = row
    known.setdefault(unit_id, defaultdict(list))[codes[item_id]].append(Known(value, as_of, source))


def known_values(
    units: Sequence[Unit], items: Sequence[DataItem], at: datetime, *, valid_only: bool = False
) -> dict[int, dict[str, list[Known]]]:
    """Candidates per unit and item code: derived values plus the latest stored value. Derived items read stored
    values too: where the platform cannot compute one (a region without a population), the unit's answer fills in
    and prefills the next form. ``valid_only`` leaves out stored values past their validity period (the prefill
    cannot use them, and at 10,000 units reading and converting them was most of its time)."""
    known = _derived(units, items, at)
    stored_items = list(items)
    if stored_items and units:
        codes = {item.pk: item.code for item in stored_items}
        unit_ids = [unit.pk for unit in units]
        for start in range(0, len(unit_ids), 500):
            # plain tuples, not model instances; in the (unit, item, as_of) index's own order, so SQLite does not
            # sort: the newest value of a pair is its last row
            rows = (
                DataValue.objects.filter(
                    unit_id__in=unit_ids[start : start + 500], item_id__in=list(codes), as_of__lte=at
                )
                .filter(_fresh_enough(stored_items, at) if valid_only else Q())
                .order_by("unit_id", "item_id", "as_of", "id")
                .values_list("unit_id", "item_id", "value", "as_of", "source")
            )
            newest = None
            for row in rows:
                if newest is not None and row[:2] != newest[:2]:
                    _add_stored(known, codes, newest)
                newest = row
            if newest is not None:
                _add_stored(known, codes, newest)
    return known


def prefill_for(units: Sequence[Unit], items: Sequence[DataItem], at: datetime) -> dict[int, list[FieldPrefill]]:
    """The prefill of ``items`` (in order) for each unit."""
    known = known_values(units, items, at, valid_only=True)
    validity = {item.code: item.validity_days for item in items}
    codes = [item.code for item in items]
    return {unit.pk: resolve(codes, known.get(unit.pk, {}), at, validity) for unit in units}
