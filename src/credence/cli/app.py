"""The Typer app, shared options, and how errors reach the user (one line, no traceback)."""

from __future__ import annotations

import contextlib
import contextvars
import io
import os
import sys
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.color import ColorSystem
from rich.console import Console

from credence.cli import channel, helptypes
from credence.errors import CredenceError

if TYPE_CHECKING:
    from credence.workspace import Workspace

# The panels of `credence --help`: every command names one (``rich_help_panel=SCORING``).
WORKSPACE = "Workspace"  # create, demo, keys that sign, retention
DATA = "Data"  # files in and out: simulate, ingest, load, export
SCORING = "Scoring"  # score, show, explain, list scores, SQL
RIGHTS = "Rights"  # consent, decisions, certificates, disputes, disclosure, erasure
LEARNING = "Learning"  # train, validate, compare, promote, audit
SERVING = "Serving"  # the server, its keys, sessions and subscriptions

app = typer.Typer(
    name="credence",
    help="Credence: open, auditable credit and reputation scoring (350-950, explained, contestable).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

WorkspaceOption = typer.Option(
    None, "--workspace", "-w", help="Workspace directory (default: the current directory).", envvar="CREDENCE_WORKSPACE"
)

# Inside `credence serve`, a command sent over the channel runs with its own streams and a list of the
# workspaces it opened (closed when it ends). Outside, both are unset and the command runs as usual.
_streams: contextvars.ContextVar[tuple | None] = contextvars.ContextVar("credence_streams", default=None)
_opened: contextvars.ContextVar[list | None] = contextvars.ContextVar("credence_opened", default=None)
_serial = threading.Lock()  # channel commands run one at a time (cwd and environment are per process)
JOB_NICE = 10  # a command run by the server yields the CPU to its requests (Linux: per-thread priority)


def _in_background() -> None:
    """Lower this thread's CPU priority (its channel connection's own thread, gone when the command ends): an
    ingest or a scoring run in the server uses the cores the requests leave, so they keep their latency.
    DuckDB runs a command's query on the calling thread (and ``--store-threads`` - 1 helpers of its own)."""
    with contextlib.suppress(AttributeError, OSError):  # not Linux, or not allowed: run at the same priority
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, max(JOB_NICE, os.getpriority(os.PRIO_PROCESS, tid)))  # never higher


def _version(value: bool) -> None:
    if value:
        from credence import __version__

        typer.echo(f"credence {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Credence: open, auditable credit and reputation scoring (350-950, explained, contestable)."""


def workspace(path: Path | None) -> Workspace:
    """The workspace a command works on; if a live ``credence serve`` holds it, the command goes there."""
    from credence.workspace import open_workspace

    ws = open_workspace(path)
    opened = _opened.get()
    if opened is None:
        served = channel.live_server(ws.root)
        if served is not None:
            raise channel.Forward(served)
    else:
        opened.append(ws)
    from credence.services.serving import attach

    attach(ws)  # the command's writes re-score what they touch (current_scores), in their transaction
    return ws


def in_server() -> bool:
    """Whether this command runs inside ``credence serve`` (sent over its channel), not in a process of its own."""
    return _opened.get() is not None


def run(argv: list[str] | None = None) -> int:
    """Run one command line; errors become one line on stderr. Returns the exit code."""
    try:
        rv = app(args=argv, prog_name="credence", standalone_mode=False)
    except CredenceError as e:
        err_console.print(f"[bold red]error:[/] {e}", highlight=False, soft_wrap=True)
        return 1
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("aborted")
        return 130
    except typer.Exit as e:
        return e.exit_code
    except channel.Forward:
        raise
    except Exception as e:  # usage errors (Typer's click: the exception has show() and exit_code)
        if callable(getattr(e, "show", None)) and isinstance(getattr(e, "exit_code", None), int):
            if hasattr(e, "ctx") and e.ctx is None:  # raised by the parser: show the command's usage too
                e.ctx = helptypes.context_of(app, argv if argv is not None else sys.argv[1:])
            e.show()
            return e.exit_code
        raise
    return rv if isinstance(rv, int) else 0


def main() -> None:
    if not sys.stdout.isatty() and not os.environ.get("COLUMNS"):
        os.environ["COLUMNS"] = "120"  # piped output (logs, CI) gets 120 columns rather than Rich's 80
    argv = sys.argv[1:]
    try:
        code = run(argv)
    except channel.Forward as f:
        code = channel.forward(f.served, argv)
    sys.exit(code)


class _RoutedStream:
    """``sys.stdout``/``sys.stderr`` inside the server: a channel command's own stream, else the real one."""

    def __init__(self, real, index: int):
        self._real, self._index = real, index

    def _target(self):
        streams = _streams.get()
        return streams[self._index] if streams else self._real

    def write(self, text: str) -> int:
        return self._target().write(text)

    def flush(self) -> None:
        self._target().flush()

    def isatty(self) -> bool:
        return self._target().isatty()

    def __getattr__(self, name: str):
        return getattr(self._target(), name)


def _route_std_streams() -> None:
    if not isinstance(sys.stdout, _RoutedStream):
        sys.stdout = _RoutedStream(sys.stdout, 0)
    if not isinstance(sys.stderr, _RoutedStream):
        sys.stderr = _RoutedStream(sys.stderr, 1)
    if not isinstance(sys.stdin, _RoutedStream):
        sys.stdin = _RoutedStream(sys.stdin, 2)  # a channel command reads an empty stdin, never the server's


@contextlib.contextmanager
def _console_shape(columns: int, color: bool) -> Iterator[None]:
    """The caller's terminal width and colour for the CLI consoles (safe: channel commands run one at a time)."""
    saved = [(c, c._width, c._color_system) for c in (console, err_console)]
    for c in (console, err_console):
        c.width = max(40, columns)
        c._color_system = ColorSystem.TRUECOLOR if color else None
    try:
        yield
    finally:
        for c, width, system in saved:
            c._width, c._color_system = width, system


@contextlib.contextmanager
def _caller_env(cwd: str, env: dict[str, str]) -> Iterator[None]:
    saved_cwd = os.getcwd()
    saved = {k: v for k, v in os.environ.items() if k.startswith("CREDENCE_")}
    for k in saved:
        del os.environ[k]
    os.environ.update(env)
    os.chdir(cwd)  # paths on the command line are the caller's, relative to its directory
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        for k in [k for k in os.environ if k.startswith("CREDENCE_")]:
            del os.environ[k]
        os.environ.update(saved)


def run_forwarded(argv: list[str], *, cwd: str, env: dict[str, str], out, err, columns: int, color: bool) -> int:
    """Run a command sent over the serve channel, in this (the server's) process; returns its exit code."""
    _route_std_streams()
    _in_background()
    with _serial:
        streams, opened = _streams.set((out, err, io.StringIO())), _opened.set([])
        try:
            with _caller_env(cwd, env), _console_shape(columns, color):
                return run(argv)
        except Exception:  # a bug in a command must not take the server down: the caller sees it
            err.write(traceback.format_exc())
            return 1
        finally:
            for ws in _opened.get() or []:
                with contextlib.suppress(Exception):
                    ws.close()
            _streams.reset(streams)
            _opened.reset(opened)
