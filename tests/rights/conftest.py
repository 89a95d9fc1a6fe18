"""Fixtures for the rights tests: each test gets a copy of one prepared workspace (fast, isolated)."""

from __future__ import annotations

import shutil

import pytest

from credence.workspace import Workspace, open_workspace
from tests.rights.helpers import make_workspace


@pytest.fixture(scope="session")
def template_workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("rights-template") / "ws"
    make_workspace(root).close()
    return root


@pytest.fixture
def ws(tmp_path, template_workspace) -> Workspace:
    root = tmp_path / "ws"
    shutil.copytree(template_workspace, root)
    w = open_workspace(root)
    yield w
    w.close()
