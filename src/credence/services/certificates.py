"""Certificates: a signed, expiring statement of an entity's score and band for one audience.

A certificate is a standard JWT signed with Ed25519 (``alg: EdDSA``), with the signing key's id in its
``kid`` header and the claims ``iss, sub, aud, score, band, as_of, iat, exp, jti``. Anyone verifies it
offline with the bureau's JWKS (``jwks``), which keeps every public key that ever signed -- rotation adds
a key and retires the old private key, so old certificates still verify until they expire. Revocations are
appended (``certificate_revocations``) and published as a list beside the JWKS.

Key files live in the workspace's ``keys_dir``: ``<kid>.private.pem`` (the active key only, mode 0600),
``<kid>.public.pem`` (every key), ``active`` (the active key id), and the published ``jwks.json`` and
``revoked.json``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from credence.clock import utcnow
from credence.errors import ConflictError, DataError, NotFoundError, PermissionDenied, TokenError, ValidationError
from credence.services.access import log_access
from credence.services.grants import moment, parse_until, require_entity
from credence.services.serving import score_at
from credence.services.webhooks import outbox
from credence.workspace import Workspace

ALGORITHM = "EdDSA"
DEFAULT_TTL = timedelta(days=7)
MAX_TTL = timedelta(days=365)
MAX_TOKEN = 8192  # a certificate is about 500 characters
REQUIRED_CLAIMS = ("iss", "sub", "aud", "score", "band", "as_of", "iat", "exp", "jti")


# ------------------------------------------------------------------------------------------ keys
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_jwk(public: Ed25519PublicKey) -> dict:
    """The JWK of an Ed25519 public key; its ``kid`` is the RFC 7638 thumbprint."""
    x = _b64(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    thumb = _b64(
        hashlib.sha256(
            json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"), sort_keys=True).encode()
        ).digest()
    )
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": thumb, "alg": ALGORITHM, "use": "sig"}


def _new_key(directory: Path) -> str:
    private = Ed25519PrivateKey.generate()
    kid = public_jwk(private.public_key())["kid"]
    directory.mkdir(parents=True, exist_ok=True)
    priv_path = directory / f"{kid}.private.pem"
    fd = os.open(priv_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(
            private.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    (directory / f"{kid}.public.pem").write_bytes(
        private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    (directory / "active").write_text(kid + "\n")
    return kid


def active_key_id(ws: Workspace) -> str:
    """The id of the signing key, creating the first key when there is none."""
    d = ws.keys.dir
    marker = d / "active"
    if marker.exists():
        kid = marker.read_text().strip()
        if (d / f"{kid}.private.pem").exists():
            return kid
    kid = _new_key(d)
    publish_jwks(ws)
    if not (d / "revoked.json").exists():
        publish_revocations(ws)  # verifiers always find a list, even an empty one
    return kid


def rotate_key(ws: Workspace) -> str:
    """Start signing with a new key; the old private key is deleted, its public key stays in the JWKS."""
    d = ws.keys.dir
    old = (d / "active").read_text().strip() if (d / "active").exists() else None
    kid = _new_key(d)
    if old and old != kid and (d / f"{old}.private.pem").exists():
        (d / f"{old}.private.pem").unlink()
    publish_jwks(ws)
    return kid


def _private_key(ws: Workspace, kid: str) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key((ws.keys.dir / f"{kid}.private.pem").read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    return key


def jwks(ws: Workspace) -> dict:
    """The JWKS document: every public key that signed (active first), and the issuer its certificates name."""
    d = ws.keys.dir
    if not d.exists() or not any(d.glob("*.public.pem")):
        active_key_id(ws)
    active = (d / "active").read_text().strip() if (d / "active").exists() else None
    keys = []
    for p in sorted(d.glob("*.public.pem"), key=lambda p: p.stat().st_mtime):
        pub = serialization.load_pem_public_key(p.read_bytes())
        if isinstance(pub, Ed25519PublicKey):
            keys.append(public_jwk(pub))
    keys.sort(key=lambda k: k["kid"] != active)
    return {"keys": keys, "issuer": issuer(ws)}  # RFC 7517 allows members beyond "keys": verifiers check iss


def publish_jwks(ws: Workspace) -> Path:
    path = ws.keys.dir / "jwks.json"
    path.write_text(json.dumps(jwks(ws), indent=2) + "\n")
    return path


# ------------------------------------------------------------------------------------------ issue / revoke
def certify(
    ws: Workspace,
    subject_id: str,
    audience: str,
    *,
    ttl: str | timedelta = DEFAULT_TTL,
    requested_by: str | None = None,
    at: datetime | None = None,
) -> dict:
    """Sign the subject's current score for ``audience``. Only the subject asks for its own certificate."""
    t = moment(at)
    audience = str(audience or "").strip()
    if not audience:
        raise ValidationError("a certificate needs an audience", field="audience", fix="say who will read it")
    if requested_by is not None and requested_by != subject_id:
        log_access(
            ws,
            subject_id,
            requested_by,
            "certificate",
            allowed=False,
            purpose=audience,
            detail="only the subject can certify its score",
            at=t,
        )
        raise PermissionDenied(
            f"'{requested_by}' may not certify the score of '{subject_id}'",
            field="requested_by",
            fix="the subject issues its own certificate and shares it",
        )
    require_entity(ws, subject_id)
    expires = parse_until(ttl, t, "ttl")
    if expires <= t or expires - t > MAX_TTL:
        raise ValidationError(
            f"a certificate must expire within {MAX_TTL.days} days after it is issued",
            field="ttl",
            fix="use e.g. --ttl 7d",
        )
    row = score_at(ws, subject_id, at)  # now: served from current_scores; a past time: computed online
    if row["score"] is None:
        raise DataError(
            f"'{subject_id}' has no score to certify: {row['band']}",
            fix="a certificate can be issued once there is enough data for a score",
        )
    kid = active_key_id(ws)
    cert_id = f"C-{uuid.uuid4().hex}"
    claims = {
        "iss": issuer(ws),
        "sub": subject_id,
        "aud": audience,
        "score": int(row["score"]),
        "band": row["band"],
        "as_of": row["as_of"].isoformat(timespec="seconds") + "Z",
        "iat": _epoch(t),
        "exp": _epoch(expires),
        "jti": cert_id,
    }
    token = jwt.encode(claims, _private_key(ws, kid), algorithm=ALGORITHM, headers={"kid": kid})
    with ws.store.transaction() as con:
        con.execute(
            "INSERT INTO certificates (certificate_id, subject_id, audience, score, band, as_of, issued_at, expires_at, key_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [cert_id, subject_id, audience, claims["score"], claims["band"], row["as_of"], t, expires, kid],
        )
        log_access(
            ws,
            subject_id,
            requested_by or subject_id,
            "certificate",
            allowed=True,
            purpose=audience,
            detail=f"{cert_id} for {audience}",
            at=t,
            con=con,
        )
    return {"certificate_id": cert_id, "token": token, "claims": claims, "key_id": kid, "expires_at": expires}


