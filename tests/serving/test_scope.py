"""The population statement restricted to a set of entities gives exactly their rows of the whole population."""

from __future__ import annotations

import pytest
from sqlglot import exp

from credence.domain.catalogue import default_catalogue
from credence.domain.scorecard import load_scorecard
from credence.generators.synthetic import generate
from credence.sql.compiler import population_query
from credence.sql.scope import restrict_population, scope_of
from credence.store import Store

AS_OF = "2026-01-01 12:00:00"


@pytest.fixture(scope="module")
def store():
    s = Store(":memory:")
    with s.transaction() as con:
        generate(con, events=20_000, entities=2_000, seed=3, as_of="2026-01-01", vouch_share=0.2)
    yield s
    s.close()


def test_a_restricted_population_is_the_population_restricted(store):
    cards = [load_scorecard("person-expert"), load_scorecard("business-expert")]
    query = population_query(cards, as_of=exp.Placeholder(this="as_of"), catalogue=default_catalogue())
    with store.transaction() as con:  # the scope: some vouchers, some vouchees, some without links, one unknown
        con.execute("CREATE TEMP TABLE scope (entity_id VARCHAR)")
        con.execute(
            "INSERT INTO scope SELECT entity_id FROM (SELECT DISTINCT entity_id FROM events "
            "WHERE type LIKE 'vouch%' ORDER BY 1 LIMIT 40) UNION ALL SELECT counterparty_id FROM "
            "(SELECT DISTINCT counterparty_id FROM events WHERE counterparty_id IS NOT NULL ORDER BY 1 LIMIT 30) "
            "UNION ALL SELECT entity_id FROM (SELECT entity_id FROM entities ORDER BY hash(entity_id) LIMIT 60) "
            "UNION ALL SELECT 'NOBODY'"
        )
        full = con.execute(
            f"SELECT * FROM ({query.sql(dialect='duckdb')}) WHERE entity_id IN (SELECT entity_id FROM scope) "
            "ORDER BY entity_id",
            {"as_of": AS_OF},
        ).fetchall()
        scoped_sql = restrict_population(query, scope_of("scope")).sql(dialect="duckdb")
        scoped = con.execute(f"SELECT * FROM ({scoped_sql}) ORDER BY entity_id", {"as_of": AS_OF}).fetchall()
    assert len(full) > 100 and scoped == full
    assert any(r[4] is not None for r in full)  # scored rows, not only insufficient ones


def test_restricting_something_else_is_refused():
    with pytest.raises(ValueError, match="not a population query"):
        restrict_population(exp.select("1"), scope_of("scope"))
