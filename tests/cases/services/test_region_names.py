"""Region from the address: the deepest served region named in it, from a per-process index that follows changes
to regions and units, in a bounded number of queries whatever the number of regions."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fuhe.cases.services import intake
from fuhe.cases.services.intake import region_from_address
from fuhe.org.core.divisions import Level
from fuhe.org.models import Region, RegionKind, Unit, UnitKind

pytestmark = pytest.mark.django_db


def test_the_deepest_named_region_wins(tree):
    assert region_from_address("劝业场街道花园路社区3号楼") == tree.regions["花园路社区"]
    assert region_from_address("劝业场街道某处") == tree.regions["劝业场街道"]
    assert region_from_address("火星") is None and region_from_address("") is None


def test_one_query_once_the_index_is_built(tree):
    region_from_address("花园路社区")
    with CaptureQueriesContext(connection) as queries:
        assert region_from_address("新华社区8号楼") == tree.regions["新华社区"]
    assert len(queries) == 1  # the matched region itself, by its key; not a walk over every served region
    assert "FROM org_region WHERE id = " in queries[0]["sql"] and "org_unit" not in queries[0]["sql"]


def test_a_new_committee_is_found_at_once_and_a_removed_one_is_forgotten(tree):
    street = tree.regions["劝业场街道"]
    community = Region.objects.create(
        id=120101001009000,
        code="120101001009",
        name="和平里社区",
        level=Level.COMMUNITY,
        parent=street,
        kind=RegionKind.URBAN,
    )
    address = "劝业场街道和平里社区5号楼"
    assert region_from_address(address) == street  # not served yet: the street takes it
    committee = Unit.objects.create(name="和平里社区居委会", kind=UnitKind.RESIDENTS_COMMITTEE, region=community)
    assert region_from_address(address) == community
    committee.delete()
    assert region_from_address(address) == street


def test_an_index_that_outlived_its_region_is_rebuilt(tree):
    region_from_address("花园路社区")
    stale = intake._region_names
    stale.by_name["花园路社区"] = 999_999_999_999  # as if the region had been deleted by another process
    assert region_from_address("花园路社区3号楼") == tree.regions["花园路社区"]
    assert intake._region_names is not stale
