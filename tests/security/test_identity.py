"""Finding 2: identity is (role, name) everywhere, and names of different principals cannot collide."""

from __future__ import annotations

import pytest

from credence.api.auth import create_key
from credence.errors import ConflictError, PermissionDenied, ValidationError
from credence.services.access import read_score
from credence.services.grants import grant, list_grants, revoke
from credence.services.ingest import ingest_records


@pytest.mark.parametrize("name", ["P1", "p1", "\uff30\uff11", " P1 "])
def test_a_partner_key_named_like_an_entity_is_refused(ws, name):
    with pytest.raises((ConflictError, ValidationError)) as e:
        create_key(ws.store, "partner", name)
    assert e.value.field == "name"


@pytest.mark.parametrize("role", ["partner", "operator", "auditor"])
def test_no_role_takes_a_providers_or_an_entitys_name(ws, role):
    for name in ("bank", "BANK", "P2"):
        if role == "partner" and name == "bank":
            continue  # one organisation may be provider and partner under one exact name
        with pytest.raises(ConflictError, match="collides"):
            create_key(ws.store, role, name)
    if role == "partner":
        assert create_key(ws.store, role, "bank")[0]


def test_an_entity_or_provider_cannot_take_a_partners_name(ws):
    create_key(ws.store, "partner", "stayeasy")
    r = ingest_records(ws.store, [{"entity_id": "StayEasy", "kind": "person"}], kind="entities", catalogue=ws.catalogue)
    assert r.quarantined == 1 and r.accepted == 0
    q = ws.store.query("SELECT field, reason FROM quarantine ORDER BY quarantined_at DESC LIMIT 1")[0]
    assert q["field"] == "entity_id" and "partner" in q["reason"]
    r = ingest_records(
        ws.store,
        [{"provider_id": "STAYEASY", "name": "S", "categories": "bills"}],
        kind="providers",
        catalogue=ws.catalogue,
    )
    assert r.quarantined == 1 and r.accepted == 0


def test_names_with_control_characters_are_refused(ws):
    for name in ("P1\x00", "bike\nshare", "x" * 201):
        with pytest.raises(ValidationError):
            create_key(ws.store, "partner", name)


def _legacy_partner_named_like(ws, entity_id: str) -> None:
    """A partner key that collides with an entity, as an older version let one be created."""
    with ws.store.transaction() as con:
        con.execute("INSERT INTO api_keys VALUES ('legacy', 'x', 'partner', ?, now()::TIMESTAMP, NULL)", [entity_id])


def test_a_partner_named_like_an_entity_is_not_that_entity(ws):
    _legacy_partner_named_like(ws, "P2")
    # its own score? No: it is a partner, not the subject
    with pytest.raises(PermissionDenied):
        read_score(ws, "P2", "P2", "bike rental", viewer_role="partner")
    # grants given *to the entity* P2 do not serve the partner P2
    g = grant(ws, "P1", "P2", "score", "curiosity", "30d")
    with pytest.raises(PermissionDenied):
        read_score(ws, "P1", "P2", "curiosity", viewer_role="partner")
    assert read_score(ws, "P1", "P2", "curiosity", viewer_role="subject")["grant_id"] == g["grant_id"]
    assert list_grants(ws, viewer_id="P2", viewer_role="partner") == []
    # nor may it revoke a grant given to the entity P2
    with pytest.raises(PermissionDenied):
        revoke(ws, g["grant_id"], revoked_by="P2", by_role="partner")
    assert revoke(ws, g["grant_id"], revoked_by="P2", by_role="subject")["status"] == "revoked"


def test_an_entity_named_operator_is_not_the_operator(ws):
    from tests.builder import add_entity

    add_entity(ws, "operator")
    g = grant(ws, "P1", "bikeshare", "score", "bike rental", "30d")
    with pytest.raises(PermissionDenied):
        revoke(ws, g["grant_id"], revoked_by="operator", by_role="subject")
    assert revoke(ws, g["grant_id"], revoked_by="ops", by_role="operator")["revoked_by"] == "operator"


def test_over_http_a_colliding_partner_reads_nothing(api, api_ws):
    """Through the API: a partner key named like P2 (legacy) gets no score, no grants, no revocation."""
    keys = api_ws["keys"]
    store = api.app.state.ctx.ws.store
    with store.transaction() as con:  # P2 grants its friend P1 a look; then a partner key "P1" appears
        con.execute(
            "INSERT INTO grants VALUES ('G-friend', 'P2', 'P1', 'score', 'curiosity', now()::TIMESTAMP - INTERVAL 1 HOUR,"
            " now()::TIMESTAMP + INTERVAL 30 DAY)"
        )
    _, secret = _insert_key(store, "partner", "P1")
    assert api.get("/v1/scores/P1", key=secret).status_code == 403
    assert api.get("/v1/scores/P2?purpose=curiosity", key=secret).status_code == 403
    assert api.get("/v1/grants", key=secret).json() == []
    assert api.post("/v1/grants/G-friend/revoke", key=secret).status_code == 403
    assert api.get("/v1/scores/P2?purpose=curiosity", key=keys["subject"]).status_code == 200  # the real P1


def _insert_key(store, role: str, name: str) -> tuple[str, str]:
    """A key inserted behind create_key's back (as an older version allowed)."""
    from credence.api.auth import hash_key

    key_id = f"legacy{abs(hash(name)) % 10**6:06d}"
    secret = f"cred_{key_id}_{'s' * 32}"
    with store.transaction() as con:
        con.execute(
            "INSERT INTO api_keys VALUES (?, ?, ?, ?, now()::TIMESTAMP, NULL)", [key_id, hash_key(secret), role, name]
        )
    return key_id, secret
