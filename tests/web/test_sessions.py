"""Portal sessions live on the server (finding 9 of issue 15): the cookie is no API key, and ending a session
(sign-out, revocation, expiry, key revocation) stops a copied cookie from working. One-time sign-in codes."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from credence.app import create_app
from credence.services import sessions
from credence.web.session import COOKIE


@pytest.fixture(scope="module")
def app(web_template, tmp_path_factory):
    root = tmp_path_factory.mktemp("sessions") / "ws"
    shutil.copytree(web_template["root"], root)
    application = create_app(root)
    yield application
    application.state.ctx.ws.close()


def client(app) -> TestClient:
    return TestClient(app, base_url="http://127.0.0.1", follow_redirects=False)


def sign_in(app, key: str) -> TestClient:
    c = client(app)
    r = c.post("/signin", data={"key": key, "next": "/"})
    assert r.status_code == 303, r.text
    return c


def csrf(c: TestClient, path: str = "/account") -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', c.get(path).text).group(1)


def test_the_cookie_holds_no_api_key_and_signing_out_ends_the_session_on_the_server(app, web_template):
    key = web_template["keys"]["subject"]
    c = sign_in(app, key)
    token = c.cookies.get(COOKIE)
    assert token and key not in token and token not in key
    assert c.get("/me").status_code == 303 and c.get("/subjects/P1").status_code == 200

    copied = client(app)  # someone who copied the cookie before sign-out
    copied.cookies.set(COOKIE, token)
    assert copied.get("/subjects/P1").status_code == 200

    r = c.post("/signout", data={"csrf": csrf(c)})
    assert r.status_code == 303 and "signed_out" in r.headers["location"]
    gone = copied.get("/subjects/P1")
    assert gone.status_code == 303 and gone.headers["location"].startswith("/signin")
    ended = sessions.list_sessions(app.state.ctx.store, name="P1")[0]
    assert ended["status"] == "signed out"


def test_the_api_key_itself_is_no_session_cookie(app, web_template):
    c = client(app)
    c.cookies.set(COOKIE, web_template["keys"]["operator"])
    r = c.get("/console")
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")


def test_operator_revocation_and_key_revocation_end_live_sessions(app, web_template):
    store = app.state.ctx.store
    c = sign_in(app, web_template["keys"]["subject_other"])
    assert c.get("/subjects/P2").status_code == 200
    assert sessions.revoke_sessions(store, "subject", "P2", by="test") == 1
    assert c.get("/subjects/P2").status_code == 303

    from credence.api.auth import create_key, revoke_key

    key_id, key = create_key(store, "auditor", "temp-auditor")
    c = sign_in(app, key)
    assert c.get("/audit").status_code == 200
    revoke_key(store, key_id)
    assert c.get("/audit").status_code == 303


def test_a_session_expires(app, web_template):
    store = app.state.ctx.store
    token = sessions.start_session(store, "subject", "P4", key_id=None, via="test", hours=-1)
    assert sessions.lookup(store, token) is None
    token = sessions.start_session(store, "subject", "P4", key_id=None, via="test", hours=1)
    assert sessions.lookup(store, token).name == "P4"


def test_a_one_time_code_signs_a_subject_in_once(app):
    store = app.state.ctx.store
    issued = sessions.issue_code(store, "P4", issued_by="test")
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", issued["code"])
    c = client(app)
    link = c.get(f"/signin/link?code={issued['code']}")  # opening the link does not use the code
    assert link.status_code == 200 and issued["code"] in link.text
    r = c.post("/signin/code", data={"code": issued["code"].lower().replace("-", " "), "next": "/"})
    assert r.status_code == 303
    assert c.get("/me").headers["location"] == "/subjects/P4"
    again = client(app).post("/signin/code", data={"code": issued["code"], "next": "/"})
    assert again.status_code == 401 and "already used" in again.text


def test_an_expired_code_and_a_code_for_nobody_are_refused(app):
    store = app.state.ctx.store
    issued = sessions.issue_code(store, "P4", issued_by="test")
    with store.transaction() as con:
        con.execute(
            "UPDATE signin_codes SET expires_at = expires_at - ? WHERE code_id = ?",
            [timedelta(hours=1), issued["code_id"]],
        )
    assert client(app).post("/signin/code", data={"code": issued["code"]}).status_code == 401
    from credence.errors import NotFoundError

    with pytest.raises(NotFoundError):
        sessions.issue_code(store, "NOBODY", issued_by="test")


def test_the_operator_issues_a_code_over_the_api(app, web_template):
    c = client(app)
    auth = {"Authorization": f"Bearer {web_template['keys']['operator']}"}
    r = c.post("/v1/signin-codes", json={"subject_id": "P1", "minutes": 10}, headers=auth)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["link"].endswith(f"/signin/link?code={body['code']}")
    refused = c.post(
        "/v1/signin-codes",
        json={"subject_id": "P1"},
        headers={"Authorization": f"Bearer {web_template['keys']['partner']}"},
    )
    assert refused.status_code == 403
    assert client(app).post("/signin/code", data={"code": body["code"]}).status_code == 303


def test_erasing_a_subject_removes_its_sessions_and_codes(web_template, tmp_path):
    from credence.services.retention import erase
    from credence.workspace import open_workspace

    shutil.copytree(web_template["root"], tmp_path / "ws")
    ws = open_workspace(tmp_path / "ws")
    try:
        token = sessions.start_session(ws.store, "subject", "P4", key_id=None, via="test")
        sessions.issue_code(ws.store, "P4", issued_by="test")
        erase(ws, "P4")
        assert sessions.lookup(ws.store, token) is None
        assert ws.store.scalar("SELECT count(*) FROM web_sessions WHERE name = 'P4'") == 0
        assert ws.store.scalar("SELECT count(*) FROM signin_codes WHERE name = 'P4'") == 0
    finally:
        ws.close()
