"""Finding 7: a conflicting duplicate is quarantined as a conflict with its reason, in every input format; an
unreadable line (invalid UTF-8, not JSON, malformed CSV) is quarantined alone and the rest loads."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from credence.services.ingest import ingest_files, ingest_records

BASE = {"provider_id": "bank", "entity_id": "P1", "occurred_at": "2024-01-01", "type": "loan_opened", "amount": "100"}


def rec(event_id: str, **kw) -> dict:
    return BASE | {"event_id": event_id} | kw


def write(path, records: list[dict], fmt: str):
    if fmt == "csv":
        cols = list(records[0])
        path.write_text(",".join(cols) + "\n" + "".join(",".join(str(r[c]) for c in cols) + "\n" for r in records))
    elif fmt == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in records))
    else:
        pq.write_table(pa.Table.from_pylist(records), path)
    return path


def quarantine(ws, batch_id: str) -> list[dict]:
    return ws.store.query("SELECT record_key, field, reason, record FROM quarantine WHERE batch_id = ?", [batch_id])


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet", "api"])
def test_a_conflicting_duplicate_is_quarantined_as_a_conflict(ws, tmp_path, fmt):
    first = ingest_records(ws.store, [rec("c1"), rec("c2")], kind="events", catalogue=ws.catalogue)
    assert first.accepted == 2
    again = [rec("c1"), rec("c2", amount="999"), rec("c3"), rec("c3", entity_id="P2")]  # same, changed, in-batch
    if fmt == "api":
        r = ingest_records(ws.store, again, kind="events", catalogue=ws.catalogue)
    else:
        r = ingest_files(ws.store, write(tmp_path / f"e.{fmt}", again, fmt), catalogue=ws.catalogue)[0]
    assert (r.received, r.accepted, r.duplicates, r.quarantined) == (4, 1, 1, 2)
    q = {row["record_key"]: row for row in quarantine(ws, r.batch_id)}
    assert q["bank/c2"]["field"] == "amount" and "conflicts with the stored event bank/c2" in q["bank/c2"]["reason"]
    assert q["bank/c3"]["field"] == "entity_id" and "conflicts with an earlier record" in q["bank/c3"]["reason"]
    assert "supersedes" in q["bank/c2"]["reason"]  # the fix: how to correct an event
    stored = ws.store.query("SELECT amount, entity_id FROM events WHERE event_id IN ('c2', 'c3') ORDER BY event_id")
    assert [(s["amount"], s["entity_id"]) for s in stored] == [(100.0, "P1"), (100.0, "P1")]  # the first stands


def test_one_invalid_utf8_line_in_json_lines_is_quarantined_and_the_rest_loads(ws, tmp_path):
    path = tmp_path / "e.jsonl"
    lines = [json.dumps(rec("u1")).encode(), b'{"provider_id": "bank", "event_id": "u2", "x": "\xff\xfe"}']
    path.write_bytes(b"\n".join([*lines, json.dumps(rec("u3")).encode()]) + b"\n")
    r = ingest_files(ws.store, path, catalogue=ws.catalogue)[0]
    assert (r.received, r.accepted, r.quarantined) == (3, 2, 1)
    (q,) = quarantine(ws, r.batch_id)
    assert "line 2" in q["reason"] and "UTF-8" in q["reason"]


@pytest.mark.parametrize(
    "fmt,content",
    [
        ("jsonl", b'{"provider_id": "bank", "event_id": "b1"\nnot json at all\n[1, 2]\n'),
        ("csv", b'provider_id,event_id,entity_id,occurred_at,type\nbank,"unclosed,P1,2024-01-01,loan_opened\n'),
    ],
)
def test_unreadable_lines_are_quarantined_one_by_one_and_counts_add_up(ws, tmp_path, fmt, content):
    good = (
        json.dumps(rec("g1")).encode() + b"\n"
        if fmt == "jsonl"
        else b"provider_id,event_id,entity_id,occurred_at,type\nbank,g1,P1,2024-01-01,loan_opened\n"
    )
    path = tmp_path / f"e.{fmt}"
    path.write_bytes(good + (content if fmt == "jsonl" else content.split(b"\n", 1)[1]))
    r = ingest_files(ws.store, path, catalogue=ws.catalogue)[0]
    assert r.accepted == 1 and r.quarantined >= 1 and r.received == r.accepted + r.duplicates + r.quarantined
