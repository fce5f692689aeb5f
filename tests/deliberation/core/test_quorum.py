"""The quorum rules of each body kind, row by row (core/quorum.py's table)."""

import pytest

from fuhe.deliberation.core.quorum import BodyKind, Tally, TallyError, adoption_check, assess, required_present


@pytest.mark.parametrize(
    ("kind", "members", "required"),
    [
        (BodyKind.RESIDENTS_COUNCIL, 10, 6),  # more than half
        (BodyKind.RESIDENTS_COUNCIL, 9, 5),
        (BodyKind.VILLAGER_REPRESENTATIVES, 30, 20),  # at least two thirds
        (BodyKind.VILLAGER_REPRESENTATIVES, 31, 21),
        (BodyKind.VILLAGER_ASSEMBLY, 200, 101),
        (BodyKind.CONSULTATION, 12, 0),
    ],
)
def test_required_members_present_per_kind(kind, members, required):
    assert required_present(kind, members) == required


def test_quorum_met_only_at_the_required_count():
    assert not assess(BodyKind.RESIDENTS_COUNCIL, members=10, present=5).is_met
    assert assess(BodyKind.RESIDENTS_COUNCIL, members=10, present=6).is_met


def test_an_informal_meeting_never_has_a_quorum_for_resolutions():
    quorum = assess(BodyKind.CONSULTATION, members=5, present=5)
    assert not quorum.is_formal
    assert not quorum.is_met


def test_a_body_without_members_has_no_quorum():
    assert not assess(BodyKind.RESIDENTS_COUNCIL, members=0, present=0).is_met


def test_present_cannot_exceed_members():
    with pytest.raises(ValueError):
        assess(BodyKind.RESIDENTS_COUNCIL, members=3, present=4)


def test_adoption_needs_more_than_half_of_those_present():
    assert adoption_check(Tally(4, 3, 0), present=7)
    assert not adoption_check(Tally(3, 3, 1), present=7)
    assert not adoption_check(Tally(3, 0, 0), present=6)  # half is not more than half


def test_a_tally_above_the_present_count_is_refused():
    with pytest.raises(TallyError) as error:
        adoption_check(Tally(5, 3, 0), present=7)
    assert error.value.field == "in_favour"
