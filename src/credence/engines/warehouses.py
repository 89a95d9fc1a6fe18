"""Exported SQL on other engines: PostgreSQL, ClickHouse (in-process, chdb) and SQLite.

``credence export-sql`` prints one query for a warehouse the user runs themselves. This module is how the
project proves that query there (``tests/sql/test_warehouses.py``) and times it (``benchmarks/
warehouses.py``): each ``Warehouse`` loads the relations the query reads (``INPUT_COLUMNS``, copied from a
store) with the column types stated once below, runs SQL and returns rows as dicts.

    PostgresWarehouse   a throw-away cluster (Debian's server binaries, initdb + pg_ctl) in a temp dir,
                        reached on a Unix socket only (no TCP port); run as the ``postgres`` user when root
    ClickHouseWarehouse chdb's in-process ClickHouse, a session in a temp dir
    SQLiteWarehouse     Python's sqlite3, in memory

The drivers (psycopg, chdb) are development dependencies, imported when a warehouse is opened.
"""

from __future__ import annotations

import abc
import glob
import os
import resource
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from credence.sql.compiler import INPUT_COLUMNS

Row = dict[str, Any]


Columns = dict[str, str]  # column name -> SQL type (DuckDB's names)


def _create(table: str, columns: Columns, dialect: str, **properties: str) -> str:
    """``CREATE TABLE`` for one relation in ``dialect``, its column types as ``columns`` states them."""
    cols = [exp.ColumnDef(this=exp.to_identifier(n), kind=exp.DataType.build(t)) for n, t in columns.items()]
    sql = exp.Create(kind="TABLE", this=exp.Schema(this=exp.to_table(table), expressions=cols)).sql(dialect)
    return sql + "".join(f" {k.upper()} = {v}" for k, v in properties.items())


class Warehouse(abc.ABC):
    """An engine that runs exported SQL: ``load`` the inputs from a DuckDB connection, ``rows`` of a query."""

    name = ""
    dialect = ""

    def load(self, con: duckdb.DuckDBPyConnection, relations: dict[str, Columns] | None = None) -> None:
        """Copy relations (default: the events query's ``INPUT_COLUMNS``) from ``con``, replacing earlier copies."""
        work = Path(tempfile.mkdtemp(prefix=f"credence-{self.name}-"))
        try:
            for table, columns in (relations or INPUT_COLUMNS).items():
                self._load(table, columns, con, f"SELECT {', '.join(columns)} FROM {table}", work)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    @abc.abstractmethod
    def _load(self, table: str, columns: Columns, con: duckdb.DuckDBPyConnection, select: str, work: Path) -> None:
        """Create ``table`` in the engine and fill it with the rows of ``select`` run on ``con``."""

    @abc.abstractmethod
    def rows(self, sql: str) -> list[Row]:
        """The rows ``sql`` returns in the engine."""

    def cpu_seconds(self) -> float:
        """CPU time the engine has used so far (user + system; in-process engines: this process's)."""
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def close(self) -> None:  # noqa: B027 - most engines hold nothing to release
        """Release what the engine holds."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# ------------------------------------------------------------------------------------------ PostgreSQL
def postgres_bindir() -> Path | None:
    """Where Debian's (or any) PostgreSQL server binaries are: ``initdb`` on PATH, else /usr/lib/postgresql."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(versions[-1]).parent if versions else None


