"""Every operator-guide command works on a workspace while ``credence serve`` runs on it (issue 11, item 3).

The server runs for real in a subprocess on a free port; the commands go through the CLI's own entry logic
(``run``, then ``forward`` when a live server holds the workspace) from this process, with paths relative to
this test's working directory, and a few through the real ``credence`` executable. Meanwhile HTTP answers.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest

from credence.cli.app import run as run_command
from credence.cli.channel import Forward, forward, live_server, marker_path
from credence.workspace import init_workspace
from tests.served import free_port

CREDENCE = [sys.executable, "-m", "credence"]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A fresh workspace ``ws`` under a module folder, served by ``credence serve`` in a subprocess."""
    home = tmp_path_factory.mktemp("served")
    init_workspace(home / "ws").close()
    port = free_port()
    log = (home / "serve.log").open("w")
    serve = [*CREDENCE, "serve", "--port", str(port), "-w", str(home / "ws"), "--watch", str(home / "drop")]
    proc = subprocess.Popen([*serve, "--watch-interval", "0.3"], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while live_server(home / "ws") is None:
            assert proc.poll() is None and time.monotonic() < deadline, (home / "serve.log").read_text()
            time.sleep(0.2)
        yield {"home": home, "root": home / "ws", "url": f"http://127.0.0.1:{port}", "proc": proc}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


@pytest.fixture
def cli(served, capfd, monkeypatch):
    """``cli(*argv)`` runs a command as ``credence`` would, from the module folder; returns (code, out, err)."""
    monkeypatch.chdir(served["home"])
    monkeypatch.setenv("COLUMNS", "200")

    def run(*argv: str, local: bool = False) -> tuple[int, str, str]:
        capfd.readouterr()
        try:
            code = run_command(list(argv))
            went = False
        except Forward as f:
            code, went = forward(f.served, list(argv)), True
        out, err = capfd.readouterr()
        assert went is not local, f"{argv}: {'forwarded' if went else 'ran here'}"
        return code, out, err

    return run


def ok(result: tuple[int, str, str]) -> str:
    code, out, err = result
    assert code == 0, out + err
    return out + err


def test_channel_is_private_to_the_owner(served):
    folder = served["root"] / ".credence"
    sock = Path(json.loads(marker_path(served["root"]).read_text())["socket"])
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(sock.stat().st_mode) == 0o600 and stat.S_ISSOCK(sock.stat().st_mode)
    assert stat.S_IMODE(marker_path(served["root"]).stat().st_mode) == 0o600


def test_every_operator_command_while_serving(served, cli, tmp_path):
    # data in: simulate, ingest (paths relative to this directory), score twice (audit compares two)
    ok(cli("simulate", "--entities", "150", "--months", "18", "--seed", "5", "-w", "ws"))
    sim = "ws/simulated"
    out = ok(cli("ingest", f"{sim}/providers.csv", f"{sim}/entities.parquet", f"{sim}/events", "-w", "ws"))
    assert "providers received 12 = accepted 12" in out and "events received" in out
    ok(cli("score", "-w", "ws", "--as-of", (time.strftime("%Y-%m-%d", time.gmtime(time.time() - 40 * 86400)))))
    assert "snapshot" in ok(cli("score", "-w", "ws")).lower()

    report = json.loads(ok(cli("report", "P0000001", "--format", "json", "-w", "ws")))
    person = "P0000001"
    assert report["entity"]["entity_id"] == person
    assert person in ok(cli("show", person, "-w", "ws"))
    assert "points" in ok(cli("explain", person, "-w", "ws")).lower()
    assert "SELECT" in ok(cli("export-sql", "--dialect", "postgres", "-w", "ws"))
    ok(cli("export-parquet", "--out", "parquet-out", "-w", "ws"))
    assert any((served["home"] / "parquet-out").rglob("*.parquet"))  # relative to the caller's directory

    # consent, decisions and reads
    assert "bike-deposit-free" in ok(cli("policies", "-w", "ws"))
    ok(cli("keys", "create", "--role", "partner", "--name", "stayeasy", "-w", "ws"))  # grants go to registered partners
    granted = ok(
        cli("grant", person, "--to", "stayeasy", "--scope", "decisions", "--purpose", "bike rental", "-w", "ws")
    )
    grant_id = re.search(r"Granted (\S+):", granted).group(1)
    ok(cli("grant", person, "--to", "stayeasy", "--scope", "score", "--purpose", "bike rental", "-w", "ws"))
    assert grant_id in ok(cli("grants", person, "-w", "ws"))
    assert "decision" in ok(cli("decide", person, "bike-deposit-free", "--partner", "stayeasy", "-w", "ws"))
    ok(cli("read", person, "--as", "stayeasy", "--purpose", "bike rental", "-w", "ws"))
    ok(cli("revoke", grant_id, "-w", "ws"))

    # certificates: verify reads files only, so it runs here; the others go to the server
    ok(cli("certify", person, "--audience", "stayeasy", "--out", "cert.jwt", "-w", "ws"))
    assert "valid" in ok(cli("verify", "@cert.jwt", "--audience", "stayeasy", "-w", "ws", local=True))
    claims = json.loads(ok(cli("jwks", "-w", "ws")))
    assert claims["keys"]
    token = (served["home"] / "cert.jwt").read_text().strip()
    jti = json.loads(_b64(token.split(".")[1]))["jti"]
    ok(cli("revoke-certificate", jti, "--reason", "test", "-w", "ws"))
    ok(cli("rotate-key", "-w", "ws"))

    # disputes
    event = report["events"][0]
    opened = ok(cli("dispute", "open", person, event["provider_id"], event["event_id"], "-w", "ws"))
    dispute_id = re.search(r"\bD-?\S+", opened).group(0).rstrip(":,.")
    assert dispute_id in ok(cli("dispute", "list", "--entity", person, "-w", "ws"))
    ok(cli("dispute", "answer", dispute_id, "--provider", event["provider_id"], "--action", "confirm", "-w", "ws"))
    ok(cli("dispute", "expire", "-w", "ws"))

    # keys, and the served API sees a key made through the CLI at once
    made = ok(cli("keys", "create", "--role", "operator", "--name", "ops", "-w", "ws"))
    secret = re.search(r"cred_\S+", made).group(0)
    r = httpx.get(f"{served['url']}/v1/scores/{person}", headers={"Authorization": f"Bearer {secret}"}, timeout=30)
    assert r.status_code == 200, r.text
    assert "ops" in ok(cli("keys", "list", "-w", "ws"))
    ok(cli("keys", "revoke", secret.split("_")[1], "-w", "ws"))
    r = httpx.get(f"{served['url']}/v1/scores/{person}", headers={"Authorization": f"Bearer {secret}"}, timeout=30)
    assert r.status_code == 401

    # portal sign-in codes and sessions: a code made through the CLI signs in on the served portal at once
    issued = ok(cli("signin-code", person, "--url", served["url"], "-w", "ws"))
    code = re.search(r"code=(\S+)", issued).group(1)
    r = httpx.post(f"{served['url']}/signin/code", data={"code": unquote(code)}, timeout=30, follow_redirects=False)
    assert r.status_code < 400, r.text
    assert person in ok(cli("sessions", "list", "--name", person, "-w", "ws"))
    assert "Ended" in ok(cli("sessions", "revoke", person, "-w", "ws"))

    # learning and audit
    ok(cli("audit", "--no-features", "--report", "audit-out", "-w", "ws"))
    assert (served["home"] / "audit-out").exists()

    # retention and erasure
    ok(cli("purge", "--dry-run", "-w", "ws"))
    ok(cli("purge", "-w", "ws"))
    code, out, err = cli("erase", "P0000002", "-w", "ws", local=True)
    assert code == 1 and "--yes" in err  # the usual one-line error, through the channel
    ok(cli("erase", "P0000002", "--yes", "-w", "ws"))
    code, _, err = cli("show", "P0000002", "-w", "ws")
    assert code == 1 and "P0000002" in err


def wait_for(path: Path, seconds: float = 60) -> Path:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} did not appear"
        time.sleep(0.2)
    return path


