"""The transport under ``credence.client``: one httpx client, the API key, retries, and errors.

A 429 or 503 answer (rate limited, store busy) is retried up to ``retries`` times: after the ``Retry-After``
the server sent (seconds or an HTTP date), else after an exponential backoff with jitter. Neither answer means
the request was carried out, so every method is retried; so is a connection that could not be opened. A server
that cannot be reached raises ``Unreachable``. Any other error answer is raised as the
``CredenceError`` subclass its ``code`` names, with the server's ``status``, ``field``, ``record`` and message.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from credence import errors
from credence.errors import CredenceError, Unreachable

M = TypeVar("M")
RETRY_STATUSES = (429, 503)

BY_CODE: dict[str, type[CredenceError]] = {
    cls.code: cls
    for cls in (
        errors.ValidationError,
        errors.ConfigError,
        errors.StoreBusy,
        errors.NotReady,
        errors.GuardrailError,
        errors.NotFoundError,
        errors.PermissionDenied,
        errors.AuthenticationError,
        errors.ConflictError,
        errors.DataError,
        errors.TokenError,
        errors.ConformanceError,
    )
}
BY_STATUS: dict[int, type[CredenceError]] = {
    400: errors.ValidationError,
    401: errors.AuthenticationError,
    403: errors.PermissionDenied,
    404: errors.NotFoundError,
    409: errors.ConflictError,
    422: errors.DataError,
    503: errors.StoreBusy,
}
_REMOTE: dict[type[CredenceError], type[CredenceError]] = {}


class RemoteError:
    """Mixed into the error raised for an error answer: its text is the server's message, as sent."""

    text: str

    def __str__(self) -> str:
        return self.text


def remote_class(cls: type[CredenceError]) -> type[CredenceError]:
    """``cls`` with the server's message as its text (still an instance of ``cls`` and ``CredenceError``)."""
    if cls not in _REMOTE:
        _REMOTE[cls] = type(cls.__name__, (RemoteError, cls), {"__module__": __name__})
    return _REMOTE[cls]


def error_from(response: httpx.Response) -> CredenceError:
    """The ``CredenceError`` an error answer stands for (any answer: JSON error shape or not)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {"error": f"HTTP {response.status_code} from {response.request.url}: {response.text[:200]}"}
    code = body.get("code")
    cls = remote_class(BY_CODE.get(code) or BY_STATUS.get(response.status_code) or CredenceError)
    err = cls.__new__(cls)
    text = str(body.get("error") or f"HTTP {response.status_code}")
    Exception.__init__(err, text)
    err.text = err.message = text
    err.field, err.record, err.fix = body.get("field"), body.get("record"), None
    err.status, err.code = response.status_code, code or cls.code
    err.rule = body.get("rule")  # guardrail refusals name their rule
    return err


def retry_after(response: httpx.Response) -> float | None:
    """Seconds the server asked to wait (``Retry-After``: seconds or an HTTP date), or None."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class Transport:
    """Requests with the key, retries on 429/503, JSON decoded into the API's models."""

    def __init__(
        self,
        base_url: str,
        key: str | None = None,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_wait: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        **httpx_options: Any,
    ):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.http = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout, **httpx_options)
        self.retries, self.backoff, self.max_wait, self.sleep = retries, backoff, max_wait, sleep

    def unreachable(self, e: httpx.TransportError) -> Unreachable:
        return Unreachable(
            f"cannot reach {self.http.base_url}: {type(e).__name__}: {e}",
            field="url",
            fix="check the address and that the server runs (credence serve)",
        )

    def wait(self, attempt: int, response: httpx.Response | None) -> float:
        """How long to wait before retry ``attempt`` (0-based): the server's word, else backoff with jitter."""
        asked = retry_after(response) if response is not None else None
        if asked is None:
            asked = self.backoff * 2**attempt * (0.5 + random.random() / 2)
        return min(asked, self.max_wait)

    def send(self, method: str, path: str, **kw: Any) -> httpx.Response:
        """The answer to one request, after retries; an error answer is raised as a ``CredenceError``."""
        for attempt in range(self.retries + 1):
            try:
                response = self.http.request(method, path, **kw)
            except (httpx.ConnectError, httpx.ConnectTimeout) as e:  # never sent: safe to try again
                if attempt == self.retries:
                    raise self.unreachable(e) from None
                self.sleep(self.wait(attempt, None))
                continue
            except httpx.TransportError as e:
                raise self.unreachable(e) from None
            if response.status_code not in RETRY_STATUSES or attempt == self.retries:
                break
            self.sleep(self.wait(attempt, response))
        if response.is_error:
            raise error_from(response)
        return response

    def call(self, method: str, path: str, model: type[M] | Any, **kw: Any) -> M:
        """``send``, and the JSON answer validated as ``model`` (a model class or a type such as list[X])."""
        data = self.send(method, path, **kw).json()
        try:
            if isinstance(model, type) and issubclass(model, BaseModel):
                return model.model_validate(data)
            return _adapter(model).validate_python(data)
        except ValidationError as e:
            raise CredenceError(
                f"the answer to {method} {path} is not the API's {getattr(model, '__name__', model)}: "
                f"{e.errors()[0]['msg']} at {'.'.join(map(str, e.errors()[0]['loc'])) or 'the top'}",
                fix="use the client of the same Credence version as the server",
            ) from None

    def close(self) -> None:
        self.http.close()


_ADAPTERS: dict[Any, TypeAdapter] = {}


def _adapter(model: Any) -> TypeAdapter:
    if model not in _ADAPTERS:
        _ADAPTERS[model] = TypeAdapter(model)
    return _ADAPTERS[model]


def segment(value: str) -> str:
    """A path segment: every character but unreserved ones escaped (ids may hold '/', '?', ' ')."""
    return quote(str(value), safe="")


def params(**values: Any) -> dict[str, Any]:
    """Query parameters without the ones left out (None); datetimes as RFC 3339, booleans as true/false."""
    out = {}
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        out[name] = value
    return out