class PostgresWarehouse(Warehouse):
    """A private PostgreSQL cluster in a temp dir, listening on a Unix socket there only; removed on close.

    PostgreSQL refuses to run as root: as root, the cluster is owned by and run as the ``postgres`` user
    (created by Debian's package) through ``runuser``.
    """

    name = "postgres"
    dialect = "postgres"

    def __init__(self, bindir: Path | None = None, work_mem: str = "256MB"):
        import psycopg

        bindir = bindir or postgres_bindir()
        if bindir is None:
            raise RuntimeError("PostgreSQL server binaries not found (Debian package 'postgresql')")
        self.root = Path(tempfile.mkdtemp(prefix="credence-pg-"))
        self.data, self.socket = self.root / "data", self.root
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as:
            shutil.chown(self.root, "postgres", "postgres")
        self._pg_ctl = [*self._as, str(bindir / "pg_ctl"), "-D", str(self.data)]
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "check": True}
        try:
            subprocess.run(
                [
                    *self._as,
                    str(bindir / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                ],
                **quiet,
            )
            opts = f"-c listen_addresses='' -k {self.socket} -c fsync=off -c work_mem={work_mem} -c jit=off"
            subprocess.run([*self._pg_ctl, "-w", "-l", str(self.root / "log"), "-o", opts, "start"], **quiet)
        except subprocess.CalledProcessError as e:
            shutil.rmtree(self.root, ignore_errors=True)
            raise RuntimeError(f"PostgreSQL did not start: {e.stderr.decode(errors='replace')}") from None
        self.con = psycopg.connect(host=str(self.socket), user="postgres", dbname="postgres", autocommit=True)

    def _load(self, table: str, columns: Columns, con: duckdb.DuckDBPyConnection, select: str, work: Path) -> None:
        csv = work / f"{table}.csv"
        con.execute(f"COPY ({select}) TO '{csv}' (FORMAT csv, HEADER false)")
        self.con.execute(f"DROP TABLE IF EXISTS {table}")
        self.con.execute(_create(table, columns, "postgres"))
        with self.con.cursor() as cur, cur.copy(f"COPY {table} FROM STDIN (FORMAT csv)") as copy, csv.open("rb") as f:
            while chunk := f.read(1 << 20):
                copy.write(chunk)
        self.con.execute(f"ANALYZE {table}")

    def rows(self, sql: str) -> list[Row]:
        with self.con.cursor() as cur:
            cur.execute(sql)
            names = [d.name for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def cpu_seconds(self) -> float:
        """CPU time of the server's processes: the postmaster, its live children and those it has reaped
        (parallel workers come and go within a query)."""
        tick = os.sysconf("SC_CLK_TCK")
        main = int((self.data / "postmaster.pid").read_text().split()[0])

        def stat(pid: int) -> list[str]:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()

        fields = stat(main)  # after the name: state, ppid, ..., utime (12th), stime, cutime, cstime
        total = sum(int(x) for x in fields[11:15])
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    f = stat(int(entry.name))
                except OSError:
                    continue
                if int(f[1]) == main:
                    total += int(f[11]) + int(f[12])
        return total / tick

    def close(self) -> None:
        try:
            self.con.close()
        finally:
            subprocess.run([*self._pg_ctl, "-m", "immediate", "stop"], capture_output=True)
            shutil.rmtree(self.root, ignore_errors=True)


# ------------------------------------------------------------------------------------------ ClickHouse
class ClickHouseWarehouse(Warehouse):
    """ClickHouse in-process (chdb): a session in a temp dir, inputs in Memory tables loaded from Parquet."""

    name = "clickhouse"
    dialect = "clickhouse"

    def __init__(self):
        from chdb import session

        self.root = Path(tempfile.mkdtemp(prefix="credence-ch-"))
        self.session = session.Session(str(self.root / "db"))

    def _load(self, table: str, columns: Columns, con: duckdb.DuckDBPyConnection, select: str, work: Path) -> None:
        parquet = work / f"{table}.parquet"
        con.execute(f"COPY ({select}) TO '{parquet}' (FORMAT parquet)")
        self.session.query(f"DROP TABLE IF EXISTS {table}")
        self.session.query(_create(table, columns, "clickhouse", engine="Memory"))
        self.session.query(f"INSERT INTO {table} SELECT * FROM file('{parquet}', Parquet)")

    def rows(self, sql: str) -> list[Row]:
        return self.session.query(sql, "ArrowTable").to_pylist()

    def close(self) -> None:
        try:
            self.session.close()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


# ------------------------------------------------------------------------------------------ SQLite
class SQLiteWarehouse(Warehouse):
    """Python's sqlite3 in memory; timestamps are stored as ISO text ('YYYY-MM-DD HH:MM:SS'), booleans as 0/1."""

    name = "sqlite"
    dialect = "sqlite"

    def __init__(self):
        self.con = sqlite3.connect(":memory:")

    def _load(self, table: str, columns: Columns, con: duckdb.DuckDBPyConnection, select: str, work: Path) -> None:
        as_text = [f"strftime({c}, '%Y-%m-%d %H:%M:%S')" if t == "TIMESTAMP" else c for c, t in columns.items()]
        data: pa.Table = con.execute(f"SELECT {', '.join(as_text)} FROM ({select})").to_arrow_table()
        self.con.execute(f"DROP TABLE IF EXISTS {table}")
        self.con.execute(_create(table, columns, "sqlite"))
        marks = ", ".join("?" * len(columns))
        self.con.executemany(f"INSERT INTO {table} VALUES ({marks})", zip(*data.to_pydict().values(), strict=True))

    def rows(self, sql: str) -> list[Row]:
        cur = self.con.execute(sql)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def close(self) -> None:
        self.con.close()


WAREHOUSES: dict[str, type[Warehouse]] = {
    "postgres": PostgresWarehouse,
    "clickhouse": ClickHouseWarehouse,
    "sqlite": SQLiteWarehouse,
}


def open_warehouse(name: str) -> Warehouse:
    return WAREHOUSES[name]()
