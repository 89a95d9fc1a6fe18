"""A synthetic event load written straight into a store by DuckDB SQL, for engine conformance and benchmarks.

The simulator (``credence.generators.simulate``) is the realistic population with learnable outcomes; this is
its blunt, fast sibling: 100M events in about a minute on two cores, every row a pure function of
``(seed, row number)`` (hash-based, so the result is identical whatever the thread count), with the awkward
cases an engine must get right:

* entities with no events and entities with one or two (insufficient data, no score);
* events after ``as_of`` (must not count) and adverse events past their 7/10-year retention;
* mutually consented vouches (given, accepted, some revoked) besides one-sided ones that must not count;
* corrections (a new event that supersedes an earlier one) and disputes: pending and retracted ones
  remove the event, confirmed ones do not;
* persons, businesses and institutions (scored on different scorecards), every catalogue type, amounts,
  days late, purchase categories, rental assets and vouch counterparties.

Each entity has a hidden "reliability" (a hash of its id) that sets its share of adverse events, so the
scores spread over every band.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from credence.domain.catalogue import Catalogue, default_catalogue
from credence.store import current, supersessions

# relative frequency of each non-adverse type (adverse types are drawn uniformly among themselves)
GOOD_WEIGHTS = {
    "purchase": 30,
    "instalment_paid_on_time": 12,
    "utility_bill_paid_on_time": 8,
    "phone_bill_paid_on_time": 8,
    "rent_paid_on_time": 6,
    "rental_returned_ok": 10,
    "refund": 2,
    "loan_opened": 2,
    "loan_closed": 1,
    "identity_verified": 1,
    "address_verified": 1,
    "education_verified": 1,
    "employment_verified": 1,
    "income_verified": 2,
    "assets_verified": 1,
    "vouch_given": 1,
    "vouch_accepted": 1,
    "vouch_revoked": 1,
    "court_judgment_fulfilled": 1,
    "tax_filed_on_time": 2,
    "licence_valid": 1,
    "supplier_invoice_paid_on_time": 2,
}
PURCHASE_CATEGORIES = [
    "groceries",
    "household",
    "electronics",
    "clothing",
    "travel",
    "books",
    "education",
    "games",
    "baby",
    "fuel",
    "other",
]
RENTAL_ASSETS = ["bike", "car", "scooter", "apartment"]
PART = 10_000_000  # events per sorted insert


@dataclass
class Load:
    events: int
    entities: int
    corrections: int
    disputes: int


def _u(key: str, k: int, seed: int) -> str:
    """SQL for a uniform [0, 1) double from hash(key, seed, k)."""
    # one argument: DuckDB's multi-argument hash combines weakly (neighbouring keys give close values)
    return f"((hash({key} * 4096 + {k * 64 + seed % 64}) >> 11)::DOUBLE / 9007199254740992.0)"


def _list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _pick(values: list[str], u: str) -> str:
    return f"{_list(values)}[1 + floor({u} * {len(values)})::BIGINT]"


def eid(idx: str) -> str:
    """SQL for entity number ``idx``'s id: 2% institutions, 10% businesses, the rest persons (prefix I/B/P)."""
    return (
        f"CASE WHEN {idx} % 50 = 7 THEN 'I' WHEN {idx} % 10 = 3 THEN 'B' ELSE 'P' END "
        f"|| lpad(CAST({idx} AS VARCHAR), 10, '0')"
    )


