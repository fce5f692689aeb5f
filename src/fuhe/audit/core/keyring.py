"""The audit chain's keys, kept in files outside the database (framework-free).

The current key is one file (``FUHE_AUDIT_KEY_FILE``, by default ``<data folder>/audit.key``); every earlier key
stays beside it as ``audit.key.<key id>`` so the events it signed can still be verified. A key file holds 64 hex
digits (32 random bytes) and is readable by its owner only (mode 0600). Nothing here deletes a key: losing one
makes every event it signed unverifiable.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fuhe.audit.core.chain import key_fingerprint

KEY_BYTES = 32


class KeyFileError(RuntimeError):
    """A key file that cannot be read as a key (the message names the file and why)."""


@dataclass(frozen=True)
class Keyring:
    path: Path  # the current key's file
    current_id: str  # "" when there is no current key yet
    keys: dict[str, bytes]  # key id → key, the current one and every earlier one

    def key(self, key_id: str) -> bytes | None:
        return self.keys.get(key_id)


def read_key(path: Path) -> bytes:
    text = path.read_text(encoding="ascii", errors="replace").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise KeyFileError(f"{path}: not an audit key (expected {2 * KEY_BYTES} hex digits)")
    return key


def keyring_load(path: Path) -> Keyring:
    """The keys in ``path`` and its ``<name>.<key id>`` siblings; creates nothing."""
    keys: dict[str, bytes] = {}
    current_id = ""
    if path.parent.is_dir():
        for sibling in sorted(path.parent.glob(f"{path.name}.*")):
            if sibling.suffix == ".tmp":
                continue
            key = read_key(sibling)
            keys[key_fingerprint(key)] = key
    if path.exists():
        key = read_key(path)
        current_id = key_fingerprint(key)
        keys[current_id] = key
    return Keyring(path=path, current_id=current_id, keys=keys)


def _write_private(directory: Path, key: bytes) -> Path:
    """A new file in ``directory`` holding ``key``, mode 0600 from its creation on, flushed to disk."""
    directory.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=directory, prefix=".audit-key-", suffix=".tmp")  # mode 0600
    try:
        with os.fdopen(handle, "w", encoding="ascii") as file:
            file.write(key.hex() + "\n")
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        os.unlink(name)
        raise
    return Path(name)


def key_create(path: Path) -> Keyring:
    """The keyring with a current key: a new random one written to ``path`` unless a key is there already (another
    process may create it at the same moment: the first link wins, the others read it)."""
    temporary = _write_private(path.parent, secrets.token_bytes(KEY_BYTES))
    try:
        os.link(temporary, path)  # fails if the file exists: never overwrites a key
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return keyring_load(path)


def key_stage(path: Path, key: bytes) -> Path:
    """Put ``key`` in the keyring beside ``path`` (``<name>.<key id>``) without making it the current key."""
    staged = path.with_name(f"{path.name}.{key_fingerprint(key)}")
    temporary = _write_private(path.parent, key)
    os.replace(temporary, staged)
    return staged


def key_promote(path: Path, staged: Path) -> None:
    """Make the staged key the current one; the current key stays in the keyring as ``<name>.<key id>``."""
    if path.exists():
        old = read_key(path)
        kept = path.with_name(f"{path.name}.{key_fingerprint(old)}")
        if not kept.exists():
            os.replace(_write_private(path.parent, old), kept)
    os.replace(staged, path)
