"""Shared fixtures: German Credit prepared and trained once per session (fixed C and few folds: fast)."""

from __future__ import annotations

import pytest

from credence.learning.data import german_credit_path, prepare, read_table
from credence.learning.train import train


@pytest.fixture(scope="session")
def german_frame():
    return read_table(german_credit_path())


@pytest.fixture(scope="session")
def german(german_frame):
    prepared = prepare(german_frame, "creditability")
    return train(prepared, card_id="german-test", c=0.1, n_splits=3, n_repeats=1, seed=7)
