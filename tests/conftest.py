"""Fixtures every test folder shares: workspaces built once per session and copied per test, the app
in-process and served for real, and the German Credit model trained once (the browser: tests/web)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import httpx
import pytest

from credence.app import create_app
from credence.workspace import Workspace, open_workspace
from tests.builder import rights_workspace, scored_workspace
from tests.served import free_port


class Served:
    """A real uvicorn server for ``app`` on 127.0.0.1 and a free port, in a background thread."""

    def __init__(self, app):
        import threading

        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Served:
        import time

        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def serve():
    """``with serve(app) as srv:`` runs ``app`` under uvicorn on loopback; ``srv.url`` reaches it."""
    return Served


# ------------------------------------------------------------------------------------------ workspaces
@pytest.fixture(scope="session")
def template(tmp_path_factory) -> dict:
    """The scored workspace (``tests.builder.scored_workspace``), built once."""
    return scored_workspace(tmp_path_factory.mktemp("template") / "ws")


@pytest.fixture
def built(template, tmp_path) -> dict:
    """A fresh copy of the scored test workspace (tests may write to it)."""
    root = tmp_path / "ws"
    shutil.copytree(template["root"], root)
    return {**template, "root": root}


@pytest.fixture(scope="session")
def template_workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("rights-template") / "ws"
    rights_workspace(root).close()
    return root


@pytest.fixture
def ws(tmp_path, template_workspace) -> Workspace:
    """A fresh copy of the unscored rights workspace (``tests.builder.rights_workspace``), open."""
    root = tmp_path / "ws"
    shutil.copytree(template_workspace, root)
    w = open_workspace(root)
    yield w
    w.close()


# ------------------------------------------------------------------------------------------ the API in-process
@pytest.fixture
def app(built):
    app = create_app(built["root"])
    yield app
    app.state.ctx.ws.close()


class Client:
    """A synchronous face on ``httpx.AsyncClient`` over ``httpx.ASGITransport`` (the app runs in-process)."""

    def __init__(self, app):
        self.app = app
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


# ------------------------------------------------------------------------------------------ the portal, served (the browser: tests/web/conftest.py)
ARTIFACTS = Path(__file__).parents[1] / "test-artifacts"


@pytest.fixture(scope="session")
def web_template(tmp_path_factory) -> dict:
    return scored_workspace(tmp_path_factory.mktemp("web") / "ws")


@pytest.fixture
def served(web_template, tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(web_template["root"], root)
    app = create_app(root)
    with Served(app) as srv:
        yield {"url": srv.url, "keys": web_template["keys"]}
    app.state.ctx.ws.close()


@pytest.fixture
def shot():
    """Save a full-page screenshot into test-artifacts/ (kept as a test artifact, git-ignored)."""

    def take(page, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take


# ------------------------------------------------------------------------------------------ learning
@pytest.fixture(scope="session")
def german_frame():
    from credence.learning.data import german_credit_path, read_table

    return read_table(german_credit_path())


@pytest.fixture(scope="session")
def german(german_frame):
    from credence.learning.data import prepare
    from credence.learning.train import train

    prepared = prepare(german_frame, "creditability")
    return train(prepared, card_id="german-test", c=0.1, n_splits=3, n_repeats=1, seed=7)


@pytest.fixture(autouse=True)
def _cli_console_width():
    """The CLI consoles read COLUMNS per call (a width fixed by an earlier test in the worker would leak)."""
    import importlib

    cli_app = importlib.import_module("credence.cli.app")  # the module (credence.cli.app is also the Typer app)
    for c in (cli_app.console, cli_app.err_console):
        c._width = None
    yield
