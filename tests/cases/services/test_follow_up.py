"""Satisfaction comes from the resident, never from the unit being assessed: a follow-up call (回访) is recorded by
the dispatching side only, never by the handling unit or its department, and no answer is chosen in advance."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from fuhe.cases.models import Case
from fuhe.cases.services import lifecycle as loop
from fuhe.cases.services.actions import case_perform

pytestmark = pytest.mark.django_db


@pytest.fixture
def replied(tree, new_case):
    """A case the district department handled and answered, waiting for the follow-up call."""

    def make(unit="和平区城管委"):
        handler, dispatcher = tree.people["handler"], tree.people["dispatcher"]
        case = loop.case_dispatch(actor=dispatcher, case=new_case(), unit=tree.units[unit])
        actor = handler if unit == "和平区城管委" else dispatcher
        for action in ("accept", "start"):
            case = loop.case_transition(actor=actor, case=case, action=action)
        return loop.case_reply(actor=actor, case=case, outcome="resolved", text="已修复")

    return make


def test_the_handling_unit_cannot_grade_itself(tree, replied):
    case = replied()
    with pytest.raises(PermissionDenied):
        case_perform(actor=tree.people["handler"], case=case, action="follow_up", resolved=True, satisfied=True)
    case.refresh_from_db()
    assert case.rating_satisfied is None and case.state == "replied"


def test_the_street_dispatcher_records_the_resident_s_answers(tree, replied):
    case = case_perform(
        actor=tree.people["dispatcher"], case=replied(), action="follow_up", resolved=True, satisfied=True
    )
    case = Case.objects.get(pk=case.pk)
    assert (case.rating_resolved, case.rating_satisfied, case.state) == (True, True, "closed")
    rating = case.events.get(action="rate")  # who recorded it, and how, stays on the timeline
    assert rating.actor == tree.people["dispatcher"] and rating.data == {
        "resolved": True,
        "satisfied": True,
        "channel": "call",
    }


def test_a_street_that_handled_the_case_itself_cannot_follow_it_up(tree, replied):
    case = replied(unit="劝业场街道办事处")  # 直派: the street office owns the case
    with pytest.raises(PermissionDenied):
        case_perform(actor=tree.people["dispatcher"], case=case, action="follow_up", resolved=True, satisfied=True)


def test_both_answers_are_asked_for(tree, replied):
    with pytest.raises(ValidationError):
        case_perform(actor=tree.people["dispatcher"], case=replied(), action="follow_up", resolved=True, satisfied=None)


def test_the_follow_up_form_shows_only_to_the_independent_side_with_no_answer_chosen(tree, replied, login):
    case = replied()
    handler_page = login(tree.people["handler"]).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'value="follow_up"' not in handler_page
    page = login(tree.people["dispatcher"]).get(reverse("cases:detail", args=[case.pk])).content.decode()
    form = page[page.index('value="follow_up"') :]
    form = form[: form.index("</form>")]
    assert form.count('<option value="" selected>') == 2 and "required" in form
    assert 'value="true" selected' not in form and 'value="false" selected' not in form


def test_an_unsatisfied_answer_says_why(tree, replied):
    with pytest.raises(ValidationError) as refused:
        case_perform(
            actor=tree.people["dispatcher"], case=replied(), action="follow_up", resolved=False, satisfied=False
        )
    assert "reasons" in refused.value.message_dict
    case = case_perform(
        actor=tree.people["dispatcher"],
        case=replied(),
        action="follow_up",
        resolved=False,
        satisfied=False,
        reasons=["too_slow", "not_resolved", "too_slow"],
        reason="  等了两个星期  ",
    )
    rating = case.events.get(action="rate")
    assert rating.data == {
        "resolved": False,
        "satisfied": False,
        "channel": "call",
        "reasons": ["not_resolved", "too_slow"],
        "comment": "等了两个星期",
    }
    with pytest.raises(ValidationError, match="made_up"):
        case_perform(
            actor=tree.people["dispatcher"],
            case=replied(),
            action="follow_up",
            resolved=False,
            satisfied=False,
            reasons=["made_up"],
        )
