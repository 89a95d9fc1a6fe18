"""Score range and bands (SPEC section 2). A score of 653 is "excellent"."""

from __future__ import annotations

MIN_SCORE = 350
MAX_SCORE = 950
INSUFFICIENT = "insufficient data"

# (lowest score in band, name), highest band first
BANDS: tuple[tuple[int, str], ...] = (
    (700, "extraordinary"),
    (650, "excellent"),
    (600, "good"),
    (550, "fair"),
    (350, "poor"),
)
BAND_ORDER = tuple(name for _, name in reversed(BANDS))  # poor ... extraordinary


def band_of(score: int | None) -> str:
    """The band name of a score; ``insufficient data`` for None."""
    if score is None:
        return INSUFFICIENT
    if not MIN_SCORE <= score <= MAX_SCORE:
        raise ValueError(f"score {score} is outside {MIN_SCORE}-{MAX_SCORE}")
    for low, name in BANDS:
        if score >= low:
            return name
    raise AssertionError("unreachable")


def band_range(name: str) -> tuple[int, int]:
    """(low, high) inclusive score range of a band."""
    highs = {name: (BANDS[i - 1][0] - 1 if i else MAX_SCORE) for i, (_, name) in enumerate(BANDS)}
    lows = {name: low for low, name in BANDS}
    return lows[name], highs[name]
