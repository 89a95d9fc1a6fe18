"""/docs (Swagger UI) and /redoc (ReDoc) in a real browser: every route is rendered, no request leaves
loopback, and the pages' content security policy reports no violation."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def docs_server(web_template, serve):
    from credence.app import create_app

    app = create_app(web_template["root"])
    operations = {
        (method.upper(), path) for path, ops in app.openapi()["paths"].items() for method in ops
    }  # the document the pages must render
    with serve(app) as srv:
        yield srv.url, operations
    app.state.ctx.ws.close()


def _open(browser, url: str, path: str):
    """A page on ``url + path`` that records every request and every console error."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    seen = {"hosts": set(), "errors": []}
    page.on("request", lambda r: seen["hosts"].add(urlsplit(r.url).hostname or urlsplit(r.url).scheme))
    page.on("console", lambda m: m.type == "error" and seen["errors"].append(m.text))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.goto(url + path)
    return context, page, seen


def _loopback_only(seen: dict) -> None:
    assert seen["hosts"] <= {"127.0.0.1", "data", "blob"}, f"requests left loopback: {seen['hosts']}"
    assert not seen["errors"], seen["errors"]


def test_swagger_ui_renders_every_route(browser, docs_server, shot):
    url, operations = docs_server
    context, page, seen = _open(browser, url, "/docs")
    try:
        page.wait_for_selector(".opblock", state="attached")
        rendered = {
            (method.strip().upper(), path.strip().replace("\u200b", ""))
            for method, path in page.eval_on_selector_all(
                ".opblock-summary",
                "els => els.map(e => [e.querySelector('.opblock-summary-method').textContent,"
                " e.querySelector('.opblock-summary-path').textContent])",
            )
        }
        assert rendered == operations
        page.locator(".opblock-summary", has_text="/v1/grants").first.click()  # an operation opens with its example
        page.wait_for_selector(".opblock-body .microlight, .opblock-body .highlight-code")
        assert "citybike" in page.locator(".opblock-body").first.inner_text()
        shot(page, "api-docs-swagger")
        health = page.locator(".opblock", has=page.locator(".opblock-summary-path", has_text="/v1/health")).first
        health.locator(".opblock-summary").click()
        health.get_by_role("button", name="Try it out").click()
        health.get_by_role("button", name="Execute").click()  # a real request from the page: connect-src 'self'
        status = health.locator(".live-responses-table tbody .response-col_status").first
        expect(status).to_have_text("200")
        _loopback_only(seen)
    finally:
        context.close()


def test_redoc_renders_every_route(browser, docs_server, shot):
    url, operations = docs_server
    context, page, seen = _open(browser, url, "/redoc")
    try:
        page.wait_for_selector("[data-section-id^='operation/'], [id^='operation/']", state="attached")
        text = page.locator("body").inner_text()
        for method, path in sorted(operations):
            assert path in text, f"ReDoc does not show {method} {path}"
        assert "citybike" in text  # the examples are on the page
        shot(page, "api-docs-redoc")
        _loopback_only(seen)
    finally:
        context.close()
