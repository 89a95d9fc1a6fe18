"""The portal's pages: sign-in, the subject's own page, the operator console; forms post back here.

Pages call the same services as the JSON API and apply the same rules: a subject sees and acts on itself
only; the operator sees any subject (read-only) and the console; an auditor sees the console's aggregates.
"""

from __future__ import annotations

from importlib import resources
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from credence.api.deps import subject_access
from credence.domain.bands import BAND_ORDER, band_of
from credence.errors import AuthenticationError
from credence.web import session
from credence.web.charts import BAND_CLASS

router = APIRouter(include_in_schema=False)
_files = resources.files("credence.web")
templates = Jinja2Templates(directory=str(_files / "templates"))
templates.env.globals.update(band_class=BAND_CLASS, band_order=BAND_ORDER, band_of=band_of)
templates.env.filters.update(
    num=lambda n: f"{n:,}" if isinstance(n, int | float) else n,
    day=lambda v: str(v or "")[:10],
    when=lambda v: str(v or "").replace("T", " ")[:16],
    words=lambda v: (lambda t: t[:1].upper() + t[1:])(
        str(v or "").replace("_", " ").replace("-", " ").replace(":", ": ")
    ),
)
DONE = {
    "dispute": "Dispute opened. The event no longer counts while the provider answers (30 days at most).",
    "grant": "Grant given.",
    "revoke": "Grant revoked. It stopped working at once.",
}
HOME = {"subject": "/me", "operator": "/console", "auditor": "/audit", "partner": "/partner"}


