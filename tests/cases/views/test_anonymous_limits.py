"""The anonymous channels resist abuse: a burst of reports from one address is refused (keeping what was typed),
and a tracking code is locked after a few wrong phone digits, from whatever address they come."""

from __future__ import annotations

import time

import pytest
import time_machine
from django.urls import reverse

from fuhe.cases.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    settings.FUHE_RATE_LIMITS = {
        **settings.FUHE_RATE_LIMITS,
        "report": "3/m",
        "track": "30/m",
        "track_failures": "5/15m",
    }


def report(client, n: int, address: str = "10.1.1.1"):
    data = {"text": f"第{n}次：路灯不亮", "address": "五大道社区", "submission_id": f"burst-{n}"}
    return client.post(reverse("cases:report"), data, REMOTE_ADDR=address)


def test_a_burst_of_reports_is_refused_in_chinese_and_keeps_the_text(tree, client, limits):
    assert [report(client, n).status_code for n in range(3)] == [302, 302, 302]
    refused = report(client, 3)
    page = refused.content.decode()
    assert refused.status_code == 429 and Case.objects.count() == 3
    assert "本网络提交过于频繁" in page and 'role="alert"' in page
    assert "第3次：路灯不亮" in page  # what the resident typed is still in the form
    assert report(client, 4, address="10.1.1.2").status_code == 302  # another address is not affected


def test_a_code_is_locked_after_wrong_digits_from_any_address(tree, client, new_case, limits):
    case = new_case(actor=None)
    for n in range(5):
        wrong = client.post(
            reverse("cases:track"), {"code": case.tracking_code, "phone_last4": f"000{n}"}, REMOTE_ADDR=f"10.2.0.{n}"
        )
        assert wrong.status_code == 200
    locked = client.post(reverse("cases:track"), {"code": case.tracking_code, "phone_last4": "5678"})
    assert locked.status_code == 429 and "该查询码的错误尝试次数过多" in locked.content.decode()
    assert client.get(reverse("cases:track_case", args=[case.tracking_code])).status_code == 404
    with time_machine.travel(time.time() + 16 * 60, tick=False):  # the lock lasts one 15-minute window
        opened = client.post(reverse("cases:track"), {"code": case.tracking_code, "phone_last4": "5678"})
    assert opened.status_code == 302
