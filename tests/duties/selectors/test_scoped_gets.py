"""Ids sent to the duty-list pages (the region to import for, the item to edit) are resolved by scoped ``*_get``
selectors: out of scope gives exactly the 404 of a missing id."""

from __future__ import annotations

import pytest

from fuhe.duties import selectors
from tests.duties.factories import make_list
from tests.scoping import MISSING, not_found

pytestmark = pytest.mark.django_db


def test_an_import_region_out_of_scope_looks_missing(tree):
    admin = tree.people["admin"]  # 和平区
    district = tree.regions["和平区"]
    assert selectors.duty_list_region_get(user=admin, region_id=district.pk) == district
    assert selectors.duty_list_region_get(user=admin, region_id=str(district.pk)) == district
    assert selectors.duty_list_region_choices(user=admin) == [(district.pk, "和平区")]
    missing = not_found(selectors.duty_list_region_get, user=admin, region_id=MISSING)
    assert missing == "No such region"
    for other in ("蓟州区", "天津市", "劝业场街道"):  # elsewhere, above the scope, below the levels lists apply at
        assert not_found(selectors.duty_list_region_get, user=admin, region_id=tree.regions[other].pk) == missing
    assert not_found(selectors.duty_list_region_get, user=admin, region_id="x") == missing


def test_an_item_out_of_scope_or_of_another_list_looks_missing(tree):
    district_list = make_list(tree, region="和平区", activate=False)
    item = district_list.items.get(code="SQ-01")
    handler = tree.people["handler"]  # 和平区
    assert selectors.duty_item_get(user=handler, duty_list=district_list, item_id=item.pk) == item
    assert selectors.duty_item_get(user=handler, duty_list=district_list, item_id=str(item.pk)) == item
    missing = not_found(selectors.duty_item_get, user=handler, duty_list=district_list, item_id=MISSING)
    assert missing == "No such item"
    # 蓟州区's dispatcher does not see 和平区's list, so not its items either
    outsider = tree.people["jz-dispatcher"]
    assert not_found(selectors.duty_item_get, user=outsider, duty_list=district_list, item_id=item.pk) == missing
    # an item asked for through another list
    city_list = make_list(tree, region="天津市", activate=False)
    assert not_found(selectors.duty_item_get, user=handler, duty_list=city_list, item_id=item.pk) == missing
    assert not_found(selectors.duty_item_get, user=handler, duty_list=district_list, item_id="x") == missing
