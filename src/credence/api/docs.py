"""The API's documentation in the browser: Swagger UI at ``/docs`` and ReDoc at ``/redoc``.

Their scripts and styles come from the ``fastapi-offline`` package (Swagger UI and ReDoc bundles, MIT and
Apache-2.0 licensed, shipped in its wheel) and are served under ``/docs/assets``: the pages load nothing from
another host (ReDoc's bundle names one image on its maker's CDN, its "API docs by Redocly" logo: it is served
with that address replaced by an empty ``data:`` URL, which the bundle handles by showing no logo). The pages
carry no inline script, so their content security policy keeps ``script-src 'self'``;
it allows inline styles only because both bundles set styles at run time (the portal's policy stays as it is).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from credence.api.models import PARAMETER_EXAMPLES
from credence.errors import NotFoundError

ASSETS = Path(str(files("fastapi_offline") / "static"))
SHIPPED = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "redoc.standalone.js": "text/javascript",
    "favicon.png": "image/png",
}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
CACHE = "public, max-age=86400"
# Swagger UI starts from this file, not an inline script; it reads the document's URL from the page.
SWAGGER_INIT = """window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapi,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
"""
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="{root}/docs/assets/favicon.png">
{head}
</head>
<body>
{body}
</body>
</html>
"""

router = APIRouter(include_in_schema=False)


def _page(request: Request, title: str, head: str, body: str) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    html = PAGE.format(title=title, root=root, head=head.format(root=root), body=body.format(root=root))
    return HTMLResponse(html, headers={"Content-Security-Policy": CSP, "Cache-Control": "no-cache"})


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI on /openapi.json: every route, its roles, bodies and examples, and 'Try it out'."""
    return _page(
        request,
        "Credence API - Swagger UI",
        '<link rel="stylesheet" href="{root}/docs/assets/swagger-ui.css">',
        '<div id="swagger-ui" data-openapi="{root}/openapi.json"></div>\n'
        '<script src="{root}/docs/assets/swagger-ui-bundle.js"></script>\n'
        '<script src="{root}/docs/assets/swagger-init.js"></script>',
    )


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    """ReDoc on /openapi.json: the same document as one reference page."""
    return _page(
        request,
        "Credence API - ReDoc",
        "",
        '<redoc spec-url="{root}/openapi.json"></redoc>\n<script src="{root}/docs/assets/redoc.standalone.js"></script>',
    )


REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"


@cache
def redoc_bundle() -> bytes:
    """ReDoc's bundle with its one outside address (the logo) replaced by an empty image."""
    return (ASSETS / "redoc.standalone.js").read_bytes().replace(REDOC_LOGO, b"data:,")


@router.get("/docs/assets/{name}")
def asset(name: str) -> Response:
    if name == "swagger-init.js":
        return Response(SWAGGER_INIT, media_type="text/javascript")
    if name == "redoc.standalone.js":
        return Response(redoc_bundle(), media_type="text/javascript", headers={"Cache-Control": CACHE})
    if name not in SHIPPED:
        raise NotFoundError(f"no documentation asset '{name}'", field="name")
    return FileResponse(ASSETS / name, media_type=SHIPPED[name], headers={"Cache-Control": CACHE})


def with_parameter_examples(doc: dict) -> dict:
    """Give every path and query parameter its example (request bodies carry theirs in their models)."""
    for operations in doc.get("paths", {}).values():
        for op in operations.values():
            for param in op.get("parameters", []):
                if param["name"] in PARAMETER_EXAMPLES:
                    param.setdefault("example", PARAMETER_EXAMPLES[param["name"]])
    return doc


def install(app: FastAPI) -> None:
    """Serve /docs, /redoc and their assets (the app is built with ``docs_url=None, redoc_url=None``), and put
    the parameters' examples into the OpenAPI document they show."""
    app.include_router(router)
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = with_parameter_examples(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
