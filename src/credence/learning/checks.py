"""What ``train`` checks in a feature table before fitting, so it never guesses silently.

- ``bad_value``: which target value is the bad outcome; only an unmistakable word (``bad``, ``default``, ...),
  or a yes/no, 1/0 or true/false code on a target whose *name* says bad (``defaulted``, ``is_bad``), is
  taken without ``--bad``; anything else is refused with the values and their counts.
- ``id_like``: row numbers and identifiers (unique increasing integers, a different text in every row, or
  an identifier's name such as ``rownames``) are not inputs.
- ``screen``: every input's information value and univariate AUC on the training rows; an input with
  AUC >= 0.95 or IV >= 1 is nearly determined by the target (a leak) and is refused unless allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from credence.errors import DataError

BAD_WORDS = ("bad", "default", "defaulted", "delinquent", "charged off", "charged_off", "charged-off", "fraud")
POSITIVE_CODES = ("1", "1.0", "true", "yes", "y")
NEGATIVE_CODES = ("0", "0.0", "false", "no", "n")
BAD_NAME = re.compile(
    r"(^|_)(bad|default|defaults|defaulted|delinquent|delinquency|chargeoff|charged_off|dpd|arrears|fraud|loss)(_|$)"
)
ID_NAME = re.compile(
    r"^(id|ids|rownames?|row_?names?|row_?num(ber)?|row_?id|index|idx|record_?id|uuid|key|unnamed_?\d*)$"
    r"|(^|_)(id|uuid)$"
)
LEAK_AUC = 0.95
LEAK_IV = 1.0


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).lower()).strip("_")


def bad_value(name: str, values: pd.Series, distinct: list[str]) -> str:
    """The target value taken as bad without ``--bad``; DataError listing the values when not obvious."""
    lowered = {v.lower(): v for v in distinct}
    words = [lowered[w] for w in BAD_WORDS if w in lowered]
    if len(words) == 1:
        return words[0]
    codes = sorted(lowered)
    positive = [lowered[c] for c in codes if c in POSITIVE_CODES]
    negative = [c for c in codes if c in NEGATIVE_CODES]
    if len(positive) == 1 and len(negative) == 1 and BAD_NAME.search(_norm(name)):
        return positive[0]
    counts = values.value_counts()
    listing = ", ".join(
        f"{v!r} ({int(counts.get(v, 0)):,} rows, {counts.get(v, 0) / len(values):.1%})" for v in distinct
    )
    raise DataError(
        f"cannot tell which value of target '{name}' is the bad outcome: {listing}",
        field=name,
        fix=f"say which with --bad VALUE (e.g. --bad {distinct[0]!r})",
    )


def id_like(series: pd.Series, name: str) -> str | None:
    """Why ``series`` looks like a row identifier rather than a characteristic, or None."""
    if ID_NAME.search(_norm(name)):
        return f"its name '{name}' is an identifier's"
    values = series.dropna()
    if len(values) < 20 or len(values) < len(series) or not values.is_unique:
        return None
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        x = values.to_numpy(dtype=float)
        if np.all(np.mod(x, 1) == 0) and (np.all(np.diff(x) > 0) or np.all(np.diff(x) < 0)):
            return "unique integers that rise (or fall) row by row: a row number"
        return None
    if values.dtype == object:
        return "a different text in every row"
    return None


@dataclass(frozen=True)
class Screen:
    column: str
    iv: float
    auc: float

    @property
    def leaky(self) -> bool:
        return self.auc >= LEAK_AUC or self.iv >= LEAK_IV

    def text(self) -> str:
        return f"IV {self.iv:.2f}, AUC alone {self.auc:.3f}"

    def to_dict(self) -> dict:
        return {"column": self.column, "iv": self.iv, "auc": self.auc, "leaky": self.leaky}


def _codes(s: pd.Series, categorical: bool, groups: int) -> np.ndarray:
    """Group codes: quantile groups of a number (its own code for missing), or its categories."""
    if not categorical and pd.api.types.is_numeric_dtype(s):
        x = s.astype(float)
        if x.nunique() > groups:
            return pd.qcut(x.rank(method="first"), groups, labels=False).fillna(-1).to_numpy(int)
        return pd.factorize(x, use_na_sentinel=True)[0]
    return pd.factorize(s.astype(object), use_na_sentinel=True)[0]


def screen(X: pd.DataFrame, y: np.ndarray, categorical: tuple[str, ...] = ()) -> list[Screen]:
    """IV and univariate AUC of every column of ``X`` against ``y`` (1 = bad), from grouped bad rates."""
    from sklearn.metrics import roc_auc_score

    y = np.asarray(y, dtype=int)
    bads, goods = max(int(y.sum()), 1), max(int(len(y) - y.sum()), 1)
    # about 40 of the rarer class per group (3 to 10 groups): fewer, fuller groups keep the IV estimate from
    # growing with noise on small samples
    groups = int(np.clip(min(bads, goods) // 40, 3, 10))
    out = []
    for c in X.columns:
        codes = _codes(X[c], c in categorical or X[c].dtype == object, groups)
        frame = pd.DataFrame({"g": codes, "y": y})
        agg = frame.groupby("g")["y"].agg(["sum", "count"])
        b = (agg["sum"] + 0.5) / bads
        g = (agg["count"] - agg["sum"] + 0.5) / goods
        iv = float(((g - b) * np.log(g / b)).sum())
        rate = (agg["sum"] / agg["count"]).reindex(codes).to_numpy()
        auc = float(roc_auc_score(y, rate)) if 0 < y.sum() < len(y) else 0.5
        out.append(Screen(str(c), iv, max(auc, 1 - auc)))
    return out
