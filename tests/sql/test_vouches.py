"""Guardrail 2 in scoring: only mutually consented vouches connect entities; a voucher shares its vouchees'
adverse outcomes like a guarantor, and nothing else about another entity reaches a score."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credence.domain.catalogue import default_catalogue
from credence.domain.scorecard import load_scorecard
from credence.services.scoring import score_population
from credence.sql import compile_scorecard
from credence.store.schema import EVENT_FACT_COLUMNS as COLUMNS
from tests import reference
from tests.builder import NOW, add_entity, add_event, poor_history, score

CARD = load_scorecard("person-expert")
VOUCH = {f.name: i for i, f in enumerate(CARD.features) if f.aggregate in ("vouches", "vouchee_adverse")}


def fingerprint(ws, entity_id: str) -> tuple:
    """Everything a score says: score, band, every feature's value and points, the reasons."""
    s = score(ws, entity_id)
    return (
        s["score"],
        s["band"],
        tuple((f["feature"], f["value"], f["points"]) for f in s["features"]),
        tuple(r["code"] for r in s["reasons"]),
    )


@pytest.fixture
def ws4(ws):
    add_entity(ws, "P4")
    poor_history(ws, "P4")
    return ws


def test_a_vouch_without_the_other_sides_consent_changes_nothing(ws4):
    before_p1, before_p4 = fingerprint(ws4, "P1"), fingerprint(ws4, "P4")
    # P1 vouches for P4, who never accepts; P4 "accepts" a vouch from P2, who never gave one
    add_event(ws4, "circle", "g1", "P1", "vouch_given", NOW - timedelta(days=300), counterparty="P4")
    add_event(ws4, "circle", "a1", "P4", "vouch_accepted", NOW - timedelta(days=300), counterparty="P2")
    after_p1 = fingerprint(ws4, "P1")
    assert after_p1 == before_p1  # P4's defaults do not reach P1, and the one-sided vouch earns nothing
    assert fingerprint(ws4, "P4") == before_p4


def test_a_consented_vouch_makes_the_voucher_share_its_vouchees_outcomes(ws4):
    before = score(ws4, "P1")
    add_event(ws4, "circle", "g1", "P1", "vouch_given", NOW - timedelta(days=300), counterparty="P4")
    add_event(ws4, "circle", "a1", "P4", "vouch_accepted", NOW - timedelta(days=299), counterparty="P1")
    after = score(ws4, "P1")
    values = {f["feature"]: f["value"] for f in after["features"]}
    assert values["consented_vouches_24m"] == 1
    # P4's adverse events since the vouch began (the 8 late instalments in 24 months, 2 defaults, a judgment,
    # 4 late rentals: all but the default 400 days ago)
    assert values["vouchee_adverse_24m"] == 14
    points = {f["feature"]: f["points"] for f in after["features"]}
    assert (points["consented_vouches_24m"], points["vouchee_adverse_24m"]) == (15, 0)  # +15 for the vouch, -20
    assert after["score"] < before["score"]
    # the vouchee gains the vouch but is not charged with the voucher's outcomes
    p4 = {f["feature"]: f["value"] for f in score(ws4, "P4")["features"]}
    assert p4["consented_vouches_24m"] == 1 and p4["vouchee_adverse_24m"] is None


@pytest.mark.parametrize("who", ["P1", "P4"])
def test_either_side_revoking_ends_the_vouch(ws4, who):
    before = fingerprint(ws4, "P1")
    add_event(ws4, "circle", "g1", "P1", "vouch_given", NOW - timedelta(days=300), counterparty="P4")
    add_event(ws4, "circle", "a1", "P4", "vouch_accepted", NOW - timedelta(days=299), counterparty="P1")
    other = "P4" if who == "P1" else "P1"
    add_event(ws4, "circle", "r1", who, "vouch_revoked", NOW - timedelta(days=10), counterparty=other)
    assert fingerprint(ws4, "P1")[2] == before[2]
    # as of before the revocation the vouch was live
    past = score(ws4, "P1", at=NOW - timedelta(days=20))
    assert {f["feature"]: f["value"] for f in past["features"]}["consented_vouches_24m"] == 1


