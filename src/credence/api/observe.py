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

import atexit
import collections
import json
import logging
import sys
import threading
import time
from datetime import UTC, datetime

from credence.services import metrics

log = logging.getLogger("credence.http")
ROLE = "credence.role"  # the scope key api.deps sets to the authenticated principal's role
UNMATCHED = "(unmatched)"  # requests no route matched (404s of random paths) share one label
_ENCODE = json.JSONEncoder(default=str).encode  # json.dumps(x, default=str) without an encoder per line


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
        self._children: dict[tuple[str, str, int], tuple] = {}  # (route, method, status) -> its two metrics

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
            counted, timed = self._metrics(route, method, status)
            counted.inc()
            timed.observe(elapsed)
            if log.isEnabledFor(logging.INFO):
                fields = {
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 3),
                    "role": scope.get(ROLE),
                }
                # log.info(...) without its caller lookup (a walk up the stack), which no line shows
                log.handle(
                    log.makeRecord(log.name, logging.INFO, __file__, 0, "request", (), None, extra={"fields": fields})
                )

    def _metrics(self, route: str, method: str, status: int) -> tuple:
        """The request counter and duration histogram of these labels (``labels()`` costs a lock and a check)."""
        key = (route, method, status)
        children = self._children.get(key)
        if children is None:
            if len(self._children) >= 4096:  # methods and statuses are few; never grow without bound
                self._children.clear()
            children = (
                metrics.HTTP_REQUESTS.labels(route, method, str(status)),
                metrics.HTTP_DURATION.labels(route, method),
            )
            self._children[key] = children
        return children


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
        return _ENCODE(out)


class BatchedLines(logging.Handler):
    """Lines to a stream, written by a background thread every ``interval`` seconds in one write.

    A server logs a line per request: written one by one, each write is a system call that hands Python's
    GIL away and waits to get it back from the busy threads (milliseconds under load). Batched, the loop
    thread only appends the formatted line. At most ``interval`` of lines is lost if the process is killed;
    the durable record of every read is the access log in the store, not this log."""

    def __init__(self, stream=None, interval: float = 0.2):
        super().__init__()
        self.stream = stream if stream is not None else sys.stderr
        self.interval = interval
        self._lines: collections.deque[str] = collections.deque()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="credence-log-writer", daemon=True)
        self._thread.start()
        atexit.register(self.flush)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:  # noqa: BLE001 - logging never breaks a request
            self.handleError(record)
            return
        self._lines.append(line)  # deque.append is atomic: no lock on the request's path
        if record.levelno >= logging.WARNING:
            self._wake.set()  # warnings and errors go out at once

    def flush(self) -> None:
        lines = [self._lines.popleft() for _ in range(len(self._lines))]
        if lines:
            with self.lock:
                self.stream.write("\n".join(lines) + "\n")
                self.stream.flush()

    def _run(self) -> None:
        while True:
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - a closed stream at exit
                return

    def close(self) -> None:
        self.flush()
        super().close()


def log_config(requests: bool = True) -> dict:
    """``logging.config.dictConfig`` for ``credence serve``: every logger (uvicorn's too) as JSON lines on
    stderr; ``credence.http`` (one line per request) at info when ``requests``, else warnings only.
    uvicorn's own access log stays off: ``credence.http`` replaces it."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"stderr": {"()": BatchedLines, "formatter": "json"}},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "credence": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "credence.http": {"level": "INFO" if requests else "WARNING"},
        },
    }