def test_drop_folder_ingests_and_moves_files(served, cli):
    drop = served["home"] / "drop"
    part = drop / "late.csv.part"  # written under a name the watcher ignores, then renamed: complete at once
    part.write_text("provider_id,name,categories\nlatebird,Late Bird lending,lending\n")
    part.rename(drop / "late.csv")
    (drop / "broken.csv").write_text("provider_id,name\nno-categories,Missing a column\n")
    log = wait_for(drop / "done" / "late.csv.log").read_text()
    assert "providers received 1 = accepted 1" in log and not (drop / "late.csv").exists()
    assert (drop / "done" / "late.csv").exists()
    failed = wait_for(drop / "failed" / "broken.csv.log").read_text()
    assert "categories" in failed
    # the provider is there for the next command
    assert "duplicate 1" in ok(cli("ingest", "drop/done/late.csv", "-w", "ws"))


def test_json_exit_codes_and_usage_errors_through_the_channel(served, cli):
    shown = json.loads(ok(cli("show", "P0000001", "--json", "-w", "ws")))  # stdout alone: one JSON document
    assert shown["entity_id"] == "P0000001" and "history" in shown
    found = json.loads(ok(cli("scores", "--kind", "person", "--limit", "3", "--json", "-w", "ws")))
    assert found["total"] > 0 and len(found["scores"]) == 3
    (served["home"] / "bad.csv").write_text("provider_id,name,categories\nbadcat,Bad,no-such-category\n")
    code, out, err = cli("ingest", "bad.csv", "--strict", "-w", "ws")
    assert code == 3 and "strict: 1 of 1 record(s) quarantined" in err, out + err
    code, out, err = cli("show", "--nope", "-w", "ws", local=True)  # a usage error never reaches the server
    assert code == 2 and "No such option: --nope" in err and "Traceback" not in err


