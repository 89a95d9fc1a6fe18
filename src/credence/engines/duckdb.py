"""The embedded engine: run a compiled scorecard query on a DuckDB connection, get an Arrow table.

This is the default engine (``credence score``); ``services.scoring.score_population`` runs every card in
one statement (``population_query``, tested to give each card's rows) inside the store's own transaction. This thin wrapper exists so that every engine has the same face for
the conformance suite and the benchmarks: compiled SQL in, Arrow table out.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa

from credence.domain.catalogue import Catalogue
from credence.domain.scorecard import Scorecard
from credence.sql.compiler import compile_scorecard

NAME = "duckdb"
DIALECT = "duckdb"


def run(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pa.Table:
    """Execute ``sql`` on ``con`` and return the whole result as an Arrow table."""
    return con.execute(sql, params or []).to_arrow_table()


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
