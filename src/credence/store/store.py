"""Connection to a workspace's DuckDB file, schema migration and all-or-nothing batches.

Reads run in parallel: each thread reads through its own DuckDB cursor (DuckDB's rule: one cursor per
thread), with no store-wide lock. Writes are serialised by one writer lock; the records a read must leave
(the access log, a decision) go through the group commit (``store/commit.py``), many requests per commit.

Opening a file that a killed process left with a write-ahead log checkpoints it at once (:func:`_checkpoint_left_wal`):
DuckDB 1.4-1.5 replays the log into its indexes lazily, and a process that then closes without using an index
writes that index out without the replayed rows (duckdb/duckdb#23788): equality lookups silently miss them.
"""

from __future__ import annotations

import contextlib
import os
import threading
import weakref
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

import duckdb

from credence.errors import ConfigError, CredenceError, StoreBusy
from credence.store import commit
from credence.store.commit import Subject, deferring, may_block
from credence.store.holder import lock_holder_message
from credence.store.schema import MIGRATIONS, SCHEMA_VERSION

BeforeCommit = Callable[[duckdb.DuckDBPyConnection], None]

# Committed write transactions per database file in this process. DuckDB lets one process write a file
# (and shares one database between the connections a process opens to it), so this counts every write a
# reader can see: a cache keyed by it (``services/serving.py``) knows when to look again.
_GENERATIONS: dict[str, int] = {}
# Of them, per database file: the writes that did not say what they change (they move every topic), and per
# topic the writes that named it (``transaction(touches=...)``): an ingest does not invalidate cached keys.
_UNSCOPED: dict[str, int] = {}
_TOPICS: dict[str, dict[str, int]] = {}
# One writer lock per database file in this process: every Store object opened on the same file (a served
# workspace and a command run inside the server) writes one transaction at a time.
_WRITE_LOCKS: dict[str, threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()
# Store objects open on each database file in this process: the first one opens DuckDB's database (and replays
# a log left behind); the others share it.
_OPEN: dict[str, int] = {}


class Store:
    """The embedded store. ``Store(":memory:")`` works for tests.

    Use ``with store.transaction() as con:`` for anything that writes: a batch is committed whole or not
    at all (DuckDB's own transaction; a kill mid-way leaves the WAL to roll back). ``before_commit`` hooks
    run inside every such transaction, just before its COMMIT (the serving layer re-scores there).
    ``append`` commits small records (access log, decisions) in groups shared by concurrent callers.
    """

    def __init__(self, path: str | Path, *, read_only: bool = False):
        self.path = str(path)
        self._key = os.path.realpath(self.path) if self.path != ":memory:" else f":memory:{id(self)}"
        # a log, and no Store of this process on the file: a process that did not close it left the log
        left_wal = not read_only and not _OPEN.get(self._key) and os.path.exists(self.path + ".wal")
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as e:
            held = lock_holder_message(self.path, str(e))
            if held:
                raise StoreBusy(held[0], fix=held[1]) from None
            raise ConfigError(f"cannot open the store {self.path}: {e}", fix="check the workspace path") from None
        with _LOCKS_GUARD:
            _OPEN[self._key] = _OPEN.get(self._key, 0) + 1
            self._open = True
            _GENERATIONS.setdefault(self._key, 0)
            self._lock = _WRITE_LOCKS.setdefault(self._key, threading.RLock())  # the one writer at a time
        self._local = threading.local()  # each thread's read cursor
        self._cursors: weakref.WeakSet = weakref.WeakSet()
        self.before_commit: list[BeforeCommit] = []
        journal = None if read_only or self.path == ":memory:" else self.path + ".journal"
        self.group = commit.shared(
            self._key, (lambda: duckdb.connect(self.path)) if journal else self.con.cursor, journal
        )
        if left_wal:
            _checkpoint_left_wal(self.con)
        if not read_only:
            self.migrate()
        self.group.replay()  # what a killed process left in the journal (once per file and process)

    # -- schema -----------------------------------------------------------
    def schema_version(self) -> int:
        with contextlib.closing(self.con.cursor()) as cur:  # its own cursor: /v1/health asks from many threads
            exists = cur.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
            ).fetchone()[0]
            if not exists:
                return 0
            return cur.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]

    def migrate(self) -> None:
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise ConfigError(
                f"the store {self.path} has schema version {current}, newer than this Credence ({SCHEMA_VERSION})",
                fix="upgrade Credence",
            )
        if current == SCHEMA_VERSION:
            return
        with self.transaction() as con:
            con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER, applied_at TIMESTAMP)")
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for ddl in MIGRATIONS[version - 1]:
                    con.execute(ddl)
                con.execute("INSERT INTO schema_version (version, applied_at) VALUES (?, now()::TIMESTAMP)", [version])

    # -- access -----------------------------------------------------------
    @property
    def write_lock(self) -> threading.RLock:
        """Held by every writing transaction: writes are serialised."""
        return self._lock

    @contextlib.contextmanager
    def transaction(
        self, *, hooks: bool = True, pause_appends: bool = False, touches: Collection[str] | None = None
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction; ``pause_appends`` also keeps every group commit of the file out of it (an
        erasure: see ``store/commit.py``). ``touches`` names the topics it may change (``store/cache.py``), so
        values cached under other topics stay valid; None (the default) means it may change anything."""
        may_block()
        self.group.settle()  # every acknowledged record in the store first (store/commit.py)
        with self._lock, self.group.paused() if pause_appends else contextlib.nullcontext():
            cur = self.con.cursor()
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
                if hooks:
                    for hook in list(self.before_commit):
                        hook(cur)
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            else:
                cur.execute("COMMIT")
                self._committed(touches)
            finally:
                cur.close()

    @property
    def generation(self) -> int:
        """How many write transactions this process has committed to this database file."""
        return _GENERATIONS.get(self._key, 0)

    def generation_of(self, topic: str) -> tuple[int, int]:
        """Moves with every committed write that may change ``topic`` (those naming it, and those naming none)."""
        return _UNSCOPED.get(self._key, 0), _TOPICS.get(self._key, {}).get(topic, 0)

    def _committed(self, touches: Collection[str] | None) -> None:
        _GENERATIONS[self._key] = _GENERATIONS.get(self._key, 0) + 1
        if touches is None:
            _UNSCOPED[self._key] = _UNSCOPED.get(self._key, 0) + 1
            return
        topics = _TOPICS.setdefault(self._key, {})
        for topic in touches:
            topics[topic] = topics.get(topic, 0) + 1

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor of its own (the caller closes it)."""
        may_block()
        return self.con.cursor()

    def reader(self) -> duckdb.DuckDBPyConnection:
        """This thread's read cursor: reads from many threads run in parallel, each on its own cursor."""
        may_block()
        cur = getattr(self._local, "cur", None)
        if cur is None:
            cur = self._local.cur = self.con.cursor()
            self._cursors.add(cur)
        return cur

    def read(self, sql: str) -> duckdb.DuckDBPyConnection:
        """This thread's read cursor for ``sql``, once every acknowledged record of the tables it names is in
        the store (the group commit stores them right after their journal flush)."""
        cur = self.reader()
        if self.group.pending(sql):
            self.group.settle()
        return cur

    def query(self, sql: str, params: list | dict | None = None) -> list[dict]:
        rel = self.read(sql).execute(sql, params or [])
        cols = [d[0] for d in rel.description]
        return [dict(zip(cols, row, strict=True)) for row in rel.fetchall()]

    def scalar(self, sql: str, params: list | dict | None = None):
        row = self.read(sql).execute(sql, params or []).fetchone()
        return None if row is None else row[0]

    def append(self, statements: list[tuple[str, list]], subject: Subject | None = None) -> None:
        """Keep these INSERTs (one unit, all or none) before returning, in a group commit shared with concurrent
        callers: one journal flush for every unit queued meanwhile, stored right after. A unit about a
        ``subject`` erased meanwhile is dropped (``store/commit.py``). Inside ``commit.deferred(units)`` the
        unit is only added to ``units``, for the caller to commit and await (the HTTP hot path)."""
        units = deferring()
        if units is not None:
            units.append((list(statements), subject))
            return
        self.group.submit(statements, subject)

    def count(self, table: str) -> int:
        return int(self.scalar(f"SELECT count(*) FROM {table}"))

    def close(self) -> None:
        with _LOCKS_GUARD:
            was_open, self._open = self._open, False
            if was_open:
                _OPEN[self._key] -= 1
        if was_open:
            commit.release(self._key, self.group)  # the last Store on the file stores the journal's rest
        for cur in list(self._cursors):
            with contextlib.suppress(duckdb.Error):
                cur.close()
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _checkpoint_left_wal(con: duckdb.DuckDBPyConnection) -> None:
    """Checkpoint a write-ahead log left by a process that did not close the store (killed, or crashed).

    Replaying the log leaves each index "unbound", its replayed changes buffered. A checkpoint run by a
    connection binds the indexes first and writes them whole; the checkpoint DuckDB runs when the last
    connection closes has no connection to bind them with, and on DuckDB 1.4-1.5.6 writes each unbound index as
    it was before the log (duckdb/duckdb#23788, fixed by duckdb/duckdb#25771 in 2.0): a later ``WHERE entity_id
    = ?`` finds nothing for every row the log held (a fix, duckdb/duckdb#25771, is on DuckDB's main branch, in no
    1.5 release). Reproduced on 1.5.6: tests/store/test_index_loss.py.
    """
    with contextlib.closing(con.cursor()) as cur:
        cur.execute("CHECKPOINT")


def require(condition: bool, message: str, **kw) -> None:
    if not condition:
        raise CredenceError(message, **kw)
