"""The names of states, actions and rates in the reader's language (``fuhe.cases.labels``)."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from fuhe.cases.core.lifecycle import Action, State
from fuhe.cases.core.rates import RATE_SPECS
from fuhe.cases.labels import (
    ACTION_LABELS,
    RATE_LABELS,
    STATE_LABELS,
    action_label,
    rate_denominator_label,
    rate_label,
    rate_numerator_label,
    state_label,
)

_CJK = re.compile(r"[\u3400-\u9fff]")


def test_every_state_action_and_rate_has_a_label():
    assert set(STATE_LABELS) == set(State)
    assert set(ACTION_LABELS) == set(Action)
    assert set(RATE_LABELS) == set(RATE_SPECS)


@pytest.mark.parametrize("language", ["en", "en-us"])
def test_english_readers_get_english_names(language):
    with translation.override(language):
        names = [state_label(s) for s in State] + [action_label(a) for a in Action]
        names += [
            f(spec) for spec in RATE_SPECS.values() for f in (rate_label, rate_numerator_label, rate_denominator_label)
        ]
    assert not [name for name in names if _CJK.search(name)]
    with translation.override("en"):
        assert state_label("received") == "Received" and action_label(Action.DISPATCH) == "Dispatch"
        assert rate_label("satisfaction") == "Satisfaction rate"


def test_chinese_readers_get_the_official_terms_of_the_lifecycle_table():
    """Whether the catalogue has the label yet or not, a Chinese reader sees the official term, never English."""
    with translation.override("zh-hans"):
        assert [state_label(s) for s in State] == [s.zh for s in State]
        assert [action_label(a) for a in Action] == [a.zh for a in Action]
        for spec in RATE_SPECS.values():
            assert (rate_label(spec), rate_numerator_label(spec), rate_denominator_label(spec)) == (
                spec.zh,
                spec.numerator_zh,
                spec.denominator_zh,
            )


def test_an_unknown_value_is_shown_as_it_is():
    assert state_label("no_such_state") == "no_such_state"
    assert action_label("whistle") == "whistle"


def test_a_case_and_its_events_show_the_labels(db):
    from fuhe.cases.models import Case, CaseEvent

    case = Case(state=State.DISPATCHED)
    event = CaseEvent(action=Action.ACCEPT)
    with translation.override("en"):
        assert case.get_state_display() == "Dispatched" and event.get_action_label() == "Sign for"
    with translation.override("zh-hans"):
        assert case.get_state_display() == "已派单" and event.get_action_label() == "签收"
