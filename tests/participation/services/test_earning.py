"""Earnings: counter-signed by the task's owner, never self-approved, once per reference, within certification."""

from __future__ import annotations

import pytest
from django.db.models import Sum
from django.utils import translation

from fuhe.audit.models import AuditEvent
from fuhe.participation.models import Entry, Transaction, TransactionKind
from fuhe.participation.rules import earning_check_register
from fuhe.participation.selectors import account_balance, account_of_person, account_of_unit
from fuhe.participation.services import LedgerError, points_transaction_reverse

pytestmark = pytest.mark.django_db


def refusal(call) -> dict[str, list[str]]:
    """The errors of a refused posting (English), after checking that nothing was written."""
    before = (Transaction.objects.count(), Entry.objects.count(), AuditEvent.objects.count())
    with translation.override("en"), pytest.raises(LedgerError) as refused:
        call()
    assert (Transaction.objects.count(), Entry.objects.count(), AuditEvent.objects.count()) == before
    return refused.value.message_dict


def test_an_earning_credits_the_earner_and_debits_the_issuer(tree, earn, committee, owner):
    record = earn(points=12, reference="burden.task:5", memo="陪老人就医")
    volunteer = tree.people["volunteer"]
    assert record.kind == TransactionKind.EARNING and record.counter_signer == owner and record.actor == owner
    assert account_balance(account=account_of_person(person=volunteer)) == 12
    assert account_balance(account=account_of_unit(unit=committee)) == -12
    assert Entry.objects.aggregate(total=Sum("amount"))["total"] == 0
    event = AuditEvent.objects.get(action="participation.points_earned")
    assert event.object_id == str(record.pk) and event.actor_id == owner.pk


def test_an_earning_without_the_owners_signature_is_refused(earn):
    assert "counter_signer" in refusal(lambda: earn(task_owner=None))


def test_self_approval_is_refused(tree, earn):
    volunteer = tree.people["volunteer"]
    errors = refusal(lambda: earn(person=volunteer, actor=volunteer, task_owner=volunteer))
    assert "self-approval" in errors["counter_signer"][0]


def test_the_earner_cannot_post_their_own_earning_even_naming_the_owner(tree, earn):
    volunteer = tree.people["volunteer"]
    assert "self-approval" in refusal(lambda: earn(person=volunteer, actor=volunteer))["counter_signer"][0]


def test_only_the_task_owner_signs(tree, earn):
    errors = refusal(lambda: earn(actor=tree.people["grid"]))
    assert errors["counter_signer"] == ["Only the task's owner can counter-sign this earning."]


def test_the_signer_must_act_for_the_issuing_organisation(tree, earn):
    errors = refusal(lambda: earn(issuer=tree.units["西关村委会"]))
    assert "issuer" in errors


def test_a_duplicate_claim_is_refused_but_another_earner_or_reference_is_not(tree, earn):
    earn(reference="burden.task:1")
    errors = refusal(lambda: earn(reference="burden.task:1"))
    assert errors["reference"] == ["Points for this reference were already credited to this person."]
    earn(reference="burden.task:1", person=tree.people["resident"])
    earn(reference="burden.task:2")
    assert Transaction.objects.count() == 3


def test_a_reversed_earning_can_be_claimed_again_corrected(tree, earn, owner):
    wrong = earn(points=50, reference="burden.task:9")
    points_transaction_reverse(actor=owner, original=wrong, reason="应为5分")
    earn(points=5, reference="burden.task:9")
    assert account_balance(account=account_of_person(person=tree.people["volunteer"])) == 5


@pytest.mark.parametrize("points", [0, -3, 2.5, "10", 100_001])
def test_points_must_be_a_positive_whole_number(earn, points):
    assert "points" in refusal(lambda: earn(points=points))


def test_a_reference_is_required(earn):
    assert "reference" in refusal(lambda: earn(reference="  "))


def test_a_staff_member_cannot_earn(tree, earn):
    errors = refusal(lambda: earn(person=tree.people["grid"]))
    assert "2026 rules" in errors["earner"][0]


def test_earning_outside_certification_is_refused_through_the_hook(tree, earn):
    """The volunteer module fills the hook; a fake certifies the volunteer for legal aid only."""
    volunteer = tree.people["volunteer"]
    unregister = earning_check_register(lambda person, field: person == volunteer and field == "legal")
    errors = refusal(lambda: earn(service_field="medical"))
    assert errors["service_field"] == ["The earner holds no valid certification for this field of service."]
    earn(service_field="legal")
    unregister()
    earn(service_field="medical", reference="burden.task:2")
    assert Transaction.objects.count() == 2
