"""Operations (issue 17): Prometheus metrics that move, one JSON log line per request without personal data,
liveness and readiness, on the app served for real (uvicorn on loopback)."""

from __future__ import annotations

import json
import logging
import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from credence.api.observe import JsonFormatter
from tests.conftest import auth


def scrape(http: httpx.Client, key: str) -> dict[tuple, float]:
    r = http.get("/metrics", headers=auth(key))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(r.text)
        for s in family.samples
    }


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def served(app, serve):
    with serve(app) as srv, httpx.Client(base_url=srv.url, timeout=60) as http:
        yield http


def test_metrics_move_with_requests_ingest_and_scoring(served, keys):
    before = scrape(served, keys["operator"])
    assert served.get("/v1/scores/P1", headers=auth(keys["subject"])).status_code == 200
    assert served.get("/v1/scores/P2", headers=auth(keys["subject"])).status_code == 403
    records = [
        {
            "provider_id": "utilitel",
            "event_id": "ops-1",
            "entity_id": "P1",
            "occurred_at": "2026-01-05",
            "type": "rent_paid_on_time",
        },
        {
            "provider_id": "utilitel",
            "event_id": "ops-2",
            "entity_id": "P1",
            "occurred_at": "2026-01-05",
            "type": "no_such_type",
        },
    ]
    r = served.post("/v1/events", json={"records": records}, headers=auth(keys["provider"]))
    assert r.status_code in (200, 201) and r.json()["quarantined"] == 1, r.text
    assert served.post("/v1/scores/run", json={}, headers=auth(keys["operator"])).status_code == 200
    after = scrape(served, keys["operator"])

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    route = "/v1/scores/{entity_id}"
    assert moved("credence_http_requests_total", route=route, method="GET", status="200") == 1
    assert moved("credence_http_requests_total", route=route, method="GET", status="403") == 1
    assert moved("credence_http_request_duration_seconds_count", route=route, method="GET") == 2
    assert moved("credence_ingest_records_total", kind="events", outcome="accepted") == 1
    assert moved("credence_ingest_records_total", kind="events", outcome="quarantined") == 1
    assert moved("credence_quarantined_records_total", kind="events", field="type") == 1
    assert moved("credence_scoring_runs_total", engine="duckdb") == 1
    assert moved("credence_store_write_transactions") >= 2  # the ingest and the scoring run
    assert value(after, "process_cpu_seconds_total") > 0
    assert not any("P1" in str(k) or "P2" in str(k) for k in after)  # route templates, never ids


def test_metrics_count_the_group_commit_of_reads(served, keys, app):
    """Each read's access-log row is journaled (a flush acknowledges it) and then stored; none refused."""
    before = scrape(served, keys["operator"])
    for _ in range(3):
        assert served.get("/v1/scores/P1", headers=auth(keys["subject"])).status_code == 200
    app.state.ctx.ws.store.group.settle()  # the server runs in this process: its rows are in the store now
    after = scrape(served, keys["operator"])

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("credence_journal_flushes_total") >= 1
    assert moved("credence_group_commit_units_total", outcome="stored") >= 3
    assert moved("credence_group_commit_transactions_total") >= 1
    assert moved("credence_group_commit_units_total", outcome="refused") == 0
    assert value(after, "credence_group_commit_pending_units") == 0


def test_metrics_need_an_operator_or_auditor_key(served, keys):
    assert served.get("/metrics").status_code == 401
    assert served.get("/metrics", headers=auth(keys["partner"])).status_code == 403
    assert served.get("/metrics", headers=auth(keys["auditor"])).status_code == 200


def test_one_json_log_line_per_request_without_personal_data(served, keys):
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(JsonFormatter().format(record))  # type: ignore[method-assign]
    log = logging.getLogger("credence.http")
    level = log.level
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        served.get("/v1/scores/P1?purpose=bike%20rental", headers=auth(keys["subject"]))
        served.get("/v1/entities/P1/events", headers=auth(keys["subject"]))
        served.get("/v1/scores/P2", headers=auth("cred_nosuchkey_secret"))
        served.get("/v1/health")
    finally:
        log.removeHandler(handler)
        log.setLevel(level)
    assert len(lines) == 4
    entries = [json.loads(line) for line in lines]
    assert [(e["route"], e["status"], e["role"]) for e in entries] == [
        ("/v1/scores/{entity_id}", 200, "subject"),
        ("/v1/entities/{entity_id}/events", 200, "subject"),
        ("/v1/scores/{entity_id}", 401, None),
        ("/v1/health", 200, None),
    ]
    for e in entries:
        assert e["event"] == "request" and e["method"] == "GET" and e["duration_ms"] >= 0 and e["time"]
    text = "\n".join(lines)
    for secret in ("P1", "P2", "bike", keys["subject"], "nosuchkey", "127.0.0.1"):
        assert secret not in text


def test_health_and_readiness(served, app):
    assert served.get("/v1/health").json()["ok"] is True
    ws = app.state.ctx.ws
    with ws.store.transaction(hooks=False) as con:
        con.execute("DELETE FROM current_state")  # as if the scores were never brought forward
    r = served.get("/v1/ready")
    assert r.status_code == 503, r.text
    body = r.json()
    assert body["ok"] is False and body["code"] == "not_ready" and "bringing them forward" in body["error"]
    deadline = time.monotonic() + 120
    while (r := served.get("/v1/ready")).status_code == 503 and time.monotonic() < deadline:
        time.sleep(0.2)  # the first 503 started bringing them forward
    assert r.status_code == 200, r.text
    assert r.json()["ok"] is True and r.json()["store"] == "open"


def test_log_lines_go_out_in_batches_in_order_and_none_is_lost():
    import io
    import threading

    from credence.api.observe import BatchedLines

    stream = io.StringIO()
    handler = BatchedLines(stream, interval=0.05)
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("credence.test.batched")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False

    def write(k: int) -> None:
        for i in range(300):
            log.info("request", extra={"fields": {"thread": k, "i": i}})

    threads = [threading.Thread(target=write, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log.warning("now")  # a warning is written at once, with every line before it
    deadline = time.monotonic() + 10
    while '"event": "now"' not in stream.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    log.removeHandler(handler)
    handler.close()
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert entries[-1]["event"] == "now" and len(entries) == 1201
    for k in range(4):
        assert [e["i"] for e in entries if e.get("thread") == k] == list(range(300))
