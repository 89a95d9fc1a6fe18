"""The local channel of ``credence serve``: CLI commands on a served workspace run inside the server.

DuckDB lets one process open a store file for writing. While ``credence serve`` holds the store, it also
listens on a Unix domain socket inside the workspace (``.credence/serve.sock``, mode 0600, in a 0700 folder,
and every caller's uid checked with ``SO_PEERCRED``: only the workspace's owner may use it) and writes a marker
(``.credence/serve.json``: pid, socket, URL). A CLI command that opens a workspace finds the marker, sends
its argv, working directory and ``CREDENCE_*`` environment to the server, and prints what comes back: the
server runs the command in-process on the same store (one command at a time, so CLI writes are serialised
among themselves; HTTP requests go on meanwhile) and streams its stdout, stderr and exit code.

Frames are JSON lines. Request: ``{"argv", "cwd", "env", "columns", "color"}``. Replies:
``{"out": text}``, ``{"err": text}``, then ``{"exit": code}``.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import socketserver
import struct
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from credence.errors import ConfigError

FOLDER = ".credence"
MARKER = "serve.json"
SOCKET = "serve.sock"
MAX_REQUEST = 1 << 20
SOCKET_PATH_MAX = 100  # sun_path holds 108 bytes; longer workspace paths put the socket in a private temp folder


@dataclass(frozen=True)
class Served:
    """A live ``credence serve`` on a workspace, as its marker describes it."""

    pid: int
    socket: str
    url: str


class Forward(Exception):  # noqa: N818 - a signal to the CLI's main, not an error
    """Raised by the CLI's ``workspace()`` when a live server holds the workspace: main sends the command there."""

    def __init__(self, served: Served):
        self.served = served
        super().__init__(f"workspace served by pid {served.pid}")


def marker_path(root: Path) -> Path:
    return root / FOLDER / MARKER


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def live_server(root: Path) -> Served | None:
    """The server on ``root`` if its marker names a live process whose socket answers; else None."""
    try:
        m = json.loads(marker_path(root).read_text())
        served = Served(int(m["pid"]), str(m["socket"]), str(m.get("url", "")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if served.pid == os.getpid() or not pid_alive(served.pid):
        return None
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        try:
            s.connect(served.socket)
        except OSError:
            return None
    return served


# -- the server side ---------------------------------------------------------------------------------------


class _Frames:
    """A text stream that sends what is written as ``{stream: text}`` frames (thread-safe)."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, sock: socket.socket, lock: threading.Lock, stream: str):
        self._sock, self._lock, self._stream = sock, lock, stream

    def write(self, text: str | bytes) -> int:
        if isinstance(text, bytes | bytearray):  # click.echo writes bytes as they are when no binary stream exists
            text = bytes(text).decode("utf-8", errors="replace")
        if text:
            send(self._sock, self._lock, {self._stream: text})
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True


def send(sock: socket.socket, lock: threading.Lock, frame: dict) -> None:
    with lock, contextlib.suppress(OSError):  # a client that went away does not stop the command
        sock.sendall(json.dumps(frame).encode() + b"\n")


def peer_uid(sock: socket.socket) -> int:
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1]


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        from credence.cli.app import run_forwarded

        sock: socket.socket = self.request
        if peer_uid(sock) != os.getuid():
            return  # only the workspace's owner (the server's own user) may run commands
        line = self.rfile.readline(MAX_REQUEST)
        if not line:
            return  # a liveness probe
        lock = threading.Lock()
        try:
            req = json.loads(line)
            argv = [str(a) for a in req["argv"]]
        except (ValueError, KeyError, TypeError):
            send(sock, lock, {"err": "error: malformed request on the serve channel\n"})
            send(sock, lock, {"exit": 2})
            return
        code = run_forwarded(
            argv,
            cwd=str(req.get("cwd") or "/"),
            env={k: str(v) for k, v in (req.get("env") or {}).items() if k.startswith("CREDENCE_")},
            out=_Frames(sock, lock, "out"),
            err=_Frames(sock, lock, "err"),
            columns=int(req.get("columns") or 120),
            color=bool(req.get("color")),
        )
        send(sock, lock, {"exit": code})


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class Channel:
    """The listening side, started by ``credence serve``; ``close()`` removes the marker and socket."""

    def __init__(self, root: Path, url: str):
        self.root = root
        folder = root / FOLDER
        folder.mkdir(mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)
        path = folder / SOCKET
        self._tmp: str | None = None
        if len(str(path)) > SOCKET_PATH_MAX:
            self._tmp = tempfile.mkdtemp(prefix="credence-serve-")  # 0700, this user's only
            path = Path(self._tmp) / SOCKET
        with contextlib.suppress(FileNotFoundError):
            path.unlink()  # a stale socket of a server that died (live_server said none answers)
        old = os.umask(0o177)
        try:
            self.server = _Server(str(path), _Handler)
        finally:
            os.umask(old)
        os.chmod(path, 0o600)
        self.socket = path
        marker = marker_path(root)
        tmp = marker.with_suffix(".tmp")
        tmp.write_text(json.dumps({"pid": os.getpid(), "socket": str(path), "url": url}))
        os.chmod(tmp, 0o600)
        tmp.replace(marker)
        self.thread = threading.Thread(target=self.server.serve_forever, name="credence-channel", daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        with contextlib.suppress(OSError):
            m = json.loads(marker_path(self.root).read_text())
            if m.get("pid") == os.getpid():
                marker_path(self.root).unlink()
        with contextlib.suppress(OSError):
            self.socket.unlink()
        if self._tmp:
            with contextlib.suppress(OSError):
                os.rmdir(self._tmp)


def refuse_second_server(root: Path) -> None:
    served = live_server(root)
    if served:
        raise ConfigError(
            f"the workspace {root} is already served by credence serve (pid {served.pid}) at {served.url}",
            fix="use that server (CLI commands on this workspace go through it), or stop it first",
        )


# -- the client side ---------------------------------------------------------------------------------------


def forward(served: Served, argv: list[str]) -> int:
    """Run ``argv`` in the server and copy its output here; returns the command's exit code."""
    env = {k: v for k, v in os.environ.items() if k.startswith("CREDENCE_")}
    try:
        columns = os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError):
        columns = int(os.environ.get("COLUMNS") or 120)
    request = {"argv": argv, "cwd": os.getcwd(), "env": env, "columns": columns, "color": sys.stdout.isatty()}
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        try:
            s.connect(served.socket)
            s.sendall(json.dumps(request).encode() + b"\n")
        except OSError as e:
            raise ConfigError(
                f"credence serve (pid {served.pid}) holds this workspace but its channel {served.socket} refused "
                f"the command: {e}",
                fix=f"stop that server (kill {served.pid}) and run the command again",
            ) from None
        try:
            for line in s.makefile("rb"):
                frame = json.loads(line)
                if "out" in frame:
                    sys.stdout.write(frame["out"])
                    sys.stdout.flush()
                elif "err" in frame:
                    sys.stderr.write(frame["err"])
                    sys.stderr.flush()
                elif "exit" in frame:
                    return int(frame["exit"])
        except BrokenPipeError:  # `credence ... | head`: the reader left; the command still ends in the server
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 141
    sys.stderr.write(f"error: credence serve (pid {served.pid}) closed the channel before the command finished\n")
    return 1
