"""The demo's duty list and first routing model, built from the demo's own dispatch history."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from fuhe.cases.core.lifecycle import State
from fuhe.cases.models import Case
from fuhe.duties.services import duty_list_seed_demo
from fuhe.org.models import Region
from fuhe.routing.services import case_route, routing_examples_collect, routing_model_train

DEMO_ROOT_CODE = "120000000000"  # 天津市: the list applies in both demo districts


def demo_routing_seed(*, progress: Callable[[str], None] = lambda message: None,
                      taxonomy_path: Path | None = None) -> bool:
    """Seed and activate the demo duty list, learn from the demo's dispatches, route the waiting cases.
    Idempotent: does nothing when the demo region already has a duty list."""
    region = Region.objects.filter(code=DEMO_ROOT_CODE).first()
    taxonomy_path = taxonomy_path or Path(settings.FUHE_SHARED_DATA) / "messages" / "taxonomy.csv"
    if region is None or not taxonomy_path.is_file():
        return False
    duty_list = duty_list_seed_demo(actor=None, region=region, taxonomy_path=taxonomy_path)
    if duty_list is None:
        return False
    progress(f"duty list: {duty_list.items.count()} items, active")
    collected = routing_examples_collect()
    model = routing_model_train(note="demo: duty-list keywords and the demo's dispatch history")
    progress(f"routing: {collected} examples from the dispatch history, model v{model.version if model else '—'}")
    waiting = Case.objects.filter(state=State.RECEIVED).select_related("region", "category")
    routed = 0
    for case in waiting.order_by("created_at")[:500]:
        if not case.routing and case_route(case=case):
            routed += 1
    progress(f"routing: {routed} waiting cases routed")
    return True
