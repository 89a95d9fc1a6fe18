"""Browser tests: a served scored workspace and Debian's Chromium driven by Playwright (no browser download)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "api"))
from build import Served, build_workspace  # noqa: E402

from credence.api.app import create_app  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def web_template(tmp_path_factory) -> dict:
    return build_workspace(tmp_path_factory.mktemp("web") / "ws")


@pytest.fixture
def served(web_template, tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(web_template["root"], root)
    app = create_app(root)
    with Served(app) as srv:
        yield {"url": srv.url, "keys": web_template["keys"]}
    app.state.ctx.ws.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, served):
    context = browser.new_context(base_url=served["url"], viewport={"width": 1280, "height": 1000})
    p = context.new_page()
    p.set_default_timeout(30_000)
    yield p
    context.close()


@pytest.fixture
def shot():
    """Save a full-page screenshot into test-artifacts/ (kept as a test artifact, git-ignored)."""

    def take(page, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take
