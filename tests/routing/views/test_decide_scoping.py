"""The decision form answers a duty item of another district's list exactly as a missing one, and does nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fuhe.cases.models import Case
from fuhe.cases.services.intake import case_create
from fuhe.duties.models import DutyItem
from fuhe.routing.models import RoutingExample
from tests.duties.factories import ITEMS, make_list

pytestmark = pytest.mark.django_db


def _message(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_an_item_out_of_reach_reads_as_a_missing_one(tree, duty_list, login, settings):
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = None
    case = case_create(actor=None, channel="hotline", text="井盖缺失", region=tree.regions["花园路社区"]).case
    jizhou_item = DutyItem.objects.get(duty_list=make_list(tree, items=ITEMS[:1], region="蓟州区", activate=False))
    client = login(tree.people["dispatcher"])
    url = reverse("routing:decide", args=[case.pk])
    missing = client.post(url, {"item": 987654321}, follow=True)
    hidden = client.post(url, {"item": jizhou_item.pk}, follow=True)
    foreign_unit = client.post(
        url,
        {"item": DutyItem.objects.get(duty_list=duty_list, code="CG-01").pk, "unit": tree.units["蓟州区城管委"].pk},
        follow=True,
    )
    assert _message(missing) == _message(hidden) == _message(foreign_unit)
    assert len(_message(missing)) == 1
    assert Case.objects.get(pk=case.pk).state == "received" and not RoutingExample.objects.exists()
