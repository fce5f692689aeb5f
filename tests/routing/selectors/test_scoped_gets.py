"""The duty item and the unit of a dispatcher's decision are resolved by scoped ``*_get`` selectors: out of reach
reads exactly as missing."""

from __future__ import annotations

import pytest

from fuhe.cases.services.intake import case_create
from fuhe.duties.models import DutyItem
from fuhe.routing.selectors import dispatch_unit_get, duty_item_get
from tests.duties.factories import ITEMS, make_list
from tests.scoping import MISSING, not_found

pytestmark = pytest.mark.django_db


def test_duty_item_get_sees_the_items_of_the_lists_in_reach(tree, duty_list):
    jizhou = make_list(tree, items=ITEMS[:1], region="蓟州区", activate=False)
    jizhou_item = DutyItem.objects.get(duty_list=jizhou)
    item = DutyItem.objects.get(duty_list=duty_list, code="CG-01")  # 天津市: reaches every district
    dispatcher = tree.people["dispatcher"]  # 和平区 劝业场街道
    missing = not_found(duty_item_get, user=dispatcher, item_id=MISSING)
    assert not_found(duty_item_get, user=dispatcher, item_id=jizhou_item.pk) == missing
    assert not_found(duty_item_get, user=dispatcher, item_id=None) == missing
    assert not_found(duty_item_get, user=dispatcher, item_id="CG-01") == missing
    assert duty_item_get(user=dispatcher, item_id=str(item.pk)) == item
    assert duty_item_get(user=tree.people["jz-dispatcher"], item_id=jizhou_item.pk) == jizhou_item


def test_dispatch_unit_get_takes_only_units_of_the_cases_district(tree):
    case = case_create(actor=None, channel="hotline", text="井盖缺失", region=tree.regions["花园路社区"]).case
    missing = not_found(dispatch_unit_get, case=case, unit_id=MISSING)
    assert not_found(dispatch_unit_get, case=case, unit_id=tree.units["蓟州区城管委"].pk) == missing
    assert not_found(dispatch_unit_get, case=case, unit_id="abc") == missing
    assert dispatch_unit_get(case=case, unit_id=str(tree.units["和平区城管委"].pk)) == tree.units["和平区城管委"]
