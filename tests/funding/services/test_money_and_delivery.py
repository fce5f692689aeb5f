from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuhe.audit.models import AuditEvent
from fuhe.funding import services
from fuhe.funding.models import Award, DeliverableState, SpendingLine, Tranche
from fuhe.funding.services import FundingError
from fuhe.resources.models import DemandState
from tests.funding.conftest import score_all


@pytest.fixture
def award(funding, publish, apply):
    application = apply(publish(budget="100000"), requested="60000")
    score_all(funding, application, 80)
    return services.call_award(actor=funding.people["dispatcher"], call=application.call)[0]


def test_tranches_and_spending_stay_within_the_award(funding, award):
    today = timezone.localdate()
    owner, org = funding.people["dispatcher"], funding.people["sg-worker"]
    services.tranche_disburse(actor=owner, award=award, amount="40000", paid_on=today, note="首笔")
    with pytest.raises(FundingError) as error:
        services.tranche_disburse(actor=owner, award=award, amount="20000.01", paid_on=today)
    assert "amount" in error.value.message_dict
    evidence = SimpleUploadedFile("发票.pdf", b"%PDF-1.4 test")
    line = services.spending_record(
        actor=org, award=award, amount="59999.99", spent_on=today, purpose="食材", evidence=evidence
    )
    assert line.evidence.name
    with pytest.raises(FundingError) as error:
        services.spending_record(actor=org, award=award, amount="0.02", spent_on=today, purpose="餐盒")
    assert "amount" in error.value.message_dict
    assert SpendingLine.objects.count() == 1 and Tranche.objects.count() == 1
    assert AuditEvent.objects.filter(action="funding.spending_recorded").count() == 1


def test_money_dates_and_roles_are_checked(funding, award):
    today = timezone.localdate()
    with pytest.raises(FundingError) as error:
        services.spending_record(
            actor=funding.people["sg-worker"], award=award, amount="1", spent_on=today + timedelta(days=1), purpose="x"
        )
    assert "spent_on" in error.value.message_dict
    with pytest.raises(FundingError) as error:
        services.tranche_disburse(
            actor=funding.people["dispatcher"], award=award, amount="1", paid_on=today - timedelta(days=3)
        )
    assert "paid_on" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.spending_record(
            actor=funding.people["dispatcher"], award=award, amount="1", spent_on=today, purpose="x"
        )
    with pytest.raises(PermissionDenied):
        services.tranche_disburse(actor=funding.people["sg-worker"], award=award, amount="1", paid_on=today)


def test_the_requester_confirms_and_the_demand_closes(funding, award):
    deliverable = award.application.deliverables.get()
    org = funding.people["sg-worker"]
    with pytest.raises(FundingError):
        services.deliverable_confirm(actor=funding.people["community"], deliverable=deliverable)  # not yet reported
    with pytest.raises(PermissionDenied):
        services.deliverable_report(actor=funding.people["community"], deliverable=deliverable, delivered_quantity=30)
    services.deliverable_report(actor=org, deliverable=deliverable, delivered_quantity=30, note="30户已送餐")
    with pytest.raises(PermissionDenied):
        services.deliverable_confirm(actor=org, deliverable=deliverable)  # never the awardee
    with pytest.raises(PermissionDenied):
        services.deliverable_confirm(actor=funding.people["dispatcher"], deliverable=deliverable)
    services.deliverable_confirm(actor=funding.people["community"], deliverable=deliverable)
    deliverable.refresh_from_db()
    funding.demand.refresh_from_db()
    assert deliverable.state == DeliverableState.CONFIRMED
    assert funding.demand.state == DemandState.CLOSED and funding.demand.closed_at
    assert AuditEvent.objects.filter(action="resources.demand_closed", object_id=str(funding.demand.pk)).exists()


def test_a_partial_delivery_cannot_be_confirmed_and_the_demand_stays_open(funding, award):
    deliverable = award.application.deliverables.get()
    services.deliverable_report(actor=funding.people["sg-worker"], deliverable=deliverable, delivered_quantity=12)
    with pytest.raises(FundingError):
        services.deliverable_confirm(actor=funding.people["community"], deliverable=deliverable)
    with pytest.raises(FundingError) as error:
        services.deliverable_report(actor=funding.people["sg-worker"], deliverable=deliverable, delivered_quantity=31)
    assert "delivered_quantity" in error.value.message_dict
    funding.demand.refresh_from_db()
    assert funding.demand.state == DemandState.OPEN


OPERATIONS = st.lists(
    st.tuples(st.sampled_from(["tranche", "spend"]), st.integers(min_value=-100, max_value=4_000_000)),
    min_size=1,
    max_size=8,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_no_sequence_of_operations_spends_or_pays_above_the_award(funding, award, operations):
    today = timezone.localdate()
    for kind, fen in operations:
        amount = f"{fen / 100:.2f}" if fen >= 0 else str(fen)
        try:
            if kind == "tranche":
                services.tranche_disburse(actor=funding.people["dispatcher"], award=award, amount=amount, paid_on=today)
            else:
                services.spending_record(
                    actor=funding.people["sg-worker"], award=award, amount=amount, spent_on=today, purpose="p"
                )
        except FundingError:
            pass
    for row in Award.objects.all():
        assert sum(t.amount_fen for t in row.tranches.all()) <= row.amount_fen
        assert sum(s.amount_fen for s in row.spending.all()) <= row.amount_fen
        assert sum(a.amount_fen for a in Award.objects.filter(application__call=row.application.call)) <= (
            row.application.call.budget_fen
        )
