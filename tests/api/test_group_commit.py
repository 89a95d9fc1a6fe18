"""Group commit keeps what it acknowledged: kill -9 the served process mid-load, reopen, find every record.

``credence serve`` runs as a user starts it. Client threads send operator score reads (each with its own
``purpose``, so its access-log row is identifiable) and partner decisions (each answer names its decision
id). After enough answers the server is killed with SIGKILL while requests are still in flight. Every
request that got a 2xx answer must have its access-log row (and its decision) in the store after reopening.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import httpx
import pytest

from credence.workspace import open_workspace
from tests.served import credence_serve, free_port

CLIENTS = 8
KILL_AFTER = 120  # acknowledged answers before the kill


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_every_acknowledged_read_and_decision_survives_kill_9(built):
    root, keys = built["root"], built["keys"]
    reads: list[str] = []  # purposes of acknowledged reads
    decisions: list[str] = []  # ids of acknowledged decisions
    with credence_serve(root, free_port()) as (proc, http):
        url = str(http.base_url).rstrip("/")
        grant = http.post(
            "/v1/grants",
            headers={"Authorization": f"Bearer {keys['subject']}"},
            json={"viewer_id": "citybike", "scope": "decisions", "purpose": "bike rental"},
        )
        assert grant.status_code == 201, grant.text
        warm = http.get("/v1/scores/P1", headers={"Authorization": f"Bearer {keys['operator']}"})
        assert warm.status_code == 200, warm.text

        lock = threading.Lock()
        stop = threading.Event()

        def client(k: int) -> None:
            with httpx.Client(base_url=url, timeout=60) as http:
                n = 0
                while not stop.is_set():
                    n += 1
                    try:
                        if n % 4 == 0:
                            r = http.post(
                                "/v1/decisions",
                                headers={"Authorization": f"Bearer {keys['partner']}"},
                                json={"subject_id": "P1", "policy_id": "bike-deposit-free"},
                            )
                            if r.status_code // 100 == 2:
                                with lock:
                                    decisions.append(r.json()["decision_id"])
                        else:
                            purpose = f"load-{k}-{n}"
                            r = http.get(
                                f"/v1/scores/P{1 + n % 2}",
                                params={"purpose": purpose},
                                headers={"Authorization": f"Bearer {keys['operator']}"},
                            )
                            if r.status_code // 100 == 2:
                                with lock:
                                    reads.append(purpose)
                    except httpx.TransportError:
                        if proc.poll() is not None:
                            return  # the server is gone

        threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 180
        while len(reads) + len(decisions) < KILL_AFTER and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)  # mid-load: requests are in flight
        proc.wait(timeout=30)
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert len(reads) + len(decisions) >= KILL_AFTER and decisions

    ws = open_workspace(root)  # replays the WAL as any restart does
    try:
        logged = {r["purpose"] for r in ws.store.query("SELECT purpose FROM access_log WHERE purpose LIKE 'load-%'")}
        stored = {r["decision_id"] for r in ws.store.query("SELECT decision_id FROM decisions")}
        decided = {
            r["detail"].split(":")[0] for r in ws.store.query("SELECT detail FROM access_log WHERE action = 'decision'")
        }
    finally:
        ws.close()
    assert not set(reads) - logged, f"{len(set(reads) - logged)} acknowledged reads lost"
    assert not set(decisions) - stored, f"{len(set(decisions) - stored)} acknowledged decisions lost"
    assert not set(decisions) - decided, "a decision's access record was lost"
