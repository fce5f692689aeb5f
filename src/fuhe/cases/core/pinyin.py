"""Finding a unit by the pinyin of its name (no Django): "chengguan", "hpqcgw" or "hpqchengguan" find 和平区城管委.

A name's key is its syllables, one per character (a run of digits or Latin letters is one syllable), each with its
readings: the reading of the word it is in first (和平 → he ping), then the character's other readings (区 → qu, ou),
so a polyphone matches however the dispatcher reads it. A typed word matches when, from the start of some syllable,
it is spelt by consecutive syllables, each given in full or by its first letter; the last may be cut short
("chengg", "hpq"). Keys are computed once per name and process (``name_key`` is cached by the name itself, so a
renamed unit gets a new key and nothing stale is ever served).
"""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import Style, pinyin

#: enough for every unit of a city's districts (the demo holds about 1,100)
CACHE_SIZE = 8192
_LATIN_WORD = re.compile(r"^[a-z0-9]+$")
_LETTERS_AND_DIGITS = re.compile(r"[A-Za-z0-9]+")

Key = tuple[tuple[str, ...], ...]


@lru_cache(maxsize=CACHE_SIZE)
def name_key(name: str) -> Key:
    """The syllables of ``name`` with their readings, lower case. A run of characters without a reading comes back
    as it is, a single "reading": its runs of Latin letters and digits are syllables, the rest (punctuation,
    spaces) is left out."""
    syllables: list[tuple[str, ...]] = []
    for readings in pinyin(name, style=Style.NORMAL, heteronym=True, errors="default"):
        if len(readings) == 1:  # one reading, or a run without any
            syllables += [(run.casefold(),) for run in _LETTERS_AND_DIGITS.findall(readings[0])]
        else:
            syllables.append(tuple(dict.fromkeys(reading.casefold() for reading in readings)))
    return tuple(syllables)


def is_pinyin_word(word: str) -> bool:
    """Whether a typed word may be pinyin (Latin letters and digits only)."""
    return bool(_LATIN_WORD.match(word.casefold()))


def spells(word: str, key: Key) -> bool:
    """Whether ``word`` is spelt by consecutive syllables of ``key`` (in full or by initials; the last may be cut
    short), starting at any syllable."""
    word = word.casefold()
    if not word:
        return True
    failed: set[tuple[int, int]] = set()  # (syllable, position in the word) already known not to lead anywhere

    def from_here(syllable: int, position: int) -> bool:
        if position == len(word):
            return True
        if syllable == len(key) or (syllable, position) in failed:
            return False
        rest = word[position:]
        for reading in key[syllable]:
            if reading.startswith(rest):  # the word ends inside this syllable
                return True
            if rest.startswith(reading) and from_here(syllable + 1, position + len(reading)):
                return True
            if rest[0] == reading[0] and from_here(syllable + 1, position + 1):
                return True
        failed.add((syllable, position))
        return False

    return any(from_here(start, 0) for start in range(len(key)))


def name_matches(name: str, word: str) -> bool:
    """Whether a typed word finds the name: in the name itself, or as its pinyin."""
    return word.casefold() in name.casefold() or (is_pinyin_word(word) and spells(word, name_key(name)))
