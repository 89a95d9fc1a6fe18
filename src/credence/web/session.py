"""Browser sessions: a random token in an HttpOnly, SameSite=Strict cookie; the session itself on the server.

Signing in with an API key or a one-time code starts a server-side session (``credence.services.sessions``);
the cookie never holds the key. Signing out ends the session on the server, so a copied cookie stops working
too. Every form carries a CSRF token derived from the session token, checked on each POST.
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Request
from fastapi.responses import RedirectResponse

from credence.api.auth import Principal, authenticate
from credence.errors import AuthenticationError, PermissionDenied
from credence.services import sessions

COOKIE = "credence_session"


def current(request: Request) -> Principal | None:
    s = sessions.lookup(request.app.state.ctx.store, request.cookies.get(COOKIE))
    if s is None:
        return None
    return Principal(s.key_id or s.via, s.role, s.name)


def require(request: Request, *roles: str) -> Principal:
    p = current(request)
    if p is None:
        raise AuthenticationError("please sign in with your API key or sign-in code", field="key")
    if roles and p.role not in roles:
        raise PermissionDenied(f"this page is not for the {p.role} role", fix="sign in with another key")
    return p


def csrf_token(request: Request) -> str:
    token = request.cookies.get(COOKIE, "")
    return hmac.new(hashlib.sha256(token.encode()).digest(), b"credence-csrf", hashlib.sha256).hexdigest()[:32]


def check_csrf(request: Request, token: str | None) -> None:
    if not token or not hmac.compare_digest(token, csrf_token(request)):
        raise PermissionDenied("the form expired or came from another site", field="csrf", fix="reload the page")


def _start(request: Request, role: str, name: str, key_id: str | None, via: str, to: str) -> RedirectResponse:
    token = sessions.start_session(request.app.state.ctx.store, role, name, key_id=key_id, via=via)
    response = RedirectResponse(to, status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=int(sessions.SESSION_HOURS * 3600),
        path="/",
    )
    return response


def sign_in(request: Request, key: str, to: str) -> RedirectResponse:
    """Check an API key and start a session for its principal (the key itself is not kept)."""
    p = authenticate(request.app.state.ctx.store, key)
    return _start(request, p.role, p.name, p.key_id, "key", to)


def sign_in_with_code(request: Request, code: str, to: str) -> RedirectResponse:
    """Use a one-time sign-in code and start a session for the subject it was issued to."""
    role, name, code_id = sessions.redeem_code(request.app.state.ctx.store, code)
    return _start(request, role, name, None, f"code:{code_id}", to)


def sign_out(request: Request) -> RedirectResponse:
    sessions.end_session(request.app.state.ctx.store, request.cookies.get(COOKIE))
    response = RedirectResponse("/signin?signed_out=1", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
