"""Compiled SQL kept on disk between processes.

SQLGlot takes a second or more to build and print a population query, and a short-lived process (``credence
show``) needs it only to check that the served table was made by the same statement. The text is stored under
a key of everything it is made of: the caller's content (cards and catalogue), the SQLGlot version and the
source of the packages that write SQL (``credence.sql``, ``credence.domain``, ``credence.services``). A file
that is missing, unreadable or malformed is rebuilt; a folder that cannot be written is not an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

PACKAGES = ("sql", "domain", "services")


@lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of the code that writes SQL (read once per process)."""
    from importlib.metadata import version  # not ``sqlglot.__version__``: importing SQLGlot takes ~0.5 s

    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(version("sqlglot").encode())
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def cached(folder: Path | None, content: str, build: Callable[[], dict[str, str]]) -> dict[str, str]:
    """``build()`` (named SQL texts), or the same texts stored in ``folder`` under ``content``'s key."""
    if folder is None:
        return build()
    path = folder / f"{hashlib.sha256((content + code_version()).encode()).hexdigest()[:32]}.json"
    with contextlib.suppress(OSError, ValueError):
        stored = json.loads(path.read_text())
        if isinstance(stored, dict) and all(isinstance(v, str) for v in stored.values()):
            return stored
    texts = build()
    with contextlib.suppress(OSError):
        folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder.mkdir(exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "w") as f:
            json.dump(texts, f)
        os.replace(tmp, path)  # atomic: a concurrent reader sees the old file or the new one
    return texts
