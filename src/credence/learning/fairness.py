"""Fairness report by protected group (SPEC guardrail 1: protected data is used only here, to audit).

For each protected attribute and each group in it: the score distribution, the approval rate at each policy
cut-off (approved = score at or above the cut-off), the disparate-impact ratio (the group's approval rate
over the most-approved group's; the attribute is flagged when the lowest ratio is below 0.8, the
"four-fifths rule"), and, where outcomes are known, the true-positive rate: the share of the group's good
payers (no default) who are approved. The TPR gap is the largest difference between groups (equal
opportunity asks for it to be small). Rows without a score (insufficient data) are counted, not judged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from credence.domain.guardrails import default_rules, words

CUTOFFS = (500, 550, 600, 650, 700, 750)  # the shipped policies' thresholds (SPEC section 2)
DI_THRESHOLD = 0.8
SMALL_GROUP = 30
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


def attribute_report(attribute: str, labels: pd.Series, scores, y=None, cutoffs=CUTOFFS) -> dict:
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
            "small": bool(len(gs) < SMALL_GROUP),
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
        rates = {r["group"]: r["approval"][str(c)] for r in groups if r["approval"][str(c)] is not None}
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
    }


def fairness_report(scores, groups: dict[str, pd.Series], y=None, *, cutoffs=CUTOFFS, basis: str = "") -> dict:
    """The fairness report over every audited attribute (see ``group_columns``)."""
    attrs = [attribute_report(name, labels, scores, y, cutoffs) for name, labels in groups.items()]
    return {
        "report": "fairness",
        "basis": basis,
        "cutoffs": list(cutoffs),
        "di_threshold": DI_THRESHOLD,
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
