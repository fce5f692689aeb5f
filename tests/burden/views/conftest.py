"""Fixtures of the burden pages: a few tasks through the real gate, at a fixed moment (2026-03-02, a Monday)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from fuhe.burden import services
from fuhe.burden.services import FieldSpec
from tests.burden.conftest import MONDAY


@pytest.fixture
def frozen():
    with time_machine.travel(MONDAY, tick=False):
        yield MONDAY


def issue(tree, code="", **extra):
    arguments = {
        "actor": tree.people["handler"],
        "sender": tree.units["和平区城管委"],
        "title": "楼道堆物清理",
        "kind": "inspection",
        "target_region": tree.regions["劝业场街道"],
        "duty_item_code": code,
        "starts_at": MONDAY,
        "due_at": MONDAY + timedelta(days=9),
        "now": MONDAY,
    }
    arguments.update(extra)
    return services.task_issue(**arguments)


FORM_FIELDS = [
    FieldSpec("常住人口", "org.population"),
    FieldSpec("网格数", "org.grids"),
    FieldSpec("近90天诉求件数", "cases.total"),
    FieldSpec("独居老人人数", "pop.elderly_alone"),
]


@pytest.fixture
def tasks(burden, frozen):
    """An admitted form (four fields, three known), a refused task and an admitted weekly campaign."""
    form = issue(burden, "SQ-02", kind="form", title="社区基本情况统计", fields=FORM_FIELDS)
    refused = issue(burden, "SQ-03", title="出具居民居住证明")
    campaign = issue(
        burden,
        "SQ-02",
        kind="campaign",
        title="文明城区创建",
        recurrence="weekly",
        recurrence_until=MONDAY.date() + timedelta(days=13),
        due_at=MONDAY + timedelta(days=4),
    )
    return {
        "form": form,
        "refused": refused,
        "campaign": campaign,
        "target": form.targets.get(unit=burden.units["花园路社区居委会"]),
        "refused_target": refused.targets.get(unit=burden.units["花园路社区居委会"]),
    }
