"""The demo's duty list and first routing model, built from the demo's own dispatch history."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext

from fuhe.cases.core.lifecycle import State
from fuhe.cases.models import Case
from fuhe.duties.models import DutyList, ListStatus
from fuhe.duties.services import duty_list_seed_demo
from fuhe.org.models import Region
from fuhe.routing.models import RoutingModel, system_note
from fuhe.routing.services import case_route, routing_examples_collect, routing_model_train

DEMO_ROOT_CODE = "120000000000"  # 天津市: the list applies in both demo districts


def demo_duty_list_seed(*, taxonomy_path: Path | None = None) -> bool:
    """Seed and activate the demo duty list (before the demo's cases: their dispatchers follow it). Idempotent:
    does nothing when the demo region already has a duty list. True when a list was made."""
    region = Region.objects.filter(code=DEMO_ROOT_CODE).first()
    taxonomy_path = taxonomy_path or Path(settings.FUHE_SHARED_DATA) / "messages" / "taxonomy.csv"
    if region is None or not taxonomy_path.is_file():
        return False
    return duty_list_seed_demo(actor=None, region=region, taxonomy_path=taxonomy_path) is not None


def demo_routing_seed(
    *, progress: Callable[[str], None] = lambda message: None, taxonomy_path: Path | None = None
) -> bool:
    """The demo duty list (seeded if missing), the first model learnt from the demo's dispatches, the waiting
    cases routed. Idempotent: does nothing once a routing model exists."""
    region = Region.objects.filter(code=DEMO_ROOT_CODE).first()
    if region is None or RoutingModel.objects.exists():
        return False
    demo_duty_list_seed(taxonomy_path=taxonomy_path)
    duty_list = DutyList.objects.filter(region=region, status=ListStatus.ACTIVE).first()
    if duty_list is None:
        return False
    progress(gettext("duty list: %(count)s items, active") % {"count": duty_list.items.count()})
    collected = routing_examples_collect()
    model = routing_model_train(note=system_note("demo"))
    progress(
        gettext("routing: %(count)s examples from the dispatch history, model v%(version)s")
        % {"count": collected, "version": model.version if model else "—"}
    )
    waiting = Case.objects.filter(state=State.RECEIVED).select_related("region", "category")
    routed = 0
    for case in waiting.order_by("created_at")[:500]:
        if not case.routing and case_route(case=case):
            routed += 1
    progress(gettext("routing: %(count)s waiting cases routed") % {"count": routed})
    return True
