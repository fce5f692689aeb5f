"""The tracking page offers the rating only inside the rating window, says until when, and says when it ended."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from fuhe.cases.models import Case
from fuhe.cases.services import lifecycle as loop
from fuhe.cases.services.intake import case_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def replied(tree):
    """A case the resident reported with a phone number, replied by the handling unit."""
    intake = case_create(
        actor=None, channel="web", text="新华社区路灯不亮", address="新华社区", reporter_phone="13800005678"
    )
    handler = tree.people["handler"]
    case = loop.case_dispatch(actor=tree.people["dispatcher"], case=intake.case, unit=tree.units["和平区城管委"])
    for action in ("accept", "start"):
        case = loop.case_transition(actor=handler, case=case, action=action)
    return loop.case_reply(actor=handler, case=case, outcome="resolved", text="已更换灯泡")


def page(client, case) -> str:
    """The tracking page, opened with the code and the phone's last digits (a session does not last a week)."""
    assert client.post(reverse("cases:track"), {"code": case.tracking_code, "phone_last4": "5678"}).status_code == 302
    return client.get(reverse("cases:track_case", args=[case.tracking_code])).content.decode()


def rate(client, case):
    url = reverse("cases:track_case", args=[case.tracking_code])
    return client.post(url, {"resolved": "yes", "satisfied": "yes"}, follow=True)


def test_inside_the_window_the_page_says_until_when(client, replied):
    shown = page(client, replied)
    # the page shows Beijing time: after 16:00 UTC the date there is already the next day's
    deadline = timezone.localtime(replied.replied_at + timedelta(days=7)).isoformat(timespec="seconds")[:16]
    assert 'id="rate-by"' in shown and 'class="rating"' in shown
    assert deadline[:10] in shown and 'id="rating-ended"' not in shown


def test_after_the_window_the_rating_is_refused_with_a_clear_message(client, replied):
    with time_machine.travel(replied.replied_at + timedelta(days=7, minutes=1), tick=False):
        shown = page(client, replied)
        assert 'class="rating"' not in shown and 'id="rating-ended"' in shown
        response = rate(client, replied)  # a form left open in another tab
    # refused, naming the date the window ended
    assert re.search(r'<li class="error" role="alert">[^<]*\d{4}-\d{2}-\d{2} \d{2}:\d{2}', response.content.decode())
    case = Case.objects.get(pk=replied.pk)
    assert (case.state, case.rating_satisfied) == ("replied", None)


def test_a_case_closed_unrated_shows_it_on_its_page(client, replied):
    with time_machine.travel(replied.replied_at + timedelta(days=8), tick=False):
        loop.cases_unrated_close()
        shown = page(client, replied)
        response = rate(client, replied)
    assert 'id="rating-ended"' in shown and "逾期未评价，归档" in shown  # the system's step on the timeline
    assert '<li class="error" role="alert">' in response.content.decode()  # refused, and said so
    assert Case.objects.get(pk=replied.pk).rating_satisfied is None


def test_the_follow_up_call_form_is_offered_only_inside_the_window(tree, login, replied):
    """The staff case page offered the 回访 form after the window, and the service then refused what was typed."""
    dispatcher = login(tree.people["dispatcher"])
    url = reverse("cases:detail", args=[replied.pk])
    assert "action-follow_up" in dispatcher.get(url).content.decode()
    with time_machine.travel(replied.replied_at + timedelta(days=7, minutes=1), tick=False):
        later = login(tree.people["dispatcher"]).get(url)  # a new session: the morning's has expired by then
        assert later.status_code == 200 and "action-follow_up" not in later.content.decode()
