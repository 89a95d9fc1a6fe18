"""Fixtures for the attack suite: a copy of the rights workspace per test (services), and the API test
workspace served in-process per module (HTTP), with keys for every role and for colliding names."""

from __future__ import annotations

import asyncio
import shutil

import httpx
import pytest

from credence.app import create_app
from credence.workspace import Workspace, open_workspace
from tests.builder import rights_workspace, scored_workspace


@pytest.fixture(scope="session")
def security_template(tmp_path_factory):
    root = tmp_path_factory.mktemp("security-template") / "ws"
    rights_workspace(root).close()
    return root


@pytest.fixture
def ws(tmp_path, security_template) -> Workspace:
    root = tmp_path / "ws"
    shutil.copytree(security_template, root)
    w = open_workspace(root)
    yield w
    w.close()


@pytest.fixture(scope="module")
def api_ws(tmp_path_factory) -> dict:
    """The API test workspace (P1, P2 persons, citybike partner, ...) for one module."""
    return scored_workspace(tmp_path_factory.mktemp("security-api") / "ws")


class Client:
    """Synchronous requests to the app in-process (httpx over ASGI); app errors become 500 responses."""

    def __init__(self, app):
        self.app = app
        self.loop = asyncio.new_event_loop()
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        self.client = httpx.AsyncClient(transport=transport, base_url="http://test")

    def request(self, method: str, url: str, *, key: str | None = None, **kw) -> httpx.Response:
        headers = {**kw.pop("headers", {}), **({"Authorization": f"Bearer {key}"} if key else {})}
        return self.loop.run_until_complete(self.client.request(method, url, headers=headers, **kw))

    def get(self, url: str, **kw) -> httpx.Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw) -> httpx.Response:
        return self.request("POST", url, **kw)

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()


@pytest.fixture(scope="module")
def api(api_ws):
    """An in-process client on the API test workspace: ``api.get(url, key=...)``."""
    app = create_app(api_ws["root"])
    c = Client(app)
    yield c
    c.close()
    app.state.ctx.ws.close()
