import pytest
from django.http import Http404

from fuhe.funding import selectors
from tests.funding.conftest import score_all


def test_calls_are_seen_in_their_area_and_not_elsewhere(funding, publish, apply):
    call = publish()
    for name in ("dispatcher", "sg-worker", "community", "leader", "expert", "volunteer"):
        assert selectors.call_get(user=funding.people[name], call_id=call.pk) == call
    with pytest.raises(Http404):
        selectors.call_get(user=funding.people["jz-dispatcher"], call_id=call.pk)  # another district's township
    with pytest.raises(Http404):
        selectors.call_get(user=funding.people["jz-dispatcher"], call_id=call.pk + 1000)  # missing looks the same
    assert list(selectors.call_list(user=funding.people["jz-dispatcher"])) == []


def test_applications_are_seen_by_applicant_owner_panel_and_requester_only(funding, publish, apply):
    application = apply(publish())
    for name in ("sg-worker", "dispatcher", "leader", "community"):
        assert selectors.application_get(user=funding.people[name], application_id=application.pk) == application
    for name in ("nb-worker", "jz-dispatcher", "volunteer"):
        with pytest.raises(Http404):
            selectors.application_get(user=funding.people[name], application_id=application.pk)


def test_money_path_figures_sum_their_rows(funding, publish, apply):
    from django.utils import timezone

    from fuhe.funding import services

    application = apply(publish(budget="100000"), requested="60000")
    score_all(funding, application, 80)
    award = services.call_award(actor=funding.people["dispatcher"], call=application.call)[0]
    today = timezone.localdate()
    services.tranche_disburse(actor=funding.people["dispatcher"], award=award, amount="30000", paid_on=today)
    services.tranche_disburse(actor=funding.people["dispatcher"], award=award, amount="10000", paid_on=today)
    services.spending_record(
        actor=funding.people["sg-worker"], award=award, amount="12345.67", spent_on=today, purpose="食材"
    )
    path = selectors.money_path(call=application.call)
    assert (path["budget_fen"], path["awarded_fen"], path["unawarded_fen"]) == (10_000_000, 6_000_000, 4_000_000)
    assert (path["disbursed_fen"], path["spent_fen"]) == (4_000_000, 1_234_567)
    links = {(link["source"], link["target"]): link["value"] for link in path["sankey"]["links"]}
    assert links[("劝业场街道办事处", application.call.title)] == 100000.0
    assert sum(v for (s, _t), v in links.items() if s == application.call.title) == 100000.0
    organisation = f"阳光社工服务中心 · {application.title}"
    assert links[(application.call.title, organisation)] == 60000.0
    assert sum(v for (s, _t), v in links.items() if s == organisation) == 60000.0  # spent + not yet spent
    assert any(t == funding.demand.title for (_s, t) in links)
