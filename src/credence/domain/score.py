"""The shape of a score row, as every scoring path hands it back (population SQL, online, served).

Light on purpose: the served read (``credence show``, the API's score route) needs these names and nothing of
the compiler or the engines.
"""

from __future__ import annotations

from credence.domain.catalogue import DIMENSIONS

MAX_REASONS = 4  # the features that lost the most points, at most four (SPEC §2, Reasons)

SCORE_COLUMNS = (
    ["entity_id", "kind", "score", "band"]
    + [f"points_{d}" for d in DIMENSIONS]
    + [f"reason{k}_{part}" for k in range(1, MAX_REASONS + 1) for part in ("code", "text")]
)


def reasons_of(row: dict) -> list[dict]:
    """The row's reasons (``reason1_code``, ``reason1_text``, ...) as a list of ``{code, text}``, best first."""
    return [
        {"code": row[f"reason{k}_code"], "text": row[f"reason{k}_text"]}
        for k in range(1, MAX_REASONS + 1)
        if row.get(f"reason{k}_code")
    ]
