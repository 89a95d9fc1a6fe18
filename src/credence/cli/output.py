"""Machine-readable output: ``--json`` on every command that prints data.

The shapes are documented in docs/operator.md ("JSON output") and held by ``tests/cli/test_json.py``; a score
has the HTTP API's shape (``Score`` in ``credence.api.models``: entity_id, kind, score, band, as_of, scorecard,
dimensions, reasons). JSON goes to stdout alone, indented, with times as ISO 8601 text.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import typer

JsonOption = typer.Option(False, "--json", help="Print the result as JSON (shapes: docs/operator.md, JSON output).")


def plain(value):
    """``value`` with times as ISO text, decimals as numbers, NaN as null, paths as text (recursively)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "item") and callable(value.item):  # a numpy scalar
        return plain(value.item())
    return value


def emit(data) -> None:
    """Print ``data`` as JSON on stdout."""
    typer.echo(json.dumps(plain(data), indent=2, ensure_ascii=False))


def score_json(row: dict) -> dict:
    """A scoring row (served, online or stored) in the API's ``Score`` shape."""
    from credence.domain.catalogue import DIMENSIONS

    return {
        "entity_id": row["entity_id"],
        "kind": row.get("kind"),
        "score": row.get("score"),
        "band": row.get("band"),
        "as_of": row.get("as_of"),
        "scorecard": row.get("scorecard"),
        "dimensions": {d: _num(row.get(f"points_{d}")) for d in DIMENSIONS},
        "reasons": row.get("reasons") or [],
    }


def _num(v) -> float | None:
    return None if v is None else float(v)
