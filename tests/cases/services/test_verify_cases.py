"""A case row edited behind the platform's back no longer matches its timeline, and `fuhe verify_cases` says so."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

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
    call_command("verify_cases", stdout=out)
    assert "every case matches its events" in out.getvalue()


def test_a_state_or_rating_set_directly_is_named(tree, new_case):
    edited, untouched = new_case(), new_case()
    Case.objects.filter(pk=edited.pk).update(state="closed", rating_satisfied=True)
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 field"):
        call_command("verify_cases", stdout=io.StringIO(), stderr=err)
    assert f"case {edited.pk}: state is 'closed', its events say 'received'" in err.getvalue()
    assert f"case {edited.pk}: rating_satisfied is True" in err.getvalue()
    assert f"case {untouched.pk}:" not in err.getvalue()
