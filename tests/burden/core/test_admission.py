"""The admission gate's decision table, the list category per target level, and the status machine."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuhe.burden.core.admission import (
    TRANSITIONS,
    Decision,
    GateInput,
    IllegalTransitionError,
    ListCategory,
    Outcome,
    category_for_level,
    check_transition,
    decide,
)

C = ListCategory

# one row per line of the table in the module docstring: input → outcome, rule
TABLE = [
    (GateInput(C.OWNED, forbidden_demands=("check_in",)), Outcome.REFUSED, "forbidden_demand"),
    (
        GateInput(C.ASSISTS, forbidden_demands=("study_time",), lead_unit_named=True, resources_declared=True),
        Outcome.REFUSED,
        "forbidden_demand",
    ),
    (
        GateInput(C.UNLISTED, forbidden_demands=("app_install",), approval_reason="需要", working_days_before_start=60),
        Outcome.REFUSED,
        "forbidden_demand",
    ),
    (GateInput(C.EXCLUDED), Outcome.REFUSED, "excluded"),
    (
        GateInput(C.EXCLUDED, lead_unit_named=True, resources_declared=True, approval_reason="需要"),
        Outcome.REFUSED,
        "excluded",
    ),
    (GateInput(C.OWNED), Outcome.ADMITTED, "owned"),
    (GateInput(C.ASSISTS, lead_unit_named=True, resources_declared=True), Outcome.ADMITTED_ASSISTING, "assists"),
    (GateInput(C.ASSISTS, lead_unit_named=True), Outcome.REFUSED, "assists_incomplete"),
    (GateInput(C.ASSISTS, resources_declared=True), Outcome.REFUSED, "assists_incomplete"),
    (GateInput(C.ASSISTS), Outcome.REFUSED, "assists_incomplete"),
    (
        GateInput(C.NONE, approval_reason="防汛需要", working_days_before_start=30),
        Outcome.PENDING_APPROVAL,
        "needs_approval",
    ),
    (
        GateInput(C.UNLISTED, approval_reason="防汛需要", working_days_before_start=45),
        Outcome.PENDING_APPROVAL,
        "needs_approval",
    ),
    (GateInput(C.UNLISTED, approval_reason="防汛需要"), Outcome.PENDING_APPROVAL, "needs_approval"),
    (GateInput(C.NONE, approval_reason="防汛需要", working_days_before_start=29), Outcome.REFUSED, "late_application"),
    (
        GateInput(C.UNLISTED, approval_reason="防汛需要", working_days_before_start=9, application_period_days=10),
        Outcome.REFUSED,
        "late_application",
    ),
    (
        GateInput(C.UNLISTED, approval_reason="防汛需要", working_days_before_start=10, application_period_days=10),
        Outcome.PENDING_APPROVAL,
        "needs_approval",
    ),
    (GateInput(C.NONE), Outcome.REFUSED, "unlisted_no_application"),
    (
        GateInput(C.UNLISTED, approval_reason="   ", working_days_before_start=90),
        Outcome.REFUSED,
        "unlisted_no_application",
    ),
]


@pytest.mark.parametrize(("given_input", "outcome", "rule"), TABLE)
def test_each_row_of_the_table(given_input, outcome, rule):
    decision = decide(given_input)
    assert (decision.outcome, decision.rule) == (outcome, rule)
    assert decision.reason_text  # every decision goes back to the sender with a reason


def test_the_table_covers_every_rule_and_outcome():
    assert {rule for _i, _o, rule in TABLE} == {
        "forbidden_demand",
        "excluded",
        "owned",
        "assists",
        "assists_incomplete",
        "needs_approval",
        "late_application",
        "unlisted_no_application",
    }
    assert {outcome for _i, outcome, _r in TABLE} == set(Outcome)


def test_reasons_name_what_is_missing():
    assert "lead unit" in decide(GateInput(C.ASSISTS, resources_declared=True)).reason_text
    assert "resources" not in decide(GateInput(C.ASSISTS, resources_declared=True)).reason_text
    assert "resources" in decide(GateInput(C.ASSISTS, lead_unit_named=True)).reason_text
    assert (
        "check_in, study_time" in decide(GateInput(C.OWNED, forbidden_demands=("check_in", "study_time"))).reason_text
    )
    late = decide(GateInput(C.NONE, approval_reason="x", working_days_before_start=4, application_period_days=20))
    assert "4 working days" in late.reason_text and "20 are required" in late.reason_text
    assert "20 working days" in decide(GateInput(C.NONE, application_period_days=20)).reason_text


def test_only_admissions_reach_units():
    assert {o for o in Outcome if o.reaches_units} == {Outcome.ADMITTED, Outcome.ADMITTED_ASSISTING}


@pytest.mark.parametrize(
    ("admission", "owner_level", "category"),
    [
        ("owned", "community", C.OWNED),
        ("assists", "district", C.ASSISTS),
        ("excluded", "district", C.EXCLUDED),
        ("none", "district", C.NONE),
        ("something-else", "district", C.NONE),
        (None, None, C.UNLISTED),
    ],
)
def test_category_for_a_community_target(admission, owner_level, category):
    assert category_for_level(target_level="community", admission=admission, owner_level=owner_level) == category


@pytest.mark.parametrize(
    ("admission", "owner_level", "category"),
    [
        ("none", "street", C.OWNED),  # the street's own matter, not a community one
        ("owned", "street", C.OWNED),
        ("assists", "district", C.ASSISTS),  # a district department leads, the street helps
        ("none", "district", C.ASSISTS),
        ("owned", "community", C.NONE),  # the community's matter is not the street's
        ("none", "city", C.NONE),
        ("excluded", "street", C.EXCLUDED),
        ("excluded", "district", C.EXCLUDED),
        (None, "street", C.UNLISTED),
    ],
)
def test_category_for_a_street_target(admission, owner_level, category):
    assert category_for_level(target_level="street", admission=admission, owner_level=owner_level) == category


def test_an_unknown_level_has_no_category():
    assert category_for_level(target_level="district", admission="owned", owner_level="district") == C.NONE


# --- the status machine -----------------------------------------------------------------------------------------

STATUSES = sorted(TRANSITIONS)
TERMINAL = {status for status, targets in TRANSITIONS.items() if not targets}


def test_the_gate_sets_the_first_status_and_only_pending_moves():
    assert TRANSITIONS[""] == {outcome.value for outcome in Outcome}
    assert {status for status, targets in TRANSITIONS.items() if targets} == {"", "pending_approval"}
    assert {"admitted", "admitted_assisting", "approved", "refused"} == TERMINAL
    check_transition("pending_approval", "approved")
    check_transition("pending_approval", "refused")
    with pytest.raises(IllegalTransitionError):
        check_transition("", "approved")  # approval only after an application was pending
    with pytest.raises(IllegalTransitionError):
        check_transition("refused", "approved")
    with pytest.raises(IllegalTransitionError):
        check_transition("unknown", "refused")


@given(st.lists(st.sampled_from([*STATUSES, "unknown"]), max_size=12))
def test_no_sequence_of_attempts_leaves_a_terminal_state(attempts):
    status, history = "", [""]
    for attempt in attempts:
        try:
            check_transition(status, attempt)
        except IllegalTransitionError:
            continue
        assert status not in TERMINAL
        assert status in ("", "pending_approval")
        status = attempt
        history.append(status)
    assert len(history) <= 3  # "" → pending → decided at most
    assert all(earlier not in TERMINAL for earlier in history[:-1])


@given(
    st.sampled_from(list(C)),
    st.booleans(),
    st.booleans(),
    st.text(max_size=5),
    st.one_of(st.none(), st.integers(-5, 90)),
    st.integers(0, 60),
    st.lists(st.sampled_from(["check_in", "study_time"]), max_size=2, unique=True),
)
def test_every_decision_is_a_legal_first_transition(category, lead, resources, reason, ahead, period, forbidden):
    decision = decide(GateInput(category, tuple(forbidden), lead, resources, reason, ahead, period))
    assert isinstance(decision, Decision)
    check_transition("", decision.outcome.value)
    if forbidden or category == C.EXCLUDED:
        assert decision.outcome == Outcome.REFUSED
    if decision.outcome.reaches_units:
        assert category in (C.OWNED, C.ASSISTS)
