"""Training on the simulator's population: an events card whose workspace scores equal the model's own."""

from __future__ import annotations

from datetime import datetime

import pytest

from credence import testing
from credence.domain.scorecard import dump_scorecard
from credence.generators.simulate import simulate
from credence.learning.convert import round_score
from credence.learning.features import prepare_workspace, workspace_table
from credence.learning.train import train
from credence.services import scoring
from credence.services.ingest import ingest_files
from credence.workspace import init_workspace

AS_OF = datetime(2026, 6, 1)


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("learn")
    ws = init_workspace(root / "ws")
    sim = simulate(root / "sim", entities=3000, seed=11, as_of=AS_OF)
    with ws.store.transaction() as con:
        con.execute(
            "INSERT INTO outcomes SELECT entity_id, ?::TIMESTAMP, 12, defaulted, 'simulator' FROM read_parquet(?)",
            [AS_OF, str(sim.outcomes_path)],
        )
    ingest_files(ws.store, [sim.providers_path, sim.entities_path, sim.events_dir], catalogue=ws.catalogue)
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def trained(ws):
    base = ws.scorecards["person"].restrict(("person",))
    table = workspace_table(ws.store, base)
    assert table.as_of == AS_OF and table.months == 12  # the latest outcomes on record
    prepared = prepare_workspace(table)
    result = train(
        prepared,
        card_id="person-learned",
        kinds=("person",),
        template=base,
        baseline=base,
        c=0.1,
        n_splits=3,
        n_repeats=1,
        seed=3,
    )
    return base, table, prepared, result


def test_features_are_the_events_cards_own(trained):
    base, table, prepared, result = trained
    assert table.features == [f.name for f in base.features]
    assert set(prepared.X.columns) <= set(table.features)
    assert prepared.rows > 2000 and 0.02 < prepared.bad_rate < 0.4
    card = result.card
    assert card.source == "events" and card.scaling.method == "sum" and card.kinds == ("person",)
    for f in card.features:  # aggregate, filters and window kept; bins learned
        b = base.feature(f.name)
        assert (f.aggregate, f.where, f.numerator, f.denominator, f.window_days, f.decay_half_life_days) == (
            b.aggregate,
            b.where,
            b.numerator,
            b.denominator,
            b.window_days,
            b.decay_half_life_days,
        )
    assert (card.min_events, card.min_history_days) == (base.min_events, base.min_history_days)


def test_hold_out_auc_is_reported(trained):
    *_, result = trained
    held = result.report["holdout"]
    assert 0.6 < held["auc"] < 1 and held["rows"] == len(result.test_idx)
    assert held["baseline"]["scorecard"] == "person-expert@2" and 0.5 < held["baseline"]["auc"] < 1
    assert result.card.metadata["learned"]["holdout"]["auc"] == held["auc"]


def test_workspace_scores_equal_the_trained_models_own(ws, trained):
    _, table, prepared, result = trained
    path = ws.root / "scorecards" / "person-learned.yaml"
    path.parent.mkdir(exist_ok=True)
    dump_scorecard(result.card, path)
    ws.config["scorecards"] = {**ws.config["scorecards"], "person": "scorecards/person-learned.yaml"}
    cards = ws.scorecards
    assert cards["person"].ref == "person-learned@1"
    snap = scoring.score_population(ws, as_of=AS_OF)
    got = {
        r["entity_id"]: r["score"]
        for r in ws.store.query(
            "SELECT entity_id, score FROM scores WHERE snapshot_id = ? AND kind = 'person'", [snap.snapshot_id]
        )
    }
    own = round_score(result.model.score(prepared.X))
    assert len(own) == prepared.rows
    assert [got[e] for e in prepared.ids] == own.astype(int).tolist()
    # entities with too little data still get no score rather than a low one (and were not trained on)
    assert table.insufficient > 0 and sum(s is None for s in got.values()) >= table.insufficient


def test_the_learned_card_keeps_the_conformance_rules(ws, trained):
    """A learned card passes the same ``credence.testing`` rules as the shipped ones (on the simulator)."""
    *_, result = trained
    checked = testing.check_card(ws.store.cursor(), result.card, as_of=AS_OF, catalogue=ws.catalogue)
    assert list(checked) == [
        "bands follow scores",
        "points add up",
        "reasons follow points",
        "population matches cards",
    ]
    assert min(checked.values()) > 2000
