"""Champion/challenger: the configured card and a candidate measured on the same later window.

Both cards are evaluated on one point-in-time table (``credence.learning.history``): the entities observed
at T that both can score, features as of T, outcomes from the events in (T, T + window]. The report holds,
for each card, AUC, KS, Gini, Brier and calibration (where the card maps scores to probabilities), the PSI
of its scores against its own training distribution, the PSI between the two cards' scores, the band
migration from champion to challenger, fairness by protected group, whether the window is out of time for
the challenger (it starts after the challenger's training window ended), and the guardrail checks.
``credence promote`` refuses a candidate without this report, or whose file changed since.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from credence.domain.bands import band_of
from credence.domain.catalogue import Catalogue
from credence.domain.performance import PerformanceDefinition
from credence.domain.scorecard import Scorecard, parse_scorecard, scorecard_to_dict
from credence.learning import metrics
from credence.learning.convert import card_scores, plain, probability
from credence.learning.drift import migration_matrix
from credence.learning.fairness import fairness_report, group_columns
from credence.learning.history import history_table
from credence.sql.outcomes import add_months
from credence.store import Store

REPORT_NAME = "challenger.json"


def file_digest(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def out_of_time(card: Scorecard, observe: datetime) -> dict:
    """Whether a window observed at ``observe`` starts after ``card``'s training window ended."""
    learned = card.metadata.get("learned") or {}
    trained = learned.get("observe") or learned.get("outcomes_from")
    if not trained:
        return {"trained_on": None, "ok": None, "note": f"{card.ref} records no training window (an expert card)"}
    t0 = datetime.fromisoformat(str(trained))
    end = add_months(t0, int(learned.get("window_months") or 0))
    ok = observe >= end
    note = (
        f"out of time: trained on outcomes ({t0:%Y-%m-%d}, {end:%Y-%m-%d}], measured from {observe:%Y-%m-%d}"
        if ok
        else f"NOT out of time: the window from {observe:%Y-%m-%d} overlaps the training window "
        f"({t0:%Y-%m-%d}, {end:%Y-%m-%d}]; observe on or after {end:%Y-%m-%d}"
    )
    return {"trained_on": f"{t0:%Y-%m-%d}", "trained_until": f"{end:%Y-%m-%d}", "ok": ok, "note": note}


def guardrail_checks(card: Scorecard, catalogue: Catalogue | None) -> dict:
    """The card re-read through the loader, which refuses guardrail breaches (1: protected inputs, 8: tastes)."""
    from credence.errors import CredenceError

    try:
        parse_scorecard(scorecard_to_dict(card), source=f"candidate {card.ref}", catalogue=catalogue)
    except CredenceError as e:
        return {"ok": False, "checks": [{"check": "loads under the guardrails", "ok": False, "error": str(e)}]}
    return {
        "ok": True,
        "checks": [{"check": "loads under the guardrails (1, 8: no protected or taste inputs)", "ok": True}],
    }


def _side(card: Scorecard, y: np.ndarray, scores: np.ndarray, path: str | None) -> dict:
    prob = probability(card, scores)
    out = {"ref": card.ref, "file": path, "sha256": file_digest(path) if path and Path(path).exists() else None}
    out.update(metrics.summary(y, scores, prob))
    out["calibration"] = metrics.calibration_table(y, prob, scores) if prob is not None else []
    out["mean_predicted_bad_rate"] = float(np.mean(prob)) if prob is not None else None
    dist = (card.metadata.get("learned") or {}).get("train_scores")
    if dist:
        value = metrics.psi_from_shares(dist["shares"], metrics.bin_shares(scores, dist["edges"]))
        out["psi_vs_training"], out["psi_status"] = value, metrics.psi_status(value)
    else:
        out["psi_vs_training"], out["psi_status"] = None, "no training distribution on record"
    return out


def compare(
    store: Store,
    champion: Scorecard,
    challenger: Scorecard,
    definition: PerformanceDefinition,
    observe: datetime,
    *,
    catalogue: Catalogue | None = None,
    known: str = "occurred",
    champion_path: str | None = None,
    challenger_path: str | None = None,
) -> tuple[dict, dict]:
    """The champion/challenger report (module docstring) and the arrays behind it (y, both scores)."""
    t_ch, counts = history_table(store, champion, definition, observe, catalogue=catalogue, known=known)
    t_ca, _ = history_table(store, challenger, definition, observe, catalogue=catalogue, known=known)
    a = pd.DataFrame({"entity_id": t_ch.frame["entity_id"], "champion": card_scores(champion, t_ch.frame)})
    a["y"] = t_ch.frame["defaulted"].astype(int).to_numpy()
    for c in t_ch.protected:
        a[c] = t_ch.frame[c].to_numpy()
    b = pd.DataFrame({"entity_id": t_ca.frame["entity_id"], "challenger": card_scores(challenger, t_ca.frame)})
    both = a.merge(b, on="entity_id").sort_values("entity_id").reset_index(drop=True)
    y = both["y"].to_numpy()
    s_ch, s_ca = both["champion"].to_numpy(float), both["challenger"].to_numpy(float)
    bands_ch = pd.Series([band_of(int(v)) for v in s_ch], index=both["entity_id"])
    bands_ca = pd.Series([band_of(int(v)) for v in s_ca], index=both["entity_id"])
    report = {
        "report": "champion-challenger",
        "created_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "observe": f"{observe:%Y-%m-%d}",
        "window_months": definition.window_months,
        "performance": definition.id,
        "known": known,
        "population": counts.line(),
        "rows": int(len(both)),
        "bads": int(y.sum()),
        "bad_rate": float(y.mean()) if len(y) else None,
        "champion": _side(champion, y, s_ch, champion_path),
        "challenger": _side(challenger, y, s_ca, challenger_path),
        "psi_challenger_vs_champion": metrics.psi(s_ch, s_ca),
        "band_migration": migration_matrix(bands_ch, bands_ca),
        "out_of_time": out_of_time(challenger, observe),
        "guardrails": guardrail_checks(challenger, catalogue),
        "fairness": None,
    }
    if t_ch.protected:
        groups = group_columns(both[t_ch.protected])
        report["fairness"] = {
            side: fairness_report(s, groups, y, basis=f"{card.ref} on the comparison rows", prob=probability(card, s))
            for side, s, card in (("champion", s_ch, champion), ("challenger", s_ca, challenger))
        }
    return plain(report), {"y": y, "champion": s_ch, "challenger": s_ca}


def report_dir(root: Path, card: Scorecard) -> Path:
    return root / "reports" / f"challenger-{card.id}-v{card.version}"
