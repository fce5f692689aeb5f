"""四议两公开 recorded step by step; a skipped step is refused with the expected step named, nothing written."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fuhe.deliberation import services
from fuhe.deliberation.core.procedure import ORDER, REJECTED, Step
from fuhe.deliberation.models import VillageMatter, VillageStep
from fuhe.deliberation.services import DeliberationError


@pytest.fixture
def matter(tree):
    return services.village_matter_create(
        actor=tree.people["jz-dispatcher"], title="村道硬化", region=tree.regions["西关村"]
    )


def _record(tree, matter, step, *, days_ago=0, rejected=False):
    return services.village_step_record(
        actor=tree.people["jz-dispatcher"],
        matter=matter,
        step=step,
        held_on=timezone.localdate() - timedelta(days=days_ago),
        participants="村党支部委员5人",
        participant_count=5,
        content="同意",
        is_rejection=rejected,
    )


def test_the_whole_procedure_in_order(tree, matter):
    for n, step in enumerate(ORDER):
        _record(tree, matter, step, days_ago=10 - n)
    matter.refresh_from_db()
    assert matter.state == Step.RESULTS_PUBLISHED
    assert VillageStep.objects.filter(matter=matter).count() == 6


def test_a_skipped_step_is_refused_and_nothing_written(tree, matter):
    _record(tree, matter, Step.PROPOSAL)
    with pytest.raises(DeliberationError) as error:
        _record(tree, matter, Step.REVIEW)
    assert "两委会商议" in error.value.message_dict["step"][0]
    matter.refresh_from_db()
    assert matter.state == Step.PROPOSAL
    assert VillageStep.objects.filter(matter=matter).count() == 1


def test_a_rejected_review_ends_the_matter(tree, matter):
    _record(tree, matter, Step.PROPOSAL)
    _record(tree, matter, Step.CONSULTATION)
    _record(tree, matter, Step.REVIEW, rejected=True)
    matter.refresh_from_db()
    assert matter.state == REJECTED
    with pytest.raises(DeliberationError):
        _record(tree, matter, Step.DECISION)


def test_a_step_dated_in_the_future_or_before_the_last_is_refused(tree, matter):
    with pytest.raises(DeliberationError):
        _record(tree, matter, Step.PROPOSAL, days_ago=-1)
    _record(tree, matter, Step.PROPOSAL, days_ago=1)
    with pytest.raises(DeliberationError):
        _record(tree, matter, Step.CONSULTATION, days_ago=3)


def test_only_a_village_follows_the_procedure(tree):
    with pytest.raises(DeliberationError):
        services.village_matter_create(actor=tree.people["dispatcher"], title="x", region=tree.regions["花园路社区"])
    assert not VillageMatter.objects.exists()
