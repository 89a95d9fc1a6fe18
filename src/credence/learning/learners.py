"""The learners ``credence train`` can use, and ``auto``: the one an inner cross-validation prefers.

    optbinning   optimal binning + logistic regression + Scorecard (``credence.learning.train.fit_card``)
    ebm          InterpretML's EBM made readable and converted to points (``credence.learning.ebm``)
    auto         both, compared by stratified K-fold AUC on the training rows only; the better one is fitted

Every learner returns ``(model, card)``: its fitted model and the Credence card that the SQL core scores.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from credence.errors import ConfigError
from credence.learning import metrics

LEARNERS = ("optbinning", "ebm", "auto")


def check(learner: str) -> str:
    if learner not in LEARNERS:
        raise ConfigError(f"unknown learner '{learner}'", field="learner", fix=f"use {', '.join(LEARNERS)}")
    return learner


def describe(learner: str, ebm_options=None) -> str:
    """The learner in words, for the card's metadata and the report."""
    from credence.learning.ebm import EBMOptions

    if learner == "ebm":
        return (ebm_options or EBMOptions()).describe()
    from credence.learning.train import LEARNER

    return LEARNER


def fit_card(
    learner: str, X: pd.DataFrame, y: np.ndarray, *, seed: int = 0, c=None, ebm_options=None, options=None, **kw
):
    """Fit ``learner`` (``optbinning`` or ``ebm``) and convert it: ``(model, card)``. ``options``: the
    optbinning learner's ``FitOptions`` (``credence.learning.options``)."""
    if check(learner) == "ebm":
        from credence.learning import ebm

        return ebm.fit_card(X, y, options=ebm_options, seed=seed, **kw)
    if learner == "auto":
        raise ValueError("choose a learner for 'auto' first (learners.choose)")
    from credence.learning.train import fit_card as fit_optbinning

    return fit_optbinning(X, y, seed=seed, c=c, options=options, **kw)


def holdout_extra(model, X: pd.DataFrame, y: np.ndarray) -> dict | None:
    """What a learner reports beyond the card's own figures on held-out rows: for an EBM card, the AUC that
    readability (merged bins, monotone trends) cost against the unmerged model."""
    from credence.learning.ebm import EBMCard, readability_cost

    if isinstance(model, EBMCard) and 0 < int(np.sum(y)) < len(y):
        return readability_cost(model, X, y)
    return None


def choose(
    X: pd.DataFrame, y: np.ndarray, *, n_splits: int = 5, seed: int = 42, c=None, ebm_options=None, progress=None
) -> tuple[str, dict]:
    """``auto``: the learner with the higher mean AUC over stratified ``n_splits``-fold cross-validation of
    ``X``, ``y`` (the training rows only, never the hold-out). Ties go to optbinning, the simpler card.
    Returns the choice and the figures behind it."""
    from credence.learning.convert import card_scores

    y = np.asarray(y, dtype=int)
    fold_list = metrics.folds(y, n_splits=n_splits, n_repeats=1, seed=seed)
    aucs: dict[str, list[float]] = {"optbinning": [], "ebm": []}
    total = len(fold_list) * len(aucs)
    for name in aucs:
        for tr, te in fold_list:
            _, card = fit_card(name, X.iloc[tr], y[tr], seed=seed, c=c, ebm_options=ebm_options, card_id="inner")
            aucs[name].append(metrics.auc(y[te], card_scores(card, X.iloc[te], engine="numpy")))
            if progress:
                progress("choosing the learner", sum(map(len, aucs.values())), total)
    summary = {name: metrics.mean_sd(v) for name, v in aucs.items()}
    chosen = "ebm" if summary["ebm"]["mean"] > summary["optbinning"]["mean"] else "optbinning"
    return chosen, {
        "chosen": chosen,
        "rule": f"higher mean AUC over {n_splits}-fold stratified CV of the training rows (ties: optbinning)",
        "auc": summary,
    }
