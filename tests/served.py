"""Servers for tests: a free loopback port, and ``credence serve`` in its own process as a user starts it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def credence_serve(root: Path, port: int, *options: str) -> Iterator[tuple[subprocess.Popen, httpx.Client]]:
    """``credence serve --port PORT -w ROOT [OPTIONS]`` in its own process; yields it and an HTTP client on it
    once ``/v1/health`` answers (within 120 s). Stopped at the end unless the test already stopped it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "credence", "serve", "--port", str(port), "-w", str(root), *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "160", "NO_COLOR": "1"},
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if http.get("/v1/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read().decode()
                time.sleep(0.2)
            yield proc, http
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
