"""Finding a unit by the pinyin of its name or its initials (``cases.core.pinyin``)."""

from __future__ import annotations

import time

import pytest

from fuhe.cases.core.pinyin import is_pinyin_word, name_key, name_matches, spells


@pytest.mark.parametrize(
    "word",
    ["hpqcgw", "chengguan", "hpqchengguan", "heping", "cgw", "guanwei", "hpqcg", "CHENGGUAN", "hepingquchengguanwei"],
)
def test_full_pinyin_initials_and_mixtures_find_the_unit(word):
    assert name_matches("和平区城管委", word)


@pytest.mark.parametrize("word", ["ngq", "hpqcgwx", "jiaotong", "xcgw", "engguan"])
def test_a_word_must_start_at_a_syllable_and_spell_consecutive_syllables(word):
    assert not name_matches("和平区城管委", word)


def test_the_name_as_written_still_matches():
    assert name_matches("和平区城管委", "城管") and not name_matches("和平区城管委", "交通")
    assert name_matches("12345热线服务中心", "12345") and name_matches("12345热线服务中心", "rxfw")


def test_a_word_is_read_as_a_word_and_a_lone_polyphone_by_every_reading():
    assert name_key("重庆道社区居委会")[0] == ("chong",)  # 重庆: the word's reading, not zhong
    assert name_matches("重庆道社区居委会", "cqd") and not name_matches("重庆道社区居委会", "zhongqing")
    assert name_matches("长春道街道办事处", "changchun") and name_matches("长春道街道办事处", "ccdjd")
    assert name_key("和平区")[2] == ("qu", "ou")  # 区 alone: both readings, the common one first


def test_latin_letters_and_digits_in_a_name_are_syllables_and_punctuation_is_left_out():
    assert name_key("和平区HP供热办（一）") == (
        ("he",),
        ("ping",),
        ("qu", "ou"),
        ("hp",),
        ("gong",),
        ("re",),
        ("ban",),
        ("yi",),
    )
    assert name_matches("和平区HP供热办（一）", "hpgrb")


def test_only_latin_words_are_read_as_pinyin():
    assert is_pinyin_word("hpq") and is_pinyin_word("HPQ2") and not is_pinyin_word("城管") and not is_pinyin_word("a-b")
    assert spells("", name_key("和平区"))


def test_keys_are_computed_once_per_name_and_a_renamed_unit_gets_its_own():
    name_key.cache_clear()
    names = [f"和平区第{index}城管中队" for index in range(1100)]
    started = time.perf_counter()
    assert all(name_matches(name, "cgzd") for name in names)
    first = time.perf_counter() - started
    assert name_key.cache_info().misses == 1100
    started = time.perf_counter()
    assert sum(name_matches(name, "hpqdcg") for name in names) == 0  # 第1… reads "di yi": not "dcg"
    again = time.perf_counter() - started
    assert name_key.cache_info().misses == 1100 and name_key.cache_info().hits >= 1100  # no key computed again
    assert again < first  # matching from cached keys is cheaper than computing them
    assert name_matches("和平区市容园林委", "srylw") and not name_matches("和平区城管委", "srylw")
