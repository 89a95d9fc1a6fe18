"""Ingest: every record stored, quarantined with its field and reason, or counted a duplicate; batches whole."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from credence.domain.catalogue import default_catalogue
from credence.errors import ValidationError
from credence.services.ingest import ingest_files, ingest_records
from credence.store import Store

CAT = default_catalogue()  # the shipped catalogue, passed as a workspace passes its own

PROVIDERS = [
    {"provider_id": "pay", "name": "PayApp", "categories": "commerce;bills"},
    {"provider_id": "bank", "name": "Bank", "categories": "lending;connections"},
]
ENTITIES = [
    {"entity_id": "ann", "kind": "person", "display_name": "Ann"},
    {"entity_id": "bob", "kind": "person", "display_name": "Bob"},
    {"entity_id": "acme", "kind": "business", "display_name": "Acme Ltd"},
]
COLUMNS = [
    "event_id",
    "provider_id",
    "entity_id",
    "occurred_at",
    "type",
    "amount",
    "days_late",
    "purchase_category",
    "counterparty_id",
    "note",
]
GOOD = [
    dict(
        event_id="g1",
        provider_id="pay",
        entity_id="ann",
        occurred_at="2024-03-01T10:00:00+02:00",
        type="purchase",
        amount="12.5",
        purchase_category="groceries",
    ),
    dict(
        event_id="g2",
        provider_id="bank",
        entity_id="ann",
        occurred_at="2024-03-02",
        type="instalment_paid_late",
        days_late="12",
    ),
    dict(
        event_id="g3",
        provider_id="bank",
        entity_id="ann",
        occurred_at="2024-03-03 09:30",
        type="vouch_given",
        counterparty_id="bob",
    ),
    dict(
        event_id="g4",
        provider_id="pay",
        entity_id="acme",
        occurred_at="2024-03-04T00:00:00Z",
        type="utility_bill_paid_on_time",
    ),
]
# event_id -> (record, the field it must be quarantined on, words its reason must contain)
BAD = {
    "b01": (
        dict(provider_id="pay", entity_id="ann", occurred_at="2031-01-01", type="purchase", amount="1"),
        "occurred_at",
        ["'2031-01-01'", "in the future", "report events only after they happen"],
    ),
    "b02": (
        dict(provider_id="pay", entity_id="ann", occurred_at="yesterday", type="purchase", amount="1"),
        "occurred_at",
        ["'yesterday'", "ISO 8601"],
    ),
    "b03": (
        dict(provider_id="ghost", entity_id="ann", occurred_at="2024-01-01", type="purchase", amount="1"),
        "provider_id",
        ["'ghost'", "not a registered provider"],
    ),
    "b04": (
        dict(provider_id="pay", entity_id="ann", occurred_at="2024-01-01", type="teleport"),
        "type",
        ["'teleport'", "not in the event catalogue"],
    ),
    "b05": (
        dict(provider_id="bank", entity_id="ann", occurred_at="2024-01-01", type="purchase", amount="1"),
        "type",
        ["'commerce'", "not licensed", "lending"],
    ),
    "b06": (
        dict(provider_id="pay", entity_id="zed", occurred_at="2024-01-01", type="purchase", amount="1"),
        "entity_id",
        ["'zed'", "not a registered entity"],
    ),
    "b07": (
        dict(provider_id="pay", entity_id="ann", occurred_at="2024-01-01", type="purchase", amount="lots"),
        "amount",
        ["'lots'", "not a finite number"],
    ),
    "b08": (
        dict(provider_id="pay", entity_id="ann", occurred_at="2024-01-01", type="purchase"),
        "amount",
        ["'amount' is missing", "requires an amount"],
    ),
    "b09": (
        dict(
            provider_id="pay",
            entity_id="ann",
            occurred_at="2024-01-01",
            type="purchase",
            amount="1",
            purchase_category="weapons",
        ),
        "purchase_category",
        ["'weapons'", "not an allowed value", "groceries"],
    ),
    "b10": (
        dict(provider_id="bank", entity_id="ann", occurred_at="2024-01-01", type="instalment_paid_late"),
        "days_late",
        ["'days_late' is missing", "instalment_paid_late"],
    ),
    "b11": (
        dict(
            provider_id="bank", entity_id="ann", occurred_at="2024-01-01", type="instalment_paid_late", days_late="2.5"
        ),
        "days_late",
        ["'2.5'", "whole number"],
    ),
    "b12": (
        dict(
            provider_id="bank",
            entity_id="ann",
            occurred_at="2024-01-01",
            type="instalment_paid_late",
            days_late="99999",
        ),
        "days_late",
        ["'99999'", "out of range", "0 to 3650"],
    ),
    "b13": (
        dict(provider_id="pay", entity_id="ann", occurred_at="2024-01-01", type="purchase", amount="1", days_late="3"),
        "days_late",
        ["'3'", "not used by event type 'purchase'", "leave it empty"],
    ),
    "b14": (
        dict(
            provider_id="bank", entity_id="ann", occurred_at="2024-01-01", type="vouch_given", counterparty_id="nobody"
        ),
        "counterparty_id",
        ["'nobody'", "not a registered entity"],
    ),
    "b15": (
        dict(provider_id="pay", entity_id="ann", occurred_at="2024-01-01", type="purchase", amount="1", note="hi"),
        "note",
        ["unknown attribute", "value is not kept"],
    ),
    "b16": (
        dict(provider_id="pay", occurred_at="2024-01-01", type="purchase", amount="1"),
        "entity_id",
        ["'entity_id' is missing"],
    ),
    "b17": (
        dict(provider_id="pay", entity_id="ann", occurred_at="2024-01-01", type="loan_closed"),
        "type",
        ["'lending'", "not licensed"],
    ),
}


def write_csv(path: Path, rows: list[dict], columns: list[str] | None = None) -> Path:
    columns = columns or list(dict.fromkeys(k for r in rows for k in r))
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns)
        w.writeheader()
        w.writerows(rows)
    return path


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def write_parquet(path: Path, rows: list[dict], columns: list[str]) -> Path:
    pq.write_table(pa.table({c: pa.array([r.get(c) for r in rows], pa.string()) for c in columns}), path)
    return path


def mixed_records() -> list[dict]:
    """Good and bad events in one file, bad ones in between."""
    rows = [GOOD[0], GOOD[1]]
    rows += [{"event_id": k, **rec} for k, (rec, _, _) in BAD.items()]
    return rows + [GOOD[2], GOOD[3]]


@pytest.fixture
def store(tmp_path) -> Store:
    s = Store(tmp_path / "x.duckdb")
    reports = ingest_files(
        s,
        [write_csv(tmp_path / "providers.csv", PROVIDERS), write_jsonl(tmp_path / "entities.jsonl", ENTITIES)],
        catalogue=CAT,
    )
    assert [(r.kind, r.accepted) for r in reports] == [("providers", 2), ("entities", 3)]
    yield s
    s.close()


def quarantined(store: Store, batch_id: str) -> dict[str, dict]:
    rows = store.query("SELECT * FROM quarantine WHERE batch_id = ? ORDER BY record_no", [batch_id])
    return {r["record_key"].split("/")[1] if r["record_key"] else str(r["record_no"]): r for r in rows}


def assert_adds_up(r) -> None:
    assert r.received == r.accepted + r.duplicates + r.quarantined


def test_each_bad_record_is_quarantined_with_its_field_and_reason(store, tmp_path):
    rows = mixed_records()
    r = ingest_files(store, write_csv(tmp_path / "events.csv", rows, COLUMNS), catalogue=CAT)[0]
    assert (r.kind, r.received, r.accepted, r.duplicates, r.quarantined) == ("events", 21, 4, 0, 17)
    assert_adds_up(r)
    q = quarantined(store, r.batch_id)
    for event_id, (_, field, words) in BAD.items():
        got = q[event_id]
        assert got["field"] == field, (event_id, got)
        assert f"field '{field}'" in got["reason"], got["reason"]
        for w in words:
            assert w in got["reason"], (event_id, w, got["reason"])
        assert got["record_no"] == rows.index(next(x for x in rows if x.get("event_id") == event_id)) + 1
        assert json.loads(got["record"])["event_id"] == event_id
    stored = {e["event_id"]: e for e in store.query("SELECT * FROM events")}
    assert set(stored) == {"g1", "g2", "g3", "g4"}
    assert (stored["g2"]["category"], stored["g2"]["dimension"], stored["g2"]["adverse"]) == (
        "lending",
        "credit_history",
        True,
    )
    assert stored["g2"]["days_late"] == 12 and stored["g3"]["counterparty_id"] == "bob"
    batch = store.query("SELECT * FROM batches WHERE batch_id = ?", [r.batch_id])[0]
    assert (batch["received"], batch["accepted"], batch["quarantined"]) == (21, 4, 17)
    assert len(r.sample_reasons) == 5 and r.sample_reasons[0].startswith("record 3 (pay/b01): field 'occurred_at'")


def test_reingesting_the_same_file_is_a_no_op(store, tmp_path):
    path = write_csv(tmp_path / "events.csv", GOOD, COLUMNS)
    first = ingest_files(store, path, catalogue=CAT)[0]
    again = ingest_files(store, path, catalogue=CAT)[0]
    assert (first.accepted, again.accepted, again.duplicates, again.quarantined) == (4, 0, 4, 0)
    assert store.count("events") == 4 and store.count("quarantine") == 0
    assert store.count("batches") == 4  # providers, entities and two event batches


def test_a_key_repeated_in_a_batch_counts_once_and_the_first_good_occurrence_wins(store, tmp_path):
    base = dict(provider_id="pay", entity_id="ann", type="purchase", purchase_category="books")
    rows = [
        dict(base, event_id="d1", occurred_at="2024-01-01", amount="1"),
        dict(base, event_id="d1", occurred_at="2024-01-02", amount="2"),  # repeat, other content: a conflict
        dict(base, event_id="d2", occurred_at="2031-01-01", amount="3"),  # bad: quarantined
        dict(base, event_id="d2", occurred_at="2024-01-03", amount="4"),  # first good d2: stored
        dict(base, event_id="d2", occurred_at="2024-01-04", amount="5"),  # repeat, other content: a conflict
        dict(base, event_id="d2", occurred_at="2024-01-03", amount="4"),  # the same again: a no-op
    ]
    r = ingest_files(store, write_csv(tmp_path / "dups.csv", rows), catalogue=CAT)[0]
    assert (r.received, r.accepted, r.duplicates, r.quarantined) == (6, 2, 1, 3)
    conflicts = store.query("SELECT record_key, reason FROM quarantine WHERE reason LIKE '%conflicts with%'")
    assert sorted(c["record_key"] for c in conflicts) == ["pay/d1", "pay/d2"]
    amounts = {e["event_id"]: e["amount"] for e in store.query("SELECT event_id, amount FROM events")}
    assert amounts == {"d1": 1.0, "d2": 4.0}


def test_duplicates_across_chunks_and_parquet_parts(store, tmp_path):
    parts = tmp_path / "parts"
    parts.mkdir()
    cols = ["event_id", "provider_id", "entity_id", "occurred_at", "type", "amount"]
    rows = [
        dict(
            event_id=f"p{i}", provider_id="pay", entity_id="ann", occurred_at="2024-01-01", type="refund", amount=str(i)
        )
        for i in range(10)
    ]
    # parts of 1, 1 and 2 rows are read together (one chunk), the 8-row part in two chunks of 4
    write_parquet(parts / "part-0.parquet", rows[:1], cols)
    write_parquet(parts / "part-1.parquet", [dict(rows[1], event_id="early", occurred_at="2099-01-01")], cols)
    write_parquet(parts / "part-2.parquet", rows[1:3], cols)
    write_parquet(parts / "part-3.parquet", rows[3:] + [dict(rows[0], amount="99"), rows[2]], cols)
    seen = []
    r = ingest_files(
        store, parts, chunk_rows=4, progress=lambda done, total: seen.append((done, total)), catalogue=CAT
    )[0]
    assert (r.received, r.accepted, r.duplicates, r.quarantined) == (13, 10, 1, 2)  # p2 again: a no-op
    assert seen == [(0, 13), (4, 13), (8, 13), (12, 13), (13, 13)]
    q = store.query("SELECT record_no, record_key, field FROM quarantine WHERE batch_id = ? ORDER BY 1", [r.batch_id])
    assert q == [
        {"record_no": 2, "record_key": "pay/early", "field": "occurred_at"},
        {"record_no": 12, "record_key": "pay/p0", "field": "amount"},  # p0 again, other amount: a conflict
    ]
    assert store.scalar("SELECT amount FROM events WHERE event_id = 'p0'") == 0.0  # the first occurrence


def test_a_batch_whose_keys_are_unique_is_checked_against_earlier_batches_only(store, tmp_path):
    cols = ["event_id", "provider_id", "entity_id", "occurred_at", "type"]
    row = dict(provider_id="pay", entity_id="bob", occurred_at="2024-01-01", type="refund")
    ingest_files(
        store,
        write_parquet(tmp_path / "a.parquet", [dict(row, event_id=f"a{i}") for i in range(5)], cols),
        catalogue=CAT,
    )
    parts = tmp_path / "b"
    parts.mkdir()
    write_parquet(parts / "b-0.parquet", [dict(row, event_id=f"b{i}") for i in range(3)], cols)
    write_parquet(
        parts / "b-1.parquet",
        [dict(row, event_id="a2"), dict(row, event_id="b3"), dict(row, event_id="b4", occurred_at="2099-01-01")],
        cols,
    )
    write_parquet(parts / "b-2.parquet", [dict(row, event_id="b5"), dict(row, event_id="b6")], cols)
    r = ingest_files(store, parts, chunk_rows=3, catalogue=CAT)[0]
    assert (r.received, r.accepted, r.duplicates, r.quarantined) == (8, 6, 1, 1)
    assert store.query("SELECT record_no, record_key FROM quarantine WHERE batch_id = ?", [r.batch_id]) == [
        {"record_no": 6, "record_key": "pay/b4"}
    ]
    assert store.count("events") == 11


def test_a_big_csv_is_staged_and_chunked_with_the_same_result(store, tmp_path, monkeypatch):
    import credence.services.ingest as ingest

    path = write_csv(tmp_path / "events.csv", mixed_records(), COLUMNS)
    monkeypatch.setattr(ingest, "CSV_DIRECT_BYTES", 0)
    r = ingest_files(store, path, chunk_rows=4, catalogue=CAT)[0]
    assert (r.received, r.accepted, r.duplicates, r.quarantined) == (21, 4, 0, 17)
    assert set(quarantined(store, r.batch_id)) == set(BAD)


def test_csv_jsonl_and_parquet_give_the_same_result(tmp_path):
    rows = mixed_records()
    outcomes = []
    for name, write in (
        ("csv", lambda p: write_csv(p, rows, COLUMNS)),
        ("jsonl", lambda p: write_jsonl(p, rows)),
        ("parquet", lambda p: write_parquet(p, rows, COLUMNS)),
    ):
        with Store(tmp_path / f"{name}.duckdb") as s:
            ingest_files(
                s, [write_csv(tmp_path / "p.csv", PROVIDERS), write_csv(tmp_path / "e.csv", ENTITIES)], catalogue=CAT
            )
            r = ingest_files(s, write(tmp_path / f"events.{name}"), catalogue=CAT)[0]
            events = s.query("SELECT * EXCLUDE (ingested_at, batch_id) FROM events ORDER BY event_id")
            q = s.query(
                "SELECT record_no, record_key, field, reason FROM quarantine WHERE batch_id = ? ORDER BY record_no",
                [r.batch_id],
            )
            outcomes.append(((r.received, r.accepted, r.duplicates, r.quarantined), events, q))
    assert outcomes[0] == outcomes[1] == outcomes[2]


def test_zoned_timestamps_are_stored_in_utc(store, tmp_path):
    rows = [
        dict(event_id=f"t{i}", provider_id="pay", entity_id="ann", occurred_at=ts, type="refund")
        for i, ts in enumerate(
            [
                "2024-03-01T10:00:00+02:00",
                "2024-03-01T10:00:00Z",
                "2024-03-01 10:00",
                "2024-03-01T05:00:00-03:00",
                "2024-03-01T10:00+02:00",
            ]
        )
    ]
    ingest_files(store, write_jsonl(tmp_path / "tz.jsonl", rows), catalogue=CAT)
    got = {e["event_id"]: e["occurred_at"].isoformat() for e in store.query("SELECT * FROM events")}
    assert got == {
        "t0": "2024-03-01T08:00:00",
        "t1": "2024-03-01T10:00:00",
        "t2": "2024-03-01T10:00:00",
        "t3": "2024-03-01T08:00:00",
        "t4": "2024-03-01T08:00:00",
    }


def test_a_special_category_attribute_is_refused_by_guardrail_1_and_never_stored(store, tmp_path):
    rows = [
        dict(GOOD[0], event_id="r1", religion="catholic"),
        dict(GOOD[0], event_id="r2"),
        dict(GOOD[0], event_id="r3", health_condition="diabetes"),
    ]
    r = ingest_files(store, write_jsonl(tmp_path / "g.jsonl", rows), catalogue=CAT)[0]
    assert (r.accepted, r.quarantined) == (1, 2)
    q = quarantined(store, r.batch_id)
    assert q["r1"]["field"] == "religion" and q["r3"]["field"] == "health_condition"
    for key in ("r1", "r3"):
        assert q[key]["reason"].startswith("refused by guardrail 1")
        assert "catholic" not in q[key]["record"] and "diabetes" not in q[key]["record"]
    r = ingest_files(store, write_csv(tmp_path / "g.csv", [dict(GOOD[1], event_id="s1", gender="f")]), catalogue=CAT)[0]
    assert r.quarantined == 1 and "refused by guardrail 1" in r.sample_reasons[0] and "'gender'" in r.sample_reasons[0]


def test_malformed_csv_lines_and_json_lines_are_quarantined_not_dropped(store, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "event_id,provider_id,entity_id,occurred_at,type\n"
        "m1,pay,ann,2024-01-01,refund\n"
        "m2,pay,ann,2024-01-01\n"
        "m3,pay,ann,2024-01-01,refund\n"
    )
    r = ingest_files(store, path, catalogue=CAT)[0]
    assert (r.received, r.accepted, r.quarantined) == (3, 2, 1)
    assert store.query("SELECT record_no FROM quarantine WHERE batch_id = ?", [r.batch_id]) == [{"record_no": 2}]
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"event_id": "j1", "provider_id": "pay", "entity_id": "ann", "occurred_at": "2024-01-01",'
        ' "type": "refund"}\n\n{not json\n[1, 2]\n'
    )
    r = ingest_files(store, path, catalogue=CAT)[0]
    assert (r.received, r.accepted, r.quarantined) == (3, 1, 2)
    assert "not a JSON object" in r.sample_reasons[0] and r.sample_reasons[0].startswith("record 2")


def test_entities_and_providers_are_validated_and_registered_once(store, tmp_path):
    r = ingest_files(
        store,
        write_csv(
            tmp_path / "e2.csv",
            [
                {"entity_id": "ann", "kind": "person"},
                {"entity_id": "cy", "kind": "Business"},
                {"entity_id": "dee", "kind": "alien"},
                {"entity_id": "eve", "kind": "person", "registered_at": "2040-01-01"},
            ],
        ),
        catalogue=CAT,
    )[0]
    assert (r.kind, r.accepted, r.duplicates, r.quarantined) == ("entities", 1, 1, 2)
    assert store.scalar("SELECT kind FROM entities WHERE entity_id = 'cy'") == "business"
    r = ingest_files(
        store,
        write_jsonl(
            tmp_path / "p2.jsonl",
            [
                {"provider_id": "uni", "name": "University", "categories": ["identity", "capacity"]},
                {"provider_id": "pay", "name": "PayApp", "categories": "commerce"},
                {"provider_id": "odd", "name": "Odd", "categories": "lending;astrology"},
                {"provider_id": "x", "name": "X", "categories": "identity", "religion": "none"},
            ],
        ),
        catalogue=CAT,
    )[0]
    assert (r.kind, r.accepted, r.duplicates, r.quarantined) == ("providers", 1, 1, 2)
    assert store.scalar("SELECT categories FROM providers WHERE provider_id = 'uni'") == ["capacity", "identity"]
    assert any("'astrology'" in s for s in r.sample_reasons)


def test_ingest_records_restricts_a_provider_key_to_its_own_events(store):
    records = [dict(GOOD[0], event_id="a1"), dict(GOOD[1], event_id="a2"), {"event_id": "a3"}]
    r = ingest_records(store, records, allowed_provider="pay", submitted_by="provider:pay", catalogue=CAT)
    assert (r.source, r.received, r.accepted, r.quarantined) == ("api", 3, 1, 2)
    q = quarantined(store, r.batch_id)
    assert q["a2"]["field"] == "provider_id" and "not the provider of this API key" in q["a2"]["reason"]
    assert store.scalar("SELECT submitted_by FROM batches WHERE batch_id = ?", [r.batch_id]) == "provider:pay"
    table = pa.table(
        {
            "event_id": ["a4"],
            "provider_id": ["pay"],
            "entity_id": ["bob"],
            "occurred_at": pa.array([pa.scalar(1_700_000_000_000_000, pa.timestamp("us", "UTC"))]),
            "type": ["refund"],
            "amount": [3.5],
        }
    )
    r = ingest_records(store, table, catalogue=CAT)
    assert (r.accepted, r.quarantined) == (1, 0)
    assert store.scalar("SELECT occurred_at FROM events WHERE event_id = 'a4'").isoformat() == "2023-11-14T22:13:20"


def test_user_mistakes_raise_one_clear_error(store, tmp_path):
    with pytest.raises(ValidationError, match="nowhere.csv does not exist"):
        ingest_files(store, tmp_path / "nowhere.csv", catalogue=CAT)
    (tmp_path / "sheet.xlsx").write_text("x")
    with pytest.raises(ValidationError, match=r"sheet.xlsx: unknown format.*Fix: use .csv"):
        ingest_files(store, tmp_path / "sheet.xlsx", catalogue=CAT)
    with pytest.raises(ValidationError, match="cannot tell whether it holds events, entities or providers"):
        ingest_files(store, write_csv(tmp_path / "what.csv", [{"a": "1", "b": "2"}]), catalogue=CAT)
    with pytest.raises(ValidationError, match="short.csv lacks the columns provider_id, entity_id, occurred_at"):
        ingest_files(
            store,
            write_csv(tmp_path / "short.csv", [{"event_id": "1", "type": "refund"}]),
            kind="events",
            catalogue=CAT,
        )
    with pytest.raises(ValidationError, match="a field has an empty name"):
        ingest_records(store, [{"": 1}], catalogue=CAT)
    with pytest.raises(ValidationError, match="'EVENT_ID' and 'event_id' differ only in case"):
        ingest_records(store, [{"event_id": "1", "EVENT_ID": "2"}], catalogue=CAT)
    assert store.count("events") == 0


KILLED = textwrap.dedent("""
    import sys
    from credence.store import Store
    from credence.domain.catalogue import default_catalogue
    from credence.services.ingest import ingest_files
    store = Store(sys.argv[1])
    def progress(done, total):
        print(done, total, flush=True)
    ingest_files(store, sys.argv[2], chunk_rows=int(sys.argv[3]), progress=progress, catalogue=default_catalogue())
    print("finished", flush=True)
""")


def test_a_kill_mid_ingest_leaves_nothing_of_the_batch_and_a_rerun_works(store, tmp_path):
    n, chunk = 1_500_000, 100_000
    path = tmp_path / "big.parquet"
    duckdb.sql(f"""COPY (SELECT 'k' || i AS event_id, 'pay' AS provider_id, 'ann' AS entity_id,
                   TIMESTAMP '2024-01-01' + to_seconds(i) AS occurred_at, 'refund' AS type
                   FROM range({n}) t(i)) TO '{path}' (FORMAT parquet)""")
    db = store.path
    store.close()
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED, db, str(path), str(chunk)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout.readline().split() == ["0", str(n)]  # keys read, nothing stored yet
    first = proc.stdout.readline()  # the first chunk is in: the batch is mid-way
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert first.split()[0] == str(chunk), first
    with Store(db) as reopened:
        assert reopened.count("events") in (0, n)  # never a partial batch
        assert reopened.count("quarantine") == 0
        r = ingest_files(reopened, path, chunk_rows=500_000, catalogue=CAT)[0]
        assert reopened.count("events") == n and r.accepted + r.duplicates == n
