"""Fixtures for the attack suite: the API test workspace served in-process per module (HTTP), with keys for
every role and for colliding names. A copy of the rights workspace per test (services) is the root conftest's
``ws``; the in-process client is its ``Client``."""

from __future__ import annotations

import pytest

from credence.app import create_app
from tests.builder import scored_workspace
from tests.conftest import Client


@pytest.fixture(scope="module")
def api_ws(tmp_path_factory) -> dict:
    """The API test workspace (P1, P2 persons, citybike partner, ...) for one module."""
    return scored_workspace(tmp_path_factory.mktemp("security-api") / "ws")


@pytest.fixture(scope="module")
def api(api_ws):
    """An in-process client on the API test workspace: ``api.get(url, key=...)``."""
    app = create_app(api_ws["root"])
    c = Client(app)
    yield c
    c.close()
    app.state.ctx.ws.close()
