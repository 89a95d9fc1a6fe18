"""The hot path (api/hot.py) answers the hot routes exactly as FastAPI does: same status, body and headers
for allowed reads, refusals, bad keys, bad parameters and bodies (handed to FastAPI), and every read and
decision still leaves its access-log row, committed before the answer. Warm requests are answered on the
event loop (no worker thread), their rows committed by the group commit. Served for real (uvicorn)."""

from __future__ import annotations

import httpx
import pytest

from credence.api.hot import HotPath
from credence.services import grants, serving
from tests.api.test_operations import scrape, value
from tests.conftest import auth

PURPOSE = "bike rental"
VARYING = {"as_of", "decision_id", "decided_at", "notice"}  # the time of the request, a fresh id
HEADERS = ("content-type", "www-authenticate", "content-security-policy", "x-content-type-options")


def requests(keys: dict) -> list[tuple]:
    p, s, o = keys["partner"], keys["subject"], keys["operator"]
    decision = {"subject_id": "P1", "policy_id": "bike-deposit-free"}
    return [
        ("GET", "/v1/scores/P1", s, None),  # the subject's own score, with reasons
        ("GET", "/v1/scores/P1?purpose=bike%20rental", p, None),  # a partner under a grant
        ("GET", "/v1/scores/P1?purpose=Bike++Rental", p, None),
        ("GET", "/v1/scores/P2?purpose=bike%20rental", p, None),  # no grant: 403, logged
        ("GET", "/v1/scores/P1", p, None),  # no purpose
        ("GET", "/v1/scores/P1?purpose=", p, None),
        ("GET", "/v1/scores/P2", s, None),  # another subject
        ("GET", "/v1/scores/P1", o, None),  # the operator
        ("GET", "/v1/scores/NOPE", o, None),
        ("GET", "/v1/scores/P1", None, None),  # no key
        ("GET", "/v1/scores/P1", "cred_abc_def", None),  # unknown key
        ("GET", "/v1/scores/P1", keys["auditor"], None),  # a role the route does not admit
        ("GET", "/v1/scores/P1?purpose=" + "x" * 201, p, None),  # too long: FastAPI's answer
        ("GET", "/v1/scores/P1?purpose=bike%20rental&other=1", p, None),
        ("POST", "/v1/decisions", p, decision),
        ("POST", "/v1/decisions", p, {"subject_id": "P2", "policy_id": "bike-deposit-free"}),  # no grant
        ("POST", "/v1/decisions", p, {"subject_id": "P1", "policy_id": "no-such-policy"}),
        ("POST", "/v1/decisions", p, {"subject_id": "P1"}),  # a missing field: FastAPI's error
        ("POST", "/v1/decisions", p, b"{not json"),
        ("POST", "/v1/decisions", s, decision),  # a subject may not decide
        ("POST", "/v1/decisions", None, decision),
        ("GET", "/v1/scores/P1/history", s, None),  # the subject's own page data
        ("GET", "/v1/scores/P1/history", o, None),  # the operator: logged
        ("GET", "/v1/scores/P2/history", s, None),  # another subject's
        ("GET", "/v1/scores/P1/history", p, None),  # a partner may not
        ("GET", "/v1/scores/NOPE/history", o, None),
        ("GET", "/v1/entities/P1/events?limit=2", s, None),
        ("GET", "/v1/entities/P1/events?limit=2&offset=1", s, None),
        ("GET", "/v1/entities/P1/events", o, None),
        ("GET", "/v1/entities/P2/events", s, None),
        ("GET", "/v1/entities/P1/events?limit=0", s, None),  # out of bounds: FastAPI's 400
        ("GET", "/v1/entities/P1/events?limit=x", s, None),
        ("GET", "/v1/entities/P1/events?limit=1&limit=2", s, None),  # repeated: FastAPI decides
        ("GET", "/v1/entities/P1/events?since=1", s, None),  # not a parameter of the route
    ]


def call(http: httpx.Client, method: str, url: str, key: str | None, body) -> httpx.Response:
    headers = auth(key) if key else {}
    if isinstance(body, bytes):
        return http.request(method, url, content=body, headers=headers | {"content-type": "application/json"})
    return http.request(method, url, json=body, headers=headers)


def shape(r: httpx.Response) -> tuple:
    body = r.json()
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k not in VARYING}
    return r.status_code, body, {h: r.headers.get(h) for h in HEADERS}


def hot_path(app) -> HotPath:
    node = app.middleware_stack
    while not isinstance(node, HotPath):
        node = node.app
    return node


@pytest.fixture
def served(app, serve):
    ws = app.state.ctx.ws
    for scope in ("score", "decisions"):
        grants.grant(ws, "P1", "citybike", scope, PURPOSE, "30d")
    serving.refresh(ws)
    with serve(app) as srv, httpx.Client(base_url=srv.url, timeout=60) as http:
        yield http


