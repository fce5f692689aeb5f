"""The in-process event bus: handlers in order, now or after the commit, failures kept apart."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import transaction

from fuhe.common import events


@dataclass(frozen=True)
class Happened:
    what: str


@dataclass(frozen=True)
class Other:
    what: str


@pytest.fixture
def seen():
    got: list[tuple[str, str]] = []

    def first(event):
        got.append(("first", event.what))

    def second(event):
        got.append(("second", event.what))

    events.subscribe(Happened, first)
    events.subscribe(Happened, second)
    events.subscribe(Happened, first)  # twice is once
    yield got
    events.unsubscribe(Happened, first)
    events.unsubscribe(Happened, second)
    assert events.subscribers(Happened) == []


def test_publish_calls_each_handler_of_the_type_once_in_order(seen):
    events.publish(Happened("a"))
    events.publish(Other("ignored"))
    assert seen == [("first", "a"), ("second", "a")]


def test_an_error_in_publish_reaches_the_publisher(seen):
    def broken(event):
        raise RuntimeError("no")

    events.subscribe(Happened, broken)
    try:
        with pytest.raises(RuntimeError):
            events.publish(Happened("b"))
    finally:
        events.unsubscribe(Happened, broken)


@pytest.mark.django_db(transaction=True)
def test_publish_on_commit_waits_for_the_commit_and_skips_a_rollback(seen):
    with transaction.atomic():
        events.publish_on_commit(Happened("kept"))
        assert seen == []
    assert seen == [("first", "kept"), ("second", "kept")]
    seen.clear()
    with pytest.raises(ValueError), transaction.atomic():
        events.publish_on_commit(Happened("rolled back"))
        raise ValueError
    assert seen == []


@pytest.mark.django_db(transaction=True)
def test_a_failing_listener_after_the_commit_is_logged_and_the_others_still_run(seen, caplog):
    def broken(event):
        raise RuntimeError("listener down")

    events.subscribe(Happened, broken)
    events.unsubscribe(Happened, events.subscribers(Happened)[0])  # broken runs before "second" now
    try:
        with transaction.atomic():
            events.publish_on_commit(Happened("c"))
    finally:
        events.unsubscribe(Happened, broken)
    assert seen == [("second", "c")]
    assert "listener down" in caplog.text


def test_routing_listens_to_the_contexts_it_serves():
    from fuhe.cases.events import CaseReceived, ImportJobQueued
    from fuhe.cases.tasks import on_import_job_queued
    from fuhe.duties.events import DutyListActivated
    from fuhe.routing.tasks import on_case_received, on_duty_list_activated

    assert events.subscribers(CaseReceived) == [on_case_received]
    assert events.subscribers(DutyListActivated) == [on_duty_list_activated]
    assert events.subscribers(ImportJobQueued) == [on_import_job_queued]
