"""Findings 5 and 6: certificate forgeries fail with a reason (never a 500, never a traceback), on the API and
in `credence verify`, and the CLI checks the issuer like the API does."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from typer.testing import CliRunner

import credence.cli  # noqa: F401  registers every command
from credence.cli.app import app
from credence.errors import CredenceError, TokenError
from credence.services.certificates import _private_key, active_key_id, certify, issuer, jwks, verify

runner = CliRunner()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(ws, **over) -> dict:
    now = int(time.time())
    base = {
        "iss": issuer(ws),
        "sub": "P1",
        "aud": "hotel",
        "score": 900,
        "band": "extraordinary",
        "as_of": "2026-01-01T00:00:00Z",
        "iat": now,
        "exp": now + 3600,
        "jti": "C-forged",
    }
    return {k: v for k, v in (base | over).items() if v is not ...}


def _signed(ws, claims: dict, **headers) -> str:
    """A token signed with the bureau's own key (the worst case: the key is right, something else is not)."""
    kid = active_key_id(ws)
    return jwt.encode(claims, _private_key(ws, kid), algorithm="EdDSA", headers={"kid": kid, **headers})


def _raw(header: dict, claims: dict, sig: bytes = b"x" * 64) -> str:
    return ".".join([_b64(json.dumps(header).encode()), _b64(json.dumps(claims).encode()), _b64(sig)])


def _hs256(claims: dict, secret: str, kid: str) -> str:
    """HS256 keyed with the public JWK (the classic algorithm confusion); PyJWT refuses to make one."""
    signing = ".".join([_b64(json.dumps({"alg": "HS256", "kid": kid}).encode()), _b64(json.dumps(claims).encode())])
    return signing + "." + _b64(hmac.new(secret.encode(), signing.encode(), hashlib.sha256).digest())


def forgeries(ws) -> dict[str, str]:
    kid = active_key_id(ws)
    good = certify(ws, "P1", "hotel")["token"]
    head, body, sig = good.split(".")
    pub = json.dumps(jwks(ws)["keys"][0])
    return {
        "other issuer": _signed(ws, _claims(ws, iss="credence:evil-bureau")),
        "no issuer": _signed(ws, _claims(ws, iss=...)),
        "crit header": _signed(ws, _claims(ws), crit=["exp"]),
        "crit unknown": _signed(ws, _claims(ws), crit=["x-credence-override"], **{"x-credence-override": True}),
        "kid integer": _raw({"alg": "EdDSA", "kid": 7, "typ": "JWT"}, _claims(ws)),
        "kid list": _raw({"alg": "EdDSA", "kid": [kid], "typ": "JWT"}, _claims(ws)),
        "kid object": _raw({"alg": "EdDSA", "kid": {"k": kid}, "typ": "JWT"}, _claims(ws)),
        "kid null": _raw({"alg": "EdDSA", "kid": None}, _claims(ws)),
        "kid huge": _raw({"alg": "EdDSA", "kid": "k" * 100_000}, _claims(ws)),
        "alg none": _raw({"alg": "none", "kid": kid}, _claims(ws), b""),
        "alg HS256 with the public key": _hs256(_claims(ws), pub, kid),
        "header not an object": ".".join([_b64(b"[1,2]"), body, sig]),
        "header not JSON": ".".join([_b64(b"{nope"), body, sig]),
        "claims not JSON": ".".join([head, _b64(b"{nope"), sig]),
        "tampered score": ".".join([head, _b64(json.dumps(_claims(ws, score=950)).encode()), sig]),
        "exp huge": _signed(ws, _claims(ws, exp=10**30)),
        "exp negative huge": _signed(ws, _claims(ws, exp=-(10**30))),
        "exp a string": _signed(ws, _claims(ws, exp="tomorrow")),
        "missing jti": _signed(ws, _claims(ws, jti=...)),
        "two parts": f"{head}.{body}",
        "empty": "",
        "oversized": "a" * 100_000,
        "nul bytes": good[:20] + "\x00" + good[20:],
    }


def test_every_forgery_fails_verify_with_a_token_error(ws):
    doc = jwks(ws)
    for name, token in forgeries(ws).items():
        with pytest.raises(TokenError):
            verify(token, doc, audience="hotel", issuer=issuer(ws))
            pytest.fail(f"forgery accepted: {name}")


def test_the_api_says_invalid_never_500(api, api_ws):
    ws = api.app.state.ctx.ws
    for name, token in forgeries(ws).items():
        r = api.post("/v1/certificates/verify", json={"token": token, "audience": "hotel"})
        assert r.status_code in (200, 400, 422), (name, r.status_code, r.text[:300])
        if r.status_code == 200:
            assert r.json()["valid"] is False, name


def test_cli_verify_checks_the_issuer_and_never_prints_a_traceback(ws, tmp_path):
    published = ws.keys.dir / "jwks.json"
    jwks(ws)
    published.write_text(json.dumps(jwks(ws)))
    for name, token in forgeries(ws).items():
        f = tmp_path / "token"
        f.write_text(token)
        for where in (["-w", str(ws.root)], ["--jwks", str(published)]):  # the workspace's issuer, the JWKS's
            out = runner.invoke(app, ["verify", f"@{f}", "--audience", "hotel", *where])
            assert out.exit_code != 0, (name, where, out.output)
            assert out.exception is None or isinstance(out.exception, (SystemExit, CredenceError)), (
                name,
                repr(out.exception),
            )
            assert "Traceback" not in out.output
    good = tmp_path / "good"
    good.write_text(certify(ws, "P1", "hotel")["token"])
    out = runner.invoke(app, ["verify", f"@{good}", "--jwks", str(published), "--audience", "hotel"])
    assert out.exit_code == 0 and "issuer" in out.output, out.output
    out = runner.invoke(app, ["verify", f"@{good}", "--jwks", str(published), "--issuer", "credence:other"])
    assert out.exit_code != 0 and isinstance(out.exception, TokenError) and "wrong issuer" in str(out.exception)
