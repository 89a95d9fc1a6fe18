"""Fixtures for the rights tests."""

from __future__ import annotations

import pytest

from credence.workspace import Workspace
from tests.rights.helpers import make_workspace


@pytest.fixture
def ws(tmp_path) -> Workspace:
    w = make_workspace(tmp_path / "ws")
    yield w
    w.close()
