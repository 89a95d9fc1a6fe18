"""A fitted optbinning ``Scorecard`` -> Credence scorecard YAML, and scoring a DataFrame with a card in SQL.

optbinning's ``Scorecard.score()`` is the sum of one row of points per variable (min-max scaling puts the
intercept into the points, so the sum is already on the 350-950 scale). The Credence card therefore uses
``scaling: {method: sum}`` and carries the points unrounded, so the SQL core reproduces ``score()`` exactly
(then rounds half up and clamps to 350-950, as every Credence score is).

Bins, as ``scorecard.table(style="detailed")`` lists them:

* numeric bins ``[s_i, s_i+1)`` come from the variable's splits (``np.digitize(..., right=False)``, the same
  half-open ranges as Credence's ``{min, max}``);
* categorical bins become category sets;
* the ``Missing`` row becomes the ``missing`` bin;
* the ``Special`` row is ignored (no special codes are used);
* a category never seen in training is scored by optbinning with the ``Missing`` row's points (its
  ``metric="indices"`` transform gives unseen categories index -1, the last row), so the card gets an
  ``other`` bin with the same points.
"""

from __future__ import annotations

import math
from dataclasses import replace

import duckdb
import numpy as np
import pandas as pd

from credence.domain.bands import MAX_SCORE, MIN_SCORE
from credence.domain.guardrails import words
from credence.domain.scorecard import Scorecard, parse_scorecard, scorecard_to_dict
from credence.learning.data import guess_dimension
from credence.sql.compiler import compile_scorecard

ROW_ID = "credence_row"


def _num(x) -> float:
    return float(x)


def _label(name: str) -> str:
    return " ".join(words(name)) or name


def _range_text(b: dict) -> str:
    lo, hi = b.get("min"), b.get("max")
    if lo is None and hi is None:
        return "any value"
    if lo is None:
        return f"below {hi:g}"
    if hi is None:
        return f"{lo:g} or more"
    return f"from {lo:g} to under {hi:g}"


def learned_bins(model, variable: str) -> tuple[list[dict], bool]:
    """The Credence bins of one variable of a fitted optbinning ``Scorecard``, and whether it is categorical."""
    table = model.table(style="detailed")
    rows = table[table["Variable"] == variable]
    labels = rows["Bin"].tolist()
    points = [_num(p) for p in rows["Points"].tolist()]
    if len(labels) < 3 or str(labels[-1]) != "Missing" or str(labels[-2]) != "Special":
        raise AssertionError(f"unexpected optbinning table for {variable}: {labels}")
    regular = len(labels) - 2
    optb = model.binning_process_.get_binned_variable(variable)
    bins: list[dict] = []
    if optb.dtype == "numerical":
        splits = [float(s) for s in optb.splits]
        if len(splits) + 1 != regular:
            raise AssertionError(f"{variable}: {len(splits)} splits but {regular} bins")
        for i in range(regular):
            b: dict = {}
            if i > 0:
                b["min"] = splits[i - 1]
            if i < len(splits):
                b["max"] = splits[i]
            b["points"] = points[i]
            bins.append(b)
    else:
        for i in range(regular):
            bins.append({"categories": [str(c) for c in np.asarray(labels[i]).ravel()], "points": points[i]})
        bins.append({"other": True, "points": points[-1]})
    bins.append({"missing": True, "points": points[-1]})
    return bins, optb.dtype != "numerical"


def missing_counts(model) -> dict[str, int]:
    """Training rows with a missing value, per variable of a fitted optbinning ``Scorecard``."""
    table = model.table(style="detailed")
    rows = table[table["Bin"].astype(str) == "Missing"]
    return {str(v): int(n) for v, n in zip(rows["Variable"], rows["Count"], strict=True)}


def _missing_bin(bins: list[dict], seen: int, missing: str) -> list[dict]:
    """With ``missing="lowest"``, a variable never missing in training gives missing its lowest points."""
    if seen or missing != "lowest":
        return bins
    lowest = min(b["points"] for b in bins if not b.get("missing") and not b.get("other"))
    return [{**b, "points": lowest} if b.get("missing") else b for b in bins]


