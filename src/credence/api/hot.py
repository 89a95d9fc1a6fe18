"""The hot routes, answered without FastAPI's per-request machinery (issue 11: serving throughput).

A partner's score read under a grant and its decisions, and a subject's own page data (its score, history
and events), are most of a bureau's traffic. FastAPI spends more CPU on them than the work itself: resolving
the dependency graph, validating through its models, two thread-pool hops (endpoint, then response
validation), its exception middlewares. This plain ASGI middleware answers them with **the same endpoint
functions, role checks, parameter, body and response models and error handlers** as the FastAPI routes:

- the route is found as Starlette finds it (an earlier route of the app matching the path takes it);
- the caller's key is read exactly as ``HTTPBearer`` reads it and authenticated by ``api.auth``; the
  route's own role check (its ``allow(...)`` dependency) runs on the principal;
- query parameters are validated by the route's own fields (FastAPI's ``ModelField``), the body by its model;
- the endpoint runs **on the event loop** when everything it reads is in memory (keys, grants, served
  rows: the stores' generation caches); a store read there raises ``WouldBlock`` and the endpoint runs
  again in a worker thread. The records it must leave (access log, decision) are collected, not committed
  in its thread (``store.commit.deferred``), then committed by the group commit while the loop awaits
  them: the answer is sent after its records are durable, without a thread parked per request;
- the response is validated and serialised by the route's response field, so the body is byte for byte
  what FastAPI sends; a ``CredenceError`` (or any error) goes to the app's exception handler for it.

Anything this path does not take on exactly (another or a repeated query parameter, a value the route's
field refuses, a body that is not plain valid JSON of the route's model, a route whose signature changed)
is handed to FastAPI untouched (the body replayed), so every edge keeps FastAPI's behaviour.
``CREDENCE_HOT_PATH=0`` turns it off (the tests compare both).
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, get_type_hints
from urllib.parse import parse_qsl

import anyio
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.security.utils import get_authorization_scheme_param
from starlette.requests import Request
from starlette.responses import Response

from credence.api.auth import authenticate
from credence.api.observe import ROLE
from credence.services import metrics
from credence.store.commit import WouldBlock, deferred, no_blocking

log = logging.getLogger("credence.api")
THREADS = 64  # hot requests whose endpoint needs the store, running at once in worker threads
QUERIES = 1024  # query strings kept validated per route
_IMMUTABLE = frozenset({str, int, float, bool, type(None)})
_JSON = (b"content-type", b"application/json")
HOT_ROUTES = (
    ("GET", "/v1/scores/{entity_id}"),
    ("GET", "/v1/scores/{entity_id}/history"),
    ("GET", "/v1/entities/{entity_id}/events"),
    ("POST", "/v1/decisions"),
)
_PARAM = re.compile(r"{(\w+)}")


@dataclass
class Hot:
    """One hot route: its FastAPI route, the endpoint, the role check, its parameters and body model."""

    route: APIRoute
    template: str
    endpoint: Callable
    check: Callable
    pattern: re.Pattern
    query: dict[str, Any]  # query parameter name -> its ModelField
    body: type | None = None
    before: list[re.Pattern] = field(default_factory=list)  # earlier routes of the method: they take a match
    counted: Any = None  # the hot-path counter of this route
    status: int = 200  # the route's success status
    known: dict[bytes, dict[str, Any] | None] = field(default_factory=dict)  # query strings seen -> their args

    def __post_init__(self):
        self.counted = metrics.HOT_PATH.labels(self.template)
        self.status = self.route.status_code or 200

    def match(self, path: str) -> dict[str, str] | None:
        m = self.pattern.fullmatch(path)
        if m is None or any(p.fullmatch(path) for p in self.before):
            return None
        return m.groupdict()

    def query_args(self, raw: bytes) -> dict[str, Any] | None:
        """The query parameters as the route's fields validate them, or None (FastAPI answers). A bureau's
        callers send the same few query strings (a partner's purpose, a page size): each is validated once
        and its answer kept when every value is immutable (a string, a number, None)."""
        try:
            return self.known[raw]
        except KeyError:
            pass
        args = self._validated(raw)
        if args is None or all(type(v) in _IMMUTABLE for v in args.values()):
            if len(self.known) >= QUERIES:
                self.known.clear()
            self.known[raw] = args
        return args

    def _validated(self, raw: bytes) -> dict[str, Any] | None:
        pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True) if raw else []
        given = dict(pairs)
        if len(given) != len(pairs) or not set(given) <= set(self.query):
            return None
        args = {}
        for name, f in self.query.items():
            if name not in given:
                if f.field_info.is_required():
                    return None
                args[f.name] = f.get_default()
                continue
            value, errors = f.validate(given[name], {}, loc=("query", name))
            if errors:
                return None
            args[f.name] = value
        return args


def enabled() -> bool:
    """``CREDENCE_HOT_PATH`` as the server started (reading the environment per request costs too much)."""
    return os.environ.get("CREDENCE_HOT_PATH", "1") not in ("0", "false", "no", "off")


def _regex(template: str) -> re.Pattern:
    parts = re.split(r"({\w+(?::\w+)?})", template)
    out = []
    for part in parts:
        m = re.fullmatch(r"{(\w+)(?::(\w+))?}", part)
        if m is None:
            out.append(re.escape(part))
        else:
            out.append(f"(?P<{m.group(1)}>.+)" if m.group(2) == "path" else f"(?P<{m.group(1)}>[^/]+)")
    return re.compile("".join(out))


def _may_overlap(a: str, b: str) -> bool:
    """Whether some path matches both templates (segment by segment: a parameter matches any literal)."""
    if ":path}" in a or ":path}" in b:
        return True
    x, y = a.split("/"), b.split("/")
    return len(x) == len(y) and all(s == t or s.startswith("{") or t.startswith("{") for s, t in zip(x, y, strict=True))


def _hot(api, method: str, path: str) -> Hot | None:
    """The route ``method path`` if its endpoint takes exactly: its path parameters, plain query
    parameters, a body (POST), the context ``c`` and the principal ``p`` (its role check)."""
    before = []
    for rc in iter_route_contexts(api.routes):
        route = rc.original_route
        if method not in (rc.methods or ()) or not isinstance(route, APIRoute):
            continue
        if rc.path != path:
            if _may_overlap(rc.path, path):
                before.append(_regex(rc.path))
            continue
        dependant = route.dependant
        query = {f.alias: f for f in dependant.query_params}
        params = set(_PARAM.findall(path)) | {f.name for f in query.values()} | {"c", "p"}
        if method == "POST":
            params.add("body")
        sig = inspect.signature(route.endpoint)
        if set(sig.parameters) != params or dependant.header_params or dependant.cookie_params:
            log.warning("hot path off for %s %s: its parameters changed", method, path)
            return None
        check = getattr(sig.parameters["p"].default, "dependency", None)
        if check is None or inspect.iscoroutinefunction(route.endpoint) or route.response_field is None:
            return None
        body = get_type_hints(route.endpoint).get("body") if method == "POST" else None
        return Hot(route, path, route.endpoint, check, _regex(path), query, body, before)
    return None


class HotPath:
    """Pure ASGI middleware in front of the FastAPI router for the hot routes."""

    def __init__(self, app, api):
        self.app = app
        self.api = api
        self._routes: dict[str, list[Hot]] = {}
        self._ready = False
        self.on = enabled()  # tests switch it off to compare with FastAPI
        self._limiter: anyio.CapacityLimiter | None = None
        self.in_threads = 0  # hot requests whose endpoint needed a worker thread (for tests and benchmarks)

    def _setup(self) -> None:
        for method, path in HOT_ROUTES:
            hot = _hot(self.api, method, path)
            if hot is not None:
                self._routes.setdefault(method, []).append(hot)
        self._limiter = anyio.CapacityLimiter(THREADS)
        self._ready = True

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and self.on:
            if not self._ready:
                self._setup()
            for hot in self._routes.get(scope["method"], ()):
                found = hot.match(scope["path"])
                if found is not None:
                    if await self._take(hot, found, scope, receive, send):
                        return
                    break
        await self.app(scope, receive, send)

    async def _take(self, hot: Hot, path_args: dict, scope, receive, send) -> bool:
        """Answer the request; False (nothing sent, nothing read) when FastAPI should take it."""
        query = hot.query_args(scope["query_string"])
        if query is None:
            return False
        args = path_args | query
        if hot.body is None:
            await self._answer(hot, scope, receive, send, args)
            return True
        body = await _read_body(receive)
        value = None
        if _header(scope, b"content-type") == "application/json":
            try:
                data = json.loads(body)
                if isinstance(data, dict):
                    value = hot.body.model_validate(data)
            except Exception:  # noqa: BLE001 - FastAPI answers whatever this path does not take on
                value = None
        if value is None:
            await self.app(scope, _replay(body, receive), send)
        else:
            await self._answer(hot, scope, receive, send, args | {"body": value})
        return True

    async def _answer(self, hot: Hot, scope, receive, send, args: dict[str, Any]) -> None:
        scope["route"] = hot.route  # the template for the metrics and the log (api.observe)
        hot.counted.inc()
        token = _bearer(scope)
        ctx = self.api.state.ctx

        def work() -> bytes:
            p = authenticate(ctx.store, token)
            scope[ROLE] = p.role
            p = hot.check(p)
            raw = hot.endpoint(**args, c=ctx, p=p)
            out = hot.route.response_field
            value, errors = out.validate(raw, {}, loc=("response",))
            if errors:
                raise RuntimeError(f"response of {hot.route.path} does not match its model: {errors}")
            return out.serialize_json(value, by_alias=True)

        units: list = []  # the records the request leaves: committed before it is answered
        failure: Exception | None = None
        content = b""
        try:
            try:
                with deferred(units), no_blocking():
                    content = work()
            except WouldBlock:  # it reads the store: again, in a worker thread
                units.clear()
                self.in_threads += 1
                content = await anyio.to_thread.run_sync(_collected, work, units, limiter=self._limiter)
        except Exception as exc:  # noqa: BLE001 - the app's own handler answers, as in FastAPI
            failure = exc
        try:
            await ctx.store.group.commit(units)  # a refusal's log row too, before the refusal is sent
        except Exception as exc:  # noqa: BLE001 - not committed: the request fails as a failed append would
            failure = exc
        if failure is not None:
            response = await self._error(scope, receive, failure)
            await response(scope, receive, send)
            return
        # what Response(content, media_type="application/json") sends, without building one
        headers = [(b"content-length", str(len(content)).encode()), _JSON]
        await send({"type": "http.response.start", "status": hot.status, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    async def _error(self, scope, receive, exc: Exception) -> Response:
        handler = None
        for cls in type(exc).__mro__:
            handler = self.api.exception_handlers.get(cls)
            if handler is not None:
                break
        if handler is None:
            raise exc
        response = handler(Request(scope, receive), exc)
        if inspect.isawaitable(response):
            response = await response
        return response


def _collected(work: Callable[[], bytes], units: list) -> bytes:
    """``work()`` in a worker thread: store reads allowed, the records still collected into ``units``."""
    with deferred(units):
        return work()


def _header(scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _bearer(scope) -> str | None:
    """The key as FastAPI's ``HTTPBearer(auto_error=False)`` reads it (None when there is none)."""
    authorization = _header(scope, b"authorization")
    scheme, credentials = get_authorization_scheme_param(authorization)
    if not (authorization and scheme and credentials) or scheme.lower() != "bearer":
        return None
    return credentials


async def _read_body(receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive):
    sent = False

    async def again():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again
