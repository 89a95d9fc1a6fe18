"""Group commit: the small records that reads and decisions must leave, many callers per commit.

A caller hands a unit (a few INSERT statements) to ``GroupCommit.submit`` and waits; one writer thread
takes every unit queued meanwhile, runs them in one transaction and commits it (one WAL flush), then
wakes their callers. So a response is sent only after its record is durable, and throughput is not one
flush per request. A unit that fails is retried alone, so it fails alone; the others still commit.

The rows of one ``INSERT INTO t (cols) VALUES (?, ...)`` from all the units of a commit go into the table in
one statement (a column of values each, unnested), so a commit costs a handful of statements whatever its
size: each statement hands Python's GIL to DuckDB and back, and on a busy server every hand-back waits for
the event loop's thread. Other statements run once per unit.

From the event loop (the HTTP hot path, ``api/hot.py``): inside ``deferred(units)`` ``Store.append`` only
collects its units; the caller then awaits ``GroupCommit.commit(units)``, which wakes the loop once per
commit instead of parking a thread per request. Inside ``no_blocking()`` a store read raises
``WouldBlock`` instead of running on the loop's thread; the caller runs the work again in a worker thread.

The writer does not take the store's writer lock: its transactions only append (DuckDB appends never
conflict with other transactions), so a long ingest does not hold up the access log of reads.

Erasure and the group commit: a unit about a subject names it (``Subject``: the id and its erasure pseudonym).
An erasure holds the file's commit gate (``paused``) for its whole transaction, so no group commit runs
beside it: a unit committed before the erasure began is seen and deleted by it, and a unit whose turn comes
after the erasure committed (a read that began before) is dropped when its subject has an erasure record
and is not registered again. So no row about an erased subject outlives its erasure.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field

import duckdb

MAX_UNITS = 1024  # units per commit
# One gate per database file in this process: held by each group commit and by an erasure (every Store opened
# on the file shares it, as they share the writer lock).
_GATES: dict[str, threading.Lock] = {}
_GATES_GUARD = threading.Lock()
Statements = list[tuple[str, list]]


def gate(key: str) -> threading.Lock:
    with _GATES_GUARD:
        return _GATES.setdefault(key, threading.Lock())


@dataclass(frozen=True)
class Subject:
    """Whom a unit is about: the entity id and its erasure pseudonym (``erasures.subject_hash``)."""

    entity_id: str
    erasure_key: str


# -- the event loop's side ----------------------------------------------------------------------------------
class WouldBlock(BaseException):  # noqa: N818 - a signal, not an error
    """A store read tried inside ``no_blocking()`` (on the event loop): run the work in a thread instead.

    A ``BaseException``, so no ``except Exception`` between the read and the hot path swallows it."""


_DEFERRED: ContextVar[list | None] = ContextVar("credence_deferred_units", default=None)
_NO_BLOCKING: ContextVar[bool] = ContextVar("credence_no_blocking", default=False)


@contextlib.contextmanager
def deferred(units: list) -> Iterator[list]:
    """Inside this ``Store.append`` commits nothing and returns at once: its units are added to ``units``
    (``(statements, subject)`` pairs) for the caller to commit with ``GroupCommit.commit`` before it answers."""
    token = _DEFERRED.set(units)
    try:
        yield units
    finally:
        _DEFERRED.reset(token)


def deferring() -> list | None:
    """The list ``Store.append`` adds its units to, or None (commit them now)."""
    return _DEFERRED.get()


@contextlib.contextmanager
def no_blocking() -> Iterator[None]:
    """Inside this a store read raises ``WouldBlock`` (``Store.reader``, ``cursor``, ``transaction``)."""
    token = _NO_BLOCKING.set(True)
    try:
        yield
    finally:
        _NO_BLOCKING.reset(token)


def may_block() -> None:
    """Raise ``WouldBlock`` inside ``no_blocking()``."""
    if _NO_BLOCKING.get():
        raise WouldBlock


class _Ticket:
    """The units of one ``commit`` call: its future is set on the loop once the last of them is done."""

    def __init__(self, loop: asyncio.AbstractEventLoop, count: int):
        self.loop = loop
        self.future: asyncio.Future = loop.create_future()
        self.left = count
        self.error: BaseException | None = None

    def settle(self) -> None:  # on the loop
        if not self.future.done():
            if self.error is not None:
                self.future.set_exception(self.error)
            else:
                self.future.set_result(None)


@dataclass
class _Unit:
    statements: Statements
    subject: Subject | None = None
    ticket: _Ticket | None = None
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


# -- the writer ---------------------------------------------------------------------------------------------
class GroupCommit:
    """One writer thread per store, started on first use."""

    def __init__(self, con: duckdb.DuckDBPyConnection, key: str = ""):
        self._con = con
        self._gate = gate(key)
        self._cond = threading.Condition()
        self._queue: list[_Unit] = []
        self._thread: threading.Thread | None = None
        self._closed = False
        self._columns: dict[str, str | None] = {}  # INSERT text -> its one-statement form (None: has none)
        self.commits = 0  # transactions committed (for tests and benchmarks)
        self.units = 0  # units committed
        self.dropped = 0  # units dropped: about a subject erased meanwhile

    def submit(self, statements: Statements, subject: Subject | None = None) -> None:
        """Queue one unit and return once it is committed (or dropped: its subject was erased meanwhile), or
        raise its error."""
        unit = _Unit(list(statements), subject)
        self._enqueue([unit])
        unit.done.wait()
        if unit.error is not None:
            raise unit.error

    async def commit(self, units: list[tuple[Statements, Subject | None]]) -> None:
        """From an event loop: commit these units (each all or none) and return once all are committed, or
        raise the first one's error. The loop is woken once per group commit, not once per unit."""
        if not units:
            return
        ticket = _Ticket(asyncio.get_running_loop(), len(units))
        self._enqueue([_Unit(list(s), subject, ticket) for s, subject in units])
        await ticket.future

    def _enqueue(self, units: list[_Unit]) -> None:
        with self._cond:
            if self._closed:
                raise RuntimeError("the store is closed")
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="credence-group-commit", daemon=True)
                self._thread.start()
            self._queue.extend(units)
            self._cond.notify()

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
        _wake(batch)

    def _transaction(self, cur: duckdb.DuckDBPyConnection, batch: list[_Unit]) -> None:
        with self._gate:
            cur.execute("BEGIN TRANSACTION")
            try:
                erased = _erased(cur, [u.subject for u in batch if u.subject is not None])
                kept = [u for u in batch if u.subject not in erased]
                same: dict[str, list] = {}  # the units' rows of one statement, in order
                for unit in kept:
                    for sql, params in unit.statements:
                        same.setdefault(sql, []).append(params)
                for sql, rows in same.items():
                    self._insert(cur, sql, rows)
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")
        self.commits += 1
        self.units += len(kept)
        self.dropped += len(batch) - len(kept)

    def _insert(self, cur: duckdb.DuckDBPyConnection, sql: str, rows: list[list]) -> None:
        """Run ``sql`` for every row: as one statement when it is a plain INSERT ... VALUES (?, ...)."""
        if len(rows) == 1:
            cur.execute(sql, rows[0])
            return
        if sql not in self._columns:
            self._columns[sql] = _unnested(cur, sql)
        one = self._columns[sql]
        if one is None:
            cur.executemany(sql, rows)
        else:
            cur.execute(one, [list(column) for column in zip(*rows, strict=True)])