def render(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    p = context.pop("principal", None) or session.current(request)
    context |= {"principal": p, "csrf": session.csrf_token(request) if p else ""}
    return templates.TemplateResponse(request, name, context, status_code=status)


def render_error(request: Request, body: dict) -> Response:
    if body["status"] == 401 and request.method == "GET":
        return RedirectResponse(f"/signin?next={quote(request.url.path)}", status_code=303)
    return render(request, "error.html", status=body["status"], error=body)


@router.get("/")
def home(request: Request) -> Response:
    p = session.current(request)
    if p is None:
        return RedirectResponse("/signin", status_code=303)
    return RedirectResponse(HOME.get(p.role, "/account"), status_code=303)


def _next(to: str | None) -> str:
    return to if to and to.startswith("/") and not to.startswith("//") else "/"


@router.get("/signin")
def signin_page(request: Request, next: str = "/", code: str = "", signed_out: int = 0) -> Response:
    notice = "You are signed out; the session has ended on the server too." if signed_out else None
    return render(request, "signin.html", next=_next(next), code=code[:40], notice=notice)


@router.get("/signin/link")
def signin_link(request: Request, code: str = "") -> Response:
    """The page a one-time link opens: the code is used only when the person presses the button."""
    return render(request, "signin.html", next="/", code=code[:40], link=True)


@router.post("/signin")
def signin(request: Request, key: str = Form(""), next: str = Form("/")) -> Response:
    try:
        return session.sign_in(request, key.strip(), _next(next))
    except AuthenticationError:
        return render(
            request,
            "signin.html",
            status=401,
            next=_next(next),
            message="That key is unknown or revoked. Paste the whole key, starting with cred_.",
        )


@router.post("/signin/code")
def signin_code(request: Request, code: str = Form(""), next: str = Form("/")) -> Response:
    try:
        return session.sign_in_with_code(request, code, _next(next))
    except AuthenticationError:
        return render(
            request,
            "signin.html",
            status=401,
            next=_next(next),
            code=code[:40],
            code_message="That code is unknown, already used or expired. Ask the bureau for a new one.",
        )


@router.post("/signout")
def signout(request: Request) -> Response:
    return session.sign_out(request)


@router.get("/favicon.ico")
def favicon() -> Response:
    return Response((_files / "static" / "favicon.svg").read_bytes(), media_type="image/svg+xml")


@router.get("/account")
def account(request: Request) -> Response:
    return render(request, "account.html", principal=session.require(request))


@router.get("/me")
def me(request: Request) -> Response:
    p = session.require(request, "subject")
    return RedirectResponse(f"/subjects/{quote(p.name)}", status_code=303)


@router.get("/subjects/{entity_id}")
def subject_page(
    request: Request, entity_id: str, done: str | None = None, was: int | None = None, sim: list[str] = Query([])
) -> Response:
    from credence.web.subject import subject_view

    p = session.require(request, "subject", "operator")
    c = request.app.state.ctx
    subject_access(c, p, entity_id, what="page")
    view = subject_view(c, entity_id, chosen=sim[:8])
    notice = DONE.get(done or "")
    if notice and was is not None:
        now = view["score"]["score"]
        if now is not None and now != was:
            notice += f" Your score changed from {was} to {now}."
        elif now == was:
            notice += f" Your score stays {now}."
    return render(request, "subject.html", principal=p, own=p.role == "subject", notice=notice, **view)


def _own(request: Request, entity_id: str, csrf: str | None):
    p = session.require(request, "subject")
    session.check_csrf(request, csrf)
    subject_access(request.app.state.ctx, p, entity_id, what="page")
    return p, request.app.state.ctx


def _score_now(c, entity_id: str) -> int | None:
    from credence.services.serving import current_score

    return current_score(c.ws, entity_id)["score"]


def _back(entity_id: str, done: str, was: int | None) -> RedirectResponse:
    query = f"done={done}" + (f"&was={was}" if was is not None else "")
    return RedirectResponse(f"/subjects/{quote(entity_id)}?{query}#notice", status_code=303)


@router.post("/subjects/{entity_id}/disputes")
def dispute(
    request: Request,
    entity_id: str,
    provider_id: str = Form(...),
    event_id: str = Form(...),
    reason: str = Form(""),
    note: str = Form(""),
    csrf: str = Form(""),
) -> Response:
    from credence.errors import ValidationError
    from credence.services.disputes import open_dispute
    from credence.web.subject import DISPUTE_REASONS

    p, c = _own(request, entity_id, csrf)
    words = dict(DISPUTE_REASONS).get(reason)
    note = note.strip()[:1000]
    if words is None or (reason == "other" and not note):
        raise ValidationError(
            "say why you dispute this event: pick a reason, or pick 'another reason' and write it",
            field="reason",
            fix="go back and choose a reason",
        )
    was = _score_now(c, entity_id)
    text = words if reason != "other" else note
    if note and reason != "other":
        text += f": {note}"
    open_dispute(c.ws, p.name, provider_id, event_id, note=text)
    return _back(entity_id, "dispute", was)


@router.post("/subjects/{entity_id}/grants")
def give_grant(
    request: Request,
    entity_id: str,
    viewer_id: str = Form(...),
    scope: str = Form("score"),
    purpose: str = Form(...),
    until: str = Form("30d"),
    csrf: str = Form(""),
) -> Response:
    from credence.services.grants import grant

    p, c = _own(request, entity_id, csrf)
    grant(c.ws, p.name, viewer_id.strip(), scope, purpose, until)
    return _back(entity_id, "grant", None)


@router.post("/subjects/{entity_id}/grants/{grant_id}/revoke")
def revoke_grant(request: Request, entity_id: str, grant_id: str, csrf: str = Form("")) -> Response:
    from credence.services.grants import get_grant, revoke

    p, c = _own(request, entity_id, csrf)
    if get_grant(c.ws, grant_id)["subject_id"] != p.name:
        from credence.errors import PermissionDenied

        raise PermissionDenied("only the subject who gave a grant can revoke it here", field="grant_id")
    revoke(c.ws, grant_id, revoked_by=p.name, by_role=p.role)
    return _back(entity_id, "revoke", None)


@router.get("/subjects/{entity_id}/disclosure")
def disclosure_page(request: Request, entity_id: str) -> Response:
    """The disclosure report inside the portal's layout (the packaged stylesheet; no inline style)."""
    from credence.services.disclosure import disclosure
    from credence.web.subject import event_name

    p = session.require(request, "subject", "operator")
    c = request.app.state.ctx
    subject_access(c, p, entity_id, what="disclosure")
    report = disclosure(c.ws, entity_id, requested_by=entity_id if p.role == "subject" else f"operator:{p.name}")
    types = {(e["provider_id"], e["event_id"]): e["type"] for e in report["events"]}
    for d in report["disputes"]:
        d["event_name"] = event_name(types.get((d["provider_id"], d["event_id"]), d["event_id"]))
    return render(request, "disclosure.html", principal=p, own=p.role == "subject", r=report)


@router.get("/console")
def console(
    request: Request,
    policy: str | None = None,
    threshold: int | None = None,
    q: str = "",
    band: str = "",
    low: str = "",
    high: str = "",
) -> Response:
    from credence.web.console import console_view, search

    p = session.require(request, "operator")
    c = request.app.state.ctx
    view = console_view(c, policy_id=policy, threshold=threshold, operator=True)
    asked = q or band or low or high
    found = search(c, q=q, band=band, low=_int(low), high=_int(high)) if asked else None
    return render(request, "console.html", principal=p, found=found, **view)


def _int(text: str) -> int | None:
    text = (text or "").strip()
    return max(0, min(10_000, int(text))) if text.lstrip("-").isdigit() else None


CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"
_HEADERS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"))


class SecurityHeaders:
    """Pure ASGI middleware: the content security policy (not on /docs and /openapi.json), nosniff and the
    referrer policy on every response, unless the response set them itself."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = not scope["path"].startswith(("/docs", "/openapi.json"))

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                if csp and b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", CSP.encode()))
                headers += [(name, value) for name, value in _HEADERS if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def install(app: FastAPI) -> None:
    from credence.web import audit, partner

    app.state.render_error = render_error
    app.mount("/static", StaticFiles(directory=str(_files / "static")), name="static")
    app.include_router(router)
    app.include_router(partner.router)
    app.include_router(audit.router)
    app.add_middleware(SecurityHeaders)
