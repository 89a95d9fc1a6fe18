"""Webhooks (issue 17): what the score-change hook adds to a write, and how fast the dispatcher delivers.

    python benchmarks/webhooks.py --entities 20000 --touched 500 --rounds 5

Builds a simulated workspace in a temporary folder (``--entities``, about 10 events each), scores it, then:

1. **The hook's cost in a write.** Rounds alternate *unwatched* (no subscription) and *watched* (a partner
   subscription to ``score.changed`` with a live ``score`` grant from 10% of the population, and one subject
   channel): each round ingests one adverse event for ``--touched`` entities not touched before, in one
   batch, whose transaction re-scores them (``services/serving.py``) and, when watched, compares their scores
   before and after and writes the ``score.changed`` events (``services/webhooks/outbox.py``). Median batch
   times, and events written.
2. **The day's rebuild** of every row, unwatched and watched.
3. **Delivery**: the outbox's events for the partner, delivered by the dispatcher to a receiver on loopback
   (one subscription, so one at a time, in order): events per second, and the time of one look for the next
   event (``dispatcher.next_event``) with that outbox.

Ratios are measured in one process seconds apart (the machine is shared and noisy). Not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

from credence.api.auth import create_key
from credence.clock import utcnow
from credence.generators.simulate import simulate
from credence.services import serving
from credence.services.ingest import ingest_files, ingest_records
from credence.services.webhooks import dispatcher, outbox, subscriptions
from credence.workspace import init_workspace

HOOK: list[float] = []  # seconds spent in the score-change hook's own statements, per re-score


def _timed_hook():
    """Wrap the hook serving calls, timing its statements (before and after the re-score, not the re-score)."""
    inner = outbox.score_changes

    @contextlib.contextmanager
    def timed(con, at, scope=None):
        t = time.perf_counter()
        cm = inner(con, at, scope)
        cm.__enter__()
        spent = time.perf_counter() - t
        try:
            yield
        finally:
            t = time.perf_counter()
            cm.__exit__(None, None, None)
            HOOK.append(spent + time.perf_counter() - t)

    serving.score_changes = timed


class _Quiet(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def build(root: Path, entities: int):
    ws = init_workspace(root)
    summary = simulate(root / "simulated", entities=entities, seed=7)
    for path in (summary.providers_path, summary.entities_path, summary.events_dir):
        ingest_files(ws.store, path, catalogue=ws.catalogue)
    serving.refresh(ws)
    return ws


def adverse_batch(ws, ids: list[str], provider: str, tag: str) -> tuple[float, int]:
    before = ws.store.count("webhook_events")
    when = (utcnow() - timedelta(days=2)).isoformat()
    records = [
        {"provider_id": provider, "event_id": f"bench-{tag}-{e}", "entity_id": e, "occurred_at": when}
        | {"type": "loan_default", "amount": 900.0}
        for e in ids
    ]
    HOOK.clear()
    t = time.perf_counter()
    report = ingest_records(ws.store, records, catalogue=ws.catalogue)
    elapsed = time.perf_counter() - t
    assert report.accepted == len(ids), report.to_dict()
    return elapsed, sum(HOOK), ws.store.count("webhook_events") - before


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entities", type=int, default=20_000)
    ap.add_argument("--touched", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        ws = build(Path(tmp) / "ws", args.entities)
        print(
            f"built {args.entities:,} entities, {ws.store.count('events'):,} events in {time.perf_counter() - t:.1f} s"
        )
        persons = [
            r["entity_id"]
            for r in ws.store.query("SELECT entity_id FROM entities WHERE kind = 'person' ORDER BY entity_id")
        ]
        provider = ws.store.scalar(
            "SELECT provider_id FROM providers WHERE list_contains(categories, 'lending') LIMIT 1"
        )
        create_key(ws.store, "partner", "benchbike")
        granted = persons[::10]
        now = utcnow()
        with ws.store.transaction() as con:
            con.execute(
                "INSERT INTO grants (grant_id, subject_id, viewer_id, scope, purpose, granted_at, expires_at) "
                "SELECT 'G-bench-' || e, e, 'benchbike', 'score', 'bike rental', ?, ? FROM unnest(?::VARCHAR[]) t(e)",
                [now - timedelta(days=1), now + timedelta(days=30), granted],
            )
        # touched sets: half granted entities, half not, none touched twice
        pool = [e for e in persons if e not in set(granted)]
        sets = []
        for r in range(2 * args.rounds):
            k = args.touched
            sets.append(granted[r * k // 2 : (r + 1) * k // 2] + pool[r * k // 2 : (r + 1) * k // 2])
        _timed_hook()
        times = {"unwatched": [], "watched": []}
        hook = {"unwatched": [], "watched": []}
        written = {"unwatched": 0, "watched": 0}
        sub = None
        for r, ids in enumerate(sets):
            watched = r % 2 == 1
            if watched and sub is None:
                sub = subscriptions.add(ws, "partner", "benchbike", "http://127.0.0.1:9/hook", ["score.changed"])
                subscriptions.add(ws, "subject", persons[1], "http://127.0.0.1:9/hook")
            if not watched and sub is not None:
                for s in subscriptions.list_subscriptions(ws):
                    subscriptions.remove(ws, s["subscription_id"])
                sub = None
            label = "watched" if watched else "unwatched"
            elapsed, spent, n = adverse_batch(ws, ids, provider, str(r))
            times[label].append(elapsed)
            hook[label].append(spent)
            written[label] += n
        for label in times:
            print(
                f"write of {args.touched} touched entities, {label}: median {statistics.median(times[label]) * 1000:.0f} ms "
                f"(rounds {', '.join(f'{x * 1000:.0f}' for x in times[label])}), events written {written[label]}; "
                f"in the hook's statements: median {statistics.median(hook[label]) * 1000:.1f} ms"
            )
        ratio = statistics.median(times["watched"]) / statistics.median(times["unwatched"])
        print(f"watched / unwatched: {ratio:.2f}")

        # the day's rebuild, unwatched then watched
        rebuild = {}
        for label in ("unwatched", "watched"):
            if label == "watched":
                sub = subscriptions.add(ws, "partner", "benchbike", "http://127.0.0.1:9/hook", ["score.changed"])
            else:
                for s in subscriptions.list_subscriptions(ws):
                    subscriptions.remove(ws, s["subscription_id"])
            with ws.store.transaction(hooks=False) as con:
                con.execute("DELETE FROM current_state")
            HOOK.clear()
            t = time.perf_counter()
            serving.refresh(ws)
            rebuild[label] = (time.perf_counter() - t, sum(HOOK))
        print(
            "day's rebuild of every row: "
            + ", ".join(f"{k} {v[0]:.2f} s (hook {v[1] * 1000:.0f} ms)" for k, v in rebuild.items())
        )

        # delivery to a loopback receiver, one subscription
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Quiet)
        Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        for s in subscriptions.list_subscriptions(ws):
            subscriptions.remove(ws, s["subscription_id"])
        live = subscriptions.add(ws, "partner", "benchbike", url, ["score.changed"])
        with ws.store.transaction() as con:  # deliver everything written so far
            con.execute(
                "UPDATE webhook_subscriptions SET start_seq = 0 WHERE subscription_id = ?", [live["subscription_id"]]
            )
        sub_row = [s for s in subscriptions.live(ws) if s["subscription_id"] == live["subscription_id"]][0]
        pending = ws.store.count("webhook_events")
        looks = []
        for _ in range(20):
            t = time.perf_counter()
            dispatcher.next_event(ws, sub_row)
            looks.append(time.perf_counter() - t)
        d = dispatcher.Dispatcher(ws, interval=0.01)
        t = time.perf_counter()
        d.start()
        deadline = time.monotonic() + 600
        while dispatcher.next_event(ws, sub_row) is not None and time.monotonic() < deadline:
            time.sleep(0.2)
        elapsed = time.perf_counter() - t
        d.close()
        server.shutdown()
        log = subscriptions.list_subscriptions(ws)[0]
        settled = log["delivered"] + log["withheld"]
        print(
            f"outbox of {pending:,} events: one look for the next event p50 {statistics.median(looks) * 1000:.1f} ms; "
            f"delivered {log['delivered']:,} and withheld {log['withheld']:,} in {elapsed:.1f} s "
            f"({settled / elapsed:.0f} events/s, one subscription, in order)"
        )
        ws.close()


if __name__ == "__main__":
    main()