def _insert_events(con, raw: str, seed: int, n_regular: int, as_of_sql: str, good: list[str], bad: list[str]) -> None:
    """Insert the regular events of ``raw`` (rows i: event number, e: entity number), sorted by entity."""
    rel = f"""
        SELECT i, e,
               {_u("i", 2, seed)} AS u_bad, {_u("i", 3, seed)} AS u_type, {_u("i", 4, seed)} AS u_age,
               {_u("i", 5, seed)} AS u_future, {_u("i", 6, seed)} AS u_amt, {_u("i", 7, seed)} AS u_attr,
               {_u("e", 99, seed)} AS reliability
        FROM ({raw})"""
    picked = f"""
        SELECT *, CASE WHEN u_bad < 0.03 + 0.5 * reliability * reliability
                       THEN {_pick(bad, "u_type")} ELSE {_pick(good, "u_type")} END AS type
        FROM ({rel})"""
    con.execute(f"""
        INSERT INTO events
        SELECT 'prov' || (i % 6) AS provider_id, 'ev' || i AS event_id, {eid("e")} AS entity_id,
               CASE WHEN u_future < 0.01 THEN {as_of_sql} + INTERVAL 9 DAY
                    ELSE {as_of_sql} - to_seconds(floor(pow(u_age, 1.3) * 3300 * 86400)::BIGINT) END AS occurred_at,
               p.type, y.category, y.dimension, y.adverse,
               CASE WHEN p.type = 'purchase' THEN round(5 + u_amt * 400, 2)
                    WHEN p.type = 'income_verified' THEN round(200 + u_amt * 9000, 2)
                    WHEN p.type = 'assets_verified' THEN round(u_amt * 250000, 2)
                    WHEN p.type IN ('loan_opened', 'loan_default', 'court_judgment_entered')
                         THEN round(100 + u_amt * 20000, 2)
                    WHEN u_amt < 0.5 AND y.category IN ('lending', 'bills') THEN round(u_amt * 600, 2) END AS amount,
               CASE WHEN p.type IN ('instalment_paid_late', 'utility_bill_overdue', 'phone_bill_overdue',
                                    'rent_overdue', 'tax_filed_overdue', 'supplier_invoice_paid_late')
                    THEN 1 + floor(u_attr * 120)::INTEGER END AS days_late,
               CASE WHEN p.type = 'purchase' THEN {_pick(PURCHASE_CATEGORIES, "u_attr")} END AS purchase_category,
               CASE WHEN y.category = 'rentals' THEN {_pick(RENTAL_ASSETS, "u_attr")} END AS rental_asset,
               CASE WHEN y.category = 'connections'
                    THEN {eid(f"floor(u_attr * {n_regular})::BIGINT")} END AS counterparty_id,
               NULL AS supersedes, {as_of_sql} AS ingested_at, 'synthetic-{seed}' AS batch_id
        FROM ({picked}) p JOIN _types y USING (type)
        ORDER BY entity_id""")  # clustered by entity, as ingest stores each batch


