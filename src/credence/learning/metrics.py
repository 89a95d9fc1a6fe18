"""Model validation figures: AUC, KS, Gini, Brier, calibration, PSI, repeated stratified cross-validation.

Convention throughout: ``y`` is 1 for a bad outcome (default) and 0 for a good one; a *score* is higher for
lower risk (Credence's 350-950), a *probability* is the probability of the bad outcome.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve
from sklearn.model_selection import RepeatedStratifiedKFold

PSI_WATCH = 0.1
PSI_ACT = 0.25
PSI_EPSILON = 1e-4  # share given to an empty bin so the logarithm stays finite


def _arrays(y, s) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype=int)
    s = np.asarray(s, dtype=float)
    return y, s


def auc(y, score) -> float:
    """Probability that a random good scores above a random bad (ties count half)."""
    y, s = _arrays(y, score)
    return float(roc_auc_score(y, -s))


def gini(y, score) -> float:
    return 2.0 * auc(y, score) - 1.0


def ks(y, score) -> float:
    """Kolmogorov-Smirnov: the largest gap between the cumulative score distributions of bads and goods."""
    y, s = _arrays(y, score)
    fpr, tpr, _ = roc_curve(y, -s)
    return float(np.max(np.abs(tpr - fpr)))


def brier(y, probability) -> float:
    """Mean squared error of the predicted probability of a bad outcome."""
    y, p = _arrays(y, probability)
    return float(np.mean((p - y) ** 2))


def summary(y, score, probability=None) -> dict:
    """AUC, KS, Gini (from the score) and Brier (from the probability, when given)."""
    out = {"auc": auc(y, score), "ks": ks(y, score), "gini": gini(y, score)}
    out["brier"] = None if probability is None else brier(y, probability)
    return out


def calibration_table(y, probability, score=None, *, groups: int = 10) -> list[dict]:
    """Predicted against observed bad rate, in (up to) ``groups`` groups of equal size by probability."""
    y, p = _arrays(y, probability)
    order = np.argsort(p, kind="stable")
    rows = []
    for i, idx in enumerate(np.array_split(order, min(groups, len(order)))):
        if len(idx) == 0:
            continue
        row = {
            "group": i + 1,
            "n": int(len(idx)),
            "predicted_bad_rate": float(p[idx].mean()),
            "observed_bad_rate": float(y[idx].mean()),
            "bads": int(y[idx].sum()),
        }
        if score is not None:
            sc = np.asarray(score, dtype=float)[idx]
            row["score_min"], row["score_max"] = float(sc.min()), float(sc.max())
        rows.append(row)
    return rows


# ------------------------------------------------------------------------------------------ PSI
def quantile_edges(values, bins: int = 10) -> list[float]:
    """Inner edges splitting ``values`` into (up to) ``bins`` groups of equal size; ties collapse edges."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if len(v) == 0:
        return []
    qs = np.quantile(v, np.linspace(0, 1, bins + 1)[1:-1])
    return sorted({float(q) for q in qs if v.min() < q <= v.max()})


def bin_shares(values, edges: list[float]) -> np.ndarray:
    """Share of ``values`` in each half-open bin ``(-inf, e0), [e0, e1), ..., [ek, inf)``, then missing."""
    v = np.asarray(values, dtype=float)
    missing = np.isnan(v)
    idx = np.digitize(v[~missing], edges, right=False)
    counts = np.bincount(idx, minlength=len(edges) + 1).astype(float)
    counts = np.append(counts, missing.sum())
    return counts / max(len(v), 1)


def psi_from_shares(expected, actual) -> float:
    """Population stability index: sum over bins of (a - e) * ln(a / e); empty bins get a tiny share."""
    e = np.maximum(np.asarray(expected, dtype=float), PSI_EPSILON)
    a = np.maximum(np.asarray(actual, dtype=float), PSI_EPSILON)
    return float(np.sum((a - e) * np.log(a / e)))


def psi(expected, actual, edges: list[float] | None = None, *, bins: int = 10) -> float:
    """PSI of two samples of a number, binned at ``edges`` (default: deciles of ``expected``)."""
    edges = quantile_edges(expected, bins) if edges is None else list(edges)
    return psi_from_shares(bin_shares(expected, edges), bin_shares(actual, edges))


def psi_status(value: float | None) -> str:
    """The usual reading: below 0.1 stable, 0.1 to 0.25 watch, 0.25 or more act."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if value < PSI_WATCH:
        return "stable"
    if value < PSI_ACT:
        return "watch"
    return "act"


# ------------------------------------------------------------------------------------------ CV
def folds(y, *, n_splits: int = 5, n_repeats: int = 5, seed: int = 42) -> list[tuple[np.ndarray, np.ndarray]]:
    """Repeated stratified K-fold (train, test) index pairs: the same seed gives the same folds."""
    y = np.asarray(y, dtype=int)
    cv = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats, random_state=seed)
    return list(cv.split(np.zeros(len(y)), y))


def mean_sd(values) -> dict:
    v = np.asarray([x for x in values if x is not None], dtype=float)
    if len(v) == 0:
        return {"mean": None, "sd": None}
    return {"mean": float(v.mean()), "sd": float(v.std(ddof=1)) if len(v) > 1 else 0.0}


def cross_validate(
    fit_predict: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray | None]],
    y,
    *,
    n_splits: int = 5,
    n_repeats: int = 5,
    seed: int = 42,
    fold_list: list | None = None,
    progress: Callable[[int, int], object] | None = None,
) -> dict:
    """Run ``fit_predict(train_idx, test_idx) -> (scores, probabilities)`` on every fold.

    Returns the per-fold figures and their mean and standard deviation.
    """
    y = np.asarray(y, dtype=int)
    fold_list = fold_list if fold_list is not None else folds(y, n_splits=n_splits, n_repeats=n_repeats, seed=seed)
    per_fold = []
    for k, (train, test) in enumerate(fold_list):
        scores, prob = fit_predict(train, test)
        row = summary(y[test], scores, prob)
        row["fold"] = k + 1
        per_fold.append(row)
        if progress is not None:
            progress(k + 1, len(fold_list))
    out = {"n_splits": n_splits, "n_repeats": n_repeats, "seed": seed, "folds": len(fold_list)}
    for m in ("auc", "ks", "gini", "brier"):
        out[m] = mean_sd(r[m] for r in per_fold)
    out["per_fold"] = per_fold
    return out
