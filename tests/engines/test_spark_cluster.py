"""The Spark engine on a real standalone cluster: a master and a worker started on loopback from the pyspark
installation (``spark-class ...Master`` / ``...Worker``), scored with ``--master spark://127.0.0.1:PORT``; the
snapshot equals DuckDB's. One small store, one cluster for the module."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from datetime import datetime
from pathlib import Path

import pytest

from credence.generators import synthetic
from credence.services.scoring import score_population
from credence.testing import SCORE_FIELDS
from credence.workspace import init_workspace
from tests.served import free_port

pytestmark = pytest.mark.spark

AS_OF = datetime(2026, 1, 1)


def start(spark_class: Path, role: str, args: list[str], log: Path, env: dict) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(
            [str(spark_class), f"org.apache.spark.deploy.{role.lower()}.{role}", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # its own process group: stopped as a whole
        )


def wait_for(log: Path, pattern: str, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if re.search(pattern, log.read_text(errors="replace")):
            return
        if proc.poll() is not None:
            break
        time.sleep(0.5)
    raise RuntimeError(f"{log.name}: no '{pattern}' in time:\n{log.read_text(errors='replace')[-3000:]}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A standalone master and one worker (1 core, 1 GB) on 127.0.0.1 and free ports; yields the master URL."""
    pyspark = pytest.importorskip("pyspark")
    from credence.engines.spark import java_available

    if not java_available():
        pytest.skip("no Java runtime")
    spark_class = Path(pyspark.__file__).parent / "bin" / "spark-class"
    logs = tmp_path_factory.mktemp("spark-cluster")
    env = {**os.environ, "SPARK_HOME": str(spark_class.parents[1]), "SPARK_LOCAL_IP": "127.0.0.1",
           "SPARK_LOG_DIR": str(logs), "SPARK_WORKER_DIR": str(logs / "work")}  # fmt: skip
    port = free_port()
    url = f"spark://127.0.0.1:{port}"
    master = start(
        spark_class, "Master", ["--host", "127.0.0.1", "--port", str(port), "--webui-port", str(free_port())],
        logs / "master.log", env,
    )  # fmt: skip
    procs = [master]
    try:
        wait_for(logs / "master.log", r"I have been elected leader|Starting Spark master", master)
        worker = start(
            spark_class, "Worker",
            ["--host", "127.0.0.1", "--webui-port", str(free_port()), "--cores", "1", "--memory", "1g", url],
            logs / "worker.log", env,
        )  # fmt: skip
        procs.append(worker)
        wait_for(logs / "worker.log", r"Successfully registered with master", worker)
        yield {"url": url, "logs": logs}
    finally:
        for p in reversed(procs):
            stop(p)


def test_spark_on_a_standalone_cluster_writes_the_same_snapshot_as_duckdb(tmp_path, cluster):
    ws = init_workspace(tmp_path / "ws")
    with ws.store.transaction() as con:
        synthetic.generate(con, events=600, entities=60, seed=9, as_of=AS_OF)
    steps: list[str] = []
    spark_snap = score_population(ws, engine="spark", as_of=AS_OF, master=cluster["url"], progress=steps.append)
    duck_snap = score_population(ws, as_of=AS_OF)
    assert any(cluster["url"] in s for s in steps), steps
    # the work ran on the cluster: the master registered the application and the worker launched an executor
    assert re.search(r"Registering app credence", (cluster["logs"] / "master.log").read_text())
    assert re.search(r"Asked to launch executor", (cluster["logs"] / "worker.log").read_text())
    assert (spark_snap.engine, spark_snap.scored + spark_snap.insufficient) == ("spark", 60)
    assert (spark_snap.scored, spark_snap.insufficient, spark_snap.bands) == (
        duck_snap.scored,
        duck_snap.insufficient,
        duck_snap.bands,
    )
    cols = ", ".join(SCORE_FIELDS + ["as_of", "scorecard"])
    differing = ws.store.scalar(
        f"SELECT count(*) FROM ((SELECT {cols} FROM scores WHERE snapshot_id = ?) "
        f"EXCEPT ALL (SELECT {cols} FROM scores WHERE snapshot_id = ?))",
        [spark_snap.snapshot_id, duck_snap.snapshot_id],
    )
    assert differing == 0
    ws.close()
