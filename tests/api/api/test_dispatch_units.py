"""GET /cases/{id}/dispatch-units: the units a case's dispatcher may dispatch to, as the picker orders them."""

from __future__ import annotations

import pytest

from fuhe.cases.models import Case
from fuhe.org.models import DepartmentType, Unit, UnitKind
from tests.api.conftest import bearer


@pytest.fixture
def water(tree):
    return Unit.objects.create(
        name="和平区水务局",
        kind=UnitKind.DEPARTMENT,
        region=tree.regions["和平区"],
        department_type=DepartmentType.URBAN_MANAGEMENT,
    )


def units(client, key, case, query="") -> dict:
    response = client.get(f"/api/v1/cases/{case.pk}/dispatch-units{query}", **bearer(key))
    assert response.status_code == 200, response.content
    return response.json()


def names(page: dict) -> list[str]:
    return [item["name"] for item in page["items"]]


def test_the_dispatcher_lists_the_units_of_the_cases_district_own_street_first(client, tree, cases, issue_key, water):
    page = units(client, issue_key("dispatcher"), cases["public"])
    assert page["count"] == 8 and page["limit"] == 50 and page["offset"] == 0
    # 劝业场街道 (the case's street) first, then the district's departments, then the other street's units
    assert [item["tier"] for item in page["items"]] == ["own_street"] * 4 + ["department"] * 2 + ["other"] * 2
    assert set(names(page)[:4]) == {"劝业场街道办事处", "花园路社区居委会", "新华社区居委会", "劝业场街道志愿服务队"}
    tiers = {item["name"]: item["tier"] for item in page["items"]}
    assert tiers["劝业场街道办事处"] == "own_street" and tiers["和平区水务局"] == "department"
    assert tiers["小白楼街道办事处"] == "other"
    assert not {"蓟州区城管委", "渔阳镇人民政府", "西关村委会"} & set(names(page))  # another district
    assert page["items"][0]["region"]["name"] == "劝业场街道" and page["items"][0]["is_active"]


def test_search_kind_and_pagination(client, tree, cases, issue_key, water):
    key, case = issue_key("dispatcher"), cases["public"]
    assert names(units(client, key, case, "?q=水务")) == ["和平区水务局"]
    assert names(units(client, key, case, "?q=和平区 城管")) == ["和平区城管委"]
    assert set(names(units(client, key, case, "?kind=department"))) == {"和平区城管委", "和平区水务局"}
    everything = names(units(client, key, case))
    second = units(client, key, case, "?limit=2&offset=2")
    assert second["count"] == len(everything) and names(second) == everything[2:4]
    assert units(client, key, case, "?q=不存在的单位")["count"] == 0
    assert client.get(f"/api/v1/cases/{case.pk}/dispatch-units?limit=0", **bearer(key)).status_code == 422
    assert client.get(f"/api/v1/cases/{case.pk}/dispatch-units?kind=planet", **bearer(key)).status_code == 422


def test_the_routing_recommendation_comes_first_with_its_confidence(client, tree, cases, issue_key, water):
    case = cases["public"]
    routing = {
        "item": {"code": "HP-001", "name": "供水管网"},
        "unit": {"id": water.pk, "name": water.name},
        "confidence": 0.97,
        "alternatives": [],
        "keywords_found": True,
    }
    Case.objects.filter(pk=case.pk).update(routing=routing)
    first = units(client, issue_key("dispatcher"), case)["items"][0]
    assert first["name"] == "和平区水务局" and first["tier"] == "recommended"
    assert first["confidence"] == pytest.approx(0.97)


def test_a_centre_that_may_only_whistle_gets_the_departments(client, tree, cases, issue_key, water):
    page = units(client, issue_key("community"), cases["public"])
    assert set(names(page)) == {"和平区城管委", "和平区水务局"}


@pytest.mark.parametrize("who", ["jz-dispatcher", "leader", "resident"])
def test_anyone_else_gets_404(client, tree, cases, issue_key, who):
    response = client.get(f"/api/v1/cases/{cases['public'].pk}/dispatch-units", **bearer(issue_key(who)))
    assert response.status_code == 404
