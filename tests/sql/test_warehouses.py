"""Exported SQL proven on real warehouses: PostgreSQL, ClickHouse (chdb) and SQLite give DuckDB's rows.

One small workspace (synthetic store: entities with no or too few events, events after as-of and past
retention, corrections, disputes, vouches). ``credence export-sql`` prints each card's query -- the shipped
person and business cards and a card learned (optbinning) on this store's person features -- for DuckDB and
for each warehouse; each warehouse is loaded with the store's ``effective_events`` and ``entities`` and runs
its query. Every row must equal DuckDB's: score, band, the five dimensions' points, the four reason codes
and texts. PostgreSQL is a throw-away cluster on a Unix socket (``engines/warehouses.py``).
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from credence import testing
from credence.cli import app
from credence.domain.scorecard import Scorecard, dump_scorecard, load_scorecard
from credence.engines.warehouses import WAREHOUSES, open_warehouse, postgres_bindir
from credence.generators import synthetic
from credence.sql.compiler import compile_scorecard, scorecard_query
from credence.sql.dialects import VERIFIED
from credence.store import Store
from credence.workspace import init_workspace, open_workspace

AS_OF = "2026-01-01"
# (workspace config, kind): the shipped cards, then the learned one configured for persons
CARDS = {
    "person-expert": ("shipped", "person"),
    "business-expert": ("shipped", "business"),
    "learned": ("learned", "person"),
}


def export_sql(root: Path, dialect: str, kind: str) -> tuple[str, str]:
    """``credence export-sql`` as a user runs it: (stdout, stderr)."""
    result = CliRunner().invoke(
        app, ["export-sql", "--dialect", dialect, "--kind", kind, "--as-of", AS_OF, "-w", str(root)]
    )
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


def learned_person_card(ws):
    """A card learned on the store's person features (the shipped card's aggregates, optbinning's bins)."""
    from credence.learning.train import fit_card

    template = load_scorecard("person-expert")
    detail = ws.store.cursor().execute(scorecard_query(template, as_of=AS_OF, detail=True).sql("duckdb"))
    rows = [r for r in detail.to_arrow_table().to_pylist() if r["kind"] == "person" and r["score"] is not None]
    # six of its features keep the fit quick; the learned card has those it finds useful
    X = {f.name: [r[f"value_{i}"] for r in rows] for i, f in enumerate(template.features[:6])}
    # an outcome that depends on the features (through the expert score) and on chance (a hash of the id)
    noise = [int(hashlib.sha256(r["entity_id"].encode()).hexdigest(), 16) % 100 for r in rows]
    y = np.array([int(r["score"] < 640 or n < 8) for r, n in zip(rows, noise, strict=True)])
    import pandas as pd

    _, card = fit_card(pd.DataFrame(X), y, card_id="person-learned", template=template, seed=0, kinds=("person",))
    return card


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory):
    """name -> workspace root: 'shipped' (the default config) and 'learned' (persons on the learned card)."""
    base = tmp_path_factory.mktemp("warehouses")
    ws = init_workspace(base / "shipped")
    with ws.store.transaction() as con:
        synthetic.generate(con, events=3000, entities=300, seed=16, as_of=datetime.fromisoformat(AS_OF))
    card = learned_person_card(ws)
    ws.close()
    learned = base / "learned"
    shutil.copytree(base / "shipped", learned)
    (learned / "scorecards").mkdir(exist_ok=True)
    dump_scorecard(card, learned / "scorecards" / "person-learned.yaml")
    config = yaml.safe_load((learned / "credence.yaml").read_text())
    config["scorecards"]["person"] = "scorecards/person-learned.yaml"
    (learned / "credence.yaml").write_text(yaml.safe_dump(config))
    return {"shipped": base / "shipped", "learned": learned}


@pytest.fixture(scope="module")
def duckdb_rows(workspaces):
    """card -> DuckDB's rows of its exported query, run on the store itself."""
    out = {}
    for card, (config, kind) in CARDS.items():
        sql, _ = export_sql(workspaces[config], "duckdb", kind)
        store = Store(workspaces[config] / "credence.duckdb")  # as the CLI opens it (one DuckDB instance)
        out[card] = rows_by_entity(store.cursor().execute(sql).to_arrow_table().to_pylist())
        store.close()
    return out


