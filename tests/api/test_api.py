"""The API in-process (httpx over ASGI): flows across resources, and one error shape everywhere."""

from __future__ import annotations

import jwt
import pytest

from credence.api.deps import allow
from credence.errors import ValidationError

ERROR_KEYS = {"ok", "status", "code", "error", "field", "record"}


def test_health_and_me(client, keys):
    assert client.get("/v1/health").json()["ok"] is True
    me = client.get("/v1/me", key=keys["partner"]).json()
    assert me["role"] == "partner" and me["name"] == "citybike"


def test_error_shape_for_auth_validation_routing_and_crash(app, client, keys):
    r = client.get("/v1/me", key="cred_nope_nope")
    assert r.status_code == 401 and set(r.json()) >= ERROR_KEYS and r.headers["www-authenticate"] == "Bearer"
    r = client.get("/v1/audit/whatif", key=keys["operator"], params={"threshold": "high"})
    assert r.status_code == 400 and r.json()["field"] == "threshold" and "threshold" in r.json()["error"]
    r = client.post("/v1/grants", key=keys["subject"], json={"scope": "score", "purpose": "x"})
    assert r.status_code == 400 and r.json()["field"] == "viewer_id"
    r = client.post(
        "/v1/grants", key=keys["subject"], content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400 and set(r.json()) >= ERROR_KEYS
    r = client.get("/v1/nowhere", key=keys["operator"])
    assert r.status_code == 404 and r.json()["ok"] is False
    r = client.request("DELETE", "/v1/me", key=keys["operator"])
    assert r.status_code == 405 and r.json()["code"] == "method_not_allowed"

    @app.get("/v1/boom", openapi_extra={"x-roles": ["operator"]})
    def boom(p=allow("operator")):
        raise RuntimeError("secret internals /etc/passwd")

    r = client.get("/v1/boom", key=keys["operator"])
    assert r.status_code == 500 and set(r.json()) >= ERROR_KEYS
    assert "secret" not in r.text and "Traceback" not in r.text and "RuntimeError" not in r.text


def test_credence_errors_keep_their_status_and_field(client, keys):
    r = client.post("/v1/keys", key=keys["operator"], json={"role": "king", "name": "x"})
    assert r.status_code == ValidationError.status and r.json()["field"] == "role"
    r = client.get("/v1/scores/NOPE", key=keys["operator"])
    assert r.status_code == 404 and r.json()["field"] == "entity_id"


def test_key_lifecycle(client, keys):
    r = client.post("/v1/keys", key=keys["operator"], json={"role": "auditor", "name": "eu-regulator"})
    assert r.status_code == 201
    new = r.json()
    assert client.get("/v1/me", key=new["secret"]).json()["name"] == "eu-regulator"
    listed = client.get("/v1/keys", key=keys["operator"]).json()
    assert new["key_id"] in {k["key_id"] for k in listed} and "secret" not in str(listed)
    assert client.post(f"/v1/keys/{new['key_id']}/revoke", key=keys["operator"]).json()["revoked_at"]
    assert client.get("/v1/me", key=new["secret"]).status_code == 401


def test_provider_submits_only_as_itself_and_idempotently(client, keys):
    rec = {
        "provider_id": "utilitel",
        "event_id": "new-1",
        "entity_id": "P2",
        "occurred_at": "2026-01-05",
        "type": "rent_paid_on_time",
    }
    other = {**rec, "provider_id": "northlend", "event_id": "new-2", "type": "loan_opened"}
    r = client.post("/v1/events", key=keys["provider"], json={"records": [rec, other]}).json()
    assert (r["received"], r["accepted"], r["quarantined"]) == (2, 1, 1)
    again = client.post("/v1/events", key=keys["provider"], json={"records": [rec]}).json()
    assert again["duplicates"] == 1 and again["accepted"] == 0
    q = client.get("/v1/quarantine", key=keys["operator"]).json()
    assert q["total"] >= 1 and any("provider_id" == row["field"] for row in q["rows"])


def test_partner_needs_live_grant_and_revocation_is_immediate(client, keys):
    read = lambda: client.get("/v1/scores/P1", key=keys["partner"], params={"purpose": "bike rental"})  # noqa: E731
    assert read().status_code == 403
    g = client.post(
        "/v1/grants", key=keys["subject"], json={"viewer_id": "citybike", "scope": "score", "purpose": "Bike rental"}
    ).json()
    body = read().json()
    assert body["score"] is not None and body["reasons"] == [] and body["grant_id"] == g["grant_id"]
    assert client.get("/v1/scores/P1", key=keys["partner"], params={"purpose": "hotel"}).status_code == 403
    assert client.post(f"/v1/grants/{g['grant_id']}/revoke", key=keys["subject"]).json()["status"] == "revoked"
    assert read().status_code == 403
    log = client.get("/v1/entities/P1/access-log", key=keys["subject"]).json()
    assert [row["allowed"] for row in log if row["viewer_id"] == "citybike"].count(True) == 1


def test_decision_under_grant_with_notice(client, keys):
    body = {"subject_id": "P1", "policy_id": "bike-deposit-free"}
    assert client.post("/v1/decisions", key=keys["partner"], json=body).status_code == 403
    client.post(
        "/v1/grants",
        key=keys["subject"],
        json={"viewer_id": "citybike", "scope": "decisions", "purpose": "bike rental"},
    )
    d = client.post("/v1/decisions", key=keys["partner"], json=body)
    assert d.status_code == 201 and d.json()["outcome"] in ("granted", "not granted")
    mine = client.get("/v1/decisions", key=keys["subject"]).json()
    assert [x["decision_id"] for x in mine] == [d.json()["decision_id"]]
    assert client.get("/v1/decisions", key=keys["subject_other"]).json() == []


def test_dispute_changes_the_score_and_provider_answers(client, keys):
    before = client.get("/v1/scores/P1", key=keys["subject"]).json()["score"]
    d = client.post("/v1/disputes", key=keys["subject"], json={"provider_id": "utilitel", "event_id": "P1-rent-0"})
    assert d.status_code == 201 and d.json()["status"] == "pending"
    during = client.get("/v1/scores/P1", key=keys["subject"]).json()["score"]
    assert during > before
    events = client.get("/v1/entities/P1/events", key=keys["subject"]).json()
    assert next(e for e in events if e["event_id"] == "P1-rent-0")["counts"] is False
    wrong = client.post(
        f"/v1/disputes/{d.json()['dispute_id']}/answer", key=keys["provider_other"], json={"action": "confirm"}
    )
    assert wrong.status_code == 403
    a = client.post(f"/v1/disputes/{d.json()['dispute_id']}/answer", key=keys["provider"], json={"action": "confirm"})
    assert a.status_code == 200 and a.json()["status"] == "confirmed"
    assert client.get("/v1/scores/P1", key=keys["subject"]).json()["score"] == before


def test_certificate_verifies_with_jwks_only(client, keys):
    c = client.post("/v1/certificates", key=keys["subject"], json={"audience": "stayeasy", "ttl": "7d"})
    assert c.status_code == 201
    token = c.json()["token"]
    jwks = client.get("/.well-known/jwks.json").json()
    key = jwt.PyJWKSet.from_dict(jwks).keys[0]
    claims = jwt.decode(token, key=key, algorithms=["EdDSA"], audience="stayeasy")
    assert claims["sub"] == "P1"
    ok = client.post("/v1/certificates/verify", json={"token": token, "audience": "stayeasy"}).json()
    assert ok["valid"] is True
    bad = client.post("/v1/certificates/verify", json={"token": token, "audience": "other"}).json()
    assert bad["valid"] is False and "audience" in bad["reason"]
    client.post(f"/v1/certificates/{c.json()['certificate_id']}/revoke", key=keys["subject"])
    assert "revoked" in client.post("/v1/certificates/verify", json={"token": token}).json()["reason"]
    assert c.json()["certificate_id"] in str(client.get("/v1/certificates/revocations").json())


def test_whatif_counts_move_with_threshold(client, keys):
    low = client.get("/v1/audit/whatif", key=keys["auditor"], params={"threshold": 600}).json()
    high = client.get("/v1/audit/whatif", key=keys["auditor"], params={"threshold": 740}).json()
    assert low["after"] > high["after"] and high["lost"] == low["after"] - high["after"]
    assert {g["attribute"] for g in high["by_group"]} == {"sex", "age_band"}
    assert sum(b["n"] for b in high["by_band"]) == high["n"]


def test_disclosure_is_the_subjects(client, keys):
    r = client.get("/v1/entities/P1/disclosure", key=keys["subject"])
    assert r.status_code == 200 and r.json()["subject_id"] == "P1" and r.json()["events"]


def test_openapi_documents_roles_security_and_errors(app):
    doc = app.openapi()
    assert doc["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert op.get("x-roles"), f"{method} {path} has no x-roles"
            assert "403" in op["responses"], f"{method} {path} documents no error shape"


@pytest.mark.parametrize("path", ["/v1/scores/P1", "/v1/entities/P1/events", "/v1/audit/distribution"])
def test_unauthenticated_reads_name_no_one(client, path):
    r = client.get(path)
    assert r.status_code == 401 and "P1" not in r.text


def test_operator_reads_of_explanation_and_history_are_in_the_subjects_log(client, keys):
    assert client.get("/v1/scores/P1/explanation", key=keys["operator"]).status_code == 200
    assert client.get("/v1/scores/P1/history", key=keys["operator"]).status_code == 200
    log = client.get("/v1/entities/P1/access-log", key=keys["subject"]).json()
    actions = {row["action"] for row in log if row["viewer_id"].startswith("operator:")}
    assert {"read_explanation", "read_history"} <= actions


def test_one_status_for_an_invalid_request_whoever_notices(client, keys):
    """docs/api.md: a field missing or malformed is 400 ``invalid``, whether FastAPI (missing, wrong type) or
    a service (a value it cannot use) notices; 422 is for a well-formed request refused by a rule."""
    missing = client.post("/v1/grants", key=keys["subject"], json={"purpose": "bike rental"})
    bad_value = client.post(
        "/v1/grants", key=keys["subject"], json={"viewer_id": "citybike", "purpose": "x"} | {"scope": "everything"}
    )
    wrong_type = client.post("/v1/grants", key=keys["subject"], json={"viewer_id": ["citybike"], "purpose": "x"})
    for r, field in ((missing, "viewer_id"), (bad_value, "scope"), (wrong_type, "viewer_id")):
        assert r.status_code == 400 and r.json()["code"] == "invalid" and r.json()["field"] == field, r.text
    assert "field 'viewer_id' is missing" in missing.json()["error"]
    snapshot = client.get("/v1/scores/P1/history", key=keys["operator"]).json()[-1]["snapshot_id"]
    same = client.get("/v1/audit/drift", key=keys["auditor"], params={"base": snapshot, "current": snapshot})
    assert same.status_code == 400 and same.json()["field"] == "snapshot"  # a bad pair of values, like any other
    refused = client.post("/v1/decisions", key=keys["partner"], json={"subject_id": "P1", "policy_id": "nope"})
    assert refused.status_code in (403, 404)  # not a validation problem: another status, not 400 or 422


def test_a_malformed_body_is_named_body_with_what_is_wrong(client, keys):
    r = client.post(
        "/v1/grants",
        key=keys["subject"],
        content=b'{"viewer_id": "citybike", "purpose": ',
        headers={"content-type": "application/json"},
    )
    body = r.json()
    assert r.status_code == 400 and body["field"] == "body" and body["code"] == "invalid"
    assert "not valid JSON" in body["error"] and "at byte 37" in body["error"] and "Fix:" in body["error"]
    r = client.post("/v1/grants", key=keys["subject"], json=["citybike"])
    assert r.status_code == 400 and r.json()["field"] == "body" and "not a JSON object" in r.json()["error"]
    r = client.post("/v1/grants", key=keys["subject"])
    assert r.status_code == 400 and r.json()["field"] == "body" and "missing" in r.json()["error"]


def test_a_provider_key_supplies_provider_id_and_refuses_another(client, keys):
    record = {
        "entity_id": "P1",
        "occurred_at": "2026-01-05T10:00:00Z",
        "type": "utility_bill_paid_on_time",
        "amount": 40,
    }
    r = client.post(
        "/v1/events",
        key=keys["provider"],  # utilitel, licensed for bills
        json={
            "records": [
                record | {"event_id": "K-1"},  # no provider_id: the key's
                record | {"event_id": "K-2", "provider_id": "utilitel"},  # its own, named
                record | {"event_id": "K-3", "provider_id": "northlend"},  # another provider: refused
            ]
        },
    )
    report = r.json()
    assert r.status_code == 200 and (report["received"], report["accepted"], report["quarantined"]) == (3, 2, 1)
    assert any("not the provider of this API key" in reason for reason in report["sample_reasons"])
    events = client.get("/v1/entities/P1/events", key=keys["operator"], params={"limit": 5000}).json()
    ids = {(e["provider_id"], e["event_id"]) for e in events}
    assert {("utilitel", "K-1"), ("utilitel", "K-2")} <= ids and not any(e == "K-3" for _, e in ids)
    quarantined = client.get("/v1/quarantine", key=keys["operator"]).json()["rows"]
    assert [q["field"] for q in quarantined if "K-3" in (q["record_key"] or "")] == ["provider_id"]
    r = client.post("/v1/events", key=keys["operator"], json={"records": [record | {"event_id": "K-4"}]})
    assert r.json()["quarantined"] == 1  # the operator's key names no provider: the record must
