import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuhe.routing.core.recommend import fold_of_key, similar_texts, similar_texts_many

WORDS = ["井盖", "缺失", "噪音", "扰民", "电梯", "故障", "垃圾", "清运", "路灯", "不亮", "楼道", "堆物"]
texts = st.lists(st.sampled_from(WORDS), min_size=0, max_size=6).map("".join)


@settings(max_examples=60, deadline=None)
@given(queries=st.lists(texts, min_size=1, max_size=5), candidates=st.lists(texts, max_size=12))
def test_many_queries_find_what_each_query_finds_alone(queries, candidates):
    keyed = list(enumerate(candidates, start=100))
    assert similar_texts_many(queries, keyed) == [similar_texts(query, keyed) for query in queries]


def test_excluded_keys_are_skipped_and_the_next_best_taken():
    candidates = [(1, "井盖缺失很危险"), (2, "井盖缺失"), (3, "电梯故障")]
    assert [s.key for s in similar_texts("井盖缺失很危险", candidates, limit=2)] == [1, 2]
    found = similar_texts_many(["井盖缺失很危险", "电梯故障"], candidates, limit=2, exclude=[{1}, set()])
    assert [s.key for s in found[0]] == [2] and [s.key for s in found[1]] == [3]


def test_no_candidates_or_an_empty_query_find_nothing():
    assert similar_texts_many(["井盖", "  "], []) == [[], []]
    assert similar_texts_many(["  "], [(1, "井盖")]) == [[]]


def test_item_scores_keep_the_list_s_items_and_renormalise():
    from fuhe.routing.core.recommend import item_scores

    scores = item_scores({"A": 0.2, "B": 0.2, "OLD": 0.6}, {"A", "B"}, {})
    assert scores == {"A": 0.5, "B": 0.5}


def test_item_scores_fall_back_to_keywords_when_the_model_knows_no_item():
    from fuhe.routing.core.recommend import item_scores

    scores = item_scores({"OLD": 1.0}, {"A", "B"}, {"B": ["路灯", "照明"]})
    assert scores["B"] > 0.99 and scores["A"] > 0


def test_the_batch_scorer_gives_the_same_scores_owners_and_order_as_the_dicts():
    import numpy as np

    from fuhe.routing.core.evaluation import owners_ranked
    from fuhe.routing.core.recommend import ItemScorer, item_scores

    classes = ["A", "B", "C", "OLD"]
    owners = {"A": "department:water", "B": "street", "C": "department:water", "D": ""}  # D: unknown to the model
    row = np.array([0.1, 0.35, 0.25, 0.3])
    scorer = ItemScorer(classes, owners)
    expected = item_scores(dict(zip(classes, row.tolist(), strict=True)), owners, {})
    scores = scorer.scores(row, {})
    assert dict(zip(scorer.codes, scores.tolist(), strict=True)) == pytest.approx({**expected, "D": 0.0})
    got, want = scorer.owners(scores), owners_ranked(expected, owners)
    assert [owner for owner, _ in got if owner in dict(want)] == [owner for owner, _ in want]  # "" (D) scores 0
    assert dict(got)["department:water"] == pytest.approx(dict(want)["department:water"])
    # the top unit's best item, then the others by their own score: the street's B before water's unlikely A
    assert [code for code, _ in scorer.ranked(scores, "department:water", 3)] == ["C", "B", "A"]
    assert [code for code, _ in scorer.ranked(scores, "department:water", 1)] == ["C"]
    fallback = scorer.scores(np.array([0.0, 0.0, 0.0, 1.0]), {"B": ["路灯"]})
    assert scorer.codes[int(fallback.argmax())] == "B" and fallback.sum() == pytest.approx(1.0)


def test_a_fold_is_a_stable_function_of_the_key():
    keys = [f"路灯不亮\n{n}号\n1" for n in range(500)]
    folds = [fold_of_key(key, 5) for key in keys]
    assert folds == [fold_of_key(key, 5) for key in keys] and set(folds) == {0, 1, 2, 3, 4}
    assert all(60 <= folds.count(fold) <= 140 for fold in range(5))
    assert fold_of_key("路灯不亮", 5) == zlib.crc32("路灯不亮".encode()) % 5  # no seed, no process hash
    with pytest.raises(ValueError):
        fold_of_key("x", 0)


def test_the_runner_up_unit_is_among_the_alternatives_however_many_items_the_top_unit_owns():
    """A department that owns many items (市场监管: lifts, weights, prices, food …) used to fill every alternative
    with its own unlikely items, so the unit a dispatcher would weigh against it (住建 for a retrofitted lift) was
    hidden from the panel and the picker, and a tie between the two units could not be seen."""
    import numpy as np

    from fuhe.routing.core.recommend import ItemScorer

    owners = {"M1": "market", "M2": "market", "M3": "market", "M4": "market", "H1": "housing"}
    classes = sorted(owners)  # H1, M1, M2, M3, M4
    scorer = ItemScorer(classes, owners)
    scores = scorer.scores(np.array([0.35, 0.40, 0.10, 0.08, 0.07]), {})
    assert scorer.owners(scores)[0][0] == "market"  # 0.65 against 0.35
    assert [code for code, _ in scorer.ranked(scores, "market", 4)] == ["M1", "H1", "M2", "M3"]


@given(
    st.lists(st.floats(min_value=0.0, max_value=1.0, allow_nan=False), min_size=2, max_size=12),
    st.lists(st.sampled_from(["water", "street", "market", ""]), min_size=12, max_size=12),
    st.integers(min_value=1, max_value=6),
)
def test_the_batch_order_is_the_dict_order(weights, kinds, limit):
    """``ItemScorer.ranked`` (numpy, messages without a category) and ``ranked_items`` (dicts, messages with one)
    give the same items in the same order."""
    import numpy as np

    from fuhe.routing.core.recommend import ItemScorer, ranked_items

    codes = [f"I{n:02d}" for n in range(len(weights))]
    owners = dict(zip(codes, kinds, strict=False))
    scorer = ItemScorer(codes, owners)
    row = np.array(weights) if sum(weights) else np.ones(len(weights))
    scores = scorer.scores(row, {})
    best = scorer.owners(scores)[0][0]
    by_code = dict(zip(scorer.codes, scores.tolist(), strict=True))
    assert [c for c, _ in scorer.ranked(scores, best, limit)] == [
        c for c, _ in ranked_items(by_code, owners, best, limit)
    ]
