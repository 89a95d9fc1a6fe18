"""German Credit benchmark: Credence's learned scorecard against optbinning and logistic regression.

    .venv/bin/python benchmarks/german_credit.py                 # 5x5 repeated stratified CV (about a minute)
    .venv/bin/python benchmarks/german_credit.py --repeats 1     # quicker

On identical folds (RepeatedStratifiedKFold, seed 42), five models:

    credence           Credence's trained scorecard, protected columns excluded (guardrail 1); every fold's
                       card is converted to Credence YAML and its scores come from the compiled SQL (DuckDB)
    optbinning (all)   optbinning Scorecard with its defaults (BinningProcess + LogisticRegression(),
                       min-max 350-950) on every column, protected ones included
    optbinning (same)  the same, on Credence's inputs
    logistic (all)     plain logistic regression: one-hot categories, standardised numbers, every column
    logistic (same)    the same, on Credence's inputs

AUC, KS and Gini come from the score (or the probability for logistic regression); Brier from each model's
probability of a bad outcome (Credence's: the card's stored score -> probability map). Fairness figures are
for out-of-fold scores of the first repeat (every applicant scored once by a card that never saw them).
The table is printed and written to benchmarks/results/german_credit.md.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import optbinning  # noqa: E402
import sklearn  # noqa: E402
from optbinning import BinningProcess, Scorecard  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from credence.learning import metrics  # noqa: E402
from credence.learning.convert import card_scores, probability  # noqa: E402
from credence.learning.data import german_credit_path, prepare, read_table  # noqa: E402
from credence.learning.fairness import attribute_report, group_columns  # noqa: E402
from credence.learning.train import LEARNER, fit_card  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "german_credit.md"
MODELS = ("credence", "optbinning (all)", "optbinning (same)", "logistic (all)", "logistic (same)")
FAIR_CUTOFFS = (600, 650)


def optbinning_model(X: pd.DataFrame) -> Scorecard:
    cats = [c for c in X.columns if X[c].dtype == object]
    return Scorecard(
        binning_process=BinningProcess(list(X.columns), categorical_variables=cats or None),
        estimator=LogisticRegression(),
        scaling_method="min_max",
        scaling_method_params={"min": 350, "max": 950},
    )


def logistic_model(X: pd.DataFrame):
    cats = [c for c in X.columns if X[c].dtype == object]
    nums = [c for c in X.columns if c not in cats]
    pre = ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore"), cats), ("num", StandardScaler(), nums)])
    return make_pipeline(pre, LogisticRegression(max_iter=2000))


def fit_predict(name: str, X_all: pd.DataFrame, X_same: pd.DataFrame, y: np.ndarray, tr, te, seed: int):
    """(score: higher = safer, probability of bad) for the test rows."""
    if name == "credence":
        _, card = fit_card(X_same.iloc[tr], y[tr], card_id="german-bench", seed=seed)  # as credence train
        s = card_scores(card, X_same.iloc[te])  # the card's compiled SQL, run in DuckDB
        return s, probability(card, s)
    X = X_all if name.endswith("(all)") else X_same
    if name.startswith("optbinning"):
        m = optbinning_model(X).fit(X.iloc[tr], y[tr])
        return m.score(X.iloc[te]), m.predict_proba(X.iloc[te])[:, 1]
    m = logistic_model(X).fit(X.iloc[tr], y[tr])
    p = m.predict_proba(X.iloc[te])[:, 1]
    return -np.log(p / (1 - p)), p


def run(n_splits: int, n_repeats: int, seed: int) -> dict:
    frame = read_table(german_credit_path())
    prepared = prepare(frame, "creditability")
    y = prepared.y
    X_same = prepared.X
    X_all = frame.drop(columns=["creditability"])
    folds = metrics.folds(y, n_splits=n_splits, n_repeats=n_repeats, seed=seed)
    results, oof, seconds, fold_auc = {}, {}, {}, {}
    for name in MODELS:
        started = time.perf_counter()
        oof[name] = np.full(len(y), np.nan)
        per_fold = []
        for k, (tr, te) in enumerate(folds):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                s, p = fit_predict(name, X_all, X_same, y, tr, te, seed)
            per_fold.append(metrics.summary(y[te], s, p))
            if k < n_splits:
                oof[name][te] = s
        results[name] = {m: metrics.mean_sd(f[m] for f in per_fold) for m in ("auc", "ks", "gini", "brier")}
        fold_auc[name] = np.array([f["auc"] for f in per_fold])
        seconds[name] = time.perf_counter() - started
        r = results[name]
        print(f"  {name:<18} AUC {r['auc']['mean']:.4f} ± {r['auc']['sd']:.4f}  ({seconds[name]:.0f}s)", flush=True)
    groups = group_columns(prepared.protected)
    fairness = {}
    for name in ("credence", "optbinning (all)"):
        scores = oof[name] if name == "credence" else _to_scale(oof[name])
        fairness[name] = {
            attr: attribute_report(attr, groups[attr], scores, y, FAIR_CUTOFFS)
            for attr in ("sex", "age_in_years (band)", "foreign_worker")
        }
    paired = {other: metrics.mean_sd(fold_auc["credence"] - fold_auc[other]) for other in MODELS[1:]}
    return {
        "results": results,
        "fairness": fairness,
        "seconds": seconds,
        "rows": len(y),
        "bads": int(y.sum()),
        "paired": paired,
        "inputs": list(X_same.columns),
        "excluded": [e.column for e in prepared.excluded],
    }


def _to_scale(s: np.ndarray) -> np.ndarray:
    """optbinning's min-max score, rounded as Credence rounds, to read approval at the same cut-offs."""
    return np.clip(np.floor(s + 0.5), 350, 950)


