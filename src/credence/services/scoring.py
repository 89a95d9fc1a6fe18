"""Scoring: the one orchestration of a population snapshot, and one entity scored online.

``score_population(ws, engine=...)`` owns the snapshot: it compiles the workspace's cards in the engine's
dialect, lets the engine (``credence.engines``) run them, and copies the rows the engine hands back into
``scores`` with the ``snapshots`` row in one transaction: the whole snapshot lands or none of it. On DuckDB
that is one ``INSERT ... SELECT`` for every card. No Python loop touches an entity.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlglot import exp

from credence import engines
from credence.clock import parse_time, utcnow
from credence.domain.bands import INSUFFICIENT
from credence.domain.score import SCORE_COLUMNS, reasons_of
from credence.domain.scorecard import Scorecard, distinct_cards
from credence.engines import Statement
from credence.errors import ConfigError, ValidationError
from credence.services import metrics
from credence.sql.compiler import compile_scorecard, population_query
from credence.store import Store, queries
from credence.store import history as keyed_history
from credence.workspace import Workspace

EARLIEST_AS_OF = datetime(1900, 1, 1)
AS_OF_SKEW = timedelta(minutes=5)  # a caller's clock slightly ahead of the bureau's is not "the future"


def snapshot_time(value: str | datetime | None) -> datetime:
    """The as-of time of a population snapshot: from 1900 up to now. Snapshots are appended for good and the
    latest one is "the" score, so one dated in the future would stay current for ever: it is refused."""
    t = parse_time(value)
    now = utcnow()
    if t > now + AS_OF_SKEW:
        raise ValidationError(
            f"as_of {t:%Y-%m-%d %H:%M} is in the future (now is {now:%Y-%m-%d %H:%M} UTC)",
            field="as_of",
            fix="score as of now or a past time; a snapshot is kept for good",
        )
    if t < EARLIEST_AS_OF:
        raise ValidationError(f"as_of {t:%Y-%m-%d} is before 1900", field="as_of", fix="check the date")
    return t


# ------------------------------------------------------------------------------------------ population
@dataclass
class Snapshot:
    snapshot_id: str
    as_of: datetime
    engine: str
    scored: int
    insufficient: int
    bands: dict[str, int]

    def to_dict(self) -> dict:
        return {**self.__dict__, "as_of": self.as_of.isoformat()}


def score_population(
    ws: Workspace,
    *,
    engine: str = "duckdb",
    as_of: datetime | str | None = None,
    cards: dict[str, Scorecard] | None = None,
    **options,
) -> Snapshot:
    """Score every entity of every configured kind as of ``as_of`` on ``engine``; append one snapshot.

    ``cards`` (entity kind -> scorecard) defaults to the workspace's; ``options`` go to the engine (Spark:
    ``master``, ``progress``, ``spark``, ``export_dir``, ``keep_export``).
    """
    runner = engines.engine(engine)
    as_of = snapshot_time(as_of)
    cards = ws.scorecards if cards is None else cards
    if not cards:
        raise ConfigError("no scorecards are configured", field="scorecards", fix="set 'scorecards' in credence.yaml")
    snapshot_id = f"S{as_of:%Y%m%d}-{uuid.uuid4().hex[:8]}"
    refs = {kind: card.ref for kind, card in cards.items()}
    if runner.ONE_STATEMENT:
        statements = [Statement(population_sql(ws, cards))]
    else:
        statements = [
            Statement(
                compile_scorecard(card.restrict(kinds), dialect=runner.DIALECT, as_of=as_of, catalogue=ws.catalogue),
                card.ref,
            )
            for card, kinds in distinct_cards(cards)
        ]
    store = ws.store
    started = time.perf_counter()
    with runner.population(ws, statements, as_of=as_of, **options) as rows:
        with store.transaction() as con:
            if rows.relation is not None:
                con.execute(
                    f"INSERT INTO scores (snapshot_id, as_of, scorecard, {', '.join(SCORE_COLUMNS)}) "
                    f"SELECT $snapshot_id, $as_of::TIMESTAMP, scorecard, {', '.join(SCORE_COLUMNS)} "
                    f"FROM {rows.relation}",
                    {**rows.params, "snapshot_id": snapshot_id, "as_of": as_of},
                )
            scored, insufficient = con.execute(
                "SELECT count(score), count(*) - count(score) FROM scores WHERE snapshot_id = ?", [snapshot_id]
            ).fetchone()
            con.execute(
                "INSERT INTO snapshots (snapshot_id, as_of, created_at, engine, scorecards, scored, insufficient) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [snapshot_id, as_of, utcnow(), runner.NAME, json.dumps(refs), scored, insufficient],
            )
            if scored or insufficient:
                keyed_history.add_snapshot(con, snapshot_id)  # the entities' keyed history, with the snapshot
    metrics.SCORING_RUNS.labels(runner.NAME).inc()
    metrics.SCORING_SECONDS.labels(runner.NAME).observe(time.perf_counter() - started)
    return Snapshot(snapshot_id, as_of, runner.NAME, scored, insufficient, queries.band_counts(store, snapshot_id))


def population_sql(ws: Workspace, cards: dict[str, Scorecard], events: str = "effective_events") -> str:
    """The one population statement for these cards (DuckDB), compiled once per set of cards and catalogue
    (SQLGlot takes 0.2-0.3 s for two cards) with ``$as_of`` bound at run time, as the online query is."""
    plan = distinct_cards(cards)
    catalogue = ws.catalogue
    key = ("population", tuple((id(card), kinds) for card, kinds in plan), id(catalogue), events)
    hit = ws.cached(key, lambda: _population_sql(plan, catalogue, events))
    if any(a is not b for a, (b, _) in zip(hit[0], plan, strict=True)) or hit[1] is not catalogue:
        ws.forget(key)  # an id was reused by another object: compile again
        hit = ws.cached(key, lambda: _population_sql(plan, catalogue, events))
    return hit[2]


def _population_sql(plan, catalogue, events: str) -> tuple:
    query = population_query(
        [card.restrict(kinds) for card, kinds in plan],
        as_of=exp.Placeholder(this="as_of"),
        catalogue=catalogue,
        events=events,
    )
    return ([card for card, _ in plan], catalogue, query.sql(dialect="duckdb"))


# ------------------------------------------------------------------------------------------ one entity
def score_entity(
    ws: Workspace,
    entity_id: str,
    *,
    as_of: datetime | str | None = None,
    detail: bool = True,
    cards: dict[str, Scorecard] | None = None,
) -> dict:
    """Score one entity now (the online path): the same compiled query, filtered to that entity."""
    cards = ws.scorecards if cards is None else cards
    kind = queries.entity_kind(ws.store, entity_id)
    if kind not in cards:
        raise ConfigError(f"no scorecard is configured for kind '{kind}'", field="scorecards")
    card = cards[kind]
    as_of = parse_time(as_of)
    rows = ws.store.query(online_sql(ws, card, detail), {"as_of": as_of, "entity_id": entity_id})
    row = rows[0]
    row["as_of"] = as_of
    row["scorecard"] = card.ref
    row["reasons"] = reasons_of(row)
    if detail:
        row["features"] = feature_breakdown(card, row)
    return row


def online_sql(ws: Workspace, card: Scorecard, detail: bool) -> str:
    """The one-entity query, compiled once per scorecard with ``$as_of`` and ``$entity_id`` as parameters."""
    catalogue = ws.catalogue
    key = ("online", id(card), id(catalogue), detail)

    def compile_() -> tuple:
        sql = compile_scorecard(
            card,
            as_of=exp.Placeholder(this="as_of"),
            catalogue=catalogue,
            entity_id=exp.Placeholder(this="entity_id"),
            detail=detail,
        )
        return (card, catalogue, sql)

    hit = ws.cached(key, compile_)
    if hit[0] is not card or hit[1] is not catalogue:
        ws.forget(key)
        hit = ws.cached(key, compile_)
    return hit[2]


def feature_breakdown(card: Scorecard, row: dict) -> list[dict]:
    offset, factor = card.scale()
    out = []
    for i, f in enumerate(card.features):
        pts = row[f"points_{i}"]
        out.append(
            {
                "feature": f.name,
                "dimension": f.dimension,
                "description": f.description,
                "value": row[f"value_{i}"],
                "points": pts,
                "max_points": f.max_points,
                "lost_points": f.max_points - pts,
                "score_points_lost": round((f.max_points - pts) * factor, 1),
            }
        )
    return out


def history(store: Store, entity_id: str) -> list[dict]:
    return queries.score_history(store, entity_id)


def latest_score(store: Store, entity_id: str) -> dict | None:
    row = queries.latest_score(store, entity_id)
    if row is not None:
        row["reasons"] = reasons_of(row)
    return row


def is_scored(row: dict) -> bool:
    return row.get("band") != INSUFFICIENT
