"""InterpretML's Explainable Boosting Machine (EBM) -> a readable Credence scorecard.

An EBM without interactions is additive: ``logit P(bad) = intercept + sum_j f_j(x_j)``, and each shape
function ``f_j`` is a step function over bins (numeric cut points, or category groups) with one value for a
missing input and one for a category never seen in training. That is a scorecard already:

    fit_ebm      ExplainableBoostingClassifier (no interactions; modest settings; declared monotone trends)
    shapes       each term's bins, values and training weights, read from ``bins_`` / ``term_scores_``
    readable     adjacent bins merged to at most ``max_bins`` per feature by weighted least squares (an exact
                 dynamic programme), after a weighted isotonic fit where a trend is declared; the merged
                 values are written back into a copy of the EBM, so the readable model is still an EBM
    to_card      log-odds -> points: ``points = 350/n + A * (max_j - f_j(bin))`` with ``A = 600 / sum_j
                 (max_j - min_j)``, so the card's lowest total is 350 and its highest 950 (min-max scaling,
                 ``scaling: sum`` as every learned card), and ``score = 350 + A * (hi - logit)`` exactly

The points lost in a feature (the reasons rule of every card) are ``A * (f_j(x) - min_j)``: the model's own
contribution above its best value, in score points.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.isotonic import isotonic_regression

from credence.domain.bands import MAX_SCORE, MIN_SCORE
from credence.domain.scorecard import Scorecard
from credence.errors import ConfigError, DataError, ValidationError
from credence.learning.convert import card_from_bins
from credence.learning.data import check_size

DESCRIPTION = (
    "InterpretML Explainable Boosting Machine (additive, no interactions), shape functions merged to at most "
    "{max_bins} bins per feature, converted to points with min-max scaling to 350-950"
)
TRENDS = ("up", "down")  # points rise (up) or fall (down) as the value rises


@dataclass(frozen=True)
class EBMOptions:
    """How the EBM card is fitted and made readable (``max_bins=None``: keep every bin the EBM learned)."""

    max_bins: int | None = 12
    monotone: dict[str, str] = field(default_factory=dict)  # feature -> "up" | "down" (points vs value)
    outer_bags: int = 1  # bagging smooths the shapes, but merging bins smooths them too (benchmarks/learners.py)
    learning_rate: float = 0.05
    max_rounds: int = 2000
    max_bin_cuts: int = 256  # EBM's own binning of a numeric input (its ``max_bins``)
    n_jobs: int = 1

    def describe(self) -> str:
        return DESCRIPTION.format(max_bins=self.max_bins or "all")


@dataclass
class Shape:
    """One feature's step function: values per regular bin (log-odds of a bad outcome), missing, unseen."""

    name: str
    categorical: bool
    cuts: np.ndarray  # numeric: the edges between regular bins (len = bins - 1)
    groups: list[list[str]]  # categorical: the categories of each regular bin
    values: np.ndarray
    weights: np.ndarray
    missing: float
    unseen: float

    @property
    def lowest(self) -> float:
        return float(min(self.values.min(), self.missing, self.unseen if self.categorical else self.missing))

    @property
    def highest(self) -> float:
        return float(max(self.values.max(), self.missing, self.unseen if self.categorical else self.missing))


@dataclass
class EBMCard:
    """A fitted EBM card: the readable EBM (what the card scores), the unmerged one, and the points scale."""

    model: object  # ExplainableBoostingClassifier with the merged shape functions
    full: object  # the EBM as fitted
    shapes: list[Shape]
    scale: float  # A: score points per unit of log-odds
    top: float  # hi: the logit of the best possible applicant (score 950)
    bins_before: dict[str, int]
    bins_after: dict[str, int]

    def scores(self, X: pd.DataFrame, *, full: bool = False) -> np.ndarray:
        """The model's own predictions mapped to points (unrounded): ``350 + A * (hi - logit)``."""
        model = self.full if full else self.model
        return MIN_SCORE + self.scale * (self.top - np.asarray(model.decision_function(X), dtype=float))

    def contributions(self, X: pd.DataFrame) -> np.ndarray:
        """The readable model's own log-odds contribution of every feature, one row per row of ``X``."""
        return np.asarray(self.model.eval_terms(X), dtype=float)

    def pd_mapping(self) -> dict:
        """``logit P(bad) = intercept + slope * score``, exact for this card."""
        return {"intercept": self.top + MIN_SCORE / self.scale, "slope": -1.0 / self.scale}


