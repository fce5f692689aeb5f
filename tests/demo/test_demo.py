"""The demo is built from the real official codes through the project's own import code."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command

from fuhe.accounts.models import Role, RoleAssignment, User
from fuhe.audit.services import audit_verify
from fuhe.cases.models import Case, ReportIn
from fuhe.org.models import Region, Unit
from fuhe.routing.models import RoutingModel

DIVISIONS = settings.FUHE_SHARED_DATA / "divisions"
pytestmark = pytest.mark.skipif(not DIVISIONS.is_dir(), reason="the shared data set is not beside the checkout")


def children(code: str, level: str) -> int:
    district = Region.objects.get(code=code)
    low, high = district.subtree
    return Region.objects.filter(id__gte=low, id__lt=high, level=level).count()


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_builds_the_real_districts_with_a_login_per_role():
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert (children("120101000000", "street"), children("120101000000", "community")) == (6, 64)
    assert (children("120119000000", "street"), children("120119000000", "community")) == (28, 983)
    grids = Region.objects.filter(level="grid")
    assert grids.exists() and not grids.filter(is_generated=False).exists()
    for community in Region.objects.filter(level="community")[:50]:
        assert 3 <= community.children.count() <= 8
    assert Unit.objects.filter(kind="department", region__code="120101000000").count() >= 10
    assert Unit.objects.filter(kind="party_org").count() > Unit.objects.filter(kind="street_office").count()
    logins = RoleAssignment.objects.filter(user__username__regex=r"^(hp|jz|demo)-")
    assert set(logins.values_list("role", flat=True)) == set(Role.values)
    assert RoleAssignment.objects.get(user__username="jz-grid").region.parent.kind == "rural"
    staff = User.objects.filter(roles__role=Role.GRID_WORKER)
    assert not staff.filter(weekly_capacity_hours__isnull=True).exists()
    printed = out.getvalue()
    assert "hp-dispatcher" in printed and settings.FUHE_DEMO_PASSWORD in printed
    # the operator reads the set-up in the platform's language, not English lines around Chinese role names
    assert "演示账号（密码均为" in printed and "议事：已组建居民议事会，已导入户籍名册" in printed
    assert "Demo logins" not in printed and "already built" not in printed
    assert audit_verify()[1] == []
    # the dispatchers follow the duty list: what it makes a committee's or a street's goes there, not to a
    # department (the load page counts those cases as the grassroots units' own)
    grassroots = Case.objects.filter(
        owner_unit__kind__in=["residents_committee", "village_committee", "street_office", "township_government"]
    )
    assert grassroots.filter(events__action="dispatch", events__actor__isnull=False).exists()
    # 直派 and 吹哨报到: streets take cases with a clear place and summon the department, which reports in — on
    # time or late — so the two-way assessment has figures
    summoned = ReportIn.objects.filter(summons__case__owner_unit__kind__in=["street_office", "township_government"])
    assert summoned.count() >= 30
    assert {True, False} <= set(summoned.filter(status="reported").values_list("is_on_time", flat=True))
    assert not Case.objects.filter(state="closed", summonses__report_ins__status="pending").exists()
    assert RoutingModel.objects.count() == 1

    call_command("demo", stdout=io.StringIO())  # idempotent
    assert RoutingModel.objects.count() == 1
    assert Region.objects.filter(level="community").count() == 64 + 983
