"""Train and validate speed against optbinning's own fit on the same rows (issue 12), measured in one run.

    .venv/bin/python benchmarks/train_speed.py                      # German Credit + simulator at 100,000 entities
    .venv/bin/python benchmarks/train_speed.py --entities 20000     # smaller simulator history

Per data set, on the same training rows:

    optbinning fit   optbinning's own Scorecard.fit (BinningProcess + LogisticRegression(), min-max 350-950)
    credence train   what `credence train` runs (default: no repeated CV): input checks and leak screen, the
                     fit with C chosen by inner 5-fold CV, conversion to YAML, the hold-out scored by the SQL
    credence validate what `credence validate` runs: the card's SQL scores of every row, metrics, calibration,
                     PSI, fairness (fairlearn) and the HTML report

For the simulator, the point-in-time table (features as of T, outcomes from the events in (T, T + 6 months])
is built in the engine first and timed on its own. Wall and CPU seconds are printed; ratios are per run, since
the machine may be shared. Results go to benchmarks/results/train_speed.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from datetime import datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from optbinning import BinningProcess, Scorecard  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from credence.learning.data import german_credit_path, prepare, read_table  # noqa: E402
from credence.learning.reports import write_validation  # noqa: E402
from credence.learning.train import categorical_columns, train, validate  # noqa: E402


class Clock:
    def __enter__(self):
        self.w, self.c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.w, time.process_time() - self.c


def optbinning_fit(X, y) -> Clock:
    with Clock() as clock, warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore")
        model = Scorecard(
            binning_process=BinningProcess(list(X.columns), categorical_variables=categorical_columns(X) or None),
            estimator=LogisticRegression(max_iter=1000),
            scaling_method="min_max",
            scaling_method_params={"min": 350, "max": 950},
        )
        model.fit(X, np.asarray(y, dtype=int))
    return clock


def measure(name: str, make_prepared, template=None, out: Path | None = None) -> dict:
    with Clock() as t_train:
        prepared = make_prepared()
        result = train(prepared, card_id="bench", n_repeats=0, template=template, kinds=("person",))
    tr = result.train_idx
    fit = optbinning_fit(prepared.X.iloc[tr], prepared.y[tr])
    with Clock() as t_val:
        report, scores, prob = validate(result.card, prepared, source=name)
        write_validation(report, out / f"val-{name}", y=prepared.y, scores=scores, prob=prob)
    return {
        "data": name,
        "rows": prepared.rows,
        "train_rows": len(tr),
        "inputs": len(prepared.X.columns),
        "opt_wall": fit.wall,
        "opt_cpu": fit.cpu,
        "train_wall": t_train.wall,
        "train_cpu": t_train.cpu,
        "val_wall": t_val.wall,
        "val_cpu": t_val.cpu,
        "auc": report["evaluation"]["auc"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entities", type=int, default=100_000)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        frame = read_table(german_credit_path())
        rows.append(measure("German Credit", lambda: prepare(frame, "creditability"), out=tmp))

        from credence.domain.performance import load_performance
        from credence.generators.simulate import simulate
        from credence.learning.features import prepare_workspace
        from credence.learning.history import history_table
        from credence.services.ingest import ingest_files
        from credence.workspace import init_workspace

        ws = init_workspace(tmp / "ws")
        sim = simulate(tmp / "sim", entities=args.entities, seed=7, as_of=datetime(2026, 6, 1))
        ingest_files(ws.store, [sim.providers_path, sim.entities_path, sim.events_dir], catalogue=ws.catalogue)
        card = ws.scorecards["person"].restrict(("person",))
        definition = load_performance().with_window(6)
        with Clock() as t_pit:
            table, counts = history_table(ws.store, card, definition, datetime(2025, 6, 1))
        print(f"point-in-time table: {counts.line()} in {t_pit.wall:.1f}s wall, {t_pit.cpu:.1f}s CPU")
        row = measure(f"simulator {args.entities:,} (events)", lambda: prepare_workspace(table), template=card, out=tmp)
        row["pit_wall"], row["pit_cpu"] = t_pit.wall, t_pit.cpu
        rows.append(row)
        ws.close()
    lines = [
        "| data | rows (train) | inputs | optbinning fit s | credence train s | train / optbinning | validate s | hold AUC |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['data']} | {r['rows']:,} ({r['train_rows']:,}) | {r['inputs']} | "
            f"{r['opt_wall']:.2f} wall / {r['opt_cpu']:.2f} CPU | {r['train_wall']:.2f} / {r['train_cpu']:.2f} | "
            f"{r['train_wall'] / r['opt_wall']:.1f}x wall / {r['train_cpu'] / r['opt_cpu']:.1f}x CPU | "
            f"{r['val_wall']:.2f} / {r['val_cpu']:.2f} | {r['auc']:.3f} |"
        )
    pit = rows[-1]
    lines.append("")
    lines.append(f"Point-in-time table (SQL in DuckDB): {pit['pit_wall']:.2f} s wall, {pit['pit_cpu']:.2f} s CPU.")
    text = "\n".join(lines)
    print(text)
    out = ROOT / "benchmarks" / "results" / "train_speed.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(f"# Train and validate speed (benchmarks/train_speed.py --entities {args.entities})\n\n{text}\n")


if __name__ == "__main__":
    main()
