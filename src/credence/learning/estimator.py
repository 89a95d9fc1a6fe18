"""Logistic regression whose regularisation is chosen by cross-validation with the one-standard-error rule.

Weight-of-evidence inputs are themselves fitted on the training rows, so an unregularised logistic
regression over them overfits a little. The strength ``C`` is chosen by stratified K-fold log loss; of the
values whose mean loss is within one standard error of the best, the strongest regularisation (smallest
``C``) is taken — the usual "1-SE rule" (Hastie, Tibshirani & Friedman, *Elements of Statistical
Learning*, 7.10), which prefers the simpler model when the data cannot tell them apart.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

# One value per decade from 0.001 to 10: the 1-SE rule picks a decade, and half-decade steps cost 4 of the 9
# fits per fold for no gain in AUC on German Credit or the simulator (benchmarks/train_speed.py).
C_GRID = tuple(float(c) for c in np.logspace(-3, 1, 5))


class OneSELogisticRegression(ClassifierMixin, BaseEstimator):
    """A binary logistic regression (L2) with ``C`` chosen by K-fold log loss and the 1-SE rule.

    After ``fit``: ``C_`` (the chosen strength), ``cv_loss_`` (mean loss per ``C``), ``coef_``,
    ``intercept_``, ``classes_``, as a scikit-learn ``LogisticRegression`` has them.
    """

    def __init__(
        self,
        Cs=C_GRID,
        n_splits: int = 5,
        se: float = 1.0,
        random_state: int = 0,
        max_iter: int = 1000,
        class_weight=None,
    ):
        self.Cs = Cs
        self.class_weight = class_weight
        self.n_splits = n_splits
        self.se = se
        self.random_state = random_state
        self.max_iter = max_iter

    def fit(self, X, y):
        X, y = validate_data(self, X, y, dtype=float)
        check_classification_targets(y)
        Cs = sorted(float(c) for c in self.Cs)
        n_splits = max(2, min(self.n_splits, int(np.bincount(np.unique(y, return_inverse=True)[1]).min())))
        losses = np.zeros((n_splits, len(Cs)))
        folds = StratifiedKFold(n_splits, shuffle=True, random_state=self.random_state).split(X, y)
        for k, (tr, te) in enumerate(folds):
            model = LogisticRegression(max_iter=self.max_iter, warm_start=True, class_weight=self.class_weight)
            for j, c in enumerate(Cs):  # weakest to strongest fit, each starting from the last solution
                model.set_params(C=c).fit(X[tr], y[tr])
                losses[k, j] = log_loss(y[te], model.predict_proba(X[te]), labels=model.classes_)
        mean = losses.mean(axis=0)
        se = losses.std(axis=0, ddof=1) / np.sqrt(n_splits)
        best = int(np.argmin(mean))
        self.C_ = min(c for c, m in zip(Cs, mean, strict=True) if m <= mean[best] + self.se * se[best])
        self.cv_loss_ = dict(zip(Cs, mean.tolist(), strict=True))
        self.model_ = LogisticRegression(C=self.C_, max_iter=self.max_iter, class_weight=self.class_weight).fit(X, y)
        self.coef_ = self.model_.coef_
        self.intercept_ = self.model_.intercept_
        self.classes_ = self.model_.classes_
        self.n_iter_ = self.model_.n_iter_
        return self

    def _X(self, X):
        check_is_fitted(self)
        return validate_data(self, X, dtype=float, reset=False)

    def decision_function(self, X):
        X = self._X(X)  # first: an unfitted estimator raises NotFittedError, not AttributeError
        return self.model_.decision_function(X)

    def predict_proba(self, X):
        X = self._X(X)  # first: an unfitted estimator raises NotFittedError, not AttributeError
        return self.model_.predict_proba(X)

    def predict(self, X):
        X = self._X(X)  # first: an unfitted estimator raises NotFittedError, not AttributeError
        return self.model_.predict(X)
