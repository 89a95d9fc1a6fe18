"""Property test: the compiled SQL, run on DuckDB, equals the independent Python reference."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credence.domain.catalogue import DIMENSIONS, default_catalogue
from credence.domain.scorecard import load_scorecard
from credence.sql import compile_scorecard
from credence.sql.compiler import MAX_REASONS
from credence.store.schema import EVENT_FACT_COLUMNS as EVENT_COLUMNS
from tests import reference

CAT = default_catalogue()
AS_OF = datetime(2026, 11, 1, 12, 0, 0)
TYPES = sorted(CAT.types)
CARDS = {name: load_scorecard(name) for name in ("person-expert", "business-expert")}


@st.composite
def event(draw, entity_ids):
    t = CAT.types[draw(st.sampled_from(TYPES))]
    # mostly recent, some past retention (7 and 10 years) and some in the future (must not count)
    seconds = draw(st.integers(min_value=-30 * 86400, max_value=11 * 365 * 86400))
    amount = draw(
        st.one_of(st.none(), st.floats(min_value=0, max_value=1e6, allow_nan=False).map(lambda x: round(x, 2)))
    )
    if t.amount == "required" and amount is None:
        amount = 100.0
    return {
        "entity_id": draw(st.sampled_from(entity_ids)),
        "type": t.name,
        "category": t.category,
        "dimension": t.dimension,
        "adverse": t.adverse,
        "occurred_at": AS_OF - timedelta(seconds=seconds),
        "amount": amount,
        "days_late": draw(st.integers(0, 120)) if "days_late" in t.attributes else None,
        "purchase_category": draw(st.sampled_from(["games", "baby", "travel"])) if t.name == "purchase" else None,
        "rental_asset": "bike" if t.category == "rentals" else None,
        "counterparty_id": None,
    }


@functools.cache
def compiled(card_name: str) -> str:
    return compile_scorecard(CARDS[card_name], as_of=AS_OF, detail=True)


def run_sql(card, entities, events):
    import pyarrow as pa

    con = duckdb.connect()
    con.execute("CREATE TABLE entities (entity_id VARCHAR, kind VARCHAR)")
    con.executemany("INSERT INTO entities VALUES (?, ?)", entities)
    con.execute(
        "CREATE TABLE effective_events (entity_id VARCHAR, provider_id VARCHAR, event_id VARCHAR, "
        "occurred_at TIMESTAMP, type VARCHAR, category VARCHAR, dimension VARCHAR, adverse BOOLEAN, "
        "amount DOUBLE, days_late INTEGER, purchase_category VARCHAR, rental_asset VARCHAR, "
        "counterparty_id VARCHAR)"
    )
    if events:
        rows = [{**e, "provider_id": "p", "event_id": f"e{i}"} for i, e in enumerate(events)]
        batch = pa.Table.from_pylist([{c: r.get(c) for c in EVENT_COLUMNS} for r in rows])  # noqa: F841
        con.execute("INSERT INTO effective_events BY NAME SELECT * FROM batch")
    rel = con.execute(compiled(card.id))
    cols = [d[0] for d in rel.description]
    return {r[0]: dict(zip(cols, r, strict=True)) for r in rel.fetchall()}


@pytest.mark.parametrize("card_name,kind", [("person-expert", "person"), ("business-expert", "business")])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_sql_score_equals_python_reference(card_name, kind, data):
    card = CARDS[card_name]
    ids = [f"{kind[0].upper()}{i}" for i in range(5)]
    events = data.draw(st.lists(event(ids), max_size=60))
    rows = run_sql(card, [(i, kind) for i in ids], events)
    assert set(rows) == set(ids)
    for entity in ids:
        ref = reference.score(card, [e for e in events if e["entity_id"] == entity], AS_OF, CAT)
        got = rows[entity]
        for i, f in enumerate(card.features):
            if ref["values"][i] is None:
                assert got[f"value_{i}"] is None, f.name
            else:
                assert got[f"value_{i}"] == pytest.approx(ref["values"][i], rel=1e-9, abs=1e-9), f.name
            assert got[f"points_{i}"] == ref["points"][i], f.name
        assert got["score"] == ref["score"]
        assert got["band"] == ref["band"]
        for d in DIMENSIONS:
            assert got[f"points_{d}"] == ref["dimensions"][d]
        codes = [got[f"reason{k}_code"] for k in range(1, MAX_REASONS + 1) if got[f"reason{k}_code"]]
        assert codes == ref["reasons"]


def test_reasons_are_consistent_with_points():
    """Each reason names a feature that lost points; reasons are ordered by points lost; their text says so."""
    card = CARDS["person-expert"]
    events = [
        {
            "entity_id": "P1",
            "type": "rent_overdue",
            "category": "bills",
            "dimension": "credit_history",
            "adverse": True,
            "occurred_at": AS_OF - timedelta(days=d),
            "amount": 500.0,
            "days_late": 10,
            "purchase_category": None,
            "rental_asset": None,
            "counterparty_id": None,
        }
        for d in (10, 40, 70, 100)
    ]
    row = run_sql(card, [("P1", "person")], events)["P1"]
    offset, factor = card.scale()
    lost = {f.name: f.max_points - row[f"points_{i}"] for i, f in enumerate(card.features)}
    codes = [row[f"reason{k}_code"] for k in range(1, 5)]
    assert all(lost[c] > 0 for c in codes)
    assert [lost[c] for c in codes] == sorted((lost[c] for c in codes), reverse=True)
    assert max(lost.values()) == lost[codes[0]]
    assert row["reason1_text"].endswith(f"would add about {int(lost[codes[0]] * factor + 0.5)} points")
    late = next(k for k in range(1, 5) if row[f"reason{k}_code"] == "late_payments_12m")
    assert row[f"reason{late}_text"].startswith("4 late or overdue payments in the last 12 months; none for 12 months")
