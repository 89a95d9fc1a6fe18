"""Authorization matrix: every role (and no key) against every route, on its own objects and on others'.

Rules checked: without a key every non-public route is 401; a role the route does not admit gets 403; an
admitted role acting on its own object is let through; an admitted role acting on another subject's object
(another subject's score, events, grants, certificates; a provider's dispute about another provider's event;
a partner without a grant) gets 403. The table must name every route of the app, so a new route without a
row here fails the test.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.routing import iter_route_contexts

from credence.api.auth import ROLES, create_key
from credence.services import grants, serving

KEY_OF = {
    "operator": "operator",
    "auditor": "auditor",
    "partner": "partner",
    "provider": "provider",
    "subject": "subject",
}
# The principal's own objects, and someone else's: subject P1 / partner citybike / provider utilitel.
OWN = {"entity": "P1", "event": ("utilitel", "P1-rent-0"), "dispute": "D-own", "grant": "G-own", "certificate": "C-own"}
OTHER = {
    "entity": "P2",
    "event": ("northlend", "P2-inst-0"),
    "dispute": "D-other",
    "grant": "G-other",
    "certificate": "C-other",
}
PURPOSE = "bike rental"


def _event_body(o):
    provider, event_id = o["event"]
    return {
        "records": [
            {
                "provider_id": provider,
                "event_id": f"{event_id}-new",
                "entity_id": o["entity"],
                "occurred_at": "2026-01-05",
                "type": "rent_paid_on_time" if provider == "utilitel" else "loan_opened",
            }
        ]
    }


# (method, path) -> function(objects) -> (url, kwargs). ``None`` objects: the route has no object.
CASES = {
    ("GET", "/v1/health"): lambda o: ("/v1/health", {}),
    ("GET", "/v1/ready"): lambda o: ("/v1/ready", {}),
    ("GET", "/metrics"): lambda o: ("/metrics", {}),
    ("GET", "/v1/me"): lambda o: ("/v1/me", {}),
    ("POST", "/v1/keys"): lambda o: ("/v1/keys", {"json": {"role": "partner", "name": "hotelco"}}),
    ("GET", "/v1/keys"): lambda o: ("/v1/keys", {}),
    ("POST", "/v1/keys/{key_id}/revoke"): lambda o: ("/v1/keys/KEYID/revoke", {}),
    ("POST", "/v1/signin-codes"): lambda o: ("/v1/signin-codes", {"json": {"subject_id": "P1"}}),
    ("POST", "/v1/sessions/revoke"): lambda o: ("/v1/sessions/revoke", {"json": {"role": "subject", "name": "P1"}}),
    ("GET", "/v1/providers"): lambda o: ("/v1/providers", {}),
    ("POST", "/v1/providers"): lambda o: (
        "/v1/providers",
        {"json": {"records": [{"provider_id": "newco", "name": "NewCo", "categories": ["bills"]}]}},
    ),
    ("GET", "/v1/quarantine"): lambda o: ("/v1/quarantine", {}),
    ("GET", "/v1/entities"): lambda o: ("/v1/entities", {}),
    ("POST", "/v1/entities"): lambda o: (
        "/v1/entities",
        {
            "json": {
                "records": [
                    {"entity_id": "P9", "kind": "person", "display_name": "Nine", "registered_at": "2026-01-01"}
                ]
            }
        },
    ),
    ("GET", "/v1/entities/{entity_id}"): lambda o: (f"/v1/entities/{o['entity']}", {}),
    ("GET", "/v1/entities/{entity_id}/events"): lambda o: (f"/v1/entities/{o['entity']}/events", {}),
    ("POST", "/v1/events"): lambda o: ("/v1/events", {"json": _event_body(o)}),
    ("GET", "/v1/scores/{entity_id}"): lambda o: (f"/v1/scores/{o['entity']}", {"params": {"purpose": PURPOSE}}),
    ("GET", "/v1/scores/{entity_id}/explanation"): lambda o: (f"/v1/scores/{o['entity']}/explanation", {}),
    ("GET", "/v1/scores/{entity_id}/history"): lambda o: (f"/v1/scores/{o['entity']}/history", {}),
    ("POST", "/v1/scores/run"): lambda o: ("/v1/scores/run", {"json": {}}),
    ("GET", "/v1/policies"): lambda o: ("/v1/policies", {}),
    ("POST", "/v1/decisions"): lambda o: (
        "/v1/decisions",
        {"json": {"subject_id": o["entity"], "policy_id": "bike-deposit-free"}},
    ),
    ("GET", "/v1/decisions"): lambda o: ("/v1/decisions", {"params": {"subject_id": o["entity"]}}),
    ("POST", "/v1/grants"): lambda o: (
        "/v1/grants",
        {"json": {"viewer_id": "hotelco", "scope": "score", "purpose": "hotel check-in"}},
    ),
    ("GET", "/v1/grants"): lambda o: ("/v1/grants", {"params": {"subject_id": o["entity"]}}),
    ("POST", "/v1/grants/{grant_id}/revoke"): lambda o: (f"/v1/grants/{o['grant']}/revoke", {}),
    ("POST", "/v1/certificates"): lambda o: ("/v1/certificates", {"json": {"audience": "stayeasy", "ttl": "7d"}}),
    ("GET", "/v1/certificates"): lambda o: ("/v1/certificates", {"params": {"subject_id": o["entity"]}}),
    ("GET", "/v1/certificates/revocations"): lambda o: ("/v1/certificates/revocations", {}),
    ("POST", "/v1/certificates/verify"): lambda o: ("/v1/certificates/verify", {"json": {"token": "a.b.c"}}),
    ("POST", "/v1/certificates/{certificate_id}/revoke"): lambda o: (f"/v1/certificates/{o['certificate']}/revoke", {}),
    ("GET", "/.well-known/jwks.json"): lambda o: ("/.well-known/jwks.json", {}),
    ("POST", "/v1/disputes"): lambda o: (
        "/v1/disputes",
        {"json": {"provider_id": o["event"][0], "event_id": o["event"][1], "note": "not mine"}},
    ),
    ("GET", "/v1/disputes"): lambda o: ("/v1/disputes", {"params": {"entity_id": o["entity"]}}),
    ("POST", "/v1/disputes/{dispute_id}/answer"): lambda o: (
        f"/v1/disputes/{o['dispute']}/answer",
        {"json": {"action": "confirmed"}},
    ),
    ("GET", "/v1/entities/{entity_id}/disclosure"): lambda o: (f"/v1/entities/{o['entity']}/disclosure", {}),
    ("GET", "/v1/entities/{entity_id}/access-log"): lambda o: (f"/v1/entities/{o['entity']}/access-log", {}),
    ("GET", "/v1/access-log"): lambda o: ("/v1/access-log", {}),
    ("GET", "/v1/audit/distribution"): lambda o: ("/v1/audit/distribution", {}),
    ("GET", "/v1/audit/whatif"): lambda o: ("/v1/audit/whatif", {"params": {"threshold": 650}}),
    ("GET", "/v1/audit/drift"): lambda o: ("/v1/audit/drift", {"params": {"features": "false"}}),
    ("GET", "/v1/audit/fairness"): lambda o: ("/v1/audit/fairness", {}),
    ("POST", "/v1/webhooks"): lambda o: (
        "/v1/webhooks",
        {"json": {"channel": "subject", "principal": o["entity"], "url": "http://127.0.0.1:9/hook"}},
    ),
    ("GET", "/v1/webhooks"): lambda o: ("/v1/webhooks", {}),
    ("DELETE", "/v1/webhooks/{subscription_id}"): lambda o: ("/v1/webhooks/WH-none", {}),
    ("GET", "/v1/webhooks/deliveries"): lambda o: ("/v1/webhooks/deliveries", {}),
}

# Routes whose "other object" call must be refused, per role. List routes that filter to the caller's own
# rows instead of refusing are checked by ``FILTERED`` below.
CROSS = {
    "subject": {
        ("GET", "/v1/entities/{entity_id}"),
        ("GET", "/v1/entities/{entity_id}/events"),
        ("GET", "/v1/scores/{entity_id}"),
        ("GET", "/v1/scores/{entity_id}/explanation"),
        ("GET", "/v1/scores/{entity_id}/history"),
        ("GET", "/v1/decisions"),
        ("GET", "/v1/grants"),
        ("POST", "/v1/grants/{grant_id}/revoke"),
        ("GET", "/v1/certificates"),
        ("POST", "/v1/certificates/{certificate_id}/revoke"),
        ("GET", "/v1/disputes"),
        ("POST", "/v1/disputes"),
        ("GET", "/v1/entities/{entity_id}/disclosure"),
        ("GET", "/v1/entities/{entity_id}/access-log"),
    },
    "partner": {("GET", "/v1/scores/{entity_id}"), ("POST", "/v1/decisions"), ("POST", "/v1/grants/{grant_id}/revoke")},
    "provider": {("POST", "/v1/disputes/{dispute_id}/answer"), ("POST", "/v1/events")},
}
# (role, path): the "other" call succeeds but returns only rows the caller may see.
FILTERED = {
    ("partner", "GET", "/v1/grants"): "viewer_id",
    ("partner", "GET", "/v1/decisions"): "partner_id",
    ("provider", "GET", "/v1/disputes"): "provider_id",
}


def app_routes(app) -> dict[tuple[str, str], list[str]]:
    """Every (method, path) the app serves under /v1, /.well-known or /metrics, with the roles it declares."""
    out = {}
    for rc in iter_route_contexts(app.routes):
        path = rc.path or ""
        if not path.startswith(("/v1", "/.well-known", "/metrics")):
            continue
        roles = (getattr(rc.original_route, "openapi_extra", None) or {}).get("x-roles")
        assert roles, f"{path} declares no roles (openapi_extra=roles_extra(...))"
        for m in rc.methods or ():
            if m != "HEAD":
                out[(m, path)] = roles
    return out


def test_matrix_covers_every_route(app):
    routes = set(app_routes(app))
    assert routes == set(CASES), f"missing: {routes - set(CASES)}; stale: {set(CASES) - routes}"
    assert {mp for r in CROSS.values() for mp in r} <= set(CASES)


@pytest.fixture
def objects(app, built):
    """Grants, disputes and certificates the matrix needs, owned by P1 (own) and P2 (other)."""
    ws = app.state.ctx.ws
    g_own = grants.grant(ws, "P1", "citybike", "score", PURPOSE, "30d")
    grants.grant(ws, "P1", "citybike", "decisions", PURPOSE, "30d")
    create_key(ws.store, "partner", "hotelco")  # a grant goes to a registered partner only
    g_other = grants.grant(ws, "P2", "hotelco", "score", "hotel check-in", "30d")
    now = built["now"]
    with ws.store.transaction() as con:
        con.execute("UPDATE grants SET grant_id = 'G-own' WHERE grant_id = ?", [g_own["grant_id"]])
        con.execute("UPDATE grants SET grant_id = 'G-other' WHERE grant_id = ?", [g_other["grant_id"]])
        for did, (prov, ev), who in (("D-own", OWN["event"], "P1"), ("D-other", OTHER["event"], "P2")):
            con.execute(
                "INSERT INTO disputes VALUES (?, ?, ?, ?, 'opened', ?, 'test', ?)", [did, prov, ev, who, who, now]
            )
        for cid, who in (("C-own", "P1"), ("C-other", "P2")):
            con.execute(
                "INSERT INTO certificates VALUES (?, ?, 'stayeasy', 655, 'excellent', ?, ?, ?, 'k1')",
                [cid, who, now, now, now + timedelta(days=30)],
            )
    key_id, _ = create_key(ws.store, "partner", "throwaway")
    return {"key_id": key_id}


def _call(client, method, path, objs, key, objects):
    url, kw = CASES[(method, path)](objs)
    return client.request(method, url.replace("KEYID", objects["key_id"]), key=key, **kw)


def _admitted(r) -> bool:
    return r.status_code not in (401, 403) and (r.status_code < 500 or r.status_code == 501)


@pytest.mark.parametrize("method,path", sorted(CASES), ids=lambda v: v)
def test_matrix(client, app, keys, objects, method, path):
    roles = app_routes(app)[(method, path)]
    if path == "/v1/ready":
        serving.refresh(app.state.ctx.ws)  # as 'credence serve' does before its first request
    r = _call(client, method, path, OWN, None, objects)
    if "public" in roles:
        assert r.status_code < 400, r.text
        return
    assert r.status_code == 401, f"no key: {r.status_code} {r.text}"
    assert r.json()["ok"] is False
    for role in ROLES:
        key = keys[KEY_OF[role]]
        if role not in roles:
            r = _call(client, method, path, OWN, key, objects)
            assert r.status_code == 403, f"{role} on {method} {path}: {r.status_code} {r.text}"
            assert r.json()["code"] == "forbidden"
            continue
        r = _call(client, method, path, OWN, key, objects)
        assert _admitted(r), f"{role} on own object {method} {path}: {r.status_code} {r.text}"
        if (method, path) in CROSS.get(role, ()):
            r = _call(client, method, path, OTHER, key, objects)
            if path == "/v1/events":  # a provider's record for another provider is quarantined, not stored
                assert r.status_code == 200 and r.json()["accepted"] == 0 and r.json()["quarantined"] == 1
            else:
                assert r.status_code == 403, f"{role} on other's object {method} {path}: {r.status_code} {r.text}"
        if (role, method, path) in FILTERED:
            r = _call(client, method, path, OTHER, key, objects)
            if r.status_code != 501:
                assert r.status_code == 200, r.text
                field = FILTERED[(role, method, path)]
                names = {"partner": "citybike", "provider": "utilitel"}
                assert all(row[field] == names[role] for row in r.json()), r.text


def test_cross_subject_reads_are_refused_and_logged(client, keys, app):
    """A subject reading another subject's score, events, history or disclosure gets 403; the score attempt
    lands in the other subject's access log."""
    for url in (
        "/v1/scores/P2",
        "/v1/scores/P2/explanation",
        "/v1/scores/P2/history",
        "/v1/entities/P2",
        "/v1/entities/P2/events",
        "/v1/entities/P2/disclosure",
        "/v1/entities/P2/access-log",
    ):
        r = client.get(url, key=keys["subject"])
        assert r.status_code == 403, url
        assert r.json()["ok"] is False and "P2" not in str(r.json().get("record") or "")
    log = client.get("/v1/entities/P2/access-log", key=keys["subject_other"]).json()
    assert any(row["viewer_id"] == "P1" and row["allowed"] is False for row in log)


def test_auditor_sees_only_pseudonyms(client, keys):
    client.get("/v1/scores/P1", key=keys["operator"])
    rows = client.get("/v1/access-log", key=keys["auditor"]).json()
    assert rows and all(r["subject_id"].startswith("ps1:") for r in rows)
