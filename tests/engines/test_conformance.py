"""Engine conformance: every engine gives exactly the same scores on the same data.

One suite, parametrised over the registered engines (DuckDB, Spark ``local[2]``). Each engine runs the
shipped expert scorecards over the same synthetic store (a few thousand events; entities with no or too
few events; events after as-of and past retention; corrections and disputes). Every engine is held to:

* identical scores, bands, dimension points, reason codes and reason texts per entity as DuckDB;
* identical per-feature points, and feature values equal up to floating-point summation order;
* bands consistent with scores, and no score (never a low one) for insufficient data;
* reasons consistent with points: the features that lost the most points, in order, with the words.

Spark starts once per test session (``spark`` fixture); the Spark tests take well under two minutes.
"""

from __future__ import annotations

import math
from datetime import datetime

import pytest

from credence.domain.bands import INSUFFICIENT, band_of
from credence.domain.catalogue import DIMENSIONS
from credence.domain.scorecard import load_scorecard
from credence.engines import engine as get_engine
from credence.engines import names as engine_names
from credence.engines import synthetic
from credence.engines.parquet import export_parquet, open_export
from credence.sql.compiler import MAX_REASONS
from credence.store import Store

AS_OF = datetime(2026, 1, 1)
CARDS = ("person-expert", "business-expert")
ENGINES = [pytest.param(n, marks=pytest.mark.spark) if n == "spark" else n for n in engine_names()]


# ------------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="session")
def population(tmp_path_factory):
    """A store with ~4,000 synthetic events over 400 entities, and its Parquet export."""
    root = tmp_path_factory.mktemp("conformance")
    store = Store(root / "store.duckdb")
    with store.transaction() as con:
        load = synthetic.generate(con, events=4000, entities=400, seed=11, as_of=AS_OF)
    export = export_parquet(store, root / "parquet", buckets=3)
    yield store, export, load
    store.close()


@pytest.fixture(scope="session")
def spark():
    spark_engine = get_engine("spark")
    session = spark_engine.session("local[2]", app_name="credence-tests", shuffle_partitions=4, driver_memory="1g")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def results(population):
    """Per engine, per card: the scores with detail, as a list of dicts sorted by entity_id (computed once)."""
    return {}


@pytest.fixture(params=ENGINES)
def engine_name(request):
    return request.param


@pytest.fixture
def scores(request, engine_name, population, results):
    """card name -> rows (dicts with detail columns, sorted by entity_id) from the engine under test."""
    store, export, _ = population

    def get(card_name: str) -> list[dict]:
        key = (engine_name, card_name)
        if key not in results:
            card = load_scorecard(card_name)
            if engine_name == "duckdb":
                table = get_engine("duckdb").score(store.cursor(), card, as_of=AS_OF, detail=True)
            else:
                spark_engine = get_engine(engine_name)
                session = request.getfixturevalue("spark")
                spark_engine.register(session, open_export(export.path))
                table = spark_engine.score(session, card, as_of=AS_OF, detail=True)
            results[key] = sorted(table.to_pylist(), key=lambda r: r["entity_id"])
        return results[key]

    return get


def duckdb_rows(population, results, card_name: str) -> list[dict]:
    key = ("duckdb", card_name)
    if key not in results:
        store = population[0]
        table = get_engine("duckdb").score(store.cursor(), load_scorecard(card_name), as_of=AS_OF, detail=True)
        results[key] = sorted(table.to_pylist(), key=lambda r: r["entity_id"])
    return results[key]


# ------------------------------------------------------------------------------------------ the data itself
def test_population_has_the_awkward_cases(population):
    store, export, load = population
    assert load.corrections > 0 and load.disputes > 0
    assert store.count("effective_events") < store.count("events")  # superseded and disputed events drop out
    assert export.events == store.count("effective_events")
    assert store.scalar(f"SELECT count(*) FROM events WHERE occurred_at > TIMESTAMP '{AS_OF}'") > 0
    assert store.scalar("SELECT count(*) FROM entities WHERE entity_id NOT IN (SELECT entity_id FROM events)") > 0
    kinds = {r["kind"] for r in store.query("SELECT DISTINCT kind FROM entities")}
    assert kinds == {"person", "business", "institution"}


