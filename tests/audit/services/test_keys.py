"""The chain's key: created on first use outside the database, rotated with a sealed hand-over, looked up by id."""

from __future__ import annotations

import io
import stat

import pytest
from django.core.management import CommandError, call_command

from fuhe.audit import services
from fuhe.audit.core.chain import KEY_ROTATED, key_fingerprint
from fuhe.audit.core.keyring import keyring_load
from fuhe.audit.models import AuditChainHead, AuditEvent
from fuhe.audit.services import AuditKeyError, audit_key_rotate
from tests.audit.tampering import record, verify

pytestmark = pytest.mark.django_db


def rotate() -> str:
    out = io.StringIO()
    call_command("audit", "rotate-key", stdout=out)
    return out.getvalue()


def test_the_key_is_created_on_first_use_in_its_file_readable_by_the_owner_only(audit_key_file):
    assert not audit_key_file.exists()
    record(2)
    assert stat.S_IMODE(audit_key_file.stat().st_mode) == 0o600
    key_id = key_fingerprint(bytes.fromhex(audit_key_file.read_text()))
    assert set(AuditEvent.objects.values_list("key_id", flat=True)) == {key_id}
    assert AuditChainHead.objects.get().key_id == key_id


def test_a_rotation_signs_later_events_with_the_new_key_and_keeps_the_old_one(audit_key_file):
    record(2)
    old_id = keyring_load(audit_key_file).current_id
    printed = rotate()
    new_id = keyring_load(audit_key_file).current_id
    assert new_id != old_id
    assert f"audit key rotated: {old_id} → {new_id}" in printed
    assert (audit_key_file.parent / f"audit.key.{old_id}").exists()
    record(2)
    handover = AuditEvent.objects.get(seq=3)
    assert (handover.action, handover.key_id) == (KEY_ROTATED, new_id)
    assert handover.summary["old_key_id"] == old_id
    assert len(handover.summary["old_key_seal"]) == 64
    assert list(AuditEvent.objects.values_list("key_id", flat=True)) == [old_id, old_id, new_id, new_id, new_id]
    intact, out, err = verify()
    assert intact, err
    assert f"keys used: {old_id}, {new_id}" in out
    assert f"key {old_id}: #1–#2 (2)" in out
    assert f"key {new_id}: #3–#5 (3)" in out


def test_another_process_signing_with_the_old_key_picks_up_the_rotation(audit_key_file):
    record(1)
    stale = services._signing  # what a web worker holds in memory
    audit_key_rotate(actor=None)
    services._signing = stale
    record(1)  # the head names the new key: the worker reads the keyring again
    assert verify()[0]
    assert AuditEvent.objects.get(seq=3).key_id == keyring_load(audit_key_file).current_id


def test_a_rolled_back_rotation_leaves_the_key_and_the_keyring_as_they_were(audit_key_file, monkeypatch):
    record(1)
    before = sorted(p.name for p in audit_key_file.parent.iterdir())

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_append_locked", fail)
    with pytest.raises(RuntimeError):
        audit_key_rotate(actor=None)
    assert sorted(p.name for p in audit_key_file.parent.iterdir()) == before
    monkeypatch.undo()
    record(1)
    assert verify()[0]


def test_a_lost_key_is_reported_and_a_rotation_refused(audit_key_file):
    record(2)
    key_id = keyring_load(audit_key_file).current_id
    audit_key_file.unlink()
    services._signing = None
    intact, _out, err = verify()
    assert not intact
    assert f"event 1: signed with key {key_id}, which is not in the keyring" in err
    with pytest.raises(AuditKeyError, match=f"signed with key {key_id}, which is not in the keyring"):
        audit_key_rotate(actor=None)
    with pytest.raises(CommandError, match="restore that key file before rotating"):
        rotate()


def test_a_lost_current_key_does_not_stop_the_records_and_verify_names_the_change(audit_key_file, caplog):
    record(1)
    _old, new_id = audit_key_rotate(actor=None)
    audit_key_file.unlink()  # the new key is lost; the old one is still in the keyring
    services._signing = None
    record(1)  # the case intake goes on, signed with a key created afresh, and the error is logged
    assert f"audit chain head names key {new_id}, which is not in the keyring" in caplog.text
    third = keyring_load(audit_key_file).current_id
    assert AuditEvent.objects.get(seq=3).key_id == third
    intact, _out, err = verify()
    assert not intact
    assert f"event 2: signed with key {new_id}, which is not in the keyring" in err
    assert f"event 3: key changed from {new_id} to {third} without a rotation event" in err