def test_hot_path_answers_as_fastapi_does(served, keys, monkeypatch, app):
    before = scrape(served, keys["operator"])
    logged = app.state.ctx.store.count("access_log")
    hot = [shape(call(served, *r)) for r in requests(keys)]
    middle = scrape(served, keys["operator"])
    logged_hot = app.state.ctx.store.count("access_log") - logged
    monkeypatch.setattr(hot_path(app), "on", False)  # as CREDENCE_HOT_PATH=0 at start-up
    plain = [shape(call(served, *r)) for r in requests(keys)]
    after = scrape(served, keys["operator"])
    for r, a, b in zip(requests(keys), hot, plain, strict=True):
        assert a == b, f"{r[0]} {r[1]}: hot path {a} != FastAPI {b}"
    statuses = [s for s, _, _ in hot]
    assert statuses.count(200) >= 4 and 201 in statuses and {401, 403, 404} <= set(statuses)
    assert {400, 422} & set(statuses)  # the parameters and bodies FastAPI judges

    def hot_answers(x, y, route):
        return value(y, "credence_http_hot_path_requests_total", route=route) - value(
            x, "credence_http_hot_path_requests_total", route=route
        )

    assert hot_answers(before, middle, "/v1/scores/{entity_id}") == 12  # not the two FastAPI must judge
    assert hot_answers(before, middle, "/v1/decisions") == 5
    assert hot_answers(before, middle, "/v1/scores/{entity_id}/history") == 5
    assert hot_answers(before, middle, "/v1/entities/{entity_id}/events") == 4  # not the four FastAPI judges
    assert hot_answers(middle, after, "/v1/scores/{entity_id}") == 0
    # every read and decision, allowed or refused, left its access-log row before its answer: both runs alike
    logged_plain = app.state.ctx.store.count("access_log") - logged - logged_hot
    assert logged_hot == logged_plain >= 10


def test_warm_requests_are_answered_on_the_event_loop_and_committed(served, keys, app):
    """Once keys, grants and served rows are in memory, reads and decisions need no worker thread; their
    access-log and decision rows are still committed before each answer, many per group commit."""
    decision = {"subject_id": "P1", "policy_id": "bike-deposit-free"}
    mix = [
        ("GET", "/v1/scores/P1?purpose=bike%20rental", keys["partner"], None),
        ("POST", "/v1/decisions", keys["partner"], decision),
        ("GET", "/v1/scores/P1", keys["subject"], None),
        ("GET", "/v1/scores/P1/history", keys["subject"], None),
        ("GET", "/v1/entities/P1/events?limit=5", keys["subject"], None),
    ]
    for r in mix:  # warm: the first of each reads the store in a worker thread
        assert call(served, *r).status_code in (200, 201)
    node, store = hot_path(app), app.state.ctx.store
    threads, logged, decided = node.in_threads, store.count("access_log"), store.count("decisions")
    for _ in range(4):
        for r in mix:
            before = store.count("access_log")
            assert call(served, *r).status_code in (200, 201)
            if r[1] != "/v1/scores/P1/history" and "/events" not in r[1]:  # a subject's own page data is not logged
                assert store.count("access_log") == before + 1, f"{r[1]}: its row is committed before the answer"
    assert node.in_threads == threads, "warm requests ran on the event loop"
    assert store.count("access_log") == logged + 12 and store.count("decisions") == decided + 4


def test_a_query_string_is_validated_once(served, keys, app):
    """The same query string (a partner's purpose, a page size) is validated once per route; a refused one is
    refused again (FastAPI answers it), and one repeated parameter is never taken for another."""
    assert call(served, "GET", "/v1/scores/P1?purpose=bike%20rental", keys["partner"], None).status_code == 200
    read = next(h for h in hot_path(app)._routes["GET"] if h.template == "/v1/scores/{entity_id}")
    first = read.query_args(b"purpose=Bike++Rental")
    assert first == {"purpose": "Bike  Rental"} and read.query_args(b"purpose=Bike++Rental") is first
    assert read.query_args(b"") == {"purpose": None}
    for refused in (b"purpose=" + b"x" * 201, b"purpose=a&purpose=b", b"purpose=a&other=1"):
        assert read.query_args(refused) is None and read.query_args(refused) is None
    events = next(h for h in hot_path(app)._routes["GET"] if h.template == "/v1/entities/{entity_id}/events")
    assert events.query_args(b"limit=2") != events.query_args(b"limit=3")
    for _ in range(2):  # answered from what was kept: the same as the first time
        r = call(served, "GET", "/v1/entities/P1/events?limit=2", keys["subject"], None)
        assert r.status_code == 200 and len(r.json()) == 2
