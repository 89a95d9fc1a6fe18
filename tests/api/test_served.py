"""The app served for real: uvicorn on 127.0.0.1 and a free port, spoken to over TCP."""

from __future__ import annotations

import httpx


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
