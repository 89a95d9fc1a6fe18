"""The SQL core: scorecards compile (with SQLGlot) into one portable query."""

from credence.sql.compiler import compile_scorecard, scorecard_query

__all__ = ["compile_scorecard", "scorecard_query"]
