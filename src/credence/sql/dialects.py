"""The SQL dialects the exported scoring query is proven on, stated once (``export-sql`` and the docs read it).

Proven means executed on the engine over the same store as DuckDB, with every score, band, dimension's
points and the four reasons' codes and texts equal row for row: DuckDB and Spark in
``tests/engines/test_conformance.py``, PostgreSQL, ClickHouse and SQLite in ``tests/sql/test_warehouses.py``
(on every shipped card and a learned one). Every other dialect SQLGlot knows is generated but not verified:
``credence export-sql`` prints it with a warning on stderr.
"""

from __future__ import annotations

import sqlglot

from credence.errors import ConfigError

VERIFIED: dict[str, str] = {
    "duckdb": "DuckDB, the store's own engine (credence score)",
    "spark": "Apache Spark SQL (credence score --engine spark)",
    "postgres": "PostgreSQL (Debian's server, 15)",
    "clickhouse": "ClickHouse (in-process through chdb, 26.x)",
    "sqlite": "SQLite (Python's sqlite3, 3.40)",
}

# Planners that inline every CTE into the query reading it and evaluate its expressions there, per reference
# (PostgreSQL 12+, SQLite): each CTE is marked MATERIALIZED, computed once. On 100k events the person card
# took PostgreSQL 9.5 s inlined and 2.6 s materialised, SQLite 7.3 s and 4.0 s (docs/performance.md).
MATERIALIZE_CTES = frozenset({"postgres", "sqlite"})


def check_dialect(dialect: str) -> str | None:
    """``None`` for a verified dialect; a warning for one SQLGlot knows but no test runs; refuses the rest."""
    try:
        sqlglot.Dialect.get_or_raise(dialect)
    except ValueError:
        raise ConfigError(
            f"unknown SQL dialect '{dialect}'", field="dialect", fix=f"use one of {', '.join(VERIFIED)}"
        ) from None
    if dialect in VERIFIED:
        return None
    return (
        f"warning: the {dialect} SQL is generated, not verified on this engine; verified: "
        f"{', '.join(VERIFIED)} (docs/operator.md, 'Exported SQL')"
    )
