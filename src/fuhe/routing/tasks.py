"""Background work of routing, run by the huey consumer: route new cases, collect training examples, retrain
models."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from fuhe.routing.models import RoutingExample, RoutingModel
from fuhe.routing.services import route_on_intake, routing_examples_collect, routing_model_train

logger = logging.getLogger("fuhe.routing")


@db_task()
def route_case(case_pk: int) -> None:
    """A new case, once committed: recommend its duty item and owner, dispatch it when confident.

    Enqueued by intake so that the classifier (tens of milliseconds a case) never runs inside the request."""
    route_on_intake(case_pk)


def route_case_later(case_pk: int) -> None:
    """Queue the routing of a committed case; a queue failure is logged and never fails the intake (the
    dispatcher's decision recommends again when a case has no routing yet)."""
    try:
        route_case(case_pk)
    except Exception:  # noqa: BLE001 - intake must succeed even when routing cannot be queued
        logger.exception("routing of case %s could not be queued", case_pk)


@db_periodic_task(crontab(minute="*/10"))
def collect_examples() -> int:
    """Every ten minutes: new dispatches and reassignments become training examples."""
    return routing_examples_collect()


@db_task()
def routing_retrain(note: str = "") -> int | None:
    """Collect, then fit and version a new model (activated unless worse on the hold-out)."""
    routing_examples_collect()
    model = routing_model_train(note=note or "background retrain")
    return model.version if model else None


@db_periodic_task(crontab(hour="2", minute="30"))
def nightly_retrain() -> int | None:
    """Every night, when there are examples newer than the active model."""
    routing_examples_collect()
    active = RoutingModel.objects.defer("blob").filter(is_active=True).first()
    if active is not None and not RoutingExample.objects.filter(created_at__gt=active.created_at).exists():
        return None
    model = routing_model_train(note="nightly retrain")
    return model.version if model else None
