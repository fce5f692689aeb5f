"""The worklist scope narrowed by state, filtered by state as callers do, gives exactly the scope filtered by
state, for every way in (region, own report, owning unit, summons), and never more than the scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from fuhe.cases.models import Case, ReportIn, Summons
from fuhe.cases.selectors import HANDLING_STATES, OPEN_STATES, CaseFilters, case_list, case_queryset, dispatch_queue
from fuhe.cases.services.search import cases_search_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(tree, housing, new_case):
    """Cases in many states: in the street, reported by the resident, owned by 城管委, summoning 住建委."""
    states = ["received", "dispatched", "accepted", "in_progress", "replied", "closed", "returned", "escalated"]
    cases = []
    for index, state in enumerate(states):
        case = new_case(text=f"花园路{index}号楼前井盖缺失，夜里很危险", idempotency_key=f"k{index}")
        owner = tree.units["和平区城管委"] if index % 2 else None
        Case.objects.filter(pk=case.pk).update(state=state, owner_unit=owner)
        cases.append(case)
    now = timezone.now()
    for case in cases[::3]:
        summons = Summons.objects.create(
            case=case,
            whistled_by=tree.units["劝业场街道办事处"],
            whistled_at=now,
            due_at=now + timedelta(hours=2),
            reason="共同到场",
        )
        ReportIn.objects.create(summons=summons, department=housing)
    return cases


STATE_SETS = [None, OPEN_STATES, HANDLING_STATES, ["received"], ["closed"], ["replied", "returned"], []]


@pytest.mark.parametrize("who", ["resident", "dispatcher", "handler", "housing", "community", "leader"])
@pytest.mark.parametrize("states", STATE_SETS)
def test_narrowing_by_state_equals_filtering_the_scope(tree, spread, who, states):
    user = tree.people[who]
    whole = case_queryset(user)
    expected = (
        set(whole.values_list("pk", flat=True))
        if states is None
        else set(whole.filter(state__in=states).values_list("pk", flat=True))
    )
    narrowed = case_queryset(user, states=states)
    assert set(narrowed.values_list("pk", flat=True)) <= set(whole.values_list("pk", flat=True))
    filtered = narrowed if states is None else narrowed.filter(state__in=states)
    assert set(filtered.values_list("pk", flat=True)) == expected


def test_worklist_filters_and_queue_are_unchanged(tree, spread):
    dispatcher = tree.people["dispatcher"]
    whole = case_queryset(dispatcher)
    assert {c.pk for c in case_list(user=dispatcher, filters=CaseFilters(state="open"))} == set(
        whole.filter(state__in=OPEN_STATES).values_list("pk", flat=True)
    )
    assert {c.pk for c in case_list(user=dispatcher, filters=CaseFilters(state="closed", overdue=True))} == set()
    waiting = {"received", "returned", "under_review", "escalated", "reopened"}
    assert {c.pk for c in dispatch_queue(user=dispatcher)} == set(
        whole.filter(state__in=waiting).values_list("pk", flat=True)
    )
    assert {c.state for c in dispatch_queue(user=dispatcher)} == {"received", "returned", "escalated"}


SEARCHES = [
    "井盖",
    "井盖缺失",
    "缺失井盖",
    "噪音",
    "夜里很危险",
    "花园路社区",
    "楼前",
    "3号楼",
    "井",
    "Ａ座",
    "井盖，夜",
    "扰民噪音",
    "电梯",
]


@pytest.mark.parametrize("who", ["dispatcher", "leader", "resident"])
def test_text_search_through_the_index_finds_exactly_what_a_substring_scan_finds(tree, new_case, who):
    texts = [
        ("花园路3号楼前井盖缺失，夜里很危险", "花园路社区3号楼"),
        ("井盖，夜里看不见", "新华社区Ａ座"),
        ("楼上噪音扰民，深夜不停", "五大道社区"),
        ("电梯坏了", "花园路社区电梯井"),
        ("缺失井盖已补", ""),
    ]
    for index, (text, address) in enumerate(texts * 2):
        new_case(
            text=text,
            address=address,
            title=text[:6] if index % 2 else "",
            idempotency_key=f"s{index}",
            region=tree.regions["新华社区" if index % 3 else "花园路社区"],
        )
    user = tree.people[who]

    def same_as_a_scan():
        for query in SEARCHES:
            found = {c.pk for c in case_list(user=user, filters=CaseFilters(query=query))}
            scan = case_queryset(user).filter(
                Q(title__contains=query) | Q(text__contains=query) | Q(address__contains=query)
            )
            assert found == set(scan.values_list("pk", flat=True)), query

    same_as_a_scan()  # on SQLite before the worker indexed them: the cases after the mark are scanned
    assert cases_search_index() == (10 if connection.vendor == "sqlite" else 0)
    same_as_a_scan()  # through the index
    new_case(text="井盖缺失，再报一次", idempotency_key="later")  # one indexed, one not
    same_as_a_scan()
    assert case_list(user=tree.people["leader"], filters=CaseFilters(query="井盖缺失")).count() == 3


def test_a_deleted_case_leaves_the_search_index(tree, new_case):
    kept, gone = new_case(text="井盖缺失", idempotency_key="a"), new_case(text="井盖缺失", idempotency_key="b")
    assert cases_search_index() == (2 if connection.vendor == "sqlite" else 0)
    gone.delete()  # SQLite's index keeps its entry; the case is gone, so it is not found
    assert [c.pk for c in case_list(user=tree.people["leader"], filters=CaseFilters(query="井盖"))] == [kept.pk]
