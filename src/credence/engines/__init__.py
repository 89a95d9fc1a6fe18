"""Engines run compiled scoring SQL and hand the rows back; nothing about a score is computed in Python.

Every engine runs the *same* compiled query (``credence.sql.compiler``) in its own dialect. The snapshot (its
id, transaction and row) belongs to ``credence.services.scoring.score_population``, which compiles the SQL,
gives it to an engine from this registry and copies the rows the engine returns into the store.

    duckdb   credence.engines.duckdb   the store itself: one statement for every card (``credence score``)
    spark    credence.engines.spark    a Parquet export of the store, one statement per card, Parquet out
                                       (``credence score --engine spark [--master URL]``)

An engine module has ``NAME``, ``DIALECT``, ``ONE_STATEMENT`` (whether it takes the one population statement
for all cards, or one statement per card), ``run`` (SQL in, Arrow out: the conformance suite in
``credence.testing``) and ``population`` (a context manager: statements in, a ``Rows`` relation out).
"""

from __future__ import annotations

from types import ModuleType

from credence.engines import duckdb, spark
from credence.engines.base import Rows, Statement
from credence.errors import ConfigError

ENGINES: dict[str, ModuleType] = {m.NAME: m for m in (duckdb, spark)}

__all__ = ["ENGINES", "Rows", "Statement", "engine", "names"]


def engine(name: str) -> ModuleType:
    """The engine registered as ``name``."""
    try:
        return ENGINES[name]
    except KeyError:
        raise ConfigError(f"unknown engine '{name}'", field="engine", fix=f"use one of {', '.join(ENGINES)}") from None


def names() -> list[str]:
    return list(ENGINES)
