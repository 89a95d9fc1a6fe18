"""What an operator watches: request metrics for Prometheus and one JSON log line per request.

:class:`Observe` is plain ASGI (no per-request task or stream, unlike Starlette's ``BaseHTTPMiddleware``):
it notes the status the app sends and, when the response ends, counts it under the route *template*
(``/v1/scores/{entity_id}``, never the path, which holds an id) and logs one line on ``credence.http``:

    {"time": "...", "level": "info", "logger": "credence.http", "event": "request", "method": "GET",
     "route": "/v1/scores/{entity_id}", "status": 200, "duration_ms": 1.9, "role": "partner"}

No personal data: no entity id, no key, no query string, no client address. The role is the caller's
key's role (set by ``api.deps`` when it authenticates), ``null`` for a request without one.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime

from credence.services import metrics

log = logging.getLogger("credence.http")
ROLE = "credence.role"  # the scope key api.deps sets to the authenticated principal's role
UNMATCHED = "(unmatched)"  # requests no route matched (404s of random paths) share one label


def route_templates(app) -> dict[int, str]:
    """id(route) -> its full path template (a route knows only its router's part: ``/scores/{entity_id}``)."""
    from fastapi.routing import iter_route_contexts

    return {id(rc.original_route): rc.path for rc in iter_route_contexts(app.routes) if rc.path}


class Observe:
    """Pure ASGI middleware: count and time every HTTP request by route template; one log line each."""

    def __init__(self, app, api):
        self.app = app
        self.api = api  # the FastAPI app, whose routes name the templates
        self._templates: dict[int, str] | None = None

    def template(self, scope: dict) -> str:
        """The matched route's path template (a mount's prefix for mounted apps such as the static files)."""
        route = scope.get("route")
        if route is None:
            return UNMATCHED
        if self._templates is None:
            self._templates = route_templates(self.api)  # on the first request: every route is added by then
        return self._templates.get(id(route)) or getattr(route, "path", None) or UNMATCHED

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def noting(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noting)
        finally:
            elapsed = time.perf_counter() - start
            route = self.template(scope)
            method = scope["method"]
            metrics.HTTP_REQUESTS.labels(route, method, str(status)).inc()
            metrics.HTTP_DURATION.labels(route, method).observe(elapsed)
            if log.isEnabledFor(logging.INFO):
                log.info(
                    "request",
                    extra={
                        "fields": {
                            "method": method,
                            "route": route,
                            "status": status,
                            "duration_ms": round(elapsed * 1000, 3),
                            "role": scope.get(ROLE),
                        }
                    },
                )


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, event and the record's ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        out.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


def log_config(requests: bool = True) -> dict:
    """``logging.config.dictConfig`` for ``credence serve``: every logger (uvicorn's too) as JSON lines on
    stderr; ``credence.http`` (one line per request) at info when ``requests``, else warnings only.
    uvicorn's own access log stays off: ``credence.http`` replaces it."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "credence": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "credence.http": {"level": "INFO" if requests else "WARNING"},
        },
    }
