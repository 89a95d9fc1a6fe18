"""What the demo adds so that every console panel has something to show.

- an earlier snapshot (30 days before the demo's date), scored first, so drift compares two dated snapshots;
- a provider's late file with typical mistakes, so the quarantine shows records refused with their reasons;
- synthetic protected characteristics (sex, age band) for persons, held apart in ``protected_attributes`` for
  the fairness audit only (no scorecard reads that table), unless a loader already put real ones there.
"""

from __future__ import annotations

from datetime import datetime, timedelta

EARLIER_DAYS = 30


def earlier_snapshot(ws, as_of: datetime):
    """Score the population as of ``EARLIER_DAYS`` before ``as_of`` (call it before the demo's main run)."""
    from credence.services import scoring

    return scoring.score_population(ws, as_of=as_of - timedelta(days=EARLIER_DAYS))


def late_file(ws, as_of: datetime):
    """A provider's file with typical mistakes: each record is quarantined with the field and the reason."""
    from credence.services.ingest import ingest_records

    people = [r["entity_id"] for r in ws.store.query("SELECT entity_id FROM entities ORDER BY entity_id LIMIT 3")]
    provider = ws.store.scalar("SELECT min(provider_id) FROM providers")
    day = (as_of - timedelta(days=3)).strftime("%Y-%m-%d")
    records = [
        {
            "event_id": "LATE-1",
            "provider_id": provider,
            "entity_id": "NOBODY-1",
            "occurred_at": day,
            "type": "purchase",
        },
        {"event_id": "LATE-2", "provider_id": provider, "entity_id": people[0], "occurred_at": day, "type": "pay_day"},
        {
            "event_id": "LATE-3",
            "provider_id": provider,
            "entity_id": people[1 % len(people)],
            "occurred_at": (as_of + timedelta(days=40)).strftime("%Y-%m-%d"),
            "type": "purchase",
        },
        {"event_id": "LATE-4", "provider_id": provider, "entity_id": people[2 % len(people)], "type": "purchase"},
        {
            "event_id": "LATE-5",
            "provider_id": "unlicensed-co",
            "entity_id": people[0],
            "occurred_at": day,
            "type": "purchase",
        },
    ]
    return ingest_records(
        ws.store, records, source="demo: a provider's late file", submitted_by="demo", catalogue=ws.catalogue
    )


def synthetic_protected(ws, *, seed: int = 7) -> int:
    """Sex and age band for every person, drawn from a hash of the id; skipped when some are already held."""
    if ws.store.scalar("SELECT count(*) FROM protected_attributes"):
        return 0
    with ws.store.transaction() as con:
        con.execute(
            "INSERT INTO protected_attributes "
            "SELECT entity_id, 'sex', CASE WHEN hash(entity_id || ?) % 2 = 0 THEN 'female' ELSE 'male' END, "
            "'demo: synthetic' FROM entities WHERE kind = 'person'",
            [str(seed)],
        )
        con.execute(
            "INSERT INTO protected_attributes "
            "SELECT entity_id, 'age_band', ['18-24', '25-34', '35-49', '50+'][1 + (hash(entity_id || ? || 'age') % 4)::BIGINT], "
            "'demo: synthetic' FROM entities WHERE kind = 'person'",
            [str(seed)],
        )
    return ws.store.scalar("SELECT count(DISTINCT entity_id) FROM protected_attributes")