def issuer(ws: Workspace) -> str:
    return f"credence:{ws.config.get('name') or 'credence'}"


def _epoch(t: datetime) -> int:
    return int((t - datetime(1970, 1, 1)).total_seconds())


def revoke_certificate(
    ws: Workspace, certificate_id: str, *, reason: str | None = None, at: datetime | None = None
) -> dict:
    """Append a revocation and republish the revocation list."""
    t = moment(at)
    rows = ws.store.query("SELECT * FROM certificates WHERE certificate_id = ?", [certificate_id])
    if not rows:
        raise NotFoundError(f"no certificate '{certificate_id}'", field="certificate_id")
    if certificate_id in revoked_ids(ws):
        raise ConflictError(f"certificate {certificate_id} is already revoked")
    with ws.store.transaction() as con:
        con.execute(
            "INSERT INTO certificate_revocations (certificate_id, revoked_at, reason) VALUES (?, ?, ?)",
            [certificate_id, t, reason],
        )
        cert = rows[0]
        data = {k: cert[k] for k in ("certificate_id", "subject_id", "audience")} | {"revoked_at": t, "reason": reason}
        outbox.emit(con, "certificate.revoked", cert["subject_id"], data, at=t, partner_id=cert["audience"])
    publish_revocations(ws)
    return {**rows[0], "revoked_at": t, "reason": reason}


