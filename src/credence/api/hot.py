"""The hot routes, answered without FastAPI's per-request machinery (issue 11: serving throughput).

A partner's score read under a grant, a subject's own score (``GET /v1/scores/{entity_id}``) and a
partner's decision (``POST /v1/decisions``) are most of a bureau's traffic. FastAPI spends more CPU on
them than the work itself: resolving the dependency graph, validating the query and body through its
models, two thread-pool hops (endpoint, then response validation), its exception middlewares. This plain
ASGI middleware answers them with **the same endpoint functions, role checks, request and response
models and error handlers** as the FastAPI routes it stands for:

- the caller's key is read exactly as ``HTTPBearer`` reads it and authenticated by ``api.auth``; the
  route's own role check (its ``allow(...)`` dependency) runs on the principal;
- the endpoint runs in one worker thread with its response validated and serialised there by the
  route's response model (FastAPI's own ``ModelField``), so the body is byte for byte what FastAPI sends;
- a ``CredenceError`` (or any error) goes to the app's exception handler for it, as in FastAPI.

Anything this path does not take on exactly (another query parameter, a parameter FastAPI would refuse,
a body that is not plain valid JSON of the route's model, a route whose signature changed) is handed to
FastAPI untouched (the body replayed), so every edge keeps FastAPI's behaviour. ``CREDENCE_HOT_PATH=0``
turns it off (the tests compare both).
"""

from __future__ import annotations

import inspect
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
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

log = logging.getLogger("credence.api")
SCORE_PREFIX = "/v1/scores/"
MAX_PURPOSE = 200  # the route's Query(max_length=200); longer goes to FastAPI (its 422)
THREADS = 128  # hot requests in flight at once (each waits for its group commit in its thread)


@dataclass
class Hot:
    """One hot route: its FastAPI route, the endpoint, the role check, the body model (POST)."""

    route: APIRoute
    template: str
    endpoint: Callable
    check: Callable
    body: type | None = None
    counted: Any = None  # the hot-path counter of this route

    def __post_init__(self):
        self.counted = metrics.HOT_PATH.labels(self.template)


def enabled() -> bool:
    """``CREDENCE_HOT_PATH`` as the server started (reading the environment per request costs too much)."""
    return os.environ.get("CREDENCE_HOT_PATH", "1") not in ("0", "false", "no", "off")


def _hot(api, method: str, path: str, params: set[str]) -> Hot | None:
    """The route ``method path`` if its endpoint still has exactly the parameters this path supplies."""
    for rc in iter_route_contexts(api.routes):
        route = rc.original_route
        if rc.path != path or not isinstance(route, APIRoute) or method not in (rc.methods or ()):
            continue
        sig = inspect.signature(route.endpoint)
        if set(sig.parameters) != params:
            log.warning("hot path off for %s %s: its parameters changed", method, path)
            return None
        check = getattr(sig.parameters["p"].default, "dependency", None)
        if check is None or inspect.iscoroutinefunction(route.endpoint) or route.response_field is None:
            return None
        body = get_type_hints(route.endpoint).get("body") if "body" in params else None
        return Hot(route, path, route.endpoint, check, body)
    return None


class HotPath:
    """Pure ASGI middleware in front of the FastAPI router for the hot routes."""

    def __init__(self, app, api):
        self.app = app
        self.api = api
        self._score: Hot | None = None
        self._decide: Hot | None = None
        self._ready = False
        self.on = enabled()  # tests switch it off to compare with FastAPI
        self._limiter: anyio.CapacityLimiter | None = None

    def _setup(self) -> None:
        self._score = _hot(self.api, "GET", "/v1/scores/{entity_id}", {"entity_id", "purpose", "c", "p"})
        self._decide = _hot(self.api, "POST", "/v1/decisions", {"body", "c", "p"})
        self._limiter = anyio.CapacityLimiter(THREADS)
        self._ready = True

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and self.on:
            if not self._ready:
                self._setup()
            method, path = scope["method"], scope["path"]
            if method == "GET" and path.startswith(SCORE_PREFIX) and self._score is not None:
                entity_id = path[len(SCORE_PREFIX) :]
                if entity_id and "/" not in entity_id and await self._read_score(scope, receive, send, entity_id):
                    return
            elif method == "POST" and path == "/v1/decisions" and self._decide is not None:
                await self._decision(scope, receive, send)
                return
        await self.app(scope, receive, send)

    # -- the routes ---------------------------------------------------------------------------------------
    async def _read_score(self, scope, receive, send, entity_id: str) -> bool:
        """Answer the read; False (nothing sent) when FastAPI should take it."""
        purpose = None
        if scope["query_string"]:
            pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
            if len(pairs) != 1 or pairs[0][0] != "purpose" or len(pairs[0][1]) > MAX_PURPOSE:
                return False
            purpose = pairs[0][1]
        hot = self._score
        await self._answer(hot, scope, receive, send, {"entity_id": entity_id, "purpose": purpose})
        return True

    async def _decision(self, scope, receive, send) -> None:
        body = await _read_body(receive)
        hot = self._decide
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
            return
        await self._answer(hot, scope, receive, send, {"body": value})

    # -- shared -------------------------------------------------------------------------------------------
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
            field = hot.route.response_field
            value, errors = field.validate(raw, {}, loc=("response",))
            if errors:
                raise RuntimeError(f"response of {hot.route.path} does not match its model: {errors}")
            return field.serialize_json(value, by_alias=True)

        try:
            content = await anyio.to_thread.run_sync(work, limiter=self._limiter)
        except Exception as exc:  # noqa: BLE001 - the app's own handler answers, as in FastAPI
            response = await self._error(scope, receive, exc)
        else:
            response = Response(content, status_code=hot.route.status_code or 200, media_type="application/json")
        await response(scope, receive, send)

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
