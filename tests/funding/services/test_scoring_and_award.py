import pytest
from django.core.exceptions import PermissionDenied

from fuhe.audit.models import AuditEvent
from fuhe.funding.models import ApplicationState, Award, CallState, Score
from fuhe.funding.services import FundingError, call_award, scores_submit
from tests.funding.conftest import OTHER_ORG, score_all


def test_a_member_from_the_applicant_unit_cannot_score_it(funding, publish, apply):
    application = apply(publish())
    criteria = list(application.call.criteria.all())
    with pytest.raises(PermissionDenied):
        scores_submit(actor=funding.people["expert"], application=application, scores={c.pk: 90 for c in criteria})
    assert not Score.objects.exists()


def test_people_off_the_panel_cannot_score(funding, publish, apply):
    application = apply(publish())
    with pytest.raises(PermissionDenied):
        scores_submit(actor=funding.people["dispatcher"], application=application, scores={})


def test_scores_are_final_and_a_correction_is_a_new_row_with_a_reason(funding, publish, apply):
    application = apply(publish())
    criteria = list(application.call.criteria.all())
    leader = funding.people["leader"]
    first = scores_submit(actor=leader, application=application, scores={c.pk: 70 for c in criteria})
    with pytest.raises(FundingError) as error:
        scores_submit(actor=leader, application=application, scores={c.pk: 80 for c in criteria})
    assert "reason" in error.value.message_dict
    second = scores_submit(
        actor=leader, application=application, scores={c.pk: 80 for c in criteria}, reason="看错材料"
    )
    assert Score.objects.count() == 2 * len(criteria)
    assert {s.supersedes_id for s in second} == {s.pk for s in first}
    first[0].score = 1
    with pytest.raises(RuntimeError):
        first[0].save()
    with pytest.raises(RuntimeError):
        first[0].delete()
    assert AuditEvent.objects.filter(action="funding.scores_corrected").count() == 1


@pytest.mark.parametrize("bad", [101, -1, "x", None])
def test_bad_scores_name_the_criterion(funding, publish, apply, bad):
    application = apply(publish())
    criteria = list(application.call.criteria.all())
    scores = {c.pk: 50 for c in criteria}
    scores[criteria[1].pk] = bad
    with pytest.raises(FundingError) as error:
        scores_submit(actor=funding.people["leader"], application=application, scores=scores)
    assert f"score_{criteria[1].pk}" in error.value.message_dict
    assert not Score.objects.exists()


def test_award_waits_for_every_eligible_member(funding, publish, apply):
    call = publish()
    application = apply(call)
    score_all(funding, application, 80, members=("leader",))
    with pytest.raises(FundingError) as error:
        call_award(actor=funding.people["dispatcher"], call=call)
    assert "scores" in error.value.message_dict
    assert not Award.objects.exists()


def test_award_by_ranking_within_the_budget(funding, publish, apply):
    call = publish(budget="100000")
    first = apply(call, requested="60000")
    second = apply(call, worker="nb-worker", unit=OTHER_ORG, requested="50000")
    score_all(funding, first, [90, 80, 70])  # 82
    score_all(funding, second, 95, members=("leader", "supervisor", "expert"))  # the expert may score this one
    with pytest.raises(PermissionDenied):
        call_award(actor=funding.people["sg-worker"], call=call)
    awards = call_award(actor=funding.people["dispatcher"], call=call)
    assert [(a.application_id, a.amount_fen, a.rank) for a in awards] == [(second.pk, 5_000_000, 1)]
    first.refresh_from_db()
    assert first.state == ApplicationState.NOT_AWARDED  # 60000 does not fit in the 50000 left
    call.refresh_from_db()
    assert call.state == CallState.AWARDED
    assert AuditEvent.objects.filter(action="funding.call_awarded", object_id=str(call.pk)).exists()
    with pytest.raises(FundingError):
        call_award(actor=funding.people["dispatcher"], call=call)
    with pytest.raises(FundingError):
        scores_submit(actor=funding.people["leader"], application=first, scores={}, reason="x")
