"""The append-only store (DuckDB): schema, connection, and batch transactions."""

from credence.store.store import Store

__all__ = ["Store"]
