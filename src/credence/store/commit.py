"""Group commit: the small records that reads and decisions must leave, many callers per flush.

A caller hands a unit (a few INSERT statements) to ``GroupCommit.submit`` and waits. A journal thread takes
every unit queued meanwhile, checks each against its table (a unit the store would refuse fails alone and its
caller hears why), appends the rest to the journal (``store/journal.py``) with one flush to disk and wakes
their callers: the response is sent once its records are durable, and throughput is not one flush per
request. A store thread then moves the journaled units into DuckDB, many per transaction. So an answer never
waits for a DuckDB COMMIT, which DuckDB serialises: a provider's batch of a million events holds every other
commit for seconds while it commits. A process killed before its units reached the store leaves them in the
journal; the next open replays them (``replay``), each exactly once.

Readers of the tables units go to (``access_log``, ``decisions``, ...) see what was acknowledged before they
asked: ``Store.query`` and ``Store.scalar`` wait for the store thread (``settle``) when the query names a table
with units still on their way, and every write transaction waits for it before it begins.

The rows of one ``INSERT INTO t (cols) VALUES (?, ...)`` from all the units of a transaction go into the table
in one statement (a column of values each, unnested), so a transaction costs a handful of statements whatever
its size: each statement hands Python's GIL to DuckDB and back, and on a busy server every hand-back waits for
the event loop's thread. Other statements run once per unit.

From the event loop (the HTTP hot path, ``api/hot.py``): inside ``deferred(units)`` ``Store.append`` only
collects its units; the caller then awaits ``GroupCommit.commit(units)``, which wakes the loop once per
flush instead of parking a thread per request. Inside ``no_blocking()`` a store read raises ``WouldBlock``
instead of running on the loop's thread; the caller runs the work again in a worker thread.

The store thread does not take the store's writer lock: its transactions only append (DuckDB appends never
conflict with other transactions), so a long ingest does not hold up the access log of reads.

Erasure and the group commit: a unit about a subject names it (``Subject``: the id and its erasure pseudonym).
An erasure waits until every acknowledged unit is in the store, then holds the store thread's gate
(``paused``) for its whole transaction: a unit stored before the erasure began is seen and deleted by it, and
a unit stored after the erasure committed (a read that began before) is dropped when its subject has an
erasure record and is not registered again. So no row about an erased subject outlives its erasure in the
store; in the journal it lives until its segment is emptied, right after the unit is stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import duckdb

from credence.errors import DataError
from credence.store.journal import Journal, encode

MAX_UNITS = 1024  # units per journal flush, and per store transaction
STORE_LINGER = 0.05  # seconds the store thread gathers units for a transaction while no reader waits for them
Statements = list[tuple[str, list]]
log = logging.getLogger("credence.store")


@dataclass(frozen=True)
class Subject:
    """Whom a unit is about: the entity id and its erasure pseudonym (``erasures.subject_hash``)."""

    entity_id: str
    erasure_key: str

    @property
    def key(self) -> tuple[str, str]:
        return self.entity_id, self.erasure_key


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
    seq: int | None = None  # its journal record's
    record: bytes | None = None  # the record, once checked and encoded


# -- the writer ---------------------------------------------------------------------------------------------
class GroupCommit:
    """The group commit of one database file in this process (``shared``): a journal thread and a store thread,
    started on first use.

    The journal thread takes every unit queued meanwhile, checks each against its table (a unit the store
    would refuse fails alone, at once, and its caller hears why), appends the others to the journal with one
    flush to disk and wakes their callers: a unit is kept once it is acknowledged. The store thread moves the
    journaled units into DuckDB, many per transaction (the access log and decisions readers see). A store in
    memory has no journal: its units are acknowledged when checked and stored right after.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, journal: Journal | None = None):
        self._con = con
        self._journal = journal
        self._lock = threading.Lock()
        self._queued = threading.Condition(self._lock)  # units for the journal thread
        self._journaled = threading.Condition(self._lock)  # units for the store thread
        self._settled = threading.Condition(self._lock)  # units done (stored, dropped or refused)
        self._queue: list[_Unit] = []
        self._to_store: list[_Unit] = []
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._journal_ended = False
        self._settling = 0  # threads in settle(): the store thread does not linger
        self._gate = threading.Lock()  # held by each store transaction and by an erasure
        self._gate_owner: int | None = None
        self._submitted = 0  # units queued, ever
        self._done = 0  # of them: stored, dropped or refused
        self._seq = 1  # the next unit's journal seq
        self._replayed = False
        self._shapes: dict[str, _Shape] = {}
        self._columns: dict[str, str | None] = {}  # INSERT text -> its one-statement form (None: has none)
        self.tables: set[str] = set()  # the tables units were ever queued for
        self.users = 0  # Store objects sharing it
        self.commits = 0  # store transactions committed (for tests and benchmarks)
        self.units = 0  # units stored
        self.dropped = 0  # units dropped: about a subject erased meanwhile
        self.refused = 0  # units a store transaction refused after they were journaled (logged: a bug)
        self.replayed = 0  # units a replay at open moved from the journal into the store
        self.flushes = 0  # journal flushes (each acknowledges every unit it holds)

    # -- callers ----------------------------------------------------------------------------------------------
    def submit(self, statements: Statements, subject: Subject | None = None) -> None:
        """Queue one unit and return once it is kept (journaled), or raise why the store would refuse it."""
        unit = _Unit(list(statements), subject)
        self._enqueue([unit])
        unit.done.wait()
        if unit.error is not None:
            raise unit.error

    async def commit(self, units: list[tuple[Statements, Subject | None]]) -> None:
        """From an event loop: keep these units (each all or none) and return once all are kept, or raise the
        first one's error. The loop is woken once per journal flush, not once per unit."""
        if not units:
            return
        ticket = _Ticket(asyncio.get_running_loop(), len(units))
        self._enqueue([_Unit(list(s), subject, ticket) for s, subject in units])
        await ticket.future

    def settle(self) -> None:
        """Return once every unit acknowledged before this call is in the store (or dropped): what a reader of
        the access log or decisions waits for. Not inside an erasure, which settled before it began."""
        if self._gate_owner == threading.get_ident():
            return
        with self._lock:
            target = self._submitted
            self._settling += 1
            self._journaled.notify()  # the store thread stores what it has without lingering
            try:
                while self._done < target and self._threads:
                    self._settled.wait()
            finally:
                self._settling -= 1

    def pending(self, sql: str) -> bool:
        """Whether ``sql`` names a table with units acknowledged but not yet in the store."""
        return self._done < self._submitted and any(table in sql for table in self.tables)

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """No store transaction of the group commit runs while this is held (an erasure holds it)."""
        with self._gate:
            self._gate_owner = threading.get_ident()
            try:
                yield
            finally:
                self._gate_owner = None

    def _enqueue(self, units: list[_Unit]) -> None:
        for unit in units:
            for sql, _ in unit.statements:
                if sql not in _TABLES:
                    m = _INSERT_INTO.match(sql)
                    _TABLES[sql] = m.group(1).lower() if m else ""
                self.tables.add(_TABLES[sql])
            self._prepare(unit)
        with self._lock:
            if self._closed:
                raise RuntimeError("the store is closed")
            if not self._threads:
                self._threads = [
                    threading.Thread(target=self._run_journal, name="credence-journal", daemon=True),
                    threading.Thread(target=self._run_store, name="credence-group-commit", daemon=True),
                ]
                for thread in self._threads:
                    thread.start()
            self._queue.extend(units)
            self._submitted += len(units)
            self._queued.notify()

    # -- opening and closing ----------------------------------------------------------------------------------
    def replay(self) -> None:
        """Move what a process that did not close the store left in the journal into the store (once, at open):
        the records after the last seq the store holds, then empty the journal."""
        if self._replayed:
            return
        self._replayed = True
        if self._journal is None:
            return
        with contextlib.closing(self._con.cursor()) as cur:
            held = cur.execute("SELECT seq FROM journal_state").fetchone()[0]
            last, units = held, []
            for seq, (statements, subject) in self._journal.records():
                last = max(last, seq)
                if seq > held:
                    units.append(_Unit(statements, Subject(*subject) if subject else None, seq=seq))
            for start in range(0, len(units), MAX_UNITS):
                self._store(cur, units[start : start + MAX_UNITS])
        self._journal.reset()
        self._seq = last + 1
        self.replayed = len(units)

    def close(self) -> None:
        """Journal and store what is queued, then stop both threads and empty the journal."""
        with self._lock:
            self._closed = True
            self._queued.notify()
            threads = self._threads
        for thread in threads:
            thread.join()
        with self._lock:
            self._threads = []
            self._settled.notify_all()
            stored = self._done == self._submitted
        if self._journal is not None:
            self._journal.reset() if stored else self._journal.close()  # what is left is replayed at open
        with contextlib.suppress(duckdb.Error):
            self._con.close()

    # -- the journal thread -----------------------------------------------------------------------------------
    def _run_journal(self) -> None:
        cur = self._con.cursor()
        try:
            while True:
                with self._lock:
                    while not self._queue and not self._closed:
                        self._queued.wait()
                    if not self._queue:
                        return
                    batch, self._queue = self._queue[:MAX_UNITS], self._queue[MAX_UNITS:]
                self._keep(cur, batch)
        finally:
            cur.close()
            with self._lock:
                self._journal_ended = True
                self._journaled.notify()

    def _prepare(self, unit: _Unit, cur: duckdb.DuckDBPyConnection | None = None) -> None:
        """Check the unit against its tables and encode its journal record, or set its error. On the caller's
        thread (which holds the GIL anyway: the journal thread then only writes) once every statement's shape
        is known; else the journal thread does it with ``cur``, reading the shapes from the store."""
        try:
            for sql, params in unit.statements:
                if sql not in self._shapes:
                    if cur is None:
                        return
                    self._shapes[sql] = _shape(cur, sql, params)
                self._shapes[sql].check(params)
            unit.record = encode((unit.statements, None if unit.subject is None else list(unit.subject.key)))
        except Exception as e:  # noqa: BLE001 - handed to the caller, raised there
            unit.error = e

    def _keep(self, cur: duckdb.DuckDBPyConnection, batch: list[_Unit]) -> None:
        """Journal and acknowledge a batch; hand the kept units to the store thread."""
        kept, records = [], []
        for unit in batch:
            if unit.record is None and unit.error is None:
                self._prepare(unit, cur)
            if unit.error is not None:
                continue
            unit.seq = self._seq
            self._seq += 1
            kept.append(unit)
            records.append((unit.seq, unit.record))
        if records and self._journal is not None:
            self.flushes += 1
            try:
                self._journal.write(records)
            except OSError as e:  # the disk refused (full, gone): nothing was kept, every caller hears
                for unit in kept:
                    unit.error = e
                kept = []
        _wake(batch)
        with self._lock:
            self._to_store.extend(kept)
            self._done += len(batch) - len(kept)
            self._journaled.notify()
            self._settled.notify_all()

    # -- the store thread -------------------------------------------------------------------------------------
    def _run_store(self) -> None:
        cur = self._con.cursor()
        try:
            while True:
                with self._lock:
                    while not self._to_store and not self._journal_ended:
                        self._journaled.wait()
                    if not self._to_store:
                        return
                    # nobody waits for these rows: gather more for this transaction (fewer, larger ones)
                    until = time.monotonic() + STORE_LINGER
                    while len(self._to_store) < MAX_UNITS and not (self._journal_ended or self._settling):
                        if not self._journaled.wait(until - time.monotonic()) and time.monotonic() >= until:
                            break
                    batch, self._to_store = self._to_store[:MAX_UNITS], self._to_store[MAX_UNITS:]
                try:
                    self._store(cur, batch)
                except Exception:  # noqa: BLE001 - the units stay in the journal: the next open replays them
                    log.exception("the group commit could not store %d journaled units", len(batch))
                with self._lock:
                    self._done += len(batch)
                    self._settled.notify_all()
        finally:
            cur.close()

    def _store(self, cur: duckdb.DuckDBPyConnection, batch: list[_Unit]) -> None:
        """Store a batch in one transaction; when it fails, each unit alone (one the store refuses is logged
        with its rows and counted: it was checked before it was journaled, so that is a bug to look into)."""
        try:
            self._transaction(cur, batch)
        except Exception:
            for unit in batch:
                try:
                    self._transaction(cur, [unit])
                except Exception as e:  # noqa: BLE001 - logged: its caller was answered already
                    self.refused += 1
                    log.error("the store refused a journaled unit (%s): %s", e, encode((unit.statements, None)))
                    with contextlib.suppress(Exception):
                        self._transaction(cur, [], seq=unit.seq)  # move past it
        if self._journal is not None:
            self._journal.discard_through(batch[-1].seq)

    def _transaction(self, cur: duckdb.DuckDBPyConnection, batch: list[_Unit], seq: int | None = None) -> None:
        seq = batch[-1].seq if batch else seq
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
                if self._journal is not None and seq is not None:
                    cur.execute("UPDATE journal_state SET seq = ?", [seq])
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


