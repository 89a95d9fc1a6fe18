"""Certificates: EdDSA JWTs that verify offline with only the JWKS, and fail verify with the reason."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import jwt
import pytest

from credence.errors import DataError, PermissionDenied, TokenError
from credence.services.access import access_log
from credence.services.certificates import (
    certify,
    jwks,
    load_revocations,
    revoke_certificate,
    revoked_ids,
    rotate_key,
    verify,
)
from tests.builder import NOW


def _tamper(token: str, **claims) -> str:
    head, body, sig = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload.update(claims)
    body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{head}.{body}.{sig}"


def test_a_good_certificate_verifies_with_plain_pyjwt_given_only_the_jwks(ws):
    cert = certify(ws, "P1", "landlord-xyz")
    doc = json.loads(ws.keys.jwks.read_text())  # what the bureau publishes
    assert doc == jwks(ws)
    assert all("d" not in k for k in doc["keys"])  # no private material
    token = cert["token"]
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWKSet.from_dict(doc)[kid]
    claims = jwt.decode(token, key=key, algorithms=["EdDSA"], audience="landlord-xyz")
    assert claims["sub"] == "P1" and claims["aud"] == "landlord-xyz" and claims["jti"] == cert["certificate_id"]
    assert claims["score"] == cert["claims"]["score"] and claims["band"] == cert["claims"]["band"]
    assert {"as_of", "iat", "exp", "iss"} <= set(claims)
    assert jwt.get_unverified_header(token)["alg"] == "EdDSA"
    # and with a single PyJWK too, and with Credence's own verify
    assert (
        jwt.decode(token, key=jwt.PyJWK(doc["keys"][0]), algorithms=["EdDSA"], audience="landlord-xyz")["sub"] == "P1"
    )
    assert verify(token, doc, audience="landlord-xyz", revoked_ids=revoked_ids(ws))["sub"] == "P1"
    entry = access_log(ws, "P1")[-1]
    assert (entry["action"], entry["purpose"]) == ("certificate", "landlord-xyz")


def test_a_tampered_certificate_fails_with_bad_signature(ws):
    token = certify(ws, "P1", "hotel")["token"]
    forged = _tamper(token, score=950)
    with pytest.raises(TokenError, match="bad signature: the certificate was tampered with"):
        verify(forged, jwks(ws), audience="hotel")
    with pytest.raises(jwt.InvalidSignatureError):  # a standard library agrees
        jwt.decode(forged, key=jwt.PyJWKSet.from_dict(jwks(ws)).keys[0], algorithms=["EdDSA"], audience="hotel")


def test_an_expired_certificate_fails_with_expired(ws):
    token = certify(ws, "P1", "hotel", ttl="1d", at=NOW - timedelta(days=3))["token"]
    with pytest.raises(TokenError, match="^expired at"):
        verify(token, jwks(ws), audience="hotel")


def test_a_wrong_audience_fails_naming_both(ws):
    token = certify(ws, "P1", "hotel")["token"]
    with pytest.raises(TokenError, match="wrong audience: issued for 'hotel', not 'lender'"):
        verify(token, jwks(ws), audience="lender")
    assert verify(token, jwks(ws))["aud"] == "hotel"  # audience not checked when not given


def test_a_revoked_certificate_fails_with_revoked_and_the_list_is_published(ws):
    cert = certify(ws, "P1", "hotel")
    revoke_certificate(ws, cert["certificate_id"], reason="shared by mistake")
    published = load_revocations(ws.keys.revocations)
    assert published == [cert["certificate_id"]]
    with pytest.raises(TokenError, match="revoked"):
        verify(cert["token"], jwks(ws), audience="hotel", revoked_ids=published)
    assert ws.store.count("certificates") == 1 and ws.store.count("certificate_revocations") == 1


def test_rotation_keeps_old_keys_verifying_and_an_unknown_kid_fails(ws):
    old = certify(ws, "P1", "hotel")
    old_kid = old["key_id"]
    new_kid = rotate_key(ws)
    assert new_kid != old_kid
    assert not (ws.keys.dir / f"{old_kid}.private.pem").exists()  # the retired private key is gone
    doc = jwks(ws)
    assert [k["kid"] for k in doc["keys"]] == [new_kid, old_kid]
    new = certify(ws, "P1", "hotel")
    assert new["key_id"] == new_kid and jwt.get_unverified_header(new["token"])["kid"] == new_kid
    assert verify(old["token"], doc, audience="hotel")["jti"] == old["certificate_id"]
    assert verify(new["token"], doc, audience="hotel")["jti"] == new["certificate_id"]
    only_new = {"keys": [k for k in doc["keys"] if k["kid"] == new_kid]}
    with pytest.raises(TokenError, match=f"unknown key id '{old_kid}'"):
        verify(old["token"], only_new, audience="hotel")


def test_garbage_and_other_algorithms_are_refused(ws):
    with pytest.raises(TokenError, match="malformed"):
        verify("not-a-token", jwks(ws))
    hs = jwt.encode({"sub": "P1"}, "secret-key-long-enough-for-hs256!", algorithm="HS256")
    with pytest.raises(TokenError, match="wrong algorithm 'HS256'"):
        verify(hs, jwks(ws))


def test_only_the_subject_certifies_and_only_a_real_score(ws):
    with pytest.raises(PermissionDenied):
        certify(ws, "P1", "hotel", requested_by="P2")
    assert access_log(ws, "P1")[-1]["allowed"] is False
    with pytest.raises(DataError, match="no score to certify"):
        certify(ws, "P3", "hotel")
