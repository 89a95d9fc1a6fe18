"""What ``credence.client`` costs over raw httpx: the same requests, one keep-alive connection, served app.

    .venv/bin/python benchmarks/client_overhead.py                  # 2,000-entity demo, 400 requests per route
    .venv/bin/python benchmarks/client_overhead.py --size 500 --requests 100     # a quick run

The workspace is a ``credence demo --size N`` (reused when present); the app is served by uvicorn on
127.0.0.1 (a free port) in this process's background thread. For each route, the requests are sent in turn by
raw ``httpx.Client`` (JSON decoded, nothing validated) and by ``credence.client.Client`` (the same, plus
validation into the API's models and the retry loop), alternating in rounds so that load drifts hit both.
Printed: median and p90 per request, and the ratio client / raw. Loopback only; bounded by ``--requests``.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

OUT = Path(__file__).parent / "out"


def workspace(size: int) -> Path:
    ws = OUT / f"api-demo-{size}"
    if not (ws / "credence.duckdb").exists():
        OUT.mkdir(parents=True, exist_ok=True)
        print(f"building a {size:,}-entity demo workspace in {ws} ...", flush=True)
        subprocess.run(
            [sys.executable, "-m", "credence", "demo", "--size", str(size), "--workspace", str(ws)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return ws


@contextlib.contextmanager
def served(app):
    """``app`` under uvicorn on 127.0.0.1 and a free port, in a background thread, until the block ends."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield argparse.Namespace(url=f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def timed(call, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        call()
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()

    from credence.api.auth import create_key
    from credence.app import create_app
    from credence.client import Client
    from credence.workspace import open_workspace

    root = workspace(args.size)
    ws = open_workspace(root)
    key = create_key(ws.store, "operator", f"bench-client-{time.time_ns()}")[1]
    person = ws.store.scalar("SELECT min(entity_id) FROM latest_scores WHERE score IS NOT NULL")
    ws.close()
    app = create_app(root)
    routes = {
        "GET /v1/health": ("/v1/health", lambda c: c.health()),
        f"GET /v1/scores/{person}": (f"/v1/scores/{person}", lambda c: c.score(person)),
        "GET /v1/entities?limit=100": ("/v1/entities?limit=100", lambda c: c.entities(limit=100)),
    }
    rounds = 4
    with served(app) as srv:
        raw = httpx.Client(base_url=srv.url, headers={"Authorization": f"Bearer {key}"}, timeout=30)
        client = Client(srv.url, key, timeout=30)
        print(f"{'route':34} {'raw median':>11} {'client median':>14} {'raw p90':>9} {'client p90':>11} {'ratio':>6}")
        for label, (path, call) in routes.items():
            raw_t, client_t = [], []
            timed(lambda path=path: raw.get(path).json(), 20)  # warm both paths
            timed(lambda call=call: call(client), 20)
            for _ in range(rounds):
                raw_t += timed(lambda path=path: raw.get(path).json(), args.requests // rounds)
                client_t += timed(lambda call=call: call(client), args.requests // rounds)
            rm, cm = statistics.median(raw_t) * 1e3, statistics.median(client_t) * 1e3
            r90 = statistics.quantiles(raw_t, n=10)[-1] * 1e3
            c90 = statistics.quantiles(client_t, n=10)[-1] * 1e3
            print(f"{label:34} {rm:9.2f}ms {cm:12.2f}ms {r90:7.2f}ms {c90:9.2f}ms {cm / rm:6.2f}")
        raw.close()
        client.close()
    app.state.ctx.ws.close()


if __name__ == "__main__":
    main()