def missing_summary(card: Scorecard, model) -> list[dict]:
    """What a missing value earns on each feature, and why (learned, or a stated default)."""
    seen = missing_counts(model)
    out = []
    for f in card.features:
        n = seen.get(f.name, 0)
        lo = min(b.points for b in f.bins)
        if n:
            why = f"learned from {n:,} training rows with no value"
        elif f.missing_points <= lo:
            why = "no missing value in training: the feature's lowest points (--missing lowest)"
        else:
            why = "no missing value in training: neutral, the learner's zero weight of evidence (--missing neutral)"
        out.append({"feature": f.name, "points": float(f.missing_points), "training_rows_missing": n, "why": why})
    return out


def _improve(name: str, bins: list[dict], categorical: bool) -> str:
    regular = [b for b in bins if "points" in b and not b.get("missing") and not b.get("other")]
    best = max(regular, key=lambda b: b["points"])
    if categorical:
        return f"{_label(name)} of {' or '.join(best['categories'][:3])}"
    return f"{_label(name)} {_range_text(best)}"


def card_from_model(model, *, missing: str = "neutral", **kw) -> Scorecard:
    """The Credence card of a fitted optbinning ``Scorecard`` (keywords as ``card_from_bins``); ``missing``:
    what a missing value earns on a variable never missing in training (``neutral`` or ``lowest``)."""
    variables = [str(v) for v in model.binning_process_.get_support(names=True)]
    seen = missing_counts(model)
    learned = {}
    for v in variables:
        bins, categorical = learned_bins(model, v)
        learned[v] = (_missing_bin(bins, seen.get(v, 0), missing), categorical)
    return card_from_bins(learned, **kw)


def card_from_bins(
    learned: dict[str, tuple[list[dict], bool]],
    *,
    card_id: str,
    version: int = 1,
    title: str = "",
    kinds: tuple[str, ...] = ("person",),
    template: Scorecard | None = None,
    id_column: str = "entity_id",
    metadata: dict | None = None,
    dimensions: dict[str, str] | None = None,
) -> Scorecard:
    """A Credence card (``scaling: sum``) from each variable's learned bins and whether it is categorical.

    Without ``template`` the card reads a feature table (``source: table``, one ``column`` feature per
    variable). With an events ``template`` (the card whose detail query produced the training columns), each
    of its features keeps its aggregate, filters, window and words and gets the learned bins.
    """
    variables = list(learned)
    features = []
    if template is not None:
        raw_features = {f["name"]: f for f in scorecard_to_dict(template)["features"]}
        missing = [v for v in variables if v not in raw_features]
        if missing:
            raise ValueError(f"variables {missing} are not features of {template.ref}")
        for v in variables:
            bins, _ = learned[v]
            features.append({**raw_features[v], "bins": bins})
    else:
        for v in variables:
            bins, categorical = learned[v]
            label = _label(v)
            features.append(
                {
                    "name": v,
                    "dimension": (dimensions or {}).get(v) or guess_dimension(v),
                    "aggregate": "column",
                    "column": v,
                    "format": "category" if categorical else "number",
                    "reason": f"{label}: {{value}}",
                    "missing_reason": f"no {label} given",
                    "improve": _improve(v, bins, categorical),
                    "bins": bins,
                }
            )
    raw = {
        "id": card_id,
        "version": version,
        "title": title or f"Learned scorecard {card_id}",
        "kinds": list(kinds),
        "source": "events" if template is not None else "table",
    }
    if template is not None:
        raw["insufficient_data"] = {"min_events": template.min_events, "min_history_days": template.min_history_days}
    else:
        raw["id_column"] = id_column
    raw["scaling"] = {"method": "sum"}
    raw["metadata"] = plain(metadata or {})
    raw["features"] = features
    return parse_scorecard(raw, source=f"learned scorecard {card_id}")


def plain(x):
    """``x`` with numpy scalars and arrays turned into plain Python (YAML-safe)."""
    if isinstance(x, dict):
        return {str(k): plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple | np.ndarray):
        return [plain(v) for v in x]
    if isinstance(x, str):
        return str(x)
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.floating):
        return float(x)
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def table_twin(card: Scorecard) -> Scorecard:
    """An events card as a feature-table card whose columns are named after its features (same bins)."""
    if card.source == "table":
        return card
    raw = scorecard_to_dict(card)
    feats = []
    for f in raw["features"]:
        g = {
            k: v
            for k, v in f.items()
            if k not in ("aggregate", "where", "numerator", "denominator", "window_days", "decay_half_life_days")
        }
        feats.append({**g, "aggregate": "column", "column": f["name"]})
    raw.pop("insufficient_data", None)
    raw.update(source="table", id_column="entity_id", features=feats)
    return parse_scorecard(raw, source=f"{card.ref} as a feature table")


