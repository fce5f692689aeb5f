"""Helpers to issue tasks and forms in the burden fixture (``tests.burden.conftest.burden``)."""

from __future__ import annotations

from datetime import timedelta

from fuhe.burden import services
from fuhe.burden.models import Task
from fuhe.burden.services import FieldSpec
from tests.burden.conftest import MONDAY

SURVEY_FIELDS = (
    FieldSpec("常住人口", "org.population"),
    FieldSpec("网格数", "org.grids"),
    FieldSpec("户数", "pop.households"),
    FieldSpec("独居老人人数", "pop.elderly_alone"),
)


def issue(tree, code: str = "SQ-02", **extra) -> Task:
    """A task from 和平区城管委 to the communities of 劝业场街道 (花园路, 新华), issued on ``MONDAY``."""
    options = {
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
    options.update(extra)
    return services.task_issue(**options)


def issue_form(tree, fields=SURVEY_FIELDS, **extra) -> Task:
    extra.setdefault("title", "社区基本情况统计")
    return issue(tree, kind="form", fields=fields, **extra)


def target_of(task: Task, tree, unit: str = "花园路社区居委会"):
    return task.targets.select_related("unit").get(unit=tree.units[unit])


def field_ids(task: Task) -> dict[str, int]:
    return {f.label: f.pk for f in task.fields.all()}
