"""Golden SQL: the exact text each shipped card compiles to in each verified dialect, kept in the repository.

A change to the compiler (or to SQLGlot) that changes the generated SQL fails here and shows as a readable
diff of ``tests/sql/golden/*.sql``. When the change is intended, regenerate the files and review their diff
with the rest of the change (``tests/sql/golden/README.md``):

    CREDENCE_REGENERATE_GOLDEN=1 .venv/bin/python -m pytest -q tests/sql/test_golden.py
    git diff tests/sql/golden/
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from credence.domain.scorecard import SHIPPED, load_scorecard
from credence.sql.compiler import compile_scorecard, population_query
from credence.sql.dialects import VERIFIED

GOLDEN = Path(__file__).parent / "golden"
AS_OF = "2026-01-01 00:00:00"
REGENERATE = os.environ.get("CREDENCE_REGENERATE_GOLDEN") == "1"


NAMES = [f"{card}.{dialect}.sql" for card in SHIPPED for dialect in VERIFIED] + ["population.duckdb.sql"]


def generated() -> dict[str, str]:
    """file name -> SQL: every shipped card in every verified dialect, and DuckDB's population query."""
    out = {}
    for name in SHIPPED:
        card = load_scorecard(name)
        for dialect in VERIFIED:
            out[f"{name}.{dialect}.sql"] = compile_scorecard(card, dialect=dialect, pretty=True, as_of=AS_OF) + "\n"
    cards = [load_scorecard(name) for name in SHIPPED]
    out["population.duckdb.sql"] = population_query(cards, as_of=AS_OF).sql(dialect="duckdb", pretty=True) + "\n"
    return out


@pytest.fixture(scope="module")
def sql() -> dict[str, str]:
    files = generated()
    if REGENERATE:
        for old in GOLDEN.glob("*.sql"):
            old.unlink()
        for name, text in files.items():
            (GOLDEN / name).write_text(text)
    return files


def test_the_golden_files_are_exactly_the_generated_ones(sql):
    assert sorted(sql) == sorted(NAMES)
    assert sorted(p.name for p in GOLDEN.glob("*.sql")) == sorted(NAMES), "regenerate: see this file's docstring"


@pytest.mark.parametrize("name", NAMES)
def test_generated_sql_equals_its_golden_file(sql, name):
    want = (GOLDEN / name).read_text() if (GOLDEN / name).exists() else ""
    if sql[name] != want:
        diff = "".join(
            difflib.unified_diff(want.splitlines(True), sql[name].splitlines(True), f"golden/{name}", "generated", n=1)
        )
        pytest.fail(f"the generated SQL changed (regenerate if intended: see this file's docstring)\n{diff[:4000]}")
