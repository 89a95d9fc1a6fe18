"""The browser for the portal tests: Debian's Chromium through Playwright's sync API.

Package-scoped, so Playwright stops when the tests of this folder end: between its sync calls Playwright marks
its own event loop as the main thread's running loop, and a session-long browser left that mark on every
later test (the in-process API clients of tests/security then failed with "Cannot run the event loop while
another loop is running" when tests/web ran first).
"""

from __future__ import annotations

from pathlib import Path

import pytest

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


@pytest.fixture(scope="package")
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
