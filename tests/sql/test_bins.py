"""Property test: a feature's bins in SQL (binary search or CASE list) give Feature.points_for's points."""

from __future__ import annotations

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from credence.domain.scorecard import Feature, NumericBin
from credence.sql.compiler import bin_points

POINTS = st.floats(min_value=-100, max_value=100, allow_nan=False).map(lambda x: round(x, 6))
EDGES = st.lists(st.integers(-1000, 1000).map(lambda x: x / 4), min_size=1, max_size=20, unique=True).map(sorted)
VALUES = st.lists(st.one_of(st.none(), st.integers(-1100, 1100).map(lambda x: x / 4)), min_size=1, max_size=50)


@st.composite
def features(draw):
    edges = draw(EDGES)
    bounds = [None, *edges, None]
    bins = [NumericBin(lo, hi, draw(POINTS)) for lo, hi in zip(bounds, bounds[1:], strict=False)]
    if draw(st.booleans()) and len(bins) > 2:  # a gap: values in it fall back to the missing points
        del bins[draw(st.integers(1, len(bins) - 2))]
    return Feature(name="x", dimension="behaviour", aggregate="count", bins=tuple(bins), missing_points=draw(POINTS))


@settings(max_examples=150, deadline=None)
@given(features(), VALUES)
def test_sql_bins_equal_the_reference(feature, values):
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, f0 DOUBLE)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(values)))
    sql = bin_points(0, feature).sql(dialect="duckdb")
    got = [r[0] for r in con.execute(f"SELECT {sql} FROM t ORDER BY i").fetchall()]
    assert got == [feature.points_for(v) for v in values]
