"""Conformance: the rules every scorecard and every engine must keep, as functions any test (or user) can run.

Each check takes score rows with detail (``compile_scorecard(..., detail=True)``: ``points_i``, ``value_i``,
``total_points``, ``n_events``, ``history_days`` beside the stored columns) and raises ``ConformanceError``
naming the entity, the feature and what differs; it returns how many rows it checked.

    bands_follow_scores      a band is the band of the score; insufficient data has no score, points or reasons
    points_add_up            feature points are the card's bins; dimensions and the total add up; score = scaling
    reasons_follow_points    reasons are the features that lost the most points, in order, with their words
    engines_agree            another engine's rows equal DuckDB's (values up to summation order)
    population_matches_cards the one population statement gives each card's own rows
    check_card               the card-level checks on DuckDB over a store (``credence validate`` runs it)
"""

from __future__ import annotations

import math
from datetime import datetime

import duckdb

from credence.domain.bands import MAX_SCORE, MIN_SCORE, band_of
from credence.domain.catalogue import DIMENSIONS, Catalogue
from credence.domain.score import MAX_REASONS, SCORE_COLUMNS
from credence.domain.scorecard import Scorecard
from credence.engines import duckdb as duckdb_engine
from credence.errors import ConformanceError
from credence.sql.compiler import compile_scorecard, population_query

SCORE_FIELDS = SCORE_COLUMNS  # the columns every engine and card must agree on


def _fail(card: Scorecard, rule: str, row: dict | None, what: str) -> ConformanceError:
    record = f"entity {row['entity_id']}" if row else None
    return ConformanceError(f"scorecard {card.ref} breaks '{rule}': {what}", record=record)


def bands_follow_scores(rows: list[dict], card: Scorecard) -> int:
    """Every band is the band of its score; insufficient data gets no score (never a low one), no points and
    no reasons, and exactly when the card's minimum events or history are not met."""
    rule = "bands follow scores"
    for r in rows:
        if r["band"] != band_of(r["score"]):
            raise _fail(card, rule, r, f"band {r['band']} for score {r['score']}")
        enough = r["n_events"] >= card.min_events and (r["history_days"] or 0) >= card.min_history_days
        if r["score"] is None:
            if enough:
                raise _fail(card, rule, r, f"no score with {r['n_events']} events over {r['history_days']} days")
            if any(r[f"points_{d}"] is not None for d in DIMENSIONS):
                raise _fail(card, rule, r, "dimension points without a score")
            if any(r[f"reason{k}_code"] is not None for k in range(1, MAX_REASONS + 1)):
                raise _fail(card, rule, r, "reasons without a score")
        else:
            if not enough:
                raise _fail(card, rule, r, f"a score with {r['n_events']} events over {r['history_days']} days")
            if not MIN_SCORE <= r["score"] <= MAX_SCORE:
                raise _fail(card, rule, r, f"score {r['score']} outside {MIN_SCORE}-{MAX_SCORE}")
    return len(rows)


def points_add_up(rows: list[dict], card: Scorecard) -> int:
    """Each feature's points are its bin's for its value; dimension points and the total are their sums; the
    score is the card's scaling of the total, rounded half up and clipped to the scale."""
    rule = "points add up"
    offset, factor = card.scale()
    for r in rows:
        if r["score"] is None:
            continue
        for i, f in enumerate(card.features):
            if r[f"points_{i}"] != f.points_for(r[f"value_{i}"]):
                raise _fail(
                    card, rule, r, f"feature {f.name} has {r[f'points_{i}']} points for value {r[f'value_{i}']!r}"
                )
        for d in DIMENSIONS:
            members = [r[f"points_{i}"] for i, f in enumerate(card.features) if f.dimension == d]
            if r[f"points_{d}"] != (float(sum(members)) if members else None):
                raise _fail(card, rule, r, f"dimension {d} has {r[f'points_{d}']} points, its features {members}")
        total = sum(r[f"points_{i}"] for i in range(len(card.features)))
        if r["total_points"] != total:
            raise _fail(card, rule, r, f"total {r['total_points']} is not the sum of the features ({total})")
        want = min(MAX_SCORE, max(MIN_SCORE, math.floor(offset + factor * total + 0.5)))
        if r["score"] != want:
            raise _fail(card, rule, r, f"score {r['score']} for {total} points (the scaling gives {want})")
    return len(rows)