def revoked_ids(ws: Workspace) -> list[str]:
    return [
        r["certificate_id"]
        for r in ws.store.query("SELECT DISTINCT certificate_id FROM certificate_revocations ORDER BY certificate_id")
    ]


def revocation_list(ws: Workspace) -> dict:
    """The published revocation list: ids only (they name no one)."""
    rows = ws.store.query(
        "SELECT certificate_id, min(revoked_at) AS revoked_at FROM certificate_revocations "
        "GROUP BY certificate_id ORDER BY revoked_at, certificate_id"
    )
    return {
        "issuer": issuer(ws),
        "updated_at": utcnow().isoformat() + "Z",
        "revoked": [{"jti": r["certificate_id"], "revoked_at": r["revoked_at"].isoformat() + "Z"} for r in rows],
    }


def publish_revocations(ws: Workspace) -> Path:
    d = ws.keys.dir
    d.mkdir(parents=True, exist_ok=True)
    path = d / "revoked.json"
    path.write_text(json.dumps(revocation_list(ws), indent=2) + "\n")
    return path


def list_certificates(ws: Workspace, subject_id: str | None = None) -> list[dict]:
    sql = (
        "SELECT c.*, r.revoked_at FROM certificates c LEFT JOIN (SELECT certificate_id, min(revoked_at) AS "
        "revoked_at FROM certificate_revocations GROUP BY certificate_id) r USING (certificate_id)"
    )
    params: list = []
    if subject_id is not None:
        sql += " WHERE c.subject_id = ?"
        params.append(subject_id)
    return ws.store.query(sql + " ORDER BY c.issued_at", params)


# ------------------------------------------------------------------------------------------ verify
def load_jwks(path: str | Path) -> dict:
    p = Path(path)
    if not p.exists():
        raise ValidationError(f"JWKS file {p} does not exist", field="jwks")
    try:
        return json.loads(p.read_text())
    except json.JSONDecodeError as e:
        raise ValidationError(f"{p} is not JSON: {e}", field="jwks") from None


def load_revocations(path: str | Path) -> list[str]:
    """Revoked ids from a published ``revoked.json`` (or a plain JSON list of ids)."""
    p = Path(path)
    if not p.exists():
        raise ValidationError(f"revocation list {p} does not exist", field="revoked")
    try:
        raw = json.loads(p.read_text())
    except json.JSONDecodeError as e:
        raise ValidationError(f"{p} is not JSON: {e}", field="revoked") from None
    items = raw.get("revoked", []) if isinstance(raw, dict) else raw
    return [i["jti"] if isinstance(i, dict) else str(i) for i in items]


def document_issuer(doc: dict | list | None) -> str | None:
    """The issuer a published ``jwks.json`` or ``revoked.json`` names (None when it names none)."""
    return doc.get("issuer") if isinstance(doc, dict) and isinstance(doc.get("issuer"), str) else None


def revocation_issuer(path: str | Path) -> str | None:
    try:
        return document_issuer(json.loads(Path(path).read_text()))
    except (OSError, json.JSONDecodeError):
        return None


