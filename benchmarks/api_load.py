"""The serving benchmark: a mixed HTTP load on ``credence serve`` (loopback), then the same load during an ingest.

    .venv/bin/python benchmarks/api_load.py        # 20,000-entity demo, 50 clients, 30 s, 1M events, wrk (~5 min)
    .venv/bin/python benchmarks/api_load.py --size 2000 --seconds 10 --ingest-events 100000     # a quick run
    .venv/bin/python benchmarks/api_load.py --workspace WS --ingest-events 0 --no-compare   # a copy of WS, no ingest
    .venv/bin/python benchmarks/api_load.py --generator python     # the asyncio generator instead of wrk

The workspace (a ``credence demo``, or ``--workspace``) gets a partner key, live grants (score and decisions,
purpose "bike rental") from ``--subjects`` persons and subject keys for some of them; then ``credence serve``
runs as a user starts it, and N clients (one keep-alive connection each) send, for T seconds:

- 70% ``GET /v1/scores/{id}?purpose=bike rental`` with the partner key (a read under a grant),
- 20% ``POST /v1/decisions`` (policy bike-deposit-free) with the partner key,
- 10% a subject's own page data with its key, in turn: ``GET /v1/scores/{own}``, ``/history``, ``/events``.

The generator is Debian's ``wrk`` (C; installed with apt-get when missing): three wrk processes at once, one
per kind of request with 70/20/10% of the connections (wrk's Lua cannot pair a response with its request, so
latency percentiles are per process). ``--generator python`` is a raw asyncio HTTP/1.1 client instead.

Each measured load follows ``--warmup`` seconds (default 10) of the same load, not reported: a serving
process is measured warm (keys, grants and served rows in memory), as a bureau's server runs.

Before/after in the same run (``--no-compare`` skips it): the mixed load first on a server started with
``CREDENCE_HOT_PATH=0`` (every route through FastAPI), then on the server as a user starts it (the hot
path, ``api/hot.py``). Each reports requests/s, p50/p95/p99, errors and the server's CPU per request
(``/proc``; on a shared machine the load-independent figure), and the server's own p99 from its histogram
(``/metrics``: a request's arrival at the app to the end of its response), which tells the server's tail from
time spent before a request reaches it.

Phase 2 writes a provider file of ``--ingest-events`` events (bills: on-time and overdue payments, this month)
over the workspace's persons, starts the same load, and runs ``credence ingest FILE -w WS`` (which goes to the
server over its local channel). When the command returns (the batch is committed) it polls sampled touched
persons until the served score (``GET /v1/scores/{id}``) equals a fresh computation (the explanation route,
which scores on demand with the SQL online path): that delay is "touched scores current after commit".

Not part of the tests: it measures, it does not judge. Loopback only; every run is bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

OUT = Path(__file__).parent / "out"
PURPOSE = "bike rental"
POLICY = "bike-deposit-free"
PARTNER = "bench-partner"
HOST = "127.0.0.1"
CREDENCE = [sys.executable, "-m", "credence"]


# -- the workspace -----------------------------------------------------------------------------------------


def build_demo(size: int) -> Path:
    ws = OUT / f"api-demo-{size}"
    if (ws / "credence.duckdb").exists():
        print(f"reusing the demo workspace {ws}", flush=True)
        return ws
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"building a {size:,}-entity demo workspace in {ws} ...", flush=True)
    subprocess.run(
        [*CREDENCE, "demo", "--size", str(size), "--workspace", str(ws)], check=True, stdout=subprocess.DEVNULL
    )
    return ws


def prepare(ws_path: Path, subjects: int, subject_keys: int) -> dict:
    """A partner key, live grants from ``subjects`` scored persons, keys for some of them (before serving)."""
    from credence.api.auth import create_key
    from credence.services import grants
    from credence.workspace import open_workspace

    ws = open_workspace(ws_path)
    try:
        partner = create_key(ws.store, "partner", PARTNER)[1]  # a registered partner first: grants name it
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
                    grants.grant(ws, sid, PARTNER, scope, PURPOSE, "30d")
        operator = create_key(ws.store, "operator", "bench-operator")[1]
        subject = {sid: create_key(ws.store, "subject", sid)[1] for sid in ids[:subject_keys]}
        persons = [r["entity_id"] for r in ws.store.query("SELECT entity_id FROM entities WHERE kind = 'person'")]
    finally:
        ws.close()
    return {"partner": partner, "operator": operator, "subjects": subject, "ids": ids, "persons": persons}


def provider_file(path: Path, persons: list[str], events: int, seed: int) -> Path:
    """``events`` bill payments (utilitel) over ``persons`` in the last 25 days: 80% on time, 20% overdue."""
    import duckdb

    con = duckdb.connect()
    con.execute(
        "CREATE TABLE p AS SELECT unnest(?) AS entity_id, generate_subscripts(?, 1) - 1 AS k", [persons, persons]
    )
    con.execute(f"SELECT setseed({(seed % 1000) / 1000})")
    con.execute(
        f"""COPY (
          SELECT 'utilitel' AS provider_id, 'LOAD-{seed}-' || lpad(i::VARCHAR, 8, '0') AS event_id,
                 p.entity_id,
                 (now()::TIMESTAMP - to_seconds((1 + random() * 25 * 86400)::BIGINT))::TIMESTAMP AS occurred_at,
                 CASE WHEN random() < 0.8 THEN 'utility_bill_paid_on_time' ELSE 'utility_bill_overdue' END AS type,
                 round(20 + random() * 200, 2) AS amount,
                 NULL::INTEGER AS days_late
          FROM range({events}) t(i) JOIN p ON p.k = i % {len(persons)}
        ) TO '{path}' (FORMAT parquet)"""
    )
    con.close()
    return path


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` and its threads so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def serve(ws_path: Path, port: int, log: Path, env: dict | None = None) -> subprocess.Popen:
    """``credence serve`` as a user starts it (``env``: extra variables); waits until it answers."""
    proc = subprocess.Popen(
        [*CREDENCE, "serve", "--workspace", str(ws_path), "--port", str(port)],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"the server stopped: see {log}") from None
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the server did not start")


# -- a small HTTP/1.1 client (keep-alive, Content-Length bodies) --------------------------------------------


class Conn:
    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, key: str, body: bytes = b"") -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {key}\r\n"
        if body:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("connection closed")
        status = int(status_line.split()[1])
        length, close = 0, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        data = await self.reader.readexactly(length) if length else b""
        if close:
            self.close()
        return status, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def mixed_request(rnd: random.Random, keys: dict) -> tuple[str, str, str, str, bytes]:
    """(route, method, path, key, body) drawn from the 70/20/10 mix."""
    x = rnd.random()
    if x < 0.7:
        sid = rnd.choice(keys["ids"])
        return (
            "GET /v1/scores/{id} (partner)",
            "GET",
            f"/v1/scores/{sid}?purpose={quote(PURPOSE)}",
            keys["partner"],
            b"",
        )
    if x < 0.9:
        sid = rnd.choice(keys["ids"])
        body = json.dumps({"subject_id": sid, "policy_id": POLICY}).encode()
        return "POST /v1/decisions (partner)", "POST", "/v1/decisions", keys["partner"], body
    sid, key = rnd.choice(list(keys["subjects"].items()))
    which = rnd.randrange(3)
    if which == 0:
        return "GET /v1/scores/{own} (subject)", "GET", f"/v1/scores/{sid}", key, b""
    if which == 1:
        return "GET /v1/scores/{own}/history (subject)", "GET", f"/v1/scores/{sid}/history", key, b""
    return "GET /v1/entities/{own}/events (subject)", "GET", f"/v1/entities/{sid}/events?limit=50", key, b""


async def client(port: int, keys: dict, stop: asyncio.Event, seed: int, out: dict, health: bool) -> None:
    rnd = random.Random(seed)
    conn = Conn(port)
    try:
        while not stop.is_set():
            if health:
                route, method, path, key, body = "GET /v1/health", "GET", "/v1/health", "", b""
            else:
                route, method, path, key, body = mixed_request(rnd, keys)
            t0 = time.perf_counter()
            try:
                status, _ = await asyncio.wait_for(conn.request(method, path, key, body), timeout=60)
            except (TimeoutError, OSError, ConnectionError, asyncio.IncompleteReadError) as e:
                conn.close()
                status = f"{type(e).__name__}"
            elapsed = time.perf_counter() - t0
            if stop.is_set():
                break  # count only requests that finished inside the window
            out.setdefault(route, []).append(elapsed)
            if not isinstance(status, int) or status >= 400:
                out.setdefault("errors", []).append(f"{route} {status}")
    finally:
        conn.close()


async def run_load(port: int, keys: dict, clients: int, seconds: float, health: bool = False, during=None) -> dict:
    """N clients until ``seconds`` pass, or, with ``during`` (a coroutine), until it returns."""
    out: dict = {}
    stop = asyncio.Event()
    tasks = [asyncio.create_task(client(port, keys, stop, i, out, health)) for i in range(clients)]
    start = time.monotonic()
    result = None
    if during is not None:
        result = await during
    else:
        await asyncio.sleep(seconds)
    stop.set()
    elapsed = time.monotonic() - start
    await asyncio.gather(*tasks)
    return {"latency": out, "seconds": elapsed, "result": result}


# -- wrk (Debian's C generator) ----------------------------------------------------------------------------
# wrk's Lua cannot tell which request a response answers, so its latency percentiles are per process: the
# mix runs as three wrk processes at once, one per kind of request, with 70/20/10% of the connections each
# (the request mix follows the connection mix when the routes answer alike). Each reports its own
# requests, p50/p95/p99 and errors; the sum is the mixed load.

WRK_COMMON = """
local ids = {%(ids)s}
local subjects = {%(subjects)s}
local partner = "%(partner)s"
init = function(args) math.randomseed(%(seed)d + os.time()) end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %%d %%d %%.3f %%.3f %%.3f %%.3f %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.connect + e.read + e.write + e.timeout, e.status))
end
"""
WRK_KINDS = {
    "GET /v1/scores/{id} (partner)": """
