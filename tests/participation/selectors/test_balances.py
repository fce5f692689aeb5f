"""Balances derived from entries (latest checkpoint + entries after it), statements, scoped access."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Sum
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from fuhe.participation.models import Account, Entry
from fuhe.participation.selectors import (
    account_balance,
    account_get,
    account_of_person,
    account_of_unit,
    account_statement,
    ledger_head,
    redemption_items_available,
)
from fuhe.participation.services import ledger_checkpoint, points_redeem, points_transaction_reverse

from ..tampering import raw

pytestmark = pytest.mark.django_db


def entries_sum(account) -> int:
    return Entry.objects.filter(account=account).aggregate(total=Sum("amount"))["total"] or 0


def test_the_balance_is_the_checkpoint_plus_the_entries_after_it(tree, earn, committee):
    volunteer = tree.people["volunteer"]
    earn(points=10, reference="a")
    ledger_checkpoint()
    earn(points=4, reference="b")
    account = account_of_person(person=volunteer)
    assert account_balance(account=account) == 14 == entries_sum(account)
    assert account_balance(account=account_of_unit(unit=committee)) == -14
    # the read starts from the checkpoint: an entry before it, rewritten behind the ledger's back, is not summed
    raw("UPDATE participation_entry SET amount = 1000 WHERE seq = 2")
    assert account_balance(account=account) == 14 != entries_sum(account)


def test_a_balance_read_is_one_query_whatever_the_ledger_size(tree, earn):
    for n in range(5):
        earn(points=1, reference=f"r{n}")
    ledger_checkpoint()
    account = account_of_person(person=tree.people["volunteer"])
    with CaptureQueriesContext(connection) as queries:
        assert account_balance(account=account) == 5
    assert len(queries) == 1


def test_an_account_without_entries_has_a_zero_balance(tree, earn):
    earn()
    ledger_checkpoint()
    other = Account.objects.create(kind="person", person=tree.people["resident"])
    assert account_balance(account=other) == 0


def test_the_statement_pages_newest_first_with_the_balance_after_each_line(tree, earn, owner, haircut):
    volunteer = tree.people["volunteer"]
    first = earn(points=20, reference="t1")
    earn(points=40, reference="t2")
    ledger_checkpoint()
    points_redeem(actor=volunteer, item=haircut)
    points_transaction_reverse(actor=owner, original=first, reason="更正")
    account = account_of_person(person=volunteer)
    page1 = account_statement(account=account, page=1, per_page=3)
    page2 = account_statement(account=account, page=2, per_page=3)
    assert page1.balance == 20 + 40 - 30 - 20 == 10
    assert [(line.kind, line.amount, line.balance_after) for line in page1.lines] == [
        ("reversal", -20, 10),
        ("redemption", -30, 30),
        ("earning", 40, 60),
    ]
    assert [(line.kind, line.amount, line.balance_after) for line in page2.lines] == [("earning", 20, 20)]
    assert page1.has_next and not page1.has_previous and page2.has_previous and page1.total_lines == 4
    assert account_statement(account=account, page="junk", per_page=3).number == 1


def test_an_account_is_seen_by_its_holder_and_staff_in_scope_only(tree, earn, committee):
    earn()
    account = account_of_person(person=tree.people["volunteer"])
    assert account_get(user=tree.people["volunteer"], account_id=account.pk) == account
    assert account_get(user=tree.people["community"], account_id=account.pk) == account
    for outsider in ("resident", "jz-dispatcher"):
        with pytest.raises(Http404):
            account_get(user=tree.people[outsider], account_id=account.pk)
    with pytest.raises(Http404):
        account_get(user=tree.people["volunteer"], account_id=account.pk + 999)
    organisation = account_of_unit(unit=committee)
    assert account_get(user=tree.people["community"], account_id=organisation.pk) == organisation
    with pytest.raises(Http404):
        account_get(user=tree.people["volunteer"], account_id=organisation.pk)


def test_the_catalogue_lists_active_items_with_stock(haircut, committee):
    from fuhe.participation.models import RedemptionItem

    RedemptionItem.objects.create(name="停用", points=5, owner=committee, stock=3, is_active=False)
    RedemptionItem.objects.create(name="售罄", points=5, owner=committee, stock=0)
    assert [item.name for item in redemption_items_available()] == ["理发服务"]


def test_the_head_names_the_last_entry(earn):
    assert ledger_head()[0] == 0
    earn()
    assert ledger_head() == (2, Entry.objects.get(seq=2).hash)