def options_from_cli(max_bins: int, monotone: list[str] | tuple[str, ...] = ()) -> EBMOptions:
    """``--max-bins N`` (0: every bin) and ``--monotone FEATURE=up|down`` as options."""
    if max_bins < 0:
        raise ConfigError(f"--max-bins must be 0 (keep every bin) or more, not {max_bins}", field="max_bins")
    trends = {}
    for item in monotone:
        name, _, trend = item.partition("=")
        if trend not in TRENDS or not name:
            raise ConfigError(f"--monotone {item!r} is not FEATURE=up or FEATURE=down", field="monotone")
        trends[name] = trend
    return EBMOptions(max_bins=max_bins or None, monotone=trends)


# ------------------------------------------------------------------------------------------ fitting
def fit_ebm(X: pd.DataFrame, y: np.ndarray, options: EBMOptions, *, seed: int = 0):
    """An additive EBM (no interactions) fitted on ``X`` (inputs only) and ``y`` (1 = bad)."""
    from interpret.glassbox import ExplainableBoostingClassifier

    check_size(np.asarray(y), "the training sample")
    unknown = sorted(set(options.monotone) - set(X.columns))
    if unknown:
        raise ValidationError(f"--monotone names '{unknown[0]}', which is not an input", field=unknown[0])
    types, constraints = [], []
    for c in X.columns:
        categorical = X[c].dtype == object
        trend = options.monotone.get(c)
        if trend is not None and trend not in TRENDS:
            raise ValidationError(f"the trend of '{c}' must be 'up' or 'down', not {trend!r}", field=c)
        if trend is not None and categorical:
            raise DataError(f"'{c}' is categorical; a monotone trend needs a numeric input", field=c)
        types.append("nominal" if categorical else "continuous")
        # EBM models log-odds of a bad outcome: points going up means log-odds going down
        constraints.append({"up": -1, "down": 1}.get(trend, 0))
    model = ExplainableBoostingClassifier(
        feature_types=types,
        interactions=0,
        outer_bags=options.outer_bags,
        learning_rate=options.learning_rate,
        max_rounds=options.max_rounds,
        max_bins=options.max_bin_cuts,
        monotone_constraints=constraints if any(constraints) else None,
        n_jobs=options.n_jobs,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model.fit(X, np.asarray(y, dtype=int))
        except ValueError as e:
            raise DataError(f"the EBM could not be fitted: {str(e).splitlines()[0]}") from None
    return model


def shapes(model) -> list[Shape]:
    """Every main-effect term of a fitted EBM as a ``Shape`` (in the order of its inputs)."""
    out = []
    for t, features in enumerate(model.term_features_):
        if len(features) != 1:
            raise ValueError(f"term {model.term_names_[t]} is an interaction; only main effects become bins")
        i = features[0]
        scores = np.asarray(model.term_scores_[t], dtype=float)
        weights = np.asarray(model.bin_weights_[t], dtype=float)
        spec = model.bins_[i][0]
        name = str(model.feature_names_in_[i])
        if isinstance(spec, dict):
            k = len(scores) - 2
            groups: list[list[str]] = [[] for _ in range(k)]
            for category, index in spec.items():
                groups[index - 1].append(str(category))
            shape = Shape(name, True, np.array([]), groups, scores[1:-1], weights[1:-1], scores[0], scores[-1])
        else:
            cuts = np.asarray(spec, dtype=float)
            shape = Shape(name, False, cuts, [], scores[1:-1], weights[1:-1], scores[0], scores[-1])
        out.append(shape)
    return out


# ------------------------------------------------------------------------------------------ readability
def segment(values: np.ndarray, weights: np.ndarray, max_bins: int) -> np.ndarray:
    """The segment (0, 1, ...) of every position: at most ``max_bins`` runs of adjacent positions chosen to
    lose the least weighted squared error when each run takes its weighted mean (exact dynamic programme)."""
    w = np.maximum(np.asarray(weights, dtype=float), 1e-9 * max(float(np.sum(weights)), 1.0))
    v = np.asarray(values, dtype=float)
    # runs of equal values never need splitting
    starts = np.r_[0, np.flatnonzero(np.diff(v) != 0) + 1]
    if len(starts) <= max_bins:
        return np.cumsum(np.r_[0, np.diff(v) != 0])
    rw = np.add.reduceat(w, starts)
    rv = np.add.reduceat(w * v, starts) / rw
    k = len(starts)
    W = np.r_[0, np.cumsum(rw)]
    S = np.r_[0, np.cumsum(rw * rv)]
    Q = np.r_[0, np.cumsum(rw * rv * rv)]

    def cost(i: np.ndarray, j: int) -> np.ndarray:  # runs i..j-1 as one segment
        s = S[j] - S[i]
        return Q[j] - Q[i] - s * s / (W[j] - W[i])

    best = np.full((max_bins + 1, k + 1), np.inf)
    back = np.zeros((max_bins + 1, k + 1), dtype=int)
    best[0, 0] = 0.0
    for m in range(1, max_bins + 1):
        for j in range(m, k + 1):
            i = np.arange(m - 1, j)
            c = best[m - 1, i] + cost(i, j)
            a = int(np.argmin(c))
            best[m, j], back[m, j] = c[a], i[a]
    m = int(np.argmin(best[1:, k])) + 1
    bounds, j = [], k
    while m > 0:
        bounds.append(j)
        j, m = back[m, j], m - 1
    run_segment = np.zeros(k, dtype=int)
    for s, (lo, hi) in enumerate(zip([0, *sorted(bounds)[:-1]], sorted(bounds), strict=True)):
        run_segment[lo:hi] = s
    return run_segment[np.cumsum(np.r_[0, np.diff(v) != 0])]


def readable(shape: Shape, max_bins: int | None, trend: str | None = None) -> tuple[Shape, np.ndarray]:
    """The shape with a declared trend enforced and at most ``max_bins`` bins, and the new value of every old
    bin (to write back into the EBM). Each merged bin takes its bins' weighted mean, so the weighted mean of
    the contributions, and with it the model's intercept, is unchanged."""
    v, w = shape.values.copy(), shape.weights
    order = np.arange(len(v))
    if shape.categorical:  # categories have no order: merge those with the closest values
        order = np.argsort(v, kind="stable")
    if trend is not None and not shape.categorical:
        v = isotonic_regression(v, sample_weight=np.maximum(w, 1e-12), increasing=(trend == "down"))
    if max_bins is None:
        max_bins = len(v)
    seg_sorted = segment(v[order], w[order], max_bins)
    seg = np.empty(len(v), dtype=int)
    seg[order] = seg_sorted
    k = int(seg.max()) + 1
    wsum = np.bincount(seg, weights=np.maximum(w, 1e-12), minlength=k)
    means = np.bincount(seg, weights=np.maximum(w, 1e-12) * v, minlength=k) / wsum
    new_values = means[seg]
    if shape.categorical:
        groups = [sum((shape.groups[i] for i in np.flatnonzero(seg == s)), []) for s in range(k)]
        merged = Shape(shape.name, True, shape.cuts, groups, means, wsum, shape.missing, shape.unseen)
    else:
        first = np.r_[0, np.flatnonzero(np.diff(seg) != 0) + 1]  # old bin that opens each new bin
        cuts = shape.cuts[first[1:] - 1]
        merged = Shape(shape.name, False, cuts, [], means, wsum, shape.missing, shape.unseen)
    return merged, new_values


def make_readable(model, options: EBMOptions) -> tuple[object, list[Shape]]:
    """A copy of the EBM whose shape functions are the readable ones, and those shapes."""
    out = copy.deepcopy(model)
    merged = []
    for t, shape in enumerate(shapes(model)):
        m, new_values = readable(shape, options.max_bins, options.monotone.get(shape.name))
        scores = np.asarray(out.term_scores_[t], dtype=float).copy()
        scores[1:-1] = new_values
        out.term_scores_[t] = scores
        merged.append(m)
    return out, merged


# ------------------------------------------------------------------------------------------ card
def _bins(shape: Shape, points) -> list[dict]:
    pts = [float(p) for p in points(shape.values)]
    bins: list[dict] = []
    if shape.categorical:
        for group, p in zip(shape.groups, pts, strict=True):
            if group:
                bins.append({"categories": group, "points": p})
        bins.append({"other": True, "points": float(points(shape.unseen))})
    else:
        for i, p in enumerate(pts):
            b: dict = {}
            if i > 0:
                b["min"] = float(shape.cuts[i - 1])
            if i < len(shape.cuts):
                b["max"] = float(shape.cuts[i])
            bins.append({**b, "points": p})
    bins.append({"missing": True, "points": float(points(shape.missing))})
    return bins


def to_card(fitted: EBMCard, *, card_id: str, metadata: dict | None = None, **kw) -> Scorecard:
    """The Credence card of a (readable) EBM: the same points as ``fitted.scores`` on every row."""
    n = len(fitted.shapes)
    learned = {}
    for shape in fitted.shapes:
        # the highest log-odds of a bad outcome earns 350/n points; each unit of log-odds less earns A more
        def points(f, highest=shape.highest):
            return MIN_SCORE / n + fitted.scale * (highest - np.asarray(f, dtype=float))

        learned[shape.name] = (_bins(shape, points), shape.categorical)
    return card_from_bins(learned, card_id=card_id, metadata=metadata, **kw)


def fit_card(
    X: pd.DataFrame,
    y: np.ndarray,
    *,
    card_id: str = "learned",
    options: EBMOptions | None = None,
    seed: int = 0,
    **kw,
) -> tuple[EBMCard, Scorecard]:
    """Fit the EBM, make it readable, convert it: the fitted EBM card and its Credence card."""
    options = options or EBMOptions()
    return from_model(fit_ebm(X, y, options, seed=seed), options, card_id=card_id, **kw)


def from_model(full, options: EBMOptions, *, card_id: str = "learned", **kw) -> tuple[EBMCard, Scorecard]:
    """A fitted EBM made readable under ``options`` and converted (one fit can give several cards)."""
    model, merged = make_readable(full, options)
    spread = sum(s.highest - s.lowest for s in merged)
    if spread <= 0:
        raise DataError("the EBM found no relation between the inputs and the outcome", fix="check the target")
    scale = (MAX_SCORE - MIN_SCORE) / spread
    top = float(np.ravel(model.intercept_)[0]) + sum(s.highest for s in merged)
    fitted = EBMCard(
        model,
        full,
        merged,
        scale,
        top,
        bins_before={s.name: len(s.values) for s in shapes(full)},
        bins_after={s.name: len(s.values) for s in merged},
    )
    meta = {
        "learned": {
            "pd": fitted.pd_mapping(),
            "readability": {
                "max_bins": options.max_bins,
                "monotone": dict(options.monotone),
                "bins_before": sum(fitted.bins_before.values()),
                "bins_after": sum(fitted.bins_after.values()),
            },
        }
    }
    return fitted, to_card(fitted, card_id=card_id, metadata=meta, **kw)


def readability_cost(fitted: EBMCard, X: pd.DataFrame, y: np.ndarray) -> dict:
    """AUC of the unmerged EBM and of the readable one on the same rows, and what readability cost."""
    from credence.learning import metrics

    full = metrics.auc(y, fitted.scores(X, full=True))
    read = metrics.auc(y, fitted.scores(X))
    return {"rows": int(len(y)), "auc_unmerged": full, "auc_readable": read, "auc_cost": full - read}
