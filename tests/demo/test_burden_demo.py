"""The burden quarter of the demo (和平区 only, to stay quick): overloaded units on the busiest street, every
flag of the expected kind and only those, most form fields prefilled, an emergency filed afterwards."""

from collections import defaultdict
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from fuhe.burden.core.flags import RULES
from fuhe.burden.core.load import week_start
from fuhe.burden.demo import CAMPAIGN, TEMPLATES, burden_demo_build
from fuhe.burden.models import HiddenAssessmentFlag, Task
from fuhe.burden.reports import audit_report
from fuhe.demo.services import demo_build
from fuhe.org.models import Region

DIVISIONS = settings.FUHE_SHARED_DATA / "divisions"
pytestmark = [
    pytest.mark.skipif(not DIVISIONS.is_dir(), reason="the shared data set is not beside the checkout"),
    pytest.mark.slow,
    pytest.mark.django_db,
]


def expected_flags() -> dict[str, frozenset[str]]:
    expected = {template.title: template.expected_flags for template in [*TEMPLATES, CAMPAIGN]}
    return {**expected, **{f"{title}（二次）": flags for title, flags in expected.items()}}


def test_the_demo_quarter_shows_overload_and_exactly_the_expected_flags():
    demo_build(divisions_dir=DIVISIONS, password=settings.FUHE_DEMO_PASSWORD)
    made = burden_demo_build(district_names=["和平区"])  # its time is the demo's (`fuhe demo`), not a test's
    assert made > 100 and burden_demo_build(district_names=["和平区"]) == 0  # idempotent

    raised: dict[int, set[str]] = defaultdict(set)
    for task_id, rule in HiddenAssessmentFlag.objects.values_list("task_id", "rule"):
        raised[task_id].add(rule)
    expected = expected_flags()
    for task in Task.objects.only("pk", "title"):
        assert raised.get(task.pk, set()) == expected[task.title], task.title
    assert {rule for rules in raised.values() for rule in rules} == set(RULES)  # every rule fires somewhere

    district = Region.objects.get(name="和平区", level="district")
    last = week_start(timezone.localdate()) + timedelta(days=6)
    report = audit_report(region=district, first=week_start(last) - timedelta(weeks=12), last=last)
    assert set(report.flags_by_rule) == set(RULES)
    assert report.totals["refused"] > 0 and report.totals["approved"] > 0 and report.totals["admitted"] > 0
    assert report.prefill_share > 0.5 and report.hours_saved > 0
    busiest = Region.objects.filter(parent=district, level="street").order_by("id").first()
    low, high = busiest.subtree
    overloaded = report.load.overloaded
    assert len(overloaded) >= 5 and all(low <= unit.region_id < high for unit in overloaded)
    assert len(overloaded) < len(report.load.units) / 2  # some units, not all
    assert report.bypasses["declared"] == 2 and report.bypasses["filed"] == 1
