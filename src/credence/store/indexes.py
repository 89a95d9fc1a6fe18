"""Rebuilding an index of the store whose lookups came back wrong (see ``Store``'s note on DuckDB's WAL replay).

An index is a cache of its table: dropping it and making it again from the rows gives a whole one. The two
steps commit apart: on DuckDB 1.5.6 a ``DROP INDEX`` and a ``CREATE INDEX`` of the same name on the same table in
one transaction abort the process at COMMIT ("pure virtual method called"). Between the two, reads of the
table scan it: slower, never wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from credence.store.store import Store


def rebuild(store: Store, name: str) -> bool:
    """Drop index ``name`` and create it again from its table's rows; False when the store has no such index."""
    with store.transaction(hooks=False) as con:
        found = con.execute("SELECT sql FROM duckdb_indexes() WHERE index_name = ?", [name]).fetchone()
        if found is None or not found[0]:
            return False
        con.execute(f"DROP INDEX {name}")
    with store.transaction(hooks=False) as con:
        con.execute(found[0])
    return True
