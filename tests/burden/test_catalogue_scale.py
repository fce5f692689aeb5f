"""The fill-once catalogue at the sizes a district- or city-wide task reaches (see bench/bench_burden.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fuhe.burden.catalogue import _merged, catalogue_seed, grid_counts, prefill_for
from fuhe.burden.models import DataItem, DataSource, DataValue
from fuhe.org.models import Region, Unit, UnitKind

AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
PROVINCE, CITY, DISTRICT = 980_000_000_000_000, 980_100_000_000_000, 980_101_000_000_000


def _communities(count: int) -> list[Unit]:
    """``count`` committees in one district (streets of 500 communities), each community with two grids."""
    regions = [
        Region(id=PROVINCE, code=str(PROVINCE // 1000), name="省", level="province"),
        Region(id=CITY, code=str(CITY // 1000), name="市", level="city", parent_id=PROVINCE),
        Region(id=DISTRICT, code=str(DISTRICT // 1000), name="区", level="district", parent_id=CITY),
    ]
    communities = []
    for index in range(count):
        street = DISTRICT + (index // 500 + 1) * 10**6
        if index % 500 == 0:
            regions.append(
                Region(id=street, code=str(street // 1000), name=f"街道{street}", level="street", parent_id=DISTRICT)
            )
        community = street + (index % 500 + 1) * 1000
        communities.append(community)
        regions.append(
            Region(id=community, code=str(community // 1000), name=f"社区{index}", level="community", parent_id=street)
        )
        regions += [
            Region(id=community + g, code=str(community + g), name=f"网格{g}", level="grid", parent_id=community)
            for g in (1, 2)
        ]
    Region.objects.bulk_create(regions, batch_size=2000)
    Unit.objects.bulk_create(
        [Unit(name=f"居委会{key}", kind=UnitKind.RESIDENTS_COMMITTEE, region_id=key) for key in communities],
        batch_size=2000,
    )
    return list(Unit.objects.filter(region_id__in=communities).select_related("region").order_by("region_id"))


def test_merged_ranges_join_adjacent_and_nested_ones():
    assert _merged([(10, 20), (0, 5), (20, 30), (12, 15), (40, 50)]) == [(0, 5), (10, 30), (40, 50)]
    assert _merged([]) == []


def test_grids_are_counted_for_more_units_than_one_query_may_name(db):
    """One OR term per unit hit SQLite's expression depth limit (1,000) at about 1,000 units."""
    units = _communities(1_200)
    assert grid_counts(units) == {unit.pk: 2 for unit in units}
    catalogue_seed()
    grids = DataItem.objects.get(code="org.grids")
    prefill = prefill_for(units, [grids], AT)
    assert {results[0].known.value for results in prefill.values()} == {"2"}


def test_the_prefill_takes_the_newest_value_only_while_it_is_valid(db):
    first, second, third = _communities(3)
    item = DataItem.objects.create(code="bench.x", name="测试项", source=DataSource.SUBMISSION, validity_days=30)

    def value(unit, text, days_ago):
        DataValue.objects.create(
            item=item, unit=unit, value=text, as_of=AT - timedelta(days=days_ago), source=DataSource.SUBMISSION
        )

    value(first, "old", 20)
    value(first, "new", 5)
    value(first, "same moment, later row", 5)
    value(second, "expired", 40)
    value(second, "older and expired", 100)
    value(third, "future", -1)
    prefill = prefill_for([first, second, third], [item], AT)
    assert prefill[first.pk][0].known.value == "same moment, later row"
    assert not prefill[second.pk][0].is_prefilled
    assert not prefill[third.pk][0].is_prefilled