def test_population_and_online_scoring_agree_on_vouches(ws4):
    add_event(ws4, "circle", "g1", "P1", "vouch_given", NOW - timedelta(days=300), counterparty="P4")
    add_event(ws4, "circle", "a1", "P4", "vouch_accepted", NOW - timedelta(days=299), counterparty="P1")
    add_event(ws4, "circle", "g2", "P2", "vouch_given", NOW - timedelta(days=100), counterparty="P4")
    snap = score_population(ws4, as_of=NOW)
    stored = {
        r["entity_id"]: r["score"]
        for r in ws4.store.query("SELECT entity_id, score FROM scores WHERE snapshot_id = ?", [snap.snapshot_id])
    }
    for e in ("P1", "P2", "P4"):
        assert stored[e] == score(ws4, e)["score"], e


# ------------------------------------------------------------------------------------------ property
AS_OF = datetime(2026, 11, 1, 12, 0, 0)
IDS = ["P0", "P1", "P2", "P3"]
CAT = default_catalogue()


@st.composite
def graph_event(draw):
    kind = draw(
        st.sampled_from(
            ["vouch_given", "vouch_accepted", "vouch_revoked", "loan_default", "rent_overdue", "rent_paid_on_time"]
        )
    )
    t = CAT.types[kind]
    days = draw(st.integers(min_value=-5, max_value=900))
    return {
        "entity_id": draw(st.sampled_from(IDS)),
        "type": kind,
        "category": t.category,
        "dimension": t.dimension,
        "adverse": t.adverse,
        "occurred_at": AS_OF - timedelta(days=days, hours=draw(st.integers(0, 23))),
        "amount": None,
        "days_late": None,
        "purchase_category": None,
        "rental_asset": None,
        "counterparty_id": draw(st.sampled_from(IDS)) if t.category == "connections" else None,
    }


@functools.cache
def sql_for(entity_id: str | None) -> str:
    return compile_scorecard(CARD, as_of=AS_OF, detail=True, entity_id=entity_id)


def run(events: list[dict], entity_id: str | None) -> dict:
    con = duckdb.connect()
    con.execute("CREATE TABLE entities (entity_id VARCHAR, kind VARCHAR)")
    con.executemany("INSERT INTO entities VALUES (?, 'person')", [[i] for i in IDS])
    con.execute(
        "CREATE TABLE effective_events (entity_id VARCHAR, provider_id VARCHAR, event_id VARCHAR, "
        "occurred_at TIMESTAMP, type VARCHAR, category VARCHAR, dimension VARCHAR, adverse BOOLEAN, "
        "amount DOUBLE, days_late INTEGER, purchase_category VARCHAR, rental_asset VARCHAR, "
        "counterparty_id VARCHAR)"
    )
    rows = [[{**e, "provider_id": "p", "event_id": f"e{i}"}[c] for c in COLUMNS] for i, e in enumerate(events)]
    if rows:
        con.executemany(
            f"INSERT INTO effective_events ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})", rows
        )
    rel = con.execute(sql_for(entity_id))
    cols = [d[0] for d in rel.description]
    return {r[0]: dict(zip(cols, r, strict=True)) for r in rel.fetchall()}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=st.lists(graph_event(), max_size=40), who=st.sampled_from(IDS))
def test_vouch_features_equal_an_independent_reference_on_random_graphs(events, who):
    population = run(events, None)
    online = run(events, who)
    assert set(online) == {who}
    for entity in IDS:
        ref = reference.score(
            CARD, [e for e in events if e["entity_id"] == entity], AS_OF, CAT, population=events, entity_id=entity
        )
        for name, i in VOUCH.items():
            assert population[entity][f"value_{i}"] == ref["values"][i], (entity, name)
        assert population[entity]["score"] == ref["score"], entity
    assert online[who] == population[who]
