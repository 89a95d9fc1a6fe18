"""Scoring: run a compiled scorecard in the engine and append a snapshot; score one entity online.

Population scoring is one ``INSERT ... SELECT`` for all scorecards, inside one transaction with its snapshot
row: the whole snapshot lands or none of it. No Python loop touches an entity.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlglot import exp

from credence.domain.bands import INSUFFICIENT
from credence.domain.catalogue import DIMENSIONS, Catalogue, default_catalogue, load_catalogue
from credence.domain.scorecard import Scorecard, load_scorecard
from credence.errors import ConfigError, NotFoundError, ValidationError
from credence.sql.compiler import MAX_REASONS, compile_scorecard, population_query
from credence.store import Store
from credence.workspace import Workspace

SCORE_COLUMNS = (
    ["entity_id", "kind", "score", "band"]
    + [f"points_{d}" for d in DIMENSIONS]
    + [f"reason{k}_{part}" for k in range(1, MAX_REASONS + 1) for part in ("code", "text")]
)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def parse_time(value: str | datetime | None, what: str = "as_of") -> datetime:
    """A naive UTC datetime from ISO text (a date, or a date and time, with or without a zone)."""
    if value is None:
        return utcnow()
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError(
                f"'{value}' is not a date or time",
                field=what,
                fix="use ISO 8601, e.g. 2026-11-01 or 2026-11-01T12:00:00Z",
            ) from None
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt


# ------------------------------------------------------------------------------------------ configuration
def _file_version(path: Path) -> tuple:
    """What makes a cached load stale: the file's modification time and size."""
    try:
        st = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), st.st_mtime_ns, st.st_size)


def _cached(ws: Workspace, key: tuple, load):
    """Load once per workspace and file version; every request after the first reuses it."""
    if key not in ws.cache:
        ws.cache[key] = load()
    return ws.cache[key]


def workspace_catalogue(ws: Workspace) -> Catalogue:
    path = ws.config.get("catalogue")
    if not path:
        return default_catalogue()
    return _cached(ws, ("catalogue", _file_version(ws.path(path))), lambda: load_catalogue(ws.path(path)))


def _scorecard_target(ws: Workspace, ref: str) -> str:
    return ref if "/" not in ref and not ref.endswith((".yaml", ".yml")) else str(ws.path(ref))


def workspace_scorecards(ws: Workspace) -> dict[str, Scorecard]:
    """Entity kind -> scorecard, as the workspace config says (loaded once per file version)."""
    catalogue = workspace_catalogue(ws)
    out = {}
    for kind, ref in (ws.config.get("scorecards") or {}).items():
        target = _scorecard_target(ws, str(ref))
        version = _file_version(Path(target)) if target != str(ref) else (target,)
        card = _cached(
            ws, ("scorecard", version, id(catalogue)), lambda target=target: load_scorecard(target, catalogue=catalogue)
        )
        if kind not in card.kinds:
            raise ConfigError(
                f"scorecard {card.ref} is configured for '{kind}' but scores only {', '.join(card.kinds)}"
            )
        out[kind] = card
    return out


def distinct_cards(cards: dict[str, Scorecard]) -> list[tuple[Scorecard, tuple[str, ...]]]:
    """Each scorecard once, with the kinds it scores in this workspace."""
    seen: dict[str, tuple[Scorecard, list[str]]] = {}
    for kind, card in cards.items():
        seen.setdefault(card.ref, (card, []))[1].append(kind)
    return [(card, tuple(kinds)) for card, kinds in seen.values()]


def restrict(card: Scorecard, kinds: tuple[str, ...]) -> Scorecard:
    from dataclasses import replace

    return replace(card, kinds=tuple(k for k in card.kinds if k in kinds))


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
    store: Store,
    cards: dict[str, Scorecard],
    *,
    as_of: datetime | None = None,
    catalogue: Catalogue | None = None,
    events: str = "effective_events",
) -> Snapshot:
    """Score every entity of every configured kind as of ``as_of``; append one snapshot.

    One ``INSERT ... SELECT`` for all scorecards: the events are scanned and aggregated once.
    """
    as_of = parse_time(as_of)
    snapshot_id = f"S{as_of:%Y%m%d}-{uuid.uuid4().hex[:8]}"
    refs = {kind: card.ref for kind, card in cards.items()}
    with store.transaction() as con:
        con.execute(
            "INSERT INTO scores SELECT $snapshot_id AS snapshot_id, entity_id, kind, $as_of::TIMESTAMP AS as_of, "
            f"scorecard, {', '.join(SCORE_COLUMNS[2:])} FROM ({population_sql(cards, catalogue, events)})",
            {"snapshot_id": snapshot_id, "as_of": as_of},
        )
        scored, insufficient = con.execute(
            "SELECT count(score), count(*) - count(score) FROM scores WHERE snapshot_id = ?", [snapshot_id]
        ).fetchone()
        con.execute(
            "INSERT INTO snapshots VALUES (?, ?, ?, 'duckdb', ?, ?, ?)",
            [snapshot_id, as_of, utcnow(), json.dumps(refs), scored, insufficient],
        )
    return Snapshot(snapshot_id, as_of, "duckdb", scored, insufficient, band_counts(store, snapshot_id))


