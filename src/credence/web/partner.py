"""The partner's page: grants received (live, expiring, revoked), decisions made, certificate check, policies."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from credence.services.certificates import issuer, jwks, revoked_ids, verify
from credence.services.decisions import list_decisions
from credence.services.grants import list_grants, moment
from credence.web import session

router = APIRouter(include_in_schema=False)
EXPIRING = timedelta(days=7)


def partner_view(ws, partner_id: str) -> dict:
    now = moment()
    grants = list_grants(ws, viewer_id=partner_id, at=now)[::-1]
    for g in grants:
        if g["status"] == "live" and g["expires_at"] - now <= EXPIRING:
            g["status"] = "expiring"
    decisions = list_decisions(ws, partner_id=partner_id)[::-1]
    policies = [p for p in ws.policies.policies if p.applies_to_partner(partner_id)]
    tally = {s: sum(1 for g in grants if g["status"] == s) for s in ("live", "expiring", "revoked", "expired")}
    outcomes: dict[str, int] = {}
    for d in decisions:
        outcomes[d["outcome"]] = outcomes.get(d["outcome"], 0) + 1
    return {"grants": grants, "tally": tally, "decisions": decisions[:200], "outcomes": outcomes, "policies": policies}


@router.get("/partner")
def partner_page(request: Request) -> Response:
    from credence.web.pages import render

    p = session.require(request, "partner")
    return render(request, "partner.html", principal=p, **partner_view(request.app.state.ctx.ws, p.name))


@router.post("/partner/verify")
def verify_certificate(
    request: Request, token: str = Form(""), audience: str = Form(""), csrf: str = Form("")
) -> Response:
    """Check a pasted certificate as the public verification route does, and show why it fails."""
    from credence.errors import CredenceError
    from credence.web.pages import render

    p = session.require(request, "partner")
    session.check_csrf(request, csrf)
    ws = request.app.state.ctx.ws
    try:
        claims = verify(token[:20_000], jwks(ws), audience.strip() or None, revoked_ids(ws), issuer=issuer(ws))
        result = {"valid": True, "claims": claims}
    except CredenceError as e:
        result = {"valid": False, "reason": str(e)}
    return render(request, "partner.html", principal=p, check=result, audience=audience, **partner_view(ws, p.name))
