"""Fit a scorecard from labelled outcomes, validate it, and save it as Credence scorecard YAML.

The learner is optbinning: a ``BinningProcess`` (optimal binning of every input, weight of evidence), a
logistic regression whose regularisation strength is chosen by an inner 5-fold cross-validation on log
loss with the one-standard-error rule (``credence.learning.estimator``), and a ``Scorecard`` with min-max
scaling to 350-950. The fitted card is converted by
``credence.learning.convert`` and, from then on, scored only by the SQL core.

Validation (``train``): a stratified hold-out (30% by default) on which the saved card is measured, and
repeated stratified cross-validation (5x5 by default) of the whole procedure on all rows. Every figure is
computed from the card's own SQL scores, so what is reported is what the bureau will run.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from optbinning import BinningProcess
from optbinning import Scorecard as OptScorecard
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from credence.domain.scorecard import Scorecard
from credence.errors import DataError
from credence.learning import learners, metrics
from credence.learning.convert import (
    card_from_model,
    card_scores,
    missing_summary,
    pd_mapping,
    plain,
    points_table,
    probability,
    table_twin,
)
from credence.learning.data import Prepared, check_size
from credence.learning.estimator import OneSELogisticRegression
from credence.learning.fairness import fairness_report, group_columns
from credence.learning.options import FitOptions

LEARNER = (
    "optbinning BinningProcess + logistic regression (C chosen by 5-fold CV log loss, one-standard-error rule) "
    "+ Scorecard with min-max scaling to 350-950"
)


# ------------------------------------------------------------------------------------------ fitting
def make_model(
    columns: list[str],
    categorical: list[str],
    *,
    seed: int = 0,
    c: float | None = None,
    options: FitOptions | None = None,
) -> OptScorecard:
    """An unfitted optbinning Scorecard as Credence configures it (``c``: a fixed regularisation strength
    instead of the cross-validated one, e.g. for quick tests; ``options``: the modeller's choices)."""
    options = options or FitOptions()
    weight = None if options.class_weight in (None, "none") else options.class_weight
    if c is not None:
        estimator = LogisticRegression(C=c, max_iter=1000, class_weight=weight)
    else:
        estimator = OneSELogisticRegression(random_state=seed, class_weight=weight)
    fit_params = {col: {"monotonic_trend": trend} for col, trend in options.monotonic.items() if col in columns}
    return OptScorecard(
        binning_process=BinningProcess(
            list(columns),
            categorical_variables=list(categorical) or None,
            min_bin_size=options.min_bin_size,
            binning_fit_params=fit_params or None,
        ),
        estimator=estimator,
        scaling_method="min_max",
        scaling_method_params={"min": 350, "max": 950},
    )


def categorical_columns(X: pd.DataFrame) -> list[str]:
    return [c for c in X.columns if X[c].dtype == object]


def fit_model(
    X: pd.DataFrame, y: np.ndarray, *, seed: int = 0, c: float | None = None, options: FitOptions | None = None
) -> OptScorecard:
    """Fit the optbinning Scorecard on ``X`` (inputs only) and ``y`` (1 = bad)."""
    check_size(np.asarray(y), "the training sample")
    model = make_model(list(X.columns), categorical_columns(X), seed=seed, c=c, options=options)
    # One BLAS/OpenMP thread: these are small problems, and threads that wait for a busy CPU make each of
    # the hundreds of tiny solver calls tens of times slower.
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore")
        try:
            model.fit(X, np.asarray(y, dtype=int))
        except ValueError as e:
            raise DataError(f"the scorecard could not be fitted: {str(e).splitlines()[0]}") from None
    return model


def fit_card(
    X: pd.DataFrame,
    y: np.ndarray,
    *,
    card_id: str = "learned",
    template: Scorecard | None = None,
    seed: int = 0,
    c: float | None = None,
    options: FitOptions | None = None,
    **kw,
) -> tuple[OptScorecard, Scorecard]:
    """Fit and convert: the optbinning model and its Credence card (with the score -> probability map)."""
    options = options or FitOptions()
    model = fit_model(X, y, seed=seed, c=c, options=options)
    meta = {"learned": {"pd": pd_mapping(model, X)}}
    card = card_from_model(
        model,
        card_id=card_id,
        template=template,
        metadata=meta,
        dimensions=options.dimensions,
        missing=options.missing,
        **kw,
    )
    return model, card


# ------------------------------------------------------------------------------------------ evaluation
def evaluate(y, scores, prob=None, *, reference: dict | None = None) -> dict:
    """Discrimination, calibration and stability of ``scores`` against outcomes ``y`` (1 = bad).

    ``reference`` is a stored score distribution (``{"edges": [...], "shares": [...]}``) to compute the PSI
    against, e.g. the training sample's.
    """
    y = np.asarray(y, dtype=int)
    s = np.asarray(scores, dtype=float)
    out = {"rows": int(len(y)), "bads": int(y.sum()), "bad_rate": float(y.mean())}
    if 0 < y.sum() < len(y):
        out.update(metrics.summary(y, s, prob))
    else:
        out.update({"auc": None, "ks": None, "gini": None, "brier": None})
    out["calibration"] = metrics.calibration_table(y, prob, s) if prob is not None else []
    out["score_mean"] = float(np.mean(s)) if len(s) else None
    if reference:
        value = metrics.psi_from_shares(reference["shares"], metrics.bin_shares(s, reference["edges"]))
        out["psi_vs_reference"] = value
        out["psi_status"] = metrics.psi_status(value)
    return out


def score_distribution(scores) -> dict:
    """The deciles of a score sample, for later PSI (stored in the card's metadata)."""
    edges = metrics.quantile_edges(scores, 10)
    return {"edges": edges, "shares": metrics.bin_shares(scores, edges).tolist()}


# ------------------------------------------------------------------------------------------ train
@dataclass
class TrainResult:
    card: Scorecard
    model: object  # the learner's fitted model: an optbinning Scorecard, or an ebm.EBMCard
    prepared: Prepared
    report: dict
    train_idx: np.ndarray
    test_idx: np.ndarray
    test_scores: np.ndarray
    test_prob: np.ndarray | None
    oof_scores: np.ndarray | None = None  # out-of-fold scores from the first CV repeat (every row once)
    notes: list[str] = field(default_factory=list)


def train(
    prepared: Prepared,
    *,
    card_id: str = "learned",
    version: int = 1,
    title: str = "",
    kinds: tuple[str, ...] = ("person",),
    template: Scorecard | None = None,
    holdout: float = 0.3,
    n_splits: int = 5,
    n_repeats: int = 5,
    seed: int = 42,
    c: float | None = None,
    source: str = "",
    baseline: Scorecard | None = None,
    progress: Callable[[str, int, int], object] | None = None,
    learner: str = "optbinning",
    ebm_options=None,
    options: FitOptions | None = None,
) -> TrainResult:
    """Fit the card on the training part, measure it on the hold-out, cross-validate the procedure.

    ``learner``: ``optbinning``, ``ebm`` or ``auto`` (``credence.learning.learners``); ``auto`` chooses by an
    inner cross-validation of the training part, and the outer cross-validation then refits the chosen one.
    """
    X, y = prepared.X, prepared.y
    if not 0 <= holdout < 0.9:
        raise DataError(f"hold-out share {holdout} must be at least 0 and below 0.9", field="holdout")
    idx = np.arange(len(y))
    if holdout > 0:
        train_idx, test_idx = train_test_split(idx, test_size=holdout, stratify=y, random_state=seed)
        train_idx, test_idx = np.sort(train_idx), np.sort(test_idx)
    else:
        train_idx, test_idx = idx, idx[:0]
    kw = {"version": version, "title": title, "kinds": kinds}
    if template is None:
        kw["id_column"] = prepared.id_column or "entity_id"
    choice = None
    if learners.check(learner) == "auto":
        learner, choice = learners.choose(
            X.iloc[train_idx], y[train_idx], seed=seed, c=c, ebm_options=ebm_options, progress=progress
        )
    lkw = {"seed": seed, "c": c, "ebm_options": ebm_options, "options": options, "template": template, **kw}
    if progress:
        progress("fitting", 0, 1)
    model, card = learners.fit_card(learner, X.iloc[train_idx], y[train_idx], card_id=card_id, **lkw)
    all_scores = card_scores(card, X)  # one compiled statement scores the training and the hold-out rows
    train_scores = all_scores[train_idx]
    test_scores = all_scores[test_idx]
    test_prob = probability(card, test_scores) if len(test_idx) else None
    dist = score_distribution(train_scores)
    held = evaluate(y[test_idx], test_scores, test_prob, reference=dist) if len(test_idx) else None
    if held is not None:
        held.update(share=holdout, train_rows=int(len(train_idx)), seed=seed)
        held["psi_train_test"] = held.pop("psi_vs_reference")
        readability = learners.holdout_extra(model, X.iloc[test_idx], y[test_idx])
        if readability is not None:
            held["readability"] = readability
        if baseline is not None:  # the card this one would replace, on the same hold-out rows
            base_scores = card_scores(baseline, X.iloc[test_idx])
            held["baseline"] = {"scorecard": baseline.ref, **metrics.summary(y[test_idx], base_scores)}

    cv = None
    oof = None
    if n_repeats > 0 and n_splits > 1:
        fold_list = metrics.folds(y, n_splits=n_splits, n_repeats=n_repeats, seed=seed)
        oof = np.full(len(y), np.nan)

        done = [0]

        def fit_predict(tr, te):
            _, fold_card = learners.fit_card(learner, X.iloc[tr], y[tr], card_id=card_id, **lkw)
            s = card_scores(fold_card, X.iloc[te], engine="numpy")
            if done[0] < n_splits:  # the first repeat scores every row once, out of fold
                oof[te] = s
            done[0] += 1
            return s, probability(fold_card, s)

        def fold_progress(finished, total):
            if progress:
                progress("cross-validating", finished, total)

        cv = metrics.cross_validate(
            fit_predict,
            y,
            n_splits=n_splits,
            n_repeats=n_repeats,
            seed=seed,
            fold_list=fold_list,
            progress=fold_progress,
        )

    learned = {
        **card.metadata.get("learned", {}),
        "method": learners.describe(learner, ebm_options),
        "trained_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "source": source,
        "target": prepared.target,
        "bad_value": prepared.bad_value,
        "rows": int(len(train_idx)),
        "bads": int(y[train_idx].sum()),
        "excluded": [e.to_dict() for e in prepared.excluded],
        "train_scores": dist,
        "options": (options or FitOptions()).to_dict(),
        "missing": missing_summary(card, model) if learner == "optbinning" else [],
    }
    if choice is not None:
        learned["auto"] = choice
    if held is not None:
        learned["holdout"] = {k: held[k] for k in ("rows", "auc", "ks", "gini", "brier")}
        if "readability" in held:
            learned["readability"] = {**learned.get("readability", {}), "holdout": held["readability"]}
    if cv is not None:
        learned["cv"] = {m: cv[m] for m in ("auc", "ks", "gini", "brier")} | {"folds": cv["folds"]}
    card = replace(card, metadata=plain({**card.metadata, "learned": learned}))
    report = {
        "report": "validation",
        "created_at": learned["trained_at"],
        "scorecard": {
            "id": card.id,
            "version": card.version,
            "ref": card.ref,
            "source": card.source,
            "features": [f.name for f in card.features],
        },
        "learner": learned["method"],
        "learner_choice": choice,
        "data": {**prepared.data_summary(), "source": source},
        "holdout": held,
        "cv": cv,
        "points": points_table(card),
        "fairness": None,
    }
    if len(prepared.protected.columns):
        if oof is not None and not np.isnan(oof).any():
            fair_scores, basis = oof, f"out-of-fold scores of all {len(y)} rows (first cross-validation repeat)"
        else:
            fair_scores, basis = all_scores, f"the saved card's scores of all {len(y)} rows"
        report["fairness"] = fairness_report(fair_scores, group_columns(prepared.protected), y, basis=basis)
    return TrainResult(card, model, prepared, plain(report), train_idx, test_idx, test_scores, test_prob, oof)


def validate(card: Scorecard, prepared: Prepared, *, source: str = "") -> tuple[dict, np.ndarray, np.ndarray | None]:
    """Measure a saved card on labelled rows: the report, the card's scores and probabilities."""
    missing = [f.column or f.name for f in table_twin(card).features if (f.column or f.name) not in prepared.X]
    if missing:
        raise DataError(
            f"the data lacks the scorecard's input columns: {', '.join(missing)}",
            field=missing[0],
            fix=f"give a table with the columns of {card.ref}",
        )
    scores = card_scores(card, prepared.X)
    prob = probability(card, scores)
    learned = card.metadata.get("learned") or {}
    report = {
        "report": "validation",
        "created_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "scorecard": {
            "id": card.id,
            "version": card.version,
            "ref": card.ref,
            "source": card.source,
            "features": [f.name for f in card.features],
        },
        "learner": learned.get("method", "expert (written by hand)"),
        "data": {**prepared.data_summary(), "source": source},
        "evaluation": evaluate(prepared.y, scores, prob, reference=learned.get("train_scores")),
        "cv": None,
        "points": points_table(card),
        "fairness": None,
    }
    if len(prepared.protected.columns):
        report["fairness"] = fairness_report(
            scores,
            group_columns(prepared.protected),
            prepared.y,
            basis=f"{card.ref}'s scores of all {len(scores)} rows",
        )
    return plain(report), scores, prob
