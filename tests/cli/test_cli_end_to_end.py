"""End to end through the real command line: init → simulate → ingest → score → show → explain → export-sql."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlglot

CREDENCE = [sys.executable, "-m", "credence"]


def run(*args: str, cwd: Path | None = None, ok: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "160", "NO_COLOR": "1"}
    p = subprocess.run([*CREDENCE, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300)
    if ok:
        assert p.returncode == 0, p.stdout + p.stderr
    return p


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "ws"
    run("init", str(root))
    run("simulate", "--entities", "3000", "--as-of", "2026-10-01", "-w", str(root))
    sim = root / "simulated"
    out = run(
        "ingest", str(sim / "providers.csv"), str(sim / "entities.parquet"), str(sim / "events"), "-w", str(root)
    ).stdout
    lines = [line for line in out.splitlines() if "received" in line]
    assert len(lines) == 3 and all(line.rstrip().endswith("quarantined 0") for line in lines), out
    assert "providers received 12 = accepted 12" in out
    run("score", "--as-of", "2026-10-01", "-w", str(root))
    return root


def test_score_prints_the_five_bands(ws):
    out = run("score", "--as-of", "2026-10-01", "-w", str(ws)).stdout
    for band in ("poor", "fair", "good", "excellent", "extraordinary", "insufficient data"):
        assert band in out


def test_show_and_explain_a_person(ws):
    import duckdb

    con = duckdb.connect(str(ws / "credence.duckdb"), read_only=True)
    entity = con.execute(
        "SELECT entity_id FROM latest_scores WHERE kind='person' AND score IS NOT NULL ORDER BY entity_id LIMIT 1"
    ).fetchone()[0]
    score = con.execute("SELECT score FROM latest_scores WHERE entity_id = ?", [entity]).fetchone()[0]
    con.close()
    shown = run("show", entity, "-w", str(ws)).stdout  # today's score, served from current_scores
    fresh = run("explain", entity, "-w", str(ws)).stdout  # computed online, now
    today = re.search(r"score (\d+)", fresh).group(1)
    assert f"score {today}" in shown and "Top reasons" in shown and "would add about" in shown
    explained = run("explain", entity, "--as-of", "2026-10-01", "-w", str(ws)).stdout
    assert f"score {score}" in explained and "on_time_payment_share" in explained


# Run a command in a fresh interpreter and say which heavy modules it loaded (on stderr, after its own output).
PROBE = (
    "import json, sys; from credence.cli.app import run; code = run(sys.argv[1:]); "
    "heavy = ('pandas', 'pyarrow', 'numpy', 'sqlglot', 'credence.engines', 'credence.services.scoring'); "
    "print(json.dumps({'code': code, 'loaded': [m for m in heavy if m in sys.modules]}), file=sys.stderr)"
)


def test_show_loads_no_dataframe_compiler_or_engine(ws):
    """``credence show`` answers from the served row: no pandas/pyarrow/numpy (which DuckDB imports on the first
    bound parameter), no SQLGlot, no engines (docs/performance.md, CLI start-up); its read is still logged."""
    import json

    import duckdb

    def operator_reads() -> int:
        con = duckdb.connect(str(ws / "credence.duckdb"), read_only=True)
        try:
            return con.execute("SELECT count(*) FROM access_log WHERE action = 'read_score:show'").fetchone()[0]
        finally:
            con.close()

    env = {**os.environ, "COLUMNS": "160", "NO_COLOR": "1"}
    run("show", "P0000001", "-w", str(ws))  # today's scores brought forward first (a rebuild compiles and binds)
    before = operator_reads()
    for extra in ([], ["--json"]):
        p = subprocess.run(
            [sys.executable, "-c", PROBE, "show", "P0000001", *extra, "-w", str(ws)],
            capture_output=True, text=True, env=env, timeout=120,
        )  # fmt: skip
        probe = json.loads(p.stderr.strip().splitlines()[-1])
        assert probe == {"code": 0, "loaded": []}, p.stderr
        assert "P0000001" in p.stdout
    assert operator_reads() == before + 2


@pytest.mark.parametrize("dialect", ["duckdb", "spark", "postgres", "snowflake", "bigquery"])
def test_export_sql_parses_in_every_dialect(ws, dialect):
    sql = run("export-sql", "--dialect", dialect, "--as-of", "2026-10-01", "-w", str(ws)).stdout
    assert sql.lstrip().upper().startswith("WITH")
    sqlglot.parse_one(sql, read=dialect)


def test_user_mistakes_give_one_line_errors_without_traceback(ws, tmp_path):
    for args in (
        ["show", "NOBODY", "-w", str(ws)],
        ["score", "-w", str(tmp_path)],
        ["export-sql", "--dialect", "klingon", "-w", str(ws)],
        ["score", "--as-of", "yesterday-ish", "-w", str(ws)],
        ["ingest", str(tmp_path / "missing.csv"), "-w", str(ws)],
    ):
        p = run(*args, ok=False)
        assert p.returncode == 1, args
        assert "Traceback" not in p.stderr and "error:" in p.stderr, (args, p.stderr)


def test_reingesting_changes_nothing(ws):
    import duckdb

    def count():
        con = duckdb.connect(str(ws / "credence.duckdb"), read_only=True)
        try:
            return con.execute("SELECT count(*) FROM events").fetchone()[0]
        finally:
            con.close()

    before = count()
    out = run("ingest", str(ws / "simulated" / "events"), "-w", str(ws)).stdout
    assert "accepted 0" in out
    assert count() == before
