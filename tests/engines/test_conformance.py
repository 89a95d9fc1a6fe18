"""Engine conformance: every engine gives exactly the same scores on the same data.

One suite, parametrised over the registered engines (DuckDB, Spark ``local[2]``). Each engine runs the
shipped expert scorecards over the same synthetic store (a few thousand events; entities with no or too
few events; events after as-of and past retention; corrections and disputes). Every engine is held, through
the ``credence.testing`` checks, to:

* identical scores, bands, dimension points, reason codes and reason texts per entity as DuckDB;
* identical per-feature points, and feature values equal up to floating-point summation order;
* bands consistent with scores, and no score (never a low one) for insufficient data;
* reasons consistent with points: the features that lost the most points, in order, with the words.

Spark starts once per test session (``spark`` fixture); the Spark tests take well under two minutes.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from credence import testing
from credence.domain.bands import INSUFFICIENT
from credence.domain.scorecard import load_scorecard
from credence.engines import engine as get_engine
from credence.engines import names as engine_names
from credence.engines.parquet import export_parquet, open_export
from credence.errors import ConformanceError
from credence.generators import synthetic
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


@pytest.fixture(scope="module")  # stopped when the module ends: a later module may need another master
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
@pytest.mark.parametrize("card_name", CARDS)
def test_same_scores_bands_points_and_reasons_as_duckdb(scores, population, results, card_name):
    assert (
        testing.engines_agree(scores(card_name), duckdb_rows(population, results, card_name), load_scorecard(card_name))
        > 0
    )


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
    rows = scores(card_name)
    bands = {r["band"] for r in rows}
    assert INSUFFICIENT in bands and len(bands) >= 4, bands  # the data spans the bands
    assert testing.bands_follow_scores(rows, load_scorecard(card_name)) == len(rows)


@pytest.mark.parametrize("card_name", CARDS)
def test_points_add_up(scores, card_name):
    assert testing.points_add_up(scores(card_name), load_scorecard(card_name)) > 0


@pytest.mark.parametrize("card_name", CARDS)
def test_reasons_are_consistent_with_points(scores, card_name):
    assert testing.reasons_follow_points(scores(card_name), load_scorecard(card_name)) > 0


def test_the_checks_catch_a_broken_row(population, results):
    """Each check fails on a row that breaks its rule (so a passing suite means something)."""
    card = load_scorecard("person-expert")
    rows = duckdb_rows(population, results, "person-expert")
    scored = next(r for r in rows if r["score"] is not None and r["reason1_code"])
    broken = {
        testing.bands_follow_scores: {**scored, "band": INSUFFICIENT},
        testing.points_add_up: {**scored, "score": scored["score"] + 1},
        testing.reasons_follow_points: {**scored, "reason1_code": scored["reason2_code"]},
    }
    for check, row in broken.items():
        with pytest.raises(ConformanceError, match=scored["entity_id"]):
            check([row], card)
    with pytest.raises(ConformanceError, match="agrees with duckdb"):
        testing.engines_agree([{**scored, "points_behaviour": -1.0}], [scored], card, "spark")


# ------------------------------------------------------------------------------------------ end to end
@pytest.mark.spark
def test_score_with_spark_writes_the_same_snapshot_as_duckdb(tmp_path, spark):
    from credence.services.scoring import score_population
    from credence.workspace import init_workspace

    ws = init_workspace(tmp_path / "ws")
    with ws.store.transaction() as con:
        synthetic.generate(con, events=1500, entities=150, seed=5, as_of=AS_OF)
    steps: list[str] = []
    spark_snap = score_population(ws, engine="spark", as_of=AS_OF, progress=steps.append, spark=spark)
    duck_snap = score_population(ws, as_of=AS_OF)
    assert spark_snap.engine == "spark" and steps
    assert (spark_snap.scored, spark_snap.insufficient, spark_snap.bands) == (
        duck_snap.scored,
        duck_snap.insufficient,
        duck_snap.bands,
    )
    assert ws.store.scalar("SELECT engine FROM snapshots WHERE snapshot_id = ?", [spark_snap.snapshot_id]) == "spark"
    cols = ", ".join(testing.SCORE_FIELDS + ["as_of", "scorecard"])
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


def test_one_population_query_gives_every_cards_rows(population):
    """score_population's single statement (one scan for all cards) = each card's own query, row for row."""
    cards = [load_scorecard(name) for name in CARDS]
    assert testing.population_matches_cards(population[0].cursor(), cards, as_of=AS_OF) > 0
