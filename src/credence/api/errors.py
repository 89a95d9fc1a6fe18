"""Every error leaves the API in one JSON shape: ``{ok: false, status, code, error, field, record}``.

CredenceError carries its own status; a request FastAPI cannot validate becomes a 400 ``invalid`` naming the
field (or ``body``), the status of every ``ValidationError``; 422 is kept for requests that are well formed but
refused by a rule (guardrail, data). HTTP errors from routing (404, 405) keep their status; anything else is a
500 with no detail (logged here).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from credence.api.models import ErrorBody
from credence.errors import CredenceError, ValidationError

log = logging.getLogger("credence.api")
API_PREFIXES = ("/v1", "/.well-known", "/openapi.json", "/docs", "/redoc", "/metrics")


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
    return ".".join(parts) or (str(loc[0]) if loc else "request")


def _problem(error: dict) -> tuple[str, str, str | None]:
    """(field, what is wrong, fix) for one of FastAPI's validation errors."""
    loc, kind = tuple(error.get("loc", ())), error.get("type", "")
    if kind == "json_invalid":  # loc is ('body', byte offset): name the body, say where and what
        at = f" at byte {loc[1]}" if len(loc) > 1 else ""
        why = (error.get("ctx") or {}).get("error", "JSON decode error")
        return "body", f"the request body is not valid JSON ({why}{at})", "send a JSON object"
    field = _field_of(loc)
    if field == "body":
        if kind == "missing":
            return field, "the request body is missing", "send a JSON object with Content-Type: application/json"
        return field, f"the request body is not a JSON object: {error.get('msg', 'invalid')}", "send a JSON object"
    if kind == "missing":
        return field, f"field '{field}' is missing", f"send '{field}'"
    return field, f"invalid value for '{field}': {error.get('msg', 'invalid')}", None


async def credence_error(request: Request, exc: CredenceError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return _json(exc.to_dict(), headers, request)


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """A request the route cannot read (missing or malformed field, unreadable body): 400, like every
    ``ValidationError`` a service raises (docs/api.md: one rule for status codes)."""
    errors = exc.errors()
    field, message, fix = _problem(errors[0] if errors else {"loc": ("request",), "msg": "invalid request"})
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    if fix:
        message += f". Fix: {fix}"
    return _json(error_body(ValidationError.status, ValidationError.code, message, field), None, request)


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


# Documented on every route so the OpenAPI document lists the shape clients will see, with an example each.
ERROR_EXAMPLES = {
    400: ("invalid", "field 'viewer_id' is missing. Fix: send 'viewer_id'", "viewer_id"),
    401: (
        "unauthenticated",
        "missing, unknown or revoked API key. Fix: send 'Authorization: Bearer cred_...'",
        "Authorization",
    ),
    403: ("forbidden", "a subject sees only its own events", "entity_id"),
    404: ("not_found", "no entity 'P0000999'", "entity_id"),
    409: ("conflict", "grant 'G-fe1fd9c00ab4' is already revoked", "grant_id"),
    422: ("guardrail", "refused by guardrail 3 (no score for essential services): purpose 'train tickets'", "purpose"),
    503: ("store_busy", "the store is held by another program (pid 4242). Fix: retry after a moment", None),
}
ERROR_RESPONSES = {
    status: {
        "model": ErrorBody,
        "description": text,
        "content": {"application/json": {"example": error_body(status, *ERROR_EXAMPLES[status])}},
    }
    for status, text in (
        (400, "Invalid request: a field missing or malformed, or a body that is not JSON"),
        (401, "Missing or bad API key"),
        (403, "Role or object not allowed"),
        (404, "Not found"),
        (409, "Conflict"),
        (422, "Well formed but refused by a rule: a guardrail, or data that cannot support it"),
        (503, "The store is busy (held by another program); retry after a moment"),
    )
}