# ------------------------------------------------------------------------------------------ the suite
SCORE_FIELDS = (
    ["entity_id", "kind", "score", "band"]
    + [f"points_{d}" for d in DIMENSIONS]
    + [f"reason{k}_{part}" for k in range(1, MAX_REASONS + 1) for part in ("code", "text")]
)


@pytest.mark.parametrize("card_name", CARDS)
def test_same_scores_bands_points_and_reasons_as_duckdb(scores, population, results, card_name):
    rows = scores(card_name)
    expected = duckdb_rows(population, results, card_name)
    assert [r["entity_id"] for r in rows] == [r["entity_id"] for r in expected]
    n_features = len(load_scorecard(card_name).features)
    for got, want in zip(rows, expected, strict=True):
        assert {k: got[k] for k in SCORE_FIELDS} == {k: want[k] for k in SCORE_FIELDS}, got["entity_id"]
        for i in range(n_features):
            assert got[f"points_{i}"] == want[f"points_{i}"], (got["entity_id"], i)
            a, b = got[f"value_{i}"], want[f"value_{i}"]
            assert (a is None) == (b is None), (got["entity_id"], i)
            if a is not None and not isinstance(a, str):  # summation order may differ in the last bit
                assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12), (got["entity_id"], i, a, b)
            else:
                assert a == b
        assert got["n_events"] == want["n_events"] and got["history_days"] == want["history_days"]


@pytest.mark.parametrize("card_name", CARDS)
def test_every_entity_of_the_kinds_is_scored_once(scores, population, card_name):
    store = population[0]
    card = load_scorecard(card_name)
    rows = scores(card_name)
    kinds = ", ".join(f"'{k}'" for k in card.kinds)
    expected = store.scalar(f"SELECT count(DISTINCT entity_id) FROM entities WHERE kind IN ({kinds})")
    assert len(rows) == expected == len({r["entity_id"] for r in rows})


@pytest.mark.parametrize("card_name", CARDS)
def test_bands_are_consistent_with_scores(scores, card_name):
    card = load_scorecard(card_name)
    rows = scores(card_name)
    bands = {r["band"] for r in rows}
    assert INSUFFICIENT in bands and len(bands) >= 4, bands  # the data spans the bands
    for r in rows:
        assert r["band"] == band_of(r["score"]), r["entity_id"]
        if r["score"] is None:  # insufficient data: no score, no points, no reasons - never a low score
            assert r["n_events"] < card.min_events or (r["history_days"] or 0) < card.min_history_days
            assert all(r[f"points_{d}"] is None for d in DIMENSIONS)
            assert all(r[f"reason{k}_code"] is None for k in range(1, MAX_REASONS + 1))
        else:
            assert r["n_events"] >= card.min_events and r["history_days"] >= card.min_history_days
            assert 350 <= r["score"] <= 950


@pytest.mark.parametrize("card_name", CARDS)
def test_points_add_up(scores, card_name):
    card = load_scorecard(card_name)
    offset, factor = card.scale()
    for r in scores(card_name):
        if r["score"] is None:
            continue
        for i, f in enumerate(card.features):
            assert r[f"points_{i}"] == f.points_for(r[f"value_{i}"]), (r["entity_id"], f.name)
        for d in DIMENSIONS:
            members = [r[f"points_{i}"] for i, f in enumerate(card.features) if f.dimension == d]
            assert r[f"points_{d}"] == (float(sum(members)) if members else None)
        total = sum(r[f"points_{i}"] for i in range(len(card.features)))
        assert r["total_points"] == total
        assert r["score"] == min(950, max(350, math.floor(offset + factor * total + 0.5)))


