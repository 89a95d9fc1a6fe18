"""The store's schema: migrations keep the meaning of the views; supersessions live as long as corrections."""

from __future__ import annotations

from datetime import datetime

import duckdb

from credence.store import Store, supersessions
from credence.store.schema import MIGRATIONS, SCHEMA_VERSION

T = datetime(2026, 1, 1)


def _event(event_id: str, supersedes: str | None = None, provider: str = "bank") -> list:
    return [provider, event_id, "P1", T, "loan_default", "lending", "credit_history", True, 100.0, None, None,
            None, None, supersedes, T, "b1"]  # fmt: skip


def _insert(con, *events) -> None:
    con.executemany(f"INSERT INTO events VALUES ({', '.join('?' * 16)})", [list(e) for e in events])


def test_migrating_a_v2_store_records_its_existing_corrections(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER, applied_at TIMESTAMP)")
    for version, ddls in enumerate(MIGRATIONS[:2], start=1):
        for ddl in ddls:
            con.execute(ddl)
        con.execute("INSERT INTO schema_version VALUES (?, now()::TIMESTAMP)", [version])
    _insert(con, _event("e1"), _event("e1-fix", supersedes="e1"), _event("e2"))
    before = sorted(r[0] for r in con.execute("SELECT event_id FROM effective_events").fetchall())
    con.close()
    with Store(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        after = sorted(r["event_id"] for r in store.query("SELECT event_id FROM effective_events"))
        assert after == before == ["e1-fix", "e2"]
        assert store.query("SELECT * FROM superseded_events") == [
            {"provider_id": "bank", "event_id": "e1", "superseded_by": "e1-fix"}
        ]


def test_a_supersession_is_recorded_once_and_forgotten_with_its_correction(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        with store.transaction() as con:
            _insert(con, _event("e1"), _event("e1-fix", supersedes="e1"), _event("x", provider="other"))
            supersessions.record(con)
            supersessions.record(con)  # idempotent
        assert store.count("superseded_events") == 1
        assert {r["event_id"] for r in store.query("SELECT event_id FROM effective_events")} == {"e1-fix", "x"}
        with store.transaction() as con:
            con.execute("DELETE FROM events WHERE event_id = 'e1-fix'")
            supersessions.forget_orphans(con)
        assert store.count("superseded_events") == 0
        assert {r["event_id"] for r in store.query("SELECT event_id FROM effective_events")} == {"e1", "x"}
