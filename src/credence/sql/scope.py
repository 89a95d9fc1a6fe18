"""The population statement restricted to a set of entities: the same compiled SQL, fewer rows to read.

``restrict_population`` takes the query of ``compiler.population_query`` and a relation of entity ids (the
scope) and adds the restriction where the rows are read, so only the scope's events are aggregated:

    ev      the events that count: only the scope's entities' events
    feat    the entities scored (each card's part): only the scope's entities
    vside   vouch acts: only pairs with a side in the scope (both sides' acts of every vouch of a scope
            entity are kept, so its links are complete); the vouchees' events are joined by key as before

Everything else (aggregates, points, reasons, words) is untouched, so a scope entity's row is exactly its
row in the whole population (tested). The serving layer re-scores the entities a change touched this way,
in one statement, never one entity at a time.
"""

from __future__ import annotations

from sqlglot import exp

from credence.sql.expressions import col


def _member(column: str, scope: exp.Query) -> exp.Expression:
    return exp.In(this=col(column), query=exp.Subquery(this=scope.copy()))


def _inner(cte: exp.CTE, alias: str) -> exp.Select:
    for sub in cte.this.find_all(exp.Subquery):
        if sub.alias == alias and isinstance(sub.this, exp.Select):
            return sub.this
    raise ValueError(f"the population query's '{cte.alias}' has no subquery '{alias}'")


def restrict_population(query: exp.Query, scope: exp.Query) -> exp.Query:
    """``query`` (a population query) scoring only the entities ``scope`` (a SELECT of entity_id) lists."""
    query = query.copy()
    found = {"ev": 0, "feat": 0}
    for cte in list(query.find_all(exp.CTE)):
        name = cte.alias
        if name == "ev":
            _inner(cte, "e").where(_member("entity_id", scope), append=True, copy=False)
        elif name == "feat":
            _inner(cte, "n").where(_member("entity_id", scope), append=True, copy=False)
        elif name == "vside":
            either = exp.or_(_member("entity_id", scope), _member("counterparty_id", scope))
            cte.this.where(exp.paren(either), append=True, copy=False)
        else:
            continue
        found[name] = found.get(name, 0) + 1
    if not found["ev"] or not found["feat"]:
        raise ValueError("not a population query: it has no 'ev' or 'feat' to restrict")
    return query


def scope_of(table: str) -> exp.Select:
    """The scope relation: the distinct entity ids of ``table``."""
    return exp.select(col("entity_id")).from_(table).distinct()
