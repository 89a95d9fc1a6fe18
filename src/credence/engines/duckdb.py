"""The embedded engine: compiled scoring SQL runs in the store's own DuckDB.

``population`` takes the one population statement (every card, one scan of the events) and hands it back as
a sub-query: ``score_population`` then copies it into ``scores`` with ``INSERT ... SELECT`` inside the
snapshot's transaction, so no row leaves DuckDB. ``run`` is the same face every engine has for the
conformance suite and the benchmarks: compiled SQL in, Arrow table out.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime

import duckdb
import pyarrow as pa

from credence.domain.catalogue import Catalogue
from credence.domain.scorecard import Scorecard
from credence.engines.base import Rows, Statement
from credence.errors import ConfigError
from credence.sql.compiler import compile_scorecard

NAME = "duckdb"
DIALECT = "duckdb"
ONE_STATEMENT = True  # takes the population statement for all cards at once


def run(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None) -> pa.Table:
    """Execute ``sql`` on ``con`` and return the whole result as an Arrow table."""
    return con.execute(sql, params or []).to_arrow_table()


@contextlib.contextmanager
def population(ws, statements: list[Statement], *, as_of: datetime, **options) -> Iterator[Rows]:
    """The statements as one relation over the store, ``$as_of`` bound when the rows are read."""
    if options:
        raise ConfigError(
            f"the duckdb engine takes no option {', '.join(sorted(options))}", fix="use it with --engine spark"
        )
    parts = [
        f"SELECT * FROM ({s.sql})" if s.scorecard is None else f"SELECT '{s.scorecard}' AS scorecard, * FROM ({s.sql})"
        for s in statements
    ]
    yield Rows(f"({' UNION ALL BY NAME '.join(parts)})" if parts else None, {"as_of": as_of})


def score(
    con: duckdb.DuckDBPyConnection,
    card: Scorecard,
    *,
    as_of: datetime | str,
    catalogue: Catalogue | None = None,
    events: str = "effective_events",
    entities: str = "entities",
    detail: bool = False,
) -> pa.Table:
    """Score every entity of ``card``'s kinds found in ``entities``; one row per entity."""
    sql = compile_scorecard(
        card, dialect=DIALECT, as_of=as_of, catalogue=catalogue, events=events, entities=entities, detail=detail
    )
    return run(con, sql)
