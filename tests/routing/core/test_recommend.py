from hypothesis import given, settings
from hypothesis import strategies as st

from fuhe.routing.core.recommend import similar_texts, similar_texts_many

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