@pytest.fixture(scope="module", params=list(WAREHOUSES))
def warehouse(request, workspaces):
    """Each warehouse, loaded once with the store's effective events and entities."""
    if request.param == "postgres" and postgres_bindir() is None:
        pytest.fail("PostgreSQL server binaries missing: ./dev test installs Debian's 'postgresql'")
    store = Store(workspaces["shipped"] / "credence.duckdb")
    with open_warehouse(request.param) as w:
        w.load(store.cursor())
        store.close()
        yield w


def rows_by_entity(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: r["entity_id"])


def workspace_card(root: Path, kind: str) -> Scorecard:
    ws = open_workspace(root)
    try:
        return ws.scorecards[kind]
    finally:
        ws.close()


@pytest.mark.parametrize("card", list(CARDS))
def test_exported_sql_gives_duckdbs_rows(warehouse, workspaces, duckdb_rows, card):
    """What a user runs: ``export-sql``'s text, executed there, gives DuckDB's stored columns row for row."""
    config, kind = CARDS[card]
    sql, warning = export_sql(workspaces[config], warehouse.dialect, kind)
    assert warning == ""  # a verified dialect: no warning
    got = rows_by_entity(warehouse.rows(sql))
    want = duckdb_rows[card]
    assert [r["entity_id"] for r in got] == [r["entity_id"] for r in want], warehouse.name
    differing = [
        (g["entity_id"], {k: (g[k], w[k]) for k in testing.SCORE_FIELDS if g[k] != w[k]})
        for g, w in zip(got, want, strict=True)
    ]
    differing = [d for d in differing if d[1]]
    assert not differing, f"{warehouse.name}: {len(differing)} of {len(want)} rows differ, e.g. {differing[:3]}"
    scored = [r for r in want if r["score"] is not None]
    assert len(scored) >= 20 and any(r["reason4_code"] for r in scored)  # the comparison is not vacuous
    assert len({r["band"] for r in want}) >= 3


@pytest.mark.parametrize("card", list(CARDS))
def test_warehouse_rows_pass_the_conformance_rules(warehouse, workspaces, card):
    """The same query with detail (every feature's value and points) on the warehouse: it agrees with DuckDB
    feature by feature, and its own rows keep the rules every engine must (``credence.testing``)."""
    config, kind = CARDS[card]
    scorecard = workspace_card(workspaces[config], kind)
    sql = compile_scorecard(scorecard, dialect=warehouse.dialect, as_of=AS_OF, detail=True)
    got = rows_by_entity(warehouse.rows(sql))
    store = Store(workspaces[config] / "credence.duckdb")
    want = testing.card_rows(store.cursor(), scorecard, as_of=datetime.fromisoformat(AS_OF))
    store.close()
    assert testing.engines_agree(got, want, scorecard, warehouse.name) == len(want) > 0
    assert testing.bands_follow_scores(got, scorecard) == len(got)
    assert testing.points_add_up(got, scorecard) == len(got)
    assert testing.reasons_follow_points(got, scorecard) == len(got)


def test_the_learned_card_is_learned(workspaces):
    card = load_scorecard(str(workspaces["learned"] / "scorecards" / "person-learned.yaml"))
    assert card.ref.startswith("person-learned") and card.source == "events"
    assert any(b.points != int(b.points) for f in card.features for b in f.bins)  # learned, fractional points


def test_every_verified_dialect_is_proven_by_a_run():
    """VERIFIED lists exactly the engines this file and the engine conformance suite execute."""
    assert set(VERIFIED) == {"duckdb", "spark", *WAREHOUSES}


def test_an_unverified_dialect_prints_with_a_warning(workspaces):
    sql, warning = export_sql(workspaces["shipped"], "snowflake", "person")
    assert sql.lstrip().upper().startswith("WITH")
    assert "generated, not verified on this engine" in warning and "snowflake" in warning


def test_the_operator_guide_lists_which_dialect_is_verified():
    guide = (Path(__file__).parents[2] / "docs" / "operator.md").read_text()
    section = guide.split("## Exported SQL", 1)[1].split("\n## ", 1)[0]
    for dialect in VERIFIED:
        assert f"| `{dialect}` | verified |" in section, dialect
    assert "generated, not verified" in section and "refused" in section
