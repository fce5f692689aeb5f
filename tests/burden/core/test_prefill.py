"""Fill once (一表通): the freshest valid value prefills, and the catalogue never trades a fresher value for an
older one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuhe.burden.core.prefill import FieldPrefill, Known, freshest_valid, keep_fresher, resolve, summarise

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def known(value: str, days_ago: float, source: str = "submission") -> Known:
    return Known(value, NOW - timedelta(days=days_ago), source)


def test_the_freshest_valid_value_wins():
    candidates = [known("2100", 40), known("2200", 5), known("2150", 20, "platform")]
    assert freshest_valid(candidates, NOW, 90).value == "2200"


def test_a_unit_s_answer_beats_a_value_read_off_the_org_tree_however_fresh():
    tree = known("4000", 0, "org")  # read now
    corrected = known("5200", 30, "submission")
    assert freshest_valid([tree, corrected], NOW, 90).value == "5200"
    assert freshest_valid([corrected, tree], NOW, 90).value == "5200"
    assert freshest_valid([tree, known("5100", 40, "manual"), corrected], NOW, 90).value == "5200"
    assert freshest_valid([tree, known("5200", 91, "submission")], NOW, 90).value == "4000"  # expired: the tree
    assert freshest_valid([known("12", 0, "platform"), known("11", 3, "submission")], NOW, 90).value == "12"


def test_an_expired_value_is_not_valid_but_one_on_the_last_day_is():
    assert freshest_valid([known("37", 91)], NOW, 90) is None
    assert freshest_valid([known("37", 90)], NOW, 90).value == "37"
    # when the freshest value has expired, every older one has too
    assert freshest_valid([known("37", 91), known("35", 200)], NOW, 90) is None


def test_without_a_validity_period_a_value_stays_valid():
    assert freshest_valid([known("12", 3650)], NOW, None).value == "12"


def test_a_value_dated_in_the_future_is_not_valid():
    future = Known("99", NOW + timedelta(minutes=1), "manual")
    assert not future.is_valid(NOW, None)
    assert freshest_valid([future, known("40", 1)], NOW, 30).value == "40"


def test_keep_fresher_takes_the_incoming_value_when_it_is_as_fresh_or_fresher():
    old, new = known("1", 10), known("2", 1)
    assert keep_fresher(old, new) is new
    assert keep_fresher(new, old) is new
    same_moment = Known("3", new.as_of, "manual")
    assert keep_fresher(new, same_moment) is same_moment  # a correction at the same moment replaces
    assert keep_fresher(None, old) is old and keep_fresher(old, None) is old and keep_fresher(None, None) is None


moments = st.integers(-10_000, 10_000).map(lambda minutes: NOW + timedelta(minutes=minutes))
values = st.builds(Known, st.text(max_size=3), moments, st.sampled_from(["platform", "submission", "manual"]))


@given(st.lists(values, max_size=12))
def test_keep_fresher_never_replaces_a_fresher_value(incoming):
    kept = None
    for value in incoming:
        before = kept
        kept = keep_fresher(kept, value)
        if before is not None:
            assert kept.as_of >= before.as_of
    if incoming:
        assert kept.as_of == max(v.as_of for v in incoming)


@given(st.lists(values, max_size=12), st.one_of(st.none(), st.integers(0, 10)))
def test_freshest_valid_is_valid_and_no_valid_candidate_is_fresher(candidates, validity):
    best = freshest_valid(candidates, NOW, validity)
    valid = [c for c in candidates if c.is_valid(NOW, validity)]
    if not valid:
        assert best is None
        return
    assert best.is_valid(NOW, validity)
    assert best.as_of == max(c.as_of for c in valid)


def test_resolve_answers_every_requested_item_in_order():
    results = resolve(["a", "b", "c"], {"a": [known("1", 1)], "c": [known("3", 400)]}, NOW, {"c": 365})
    assert [r.item_code for r in results] == ["a", "b", "c"]
    assert [r.is_prefilled for r in results] == [True, False, False]


def test_summarise_reports_the_share_and_the_minutes():
    results = [
        FieldPrefill("a", known("1", 1)),
        FieldPrefill("b", None),
        FieldPrefill("c", known("3", 1)),
        FieldPrefill("d", None),
    ]
    summary = summarise(results, {"a": 5, "b": 10})
    assert (summary.fields, summary.prefilled) == (4, 2)
    assert summary.share == pytest.approx(0.5)
    assert summary.minutes_saved == pytest.approx(5 + 2) and summary.minutes_asked == pytest.approx(10 + 2)
    assert summarise([], {}).share == 0.0
