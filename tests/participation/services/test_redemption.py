"""Redemptions against the catalogue: paid from the balance, never above it, within the stock."""

from __future__ import annotations

import pytest

from fuhe.participation.models import RedemptionItem, TransactionKind
from fuhe.participation.selectors import account_balance, account_of_person, account_of_unit
from fuhe.participation.services import points_redeem, points_transaction_reverse

from .test_earning import refusal

pytestmark = pytest.mark.django_db


def test_a_redemption_pays_the_item_owner_and_takes_the_stock(tree, earn, haircut, committee):
    volunteer = tree.people["volunteer"]
    earn(points=40)
    record = points_redeem(actor=volunteer, item=haircut)
    assert record.kind == TransactionKind.REDEMPTION and record.item == haircut and record.quantity == 1
    assert account_balance(account=account_of_person(person=volunteer)) == 10
    assert account_balance(account=account_of_unit(unit=committee)) == -40 + 30
    assert haircut.stock == 1


def test_a_redemption_above_the_balance_is_refused(tree, earn, haircut):
    volunteer = tree.people["volunteer"]
    earn(points=20)
    errors = refusal(lambda: points_redeem(actor=volunteer, item=haircut))
    assert "20" in errors["points"][0] and "30" in errors["points"][0]
    haircut.refresh_from_db()
    assert haircut.stock == 2


def test_a_resident_without_points_cannot_redeem(tree, haircut):
    assert "points" in refusal(lambda: points_redeem(actor=tree.people["resident"], item=haircut))


def test_stock_and_catalogue_limits(tree, earn, haircut):
    volunteer = tree.people["volunteer"]
    earn(points=200)
    assert refusal(lambda: points_redeem(actor=volunteer, item=haircut, quantity=3))["quantity"]
    assert refusal(lambda: points_redeem(actor=volunteer, item=haircut, quantity=0))["quantity"]
    points_redeem(actor=volunteer, item=haircut, quantity=2)
    assert refusal(lambda: points_redeem(actor=volunteer, item=haircut))["quantity"]
    RedemptionItem.objects.filter(pk=haircut.pk).update(is_active=False, stock=5)
    assert refusal(lambda: points_redeem(actor=volunteer, item=haircut))["item"]


def test_staff_cannot_redeem(tree, haircut):
    assert "holder" in refusal(lambda: points_redeem(actor=tree.people["community"], item=haircut))


def test_reversing_a_redemption_refunds_and_restocks(tree, earn, haircut, owner, committee):
    volunteer = tree.people["volunteer"]
    earn(points=60)
    redemption = points_redeem(actor=volunteer, item=haircut, quantity=2)
    assert haircut.stock == 0
    points_transaction_reverse(actor=tree.people["admin"], original=redemption, reason="服务未提供")
    haircut.refresh_from_db()
    assert haircut.stock == 2
    assert account_balance(account=account_of_person(person=volunteer)) == 60
