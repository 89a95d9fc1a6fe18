from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from build import build_workspace  # noqa: E402

from credence.api.app import create_app  # noqa: E402


@pytest.fixture(scope="session")
def template(tmp_path_factory) -> dict:
    return build_workspace(tmp_path_factory.mktemp("template") / "ws")


@pytest.fixture
def built(template, tmp_path) -> dict:
    """A fresh copy of the scored test workspace (tests may write to it)."""
    root = tmp_path / "ws"
    shutil.copytree(template["root"], root)
    return {**template, "root": root}


@pytest.fixture
def app(built):
    app = create_app(built["root"])
    yield app
    app.state.ctx.ws.close()


class Client:
    """A synchronous face on ``httpx.AsyncClient`` over ``httpx.ASGITransport`` (the app runs in-process)."""

    def __init__(self, app):
        self.loop = asyncio.new_event_loop()
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        self.client = httpx.AsyncClient(transport=transport, base_url="http://test")

    def request(self, method: str, url: str, *, key: str | None = None, **kw) -> httpx.Response:
        headers = {**kw.pop("headers", {}), **(auth(key) if key else {})}
        return self.loop.run_until_complete(self.client.request(method, url, headers=headers, **kw))

    def get(self, url: str, **kw) -> httpx.Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw) -> httpx.Response:
        return self.request("POST", url, **kw)

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()


@pytest.fixture
def client(app):
    c = Client(app)
    yield c
    c.close()


@pytest.fixture
def keys(built) -> dict:
    return built["keys"]


def auth(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}