def reasons_follow_points(rows: list[dict], card: Scorecard) -> int:
    """The reasons are the features that lost the most points (ties: the earlier feature; a feature at its
    maximum is no reason), at most four, each saying about how many score points improving it would add."""
    rule = "reasons follow points"
    _, factor = card.scale()
    for r in rows:
        if r["score"] is None:
            continue
        lost = [(f.max_points - r[f"points_{i}"], i) for i, f in enumerate(card.features)]
        expected = [i for loss, i in sorted(lost, key=lambda x: (-x[0], x[1])) if loss > 0][:MAX_REASONS]
        codes = [r[f"reason{k}_code"] for k in range(1, MAX_REASONS + 1)]
        want = [card.features[i].name for i in expected] + [None] * (MAX_REASONS - len(expected))
        if codes != want:
            raise _fail(card, rule, r, f"reasons {codes}, the points say {want}")
        for k, i in enumerate(expected, start=1):
            text = r[f"reason{k}_text"] or ""
            gain = math.floor((card.features[i].max_points - r[f"points_{i}"]) * factor + 0.5)
            if not text.endswith(f" would add about {gain} points"):
                raise _fail(card, rule, r, f"reason {k} '{text}' does not say it would add about {gain} points")
            if (card.features[i].improve or "improving this") not in text:
                raise _fail(card, rule, r, f"reason {k} '{text}' does not say how to improve")
    return len(rows)


def engines_agree(rows: list[dict], expected: list[dict], card: Scorecard, engine: str = "engine") -> int:
    """``rows`` from ``engine`` equal DuckDB's ``expected``: the same entities, scores, bands, points and
    reasons; feature values equal up to floating-point summation order. Both sorted by entity_id."""
    rule = f"{engine} agrees with duckdb"
    got_ids, want_ids = [r["entity_id"] for r in rows], [r["entity_id"] for r in expected]
    if got_ids != want_ids:
        missing = sorted(set(want_ids) ^ set(got_ids))[:5]
        raise _fail(card, rule, None, f"{len(got_ids)} entities against {len(want_ids)} (differing: {missing})")
    for got, want in zip(rows, expected, strict=True):
        for k in SCORE_FIELDS + ["n_events", "history_days"]:
            if got[k] != want[k]:
                raise _fail(card, rule, got, f"{k} is {got[k]!r}, duckdb {want[k]!r}")
        for i, f in enumerate(card.features):
            if got[f"points_{i}"] != want[f"points_{i}"]:
                raise _fail(
                    card, rule, got, f"feature {f.name}: {got[f'points_{i}']} points, duckdb {want[f'points_{i}']}"
                )
            a, b = got[f"value_{i}"], want[f"value_{i}"]
            same = (a is None and b is None) or (
                a is not None
                and b is not None
                and (a == b if isinstance(a, str) else math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12))
            )
            if not same:
                raise _fail(card, rule, got, f"feature {f.name}: value {a!r}, duckdb {b!r}")
    return len(rows)


def card_rows(
    con: duckdb.DuckDBPyConnection, card: Scorecard, *, as_of: datetime, catalogue: Catalogue | None = None
) -> list[dict]:
    """``card``'s rows with detail on DuckDB over the store's ``effective_events`` and ``entities``, by id."""
    sql = compile_scorecard(card, dialect="duckdb", as_of=as_of, catalogue=catalogue, detail=True)
    return sorted(duckdb_engine.run(con, sql).to_pylist(), key=lambda r: r["entity_id"])


def population_matches_cards(
    con: duckdb.DuckDBPyConnection, cards: list[Scorecard], *, as_of: datetime, catalogue: Catalogue | None = None
) -> int:
    """The one population statement (one scan for all cards) gives each card's own rows, row for row."""
    sql = population_query(cards, as_of=as_of, catalogue=catalogue).sql(dialect="duckdb")
    rows = duckdb_engine.run(con, f"SELECT * FROM ({sql}) ORDER BY entity_id").to_pylist()
    for card in cards:
        got = [{k: r[k] for k in SCORE_FIELDS} for r in rows if r["scorecard"] == card.ref]
        want = [{k: r[k] for k in SCORE_FIELDS} for r in card_rows(con, card, as_of=as_of, catalogue=catalogue)]
        if got != want:
            first = next((g for g, w in zip(got, want, strict=False) if g != w), None)
            raise _fail(card, "population matches cards", first, f"{len(got)} rows against the card's {len(want)}")
    return len(rows)


def check_card(
    con: duckdb.DuckDBPyConnection, card: Scorecard, *, as_of: datetime, catalogue: Catalogue | None = None
) -> dict[str, int]:
    """Run the card-level rules on DuckDB over a store; rule -> rows checked (raises at the first breach)."""
    rows = card_rows(con, card, as_of=as_of, catalogue=catalogue)
    return {
        "bands follow scores": bands_follow_scores(rows, card),
        "points add up": points_add_up(rows, card),
        "reasons follow points": reasons_follow_points(rows, card),
        "population matches cards": population_matches_cards(con, [card], as_of=as_of, catalogue=catalogue),
    }