def shared(key: str, connect: Callable[[], duckdb.DuckDBPyConnection], journal: str | None) -> GroupCommit:
    """The group commit of database file ``key`` in this process, made on first use (``connect`` gives it a
    connection of its own; ``journal`` the journal's directory, None for none); every Store opened on the file
    shares it, and ``release`` it when it closes."""
    with _SHARED_GUARD:
        group = _SHARED.get(key)
        if group is None:
            group = _SHARED[key] = GroupCommit(connect(), None if journal is None else Journal(journal))
        group.users += 1
        return group


def release(key: str, group: GroupCommit) -> None:
    """One Store less on the file: the last one closes its group commit (its queue journaled and stored)."""
    with _SHARED_GUARD:
        group.users -= 1
        if group.users:
            return
        _SHARED.pop(key, None)
    group.close()


def totals() -> dict[str, int]:
    """The counts of every group commit open in this process, summed (the server's metrics read them)."""
    with _SHARED_GUARD:
        groups = list(_SHARED.values())
    out = dict.fromkeys(("flushes", "commits", "units", "dropped", "refused", "replayed", "pending"), 0)
    for group in groups:
        for name in out:
            out[name] += group._submitted - group._done if name == "pending" else getattr(group, name)
    return out


_SHARED: dict[str, GroupCommit] = {}
_SHARED_GUARD = threading.Lock()


