"""Fairness report by protected group (SPEC guardrail 1: protected data is used only here, to audit).

For each protected attribute and each group in it: the score distribution, the approval rate at each policy
cut-off (approved = score at or above the cut-off), the disparate-impact ratio (the group's approval rate
over the most-approved group's; the attribute is flagged when the lowest ratio is below 0.8, the
"four-fifths rule"), and, where outcomes are known, the true-positive rate: the share of the group's good
payers (no default) who are approved. The TPR gap is the largest difference between groups (equal
opportunity asks for it to be small). Rows without a score (insufficient data) are counted, not judged.

A group with fewer than ``MIN_GROUP`` (100) scored rows is **uncertain**: its figures are reported, but it is
neither the reference nor the lowest group of a disparate-impact flag (a 67-row group is noise, not evidence).
At the reference cut-off (600), fairlearn's ``MetricFrame`` gives each group's selection rate, true- and
false-positive rates (approved goods / goods, approved bads / bads) and calibration (predicted against
observed bad rate), each with a bootstrap interval (2.5%-97.5%).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from credence.domain.guardrails import default_rules, words
from credence.store import Store, queries

CUTOFFS = (500, 550, 600, 650, 700, 750)  # the shipped policies' thresholds (SPEC section 2)
DI_THRESHOLD = 0.8
MIN_GROUP = 100  # fewer scored rows: uncertain, never flagged
REFERENCE_CUTOFF = 600
N_BOOT = 1000
MAX_GROUPS = 12
AGE_BANDS = ((None, 25, "under 25"), (25, 35, "25-34"), (35, 50, "35-49"), (50, None, "50 and over"))


def age_band(age) -> str | None:
    if age is None or (isinstance(age, float) and np.isnan(age)):
        return None
    for lo, hi, label in AGE_BANDS:
        if (lo is None or age >= lo) and (hi is None or age < hi):
            return label
    return None


def group_columns(protected: pd.DataFrame) -> dict[str, pd.Series]:
    """Protected columns -> the group label of every row, one entry per audited attribute.

    Ages become age bands; other numbers become quartile bands. A sex/gender column written as
    ``"male : single"`` (sex and marital status in one, as in German Credit) is audited by sex (the part
    before the colon) and, separately, as it is.
    """
    rules = default_rules()
    out: dict[str, pd.Series] = {}
    for col in protected.columns:
        s = protected[col]
        m = rules.match(str(col))
        group = m.group if m else ""
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            if group == "age" or "age" in words(str(col)):
                out[f"{col} (band)"] = s.map(age_band)
            else:
                out[f"{col} (quartile)"] = pd.qcut(s, 4, duplicates="drop").astype(str).where(s.notna())
            continue
        s = s.astype(object).where(s.notna())
        if group == "sex or gender" and s.dropna().astype(str).str.contains(":").all():
            out["sex"] = s.map(lambda v: None if pd.isna(v) else str(v).split(":")[0].strip())
        top = s.value_counts().index[: MAX_GROUPS - 1]
        out[str(col)] = s.where(s.isin(top) | s.isna(), "other")
    return out


def _dist(scores: np.ndarray) -> dict:
    if len(scores) == 0:
        return {"mean": None, "sd": None, "p10": None, "p25": None, "median": None, "p75": None, "p90": None}
    q = np.percentile(scores, [10, 25, 50, 75, 90])
    return {
        "mean": float(scores.mean()),
        "sd": float(scores.std(ddof=1)) if len(scores) > 1 else 0.0,
        "p10": float(q[0]),
        "p25": float(q[1]),
        "median": float(q[2]),
        "p75": float(q[3]),
        "p90": float(q[4]),
    }


def group_metrics(labels: pd.Series, scores, y=None, prob=None, *, cutoff: int = REFERENCE_CUTOFF) -> dict:
    """fairlearn ``MetricFrame`` figures per group at ``cutoff``, with bootstrap intervals (module docstring)."""
    from fairlearn.metrics import MetricFrame, false_positive_rate, selection_rate, true_positive_rate

    s = np.asarray(scores, dtype=float)
    labels = pd.Series(labels).reset_index(drop=True)
    keep = ~np.isnan(s) & labels.notna().to_numpy()
    if y is not None:
        yv = np.asarray(y, dtype=float)
        if np.isnan(yv[keep]).any():  # true/false-positive rates need every row's outcome: selection only
            y = None
    if keep.sum() < 2:
        return {"cutoff": cutoff, "groups": {}}
    groups = labels[keep].astype(str).to_numpy()
    approved = (s[keep] >= cutoff).astype(int)
    good = (1 - yv[keep]).astype(int) if y is not None else np.zeros(int(keep.sum()), dtype=int)
    metrics = {"selection_rate": selection_rate}
    if y is not None and 0 < good.sum() < len(good):
        metrics |= {"true_positive_rate": true_positive_rate, "false_positive_rate": false_positive_rate}
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mf = MetricFrame(metrics=metrics, y_true=good, y_pred=approved, sensitive_features=groups)
    rng = np.random.default_rng(0)
    out: dict = {}
    for g in mf.by_group.index:
        m = groups == g
        # each rate is a share of a fixed set of rows (the group, its goods, its bads); resampling those rows
        # with replacement gives Binomial(n, rate) / n exactly, so the bootstrap is drawn in one call
        bases = {"selection_rate": m, "true_positive_rate": m & (good == 1), "false_positive_rate": m & (good == 0)}
        row: dict = {"n": int(m.sum())}
        row["ci"] = {}
        for name in metrics:
            rate = float(mf.by_group.loc[g, name])
            n = int(bases[name].sum())
            row[name] = rate
            draws = rng.binomial(n, rate, N_BOOT) / n if n else np.array([np.nan])
            row["ci"][name] = (
                [float(np.quantile(draws, 0.025)), float(np.quantile(draws, 0.975))] if n else [None, None]
            )
        out[str(g)] = row
    if prob is not None and y is not None:
        p = np.asarray(prob, dtype=float)[keep]
        for g in out:
            m = groups == g
            out[g]["calibration"] = {
                "predicted_bad_rate": float(np.mean(p[m])),
                "observed_bad_rate": float(1 - good[m].mean()),
            }
    return {
        "cutoff": cutoff,
        "library": "fairlearn MetricFrame",
        "bootstrap": {"n_boot": N_BOOT, "quantiles": [0.025, 0.975], "within": "group (rows resampled per group)"},
        "groups": out,
    }


def attribute_report(
    attribute: str, labels: pd.Series, scores, y=None, cutoffs=CUTOFFS, *, min_group: int = MIN_GROUP, prob=None
) -> dict:
    """Fairness figures of one attribute; ``labels`` gives each row's group (None = unknown)."""
    labels = pd.Series(labels).reset_index(drop=True)
    s = np.asarray(scores, dtype=float)
    scored = ~np.isnan(s)
    known = labels.notna().to_numpy()
    yv = None if y is None else np.asarray(y, dtype=float)
    groups = []
    order = {label: i for i, (_, _, label) in enumerate(AGE_BANDS)}
    for g in sorted(labels[known].astype(str).unique(), key=lambda v: (order.get(v, len(order)), v)):
        mask = (labels.astype(str) == g).to_numpy() & known
        gs = s[mask & scored]
        row = {
            "group": g,
            "n": int(mask.sum()),
            "scored": int(len(gs)),
            "small": bool(len(gs) < min_group),
            "uncertain": bool(len(gs) < min_group),
            "score": _dist(gs),
        }
        row["approval"] = {str(c): (float(np.mean(gs >= c)) if len(gs) else None) for c in cutoffs}
        if yv is not None:
            gy = yv[mask & scored]
            good = gy == 0
            known_y = gy[~np.isnan(gy)]
            row["bad_rate"] = float(known_y.mean()) if len(known_y) else None
            row["tpr"] = {str(c): (float(np.mean(gs[good] >= c)) if good.any() else None) for c in cutoffs}
        groups.append(row)
    total = int(len(labels))
    for row in groups:
        row["share"] = row["n"] / total if total else None
    by_cutoff = []
    for c in cutoffs:
        rates = {
            r["group"]: r["approval"][str(c)]
            for r in groups
            if r["approval"][str(c)] is not None and not r["uncertain"]
        }
        entry: dict = {
            "cutoff": c,
            "disparate_impact": None,
            "reference_group": None,
            "lowest_group": None,
            "flag": False,
            "ratios": {},
        }
        if rates:
            ref = max(rates, key=lambda k: rates[k])
            low = min(rates, key=lambda k: rates[k])
            if rates[ref] > 0:
                entry["ratios"] = {g: r / rates[ref] for g, r in rates.items()}
                entry["disparate_impact"] = rates[low] / rates[ref]
                entry["flag"] = entry["disparate_impact"] < DI_THRESHOLD
            entry["reference_group"], entry["lowest_group"] = ref, low
        if yv is not None:
            tprs = [r["tpr"][str(c)] for r in groups if r.get("tpr", {}).get(str(c)) is not None]
            entry["tpr_gap"] = float(max(tprs) - min(tprs)) if len(tprs) > 1 else None
        by_cutoff.append(entry)
    return {
        "attribute": attribute,
        "rows": total,
        "unknown_group": int((~known).sum()),
        "unscored": int((~scored).sum()),
        "groups": groups,
        "by_cutoff": by_cutoff,
        "flagged_cutoffs": [e["cutoff"] for e in by_cutoff if e["flag"]],
        "uncertain_groups": [r["group"] for r in groups if r["uncertain"]],
        "min_group": min_group,
        "metricframe": group_metrics(labels, s, y, prob) if len(labels) else None,
    }


