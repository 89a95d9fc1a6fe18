"""Bureau administration: who am I, API keys, providers, quarantine (operator), and a health check."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from credence.api import auth
from credence.api.auth import Principal
from credence.api.deps import Context, allow, ctx, principal, roles_extra
from credence.api.errors import ERROR_RESPONSES
from credence.api.models import (
    Health,
    IngestReport,
    KeyIn,
    KeyOut,
    Me,
    NewKey,
    Provider,
    ProviderBatch,
    QuarantinePage,
    SessionsRevoked,
    SigninCode,
    SigninCodeIn,
)
from credence.services import ingest

router = APIRouter(tags=["admin"], responses=ERROR_RESPONSES)
ALL = auth.ROLES


@router.get("/health", response_model=Health, openapi_extra=roles_extra("public"))
def health(c: Context = Depends(ctx)) -> dict:
    return {"ok": True, "workspace": c.ws.config.get("name", "credence"), "schema_version": c.store.schema_version()}


@router.get("/me", response_model=Me, openapi_extra=roles_extra(*ALL))
def me(p: Principal = Depends(principal)) -> dict:
    """The principal behind the key you sent."""
    return p.to_dict()


@router.post("/keys", response_model=NewKey, status_code=201, openapi_extra=roles_extra("operator"))
def create_key(body: KeyIn, c: Context = Depends(ctx), p: Principal = allow("operator")) -> dict:
    key_id, secret = auth.create_key(c.store, body.role, body.name)
    return {"key_id": key_id, "role": body.role, "name": body.name.strip(), "secret": secret}


@router.get("/keys", response_model=list[KeyOut], openapi_extra=roles_extra("operator"))
def list_keys(c: Context = Depends(ctx), p: Principal = allow("operator")) -> list:
    return auth.list_keys(c.store)


@router.post("/keys/{key_id}/revoke", response_model=KeyOut, openapi_extra=roles_extra("operator"))
def revoke_key(key_id: str, c: Context = Depends(ctx), p: Principal = allow("operator")) -> dict:
    return auth.revoke_key(c.store, key_id)


@router.get("/providers", response_model=list[Provider], openapi_extra=roles_extra(*ALL))
def list_providers(c: Context = Depends(ctx), p: Principal = Depends(principal)) -> list:
    """Licensed providers and their categories (public knowledge within the bureau)."""
    return c.store.query(
        "SELECT provider_id, arg_max(name, registered_at) AS name, arg_max(categories, registered_at) AS categories, "
        "max(registered_at) AS registered_at FROM providers GROUP BY provider_id ORDER BY provider_id"
    )


@router.post("/providers", response_model=IngestReport, openapi_extra=roles_extra("operator"))
def register_providers(body: ProviderBatch, c: Context = Depends(ctx), p: Principal = allow("operator")) -> dict:
    return ingest.ingest_records(
        c.store, body.records, kind="providers", source="api", submitted_by=p.name, catalogue=c.catalogue
    ).to_dict()


@router.get("/quarantine", response_model=QuarantinePage, openapi_extra=roles_extra("operator"))
def quarantine(
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10**9),
    c: Context = Depends(ctx),
    p: Principal = allow("operator"),
) -> dict:
    """Records refused at ingest, newest first, each with the field and the reason."""
    total = c.store.scalar("SELECT count(*) FROM quarantine")
    rows = c.store.query(
        "SELECT * FROM quarantine ORDER BY quarantined_at DESC, record_no LIMIT ? OFFSET ?", [limit, offset]
    )
    return {"total": total, "limit": limit, "offset": offset, "rows": rows}


@router.post("/signin-codes", response_model=SigninCode, status_code=201, openapi_extra=roles_extra("operator"))
def issue_signin_code(
    body: SigninCodeIn, request: Request, c: Context = Depends(ctx), p: Principal = allow("operator")
) -> dict:
    """A one-time portal sign-in code for a subject; it starts a revocable, expiring session."""
    from urllib.parse import quote

    from credence.services.sessions import issue_code

    out = issue_code(c.store, body.subject_id, issued_by=f"operator:{p.name}", minutes=body.minutes)
    return out | {"link": str(request.base_url).rstrip("/") + f"/signin/link?code={quote(out['code'])}"}


@router.post("/sessions/revoke", response_model=SessionsRevoked, openapi_extra=roles_extra("operator"))
def revoke_sessions(body: KeyIn, c: Context = Depends(ctx), p: Principal = allow("operator")) -> dict:
    """End every live portal session of a principal (role, name) at once."""
    from credence.services.sessions import revoke_sessions as end_all

    return {
        "role": body.role,
        "name": body.name,
        "ended": end_all(c.store, body.role, body.name, by=f"operator:{p.name}"),
    }
