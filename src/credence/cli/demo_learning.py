"""The demo's last step: a learned events card from the simulated history, out of time, beside the expert card.

Outcomes are derived from the simulated events (the shipped performance definition over 6 months): the card
is trained on entities observed 12 months before the demo's date, then compared with the configured expert
card on the window observed 6 months before it (out of time for the learned card). The learned card is
written to ``scorecards/person-learned.yaml`` but not promoted: the demo prints the command that would.
"""

from __future__ import annotations

import time
from datetime import datetime

import numpy as np
from rich.console import Console
from rich.table import Table

TRAIN_ROWS = 40_000  # a seeded sample when the history holds more: the demo's learning stays a few seconds


def learn_from_history(ws, as_of: datetime, console: Console, *, seed: int = 7) -> None:
    from credence.domain.performance import load_performance
    from credence.domain.scorecard import dump_scorecard
    from credence.learning.challenger import compare, report_dir
    from credence.learning.features import prepare_workspace
    from credence.learning.history import history_table
    from credence.learning.train import train
    from credence.sql.outcomes import add_months

    started = time.perf_counter()
    catalogue = ws.catalogue
    expert = ws.scorecards["person"].restrict(("person",))
    definition = load_performance(catalogue=catalogue).with_window(6)
    t_train, t_test = add_months(as_of, -12), add_months(as_of, -6)
    table, counts = history_table(ws.store, expert, definition, t_train, catalogue=catalogue)
    console.rule("5. Learning from the bureau's own history")
    console.print(f"outcomes from events: {definition.describe()}", highlight=False)
    console.print(f"observed {t_train:%Y-%m-%d}: {counts.line()}", highlight=False)
    prepared = prepare_workspace(table)
    if prepared.rows > TRAIN_ROWS:  # a stratified sample keeps the bad rate
        rng = np.random.default_rng(seed)
        keep = np.sort(
            np.concatenate(
                [
                    rng.choice(np.flatnonzero(prepared.y == k), int(round(TRAIN_ROWS * share)), replace=False)
                    for k, share in ((0, 1 - prepared.bad_rate), (1, prepared.bad_rate))
                ]
            )
        )
        prepared.X, prepared.y = prepared.X.iloc[keep].reset_index(drop=True), prepared.y[keep]
        prepared.protected = prepared.protected.iloc[keep].reset_index(drop=True)
        prepared.ids = None if prepared.ids is None else prepared.ids.iloc[keep].reset_index(drop=True)
    result = train(
        prepared,
        card_id="person-learned",
        kinds=("person",),
        template=expert,
        n_repeats=0,
        seed=seed,
        source=f"demo: features as of {t_train:%Y-%m-%d}, outcomes from events over 6 months",
    )
    from dataclasses import replace

    learned = {**result.card.metadata["learned"], "observe": f"{t_train:%Y-%m-%d}", "window_months": 6}
    card = replace(result.card, metadata={**result.card.metadata, "learned": learned, "performance": definition.id})
    path = ws.root / "scorecards" / "person-learned.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    dump_scorecard(card, path)
    console.print(
        f"trained {card.ref} on {prepared.rows:,} entities ({prepared.bad_rate:.1%} bad), hold-out AUC "
        f"{result.report['holdout']['auc']:.3f}; written to {path.relative_to(ws.root)}",
        highlight=False,
    )
    report, _ = compare(ws.store, expert, card, definition, t_test, catalogue=catalogue, challenger_path=str(path))
    from credence.cli.history import _write_compare

    _, html = _write_compare(report, report_dir(ws.root, card))
    t = Table(title=f"Champion / challenger on {report['rows']:,} entities observed {t_test:%Y-%m-%d} (6 months)")
    for col in ("card", "AUC", "KS", "Gini", "Brier", "PSI vs training"):
        t.add_column(col, justify="left" if col == "card" else "right")

    def f(v):
        return "-" if v is None else f"{v:.3f}"

    for key in ("champion", "challenger"):
        s = report[key]
        t.add_row(f"{key}: {s['ref']}", f(s["auc"]), f(s["ks"]), f(s["gini"]), f(s["brier"]), f(s["psi_vs_training"]))
    console.print(t)
    m = report["band_migration"]
    console.print(
        f"{report['out_of_time']['note']}; band migration expert -> learned: {m['moved_up']:,} up, "
        f"{m['moved_down']:,} down, {m['same_band']:,} same",
        highlight=False,
    )
    fair = (report.get("fairness") or {}).get("challenger")
    if fair:
        console.print(
            f"fairness of the learned card: {len(fair['flags'])} disparate-impact flag(s) below 0.8 "
            f"(fairlearn MetricFrame, bootstrap intervals in the report)",
            highlight=False,
        )
    console.print(
        f"report {html.relative_to(ws.root)}; to make it the scoring card: "
        f"credence compare {path.relative_to(ws.root)} --observe {t_test:%Y-%m-%d} --window 6m, then "
        f"credence promote {path.relative_to(ws.root)}  ({time.perf_counter() - started:.1f}s)",
        highlight=False,
        soft_wrap=True,
    )
