"""Background work of routing, run by the huey consumer: collect training examples, retrain models."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from fuhe.routing.models import RoutingExample, RoutingModel
from fuhe.routing.services import routing_examples_collect, routing_model_train


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
