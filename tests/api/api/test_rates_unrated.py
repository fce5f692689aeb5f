"""GET /api/v1/rates gives the 未评价 count (and the cases awaiting a rating) of every group."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from fuhe.cases.services import lifecycle as loop
from fuhe.cases.services.intake import case_create
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def test_the_rates_of_the_api_count_unrated_cases(tree, issue_key, client):
    handler = tree.people["handler"]
    case = case_create(actor=None, channel="web", text="井盖缺失", address="花园路社区3号楼").case
    case = loop.case_dispatch(actor=tree.people["dispatcher"], case=case, unit=tree.units["和平区城管委"])
    for action in ("accept", "start"):
        case = loop.case_transition(actor=handler, case=case, action=action)
    case = loop.case_reply(actor=handler, case=case, outcome="resolved", text="已处理")
    key = issue_key("leader")
    with time_machine.travel(case.replied_at + timedelta(days=8), tick=False):
        loop.cases_unrated_close()
        response = client.get("/api/v1/rates?by=unit", **bearer(key))
    assert response.status_code == 200
    group = next(row for row in response.json() if row["group"] == "和平区城管委")
    assert (group["unrated"], group["awaiting_rating"]) == (1, 0)
    satisfaction = next(rate for rate in group["rates"] if rate["name"] == "satisfaction")
    assert (satisfaction["numerator"], satisfaction["denominator"]) == (0, 0)
