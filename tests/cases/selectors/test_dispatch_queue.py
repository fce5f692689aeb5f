"""The dispatch queue's sorts and filters (age, deadline, category, channel, overdue, repeat caller, 兜底)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from fuhe.cases.models import Case, Category
from fuhe.cases.selectors import QueueFilters, dispatch_queue_categories, dispatch_queue_list
from fuhe.cases.services.clocks import intake_clocks_start
from fuhe.cases.services.intake import case_create

MONDAY_10 = timezone.datetime(2026, 3, 2, 10, 0, tzinfo=timezone.get_current_timezone())
PHONE = "13900001111"


def make(region, *, at, **fields):
    values = {"actor": None, "channel": "hotline", "text": "楼道堆物堵塞消防通道", "region": region}
    values.update(fields)
    with time_machine.travel(at, tick=False):
        return case_create(**values).case


@pytest.fixture
def queue(tree):
    """Five waiting cases of 和平区 received an hour apart, and one of 蓟州区 from the same phone."""
    roads = Category.objects.create(name="道路", path="城市管理/道路")
    noise = Category.objects.create(name="噪音", path="环境保护/噪音")
    cases = {
        "old": make(tree.regions["花园路社区"], at=MONDAY_10, category=noise, reporter_phone=PHONE),
        "web": make(tree.regions["新华社区"], at=MONDAY_10 + timedelta(hours=1), channel="web", category=roads),
        "urgent": make(tree.regions["花园路社区"], at=MONDAY_10 + timedelta(hours=2), urgency="urgent"),
        "again": make(tree.regions["新华社区"], at=MONDAY_10 + timedelta(hours=3), reporter_phone=PHONE),
        "fallback": make(tree.regions["五大道社区"], at=MONDAY_10 + timedelta(hours=4), category=roads),
        "elsewhere": make(tree.regions["西关村"], at=MONDAY_10 + timedelta(hours=5), reporter_phone=PHONE),
    }
    with time_machine.travel(MONDAY_10 + timedelta(hours=5), tick=False):
        intake_clocks_start()
    return cases


def codes(user, cases, **filters) -> list[str]:
    names = {case.pk: name for name, case in cases.items()}
    with time_machine.travel(MONDAY_10 + timedelta(hours=6), tick=False):
        return [names[c.pk] for c in dispatch_queue_list(user=user, filters=QueueFilters(**filters))]


def test_the_default_order_puts_the_longest_waiting_first(tree, queue):
    admin = tree.people["admin"]
    assert codes(admin, queue) == ["old", "web", "urgent", "again", "fallback"]
    assert codes(admin, queue, order="newest") == ["fallback", "again", "urgent", "web", "old"]


def test_by_deadline_the_urgent_case_comes_first(tree, queue):
    # the urgent case's 2 natural hours end at 14:00; the normal cases are due one working day after receipt
    assert codes(tree.people["admin"], queue, order="deadline") == ["urgent", "old", "web", "again", "fallback"]


def test_by_category_and_filtered_by_category_and_channel(tree, queue):
    admin = tree.people["admin"]
    roads = Category.objects.get(name="道路")
    assert codes(admin, queue, order="category") == ["web", "fallback", "old", "urgent", "again"]  # 城市管理, 环境, —
    assert codes(admin, queue, category_id=roads.pk) == ["web", "fallback"]
    assert codes(admin, queue, channel="web") == ["web"]
    assert [c.path for c in dispatch_queue_categories(user=admin)] == ["城市管理/道路", "环境保护/噪音"]


def test_overdue_shows_the_cases_past_their_dispatch_limit(tree, queue):
    assert codes(tree.people["admin"], queue, overdue=True) == ["urgent"]  # 16:00: past 14:00
    Case.objects.filter(pk=queue["old"].pk).update(intake_due=MONDAY_10 + timedelta(minutes=30))
    assert codes(tree.people["admin"], queue, overdue=True) == ["old", "urgent"]


def test_repeat_callers_are_counted_within_90_days_and_the_readers_scope(tree, queue):
    admin = tree.people["admin"]
    assert codes(admin, queue, repeat=True) == ["again"]
    with time_machine.travel(MONDAY_10 + timedelta(hours=6), tick=False):
        counts = {c.pk: c.earlier_calls for c in dispatch_queue_list(user=admin)}
    assert counts[queue["again"].pk] == 1 and counts[queue["old"].pk] == 0
    # the 蓟州区 case from the same phone is out of this administrator's scope: never counted
    jz = tree.people["jz-dispatcher"]
    with time_machine.travel(MONDAY_10 + timedelta(hours=6), tick=False):
        assert [c.earlier_calls for c in dispatch_queue_list(user=jz)] == [0]
    # a call more than 90 days before does not make a repeat caller
    Case.objects.filter(pk=queue["old"].pk).update(created_at=MONDAY_10 - timedelta(days=91))
    assert codes(admin, queue, repeat=True) == []


def test_the_fallback_filter_keeps_the_cases_no_street_dispatcher_covers(tree, queue):
    admin = tree.people["admin"]
    assert codes(admin, queue, no_dispatcher=True) == ["fallback"]
    # a street dispatcher has no 兜底 of their own
    assert codes(tree.people["dispatcher"], queue, no_dispatcher=True) == []
    assert codes(tree.people["dispatcher"], queue) == ["old", "web", "urgent", "again"]


def test_the_filters_combine(tree, queue):
    assert codes(tree.people["admin"], queue, category_id=Category.objects.get(name="道路").pk, no_dispatcher=True) == [
        "fallback"
    ]
    assert codes(tree.people["admin"], queue, channel="web", repeat=True) == []


def test_the_queue_costs_the_same_queries_for_more_cases(tree, queue, django_assert_num_queries):
    admin = tree.people["admin"]
    list(dispatch_queue_list(user=admin))  # the reader's scope is computed once and kept on the user
    with django_assert_num_queries(4):  # waiting regions, their places, the dispatchers there, the page
        assert len(list(dispatch_queue_list(user=admin, filters=QueueFilters(order="deadline")))) == 5
    for _ in range(5):
        make(tree.regions["五大道社区"], at=MONDAY_10, reporter_phone=PHONE)
    with django_assert_num_queries(4):
        assert len(list(dispatch_queue_list(user=admin, filters=QueueFilters(order="deadline")))) == 10
