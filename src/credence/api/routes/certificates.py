"""Certificates: signed, expiring score statements anyone can verify offline with the bureau's JWKS."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from credence.api.auth import Principal
from credence.api.deps import Context, allow, ctx, roles_extra
from credence.api.errors import ERROR_RESPONSES
from credence.api.models import (
    Certificate,
    CertificateRow,
    CertifyIn,
    Jwks,
    Revocations,
    Verification,
    VerifyIn,
)
from credence.errors import NotFoundError, PermissionDenied, TokenError
from credence.services import certificates

router = APIRouter(tags=["certificates"], responses=ERROR_RESPONSES)
well_known = APIRouter(tags=["certificates"], responses=ERROR_RESPONSES)


@router.post("/certificates", response_model=Certificate, status_code=201, openapi_extra=roles_extra("subject"))
def certify(body: CertifyIn, c: Context = Depends(ctx), p: Principal = allow("subject")) -> dict:
    """Issue a certificate of your own score and band for one audience (only the subject certifies)."""
    return certificates.certify(c.ws, p.name, body.audience, ttl=body.ttl, requested_by=p.name)


@router.get("/certificates", response_model=list[CertificateRow], openapi_extra=roles_extra("subject", "operator"))
def list_certificates(
    subject_id: str | None = Query(None, max_length=200),
    c: Context = Depends(ctx),
    p: Principal = allow("subject", "operator"),
) -> list:
    """Certificates issued: a subject sees its own; the operator any subject's."""
    if p.role == "subject":
        if subject_id not in (None, p.name):
            raise PermissionDenied("a subject sees only its own certificates", field="subject_id")
        subject_id = p.name
    return certificates.list_certificates(c.ws, subject_id)


@router.post("/certificates/verify", response_model=Verification, openapi_extra=roles_extra("public"))
def verify(body: VerifyIn, c: Context = Depends(ctx)) -> dict:
    """Check a certificate's signature, expiry, audience and revocation, and say why it fails. Public: a
    verifier needs no key (and can do the same offline with the JWKS)."""
    try:
        claims = certificates.verify(
            body.token,
            certificates.jwks(c.ws),
            body.audience,
            certificates.revoked_ids(c.ws),
            issuer=certificates.issuer(c.ws),
        )
    except TokenError as e:
        return {"valid": False, "reason": str(e), "claims": None}
    return {"valid": True, "reason": None, "claims": claims}


@router.post(
    "/certificates/{certificate_id}/revoke",
    response_model=CertificateRow,
    openapi_extra=roles_extra("subject", "operator"),
)
def revoke(certificate_id: str, c: Context = Depends(ctx), p: Principal = allow("subject", "operator")) -> dict:
    """Revoke a certificate: its subject, or the operator."""
    owner = c.store.scalar("SELECT max(subject_id) FROM certificates WHERE certificate_id = ?", [certificate_id])
    if owner is None:
        raise NotFoundError(f"no certificate '{certificate_id}'", field="certificate_id")
    if p.role == "subject" and owner != p.name:
        raise PermissionDenied("a subject revokes only its own certificates", field="certificate_id")
    return certificates.revoke_certificate(c.ws, certificate_id, reason=f"revoked by {p.role} {p.name}")


@router.get("/certificates/revocations", response_model=Revocations, openapi_extra=roles_extra("public"))
def revocations(c: Context = Depends(ctx)) -> dict:
    """The revocation list: certificate ids only (they name no one)."""
    return certificates.revocation_list(c.ws)


@well_known.get("/.well-known/jwks.json", response_model=Jwks, openapi_extra=roles_extra("public"))
def jwks(c: Context = Depends(ctx)) -> dict:
    """The bureau's public signing keys (Ed25519, by key id)."""
    return certificates.jwks(c.ws)
