"""Browser sessions: the API key, pasted once, kept in an HttpOnly, SameSite=Strict cookie.

Every form carries a CSRF token derived from the key's hash, checked on each POST.
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Request
from fastapi.responses import RedirectResponse

from credence.api.auth import Principal, authenticate, hash_key
from credence.errors import AuthenticationError, PermissionDenied

COOKIE = "credence_session"


def current(request: Request) -> Principal | None:
    key = request.cookies.get(COOKIE)
    if not key:
        return None
    try:
        return authenticate(request.app.state.ctx.store, key)
    except AuthenticationError:
        return None


def require(request: Request, *roles: str) -> Principal:
    p = current(request)
    if p is None:
        raise AuthenticationError("please sign in with your API key", field="key")
    if roles and p.role not in roles:
        raise PermissionDenied(f"this page is not for the {p.role} role", fix="sign in with another key")
    return p


def csrf_token(request: Request) -> str:
    key = request.cookies.get(COOKIE, "")
    return hmac.new(hash_key(key).encode(), b"credence-csrf", hashlib.sha256).hexdigest()[:32]


def check_csrf(request: Request, token: str | None) -> None:
    if not token or not hmac.compare_digest(token, csrf_token(request)):
        raise PermissionDenied("the form expired or came from another site", field="csrf", fix="reload the page")


def sign_in(request: Request, key: str, to: str) -> RedirectResponse:
    authenticate(request.app.state.ctx.store, key)
    response = RedirectResponse(to, status_code=303)
    response.set_cookie(
        COOKIE, key, httponly=True, samesite="strict", secure=request.url.scheme == "https", max_age=8 * 3600, path="/"
    )
    return response


def sign_out() -> RedirectResponse:
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
