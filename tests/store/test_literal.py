"""SQL literals (store/literal.py): every value comes back from DuckDB as it went in, hostile strings included."""

from __future__ import annotations

from datetime import UTC, date, datetime

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credence.store.literal import inline, literal

HOSTILE = [
    "",
    "'",
    "''",
    "a'b",
    "a\x00b",
    "\x00",
    "\\",
    "\\'",
    "'; DROP TABLE t; --",
    "P/0001",
    "ü漢字\U0001f600",
    "$1",
    "?",
    "\n\t",
]


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    yield c
    c.close()


@pytest.mark.parametrize("value", HOSTILE)
def test_a_string_comes_back_as_it_went_in(con, value):
    assert con.execute(f"SELECT {literal(value)}").fetchone()[0] == value


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",))))
@settings(max_examples=200, deadline=None)
def test_any_text_comes_back(value):
    with duckdb.connect() as c:
        assert c.execute(f"SELECT {literal(value)}").fetchone()[0] == value


@pytest.mark.parametrize(
    "value",
    [None, True, False, 0, -7, 2**62, 1.5, -0.25, 1e300, 0.1, datetime(2026, 3, 4, 5, 6, 7, 891011), date(2026, 2, 28)],
)
def test_other_values_come_back_as_they_went_in(con, value):
    got = con.execute(f"SELECT {literal(value)}").fetchone()[0]
    assert got == value and type(got) is type(value)


def test_an_aware_time_is_a_timestamptz(con):
    t = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    assert con.execute(f"SELECT {literal(t)} = TIMESTAMPTZ '2026-03-04 05:06:07+00'").fetchone()[0]


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_values_without_a_literal_are_refused(value):
    with pytest.raises(ValueError):
        literal(value)


def test_other_types_are_refused():
    with pytest.raises(TypeError):
        literal(b"bytes")


def test_inline_fills_the_placeholders_in_order(con):
    sql = inline("SELECT ?, ?, ?", ["it's", None, 3])
    assert sql == "SELECT 'it''s', NULL, 3"
    assert con.execute(sql).fetchone() == ("it's", None, 3)


def test_inline_fills_named_placeholders(con):
    sql = inline("SELECT $a, $b, $a", {"a": "x'y", "b": 2})
    assert con.execute(sql).fetchone() == ("x'y", 2, "x'y")


@pytest.mark.parametrize(
    "sql, params",
    [
        ("SELECT ?", []),
        ("SELECT ?, ?", [1]),
        ("SELECT '?', ?", [1]),
        ("SELECT ? -- ?", [1]),
        ("SELECT $a", {"b": 1}),
        ("SELECT $a, $b", {"a": 1}),
    ],
)
def test_inline_refuses_what_it_cannot_fill_safely(sql, params):
    with pytest.raises(ValueError):
        inline(sql, params)
