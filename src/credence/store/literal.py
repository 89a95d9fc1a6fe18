"""Values written into SQL text as literals, for the few statements a one-shot command runs unbound.

Why: DuckDB's Python client imports pandas (and with it numpy and pyarrow, ~1 s of CPU) the first time a
statement binds any Python value, even one string; a statement with no parameters imports nothing. The
served read of one score (``credence show``) costs a few milliseconds, so binding its entity id would make
that import most of the command. Only values of the types below are written, each in DuckDB's standard
literal syntax (a string's quotes doubled; no escape sequences exist in ``'...'``; a NUL as ``chr(0)``), so a value can never end
its literal: ``tests/store/test_literal.py`` round-trips hostile strings through DuckDB.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime

Value = str | int | float | bool | datetime | date | None
_NAMED = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def literal(value: Value) -> str:
    """``value`` as a DuckDB SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"no SQL literal for the float {value!r}")
        return f"CAST({value!r} AS DOUBLE)"  # a bare 1.5 is a DECIMAL in DuckDB
    if isinstance(value, str):
        quoted = ["'" + part.replace("'", "''") + "'" for part in value.split("\x00")]
        return quoted[0] if len(quoted) == 1 else "(" + " || chr(0) || ".join(quoted) + ")"  # a NUL can't be quoted
    if isinstance(value, datetime):
        kind = "TIMESTAMP" if value.tzinfo is None else "TIMESTAMPTZ"
        return f"{kind} '{value.isoformat(sep=' ')}'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    raise TypeError(f"no SQL literal for a {type(value).__name__}")


def inline(sql: str, params: Sequence[Value] | Mapping[str, Value]) -> str:
    """``sql`` with its placeholders replaced by ``params`` as literals: each ``?`` by the next of a sequence,
    each ``$name`` by that key of a mapping. ``sql`` must hold no quoted text or comment (a placeholder there
    could not be told from one outside): statements written with placeholders only."""
    if "'" in sql or '"' in sql or "--" in sql:
        raise ValueError("inline() takes SQL without quoted text or comments")
    if isinstance(params, Mapping):
        names = set(_NAMED.findall(sql))
        if names != set(params):
            raise ValueError(f"placeholders {sorted(names)} for values {sorted(params)}")
        return _NAMED.sub(lambda m: literal(params[m.group(1)]), sql)
    parts = sql.split("?")
    if len(parts) != len(params) + 1:
        raise ValueError(f"{len(parts) - 1} placeholder(s) for {len(params)} value(s)")
    out = [parts[0]]
    for value, rest in zip(params, parts[1:], strict=True):
        out += [literal(value), rest]
    return "".join(out)
