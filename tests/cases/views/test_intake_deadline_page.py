"""The case page shows the dispatch (intake) deadline while the case waits for its dispatch (issue 14, item 2), also
before the minute sweep has written it."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from fuhe.cases.models import Case
from fuhe.cases.services.actions import case_perform
from fuhe.cases.services.clocks import case_intake_clock, intake_clocks_start, intake_deadline

FRIDAY_18 = timezone.datetime(2026, 3, 6, 18, 0, tzinfo=timezone.get_current_timezone())


def _intake_due(page: str) -> tuple[str, str] | None:
    found = re.search(r'id="intake-due" data-overdue="(\w+)"[^>]*>.*?<time datetime="([^"]+)"', page, re.DOTALL)
    return (found[1], found[2]) if found else None


def test_a_new_case_shows_its_dispatch_limit_computed_from_receipt_before_the_sweep(tree, login, new_case):
    with time_machine.travel(FRIDAY_18, tick=False):
        case = new_case()
        assert Case.objects.get(pk=case.pk).intake_due is None  # the sweep has not run yet
        clock = case_intake_clock(case)
        assert clock is not None and not clock.is_stamped and not clock.is_overdue
        assert clock.due == intake_deadline(case).at and clock.due.weekday() == 0  # a working day: Monday
        page = login(tree.people["dispatcher"]).get(reverse("cases:detail", args=[case.pk])).content.decode()
    shown = _intake_due(page)
    assert shown is not None and shown[0] == "no"
    assert shown[1].startswith(timezone.localtime(clock.due).strftime("%Y-%m-%dT%H:%M"))


def test_the_stamped_limit_is_the_same_and_turns_overdue(tree, login, new_case):
    with time_machine.travel(FRIDAY_18, tick=False):
        case = new_case()
        computed = case_intake_clock(case).due
        intake_clocks_start()
    case.refresh_from_db()
    assert case.intake_due == computed and case_intake_clock(case, now=FRIDAY_18).is_stamped
    assert case_intake_clock(case, now=computed + timedelta(minutes=1)).is_overdue
    with time_machine.travel(computed + timedelta(hours=1), tick=False):
        page = login(tree.people["dispatcher"]).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert _intake_due(page)[0] == "yes"


def test_a_dispatched_case_shows_no_dispatch_limit(tree, login, new_case):
    case = new_case()
    case_perform(actor=tree.people["dispatcher"], case=case, action="dispatch", unit=tree.units["和平区城管委"].pk)
    case.refresh_from_db()
    assert case_intake_clock(case) is None
    page = login(tree.people["dispatcher"]).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="intake-due"' not in page and 'id="case-state"' in page
