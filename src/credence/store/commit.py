"""Group commit: the small records that reads and decisions must leave, many callers per commit.

A caller hands a unit (a few INSERT statements, in no particular order: the rows of one statement from all
the units of a commit go in one ``executemany``) to ``GroupCommit.submit`` and waits; one writer thread
takes every unit queued meanwhile, runs them in one transaction and commits it (one WAL flush), then
wakes their callers. So a response is sent only after its record is durable, and throughput is not one
flush per request. A unit that fails is retried alone, so it fails alone; the others still commit.

The writer does not take the store's writer lock: its transactions only append (DuckDB appends never
conflict with other transactions), so a long ingest does not hold up the access log of reads.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import duckdb

MAX_UNITS = 1024  # units per commit


@dataclass
class _Unit:
    statements: list[tuple[str, list]]
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class GroupCommit:
    """One writer thread per store, started on first use."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._con = con
        self._cond = threading.Condition()
        self._queue: list[_Unit] = []
        self._thread: threading.Thread | None = None
        self._closed = False
        self.commits = 0  # transactions committed (for tests and benchmarks)
        self.units = 0  # units committed

    def submit(self, statements: list[tuple[str, list]]) -> None:
        """Queue one unit and return once it is committed (or raise its error)."""
        unit = _Unit(list(statements))
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
        same: dict[str, list] = {}  # the units' rows of one statement go in one executemany (~15x less CPU)
        for unit in batch:
            for sql, params in unit.statements:
                same.setdefault(sql, []).append(params)
        cur.execute("BEGIN TRANSACTION")
        try:
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
        self.units += len(batch)
