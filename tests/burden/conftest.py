"""Burden fixtures: the shared tree plus an active duty list, a policy with a burden office, the catalogue."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from fuhe.accounts.models import Role, RoleAssignment
from fuhe.burden.catalogue import catalogue_seed
from fuhe.burden.models import BurdenPolicy
from fuhe.duties.models import DutyItem, DutyList
from fuhe.org.models import DepartmentType, Unit, UnitKind
from tests.conftest import _person

TZ = ZoneInfo("Asia/Shanghai")
# Monday 2026-03-02 .. a plain working fortnight (no holidays)
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)

ITEMS = [
    ("SQ-02", "邻里纠纷调解", "community", "", "owned"),
    ("LD-04", "就业培训", "district", "human_resources", "assists"),
    ("SQ-03", "出具亲属关系等证明", "district", "public_security", "excluded"),
    ("CJ-05", "工程质量", "district", "housing", "none"),
    ("JD-01", "违章建筑查处", "street", "", "none"),
]


@pytest.fixture
def burden(tree):
    """The tree with a duty list in force for 和平区, a burden office that approves, and the catalogue."""
    district = tree.regions["和平区"]
    duty_list = DutyList.objects.create(
        name="权责清单", version=1, region=district, status="active", effective_from=datetime(2025, 1, 1, tzinfo=TZ)
    )
    for code, matter, level, department, admission in ITEMS:
        DutyItem.objects.create(
            duty_list=duty_list,
            code=code,
            matter=matter,
            owner_level=level,
            lead_department_type=department,
            admission=admission,
        )
    office = Unit.objects.create(
        name="和平区减负办", kind=UnitKind.DEPARTMENT, region=district, department_type=DepartmentType.BURDEN_OFFICE
    )
    tree.units["和平区减负办"] = office
    _person(tree, "office", Role.SUPERVISOR, "和平区", "和平区减负办")
    BurdenPolicy.objects.create(region=district, approval_unit=office)
    catalogue_seed()
    tree.regions["花园路社区"].population = 5230
    tree.regions["花园路社区"].save()
    return tree


def add_member(tree, username: str, unit: str, region: str, hours=40):
    person = _person(tree, username, Role.COMMUNITY_WORKER, region, unit, hours=hours)
    return person


__all__ = ["MONDAY", "TZ", "RoleAssignment", "add_member"]
