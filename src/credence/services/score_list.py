"""Finding entities by their score: today's scores (``current_scores``, kept exact by ``serving.py``) filtered
by band, kind, score range and change since a snapshot, one page at a time."""

from __future__ import annotations

from credence.clock import parse_time
from credence.domain.bands import MAX_SCORE, MIN_SCORE
from credence.errors import NotFoundError, ValidationError
from credence.services.serving import attach, refresh
from credence.store import queries
from credence.workspace import Workspace

MAX_PAGE = 10_000


def list_scores(
    ws: Workspace,
    *,
    bands: list[str] | None = None,
    kinds: list[str] | None = None,
    min_score: int | None = None,
    max_score: int | None = None,
    changed_since: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict:
    """``{total, limit, offset, since, scores}``: one page of today's scores, ordered by entity id.

    ``changed_since`` is a snapshot id, or a time: the latest snapshot as of that time or before. Only the
    entities whose score or band differs from that snapshot's (or that it did not hold) are listed.
    """
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationError(f"limit {limit} is outside 1-{MAX_PAGE}", field="limit")
    if offset < 0:
        raise ValidationError(f"offset {offset} is negative", field="offset")
    for name, value in (("min_score", min_score), ("max_score", max_score)):
        if value is not None and not MIN_SCORE <= value <= MAX_SCORE:
            raise ValidationError(f"{name} {value} is outside {MIN_SCORE}-{MAX_SCORE}", field=name)
    if min_score is not None and max_score is not None and min_score > max_score:
        raise ValidationError(
            f"min_score {min_score} is above max_score {max_score}", field="min_score", fix="swap them"
        )
    since = since_snapshot(ws, changed_since) if changed_since else None
    serving = attach(ws)
    now = serving.clock()
    if not serving.fresh(now) and not serving.check(now):
        refresh(ws, now)  # a writer held the lock: wait for it, then bring the table up to now
    total, rows = queries.current_scores_page(
        ws.store,
        bands=bands,
        kinds=kinds,
        min_score=min_score,
        max_score=max_score,
        changed_since=since["snapshot_id"] if since else None,
        limit=limit,
        offset=offset,
    )
    return {"total": total, "limit": limit, "offset": offset, "since": since, "scores": rows}


def since_snapshot(ws: Workspace, value: str) -> dict:
    """The snapshot named ``value``, or the latest one as of the time ``value`` or before."""
    snaps = queries.snapshots(ws.store)
    named = [s for s in snaps if s["snapshot_id"] == value]
    if named:
        return named[0]
    t = parse_time(value, "changed_since")
    before = [s for s in snaps if s["as_of"] <= t]
    if not before:
        raise NotFoundError(
            f"no score snapshot as of {t:%Y-%m-%d %H:%M} or before to compare with",
            field="changed_since",
            fix="give a later time or a snapshot id (credence audit --list), or score as of that time first "
            "(credence score --as-of TIME)",
        )
    return max(before, key=lambda s: (s["as_of"], s["created_at"]))
