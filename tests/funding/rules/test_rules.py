import pytest

from fuhe.funding.rules import can_confirm_delivery, can_score, can_view_projects


@pytest.mark.parametrize(
    ("name", "expected"),
    [("dispatcher", True), ("sg-worker", True), ("leader", True), ("volunteer", True), ("resident", False)],
)
def test_who_sees_the_projects_pages(funding, name, expected):
    assert can_view_projects(funding.people[name]) is expected


def test_conflict_and_requester_rules(funding, publish, apply):
    application = apply(publish())
    assert can_score(funding.people["leader"], application)
    assert not can_score(funding.people["expert"], application)  # acts for the applicant
    assert not can_score(funding.people["dispatcher"], application)  # not on the panel
    assert can_confirm_delivery(funding.people["community"], application)  # raised the demand
    assert can_confirm_delivery(funding.people["grid"], application)  # acts for the requesting committee
    assert not can_confirm_delivery(funding.people["sg-worker"], application)
