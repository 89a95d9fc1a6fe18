"""Every error leaves the API in one JSON shape: ``{ok: false, status, code, error, field, record}``.

CredenceError carries its own status; FastAPI's request validation becomes a 422 naming the field; HTTP
errors from routing (404, 405) keep their status; anything else is a 500 with no detail (logged here).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from credence.errors import CredenceError

log = logging.getLogger("credence.api")
API_PREFIXES = ("/v1", "/.well-known", "/openapi.json", "/docs")


class ErrorBody(BaseModel):
    ok: bool = False
    status: int
    code: str
    error: str
    field: str | None = None
    record: str | None = None
    rule: str | None = None


def error_body(status: int, code: str, error: str, field: str | None = None, record: str | None = None) -> dict:
    return {"ok": False, "status": status, "code": code, "error": error, "field": field, "record": record}


def _json(body: dict, headers: dict | None = None, request: Request | None = None):
    """JSON for the API; the web UI (any path outside /v1 and /.well-known) renders its own error page."""
    render = getattr(request.app.state, "render_error", None) if request is not None else None
    if render is not None and not request.url.path.startswith(API_PREFIXES):
        return render(request, body)
    return JSONResponse(body, status_code=body["status"], headers=headers)


def _field_of(loc: tuple | list) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or (str(loc[-1]) if loc else "request")


async def credence_error(request: Request, exc: CredenceError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return _json(exc.to_dict(), headers, request)


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    first = errors[0] if errors else {"loc": ("request",), "msg": "invalid request"}
    field = _field_of(first.get("loc", ()))
    message = f"invalid value for '{field}': {first.get('msg', 'invalid')}"
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return _json(error_body(422, "invalid", message, field), None, request)


async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = {404: "not_found", 405: "method_not_allowed", 401: "unauthenticated", 403: "forbidden"}.get(
        exc.status_code, "http_error"
    )
    detail = exc.detail if isinstance(exc.detail, str) else "request refused"
    return _json(error_body(exc.status_code, code, detail), getattr(exc, "headers", None), request)


async def server_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return _json(
        error_body(500, "server_error", "internal error; the operator can find it in the server log"), None, request
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(CredenceError, credence_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, server_error)


# Documented on every route so the OpenAPI document lists the shape clients will see.
ERROR_RESPONSES = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (400, "Invalid request"),
        (401, "Missing or bad API key"),
        (403, "Role or object not allowed"),
        (404, "Not found"),
        (409, "Conflict"),
        (422, "Invalid field or refused by a guardrail"),
    )
}
