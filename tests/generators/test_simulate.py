"""The population simulator: deterministic, well-formed, within the catalogue, and carrying signal."""

from __future__ import annotations

import csv
import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from credence.domain.catalogue import default_catalogue
from credence.errors import ValidationError
from credence.generators.simulate import SimulationSummary, simulate

AS_OF = datetime(2025, 1, 1)
EVENTS_COLUMNS = {
    "provider_id": pa.string(),
    "event_id": pa.string(),
    "entity_id": pa.string(),
    "occurred_at": pa.timestamp("us"),
    "type": pa.string(),
    "amount": pa.float64(),
    "days_late": pa.int32(),
    "purchase_category": pa.string(),
    "rental_asset": pa.string(),
    "counterparty_id": pa.string(),
}


@pytest.fixture(scope="module")
def population(tmp_path_factory) -> tuple[SimulationSummary, duckdb.DuckDBPyConnection]:
    """A 20,000-entity population (about 200,000 events) with views over its files."""
    out = tmp_path_factory.mktemp("population")
    summary = simulate(out, entities=20_000, months=24, seed=11, as_of=AS_OF)
    con = duckdb.connect()
    con.execute(f"CREATE VIEW events AS SELECT * FROM read_parquet('{out}/events/*.parquet')")
    con.execute(f"CREATE VIEW entities AS SELECT * FROM read_parquet('{out}/entities.parquet')")
    con.execute(f"CREATE VIEW outcomes AS SELECT * FROM read_parquet('{out}/outcomes.parquet')")
    con.execute(f"CREATE VIEW providers AS SELECT * FROM read_csv('{out}/providers.csv', header=true)")
    return summary, con


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(tmp_path):
    a = simulate(tmp_path / "a", entities=1500, seed=3, as_of=AS_OF)
    b = simulate(tmp_path / "b", entities=1500, seed=3, as_of=AS_OF)
    c = simulate(tmp_path / "c", entities=1500, seed=4, as_of=AS_OF)
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
    assert (a.events, a.defaulted) == (b.events, b.defaulted)
    assert (
        _digests(tmp_path / "a")["events/part-00000.parquet"] != _digests(tmp_path / "c")["events/part-00000.parquet"]
    )
    assert c.entities == 1500


def test_files_and_columns(population):
    summary, _ = population
    out = summary.out_dir
    assert {p.name for p in out.iterdir()} == {"providers.csv", "entities.parquet", "events", "outcomes.parquet"}
    assert summary.event_files and all(p.parent == out / "events" for p in summary.event_files)
    events = pq.read_schema(summary.event_files[0])
    assert {f.name: f.type for f in events} == EVENTS_COLUMNS
    entities = pq.read_schema(summary.entities_path)
    assert entities.names == ["entity_id", "kind", "display_name", "registered_at"]
    assert entities.field("registered_at").type == pa.timestamp("us")
    outcomes = pq.read_schema(summary.outcomes_path)
    assert outcomes.names == ["entity_id", "defaulted"] and outcomes.field("defaulted").type == pa.bool_()
    with summary.providers_path.open() as fh:
        assert next(csv.reader(fh)) == ["provider_id", "name", "categories"]


def test_counts_ids_and_kinds(population):
    summary, con = population
    n, distinct, persons, businesses, institutions = con.sql(
        "SELECT count(*), count(DISTINCT entity_id), count(*) FILTER (kind = 'person'), "
        "count(*) FILTER (kind = 'business'), count(*) FILTER (kind = 'institution') FROM entities"
    ).fetchone()
    assert n == distinct == summary.entities == 20_000
    assert (persons, businesses, institutions) == (summary.persons, summary.businesses, summary.institutions)
    assert 0.87 < persons / n < 0.93 and 0.06 < businesses / n < 0.10 and 0.01 < institutions / n < 0.03
    assert con.sql(
        "SELECT count(*) FROM entities WHERE NOT regexp_matches(entity_id, '^[PBI][0-9]{7}$') "
        "OR left(entity_id, 1) != upper(left(kind, 1))"
    ).fetchone() == (0,)
    events, unique_ids, orphans = con.sql(
        "SELECT count(*), count(DISTINCT (provider_id, event_id)), "
        "count(*) FILTER (entity_id NOT IN (SELECT entity_id FROM entities)) FROM events"
    ).fetchone()
    assert events == unique_ids == summary.events and orphans == 0
    assert 8 < events / n < 13
    assert con.sql("SELECT count(*) FROM outcomes").fetchone() == (n,)


def test_types_in_catalogue_and_providers_licensed(population):
    _, con = population
    catalogue = default_catalogue()
    licensed = {
        pid: set(cats.split(";")) for pid, cats in con.sql("SELECT provider_id, categories FROM providers").fetchall()
    }
    assert {c for cats in licensed.values() for c in cats} == set(catalogue.categories)
    for provider, type_ in con.sql("SELECT DISTINCT provider_id, type FROM events").fetchall():
        assert type_ in catalogue.types
        assert catalogue.types[type_].category in licensed[provider], (provider, type_)
    assert {"lending", "rentals", "public_records"} <= {
        catalogue.types[t].category for (t,) in con.sql("SELECT DISTINCT type FROM events").fetchall()
    }


