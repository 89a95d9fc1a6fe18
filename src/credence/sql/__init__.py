"""The SQL core: scorecards compile (with SQLGlot) into one portable query.

The compiler is loaded on first use of its names, so that ``credence.sql.cache`` (compiled SQL kept on disk,
read by the served path) does not load SQLGlot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from credence.sql.compiler import compile_scorecard, scorecard_query

__all__ = ["compile_scorecard", "scorecard_query"]


def __getattr__(name: str):
    if name in __all__:
        from credence.sql import compiler

        return getattr(compiler, name)
    raise AttributeError(f"module 'credence.sql' has no attribute {name!r}")
