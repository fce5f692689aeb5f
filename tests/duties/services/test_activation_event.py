"""Activating a duty list tells routing to retrain (through the event bus), unless the caller trains itself."""

from __future__ import annotations

import pytest

from fuhe.duties.services import duty_list_activate
from tests.duties.factories import make_list

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("retrain", [True, False])
def test_activation_retrains_routing_after_the_commit_only_when_asked(tree, monkeypatch, retrain):
    calls: list[str] = []
    monkeypatch.setattr("fuhe.routing.tasks.routing_retrain", lambda *a, **k: calls.append("retrain"))
    draft = make_list(tree, activate=False)
    duty_list_activate(actor=None, duty_list=draft, retrain=retrain)
    assert calls == (["retrain"] if retrain else [])
