"""One error family. Every message names what was wrong and how to fix it.

The CLI prints a ``CredenceError`` as one line (no traceback); the HTTP API turns it into the JSON error
shape with the error's ``status``.
"""

from __future__ import annotations


class CredenceError(Exception):
    """Root of every error Credence raises on purpose."""

    status = 400
    code = "credence_error"

    def __init__(self, message: str, *, field: str | None = None, record: str | None = None, fix: str | None = None):
        self.message = message
        self.field = field
        self.record = record
        self.fix = fix
        super().__init__(self.__str__())

    def __str__(self) -> str:
        parts = []
        if self.record:
            parts.append(f"{self.record}: ")
        parts.append(self.message)
        if self.field and self.field not in self.message:
            parts.append(f" (field '{self.field}')")
        if self.fix:
            parts.append(f". Fix: {self.fix}")
        return "".join(parts)

    def to_dict(self) -> dict:
        return {
            "ok": False,
            "status": self.status,
            "code": self.code,
            "error": str(self),
            "field": self.field,
            "record": self.record,
        }


class ConfigError(CredenceError):
    """A workspace, catalogue, scorecard or policy file is missing or malformed."""

    code = "config_error"


class StoreBusy(CredenceError):
    """The store file is held by another program (DuckDB allows one writer process); the message names it."""

    status = 503
    code = "store_busy"


class Unreachable(CredenceError):
    """A Credence server could not be reached (``credence.client``): refused, timed out, name unknown."""

    status = 503
    code = "unreachable"


class NotReady(CredenceError):
    """The server runs but should not take traffic yet (readiness: the store, today's current scores)."""

    status = 503
    code = "not_ready"


class GuardrailError(CredenceError):
    """Something a guardrail forbids (SPEC section 3). The message names the rule."""

    status = 422
    code = "guardrail"

    def __init__(self, rule: str, message: str, **kw):
        self.rule = rule
        super().__init__(f"refused by guardrail {rule}: {message}", **kw)

    def to_dict(self) -> dict:
        return {**super().to_dict(), "rule": self.rule}


class ValidationError(CredenceError):
    """A submitted record or argument is invalid."""

    code = "invalid"


class NotFoundError(CredenceError):
    status = 404
    code = "not_found"


class PermissionDenied(CredenceError):
    """The caller has no right (no live grant, wrong role, another subject's data)."""

    status = 403
    code = "forbidden"


class AuthenticationError(CredenceError):
    status = 401
    code = "unauthenticated"


class ConflictError(CredenceError):
    status = 409
    code = "conflict"


class DataError(CredenceError):
    """The data cannot support what was asked (e.g. a training target with one class)."""

    status = 422
    code = "data_error"


class TokenError(CredenceError):
    """A certificate failed verification; the message says why."""

    status = 401
    code = "invalid_token"


class ConformanceError(CredenceError):
    """A scorecard or an engine broke a rule every one must keep (``credence.testing``)."""

    status = 422
    code = "not_conformant"
