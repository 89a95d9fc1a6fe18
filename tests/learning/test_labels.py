"""Loading outcomes and protected attributes: every record stored or quarantined, counts that add up."""

from __future__ import annotations

import pandas as pd
import pytest

from credence.errors import ValidationError
from credence.services.labels import load_labels
from credence.workspace import init_workspace


@pytest.fixture()
def ws(tmp_path):
    ws = init_workspace(tmp_path / "ws")
    with ws.store.transaction() as con:
        con.execute(
            "INSERT INTO entities VALUES ('P1', 'person', 'One', '2020-01-01', 'b'), "
            "('P2', 'person', 'Two', '2020-01-01', 'b'), ('P3', 'person', 'Three', '2020-01-01', 'b')"
        )
    yield ws
    ws.close()


def _rows(ws, sql):
    return ws.store.query(sql)


def test_outcomes_each_record_stored_or_quarantined_with_its_reason(ws, tmp_path):
    path = tmp_path / "outcomes.csv"
    path.write_text(
        "entity_id,observed_from,months,defaulted\n"
        "P1,2025-06-01,12,true\n"  # stored
        "P2,2025-06-01,12,0\n"  # stored
        "P9,2025-06-01,12,1\n"  # unknown entity
        "P3,June 1st,12,1\n"  # not a date
        "P3,2025-06-01,0,1\n"  # months out of range
        "P3,2025-06-01,12,maybe\n"  # not a boolean
        ",2025-06-01,12,1\n"  # empty entity
        "P1,2025-06-01,12,yes\n"  # duplicate of record 1 within the file
        "P2,2025-06-01,12,1\n"  # contradicts record 2
    )
    r = load_labels(ws.store, path, "outcomes")
    assert (r.received, r.accepted, r.duplicates, r.quarantined) == (9, 2, 1, 6)
    assert r.received == r.accepted + r.duplicates + r.quarantined
    stored = _rows(ws, "SELECT entity_id, defaulted, months, source FROM outcomes ORDER BY entity_id")
    assert [(s["entity_id"], s["defaulted"], s["months"]) for s in stored] == [("P1", True, 12), ("P2", False, 12)]
    assert stored[0]["source"] == "file:outcomes.csv"
    q = {
        row["record_no"]: (row["field"], row["reason"])
        for row in _rows(ws, f"SELECT * FROM quarantine WHERE batch_id = '{r.batch_id}'")
    }
    assert q[3] == ("entity_id", "entity P9 is not registered; ingest its entity record first")
    assert q[4][0] == "observed_from" and "is not a date" in q[4][1]
    assert q[5][0] == "months" and q[6][0] == "defaulted" and q[7] == ("entity_id", "entity_id is empty")
    assert q[9] == ("defaulted", "contradicts record 2 of this file")
    batch = _rows(ws, f"SELECT * FROM batches WHERE batch_id = '{r.batch_id}'")[0]
    assert (batch["kind"], batch["received"], batch["accepted"], batch["quarantined"]) == ("outcomes", 9, 2, 6)
    # loading the same file again changes nothing: every good record is now a duplicate
    again = load_labels(ws.store, path, "outcomes")
    assert (again.accepted, again.duplicates) == (0, 3) and again.quarantined == 6
    assert ws.store.scalar("SELECT count(*) FROM outcomes") == 2


def test_protected_attributes_from_parquet_in_their_own_table(ws, tmp_path):
    path = tmp_path / "protected.parquet"
    pd.DataFrame(
        {"entity_id": ["P1", "P2", "P2", "P3", "P4"], "attribute": ["sex", "sex", "sex", "", "sex"],
         "value": ["f", "m", "f", "x", "m"]}
    ).to_parquet(path)  # fmt: skip
    r = load_labels(ws.store, path, "protected")
    assert (r.received, r.accepted, r.duplicates, r.quarantined) == (5, 2, 0, 3)
    assert ws.store.scalar("SELECT count(*) FROM protected_attributes") == 2
    assert ws.store.scalar("SELECT count(*) FROM outcomes") == 0


def test_a_file_without_the_columns_is_refused_whole(ws, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("entity,defaulted\nP1,1\n")
    with pytest.raises(ValidationError, match="lacks the column"):
        load_labels(ws.store, path, "outcomes")
    assert ws.store.scalar("SELECT count(*) FROM batches") == 0


def test_no_scoring_query_can_reach_the_protected_attributes():
    """The compiler reads events and entities only: no scorecard names protected_attributes or outcomes."""
    from datetime import datetime

    from sqlglot import exp

    from credence.domain.scorecard import SHIPPED, load_scorecard
    from credence.sql.compiler import scorecard_query

    for name in SHIPPED:
        q = scorecard_query(load_scorecard(name), as_of=datetime(2026, 1, 1))
        tables = {t.name for t in q.find_all(exp.Table)}
        assert not tables & {"protected_attributes", "outcomes"}, name
