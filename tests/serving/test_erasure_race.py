"""Erasure against the group commit: no access-log row or decision about the erased subject survives it.

Threads log reads of P1 through the group commit without pause while P1 is erased, and keep logging after;
the erasure's transaction and the group commits are interleaved as tightly as the machine allows. Afterwards
nothing in the store names P1; the other subject's rows are all there; a subject registered again under the
erased id is logged as usual.
"""

from __future__ import annotations

import threading
import time

from credence.services.access import log_access
from credence.services.retention import erase
from tests.builder import add_entity

ROUNDS = 3


def _hammer(ws, stop: threading.Event, counts: dict, k: int) -> None:
    n = 0
    while not stop.is_set():
        for who in ("P1", "P2"):
            log_access(ws, who, f"viewer{k}", "read_score", allowed=True, purpose="race", detail=f"{k}-{n}")
        n += 1
    counts[k] = n


def test_no_row_about_the_erased_subject_survives_concurrent_group_commits(ws):
    store = ws.store
    p2 = 0
    for _ in range(ROUNDS):
        add_entity(ws, "P1")  # (again after the round before)
        stop, counts = threading.Event(), {}
        threads = [threading.Thread(target=_hammer, args=(ws, stop, counts, k)) for k in range(6)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 30
        while store.scalar("SELECT count(*) FROM access_log WHERE subject_id = 'P1'") < 20:
            assert time.monotonic() < deadline, "no access rows committed"
            time.sleep(0.01)
        erase(ws, "P1")
        time.sleep(0.3)  # reads that began before the erasure keep logging after it
        stop.set()
        for t in threads:
            t.join()
        assert store.scalar("SELECT count(*) FROM access_log WHERE subject_id = 'P1' OR viewer_id = 'P1'") == 0
        assert store.scalar("SELECT count(*) FROM decisions WHERE subject_id = 'P1'") == 0
        p2 += sum(counts.values())
    assert store.group.dropped > 0  # units about P1 that came after an erasure were dropped
    assert store.scalar("SELECT count(*) FROM access_log WHERE subject_id = 'P2' AND purpose = 'race'") == p2 > 0

    add_entity(ws, "P1")  # registered again: its reads are logged again
    log_access(ws, "P1", "viewer0", "read_score", allowed=True, purpose="after")
    assert store.scalar("SELECT count(*) FROM access_log WHERE subject_id = 'P1'") == 1
