"""Background work of routing, run by the huey consumer: route new cases, collect training examples, retrain
models."""

import logging
import threading
import time

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from fuhe.cases.events import CaseReceived
from fuhe.duties.events import DutyListActivated
from fuhe.routing.models import RoutingExample, RoutingModel, system_note
from fuhe.routing.services import cases_route, route_on_intake, routing_examples_collect, routing_model_train

logger = logging.getLogger("fuhe.routing")


#: seconds a new case may wait for routing: the worker routes the cases received in this window together
ROUTE_DELAY = 0.5

_scheduled_until = 0.0  # this process has a batch routing scheduled to run at this (monotonic) time
_schedule_lock = threading.Lock()


@db_task()
def route_cases(case_pks: list[int] | None = None) -> int:
    """New cases once committed: index them for search (SQLite, in batches), then route ``case_pks`` — or every
    received case not routed yet — in batches: recommend the duty item and owner, dispatch when confident."""
    _index_new_cases()
    return cases_route(case_pks)


def _index_new_cases() -> None:
    from fuhe.cases.services.search import cases_search_index

    try:
        cases_search_index()
    except Exception:  # noqa: BLE001 - searches scan unindexed cases; routing must go on
        logger.exception("indexing new cases for search failed")


@db_task()
def route_case(case_pk: int) -> None:
    """One case (tasks queued by earlier versions, one per intake)."""
    route_on_intake(case_pk)


def route_case_later(case_pk: int) -> None:
    """Have a committed case routed by the worker, without the classifier running in the request.

    The intakes of a process within ``ROUTE_DELAY`` share one queued batch: the first schedules it to run after
    the delay, when every case committed in the meantime is visible to it; the others queue nothing. When tasks
    run at once (tests) the case is routed now. A queue failure is logged and never fails the intake; the
    minute's sweep routes what was missed."""
    global _scheduled_until
    try:
        if HUEY.immediate:
            route_cases([case_pk])
            return
        now = time.monotonic()
        with _schedule_lock:
            if now < _scheduled_until:
                return  # a batch of this process runs after this commit and will find the case
            route_cases.schedule(args=(None,), delay=ROUTE_DELAY)
            # a margin below the delay: the worker's clock may run the batch a little early
            _scheduled_until = now + ROUTE_DELAY * 0.8
    except Exception:  # noqa: BLE001 - intake must succeed even when routing cannot be queued
        logger.exception("routing of case %s could not be queued", case_pk)


def on_case_received(event: CaseReceived) -> None:
    route_case_later(event.case_id)


def on_duty_list_activated(event: DutyListActivated) -> None:
    """A new list changes the classes and keywords: retrain in the background (a queue failure is logged by the
    event bus and never fails the activation; the nightly retrain catches up)."""
    if event.retrain_routing:
        routing_retrain()


@db_periodic_task(crontab(minute="*"))
def route_missed() -> int:
    """Every minute: cases that no batch indexed or routed (a queue failure, a restart in between)."""
    _index_new_cases()
    return cases_route()


@db_periodic_task(crontab(minute="*/10"))
def collect_examples() -> int:
    """Every ten minutes: new dispatches and reassignments become training examples."""
    return routing_examples_collect()


@db_task()
def routing_retrain(note: str = "") -> int | None:
    """Collect, then fit and version a new model (activated unless worse on the hold-out)."""
    routing_examples_collect()
    model = routing_model_train(note=note or system_note("background"))
    return model.version if model else None


@db_periodic_task(crontab(hour="2", minute="30"))
def nightly_retrain() -> int | None:
    """Every night, when there are examples newer than the active model."""
    routing_examples_collect()
    active = RoutingModel.objects.defer("blob").filter(is_active=True).first()
    if active is not None and not RoutingExample.objects.filter(created_at__gt=active.created_at).exists():
        return None
    model = routing_model_train(note=system_note("nightly"))
    return model.version if model else None
