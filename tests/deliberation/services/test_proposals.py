"""Proposals: eligibility, a feasibility note before votes, one agenda item past the threshold, a published reason."""

import threading

import pytest
from django.db import connection

from fuhe.deliberation import services
from fuhe.deliberation.models import AgendaItem, Proposal, Vote
from fuhe.deliberation.services import DeliberationError
from tests.deliberation.conftest import make_residents


@pytest.fixture
def verified(tree, residents):
    for person in residents:
        services.resident_verify(actor=tree.people["community"], person=person, region=tree.regions["花园路社区"])
    return residents


@pytest.fixture
def proposal(tree, council, verified):
    return services.proposal_submit(
        actor=verified[0], body=council, title="增设电动车充电桩", text="小区缺少充电桩", support_threshold=3
    )


def test_votes_open_only_after_the_feasibility_note(tree, proposal, verified):
    with pytest.raises(DeliberationError) as error:
        services.proposal_vote(actor=verified[1], proposal=proposal)
    assert "proposal" in error.value.message_dict
    services.proposal_feasibility(actor=tree.people["community"], proposal=proposal, note="场地可行，费用约2万元")
    services.proposal_vote(actor=verified[1], proposal=proposal)
    assert Vote.objects.count() == 1


def test_an_unverified_or_outside_resident_cannot_vote_and_nothing_is_written(tree, proposal, verified):
    services.proposal_feasibility(actor=tree.people["community"], proposal=proposal, note="可行")
    unverified = make_residents(tree, "花园路社区", 1, prefix="new")[0]
    outsider = make_residents(tree, "五大道社区", 1, prefix="wd")[0]
    for person in (unverified, outsider, tree.people["community"]):
        with pytest.raises(DeliberationError) as error:
            services.proposal_vote(actor=person, proposal=proposal)
        assert "voter" in error.value.message_dict
    assert not Vote.objects.exists()


def test_crossing_the_threshold_makes_exactly_one_agenda_item_with_a_clock(tree, proposal, verified):
    services.proposal_feasibility(actor=tree.people["community"], proposal=proposal, note="可行")
    for person in verified[:4]:
        services.proposal_vote(actor=person, proposal=proposal)
    item = AgendaItem.objects.get(proposal=proposal)
    assert item.due_at is not None and item.meeting is None
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ON_AGENDA
    with pytest.raises(DeliberationError):
        services.proposal_vote(actor=verified[0], proposal=proposal)  # a second vote by one person


def test_a_grid_worker_records_an_elders_support_as_assistant(tree, proposal, verified):
    services.proposal_feasibility(actor=tree.people["community"], proposal=proposal, note="可行")
    vote = services.proposal_vote(actor=tree.people["grid"], proposal=proposal, voter=verified[2])
    assert vote.voter == verified[2] and vote.assistant == tree.people["grid"]
    with pytest.raises(DeliberationError):  # a resident cannot vote for another
        services.proposal_vote(actor=verified[3], proposal=proposal, voter=verified[4])


def test_a_rejection_needs_and_keeps_a_reason(tree, proposal):
    with pytest.raises(DeliberationError):
        services.proposal_reject(actor=tree.people["community"], proposal=proposal, reason="  ")
    rejected = services.proposal_reject(actor=tree.people["community"], proposal=proposal, reason="消防通道不得占用")
    assert rejected.status == Proposal.Status.REJECTED
    assert rejected.rejection_reason == "消防通道不得占用"


@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_past_the_threshold_make_one_agenda_item(tree, council, verified):
    proposal = services.proposal_submit(
        actor=verified[0], body=council, title="加装路灯", text="路口太暗", support_threshold=1
    )
    services.proposal_feasibility(actor=tree.people["community"], proposal=proposal, note="可行")
    errors = []

    def vote(person):
        try:
            services.proposal_vote(actor=person, proposal=proposal)
        except Exception as error:  # noqa: BLE001 — collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(person,)) for person in verified[:4]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert AgendaItem.objects.filter(proposal=proposal).count() == 1
    assert Vote.objects.filter(proposal=proposal).count() + len(errors) == 4
