from datetime import datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuhe.funding.core.ranking import Candidate, Criterion, RankingError, ScoreEntry, rank_and_award

T0 = datetime(2026, 5, 1, 9, 0)
CRITERIA = [Criterion(1, 60), Criterion(2, 40)]


def entries(app, member, scores, start=0):
    return [ScoreEntry(app, c.id, member, s, start + i) for i, (c, s) in enumerate(zip(CRITERIA, scores, strict=True))]


def candidate(app, requested, minutes=0, members=(10, 11)):
    return Candidate(app, requested, T0 + timedelta(minutes=minutes), frozenset(members))


def test_weighted_mean_ranks_and_awards_within_budget_skipping_what_does_not_fit():
    candidates = [candidate(1, 600), candidate(2, 500, 1), candidate(3, 300, 2)]
    scores = (
        entries(1, 10, [90, 80])
        + entries(1, 11, [80, 80])  # 86, 80 → 83
        + entries(2, 10, [70, 70])
        + entries(2, 11, [70, 70])  # 70
        + entries(3, 10, [60, 50])
        + entries(3, 11, [60, 60])  # 56, 60 → 58
    )
    result = rank_and_award(budget_fen=1000, criteria=CRITERIA, candidates=candidates, entries=scores)
    assert [(r.application_id, r.rank, r.outcome, r.awarded_fen) for r in result] == [
        (1, 1, "awarded", 600),
        (2, 2, "over_budget", 0),  # 500 does not fit in the 400 left
        (3, 3, "awarded", 300),  # but 300 does
    ]
    assert result[0].total == Fraction(83)


def test_ties_go_to_the_earlier_submission_then_the_lower_id():
    candidates = [candidate(5, 100, 3), candidate(4, 100, 3), candidate(3, 100, 1)]
    scores = [e for app in (3, 4, 5) for m in (10, 11) for e in entries(app, m, [70, 70])]
    result = rank_and_award(budget_fen=200, criteria=CRITERIA, candidates=candidates, entries=scores)
    assert [r.application_id for r in result] == [3, 4, 5]
    assert [r.outcome for r in result] == ["awarded", "awarded", "over_budget"]


def test_the_latest_entry_is_the_current_score_and_missing_ones_leave_the_application_incomplete():
    candidates = [candidate(1, 100), candidate(2, 100, members=(10,))]
    scores = entries(1, 10, [10, 10]) + entries(1, 10, [90, 90], start=10) + entries(1, 11, [90, 90])
    scores += [ScoreEntry(2, 1, 10, 50, 1)]  # criterion 2 not scored
    result = rank_and_award(budget_fen=500, criteria=CRITERIA, candidates=candidates, entries=scores)
    assert result[0].total == Fraction(90)
    assert (result[1].application_id, result[1].outcome, result[1].rank) == (2, "incomplete", None)


def test_a_conflicted_member_is_not_waited_for_and_not_counted():
    candidates = [candidate(1, 100, members=(11,))]  # member 10 acts for the applicant
    scores = entries(1, 10, [100, 100]) + entries(1, 11, [50, 50])
    result = rank_and_award(budget_fen=500, criteria=CRITERIA, candidates=candidates, entries=scores)
    assert result[0].total == 50
    assert set(result[0].member_totals) == {11}


def test_below_the_minimum_is_not_awarded():
    scores = entries(1, 10, [40, 40]) + entries(1, 11, [40, 40])
    result = rank_and_award(
        budget_fen=500, criteria=CRITERIA, candidates=[candidate(1, 100)], entries=scores, minimum_total=60
    )
    assert result[0].outcome == "below_minimum"


@pytest.mark.parametrize(("weights", "reason"), [([60, 30], "sum"), ([], "empty"), ([100, 0], "weight")])
def test_weights_must_be_positive_and_sum_to_100(weights, reason):
    criteria = [Criterion(i, w) for i, w in enumerate(weights)]
    with pytest.raises(RankingError) as error:
        rank_and_award(budget_fen=1, criteria=criteria, candidates=[], entries=[])
    assert (error.value.field, error.value.reason) == ("criteria", reason)


@given(
    budget=st.integers(min_value=0, max_value=10_000),
    requests=st.lists(st.integers(min_value=1, max_value=5_000), min_size=1, max_size=12),
    scores=st.lists(st.integers(min_value=0, max_value=100), min_size=24, max_size=24),
)
def test_awards_never_exceed_the_budget_and_follow_the_ranking(budget, requests, scores):
    candidates = [candidate(i, r, i) for i, r in enumerate(requests)]
    all_entries = []
    for i in range(len(requests)):
        all_entries += entries(i, 10, [scores[2 * i], scores[2 * i + 1]])
        all_entries += entries(i, 11, [scores[2 * i + 1], scores[2 * i]])
    result = rank_and_award(budget_fen=budget, criteria=CRITERIA, candidates=candidates, entries=all_entries)
    assert sum(r.awarded_fen for r in result) <= budget
    totals = [r.total for r in result]
    assert totals == sorted(totals, reverse=True)
    left = budget
    for r in result:  # every pass-over really did not fit at its turn
        if r.outcome == "over_budget":
            assert requests[r.application_id] > left
        left -= r.awarded_fen
