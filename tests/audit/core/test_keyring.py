"""The key files: created once, private, never overwritten; earlier keys kept beside the current one."""

from __future__ import annotations

import stat

import pytest

from fuhe.audit.core.chain import key_fingerprint
from fuhe.audit.core.keyring import KeyFileError, key_create, key_promote, key_stage, keyring_load


def test_no_file_no_key(tmp_path):
    ring = keyring_load(tmp_path / "missing" / "audit.key")
    assert (ring.current_id, ring.keys) == ("", {})


def test_the_key_is_created_once_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "keys" / "audit.key"
    ring = key_create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(ring.keys[ring.current_id]) == 32
    assert ring.current_id == key_fingerprint(bytes.fromhex(path.read_text()))
    again = key_create(path)  # a second process at the same moment reads the first one's key
    assert again.current_id == ring.current_id
    assert [p.name for p in path.parent.iterdir()] == ["audit.key"]  # no temporary file left


def test_a_rotation_keeps_the_old_key_in_the_keyring(tmp_path):
    path = tmp_path / "audit.key"
    old = key_create(path)
    new_key = b"n" * 32
    staged = key_stage(path, new_key)
    assert staged.name == f"audit.key.{key_fingerprint(new_key)}"
    assert keyring_load(path).current_id == old.current_id  # staged: known, not yet current
    assert key_fingerprint(new_key) in keyring_load(path).keys
    key_promote(path, staged)
    ring = keyring_load(path)
    assert ring.current_id == key_fingerprint(new_key)
    assert set(ring.keys) == {old.current_id, ring.current_id}
    assert (tmp_path / f"audit.key.{old.current_id}").exists()
    assert stat.S_IMODE((tmp_path / f"audit.key.{old.current_id}").stat().st_mode) == 0o600


def test_a_file_that_is_not_a_key_is_named(tmp_path):
    path = tmp_path / "audit.key"
    path.write_text("not a key\n")
    with pytest.raises(KeyFileError, match=r"audit\.key: not an audit key \(expected 64 hex digits\)"):
        keyring_load(path)