def generate(
    con: duckdb.DuckDBPyConnection,
    *,
    events: int,
    entities: int,
    seed: int = 1,
    as_of: datetime | str = "2026-01-01",
    thin_share: float = 0.03,
    empty_share: float = 0.02,
    correction_share: float = 0.004,
    dispute_share: float = 0.006,
    vouch_share: float = 0.05,
    catalogue: Catalogue | None = None,
) -> Load:
    """Append a synthetic population to the store tables ``entities``, ``events`` and ``disputes`` on ``con``.

    ``events`` is the number of regular events (corrections and thin entities' events come on top);
    ``entities`` the number of entities, of which ``empty_share`` have no events and ``thin_share`` one or two.
    """
    cat = catalogue or default_catalogue()
    seed = int(seed)
    as_of_sql = f"TIMESTAMP '{datetime.fromisoformat(str(as_of)):%Y-%m-%d %H:%M:%S}'"
    n_empty = int(entities * empty_share)
    n_thin = int(entities * thin_share)
    n_regular = max(1, entities - n_empty - n_thin)
    good: list[str] = []
    for name, w in GOOD_WEIGHTS.items():
        if name in cat.types:
            good += [name] * w
    bad = sorted(t.name for t in cat.types.values() if t.adverse)
    types_values = ", ".join(
        f"('{t.name}', '{t.category}', '{t.dimension}', {str(t.adverse).lower()})" for t in cat.types.values()
    )

    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _types AS SELECT * FROM (VALUES {types_values}) "
        "t(type, category, dimension, adverse)"
    )
    con.execute(f"""
        INSERT INTO entities
        SELECT {eid("i")}, CASE WHEN i % 50 = 7 THEN 'institution' WHEN i % 10 = 3 THEN 'business' ELSE 'person' END,
               'Synthetic ' || i, {as_of_sql} - INTERVAL 4000 DAY, 'synthetic-{seed}'
        FROM range({entities}) t(i)
        ORDER BY 1""")  # clustered by id, as ingest stores each batch

    # regular events on entities [0, n_regular); thin entities [n_regular, n_regular + n_thin) get 1-2 each
    # In parts of at most PART events, each stored sorted by entity like one ingested batch: one sort of
    # 100M rows does not fit in memory on the benchmark machine.
    for lo in range(0, events, PART):
        hi = min(events, lo + PART)
        thin = (
            ""
            if hi < events
            else f"""
            UNION ALL
            SELECT {events} + 2 * j + k AS i, {n_regular} + j AS e
            FROM range({n_thin}) t(j), range(2) s(k) WHERE k = 0 OR j % 2 = 0"""
        )
        raw = f"SELECT i, floor({_u('i', 1, seed)} * {n_regular})::BIGINT AS e FROM range({lo}, {hi}) t(i){thin}"
        _insert_events(con, raw, seed, n_regular, as_of_sql, good, bad)

    # consented vouches: voucher gives, vouchee accepts (a while later); every fifth pair is revoked again
    n_pairs = int(entities * vouch_share)
    if n_pairs:
        pair = f"""
            SELECT j, floor({_u("j", 20, seed)} * {n_regular})::BIGINT AS a,
                   floor({_u("j", 21, seed)} * {n_regular})::BIGINT AS b,
                   floor({_u("j", 22, seed)} * 1500)::BIGINT AS days, {_u("j", 23, seed)} AS u
            FROM range({n_pairs}) t(j)"""
        acts = f"""
            SELECT j, 0 AS step, a AS who, b AS other, 'vouch_given' AS type, days AS days FROM ({pair})
            UNION ALL SELECT j, 1, b, a, 'vouch_accepted', days - floor(u * 30)::BIGINT FROM ({pair})
            UNION ALL SELECT j, 2, a, b, 'vouch_revoked', floor(days * u)::BIGINT FROM ({pair}) WHERE j % 5 = 4"""
        con.execute(f"""
            INSERT INTO events
            SELECT 'circle', 'vouch' || j || '-' || step, {eid("who")}, {as_of_sql} - to_seconds(days * 86400 + 3600),
                   type, 'connections', 'connections', false, NULL, NULL, NULL, NULL, {eid("other")}, NULL,
                   {as_of_sql}, 'synthetic-{seed}-v'
            FROM ({acts}) WHERE who <> other
            ORDER BY 3""")  # clustered by entity, like every ingested batch

    # corrections: a later event of the same provider that supersedes the original (new type: on time)
    n_corr = int(events * correction_share)
    step = max(1, events // max(1, n_corr))
    con.execute(f"""
        INSERT INTO events
        SELECT provider_id, event_id || '-c', entity_id, occurred_at, 'instalment_paid_on_time', 'lending',
               'credit_history', false, amount, NULL, NULL, NULL, NULL, event_id, ingested_at, batch_id || '-c'
        FROM events
        WHERE batch_id = 'synthetic-{seed}' AND hash(event_id || '/{seed}/11') % {step} = 0
        ORDER BY entity_id""")
    supersessions.record(con, f"e.batch_id = 'synthetic-{seed}-c'")
    # disputes: opened on 1 in N events; a third confirmed (counts again), a third retracted, a third pending
    step_d = max(1, int(1 / dispute_share)) if dispute_share > 0 else 0
    if step_d:
        con.execute(f"""
            INSERT INTO disputes
            SELECT 'd-' || event_id, provider_id, event_id, entity_id, 'opened', entity_id, NULL,
                   {as_of_sql} - INTERVAL 20 DAY
            FROM events WHERE batch_id = 'synthetic-{seed}' AND hash(event_id || '/{seed}/12') % {step_d} = 0""")
        con.execute(f"""
            INSERT INTO disputes
            SELECT dispute_id, provider_id, event_id, entity_id,
                   CASE WHEN hash(event_id || '/{seed}/13') % 3 = 0 THEN 'confirmed' ELSE 'retracted' END,
                   provider_id, NULL, {as_of_sql} - INTERVAL 5 DAY
            FROM disputes WHERE dispute_id LIKE 'd-%' AND action = 'opened' AND hash(event_id || '/{seed}/13') % 3 <> 2""")
    current.invalidate(con)  # a bulk load: every current score is rebuilt on the next read
    counts = con.execute(f"""
        SELECT (SELECT count(*) FROM events WHERE batch_id LIKE 'synthetic-{seed}%'),
               (SELECT count(*) FROM events WHERE batch_id = 'synthetic-{seed}-c'),
               (SELECT count(DISTINCT dispute_id) FROM disputes)""").fetchone()
    return Load(events=counts[0], entities=entities, corrections=counts[1], disputes=counts[2])
