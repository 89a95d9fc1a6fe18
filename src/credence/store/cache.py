"""Values read from the store, kept until the next committed write: the HTTP hot path's keys and grants.

``Store.generation`` counts the write transactions this process committed to a database file (DuckDB lets
one process write it, and ``credence serve`` runs CLI commands in-process, so every write a reader can see
moves it). A value is stored with the generation read *before* it was computed, so a write that commits
meanwhile makes it stale at once. The group-committed access log and decisions do not move the generation;
they are not cached. Without a generation (an in-memory store, or a store that does not count) nothing is
kept.

Topics: a write transaction may name what it changes (``Store.transaction(touches=...)``); a cache with a
topic then stays valid across writes that do not name it. An ingest names ``INGEST``; the hot path's
caches of keys, grants, webhook subscriptions and score histories (snapshots: a scoring run) are not among
them, so a provider's file does not send every read back to the store.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")

KEYS, GRANTS, WEBHOOKS, ENTITIES, HISTORY = "keys", "grants", "webhooks", "entities", "history"
INGEST = frozenset({"events", ENTITIES, "providers", "scores"})  # what an ingest batch may change


class GenerationCache:
    """A bounded map of ``key -> value`` per database file, valid while its write generation stands: every
    write's, or with a ``topic`` the generation of the writes that may change it (``Store.generation_of``:
    an ingest, which names what it changes, keeps cached keys and grants)."""

    def __init__(self, maxsize: int = 65536, topic: str | None = None):
        self.maxsize = maxsize
        self.topic = topic
        self._data: dict[tuple, tuple[int, object]] = {}
        self._guard = threading.Lock()
        self.hits = self.misses = 0

    def get(self, store, key: Hashable, compute: Callable[[], T]) -> T:
        path = str(getattr(store, "path", ":memory:"))
        if self.topic is not None and hasattr(store, "generation_of"):
            generation = store.generation_of(self.topic)
        else:  # every write moves it (a store that knows no topics: the conservative answer)
            generation = getattr(store, "generation", None)
        if generation is None or path == ":memory:":
            return compute()
        k = (_realpath(path), key)
        hit = self._data.get(k)
        if hit is not None and hit[0] == generation:
            self.hits += 1
            return hit[1]  # type: ignore[return-value]
        self.misses += 1
        value = compute()
        with self._guard:
            if len(self._data) >= self.maxsize:
                self._data.clear()
            self._data[k] = (generation, value)
        return value


@functools.lru_cache(maxsize=64)
def _realpath(path: str) -> str:
    """The file a store path names (resolved once: it was a tenth of a served read's CPU)."""
    return os.path.realpath(path)
