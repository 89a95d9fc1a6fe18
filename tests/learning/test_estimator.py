"""scikit-learn's own conformance suite (``parametrize_with_checks``) on the project's estimator."""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks

from credence.learning.estimator import OneSELogisticRegression


@parametrize_with_checks([OneSELogisticRegression(Cs=(0.1, 1.0), n_splits=3)])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
