"""Generation caches by topic (store/cache.py): a write that names what it changes leaves values cached under
other topics valid; a write that names nothing, or names the topic, makes them stale at once. On a workspace:
an ingest keeps the hot path's grants in memory, a revocation is seen by the very next read."""

from __future__ import annotations

from credence.services import grants
from credence.services.ingest import ingest_records
from credence.store import Store
from credence.store.cache import GRANTS, GenerationCache


def ingest_one(ws, event_id: str):
    """Ingest one bike return of P1 (a provider's batch: it names the ingest's topics)."""
    event = {
        "provider_id": "bikes",
        "event_id": event_id,
        "entity_id": "P1",
        "occurred_at": "2026-01-05T10:00:00",
        "type": "rental_returned_ok",
    }
    return ingest_records(ws.store, [event], catalogue=ws.catalogue)


def test_a_write_naming_other_topics_keeps_the_value_and_any_other_write_drops_it(tmp_path):
    store = Store(tmp_path / "c.duckdb")
    cache, computed = GenerationCache(topic=GRANTS), []

    def read() -> int:
        return cache.get(store, "k", lambda: computed.append(1) or len(computed))

    try:
        assert read() == 1 and read() == 1
        with store.transaction(touches={"events", "scores"}):
            pass
        assert read() == 1, "a write that does not touch grants keeps the value"
        with store.transaction(touches={GRANTS}):
            pass
        assert read() == 2
        with store.transaction():  # names nothing: may change anything
            pass
        assert read() == 3 and read() == 3
        plain = GenerationCache()
        assert plain.get(store, "k", lambda: "a") == "a"
        with store.transaction(touches={"events"}):
            pass
        assert plain.get(store, "k", lambda: "b") == "b", "a cache without a topic follows every write"
    finally:
        store.close()


def test_an_ingest_keeps_cached_grants_and_a_revocation_is_seen_at_once(ws):
    g = grants.grant(ws, "P1", "P2", "score", "curiosity", "30d")
    assert grants.live_grant(ws, "P1", "P2", "score", "curiosity")["grant_id"] == g["grant_id"]
    misses = grants._LIVE.misses
    report = ingest_one(ws, "TOPIC-1")
    assert report.accepted == 1, report
    assert grants.live_grant(ws, "P1", "P2", "score", "curiosity")["grant_id"] == g["grant_id"]
    assert grants._LIVE.misses == misses, "the ingest did not send the grant check back to the store"
    grants.revoke(ws, g["grant_id"], revoked_by="P1", by_role="subject")
    assert grants.live_grant(ws, "P1", "P2", "score", "curiosity") is None


def test_an_ingest_keeps_a_cached_score_history_and_a_scoring_run_moves_it(ws):
    from credence.services.scoring import score_population
    from credence.store import queries

    score_population(ws)
    before = queries.score_history(ws.store, "P1")
    misses = queries._HISTORY.misses
    assert ingest_one(ws, "TOPIC-2").accepted == 1
    assert queries.score_history(ws.store, "P1") == before
    assert queries._HISTORY.misses == misses, "an ingest makes no snapshot: the history stayed in memory"
    score_population(ws)
    after = queries.score_history(ws.store, "P1")
    # (both runs may fall in one second: the order of snapshots made in the same second is not defined)
    assert len(after) == len(before) + 1 and all(row in after for row in before)
