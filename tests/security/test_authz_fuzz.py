"""The authorization fuzz: every route x every principal (each role, plus principals whose names collide with
or look like others': a partner named like an entity, a partner named like another partner but for case, an
auditor named like an entity) x own and others' objects x purposes. It fails on any 2xx that reaches what is
not the caller's.

Whose an object is comes from the objects themselves (who the entity is, who gave and received the grant, whose
certificate, which provider's event a dispute is about), never from the route's own checks; a collection route
answering 2xx is checked on its content: every subject it names must be one the caller may see.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from credence.api.auth import create_key, hash_key
from tests.api.test_authz_matrix import CASES, OTHER, OWN, app_routes

PURPOSES = (None, "bike rental", "curiosity", "hotel check-in", "BIKE RENTAL")
# (role, name): the key's principal. Legacy principals are inserted behind create_key's back, as an older
# version allowed, to prove that services compare (role, name), not the name alone.
PRINCIPALS = {
    "operator": ("operator", "ops"),
    "auditor": ("auditor", "regulator"),
    "partner": ("partner", "citybike"),
    "provider": ("provider", "utilitel"),
    "provider_other": ("provider", "northlend"),
    "subject": ("subject", "P1"),
    "subject_other": ("subject", "P2"),
    "partner_named_P1": ("partner", "P1"),
    "partner_named_p2": ("partner", "p2"),
    "partner_Citybike": ("partner", "Citybike"),
    "auditor_named_P1": ("auditor", "P1"),
    "partner_named_utilitel": ("partner", "utilitel"),
}
LEGACY = [k for k in PRINCIPALS if k not in ("operator", "auditor", "partner", "provider", "provider_other")]
LEGACY = [k for k in LEGACY if not k.startswith("subject")]


@pytest.fixture(scope="module")
def world(api, api_ws):
    """Keys for every principal and the objects: P1's and P2's grants, disputes and certificates."""
    ws = api.app.state.ctx.ws
    keys = dict(api_ws["keys"])
    with ws.store.transaction() as con:
        for label in LEGACY:
            role, name = PRINCIPALS[label]
            key_id = f"lg{abs(hash(label)) % 10**8:08d}"
            secret = f"cred_{key_id}_{'z' * 32}"
            con.execute(
                "INSERT INTO api_keys VALUES (?, ?, ?, ?, now()::TIMESTAMP, NULL)",
                [key_id, hash_key(secret), role, name],
            )
            keys[label] = secret
    create_key(ws.store, "partner", "hotelco")
    now = api_ws["now"]
    grants = {  # id: (subject, viewer, scope, purpose)
        "G-own": ("P1", "citybike", "score", "bike rental"),
        "G-own-d": ("P1", "citybike", "decisions", "bike rental"),
        "G-other": ("P2", "hotelco", "score", "hotel check-in"),
        "G-friend": ("P2", "P1", "score", "curiosity"),  # P2 lets its friend, the entity P1, look
    }
    with ws.store.transaction() as con:
        for gid, (subject, viewer, scope, purpose) in grants.items():
            con.execute(
                "INSERT INTO grants VALUES (?, ?, ?, ?, ?, ?, ?)",
                [gid, subject, viewer, scope, purpose, now - timedelta(hours=1), now + timedelta(days=30)],
            )
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
    return {"keys": keys, "grants": grants, "key_id": key_id}


def may(principal: str, method: str, path: str, objs: dict, purpose: str | None, grants: dict) -> bool:
    """Whether the principal may reach this object at all (the oracle; independent of the app's checks)."""
    role, name = PRINCIPALS[principal]
    entity = objs["entity"]
    if role == "operator":
        return True
    if path == "/v1/scores/{entity_id}":
        if role == "subject" and name == entity:
            return True
        p = " ".join((purpose or "").lower().split())
        return any(
            g[0] == entity and g[1] == name and g[2] == "score" and g[3] == p and _kind(g[1]) == role
            for g in grants.values()
        )
    if path == "/v1/decisions" and method == "POST":
        return role == "partner" and any(
            g[0] == entity and g[1] == name and g[2] == "decisions" and _kind(g[1]) == role for g in grants.values()
        )
    if path == "/v1/grants/{grant_id}/revoke":
        g = grants[objs["grant"]]
        return (role == "subject" and name == g[0]) or (name == g[1] and _kind(g[1]) == role)
    if path in ("/v1/disputes/{dispute_id}/answer", "/v1/events"):
        return role == "provider" and name == objs["event"][0]
    if path == "/v1/disputes" and method == "POST":
        return role == "subject" and name == entity
    if "{entity_id}" in path or "{certificate_id}" in path:
        return role == "subject" and name == entity
    return True  # collections: checked on their content


ENTITIES = {"P1", "P2", "P3", "P4", "B1"}


def _kind(viewer: str) -> str:
    return "subject" if viewer in ENTITIES else "partner"


def visible(principal: str, grants: dict) -> set[str]:
    """The subjects a principal may see named in a collection (its own, its grantors', its events' subjects)."""
    role, name = PRINCIPALS[principal]
    if role == "subject":
        return {name}
    if role == "partner":
        return {g[0] for g in grants.values() if g[1] == name and _kind(g[1]) == "partner"}
    if role == "provider":
        return {"P1", "P2", "P4", "B1"} if name in ("utilitel", "northlend") else set()  # its events' subjects
    return set()


def named_subjects(body) -> set[str]:
    """Values of subject-naming fields anywhere in a JSON body."""
    out: set[str] = set()
    if isinstance(body, dict):
        for k, v in body.items():
            if k in ("subject_id", "entity_id", "sub") and isinstance(v, str):
                out.add(v)
            else:
                out |= named_subjects(v)
    elif isinstance(body, list):
        for v in body:
            out |= named_subjects(v)
    return out


READ_ONLY_SAFE = {("GET", "/v1/me"), ("POST", "/v1/keys"), ("POST", "/v1/entities"), ("POST", "/v1/providers")}


@pytest.mark.parametrize("method,path", sorted(CASES), ids=lambda v: v)
def test_no_2xx_reaches_what_is_not_the_callers(api, world, method, path):
    roles = app_routes(api.app)[(method, path)]
    if "public" in roles or (method, path) in READ_ONLY_SAFE:
        return
    leaks = []
    for principal in PRINCIPALS:
        if principal.startswith("operator"):
            continue
        for objs in (OWN, OTHER):
            purposes = PURPOSES if path == "/v1/scores/{entity_id}" else (None,)
            for purpose in purposes:
                url, kw = CASES[(method, path)](objs)
                if path == "/v1/scores/{entity_id}":
                    kw = {**kw, "params": {"purpose": purpose} if purpose else {}}
                r = api.request(method, url.replace("KEYID", world["key_id"]), key=world["keys"][principal], **kw)
                assert r.status_code < 500 or r.status_code == 501, (principal, url, r.status_code, r.text[:300])
                if not 200 <= r.status_code < 300:
                    continue
                json_body = r.headers.get("content-type", "").startswith("application/json")
                body = r.json() if json_body else {"text": r.text}  # /metrics answers Prometheus text
                if path == "/v1/events" and body.get("accepted") == 0:
                    continue  # quarantined, not stored
                if not may(principal, method, path, objs, purpose, world["grants"]):
                    leaks.append(f"{principal} {method} {url} {purpose}: {r.status_code}")
                elif "{" not in path and path not in ("/v1/events", "/v1/decisions"):
                    extra = (named_subjects(body) & ENTITIES) - visible(principal, world["grants"])
                    if extra:
                        leaks.append(f"{principal} {method} {url}: names {sorted(extra)}")
    assert not leaks, "\n".join(leaks)
