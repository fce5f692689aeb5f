"""The rates page shows the 未评价 count beside the rates (and the cases still awaiting a rating)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from fuhe.cases.services import lifecycle as loop

pytestmark = pytest.mark.django_db


def _replied(tree, new_case):
    handler = tree.people["handler"]
    case = loop.case_dispatch(actor=tree.people["dispatcher"], case=new_case(), unit=tree.units["和平区城管委"])
    for action in ("accept", "start"):
        case = loop.case_transition(actor=handler, case=case, action=action)
    return loop.case_reply(actor=handler, case=case, outcome="resolved", text="已处理")


def test_the_rates_page_counts_unrated_and_awaiting_cases(tree, login, new_case):
    unrated, happy = _replied(tree, new_case), _replied(tree, new_case)
    loop.case_rate(actor=None, case=happy, resolved=True, satisfied=True)
    with time_machine.travel(unrated.replied_at + timedelta(days=8), tick=False):
        loop.cases_unrated_close()
        _replied(tree, new_case)  # a new reply: still awaiting its rating
        page = login(tree.people["leader"]).get(reverse("cases:rates")).content.decode()
    assert "Not rated" in page or "未评价" in page
    cell = re.search(r'<td class="num unrated">(.*?)</td>', page, re.S).group(1)
    assert cell.startswith("1<br>") and "另有 1 件待评价" in cell
    assert "100%" in page  # satisfaction: 1 of the 1 rated, the unrated case in no numerator
    assert 'href="/docs/metrics/#unrated"' in page or "#unrated" in page


def test_the_definitions_page_explains_unrated(client, db):
    page = client.get(reverse("cases:metrics_doc")).content.decode()
    assert 'id="unrated"' in page and "FUHE_RATING_WINDOW_DAYS" in page and "默认满意" in page
