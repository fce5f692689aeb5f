"""Reads of the registry are scoped: a community sees its own targets, the sender its tasks and counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404

from fuhe.burden import selectors
from fuhe.burden.models import BurdenPolicy
from tests.burden.conftest import MONDAY, add_member
from tests.burden.services.issuing import issue, target_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(burden):
    add_member(burden, "xinhua", "新华社区居委会", "新华社区")
    add_member(burden, "wudadao", "五大道社区居委会", "五大道社区")
    admitted = issue(burden, "SQ-02")
    refused = issue(burden, "SQ-03", title="出具证明", now=MONDAY + timedelta(hours=1))
    return admitted, refused


def test_a_community_worker_sees_only_its_own_units_targets(burden, issued):
    admitted, _refused = issued
    garden, xinhua = target_of(admitted, burden), target_of(admitted, burden, "新华社区居委会")
    worker = burden.people["xinhua"]
    assert set(selectors.target_queryset(worker).values_list("pk", flat=True)) == set(
        selectors.target_queryset(worker).filter(unit=burden.units["新华社区居委会"]).values_list("pk", flat=True)
    )
    assert xinhua in selectors.target_queryset(worker) and garden not in selectors.target_queryset(worker)
    assert selectors.target_get(user=worker, target_id=xinhua.pk) == xinhua
    with pytest.raises(Http404):
        selectors.target_get(user=worker, target_id=garden.pk)
    with pytest.raises(Http404):
        selectors.target_get(user=worker, target_id="not-a-number")


def test_a_community_outside_the_targets_sees_neither_task_nor_target(burden, issued):
    admitted, refused = issued
    worker = burden.people["wudadao"]
    assert not selectors.task_queryset(worker).exists()
    assert not selectors.target_queryset(worker).exists()
    with pytest.raises(Http404):
        selectors.task_get(user=worker, task_id=admitted.pk)
    assert not selectors.task_queryset(burden.people["jz-dispatcher"]).exists()
    assert not selectors.task_queryset(burden.people["resident"]).exists()


def test_receivers_see_the_task_and_the_inbox_holds_only_what_reached_them(burden, issued):
    admitted, refused = issued
    worker = burden.people["xinhua"]
    assert set(selectors.task_queryset(worker)) == {admitted, refused}
    assert [t.task for t in selectors.inbox(user=worker)] == [admitted]
    assert [t.task for t in selectors.refused_for_units(user=worker)] == [refused]


def test_the_sender_and_overseers_see_every_target(burden, issued):
    admitted, refused = issued
    for name in ("handler", "dispatcher", "leader"):
        assert set(selectors.task_queryset(burden.people[name])) == {admitted, refused}, name
        assert selectors.target_queryset(burden.people[name]).count() == 4, name
    # the sender opens each target from the task's page
    target = target_of(refused, burden, "新华社区居委会")
    assert selectors.target_get(user=burden.people["handler"], target_id=target.pk) == target
    add_member(burden, "jz-handler", "蓟州区城管委", "蓟州区")
    assert not selectors.target_queryset(burden.people["jz-handler"]).exists()
    listed = selectors.task_list(user=burden.people["handler"], status="refused")
    assert [(t, t.target_count) for t in listed] == [(refused, 2)]


def test_the_sender_sees_its_admission_counts(burden, issued):
    rows = selectors.admission_counts(user=burden.people["handler"])
    assert len(rows) == 1
    row = rows[0]
    assert row["sender_id"] == burden.units["和平区城管委"].pk
    assert (row["issued"], row["admitted"], row["approved"], row["refused"], row["pending"]) == (2, 1, 0, 1, 0)
    assert row["refused_share"] == pytest.approx(0.5)


def test_admission_counts_are_for_staff_only(burden, issued):
    issue(burden, "SQ-02", target_region=burden.regions["花园路社区"], title="花园路楼道清理")
    assert selectors.admission_counts(user=burden.people["resident"]) == []
    assert selectors.admission_counts(user=burden.people["volunteer"]) == []
    assert selectors.admission_counts(user=burden.people["community"])[0]["issued"] == 1
    assert selectors.admission_counts(user=burden.people["dispatcher"])[0]["issued"] == 3


def test_pending_approvals_go_to_the_approving_body(burden, issued):
    start = MONDAY + timedelta(days=70)
    task = issue(burden, "", approval_reason="防汛需要", starts_at=start, due_at=start + timedelta(days=5))
    assert list(selectors.pending_approvals(user=burden.people["office"])) == [task]
    assert list(selectors.pending_approvals(user=burden.people["admin"])) == [task]
    assert list(selectors.pending_approvals(user=burden.people["handler"])) == []


def test_the_nearest_policy_applies(burden):
    community = burden.regions["花园路社区"]
    assert selectors.policy_for_region(community.pk).region == burden.regions["和平区"]
    BurdenPolicy.objects.create(region=burden.regions["市辖区"], min_working_days=5)
    assert selectors.policy_for_region(burden.regions["西关村"].pk).min_working_days == 5
    assert selectors.policy_for_region(community.pk).min_working_days == 3
    assert selectors.policy_for_region(None).pk is None


def test_target_units_by_level(burden):
    street = burden.regions["劝业场街道"]
    assert [u.name for u in selectors.target_units(region=street, level="community")] == [
        "花园路社区居委会",
        "新华社区居委会",
    ]
    assert [u.name for u in selectors.target_units(region=burden.regions["和平区"], level="street")] == [
        "劝业场街道办事处",
        "小白楼街道办事处",
    ]


def test_an_overseer_sees_a_district_wide_task_that_reaches_its_street(burden):
    """The street dispatcher sees the targets in its street, and so the task they belong to."""
    task = issue(burden, "SQ-02", target_region=burden.regions["和平区"])
    dispatcher = burden.people["dispatcher"]
    garden = target_of(task, burden)
    assert selectors.target_get(user=dispatcher, target_id=garden.pk) == garden
    assert selectors.task_get(user=dispatcher, task_id=task.pk) == task
    assert {t.unit.name for t in selectors.target_queryset(dispatcher).filter(task=task)} == {
        "花园路社区居委会",
        "新华社区居委会",
    }
    assert not selectors.task_queryset(burden.people["jz-dispatcher"]).exists()