# -- what the store would refuse, checked before a unit is journaled ----------------------------------------
@dataclass(frozen=True)
class _Shape:
    """An INSERT's table, its number of values and, for a plain ``INSERT ... VALUES``, its columns as
    (name, type, nullable)."""

    table: str
    marks: int
    columns: tuple[tuple[str, str, bool], ...] = ()

    def check(self, params: list) -> None:
        if len(params) != self.marks:
            raise DataError(
                f"{len(params)} values for the {self.marks} places of an INSERT INTO {self.table}",
                record=self.table,
                fix="pass one value per column",
            )
        for (name, type_, nullable), value in zip(self.columns, params, strict=False):
            if value is None:
                if not nullable:
                    raise DataError(
                        f"{self.table}.{name} is NOT NULL and the row has no value for it",
                        record=self.table,
                        field=name,
                        fix=f"give {name} a value",
                    )
            elif not _fits(type_, value):
                raise DataError(
                    f"{self.table}.{name} is {type_}, not {type(value).__name__} ({value!r:.60})",
                    record=self.table,
                    field=name,
                    fix=f"pass {name} as a {type_} value",
                )


def _shape(cur: duckdb.DuckDBPyConnection, sql: str, params: list) -> _Shape:
    """What ``sql`` needs, read from the store once per statement text: a statement DuckDB cannot bind (no such
    table or column) raises here, before its unit is journaled."""
    marks, m = sql.count("?"), _PLAIN_INSERT.fullmatch(sql)
    table = _TABLES.get(sql, "")
    if m is None:
        cur.execute(f"EXPLAIN {sql}", params)
        return _Shape(table, marks)
    columns = [c.strip() for c in m.group(2).split(",")]
    described = {r[0]: (r[1], r[2] == "YES") for r in cur.execute(f"DESCRIBE {m.group(1)}").fetchall()}
    if len(columns) != marks or not all(c in described for c in columns):
        return _Shape(table, marks)
    return _Shape(table, marks, tuple((c, *described[c]) for c in columns))


_KINDS = {
    "VARCHAR": str,
    "BOOLEAN": bool,
    **dict.fromkeys(("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"), int),
    **dict.fromkeys(("FLOAT", "DOUBLE"), (int, float, Decimal)),
    **dict.fromkeys(("TIMESTAMP", "DATE"), (date, str)),  # a datetime is a date
}


def _fits(type_: str, value) -> bool:
    """Whether DuckDB takes ``value`` for a column of ``type_`` (types it has no rule for: yes)."""
    if type_.endswith("[]"):
        return isinstance(value, list | tuple)
    if type_.startswith("DECIMAL"):
        return isinstance(value, int | float | Decimal)
    kinds = _KINDS.get(type_)
    return kinds is None or isinstance(value, kinds)


_INSERT_INTO = re.compile(r"\s*INSERT INTO (\w+)", re.IGNORECASE)
_TABLES: dict[str, str] = {}  # INSERT text -> its table


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