def test_attributes_only_where_meaningful(population):
    _, con = population
    catalogue = default_catalogue()
    rows = con.sql(
        "SELECT type, count(*), count(amount), count(days_late), count(purchase_category), "
        "count(rental_asset), count(counterparty_id), min(days_late) FROM events GROUP BY type"
    ).fetchall()
    for type_, n, amount, days, pcat, asset, cp, min_days in rows:
        t = catalogue.types[type_]
        assert amount == (0 if t.amount == "none" else n), type_
        assert days == (n if "days_late" in t.attributes else 0), type_
        assert min_days is None or min_days >= 1
        assert pcat <= (n if type_ == "purchase" else 0), type_
        assert asset == (n if t.category == "rentals" else 0), type_
        assert cp == (n if t.category == "connections" else 0), type_
    assert con.sql("SELECT count(*) FROM events WHERE purchase_category IS NOT NULL").fetchone()[0] > 0


def test_timestamps_inside_the_window(population):
    summary, con = population
    first, last = con.sql("SELECT min(occurred_at), max(occurred_at) FROM events").fetchone()
    assert summary.as_of == AS_OF and last < AS_OF
    assert first >= summary.window_start >= AS_OF - timedelta(days=24 * 31)
    assert con.sql("SELECT max(registered_at) FROM entities").fetchone()[0] < summary.window_start


def test_business_events_only_for_organisations(population):
    _, con = population
    rows = dict(
        con.sql(
            "SELECT kind, count(*) FROM events JOIN entities USING (entity_id) "
            "WHERE type IN ('tax_filed_on_time', 'licence_valid', 'supplier_invoice_paid_on_time') "
            "GROUP BY kind"
        ).fetchall()
    )
    assert set(rows) == {"business", "institution"}
    assert con.sql(
        "SELECT count(*) FROM events JOIN entities USING (entity_id) "
        "WHERE kind != 'person' AND type IN ('rent_paid_on_time', 'vouch_given')"
    ).fetchone() == (0,)


def test_default_rate_and_signal(population):
    summary, con = population
    assert 0.08 <= summary.default_rate <= 0.15
    assert con.sql("SELECT count(*) FILTER (defaulted) FROM outcomes").fetchone() == (summary.defaulted,)
    flagged, clean = con.sql("""
        WITH f AS (SELECT entity_id, count(*) FILTER (type = 'loan_default') AS defaults,
                          count(*) FILTER (type LIKE '%late' OR type LIKE '%overdue') AS lates
                   FROM events GROUP BY entity_id)
        SELECT avg(defaulted::INT) FILTER (defaults > 0 OR lates >= 2),
               avg(defaulted::INT) FILTER (defaults = 0 AND lates = 0)
        FROM outcomes JOIN f USING (entity_id)""").fetchone()
    assert flagged > 2 * clean
    income_ok, income_bad = con.sql("""
        SELECT median(amount) FILTER (NOT defaulted), median(amount) FILTER (defaulted)
        FROM events JOIN outcomes USING (entity_id) WHERE type = 'income_verified'""").fetchone()
    assert income_ok > income_bad
    judged, unjudged = con.sql("""
        SELECT avg(defaulted::INT) FILTER (entity_id IN (SELECT entity_id FROM events
                                                         WHERE type = 'court_judgment_entered')),
               avg(defaulted::INT) FROM outcomes""").fetchone()
    assert judged > 1.5 * unjudged


def test_some_entities_have_too_little_history(population):
    _, con = population
    thin = con.sql(
        "SELECT avg((n <= 2)::INT) FROM (SELECT count(ev.entity_id) AS n FROM entities e "
        "LEFT JOIN events ev USING (entity_id) GROUP BY e.entity_id)"
    ).fetchone()[0]
    assert 0.02 <= thin <= 0.07


def test_vouches_are_mutual_and_point_at_registered_persons(population):
    _, con = population
    given, missing, self_vouch, accepted = con.sql("""
        SELECT count(*), count(*) FILTER (counterparty_id NOT IN (SELECT entity_id FROM entities
                                                                  WHERE kind = 'person')),
               count(*) FILTER (counterparty_id = entity_id),
               count(*) FILTER ((counterparty_id, entity_id) IN
                   (SELECT (entity_id, counterparty_id) FROM events WHERE type = 'vouch_accepted'))
        FROM events WHERE type = 'vouch_given'""").fetchone()
    assert given > 500 and missing == 0 and self_vouch == 0
    assert accepted / given > 0.8
    assert con.sql("SELECT count(*) FROM events WHERE type = 'vouch_revoked'").fetchone()[0] > 0


def test_progress_is_reported_and_tiny_populations_work(tmp_path):
    calls: list[tuple[int, int]] = []
    summary = simulate(
        tmp_path,
        entities=1,
        months=1,
        as_of=datetime(2025, 6, 1, tzinfo=UTC),
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(1, 1)]
    assert summary.entities == 1 and summary.as_of == datetime(2025, 6, 1)
    assert pq.read_table(summary.entities_path).num_rows == 1


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"entities": 0}, "entities"),
        ({"entities": 10, "months": 0}, "months"),
        ({"entities": 10, "seed": -1}, "seed"),
        ({"entities": "10"}, "entities"),
    ],
)
def test_bad_arguments_are_refused_with_the_fix(tmp_path, kwargs, name):
    with pytest.raises(ValidationError) as err:
        simulate(tmp_path, **kwargs)
    assert err.value.field == name and name in str(err.value) and "Fix:" in str(err.value)
