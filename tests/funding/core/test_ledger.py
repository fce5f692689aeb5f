from hypothesis import given
from hypothesis import strategies as st

from fuhe.funding.core.ledger import award_refusal, spending_refusal, tranche_refusal


def test_refusals_name_the_reason():
    assert award_refusal(budget_fen=100, awarded_fen=60, amount_fen=41) == "over_budget"
    assert award_refusal(budget_fen=100, awarded_fen=60, amount_fen=40) is None
    assert tranche_refusal(award_fen=50, disbursed_fen=50, amount_fen=1) == "over_award"
    assert spending_refusal(award_fen=50, spent_fen=0, amount_fen=0) == "not_positive"
    assert spending_refusal(award_fen=50, spent_fen=10, amount_fen=40) is None


OPERATIONS = st.lists(
    st.tuples(st.sampled_from(["award", "tranche", "spend"]), st.integers(0, 3), st.integers(-5, 400)), max_size=60
)


@given(budget=st.integers(0, 1000), operations=OPERATIONS)
def test_no_sequence_of_checked_operations_breaks_the_money_rules(budget, operations):
    awards: list[int] = []
    disbursed: dict[int, int] = {}
    spent: dict[int, int] = {}
    for kind, index, amount in operations:
        if kind == "award":
            if award_refusal(budget_fen=budget, awarded_fen=sum(awards), amount_fen=amount) is None:
                awards.append(amount)
            continue
        if index >= len(awards):
            continue
        if (
            kind == "tranche"
            and tranche_refusal(award_fen=awards[index], disbursed_fen=disbursed.get(index, 0), amount_fen=amount)
            is None
        ):
            disbursed[index] = disbursed.get(index, 0) + amount
        if (
            kind == "spend"
            and spending_refusal(award_fen=awards[index], spent_fen=spent.get(index, 0), amount_fen=amount) is None
        ):
            spent[index] = spent.get(index, 0) + amount
    assert sum(awards) <= budget
    assert all(disbursed.get(i, 0) <= award and spent.get(i, 0) <= award for i, award in enumerate(awards))
