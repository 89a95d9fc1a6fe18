"""The shared questions about the store, answered in one place: which entity is this, which of its events
count, its latest score, the snapshots. Services, the API and the portal ask here instead of writing SQL.

``entities`` and ``events`` are append-only: an entity re-registered keeps every row, and "the entity" is its
latest registration (``ORDER BY registered_at DESC``), never an arbitrary ``LIMIT 1``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from credence.errors import NotFoundError
from credence.store import history
from credence.store.cache import ENTITIES, HISTORY, GenerationCache
from credence.store.store import Store

if TYPE_CHECKING:
    import pandas as pd

ENTITY_COLUMNS = "entity_id, kind, display_name, registered_at"


def df(store: Store, sql: str, params: list | dict | None = None) -> pd.DataFrame:
    """The rows of ``sql`` as a pandas DataFrame (through Arrow, without a per-row Python loop)."""
    return store.read(sql).execute(sql, params or []).df()


# ------------------------------------------------------------------------------------------ entities
def entity_exists(store: Store, entity_id: str) -> bool:
    """Kept until the next committed write (every decision asks)."""
    return _EXISTS.get(
        store, entity_id, lambda: store.scalar("SELECT count(*) FROM entities WHERE entity_id = ?", [entity_id]) > 0
    )


_EXISTS = GenerationCache(topic=ENTITIES)


def registrations(store: Store, entity_id: str) -> list[dict]:
    """Every registration of ``entity_id``, oldest first (all columns)."""
    return store.query("SELECT * FROM entities WHERE entity_id = ? ORDER BY registered_at", [entity_id])


def entity(store: Store, entity_id: str) -> dict:
    """The entity's latest registration (id, kind, display name, registered_at), or NotFoundError. Kept until
    the next committed write (the subject's page data asks on every read)."""
    rows = _ENTITY.get(store, entity_id, lambda: tuple(store.query(_ENTITY_SQL, [entity_id])))
    if not rows:
        raise NotFoundError(
            f"no entity '{entity_id}'", field="entity_id", fix="check the id (credence show lists scores)"
        )
    return dict(rows[0])


_ENTITY_SQL = f"SELECT {ENTITY_COLUMNS} FROM entities WHERE entity_id = ? ORDER BY registered_at DESC LIMIT 1"
_ENTITY = GenerationCache(topic=ENTITIES)


def entity_kind(store: Store, entity_id: str) -> str:
    """The kind of ``entity_id`` (its latest registration's), or NotFoundError."""
    return entity(store, entity_id)["kind"]


def list_entities(store: Store, *, kind: str | None = None, limit: int = 50, offset: int = 0) -> tuple[int, list]:
    """(total, one page of entities ordered by id), optionally of one kind."""
    where, params = ("WHERE kind = ?", [kind]) if kind else ("", [])
    total = store.scalar(f"SELECT count(*) FROM entities {where}", params)
    rows = store.query(
        f"SELECT {ENTITY_COLUMNS} FROM entities {where} ORDER BY entity_id, registered_at LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return total, rows


# ------------------------------------------------------------------------------------------ events
# Whether an event counts is the store's ``effective_events`` view: one definition, asked for here. Every part
# is read for the one entity (or is small: corrections, disputes, providers) and joined by key: as correlated
# subqueries DuckDB planned them as joins over the whole events table (50 ms at 1.2M events, 14 ms now).
ENTITY_EVENTS_SQL = """
SELECT e.*, p.name AS provider_name, f.event_id IS NOT NULL AS counts, s.superseded_by, d.dispute
FROM (SELECT * FROM events WHERE entity_id = $entity_id) e
LEFT JOIN (SELECT provider_id, max(name) AS name FROM providers GROUP BY provider_id) p
    ON p.provider_id = e.provider_id
LEFT JOIN (SELECT DISTINCT provider_id, event_id FROM effective_events WHERE entity_id = $entity_id) f
    ON f.provider_id = e.provider_id AND f.event_id = e.event_id
LEFT JOIN (SELECT provider_id, event_id, max(superseded_by) AS superseded_by FROM superseded_events
           GROUP BY provider_id, event_id) s
    ON s.provider_id = e.provider_id AND s.event_id = e.event_id
LEFT JOIN (SELECT provider_id, event_id, arg_max(action, acted_at) AS dispute FROM disputes
           GROUP BY provider_id, event_id) d
    ON d.provider_id = e.provider_id AND d.event_id = e.event_id
ORDER BY e.occurred_at {order}, e.provider_id, e.event_id
LIMIT $limit OFFSET $offset
"""


def entity_events(
    store: Store, entity_id: str, *, newest_first: bool = True, limit: int | None = None, offset: int = 0
) -> list[dict]:
    """Every event held about ``entity_id`` with its status: ``counts`` (in ``effective_events``),
    ``superseded_by`` (the correction's id), ``dispute`` (the latest dispute action) and ``provider_name``."""
    sql = ENTITY_EVENTS_SQL.format(order="DESC" if newest_first else "ASC")
    params = {"entity_id": entity_id, "limit": limit, "offset": offset}
    key = (entity_id, newest_first, limit, offset)
    return [dict(r) for r in _EVENTS.get(store, key, lambda: tuple(store.query(sql, params)))]


_EVENTS = GenerationCache(maxsize=4096)  # a subject's page asks on every view; kept until the next write


# ------------------------------------------------------------------------------------------ scores
# One entity's snapshot rows are one keyed row of ``entity_scores`` (``store/history.py``): a point lookup
# whatever the number of snapshots.
def latest_score(store: Store, entity_id: str) -> dict | None:
    """The entity's row in its most recent snapshot, or None if it was never scored."""
    return history.latest(store, entity_id)


def score_history(store: Store, entity_id: str) -> list[dict]:
    """Every stored score of ``entity_id``, in the order the snapshots were made (kept until the next write)."""
    return [dict(r) for r in _HISTORY.get(store, entity_id, lambda: tuple(history.history(store, entity_id)))]


_HISTORY = GenerationCache(maxsize=4096, topic=HISTORY)  # snapshots move it: a scoring run (not an ingest)


def score_rows(store: Store, entity_id: str) -> list[dict]:
    """Every stored row of ``entity_id`` (all score columns, its reasons then, and the snapshot's created_at), in
    snapshot order. Reads every snapshot's rows: for the disclosure report, made on a subject's request; the
    served reads (``latest_score``, ``score_history``) use the keyed history."""
    return store.query(
        "SELECT s.*, n.created_at FROM scores s JOIN snapshots n USING (snapshot_id) WHERE s.entity_id = ? "
        "ORDER BY n.created_at, s.as_of",
        [entity_id],
    )


def snapshots(store: Store, *, newest_first: bool = False, limit: int | None = None) -> list[dict]:
    """The snapshots, in the order they were made (or newest first)."""
    order = "DESC" if newest_first else "ASC"
    return store.query(
        f"SELECT * FROM snapshots ORDER BY created_at {order}, as_of {order}, snapshot_id {order} LIMIT ?", [limit]
    )


def latest_snapshot(store: Store) -> dict | None:
    rows = snapshots(store, newest_first=True, limit=1)
    return rows[0] if rows else None


def band_counts(store: Store, snapshot_id: str) -> dict[str, int]:
    rows = store.query("SELECT band, count(*) AS n FROM scores WHERE snapshot_id = ? GROUP BY band", [snapshot_id])
    return {r["band"]: r["n"] for r in rows}


# ------------------------------------------------------------------------------------------ current scores
# Today's score of every entity, as ``services/serving.py`` keeps it in ``current_scores``; the CTE is the one
# place that knows the table's columns.
_CURRENT = "WITH c AS (SELECT entity_id, kind, score, band, scorecard, as_of AS computed_at FROM current_scores)"


def current_scores_page(
    store: Store,
    *,
    bands: list[str] | None = None,
    kinds: list[str] | None = None,
    min_score: int | None = None,
    max_score: int | None = None,
    changed_since: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[dict]]:
    """(total, one page ordered by entity id) of today's scores, filtered by band, kind and score range;
    ``changed_since`` (a snapshot id): only entities whose score or band differs from their row in that
    snapshot, or that it did not hold. Each row has ``previous_score``/``previous_band`` (that snapshot's)."""
    where, params = [], {"snapshot": changed_since}
    if bands:
        where.append("list_contains($bands, c.band)")
        params["bands"] = list(bands)
    if kinds:
        where.append("list_contains($kinds, c.kind)")
        params["kinds"] = list(kinds)
    if min_score is not None:
        where.append("c.score >= $min_score")
        params["min_score"] = min_score
    if max_score is not None:
        where.append("c.score <= $max_score")
        params["max_score"] = max_score
    if changed_since is not None:
        where.append("(p.entity_id IS NULL OR p.score IS DISTINCT FROM c.score OR p.band IS DISTINCT FROM c.band)")
    body = (
        "FROM c LEFT JOIN (SELECT entity_id, score, band FROM scores WHERE snapshot_id = $snapshot) p "
        f"ON p.entity_id = c.entity_id {'WHERE ' + ' AND '.join(where) if where else ''}"
    )
    total = store.query(f"{_CURRENT} SELECT count(*) AS n {body}", params)[0]["n"]
    rows = store.query(
        f"{_CURRENT} SELECT c.*, p.score AS previous_score, p.band AS previous_band {body} "
        "ORDER BY c.entity_id LIMIT $limit OFFSET $offset",
        params | {"limit": limit, "offset": offset},
    )
    return total, rows