# ------------------------------------------------------------------------------------------ scoring
def score_frame(card: Scorecard, df: pd.DataFrame, *, detail: bool = False, reasons: bool = True) -> pd.DataFrame:
    """Score every row of ``df`` with the card's compiled SQL in DuckDB; rows come back in ``df``'s order.

    An events card is scored through its feature-table twin, with ``df`` holding one column per feature.
    """
    card = replace(table_twin(card), id_column=ROW_ID)
    data = df.reset_index(drop=True).copy()
    for f in card.features:
        if f.column not in data.columns:
            data[f.column] = None
    data[ROW_ID] = np.arange(len(data), dtype=np.int64)
    con = duckdb.connect()
    try:
        con.register("credence_features", data)
        sql = compile_scorecard(card, table="credence_features", detail=detail, reasons=reasons)
        out = con.execute(f"SELECT * FROM ({sql}) ORDER BY entity_id").df()
    finally:
        con.close()
    return out.drop(columns=["entity_id", "kind"]).reset_index(drop=True)


def card_scores(card: Scorecard, df: pd.DataFrame, *, engine: str = "sql") -> np.ndarray:
    """The card's scores of the rows of ``df``: by its compiled SQL (``engine="sql"``), or by the same bins
    evaluated with numpy (``"numpy"``, for the many refits of cross-validation; tested equal to the SQL)."""
    if engine == "sql":
        # reasons do not change a score: the score-only statement compiles several times faster
        return score_frame(card, df, reasons=False)["score"].to_numpy(dtype=float)
    card = table_twin(card)
    data = df.reset_index(drop=True)
    total = None
    for f in card.features:
        pts = feature_points(f, data[f.column] if f.column in data.columns else pd.Series([None] * len(data)))
        total = pts if total is None else total + pts
    offset, factor = card.scale()
    return round_score(offset + factor * total)


def feature_points(f, values: pd.Series) -> np.ndarray:
    """Points of one feature for a column of values: the compiled CASE, vectorised."""
    missing = values.isna().to_numpy()
    fallback = f.other_points if f.other_points is not None else f.missing_points
    if f.categorical:
        lookup = {v: b.points for b in f.bins for v in b.values}
        pts = values.astype(str).map(lookup).astype(float).fillna(fallback).to_numpy()
    else:
        edges = [b.min for b in f.bins[1:]]
        x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        idx = np.digitize(np.where(missing, 0.0, x), edges, right=False)
        pts = np.array([b.points for b in f.bins], dtype=float)[idx]
    return np.where(missing, f.missing_points, pts)


def round_score(raw) -> np.ndarray:
    """Credence's rounding of a raw score: half up, then clamped to 350-950."""
    return np.clip(np.floor(np.asarray(raw, dtype=float) + 0.5), MIN_SCORE, MAX_SCORE)


def pd_mapping(model, X: pd.DataFrame) -> dict:
    """``logit P(bad) = intercept + slope * score``: exact for a min-max scorecard (the score is linear in
    the model's logit). Fitted on the training rows; stored in the card so any score maps to a probability."""
    logit = np.asarray(model.decision_function(X), dtype=float)
    score = np.asarray(model.score(X), dtype=float)
    if np.ptp(score) == 0:
        return {"intercept": float(np.mean(logit)), "slope": 0.0}
    slope, intercept = np.polyfit(score, logit, 1)
    return {"intercept": float(intercept), "slope": float(slope)}


def probability(card_or_mapping, scores) -> np.ndarray | None:
    """P(bad) for Credence scores, from the card's stored mapping (None when the card has none)."""
    m = card_or_mapping
    if isinstance(m, Scorecard):
        m = (m.metadata.get("learned") or {}).get("pd")
    if not m:
        return None
    s = np.asarray(scores, dtype=float)
    return 1.0 / (1.0 + np.exp(-(m["intercept"] + m["slope"] * s)))


def points_table(card: Scorecard) -> list[dict]:
    """Every bin of every feature with its points: the card in one table."""
    rows = []
    for f in card.features:
        for b in f.bins:
            rows.append({"feature": f.name, "dimension": f.dimension, "bin": b.label, "points": b.points})
        if f.other_points is not None and f.categorical:
            rows.append(
                {"feature": f.name, "dimension": f.dimension, "bin": "other (unseen)", "points": f.other_points}
            )
        rows.append({"feature": f.name, "dimension": f.dimension, "bin": "missing", "points": f.missing_points})
    return rows