def verify(
    token: str,
    jwks: dict | str | jwt.PyJWKSet,
    audience: str | None = None,
    revoked_ids: list[str] | set[str] | None = None,
    *,
    issuer: str | None = None,
    leeway: int = 0,
) -> dict:
    """Verify a certificate offline; its claims, or ``TokenError`` saying why it fails.

    Checks, in order: well-formed, EdDSA, a known key id, the signature, expiry, the audience (when given),
    the issuer (when given), and the revocation list (when given).
    """
    token = str(token or "").strip()
    if len(token) > MAX_TOKEN:
        raise TokenError(f"not a certificate: {len(token)} characters (a certificate has well under {MAX_TOKEN})")
    try:
        header = jwt.get_unverified_header(token)
    except (jwt.InvalidTokenError, ValueError, TypeError) as e:
        raise TokenError(
            f"malformed token (damaged, truncated or not a certificate): {e}",
            fix="pass the whole certificate (three dot-separated parts)",
        ) from None
    if header.get("alg") != ALGORITHM:
        raise TokenError(f"wrong algorithm '{header.get('alg')}': Credence certificates are signed with EdDSA")
    if "crit" in header:
        raise TokenError(
            f"critical header extensions {header['crit']!r}: Credence certificates use none, so none is understood"
        )
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid or len(kid) > 200:
        raise TokenError(f"key id {kid!r} is not a key id: a Credence certificate names its key with a string")
    keyset = _keyset(jwks)
    try:
        key = keyset[kid]
    except KeyError:
        raise TokenError(
            f"unknown key id '{kid}': this certificate was not signed by any key in the JWKS",
            fix="fetch the bureau's current JWKS (/.well-known/jwks.json)",
        ) from None
    options = {"require": list(REQUIRED_CLAIMS), "verify_aud": audience is not None}
    try:
        claims = jwt.decode(
            token, key=key, algorithms=[ALGORITHM], audience=audience, issuer=issuer, options=options, leeway=leeway
        )
    except jwt.InvalidSignatureError:
        raise TokenError("bad signature: the certificate was tampered with or not signed by this bureau") from None
    except jwt.ExpiredSignatureError:
        exp = jwt.decode(token, options={"verify_signature": False}).get("exp")
        try:
            when = datetime(1970, 1, 1) + timedelta(seconds=int(exp)) if exp else None
        except (OverflowError, ValueError, TypeError):
            when = None
        raise TokenError(
            f"expired{f' at {when:%Y-%m-%d %H:%M:%S} UTC' if when else ''}", fix="ask the subject for a new certificate"
        ) from None
    except jwt.InvalidAudienceError:
        aud = jwt.decode(token, options={"verify_signature": False}).get("aud")
        raise TokenError(f"wrong audience: issued for '{aud}', not '{audience}'") from None
    except jwt.InvalidIssuerError:
        raise TokenError(f"wrong issuer: not issued by '{issuer}'") from None
    except jwt.ImmatureSignatureError:
        raise TokenError("not yet valid: issued in the future") from None
    except jwt.MissingRequiredClaimError as e:
        raise TokenError(f"not a Credence certificate: {e}") from None
    except (jwt.InvalidTokenError, ValueError, TypeError, OverflowError) as e:
        raise TokenError(f"invalid token: {e}") from None
    lifetime = claims["exp"] - claims["iat"] if all(type(claims[k]) is int for k in ("exp", "iat")) else None
    if lifetime is None or not 0 < lifetime <= MAX_TTL.total_seconds():
        raise TokenError(
            f"not a Credence certificate: it must expire within {MAX_TTL.days} days of being issued (iat, exp)"
        )
    if revoked_ids is not None and claims["jti"] in set(revoked_ids):
        raise TokenError(f"revoked: certificate {claims['jti']} is on the bureau's revocation list")
    return claims


def _keyset(jwks_doc: dict | str | jwt.PyJWKSet) -> dict[str, jwt.PyJWK]:
    if isinstance(jwks_doc, jwt.PyJWKSet):
        return {k.key_id: k for k in jwks_doc.keys}
    if isinstance(jwks_doc, str):
        jwks_doc = json.loads(jwks_doc)
    try:
        keyset = jwt.PyJWKSet.from_dict(jwks_doc)
    except (jwt.PyJWKSetError, jwt.InvalidKeyError, KeyError, TypeError) as e:
        raise TokenError(f"the JWKS is not usable: {e}") from None
    return {k.key_id: k for k in keyset.keys}