def fairness_report(
    scores,
    groups: dict[str, pd.Series],
    y=None,
    *,
    cutoffs=CUTOFFS,
    basis: str = "",
    min_group: int = MIN_GROUP,
    prob=None,
) -> dict:
    """The fairness report over every audited attribute (see ``group_columns``)."""
    attrs = [
        attribute_report(name, labels, scores, y, cutoffs, min_group=min_group, prob=prob)
        for name, labels in groups.items()
    ]
    return {
        "report": "fairness",
        "basis": basis,
        "cutoffs": list(cutoffs),
        "di_threshold": DI_THRESHOLD,
        "min_group": min_group,
        "outcomes_known": y is not None,
        "attributes": attrs,
        "flags": [
            {
                "attribute": a["attribute"],
                "cutoff": e["cutoff"],
                "disparate_impact": e["disparate_impact"],
                "lowest_group": e["lowest_group"],
                "reference_group": e["reference_group"],
            }
            for a in attrs
            for e in a["by_cutoff"]
            if e["flag"]
        ],
    }


def latest_scores_fairness(store: Store) -> dict:
    """The fairness report over every entity's latest score and the protected groups (the audit view)."""
    from credence.learning.features import protected_frame

    scores = queries.df(store, "SELECT entity_id, score FROM latest_scores ORDER BY entity_id")
    frame = scores.merge(protected_frame(store), on="entity_id", how="left")
    groups = group_columns(frame.drop(columns=["entity_id", "score"]))
    values = pd.to_numeric(frame["score"], errors="coerce").to_numpy(dtype=float)
    return fairness_report(values, groups, basis="latest score of every entity")
