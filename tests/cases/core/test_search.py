from hypothesis import given, settings
from hypothesis import strategies as st

from fuhe.cases.core.search import bigrams, query_terms, search_terms

# Chinese characters, digits, Latin letters, full-width and ASCII punctuation, spaces
ALPHABET = "噪音扰民楼道井盖缺失电梯3号楼AbＡ，。、 -()（）"
texts = st.text(alphabet=ALPHABET, max_size=40)


@settings(max_examples=300, deadline=None)
@given(title=texts, text=texts, address=texts, start=st.integers(0, 40), length=st.integers(1, 8))
def test_a_substring_s_terms_are_always_held_by_the_case(title, text, address, start, length):
    """The index may only narrow: whatever a substring search finds must hold every term of the query."""
    held = set(search_terms(title, text, address).split())
    for field in (title, text, address):
        query = field[start : start + length].strip()
        terms = query_terms(query)
        if terms is not None and query in field:
            assert set(terms) <= held


def test_only_queries_of_two_or_more_chinese_characters_use_the_index():
    assert query_terms("噪音") == ["噪音"]
    assert query_terms(" 噪音扰民 ") == ["噪音", "扰民", "音扰"]
    assert query_terms("噪") is None  # one character: no bigram
    assert query_terms("3号楼") is None and query_terms("噪音 扰民") is None and query_terms("井盖，") is None


def test_terms_are_the_distinct_bigrams_of_each_run_of_chinese():
    assert bigrams("井盖缺失，井盖") == {"井盖", "盖缺", "缺失"}
    assert search_terms("3号楼井盖", "", "A座") == "井盖 号楼 楼井"
    assert search_terms("", "") == ""
