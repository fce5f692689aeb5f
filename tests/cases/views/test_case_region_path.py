"""The case page names where the case is from its street down (street › community › grid), not the grid alone: a
dispatcher reads the street and the community at a glance (found by the issue 15 browser flow)."""

from __future__ import annotations

import re

from django.urls import reverse

from fuhe.cases.selectors import case_region_path


def _region_shown(page: str) -> str:
    found = re.search(r'<dd id="case-region">(.*?)</dd>', page, re.DOTALL)
    assert found, "the case page shows the case's region"
    return found[1]


def test_a_grid_case_shows_its_street_community_and_grid(tree, login, new_case):
    grid = tree.regions["花园路社区第1网格"]
    case = new_case(region=grid)
    path = case_region_path(case=case)
    assert [region.name for region in path] == ["劝业场街道", "花园路社区", "花园路社区第1网格"]
    page = login(tree.people["dispatcher"]).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert _region_shown(page) == "劝业场街道 › 花园路社区 › 花园路社区第1网格"


def test_a_community_case_shows_its_street_and_community(tree, login, new_case):
    case = new_case(region=tree.regions["花园路社区"])
    assert [region.name for region in case_region_path(case=case)] == ["劝业场街道", "花园路社区"]
