"""The app served for real: uvicorn on 127.0.0.1 and a free port, spoken to over TCP."""

from __future__ import annotations

from urllib.parse import quote

import httpx

from tests.conftest import auth


def test_served_app_answers_over_tcp(app, keys, serve):
    with serve(app) as srv:
        with httpx.Client(base_url=srv.url, timeout=30) as http:
            assert http.get("/v1/health").json()["ok"] is True
            r = http.get("/v1/scores/P1", headers={"Authorization": f"Bearer {keys['subject']}"})
            assert r.status_code == 200 and 350 <= r.json()["score"] <= 950
            r = http.get("/v1/scores/P2", headers={"Authorization": f"Bearer {keys['subject']}"})
            assert r.status_code == 403 and r.json()["ok"] is False
            assert http.get("/openapi.json").json()["info"]["title"] == "Credence"
            page = http.get("/signin")
            assert page.status_code == 200 and "API key" in page.text
            assert "default-src 'self'" in page.headers["content-security-policy"]


def test_an_entity_id_with_a_slash_is_refused_at_registration(app, keys, serve):
    """An entity is addressed as one URL path segment (``/v1/scores/{entity_id}``): the server decodes ``%2F``
    before routing, so an id holding '/' could never be read back. Registration refuses it, naming the record,
    the field and the fix; the same id without '/' registers and is addressable."""
    op = auth(keys["operator"])
    records = [{"entity_id": "B/12/345", "kind": "business"}, {"entity_id": "B-12-345", "kind": "business"}]
    with serve(app) as srv, httpx.Client(base_url=srv.url, timeout=30) as http:
        r = http.post("/v1/entities", headers=op, json={"records": records})
        report = r.json()
        assert (r.status_code, report["accepted"], report["quarantined"]) == (200, 1, 1), report
        [reason] = report["sample_reasons"]
        assert reason.startswith("record 1 (B/12/345): field 'entity_id': 'B/12/345' holds '/'"), reason
        assert "write the id without '/'" in reason
        assert http.get("/v1/entities/B-12-345", headers=op).json()["entity_id"] == "B-12-345"
        assert http.get(f"/v1/entities/{quote('B/12/345', safe='')}", headers=op).status_code == 404
        r = http.post("/v1/entities", headers=op, json={"records": records[1:]})  # re-sent: a no-op
        assert (r.json()["accepted"], r.json()["duplicates"]) == (0, 1), r.json()
