"""Finding 5 and the bad-input corpus against a real server (uvicorn, keep-alive): oversized durations, odd
certificate headers, extreme times, huge and NUL-laden ids and numbers. No 5xx, ever, and the connection stays
usable (schemathesis in tests/api fuzzes the schema; these are the cases the attack found)."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from credence.app import create_app
from tests.conftest import Served

HUGE = "99999999999y"


def _b64(d: dict | list) -> str:
    return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()


def _token(header) -> str:
    return f"{_b64(header)}.{_b64({'sub': 'P1'})}.{'A' * 86}"


def cases(now: str) -> list[tuple[str, str, str, dict]]:
    """(key role, method, url, request kwargs)"""
    big = "x" * 100_000
    return [
        ("subject", "POST", "/v1/grants", {"json": {"viewer_id": "citybike", "purpose": "bike rental", "until": HUGE}}),
        (
            "subject",
            "POST",
            "/v1/grants",
            {"json": {"viewer_id": "citybike", "purpose": "bike rental", "until": "9999-12-31"}},
        ),
        ("subject", "POST", "/v1/grants", {"json": {"viewer_id": "citybike\x00", "purpose": "bike rental"}}),
        ("subject", "POST", "/v1/certificates", {"json": {"audience": "hotel", "ttl": HUGE}}),
        ("subject", "POST", "/v1/certificates", {"json": {"audience": "hotel", "ttl": "-5d"}}),
        (
            None,
            "POST",
            "/v1/certificates/verify",
            {"json": {"token": _token({"alg": "EdDSA", "kid": "k", "crit": ["exp"]})}},
        ),
        (None, "POST", "/v1/certificates/verify", {"json": {"token": _token({"alg": "EdDSA", "kid": 12345})}}),
        (None, "POST", "/v1/certificates/verify", {"json": {"token": _token({"alg": "EdDSA", "kid": {"a": [1]}})}}),
        (None, "POST", "/v1/certificates/verify", {"json": {"token": _token([1, 2, 3])}}),
        (None, "POST", "/v1/certificates/verify", {"json": {"token": "a.b.c", "audience": big[:1000]}}),
        ("operator", "POST", "/v1/scores/run", {"json": {"as_of": "0001-01-01T00:00:00Z"}}),
        ("operator", "POST", "/v1/scores/run", {"json": {"as_of": "9999-12-31T23:59:59Z"}}),
        ("operator", "GET", f"/v1/scores/{'P' * 5000}", {}),
        ("operator", "GET", "/v1/scores/P1%00P2", {}),
        ("operator", "GET", "/v1/scores/P1/explanation", {"params": {"as_of": "9999-12-31"}}),
        ("operator", "GET", "/v1/scores/P1/explanation", {"params": {"as_of": "0001-01-01"}}),
        ("partner", "GET", "/v1/scores/P1", {"params": {"purpose": "\x00" * 50}}),
        ("provider", "POST", "/v1/events", {"json": {"records": [{"event_id": big, "provider_id": "utilitel"}]}}),
        (
            "provider",
            "POST",
            "/v1/events",
            {
                "json": {
                    "records": [
                        {
                            "provider_id": "utilitel",
                            "event_id": "e\x00",
                            "entity_id": "P1",
                            "occurred_at": now,
                            "type": "rent_paid_on_time",
                            "amount": 1.7e308,
                        }
                    ]
                }
            },
        ),
        ("operator", "POST", "/v1/entities", {"json": {"records": [{"entity_id": "E\x00", "kind": "person"}]}}),
        ("operator", "POST", "/v1/keys", {"json": {"role": "partner", "name": "P1"}}),
        ("operator", "POST", "/v1/keys", {"json": {"role": "partner", "name": "x\x00y"}}),
        ("subject", "POST", "/v1/disputes", {"json": {"provider_id": "utilitel", "event_id": big[:5000], "note": big}}),
    ]


@pytest.fixture(scope="module")
def served(api_ws):
    app = create_app(api_ws["root"])
    with Served(app) as srv:
        yield srv
    app.state.ctx.ws.close()


def test_no_5xx_and_the_connection_stays_usable(served, api_ws):
    keys = api_ws["keys"]
    failures = []
    with httpx.Client(base_url=served.url, timeout=60) as client:
        for role, method, url, kw in cases(api_ws["now"].isoformat()):
            headers = {"Authorization": f"Bearer {keys[role]}"} if role else {}
            r = client.request(method, url, headers=headers, **kw)
            if r.status_code >= 500:
                failures.append(f"{method} {url[:60]} -> {r.status_code} {r.text[:200]}")
            else:
                assert r.json().get("ok", True) in (True, False)  # always JSON, in the one error shape
            assert client.get("/v1/health").status_code == 200  # the keep-alive connection still serves
    assert not failures, "\n".join(failures)
