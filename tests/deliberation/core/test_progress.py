from datetime import UTC, datetime, timedelta

from fuhe.deliberation.core.progress import Progress, WorkFacts, item_status, resolution_status

NOW = datetime(2026, 6, 1, 9, tzinfo=UTC)


def test_finished_work_is_done_even_after_its_deadline():
    facts = WorkFacts(True, NOW, NOW - timedelta(days=3))
    assert item_status(facts, NOW) == Progress.DONE


def test_unfinished_work_is_in_progress_then_overdue():
    facts = WorkFacts(False, None, NOW + timedelta(hours=1))
    assert item_status(facts, NOW) == Progress.IN_PROGRESS
    assert item_status(facts, NOW + timedelta(hours=1)) == Progress.OVERDUE


def test_a_resolution_is_done_only_when_every_item_is():
    assert resolution_status([Progress.DONE, Progress.DONE]) == Progress.DONE
    assert resolution_status([Progress.DONE, Progress.IN_PROGRESS]) == Progress.IN_PROGRESS
    assert resolution_status([Progress.DONE, Progress.OVERDUE, Progress.IN_PROGRESS]) == Progress.OVERDUE
    assert resolution_status([]) == Progress.IN_PROGRESS
