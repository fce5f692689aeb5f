"""Points accounts: residents, volunteers and organisations hold them; staff never do."""

from __future__ import annotations

import pytest
from django.utils import translation

from fuhe.audit.models import AuditEvent
from fuhe.participation.models import Account, AccountKind
from fuhe.participation.services import LedgerError, points_account_open

pytestmark = pytest.mark.django_db

STAFF = ["grid", "community", "dispatcher", "handler", "leader", "supervisor", "admin", "jz-dispatcher"]


@pytest.mark.parametrize("username", ["resident", "volunteer"])
def test_residents_and_volunteers_get_an_account_once_and_it_is_audited(tree, username):
    person = tree.people[username]
    account = points_account_open(actor=person, holder=person)
    assert account.kind == AccountKind.PERSON and account.person == person
    assert points_account_open(actor=person, holder=person) == account
    assert AuditEvent.objects.filter(action="participation.account_opened", object_id=str(account.pk)).count() == 1


def test_an_organisation_gets_an_account(tree):
    village = tree.units["西关村委会"]
    account = points_account_open(actor=tree.people["jz-dispatcher"], holder=village)
    assert account.kind == AccountKind.ORGANISATION and account.unit == village


@pytest.mark.parametrize("username", STAFF)
def test_staff_never_get_a_points_account_and_are_told_why(tree, username):
    with translation.override("en"), pytest.raises(LedgerError) as refused:
        points_account_open(actor=tree.people["admin"], holder=tree.people[username])
    message = refused.value.message_dict["holder"][0]
    assert "staff" in message and "2026 rules for government apps" in message
    assert not Account.objects.exists()


def test_a_resident_who_becomes_staff_is_refused(tree):
    from fuhe.accounts.models import Role, RoleAssignment

    resident = tree.people["resident"]
    RoleAssignment.objects.create(user=resident, role=Role.GRID_WORKER, region=tree.regions["花园路社区第1网格"])
    with pytest.raises(LedgerError):
        points_account_open(actor=resident, holder=resident)


def test_a_back_office_account_is_staff(tree):
    resident = tree.people["resident"]
    resident.is_staff = True
    with pytest.raises(LedgerError):
        points_account_open(actor=resident, holder=resident)
