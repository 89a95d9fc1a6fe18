"""What the scoring orchestration and every engine exchange: compiled statements in, a readable relation out."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Statement:
    """One compiled scoring query: ``scorecard`` is the card's ref, or None when the query covers every card
    and has its own ``scorecard`` column (the population statement)."""

    sql: str
    scorecard: str | None = None


@dataclass(frozen=True)
class Rows:
    """Where an engine left a population's scores: a relation the store can read (a sub-query over its own
    tables, or ``read_parquet``), with its parameters; columns as ``SCORE_COLUMNS`` plus ``scorecard``.
    ``relation`` is None when there is no row (no entity of the kinds scored)."""

    relation: str | None
    params: dict = field(default_factory=dict)
