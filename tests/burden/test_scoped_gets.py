"""Every id a user sends to the burden pages is resolved by a scoped ``*_get``: an id out of the user's scope gives
exactly the 404 of a missing one, so nothing can be probed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fuhe.accounts.models import User
from fuhe.burden import selectors, services
from tests.burden.conftest import MONDAY
from tests.burden.services.issuing import issue, target_of
from tests.scoping import MISSING, not_found

pytestmark = pytest.mark.django_db


@pytest.fixture
def bypass(burden):
    task = issue(burden, "CJ-05", title="危房紧急排查")  # refused: the community may act on it in an emergency
    target = target_of(task, burden)
    return services.bypass_declare(
        actor=burden.people["community"], target=target, emergency="暴雨红色预警", now=MONDAY + timedelta(days=4)
    )


def test_a_bypass_out_of_scope_looks_missing(burden, bypass):
    assert selectors.bypass_get(user=burden.people["community"], bypass_id=bypass.pk) == bypass
    assert selectors.bypass_get(user=burden.people["handler"], bypass_id=str(bypass.pk)) == bypass  # the sender
    missing = not_found(selectors.bypass_get, user=burden.people["community"], bypass_id=MISSING)
    assert missing == "No such bypass"
    for outsider in ("jz-dispatcher", "resident"):
        assert not_found(selectors.bypass_get, user=burden.people[outsider], bypass_id=bypass.pk) == missing
    assert not_found(selectors.bypass_get, user=burden.people["community"], bypass_id="x") == missing


def test_a_target_region_out_of_scope_looks_missing(burden):
    dispatcher = burden.people["dispatcher"]  # 劝业场街道
    street = burden.regions["劝业场街道"]
    assert selectors.target_region_get(user=dispatcher, region_id=street.pk) == street
    assert selectors.target_region_get(user=dispatcher, region_id=str(street.pk)) == street
    missing = not_found(selectors.target_region_get, user=dispatcher, region_id=MISSING)
    assert missing == "No such region"
    for other in ("小白楼街道", "和平区", "渔阳镇", "花园路社区"):  # a sibling, above, elsewhere, below the levels
        assert not_found(selectors.target_region_get, user=dispatcher, region_id=burden.regions[other].pk) == missing
    assert not_found(selectors.target_region_get, user=dispatcher, region_id="") == missing
    handler = burden.people["handler"]  # 和平区
    assert selectors.target_region_get(user=handler, region_id=burden.regions["小白楼街道"].pk).name == "小白楼街道"


def test_a_report_region_out_of_scope_looks_missing(burden):
    leader = burden.people["leader"]  # 和平区
    district = burden.regions["和平区"]
    region, choices = selectors.report_region_get(user=leader, region_id=str(district.pk))
    assert region == district and [r.name for r in choices] == ["和平区", "劝业场街道", "小白楼街道"]
    community = burden.regions["花园路社区"]
    assert selectors.report_region_get(user=leader, region_id=community.pk)[0] == community
    missing = not_found(selectors.report_region_get, user=leader, region_id=MISSING)
    assert missing == "No such region"
    for other in ("蓟州区", "渔阳镇", "天津市"):
        assert not_found(selectors.report_region_get, user=leader, region_id=burden.regions[other].pk) == missing
    assert not_found(selectors.report_region_get, user=leader, region_id="abc") == missing


def test_a_report_region_defaults_to_the_first_choice_then_the_home_region(burden):
    assert selectors.report_region_get(user=burden.people["leader"])[0] == burden.regions["和平区"]
    grid = burden.regions["花园路社区第1网格"]  # a grid worker addresses no region: their own grid is offered
    assert selectors.report_region_get(user=burden.people["grid"]) == (grid, [grid])
    community = burden.regions["花园路社区"]  # below the levels reported on: the resident's own community
    assert selectors.report_region_get(user=burden.people["resident"]) == (community, [community])
    nobody = User.objects.create_user(username="nobody", password="x-y-z-12345")  # no role, no region
    assert not_found(selectors.report_region_get, user=nobody) == "No region in scope"


def test_a_task_page_out_of_scope_looks_missing(burden):
    task = issue(burden, "SQ-02")
    page = selectors.task_page_get(user=burden.people["community"], task_id=task.pk)
    assert page.task == task and page.target_count == 2
    garden = target_of(task, burden)
    assert [t.unit.name for t in page.targets] == ["花园路社区居委会", "新华社区居委会"]
    assert page.openable == {garden.pk}  # the community opens its own committee's target only
    assert selectors.task_page_get(user=burden.people["handler"], task_id=task.pk).openable == {
        t.pk for t in page.targets
    }
    missing = not_found(selectors.task_page_get, user=burden.people["community"], task_id=MISSING)
    assert not_found(selectors.task_page_get, user=burden.people["jz-dispatcher"], task_id=task.pk) == missing
