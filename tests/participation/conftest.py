"""Fixtures of the points-ledger tests: a key of their own, people who earn, an organisation that issues."""

from __future__ import annotations

import pytest

from fuhe.audit import services as audit_services
from fuhe.participation import rules
from fuhe.participation.models import RedemptionItem
from fuhe.participation.services import points_earning_post


@pytest.fixture(autouse=True)
def ledger_key_file(settings, tmp_path):
    """Each test signs the ledger (and the audit log) with a key of its own, never the data folder's."""
    settings.FUHE_AUDIT_KEY_FILE = tmp_path / "keys" / "audit.key"
    audit_services._signing = None
    yield settings.FUHE_AUDIT_KEY_FILE
    audit_services._signing = None


@pytest.fixture(autouse=True)
def _no_earning_checks():
    """No certification check is registered unless a test registers one."""
    saved = list(rules._earning_checks)
    rules._earning_checks.clear()
    yield
    rules._earning_checks[:] = saved


@pytest.fixture
def committee(tree):
    """The residents' committee that owns the task and issues its points."""
    return tree.units["花园路社区居委会"]


@pytest.fixture
def owner(tree):
    """The task's owner: a community worker acting for the committee."""
    return tree.people["community"]


@pytest.fixture
def earn(tree, committee, owner):
    """Post an earning counter-signed by the committee's community worker."""

    def _earn(person=None, points=10, reference="burden.task:1", **kwargs):
        return points_earning_post(
            actor=kwargs.pop("actor", owner),
            earner=person or tree.people["volunteer"],
            issuer=kwargs.pop("issuer", committee),
            points=points,
            reference=reference,
            task_owner=kwargs.pop("task_owner", owner),
            **kwargs,
        )

    return _earn


@pytest.fixture
def haircut(committee):
    return RedemptionItem.objects.create(name="理发服务", points=30, owner=committee, stock=2)