def render(out: dict, n_splits: int, n_repeats: int, seed: int) -> str:
    res = out["results"]
    lines = [
        "# German Credit benchmark",
        "",
        f"`.venv/bin/python benchmarks/german_credit.py` — {datetime.now(UTC):%Y-%m-%d}, Python "
        f"{platform.python_version()}, optbinning {optbinning.__version__}, scikit-learn {sklearn.__version__}.",
        "",
        f"UCI Statlog German Credit, {out['rows']:,} applicants ({out['bads']} bad). Identical {n_splits}-fold x "
        f"{n_repeats} repeated stratified folds (seed {seed}) for every model; mean ± standard deviation over the "
        f"{n_splits * n_repeats} test folds.",
        "",
        f"Credence's inputs: {len(out['inputs'])} columns; excluded as protected characteristics (guardrail 1): "
        f"{', '.join(out['excluded'])}. Credence learner: {LEARNER}; its scores are the saved card's, computed by "
        "the SQL core.",
        "",
        "| model | inputs | AUC | KS | Gini | Brier |",
        "|---|---|---|---|---|---|",
    ]
    for name in MODELS:
        r = res[name]
        inputs = "every column (20)" if name.endswith("(all)") else f"Credence's ({len(out['inputs'])})"
        cells = " | ".join(f"{r[m]['mean']:.4f} ± {r[m]['sd']:.4f}" for m in ("auc", "ks", "gini", "brier"))
        lines.append(f"| {name} | {inputs} | {cells} |")
    c, same, every = (res[k]["auc"]["mean"] for k in ("credence", "optbinning (same)", "optbinning (all)"))
    lines += [
        "",
        f"Credence minus optbinning with the same inputs: {c - same:+.4f} AUC "
        f"({'no lower' if c >= same else 'LOWER'}); minus optbinning with every column: {c - every:+.4f} AUC "
        f"({'within' if abs(c - every) <= 0.01 else 'OUTSIDE'} 0.01).",
        "",
        "Paired AUC difference, Credence minus each model, fold by fold (mean ± sd over the same folds): "
        + "; ".join(f"{k} {v['mean']:+.4f} ± {v['sd']:.4f}" for k, v in out["paired"].items())
        + ".",
        "",
        "## Fairness (out-of-fold scores, first repeat)",
        "",
        "Approval = score at or above the cut-off. Disparate impact = lowest group's approval rate / highest's "
        "(flag below 0.8). TPR = share of good payers approved; gap = largest difference between groups.",
        "",
        "| model | attribute | group | n | mean score | bad rate | "
        + " | ".join(f"approved at {c}" for c in FAIR_CUTOFFS)
        + " |",
        "|---|---|---|---|---|---|" + "---|" * len(FAIR_CUTOFFS),
    ]
    for model, attrs in out["fairness"].items():
        for attr, rep in attrs.items():
            for g in rep["groups"]:
                appr = " | ".join(f"{100 * g['approval'][str(c)]:.1f}%" for c in FAIR_CUTOFFS)
                lines.append(
                    f"| {model} | {attr} | {g['group']} | {g['n']} | {g['score']['mean']:.1f} | "
                    f"{100 * g['bad_rate']:.1f}% | {appr} |"
                )
    lines += ["", "| model | attribute | cut-off | disparate impact | flag | TPR gap |", "|---|---|---|---|---|---|"]
    for model, attrs in out["fairness"].items():
        for attr, rep in attrs.items():
            for e in rep["by_cutoff"]:
                lines.append(
                    f"| {model} | {attr} | {e['cutoff']} | {e['disparate_impact']:.3f} | "
                    f"{'FLAG' if e['flag'] else 'ok'} | {e['tpr_gap']:.3f} |"
                )
    secs = ", ".join(f"{k} {v:.0f}s" for k, v in out["seconds"].items())
    lines += ["", f"Run time: {secs}.", ""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--no-write", action="store_true", help="print only; do not update the results file")
    args = ap.parse_args()
    print(f"German Credit, {args.folds}x{args.repeats} repeated stratified CV", flush=True)
    with threadpool_limits(1):  # the same for every model: small problems, no thread contention
        out = run(args.folds, args.repeats, args.seed)
    text = render(out, args.folds, args.repeats, args.seed)
    print()
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text)
        print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
