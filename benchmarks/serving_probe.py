"""Where a served request's time goes: CPU per hot route in process, read latency during an ingest, or an HTTP A/B.

    .venv/bin/python benchmarks/serving_probe.py routes              # CPU per request of each hot route (direct ASGI)
    .venv/bin/python benchmarks/serving_probe.py ingest --events 1000000 --after 10   # a latency timeline
    .venv/bin/python benchmarks/serving_probe.py ab --base-src /tmp/base/src     # HTTP mix, baseline vs this tree

``routes``: the served app in this process, called as ASGI (no HTTP, no sockets) by 50 concurrent tasks on
uvloop, the best of 5 rounds of 4,000 warm requests per route (after 4,000 to warm the caches): process CPU per request,
the event loop thread's CPU per request (the API layer's own work, without the group commit's thread), and
how many needed a worker thread (a store read) — the figure to watch when changing ``api/hot.py``, the
group commit or the caches, steadier than the HTTP load on a shared machine.

``ab``: ``credence serve`` as a user starts it, from a baseline source tree (``--base-src``, put first on
``PYTHONPATH``) and from this tree, in turn for ``--rounds-ab`` rounds on the same workspace: ``--warmup``
seconds of ``api_load.py``'s wrk mix, then ``--seconds`` measured (requests/s, p50/p99 per kind, server CPU per
request). Alternating rounds keep a shared machine's noise on both sides.

``ingest``: ``credence serve`` as a user starts it, the wrk mix of ``api_load.py`` on it, and a probe reading
one partner score every 10 ms while ``credence ingest FILE`` runs through the server's channel (and ``--after``
seconds more): per half second, the probe's slowest and median read. A stall shows when it happens (e.g. at
the batch's COMMIT, which DuckDB serialises with every group commit).

Both serve a copy of ``api_load.py``'s demo workspace (``--size`` entities, built once); nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import http.client
import json
import logging
import logging.config
import os
import random
import shutil
import subprocess
import threading
import time
from pathlib import Path

import api_load as load

ROUTES = ("read", "decide", "own", "history", "events", "mix")
MIX = (("read", 70), ("decide", 20), ("own", 4), ("history", 3), ("events", 3))  # api_load.py's shares


def workspace(size: int, name: str) -> tuple[Path, dict]:
    src = load.build_demo(size)
    ws = load.OUT / name
    shutil.rmtree(ws, ignore_errors=True)
    shutil.copytree(src, ws, ignore=shutil.ignore_patterns(".credence"))
    return ws, load.prepare(ws, 500, 50)


# -- routes: CPU per request in process ---------------------------------------------------------------------
def request(kind: str, keys: dict, rnd: random.Random) -> tuple[str, str, bytes, str, bytes]:
    if kind == "mix":
        kind = rnd.choices([k for k, _ in MIX], [w for _, w in MIX])[0]
    if kind in ("read", "decide"):
        sid = rnd.choice(keys["ids"])
        if kind == "read":
            return "GET", f"/v1/scores/{sid}", b"purpose=bike%20rental", keys["partner"], b""
        body = json.dumps({"subject_id": sid, "policy_id": load.POLICY}).encode()
        return "POST", "/v1/decisions", b"", keys["partner"], body
    sid, key = rnd.choice(list(keys["subjects"].items()))
    path = {"own": f"/v1/scores/{sid}", "history": f"/v1/scores/{sid}/history", "events": f"/v1/entities/{sid}/events"}
    return "GET", path[kind], b"limit=50" if kind == "events" else b"", key, b""


async def asgi_load(app, kind: str, keys: dict, n: int, clients: int = 50) -> dict:
    rnd, statuses = random.Random(1), {}

    async def one() -> None:
        method, path, query, key, body = request(kind, keys, rnd)
        headers = [(b"host", b"bench"), (b"authorization", f"Bearer {key}".encode())]
        if body:
            headers.append((b"content-type", b"application/json"))
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": query, "root_path": "", "headers": headers,
            "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "state": {},
        }  # fmt: skip
        sent = False

        async def receive():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.sleep(3600)

        async def send(message):
            if message["type"] == "http.response.start":
                statuses[message["status"]] = statuses.get(message["status"], 0) + 1

        await app(scope, receive, send)

    async def worker(k: int) -> None:
        for _ in range(k):
            await one()

    await asyncio.gather(*(worker(n // clients) for _ in range(clients)))
    return statuses


def routes(args) -> None:
    import uvloop

    from credence.api.hot import HotPath
    from credence.api.observe import log_config
    from credence.app import create_app
    from credence.services.serving import refresh

    ws, keys = workspace(args.size, "probe-routes")
    app = create_app(ws)
    refresh(app.state.ctx.ws)
    if args.log:  # the request log line as ``credence serve`` writes it (api/observe.py), to /dev/null
        logging.config.dictConfig(log_config(True))
        logging.getLogger("credence").handlers[0].stream = open(os.devnull, "w")  # noqa: SIM115
    try:  # the collector as ``credence serve`` sets it
        from credence.cli.serve import settle_memory
    except ImportError:  # an older tree (a baseline): what its serve did

        def settle_memory():
            gc.collect()
            gc.freeze()

    settle_memory()
    print(f"{'route':<10}{'requests':>9}{'CPU ms/req':>12}{'loop ms':>11}{'req/s':>8}{'in threads':>12}  statuses")
    for kind in args.only or ROUTES:
        uvloop.run(asgi_load(app, kind, keys, args.requests))  # warm: caches, plans
        hot = app.middleware_stack
        while not isinstance(hot, HotPath):
            hot = hot.app
        threads, runs, statuses = hot.in_threads, [], {}
        for _ in range(args.rounds):  # the best round: on a shared machine the others carry its neighbours' noise
            wall, cpu, loop = time.perf_counter(), time.process_time(), time.thread_time()
            for status, n in uvloop.run(asgi_load(app, kind, keys, args.requests)).items():
                statuses[status] = statuses.get(status, 0) + n
            runs.append((time.process_time() - cpu, time.thread_time() - loop, time.perf_counter() - wall))
        cpu, loop, wall = (min(r[i] for r in runs) for i in range(3))
        print(
            f"{kind:<10}{args.requests:>9}{1000 * cpu / args.requests:>12.3f}{1000 * loop / args.requests:>11.3f}"
            f"{args.requests / wall:>8.0f}{hot.in_threads - threads:>12}  {statuses}"
        )
    app.state.ctx.ws.close()
    shutil.rmtree(ws, ignore_errors=True)


# -- ab: the HTTP mix on a baseline source tree and on this one, in turn -------------------------------------
def ab(args) -> None:
    ws, keys = workspace(args.size, "probe-ab")
    trees = {"baseline": {"PYTHONPATH": str(args.base_src.resolve())}, "this tree": {}}
    runs: dict[str, list[dict]] = {name: [] for name in trees}
    try:
        for r in range(args.ab_rounds):
            for name, env in trees.items():
                port = load.free_port()
                proc = load.serve(ws, port, load.OUT / f"probe-ab-{r}-{name.replace(' ', '-')}.log", env=env)
                try:
                    load.run_wrk(port, keys, 50, args.warmup)
                    before = load.cpu_seconds(proc.pid)
                    res = load.run_wrk(port, keys, 50, args.seconds)
                    runs[name].append(
                        load.wrk_table(f"{name}, round {r + 1}", res, load.cpu_seconds(proc.pid) - before)
                    )
                finally:
                    proc.terminate()
                    proc.wait(timeout=60)
    finally:
        shutil.rmtree(ws, ignore_errors=True)
    print(f"\n{'tree':<11}{'round':>6}{'req/s':>7}{'CPU ms/req':>11}  p50 / p99 ms (reads, decisions, subject page)")
    for name, outs in runs.items():
        for r, o in enumerate(outs, 1):
            kinds = o["routes"].values()
            lat = ", ".join(f"{k['p50']:.0f} / {k['p99']:.0f}" for k in kinds)
            print(f"{name:<11}{r:>6}{o['rps']:>7.0f}{o['server_cpu_ms_per_request']:>11.3f}  {lat}")


# -- ingest: a latency timeline -----------------------------------------------------------------------------
def ingest(args) -> None:
    ws, keys = workspace(args.size, "probe-ingest")
    run_id = int(time.time()) % 10**8
    file = load.provider_file(load.OUT / f"probe-{run_id}.parquet", keys["persons"], args.events, seed=run_id)
    port = load.free_port()
    proc = load.serve(ws, port, load.OUT / "probe-serve.log")
    samples: list[tuple[float, float]] = []
    stop = threading.Event()

    def probe() -> None:
        conn, sid = http.client.HTTPConnection(load.HOST, port, timeout=60), keys["ids"][0]
        while not stop.is_set():
            t = time.monotonic()
            conn.request(
                "GET", f"/v1/scores/{sid}?purpose=bike%20rental", headers={"Authorization": "Bearer " + keys["partner"]}
            )
            conn.getresponse().read()
            samples.append((t, time.monotonic() - t))
            time.sleep(0.01)

    ended = {}

    def run_ingest() -> None:
        subprocess.run([*load.CREDENCE, "ingest", str(file), "-w", str(ws)], check=True, capture_output=True)
        ended["at"] = time.monotonic()
        time.sleep(args.after)

    try:
        load.run_wrk(port, keys, 50, args.warmup)
        thread = threading.Thread(target=probe)
        thread.start()
        start = time.monotonic()
        load.wrk_table("mix during the ingest", load.run_wrk(port, keys, 50, 900, during=run_ingest), None)
        stop.set()
        thread.join()
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        file.unlink(missing_ok=True)
        shutil.rmtree(ws, ignore_errors=True)
    print(f"\ningest of {args.events:,} events committed {ended['at'] - start:.1f} s after the probe began")
    buckets: dict[int, list[float]] = {}
    for t, latency in samples:
        buckets.setdefault(int((t - start) / 0.5), []).append(latency)
    for k in sorted(buckets):
        v = sorted(buckets[k])
        print(
            f"{k * 0.5:6.1f} s  reads {len(v):3d}  slowest {1000 * v[-1]:8.1f} ms  median {1000 * v[len(v) // 2]:7.1f} ms"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("what", choices=("routes", "ingest", "ab"))
    ap.add_argument("--size", type=int, default=20000, help="entities in the demo workspace")
    ap.add_argument("--requests", type=int, default=4000, help="routes: requests per route and round")
    ap.add_argument("--rounds", type=int, default=5, help="routes: measured rounds per route (the best is shown)")
    ap.add_argument("--only", nargs="+", choices=ROUTES, help="routes: only these (mix: api_load.py's shares)")
    ap.add_argument("--no-log", dest="log", action="store_false", help="routes: without the request log line")
    ap.add_argument("--base-src", type=Path, help="ab: the baseline's src/ folder (e.g. from git archive)")
    ap.add_argument("--rounds-ab", dest="ab_rounds", type=int, default=3, help="ab: rounds (each tree once a round)")
    ap.add_argument("--seconds", type=float, default=10, help="ab: seconds of each measured load")
    ap.add_argument("--events", type=int, default=1_000_000, help="ingest: events in the provider file")
    ap.add_argument("--after", type=float, default=5, help="ingest: seconds of load after the commit")
    ap.add_argument(
        "--warmup", type=float, default=8, help="ingest, ab: seconds of load before the probe or the measured load"
    )
    args = ap.parse_args()
    if args.what == "routes":
        routes(args)
    elif args.what == "ab":
        ab(args)
    else:
        ingest(args)


if __name__ == "__main__":
    main()