@pytest.mark.parametrize("card_name", CARDS)
def test_reasons_are_consistent_with_points(scores, card_name):
    card = load_scorecard(card_name)
    _, factor = card.scale()
    for r in scores(card_name):
        if r["score"] is None:
            continue
        lost = [(f.max_points - r[f"points_{i}"], i) for i, f in enumerate(card.features)]
        # most points lost first; ties go to the earlier feature; a feature at its maximum is no reason
        expected = [i for loss, i in sorted(lost, key=lambda x: (-x[0], x[1])) if loss > 0][:MAX_REASONS]
        codes = [r[f"reason{k}_code"] for k in range(1, MAX_REASONS + 1)]
        assert codes == [card.features[i].name for i in expected] + [None] * (MAX_REASONS - len(expected))
        for k, i in enumerate(expected, start=1):
            text = r[f"reason{k}_text"]
            gain = math.floor((card.features[i].max_points - r[f"points_{i}"]) * factor + 0.5)
            assert text.endswith(f" would add about {gain} points"), (r["entity_id"], text)
            assert (card.features[i].improve or "improving this") in text


# ------------------------------------------------------------------------------------------ end to end
@pytest.mark.spark
def test_score_with_spark_writes_the_same_snapshot_as_duckdb(tmp_path, spark):
    from credence.engines.spark import score_with_spark
    from credence.services.scoring import score_population, workspace_scorecards
    from credence.workspace import init_workspace

    ws = init_workspace(tmp_path / "ws")
    with ws.store.transaction() as con:
        synthetic.generate(con, events=1500, entities=150, seed=5, as_of=AS_OF)
    cards = workspace_scorecards(ws)
    steps: list[str] = []
    spark_snap = score_with_spark(ws, cards, AS_OF, "local[2]", progress=steps.append, spark=spark)
    duck_snap = score_population(ws.store, cards, as_of=AS_OF)
    assert spark_snap.engine == "spark" and steps
    assert (spark_snap.scored, spark_snap.insufficient, spark_snap.bands) == (
        duck_snap.scored,
        duck_snap.insufficient,
        duck_snap.bands,
    )
    assert ws.store.scalar("SELECT engine FROM snapshots WHERE snapshot_id = ?", [spark_snap.snapshot_id]) == "spark"
    cols = ", ".join(SCORE_FIELDS + ["as_of", "scorecard"])
    differing = ws.store.scalar(
        f"SELECT count(*) FROM ((SELECT {cols} FROM scores WHERE snapshot_id = ?) "
        f"EXCEPT ALL (SELECT {cols} FROM scores WHERE snapshot_id = ?))",
        [spark_snap.snapshot_id, duck_snap.snapshot_id],
    )
    assert differing == 0
    assert ws.store.scalar("SELECT count(*) FROM scores WHERE snapshot_id = ?", [spark_snap.snapshot_id]) == 150
    ws.close()


def test_export_is_bucketed_by_entity(population):
    """Every entity's whole history sits in exactly one bucket (so buckets can be scored independently)."""
    store, export, _ = population
    con = store.cursor()
    per_entity = con.execute(
        f"SELECT max(n) FROM (SELECT entity_id, count(DISTINCT bucket) AS n "
        f"FROM read_parquet('{export.events_glob}', hive_partitioning = true) GROUP BY entity_id)"
    ).fetchone()[0]
    assert per_entity == 1
    buckets = con.execute(
        f"SELECT count(DISTINCT bucket) FROM read_parquet('{export.events_glob}', hive_partitioning = true)"
    ).fetchone()[0]
    assert buckets == export.buckets == 3


def test_one_population_query_gives_every_cards_rows(population, results):
    """score_population's single statement (one scan for all cards) = each card's own query, row for row."""
    from credence.sql.compiler import population_query

    store = population[0]
    cards = [load_scorecard(name) for name in CARDS]
    sql = population_query(cards, as_of=AS_OF).sql(dialect="duckdb")
    rows = store.cursor().execute(f"SELECT * FROM ({sql}) ORDER BY entity_id").to_arrow_table().to_pylist()
    for card in cards:
        got = [{k: r[k] for k in SCORE_FIELDS} for r in rows if r["scorecard"] == card.ref]
        want = [{k: r[k] for k in SCORE_FIELDS} for r in duckdb_rows(population, results, card.ref.split("@")[0])]
        assert got == want, card.ref
    assert len(rows) == sum(len(duckdb_rows(population, results, name)) for name in CARDS)
