"""Corrections are reversal transactions (the original stays as it was); transfers between accounts."""

from __future__ import annotations

import pytest

from fuhe.participation.models import Entry, Transaction, TransactionKind
from fuhe.participation.selectors import account_balance, account_of_person
from fuhe.participation.services import (
    points_account_open,
    points_redeem,
    points_transaction_reverse,
    points_transfer,
)

from .test_earning import refusal

pytestmark = pytest.mark.django_db


def test_a_reversal_adds_the_opposite_entries_and_leaves_the_original(tree, earn, owner):
    original = earn(points=8)
    before = list(Entry.objects.filter(transaction=original).values_list("seq", "account_id", "amount", "hash"))
    reversal = points_transaction_reverse(actor=owner, original=original, reason="重复登记")
    assert reversal.kind == TransactionKind.REVERSAL and reversal.reverses == original and reversal.memo == "重复登记"
    assert list(Entry.objects.filter(transaction=original).values_list("seq", "account_id", "amount", "hash")) == before
    assert sorted(Entry.objects.filter(transaction=reversal).values_list("account_id", "amount")) == sorted(
        (account, -amount) for _seq, account, amount, _hash in before
    )
    assert account_balance(account=account_of_person(person=tree.people["volunteer"])) == 0


def test_a_transaction_is_reversed_once_and_a_reversal_never(earn, owner):
    original = earn()
    reversal = points_transaction_reverse(actor=owner, original=original, reason="错误")
    assert (
        "already reversed"
        in refusal(lambda: points_transaction_reverse(actor=owner, original=original, reason="again"))["transaction"][0]
    )
    assert refusal(lambda: points_transaction_reverse(actor=owner, original=reversal, reason="x"))["transaction"]


def test_a_reversal_needs_a_reason_and_the_signer_or_an_administrator(tree, earn):
    original = earn()
    assert refusal(lambda: points_transaction_reverse(actor=tree.people["community"], original=original, reason=""))[
        "reason"
    ]
    assert refusal(
        lambda: points_transaction_reverse(actor=tree.people["volunteer"], original=original, reason="我要撤销")
    )["transaction"]
    points_transaction_reverse(actor=tree.people["admin"], original=original, reason="管理员更正")


def test_an_earning_already_spent_cannot_be_reversed_below_zero(tree, earn, owner, haircut):
    original = earn(points=30)
    points_redeem(actor=tree.people["volunteer"], item=haircut)
    assert refusal(lambda: points_transaction_reverse(actor=owner, original=original, reason="x"))["points"]


def test_a_paired_town_and_village_exchange_points(tree):
    town_officer = tree.people["jz-dispatcher"]
    town = points_account_open(actor=town_officer, holder=tree.units["渔阳镇人民政府"])
    village = points_account_open(actor=town_officer, holder=tree.units["西关村委会"])
    points_transfer(actor=town_officer, source=town, target=village, points=100, memo="结对帮扶")
    assert account_balance(account=village) == 100 and account_balance(account=town) == -100
    # the town's officer does not act for the village: it cannot send the points back for it
    assert refusal(lambda: points_transfer(actor=town_officer, source=village, target=town, points=1))["source"]


def test_a_person_transfers_only_what_they_hold(tree, earn):
    volunteer, resident = tree.people["volunteer"], tree.people["resident"]
    earn(points=10)
    source = account_of_person(person=volunteer)
    target = points_account_open(actor=resident, holder=resident)
    assert refusal(lambda: points_transfer(actor=volunteer, source=source, target=target, points=11))["points"]
    assert refusal(lambda: points_transfer(actor=resident, source=source, target=target, points=1))["source"]
    assert refusal(lambda: points_transfer(actor=volunteer, source=source, target=source, points=1))["target"]
    points_transfer(actor=volunteer, source=source, target=target, points=10)
    assert account_balance(account=target) == 10 and account_balance(account=source) == 0
    assert Transaction.objects.filter(kind=TransactionKind.TRANSFER).count() == 1