def test_environment_and_the_real_executable(served, cli):
    env = {**os.environ, "CREDENCE_WORKSPACE": str(served["root"]), "COLUMNS": "160"}
    p = subprocess.run(
        [*CREDENCE, "keys", "list"], cwd=served["home"], env=env, capture_output=True, text=True, timeout=120
    )
    assert p.returncode == 0 and "key id" in p.stdout, p.stderr
    p = subprocess.run(
        [*CREDENCE, "serve", "--port", str(free_port())], cwd=served["root"], capture_output=True, text=True
    )
    assert p.returncode == 1 and f"pid {served['proc'].pid}" in p.stderr and "already served" in p.stderr


def test_a_store_held_by_another_program_is_named(tmp_path):
    init_workspace(tmp_path / "ws").close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb,sys,time; c=duckdb.connect(sys.argv[1]); print(1, flush=True); time.sleep(60)",
            str(tmp_path / "ws" / "credence.duckdb"),
        ],
        stdout=subprocess.PIPE,
    )
    try:
        holder.stdout.readline()
        p = subprocess.run([*CREDENCE, "keys", "list", "-w", str(tmp_path / "ws")], capture_output=True, text=True)
        assert p.returncode == 1
        assert f"PID {holder.pid}" in p.stderr and "time.sleep(60)" in p.stderr and f"kill {holder.pid}" in p.stderr
        assert "check the workspace path" not in p.stderr
    finally:
        holder.kill()
        holder.wait()


def _b64(part: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="per-thread priority: Linux")
def test_a_command_run_by_the_server_yields_the_cpu_to_its_requests():
    """``run_forwarded`` lowers the CPU priority of its own thread only (a channel connection's thread)."""
    from credence.cli.app import JOB_NICE, _in_background

    seen = {}

    def job():
        _in_background()
        seen["job"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    t = threading.Thread(target=job)
    t.start()
    t.join()
    assert seen["job"] == max(before, JOB_NICE) and JOB_NICE > 0
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before  # the caller's thread is not touched
