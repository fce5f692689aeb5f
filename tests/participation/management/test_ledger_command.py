"""`fuhe ledger verify | checkpoint` as an operator runs them."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from fuhe.participation.models import Checkpoint, Entry
from fuhe.participation.tasks import checkpoint_nightly

from ..tampering import raw

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[bool, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ledger", *args, stdout=out, stderr=err)
    except CommandError as error:
        return False, out.getvalue(), err.getvalue() + str(error)
    return True, out.getvalue(), err.getvalue()


def test_verify_prints_the_head_and_the_count(earn):
    earn()
    earn(reference="burden.task:2")
    intact, out, _err = run("verify")
    assert intact
    assert f"head: 4:{Entry.objects.get(seq=4).hash}" in out
    assert "entries: 4, transactions: 2, checkpoints: 0" in out and "ok" in out


def test_verify_fails_with_the_first_broken_entry(earn):
    earn()
    earn(reference="burden.task:2")
    raw("UPDATE participation_entry SET amount = -99 WHERE seq = 3")
    intact, _out, err = run("verify")
    assert not intact
    assert "first broken at entry 3" in err and "entry 3: content does not match its hash" in err


def test_the_command_exits_non_zero_on_a_break(earn, capsys):
    from fuhe.cli import main

    earn()
    raw("DELETE FROM participation_entry WHERE seq = 2")
    with pytest.raises(SystemExit) as exited:
        main(["ledger", "verify"])
    assert exited.value.code != 0


def test_checkpoint_seals_the_balances_once_per_head(earn):
    earn()
    intact, out, _ = run("checkpoint")
    assert intact and "checkpoint sealed after entry 2" in out
    assert run("checkpoint")[1].startswith("nothing to seal")
    earn(reference="burden.task:2")
    assert checkpoint_nightly.call_local() == 4
    assert list(Checkpoint.objects.values_list("seq", flat=True)) == [2, 4]
    assert "checkpoints: 2" in run("verify")[1]
