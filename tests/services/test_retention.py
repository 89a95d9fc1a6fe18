"""Guardrail 6: adverse events past retention stop counting and are purged; erasure leaves only its record."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from credence.errors import NotFoundError
from credence.services.certificates import certify, load_revocations
from credence.services.decisions import decide
from credence.services.disputes import open_dispute
from credence.services.grants import grant, revoke
from credence.services.retention import erase, erasures, purge, purges, subject_hash
from credence.services.scoring import score_population
from credence.store.schema import V1
from tests.builder import NOW, add_entity, add_event, score

YEAR = timedelta(days=365.25)


def test_adverse_events_past_retention_stop_counting_and_purge_removes_only_them(ws):
    clean = score(ws, "P2")["score"]
    add_event(ws, "bank", "old-default", "P2", "loan_default", NOW - 7 * YEAR - timedelta(days=30))
    assert score(ws, "P2")["score"] == clean  # past 7 years: it no longer counts, before any purge
    add_event(ws, "court", "old-bankruptcy", "P2", "bankruptcy", NOW - 8 * YEAR)  # within its 10 years
    add_event(ws, "court", "ancient-bankruptcy", "P2", "bankruptcy", NOW - 10 * YEAR - timedelta(days=30))
    add_event(ws, "bank", "old-ontime", "P2", "loan_opened", NOW - 9 * YEAR)  # not adverse: kept
    open_dispute(ws, "P2", "bank", "old-default")
    s = score(ws, "P2")
    assert s["score"] < clean  # the 8-year-old bankruptcy still counts (10 years)
    bankrupt_only = s["score"]

    dry = purge(ws, dry_run=True)
    assert dry["events"] == 2 and ws.store.count("purges") == 0
    out = purge(ws)
    assert (out["events"], out["disputes"]) == (2, 1)
    assert out["by_type"] == {"bankruptcy": 1, "loan_default": 1}
    left = {r["event_id"] for r in ws.store.query("SELECT event_id FROM events WHERE entity_id = 'P2'")}
    assert {"old-bankruptcy", "old-ontime"} <= left and not {"old-default", "ancient-bankruptcy"} & left
    assert ws.store.count("disputes") == 0
    assert purges(ws)[0]["rows_removed"]["events"] == 2
    assert score(ws, "P2")["score"] == bankrupt_only  # purging changes nothing that counted
    assert purge(ws)["events"] == 0


def _tables_and_columns(ws) -> dict[str, list[str]]:
    rows = ws.store.query(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_name IN (SELECT table_name FROM "
        "information_schema.tables WHERE table_type = 'BASE TABLE')"
    )
    out: dict[str, list[str]] = {}
    for r in rows:
        out.setdefault(r["table_name"], []).append(r["column_name"])
    return out


def test_an_erased_subject_is_gone_from_every_table_and_the_erasure_record_remains(ws):
    add_event(ws, "circle", "v1", "P1", "vouch_given", NOW - timedelta(days=10), counterparty="P2")
    add_event(ws, "circle", "v2", "P2", "vouch_accepted", NOW - timedelta(days=9), counterparty="P1")
    score_population(ws)
    g = grant(ws, "P1", "bikeshare", "decisions", "bike rental", "30d")
    decide(ws, "P1", "bike-deposit-free", "bikeshare")
    revoke(ws, g["grant_id"])
    grant(ws, "P2", "P1", "score", "curiosity", "30d")  # P1 appears in P2's record as a viewer
    cert = certify(ws, "P1", "hotel")
    open_dispute(ws, "P1", "bank", "P1-inst-0")
    with ws.store.transaction() as con:
        con.execute("INSERT INTO outcomes VALUES ('P1', now()::TIMESTAMP, 12, false, 'test')")
        con.execute("INSERT INTO protected_attributes VALUES ('P1', 'age_in_years', '41', 'test')")
    p2_events = ws.store.count("events WHERE entity_id = 'P2'")

    record = erase(ws, "P1")

    assert record["subject_hash"] == subject_hash(ws, "P1")
    for table, columns in _tables_and_columns(ws).items():
        for column in columns:
            n = ws.store.scalar(f'SELECT count(*) FROM "{table}" WHERE CAST("{column}" AS VARCHAR) = ?', ["P1"])
            assert n == 0, f"{table}.{column} still holds P1"
    stored = erasures(ws)
    assert [(e["erasure_id"], e["subject_hash"]) for e in stored] == [(record["erasure_id"], subject_hash(ws, "P1"))]
    removed = stored[0]["rows_removed"]
    assert removed["events"] == 33 and removed["grants"] == 1 and removed["decisions"] == 1
    assert removed["scores"] == 1 and removed["outcomes"] == 1 and removed["protected_attributes"] == 1
    # others keep their records, with P1 replaced by a pseudonym
    assert ws.store.count("events WHERE entity_id = 'P2'") == p2_events
    assert ws.store.scalar("SELECT counterparty_id FROM events WHERE event_id = 'v2'").startswith("erased:")
    assert ws.store.scalar("SELECT viewer_id FROM grants WHERE subject_id = 'P2'").startswith("erased:")
    # its certificates are revoked on the published list (ids only)
    assert cert["certificate_id"] in load_revocations(ws.keys.revocations)
    with pytest.raises(NotFoundError):
        erase(ws, "P1")


def test_erasure_table_list_covers_every_table_of_the_schema():
    """A new table holding entity data must be added to erasure: this test names it."""
    from credence.services.retention import MENTIONS, SUBJECT_ROWS

    covered = {t for t, _ in SUBJECT_ROWS + MENTIONS} | {"grant_revocations", "certificate_revocations", "quarantine"}
    not_personal = {"providers", "batches", "snapshots", "erasures", "purges"}
    tables = {ddl.split("(")[0].split()[-1] for ddl in V1 if ddl.lstrip().startswith("CREATE TABLE")}
    assert tables - covered - not_personal == set()


def test_erasure_record_names_no_one(ws):
    add_entity(ws, "P9")
    record = erase(ws, "P9")
    assert "P9" not in json.dumps(erasures(ws), default=str)
    assert record["rows_removed"] == {"entities": 1}