request = function()
  local id = ids[math.random(#ids)]
  return wrk.format("GET", "/v1/scores/" .. id .. "?purpose=bike%%20rental", {Authorization = "Bearer " .. partner})
end
""",
    "POST /v1/decisions (partner)": """
request = function()
  local id = ids[math.random(#ids)]
  return wrk.format("POST", "/v1/decisions", {Authorization = "Bearer " .. partner,
    ["Content-Type"] = "application/json"}, '{"subject_id": "' .. id .. '", "policy_id": "%(policy)s"}')
end
""",
    "subject's own page data (score, history, events)": """
request = function()
  local s = subjects[math.random(#subjects)]
  local which = math.random(3)
  local path = "/v1/scores/" .. s[1]
  if which == 2 then path = path .. "/history" elseif which == 3 then path = "/v1/entities/" .. s[1] .. "/events?limit=50" end
  return wrk.format("GET", path, {Authorization = "Bearer " .. s[2]})
end
""",
}
WRK_SHARES = (0.7, 0.2, 0.1)


def ensure_wrk() -> str:
    """Debian's wrk, installed with apt-get when missing (the benchmark's own step; the tests never need it)."""
    found = shutil.which("wrk")
    if found:
        return found
    print("installing Debian's wrk ...", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [*sudo, "apt-get", "install", "-y", "-qq", "wrk"]
    if subprocess.run(install, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(install, check=True, env=env, stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or "/usr/bin/wrk"


def wrk_scripts(keys: dict, folder: Path) -> list[tuple[str, Path]]:
    values = {
        "ids": ", ".join(f'"{i}"' for i in keys["ids"]),
        "subjects": ", ".join(f'{{"{s}", "{k}"}}' for s, k in keys["subjects"].items()),
        "partner": keys["partner"],
        "policy": POLICY,
    }
    out = []
    for n, (kind, body) in enumerate(WRK_KINDS.items()):
        path = folder / f"mix-{n}.lua"
        path.write_text((WRK_COMMON + body) % {**values, "seed": 17 * (n + 1)})
        out.append((kind, path))
    return out


def run_wrk(port: int, keys: dict, clients: int, seconds: float, during=None) -> dict:
    """The mix as three concurrent wrk processes for ``seconds``, or, with ``during`` (a function run
    meanwhile), until it returns (wrk stops on SIGINT and prints its summary)."""
    exe = ensure_wrk()
    with tempfile.TemporaryDirectory() as tmp:
        procs = []
        for (kind, script), share in zip(wrk_scripts(keys, Path(tmp)), WRK_SHARES, strict=True):
            conns = max(1, round(clients * share))
            cmd = [exe, "-t", "1", "-c", str(conns), "-d", f"{seconds:.0f}s", "--timeout", "10s", "-s", str(script)]
            procs.append(
                (kind, conns, subprocess.Popen([*cmd, f"http://{HOST}:{port}"], stdout=subprocess.PIPE, text=True))
            )
        result = None
        if during is not None:
            result = during()
            for _, _, proc in procs:
                proc.send_signal(signal.SIGINT)
        rows = {}
        for kind, conns, proc in procs:
            out, _ = proc.communicate(timeout=seconds + 120)
            line = next((x for x in out.splitlines() if x.startswith("WRK ")), None)
            if line is None:
                raise SystemExit(f"wrk printed no summary for {kind}:\n{out}")
            n, us, p50, p95, p99, mx, socket_errors, status_errors = line.split()[1:]
            rows[kind] = {
                "connections": conns,
                "requests": int(n),
                "seconds": int(us) / 1e6,
                "rps": int(n) / (int(us) / 1e6),
                "p50": float(p50),
                "p95": float(p95),
                "p99": float(p99),
                "max": float(mx),
                "errors": int(socket_errors) + int(status_errors),
            }
    return {"routes": rows, "result": result}


def wrk_table(title: str, res: dict, cpu_s: float | None) -> dict:
    rows = res["routes"]
    total = sum(r["requests"] for r in rows.values())
    seconds = max(r["seconds"] for r in rows.values())
    errors = sum(r["errors"] for r in rows.values())
    print(f"\n{title}  (wrk, {seconds:.1f} s)")
    print(
        f"{'requests (connections)':<52}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>7}"
    )
    for kind, r in rows.items():
        label = f"{kind} ({r['connections']})"
        print(
            f"{label:<52}{r['requests']:>9}{r['rps']:>8.0f}{r['p50']:>8.1f}{r['p95']:>8.1f}{r['p99']:>8.1f}{r['errors']:>7}"
        )
    worst = max(r["p99"] for r in rows.values())
    print(f"{'all':<52}{total:>9}{total / seconds:>8.0f}{'':>16}{worst:>8.1f}{errors:>7}   (p99: the worst kind's)")
    per_request = 1000 * cpu_s / total if cpu_s is not None and total else None
    if per_request is not None:
        print(
            f"server CPU: {cpu_s:.1f} s = {cpu_s / seconds:.2f} cores, {per_request:.2f} ms per request "
            f"(on 2 free cores the server alone would carry about {2000 / per_request:,.0f} req/s)"
        )
    return {
        "routes": rows,
        "requests": total,
        "rps": total / seconds,
        "p99_worst": worst,
        "errors": errors,
        "seconds": seconds,
        "server_cpu_s": cpu_s,
        "server_cpu_ms_per_request": per_request,
    }


# -- phase 2: during an ingest -----------------------------------------------------------------------------


async def ingest_and_wait_current(
    port: int, ws: Path, file: Path, keys: dict, sample: list[str], warm: float, wait: float
) -> dict:
    """Run ``credence ingest`` (through the server's channel); then time until sampled scores are current."""
    await asyncio.sleep(warm)
    before = {sid: await served_score(port, keys["operator"], sid) for sid in sample}
    t0 = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        *CREDENCE, "ingest", str(file), "-w", str(ws), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    try:
        output, _ = await asyncio.wait_for(proc.communicate(), timeout=600)
    except TimeoutError:
        proc.kill()
        output, _ = await proc.communicate()
    committed = time.monotonic()
    result = {"ingest_seconds": committed - t0, "ingest_exit": proc.returncode, "ingest_output": output.decode()[-400:]}
    pending, rounds, lag = set(sample), [], None
    while pending and time.monotonic() - committed < wait:
        start = time.monotonic() - committed
        order = sorted(pending)
        # one request at a time: twenty online scorings at once would load the server more than the ingest
        served = [await served_score(port, keys["operator"], sid) for sid in order]
        fresh = [await fresh_score(port, keys["operator"], sid) for sid in order]
        pending -= {sid for sid, a, b in zip(order, served, fresh, strict=True) if a == b}
        rounds.append((round(start, 2), round(time.monotonic() - committed, 2), len(pending)))
        if not pending:
            lag = start  # every sampled score was current in the round that began this long after commit
            break
        await asyncio.sleep(0.25)
    result["rounds"] = rounds
    after = {sid: await served_score(port, keys["operator"], sid) for sid in sample}
    result |= {
        "current_after_commit_s": lag,
        "sampled": len(sample),
        "not_current": len(pending),
        "moved": sum(before[s] != after[s] for s in sample),
    }
    return result


async def score_via(port: int, key: str, path: str):
    conn = Conn(port)
    try:
        status, body = await asyncio.wait_for(conn.request("GET", path, key), timeout=30)
    except (TimeoutError, OSError, ConnectionError, asyncio.IncompleteReadError) as e:
        return type(e).__name__
    finally:
        conn.close()
    return json.loads(body).get("score") if status == 200 else f"HTTP {status}"


async def served_score(port: int, key: str, sid: str):
    return await score_via(port, key, f"/v1/scores/{sid}")


async def fresh_score(port: int, key: str, sid: str):
    """Scored on demand with the SQL online path (the explanation route), for comparison."""
    return await score_via(port, key, f"/v1/scores/{sid}/explanation")


# -- report ------------------------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s)) - 1))]


def measured(pid: int, load) -> dict:
    """Run ``load`` (a coroutine) and add the server's CPU seconds over it."""
    before = cpu_seconds(pid)
    res = asyncio.run(load)
    res["server_cpu_s"] = cpu_seconds(pid) - before
    return res


def table(title: str, res: dict) -> dict:
    lat = dict(res["latency"])
    errors = lat.pop("errors", [])
    seconds = res["seconds"]
    everything = [x for v in lat.values() for x in v]
    print(f"\n{title}  ({seconds:.1f} s)")
    print(f"{'route':<42}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}")
    rows = {}
    for route, v in sorted(lat.items()) + [("all", everything)]:
        if not v:
            continue
        row = {
            "requests": len(v),
            "rps": len(v) / seconds,
            "p50": 1000 * pct(v, 50),
            "p95": 1000 * pct(v, 95),
            "p99": 1000 * pct(v, 99),
        }
        rows[route] = row
        print(
            f"{route:<42}{row['requests']:>9}{row['rps']:>8.0f}{row['p50']:>8.1f}{row['p95']:>8.1f}{row['p99']:>8.1f}"
        )
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    cpu = res.get("server_cpu_s")
    per_request = 1000 * cpu / len(everything) if cpu is not None and everything else None
    if per_request is not None:
        print(
            f"server CPU: {cpu:.1f} s over the window = {cpu / seconds:.2f} cores, {per_request:.2f} ms per request "
            f"(the ceiling on 2 free cores is about {2000 / per_request:,.0f} req/s)"
        )
    return {
        "routes": rows,
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "seconds": seconds,
        "server_cpu_s": cpu,
        "server_cpu_ms_per_request": per_request,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workspace", type=Path, help="serve this workspace (default: build a demo)")
    ap.add_argument("--size", type=int, default=20000, help="entities in the demo workspace")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--warmup", type=float, default=10, help="seconds of the same load before each measured one")
    ap.add_argument("--subjects", type=int, default=500, help="persons who grant the partner")
    ap.add_argument("--subject-keys", type=int, default=50, help="of them, how many read their own page")
    ap.add_argument(
        "--ingest-events", type=int, default=1_000_000, help="events in the phase-2 provider file (0: skip)"
    )
    ap.add_argument("--sample", type=int, default=20, help="touched persons polled until current after the ingest")
    ap.add_argument("--wait", type=float, default=60, help="at most this long for scores to be current (s)")
    ap.add_argument("--generator", choices=("wrk", "python"), default="wrk")
    ap.add_argument(
        "--no-compare",
        dest="compare",
        action="store_false",
        help="skip the same mixed load on a server without the hot path (CREDENCE_HOT_PATH=0) first",
    )
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()

    source = args.workspace or build_demo(args.size)
    ws = OUT / f"run-{os.getpid()}"  # a copy: every run starts from the same workspace, which stays as it was
    shutil.rmtree(ws, ignore_errors=True)
    shutil.copytree(source, ws, ignore=shutil.ignore_patterns(".credence"))
    keys = prepare(ws, args.subjects, args.subject_keys)
    file = None
    if args.ingest_events:
        run_id = int(time.time()) % 10**8  # new event ids every run: a re-run must not ingest duplicates
        file = provider_file(OUT / f"provider-{run_id}.parquet", keys["persons"], args.ingest_events, seed=run_id)
    OUT.mkdir(parents=True, exist_ok=True)
    report: dict = {"clients": args.clients, "seconds": args.seconds, "generator": args.generator}
    print(f"{args.clients} clients, {len(keys['ids'])} granting subjects, generator {args.generator}", flush=True)
    try:
        if args.compare:
            port = free_port()
            proc = serve(ws, port, OUT / "serve-fastapi.log", env={"CREDENCE_HOT_PATH": "0"})
            try:
                report["mixed_fastapi_only"] = mixed(args, proc, port, keys, "mixed load, every route through FastAPI")
            finally:
                stop(proc)
        port = free_port()
        proc = serve(ws, port, OUT / "serve.log")
        try:
            report["mixed"] = mixed(args, proc, port, keys, "mixed load, hot path on (as served)")
            if args.compare:
                a, b = report["mixed_fastapi_only"], report["mixed"]
                print(
                    f"\nhot path vs FastAPI only, same run: server CPU per request "
                    f"{a['server_cpu_ms_per_request']:.2f} -> {b['server_cpu_ms_per_request']:.2f} ms "
                    f"({a['server_cpu_ms_per_request'] / b['server_cpu_ms_per_request']:.1f}x less); "
                    f"req/s {a['rps']:.0f} -> {b['rps']:.0f}"
                )
            if file is not None:
                report |= during_ingest(args, proc, port, ws, file, keys)
        finally:
            stop(proc)
    finally:
        if file is not None:
            file.unlink(missing_ok=True)
        shutil.rmtree(ws, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=60)


def server_histogram(port: int, keys: dict) -> dict[str, dict[float, float]]:
    """The server's own request durations so far (``credence_http_request_duration_seconds``, from a request's
    arrival at the app to the end of its response): ``{"METHOD route": {bucket bound: count}}``."""
    from prometheus_client.parser import text_string_to_metric_families

    req = urllib.request.Request(
        f"http://{HOST}:{port}/metrics", headers={"Authorization": f"Bearer {keys['operator']}"}
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        text = r.read().decode()
    out: dict[str, dict[float, float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "credence_http_request_duration_seconds_bucket":
                route = f"{sample.labels['method']} {sample.labels['route']}"
                out.setdefault(route, {})[float(sample.labels["le"])] = sample.value
    return out


def server_p99(before: dict, after: dict) -> dict[str, tuple[int, float]]:
    """Per route with requests between the two scrapes: (requests, the smallest bucket bound in ms that holds
    99% of them) -- what the server itself took, to tell its tail from the time spent before a request reaches it."""
    out = {}
    for route, buckets in after.items():
        delta = {le: n - before.get(route, {}).get(le, 0) for le, n in buckets.items()}
        total = delta.get(float("inf"), 0)
        if total and not route.endswith("/metrics"):
            bound = min(le for le, n in delta.items() if n >= 0.99 * total)
            out[route] = (int(total), bound * 1000)
    return out


def mixed(args, proc: subprocess.Popen, port: int, keys: dict, title: str) -> dict:
    """Warm up for ``--warmup`` seconds, then the mixed load for ``--seconds``: per-route figures and server CPU."""
    print(f"\nserving on http://{HOST}:{port} (pid {proc.pid})", flush=True)
    if args.generator == "wrk":  # warm-up (keys, grants and served rows in memory, DuckDB plans), not reported
        run_wrk(port, keys, args.clients, args.warmup)
    else:
        asyncio.run(run_load(port, keys, args.clients, args.warmup))
    if args.generator == "wrk":
        before, histogram = cpu_seconds(proc.pid), server_histogram(port, keys)
        res = run_wrk(port, keys, args.clients, args.seconds)
        out = wrk_table(title, res, cpu_seconds(proc.pid) - before)
        out["server_p99_ms"] = server_p99(histogram, server_histogram(port, keys))
        print(
            "the server's own time, p99 at most (its histogram's bucket): "
            + "; ".join(f"{route} {ms:g} ms ({n:,})" for route, (n, ms) in sorted(out["server_p99_ms"].items()))
        )
        return out
    out = table(title, measured(proc.pid, run_load(port, keys, args.clients, args.seconds)))
    out["rps"] = out["routes"]["all"]["rps"]
    return out


def during_ingest(args, proc: subprocess.Popen, port: int, ws: Path, file: Path, keys: dict) -> dict:
    """The same load while ``credence ingest FILE`` runs through the server's channel; then how long until
    the sampled touched persons' served scores equal a fresh computation."""
    sample = random.Random(5).sample(keys["ids"], min(args.sample, len(keys["ids"])))
    title = f"mixed load during the ingest of {args.ingest_events:,} events"

    def ingest():
        return asyncio.run(ingest_and_wait_current(port, ws, file, keys, sample, warm=3, wait=args.wait))

    before = cpu_seconds(proc.pid)
    if args.generator == "wrk":
        res = run_wrk(port, keys, args.clients, 900, during=ingest)
        out = wrk_table(title, res, cpu_seconds(proc.pid) - before)
    else:

        async def phase2() -> dict:
            return await run_load(port, keys, args.clients, 0, during=asyncio.to_thread(ingest))

        res = measured(proc.pid, phase2())
        out = table(title, res)
    r = res["result"]
    print(
        f"ingest through the CLI: {r['ingest_seconds']:.1f} s, exit {r['ingest_exit']}; sampled touched "
        f"scores current in the check that began {r['current_after_commit_s']:.3g} s after commit "
        f"({r['moved']}/{r['sampled']} moved, {r['not_current']} not current; checks as (began, ended, "
        f"still stale) s: {r['rounds']})"
    )
    print(r["ingest_output"].strip().splitlines()[-1] if r["ingest_output"].strip() else "(no output)")
    print("(server CPU during the ingest includes the ingest itself, which runs in the server)")
    return {"during_ingest": out, "ingest": r}


if __name__ == "__main__":
    main()
