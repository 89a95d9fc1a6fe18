"""Pseudonyms: keyed, per-workspace, so that no one without the bureau's key can link them back to ids.

A pseudonym is ``ps<version>:`` followed by 20 hex digits of HMAC-SHA256(key, "<role>:<name>"). Ids are short
and often sequential (P0000001...), so a plain hash is reversed by hashing every candidate id; a keyed hash is
not, as long as the key stays with the bureau. The key (256 random bits) lives in the workspace's keys directory (``ws.keys.dir``)
as ``pseudonym.key`` (mode 0600), never in the database, so a copy of the database or of an auditor's export
re-identifies no one.

Rotation (``rotate_key``) writes a new key with the next version and deletes the old one: pseudonyms made
afterwards cannot be linked to earlier ones by anyone, the bureau included. Rotate when the key may have
leaked, or at the end of an audit period (an auditor's joins across periods then stop working, by design).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from pathlib import Path

from credence.errors import ConfigError
from credence.workspace import Workspace

FILE = "pseudonym.key"


def key_path(ws: Workspace) -> Path:
    return ws.cached(("pseudonym_key_path", str(ws.config.get("keys_dir"))), lambda: ws.keys.dir / FILE)


def _write(path: Path, version: int, *, replace: bool = True) -> None:
    """Write a new key whole (a temporary file of this thread's own, then renamed). ``replace=False`` (the first
    key) keeps a key another thread or process wrote first: every pseudonym is made with one key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(f"{version}:{secrets.token_hex(32)}\n")
    if replace:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)  # fails when the key exists: the first writer's key stays
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)


def current_key(ws: Workspace) -> tuple[int, bytes]:
    """(version, key) of the workspace's pseudonym key, creating version 1 on first use. The file is looked at
    again at most once a second (every served read asks; a rotation in this process is seen at once)."""
    path = key_path(ws)
    now = time.monotonic()
    seen = _SEEN.get(str(path))
    if seen is not None and now - seen[0] < RECHECK:
        return seen[1]
    if not path.exists():
        _write(path, 1, replace=False)
    st = path.stat()
    value = ws.cached(("pseudonym_key", str(path), st.st_mtime_ns, st.st_ino, st.st_size), lambda: _read(path))
    _SEEN[str(path)] = (now, value)
    return value


RECHECK = 1.0  # seconds
_SEEN: dict[str, tuple[float, tuple[int, bytes]]] = {}  # key file -> (when looked at, its key)


def _read(path: Path) -> tuple[int, bytes]:
    try:
        version, hexkey = path.read_text().strip().split(":", 1)
        return (int(version), bytes.fromhex(hexkey))
    except ValueError:
        raise ConfigError(f"{path} is damaged", fix="restore it from a backup, or rotate it") from None


def pseudonym(ws: Workspace, name: str | None, role: str = "entity") -> str | None:
    """The pseudonym of principal (``role``, ``name``); None stays None."""
    if name is None:
        return None
    version, key = current_key(ws)
    digest = hmac.new(key, f"{role}:{name}".encode(), hashlib.sha256).hexdigest()[:20]
    return f"ps{version}:{digest}"


def rotate_key(ws: Workspace) -> int:
    """Replace the key with a new one (next version); returns the new version."""
    version, _ = current_key(ws)
    _write(key_path(ws), version + 1)
    _SEEN.pop(str(key_path(ws)), None)
    return version + 1
