"""Engines that run the compiled scoring SQL: DuckDB (embedded default) and Apache Spark (distributed).

Every engine runs the *same* compiled query (``credence.sql.compiler``) in its own dialect; nothing about a
score is computed in Python. ``tests/engines/test_conformance.py`` holds every engine to identical scores,
bands, dimension points and reasons, and DuckDB's one-statement population query to each card's own.

    duckdb   credence.engines.duckdb   the store itself (``credence score``)
    spark    credence.engines.spark    a Parquet export of the store (``credence score --engine spark``)
"""

from __future__ import annotations

import importlib
from types import ModuleType

from credence.errors import ConfigError

ENGINES: dict[str, str] = {
    "duckdb": "credence.engines.duckdb",
    "spark": "credence.engines.spark",
}


def engine(name: str) -> ModuleType:
    """The engine module registered as ``name`` (each has ``NAME``, ``DIALECT`` and a ``score`` function)."""
    try:
        module = ENGINES[name]
    except KeyError:
        raise ConfigError(f"unknown engine '{name}'", field="engine", fix=f"use one of {', '.join(ENGINES)}") from None
    return importlib.import_module(module)


def names() -> list[str]:
    return list(ENGINES)
