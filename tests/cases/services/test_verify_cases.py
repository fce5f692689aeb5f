"""A case row edited behind the platform's back no longer matches its timeline, and `fuhe verify_cases` says so."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from fuhe.cases.models import Case
from fuhe.cases.services import lifecycle as loop

pytestmark = pytest.mark.django_db


def test_cases_walked_through_the_loop_match_their_events(tree, new_case):
    handler, dispatcher = tree.people["handler"], tree.people["dispatcher"]
    case = loop.case_dispatch(actor=dispatcher, case=new_case(), unit=tree.units["和平区城管委"])
    for action in ("accept", "start"):
        case = loop.case_transition(actor=handler, case=case, action=action)
    case = loop.case_reply(actor=handler, case=case, outcome="resolved", text="已修复")
    loop.case_rate(actor=None, case=case, resolved=False, satisfied=False, reasons=["not_resolved"])  # reopens
    new_case()
    out = io.StringIO()
    with translation.override("en"):
        call_command("verify_cases", stdout=out)
    assert "Every case matches its events." in out.getvalue()


def test_a_state_or_rating_set_directly_is_named(tree, new_case):
    edited, untouched = new_case(), new_case()
    Case.objects.filter(pk=edited.pk).update(state="closed", rating_satisfied=True)
    err = io.StringIO()
    with pytest.raises(CommandError, match="有 2 个工单字段"):
        call_command("verify_cases", stdout=io.StringIO(), stderr=err)
    edited.refresh_from_db()
    with translation.override("en"), pytest.raises(CommandError):
        call_command("verify_cases", stdout=io.StringIO(), stderr=err)
    lines = err.getvalue()
    assert f"工单 {edited.tracking_code}：状态为“已办结归档”，办理过程记录为“已受理”。" in lines  # zh, the default
    assert f"Case {edited.tracking_code}: State is “Closed and archived”, its events say “Received”." in lines
    assert f"Case {edited.tracking_code}: Rated as satisfied is “yes”, its events say “not rated”." in lines
    assert untouched.tracking_code not in lines