_POPULATION_SQL: dict[tuple, tuple] = {}


def population_sql(cards: dict[str, Scorecard], catalogue: Catalogue | None, events: str) -> str:
    """The one population statement for these cards, compiled once (SQLGlot takes 0.2-0.3 s for two cards)
    with ``$as_of`` bound at run time, as the online query is."""
    plan = distinct_cards(cards)
    key = (tuple((id(card), kinds) for card, kinds in plan), id(catalogue), events)
    hit = _POPULATION_SQL.get(key)
    if hit is None or any(a is not b for a, (b, _) in zip(hit[0], plan, strict=True)) or hit[1] is not catalogue:
        query = population_query(
            [restrict(card, kinds) for card, kinds in plan],
            as_of=exp.Placeholder(this="as_of"),
            catalogue=catalogue,
            events=events,
        )
        if len(_POPULATION_SQL) > 64:
            _POPULATION_SQL.clear()
        hit = _POPULATION_SQL[key] = ([card for card, _ in plan], catalogue, query.sql(dialect="duckdb"))
    return hit[2]


def band_counts(store: Store, snapshot_id: str) -> dict[str, int]:
    rows = store.query("SELECT band, count(*) AS n FROM scores WHERE snapshot_id = ? GROUP BY band", [snapshot_id])
    return {r["band"]: r["n"] for r in rows}


def latest_snapshot(store: Store) -> dict | None:
    rows = store.query("SELECT * FROM snapshots ORDER BY created_at DESC LIMIT 1")
    return rows[0] if rows else None


# ------------------------------------------------------------------------------------------ one entity
def entity_kind(store: Store, entity_id: str) -> str:
    kind = store.scalar("SELECT max(kind) FROM entities WHERE entity_id = ?", [entity_id])
    if kind is None:
        raise NotFoundError(
            f"no entity '{entity_id}'", field="entity_id", fix="check the id (credence show lists scores)"
        )
    return kind


def score_entity(
    store: Store,
    cards: dict[str, Scorecard],
    entity_id: str,
    *,
    as_of: datetime | None = None,
    catalogue: Catalogue | None = None,
    detail: bool = True,
) -> dict:
    """Score one entity now (the online path): the same compiled query, filtered to that entity."""
    kind = entity_kind(store, entity_id)
    if kind not in cards:
        raise ConfigError(f"no scorecard is configured for kind '{kind}'")
    card = cards[kind]
    as_of = parse_time(as_of)
    rows = store.query(online_sql(card, catalogue, detail), {"as_of": as_of, "entity_id": entity_id})
    row = rows[0]
    row["as_of"] = as_of
    row["scorecard"] = card.ref
    row["reasons"] = reasons_of(row)
    if detail:
        row["features"] = feature_breakdown(card, row)
    return row


_ONLINE_SQL: dict[tuple, tuple] = {}


def online_sql(card: Scorecard, catalogue: Catalogue | None, detail: bool) -> str:
    """The one-entity query, compiled once per scorecard with ``$as_of`` and ``$entity_id`` as parameters."""
    key = (id(card), id(catalogue), detail)
    hit = _ONLINE_SQL.get(key)
    if hit is None or hit[0] is not card or hit[1] is not catalogue:
        sql = compile_scorecard(
            card,
            as_of=exp.Placeholder(this="as_of"),
            catalogue=catalogue,
            entity_id=exp.Placeholder(this="entity_id"),
            detail=detail,
        )
        if len(_ONLINE_SQL) > 256:
            _ONLINE_SQL.clear()
        hit = _ONLINE_SQL[key] = (card, catalogue, sql)
    return hit[2]


def reasons_of(row: dict) -> list[dict]:
    return [
        {"code": row[f"reason{k}_code"], "text": row[f"reason{k}_text"]}
        for k in range(1, MAX_REASONS + 1)
        if row.get(f"reason{k}_code")
    ]


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
    return store.query(
        "SELECT s.as_of, s.score, s.band, s.scorecard, s.snapshot_id, n.created_at FROM scores s "
        "JOIN snapshots n USING (snapshot_id) WHERE s.entity_id = ? ORDER BY n.created_at, s.as_of",
        [entity_id],
    )


def latest_score(store: Store, entity_id: str) -> dict | None:
    rows = store.query("SELECT * FROM latest_scores WHERE entity_id = ?", [entity_id])
    if not rows:
        return None
    row = rows[0]
    row["reasons"] = reasons_of(row)
    return row


def is_scored(row: dict) -> bool:
    return row.get("band") != INSUFFICIENT
