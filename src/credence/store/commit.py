"""Group commit: the small records that reads and decisions must leave, many callers per commit.

A caller hands a unit (a few INSERT statements, in no particular order: the rows of one statement from all
the units of a commit go in one ``executemany``) to ``GroupCommit.submit`` and waits; one writer thread
takes every unit queued meanwhile, runs them in one transaction and commits it (one WAL flush), then
wakes their callers. So a response is sent only after its record is durable, and throughput is not one
flush per request. A unit that fails is retried alone, so it fails alone; the others still commit.

The writer does not take the store's writer lock: its transactions only append (DuckDB appends never
conflict with other transactions), so a long ingest does not hold up the access log of reads.

Erasure and the group commit: a unit about a subject names it (``Subject``: the id and its erasure pseudonym).
An erasure holds the file's commit gate (``paused``) for its whole transaction, so no group commit runs
beside it: a unit committed before the erasure began is seen and deleted by it, and a unit whose turn comes
after the erasure committed (a read that began before) is dropped when its subject has an erasure record
and is not registered again. So no row about an erased subject outlives its erasure.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import duckdb

MAX_UNITS = 1024  # units per commit
# One gate per database file in this process: held by each group commit and by an erasure (every Store opened
# on the file shares it, as they share the writer lock).
_GATES: dict[str, threading.Lock] = {}
_GATES_GUARD = threading.Lock()


def gate(key: str) -> threading.Lock:
    with _GATES_GUARD:
        return _GATES.setdefault(key, threading.Lock())


@dataclass(frozen=True)
class Subject:
    """Whom a unit is about: the entity id and its erasure pseudonym (``erasures.subject_hash``)."""

    entity_id: str
    erasure_key: str


@dataclass
class _Unit:
    statements: list[tuple[str, list]]
    subject: Subject | None = None
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class GroupCommit:
    """One writer thread per store, started on first use."""

    def __init__(self, con: duckdb.DuckDBPyConnection, key: str = ""):
        self._con = con
        self._gate = gate(key)
        self._cond = threading.Condition()
        self._queue: list[_Unit] = []
        self._thread: threading.Thread | None = None
        self._closed = False
        self.commits = 0  # transactions committed (for tests and benchmarks)
        self.units = 0  # units committed
        self.dropped = 0  # units dropped: about a subject erased meanwhile

    def submit(self, statements: list[tuple[str, list]], subject: Subject | None = None) -> None:
        """Queue one unit and return once it is committed (or dropped: its subject was erased meanwhile), or
        raise its error."""
        unit = _Unit(list(statements), subject)
        with self._cond:
            if self._closed:
                raise RuntimeError("the store is closed")
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="credence-group-commit", daemon=True)
                self._thread.start()
            self._queue.append(unit)
            self._cond.notify()
        unit.done.wait()
        if unit.error is not None:
            raise unit.error

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """No group commit of this database file runs while this is held (an erasure holds it)."""
        with self._gate:
            yield

    def close(self) -> None:
        """Commit what is queued, then stop the writer."""
        with self._cond:
            self._closed = True
            self._cond.notify()
            thread = self._thread
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        cur = self._con.cursor()
        try:
            while True:
                with self._cond:
                    while not self._queue and not self._closed:
                        self._cond.wait()
                    if not self._queue:
                        return
                    batch, self._queue = self._queue[:MAX_UNITS], self._queue[MAX_UNITS:]
                self._commit(cur, batch)
        finally:
            cur.close()

    def _commit(self, cur: duckdb.DuckDBPyConnection, batch: list[_Unit]) -> None:
        try:
            self._transaction(cur, batch)
        except Exception:
            for unit in batch:  # isolate the failing unit: each alone
                try:
                    self._transaction(cur, [unit])
                except Exception as e:  # noqa: BLE001 - handed to the caller, raised there
                    unit.error = e
        for unit in batch:
            unit.done.set()

    def _transaction(self, cur: duckdb.DuckDBPyConnection, batch: list[_Unit]) -> None:
        with self._gate:
            cur.execute("BEGIN TRANSACTION")
            try:
                erased = _erased(cur, [u.subject for u in batch if u.subject is not None])
                kept = [u for u in batch if u.subject not in erased]
                same: dict[str, list] = {}  # the units' rows of one statement go in one executemany (~15x less CPU)
                for unit in kept:
                    for sql, params in unit.statements:
                        same.setdefault(sql, []).append(params)
                for sql, rows in same.items():
                    if len(rows) == 1:
                        cur.execute(sql, rows[0])
                    else:
                        cur.executemany(sql, rows)
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")
        self.commits += 1
        self.units += len(kept)
        self.dropped += len(batch) - len(kept)


def _erased(cur: duckdb.DuckDBPyConnection, subjects: list[Subject]) -> set[Subject]:
    """The subjects with an erasure record that are not registered again: one look at the (small) erasures
    table per commit; the entities are asked only about subjects found there."""
    if not subjects:
        return set()
    keys = sorted({s.erasure_key for s in subjects})
    found = {
        r[0]
        for r in cur.execute(
            "SELECT subject_hash FROM erasures WHERE list_contains(?, subject_hash)", [keys]
        ).fetchall()
    }
    if not found:
        return set()
    ids = sorted({s.entity_id for s in subjects if s.erasure_key in found})
    back = {
        r[0] for r in cur.execute("SELECT entity_id FROM entities WHERE list_contains(?, entity_id)", [ids]).fetchall()
    }
    return {s for s in subjects if s.erasure_key in found and s.entity_id not in back}
