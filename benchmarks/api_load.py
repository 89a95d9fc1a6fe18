"""Bounded HTTP load on the score and decision routes of a served demo workspace, on 127.0.0.1.

    python benchmarks/api_load.py                      # build a 2,000-entity demo, 50 clients for 30 s
    python benchmarks/api_load.py --clients 50 --seconds 30 --size 2000
    python benchmarks/api_load.py --workspace demo-workspace   # reuse a workspace (it gets keys and grants)

A partner key and, for a sample of scored persons, live grants (scores and decisions, purpose "bike rental")
are added to the workspace; then ``credence serve`` runs in its own process and N concurrent clients
(asyncio + httpx, one connection each) alternate ``GET /v1/scores/{id}?purpose=...`` and
``POST /v1/decisions`` for ``--seconds``. Prints requests per second and p50/p99 latency per route.
Not part of the tests: it measures, it does not judge.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

OUT = Path(__file__).parent / "out"
PURPOSE = "bike rental"
POLICY = "bike-deposit-free"
PARTNER = "bench-partner"


def build_demo(size: int) -> Path:
    ws = OUT / f"api-demo-{size}"
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"building a {size:,}-entity demo workspace in {ws} ...", flush=True)
    subprocess.run(
        [sys.executable, "-m", "credence", "demo", "--size", str(size), "--workspace", str(ws)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return ws


def prepare(ws_path: Path, subjects: int) -> tuple[str, list[str]]:
    """A partner key and live grants from a sample of scored persons; returns (key, subject ids)."""
    from credence.api.auth import create_key
    from credence.services import grants
    from credence.workspace import open_workspace

    ws = open_workspace(ws_path)
    try:
        ids = [
            r["entity_id"]
            for r in ws.store.query(
                "SELECT entity_id FROM latest_scores WHERE kind = 'person' AND score IS NOT NULL "
                "ORDER BY hash(entity_id) LIMIT ?",
                [subjects],
            )
        ]
        for sid in ids:
            for scope in ("score", "decisions"):
                if grants.live_grant(ws, sid, PARTNER, scope, PURPOSE) is None:
                    grants.grant(ws, sid, PARTNER, scope, PURPOSE, "1d")
        _, key = create_key(ws.store, "partner", PARTNER)
    finally:
        ws.close()
    return key, ids


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(ws_path: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "credence", "serve", "--workspace", str(ws_path), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


async def client(base: str, key: str, ids: list[str], until: float, seed: int, out: dict) -> None:
    rnd = random.Random(seed)
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120, limits=limits) as http:
        turn = seed % 2
        while time.monotonic() < until:
            sid = rnd.choice(ids)
            t0 = time.perf_counter()
            if turn == 0:
                r = await http.get(f"/v1/scores/{sid}", params={"purpose": PURPOSE})
                route = "GET /v1/scores/{id}"
            else:
                r = await http.post("/v1/decisions", json={"subject_id": sid, "policy_id": POLICY})
                route = "POST /v1/decisions"
            elapsed = time.perf_counter() - t0
            if time.monotonic() <= until:  # count only requests that finished inside the window
                out.setdefault(route, []).append(elapsed)
                if r.status_code >= 400:
                    out.setdefault("errors", []).append(f"{route} {r.status_code}")
            turn = 1 - turn


async def load(base: str, key: str, ids: list[str], clients: int, seconds: float) -> tuple[dict, float]:
    out: dict = {}
    start = time.monotonic()
    await asyncio.gather(*(client(base, key, ids, start + seconds, i, out) for i in range(clients)))
    return out, seconds


def pct(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workspace", type=Path, help="serve this workspace (default: build a demo)")
    ap.add_argument("--size", type=int, default=2000, help="entities in the demo workspace")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--subjects", type=int, default=200, help="subjects who grant the partner")
    args = ap.parse_args()

    ws = args.workspace or build_demo(args.size)
    key, ids = prepare(ws, args.subjects)
    port = free_port()
    proc = serve(ws, port)
    try:
        print(
            f"{args.clients} clients for {args.seconds:.0f} s against http://127.0.0.1:{port} "
            f"({len(ids)} granting subjects) ...",
            flush=True,
        )
        out, seconds = asyncio.run(load(f"http://127.0.0.1:{port}", key, ids, args.clients, args.seconds))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    errors = out.pop("errors", [])
    total = sum(len(v) for v in out.values())
    print(f"\n{'route':<24}{'requests':>10}{'req/s':>9}{'p50 ms':>10}{'p99 ms':>10}")
    for route, lat in sorted(out.items()):
        print(
            f"{route:<24}{len(lat):>10}{len(lat) / seconds:>9.1f}{1000 * pct(lat, 50):>10.0f}"
            f"{1000 * pct(lat, 99):>10.0f}"
        )
    print(f"{'all':<24}{total:>10}{total / seconds:>9.1f}")
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))


if __name__ == "__main__":
    main()
