"""What every route depends on: the workspace context, the caller, and the role and object checks.

Each route declares the roles it admits with ``allow(...)``; the roles also go into the OpenAPI document
(``x-roles``) so the authorization matrix test can check every route against them. Object checks (whose data
is this?) live in ``subject_access`` and are called by the route with the object in hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from credence.api.auth import Principal, authenticate
from credence.api.observe import ROLE
from credence.errors import PermissionDenied
from credence.workspace import Workspace


@dataclass
class Context:
    """One per app: the workspace (which loads and caches its configuration)."""

    ws: Workspace

    @property
    def store(self):
        return self.ws.store

    @property
    def cards(self) -> dict:
        """The workspace's scorecards; loaded once per file version, so every route sees the same card."""
        return self.ws.scorecards

    @property
    def catalogue(self):
        return self.ws.catalogue


def ctx(request: Request) -> Context:
    return request.app.state.ctx


bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key from 'credence keys create', sent as 'Authorization: Bearer cred_...'.",
)


def principal(request: Request, creds: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Principal:
    p = authenticate(ctx(request).store, creds.credentials if creds else None)
    request.scope[ROLE] = p.role  # for the request's log line (api.observe): the role, never the name
    return p


def allow(*roles: str):
    """A dependency admitting only callers whose key has one of ``roles``."""

    def check(p: Principal = Depends(principal)) -> Principal:
        if p.role not in roles:
            raise PermissionDenied(
                f"the {p.role} role may not use this route", fix=f"use a key with role {' or '.join(roles)}"
            )
        return p

    check.roles = roles  # type: ignore[attr-defined]
    return Depends(check)


def roles_extra(*roles: str) -> dict:
    return {"x-roles": list(roles)}


def subject_access(c: Context, p: Principal, subject_id: str, *, what: str = "data") -> None:
    """Refuse unless ``p`` is the subject itself or the operator (who runs the bureau).

    Reading another subject's *score* under a grant goes through ``credence.services.access`` instead (see
    the scores route); everything else about a subject (events, explanation, history, disclosure) is the
    subject's alone.
    """
    if p.role == "operator" or (p.role == "subject" and p.name == subject_id):
        return
    if p.role == "subject":
        raise PermissionDenied(f"a subject sees only its own {what}", field="entity_id")
    raise PermissionDenied(f"the {p.role} role may not read an individual's {what}", field="entity_id")
