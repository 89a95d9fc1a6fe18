"""Connection to a workspace's DuckDB file, schema migration and all-or-nothing batches."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb

from credence.errors import ConfigError, CredenceError, StoreBusy
from credence.store.holder import lock_holder_message
from credence.store.schema import MIGRATIONS, SCHEMA_VERSION


class Store:
    """The embedded store. ``Store(":memory:")`` works for tests.

    Use ``with store.transaction() as con:`` for anything that writes: a batch is committed whole or not
    at all (DuckDB's own transaction; a kill mid-way leaves the WAL to roll back).
    """

    def __init__(self, path: str | Path, *, read_only: bool = False):
        self.path = str(path)
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as e:
            held = lock_holder_message(self.path, str(e))
            if held:
                raise StoreBusy(held[0], fix=held[1]) from None
            raise ConfigError(f"cannot open the store {self.path}: {e}", fix="check the workspace path") from None
        self._lock = threading.RLock()
        if not read_only:
            self.migrate()

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
                con.execute("INSERT INTO schema_version VALUES (?, now()::TIMESTAMP)", [version])

    # -- access -----------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lock:
            cur = self.con.cursor()
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            else:
                cur.execute("COMMIT")
            finally:
                cur.close()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for reads (thread-safe: one per caller)."""
        return self.con.cursor()

    def query(self, sql: str, params: list | dict | None = None) -> list[dict]:
        with self._lock:
            cur = self.con.cursor()
            try:
                rel = cur.execute(sql, params or [])
                cols = [d[0] for d in rel.description]
                return [dict(zip(cols, row, strict=True)) for row in rel.fetchall()]
            finally:
                cur.close()

    def scalar(self, sql: str, params: list | dict | None = None):
        with self._lock:
            cur = self.con.cursor()
            try:
                row = cur.execute(sql, params or []).fetchone()
                return None if row is None else row[0]
            finally:
                cur.close()

    def count(self, table: str) -> int:
        return int(self.scalar(f"SELECT count(*) FROM {table}"))

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def require(condition: bool, message: str, **kw) -> None:
    if not condition:
        raise CredenceError(message, **kw)
