"""The gate's reasons shown in the active language: each row of the decision table has a translatable message whose
English is the core's sentence, with what it names filled in from the decision's params."""

from __future__ import annotations

import pytest
from django.utils import translation

from fuhe.burden import charts
from fuhe.burden.charts import gate_reason
from fuhe.burden.core.admission import GateInput, ListCategory, decide

ROWS = [
    GateInput(ListCategory.OWNED, forbidden_demands=("likes_forwards", "online_time")),
    GateInput(ListCategory.EXCLUDED),
    GateInput(ListCategory.OWNED),
    GateInput(ListCategory.ASSISTS),
    GateInput(ListCategory.ASSISTS, lead_unit_named=True),
    GateInput(ListCategory.ASSISTS, resources_declared=True),
    GateInput(ListCategory.ASSISTS, lead_unit_named=True, resources_declared=True),
    GateInput(ListCategory.UNLISTED),
    GateInput(ListCategory.NONE, approval_reason="理由", working_days_before_start=4),
    GateInput(ListCategory.NONE, approval_reason="理由", working_days_before_start=40),
]


@pytest.mark.parametrize("given", ROWS, ids=lambda g: f"{g.category}")
def test_every_gate_reason_has_a_message_equal_to_the_cores_english(given):
    decision = decide(given)
    with translation.override("en"):
        shown = gate_reason(decision.rule, dict(decision.params), "STORED")
    if decision.rule == "forbidden_demand":  # the demands are named by their labels, not their codes
        assert shown.startswith("The task demands what the 2026 rules") and "online time" in shown
        assert "online_time" not in shown
    else:
        assert shown == decision.reason_text


def test_the_approving_bodys_own_words_are_shown_as_written():
    assert gate_reason("approved", {}, "符合防汛工作需要") == "符合防汛工作需要"
    assert gate_reason("late_application", {}, "stored text") == "stored text"  # a decision without params


def test_reasons_go_through_the_catalogue(monkeypatch):
    monkeypatch.setattr(
        charts,
        "_",
        lambda message: "申请提前%(ahead)s个工作日，需%(required)s个" if "application came" in message else message,
    )
    decision = decide(GateInput(ListCategory.UNLISTED, approval_reason="理由", working_days_before_start=4))
    assert gate_reason(decision.rule, dict(decision.params), decision.reason_text) == "申请提前4个工作日，需30个"