_PLAIN_INSERT = re.compile(r"\s*INSERT INTO (\w+) \(([\w, ]+)\) VALUES \((\?(?:, \?)*)\)\s*", re.IGNORECASE)
_LIST_SAFE = re.compile(r"^[A-Z]+(\(\d+(, ?\d+)?\))?(\[\])?$")  # VARCHAR, TIMESTAMP, DECIMAL(9,2), VARCHAR[]


def _unnested(cur: duckdb.DuckDBPyConnection, sql: str) -> str | None:
    """``INSERT INTO t (a, b) VALUES (?, ?)`` as ``INSERT INTO t (a, b) SELECT unnest(?::A[]), unnest(?::B[])``
    (one list per column, in row order), or None when ``sql`` is not of that form or a column's type is not a
    plain one."""
    m = _PLAIN_INSERT.fullmatch(sql)
    if m is None:
        return None
    table, columns = m.group(1), [c.strip() for c in m.group(2).split(",")]
    if len(columns) != m.group(3).count("?"):
        return None
    types = {r[0]: r[1] for r in cur.execute(f"DESCRIBE {table}").fetchall()}
    if not all(c in types and _LIST_SAFE.match(types[c]) for c in columns):
        return None
    select = ", ".join(f"unnest(?::{types[c]}[])" for c in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select}"


def _wake(batch: list[_Unit]) -> None:
    """Wake the units' callers: threads one by one, each event loop once with all its finished tickets."""
    ready: dict[asyncio.AbstractEventLoop, list[_Ticket]] = {}
    for unit in batch:
        ticket = unit.ticket
        if ticket is None:
            unit.done.set()
            continue
        if unit.error is not None and ticket.error is None:
            ticket.error = unit.error
        ticket.left -= 1
        if ticket.left == 0:
            ready.setdefault(ticket.loop, []).append(ticket)
    for loop, tickets in ready.items():
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody waits any more
            loop.call_soon_threadsafe(_settle, tickets)


def _settle(tickets: list[_Ticket]) -> None:
    for ticket in tickets:
        ticket.settle()


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
