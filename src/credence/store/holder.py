"""Who holds a store file: DuckDB's lock error names the process; say which program it is and what to do."""

from __future__ import annotations

import re
from pathlib import Path

_HELD = re.compile(r"Conflicting lock is held in (?P<exe>.*?) \(PID (?P<pid>\d+)\)")


def command_line(pid: int) -> str | None:
    """The command line of process ``pid`` (Linux ``/proc``), or None when it cannot be read."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    words = [w.decode(errors="replace") for w in raw.split(b"\0") if w]
    return " ".join(words) or None


def lock_holder_message(path: str, error: str) -> tuple[str, str] | None:
    """(message, fix) when ``error`` is DuckDB's lock conflict on ``path``; None for any other error."""
    m = _HELD.search(error)
    if not m:
        return None
    pid = int(m["pid"])
    cmd = command_line(pid) or m["exe"]
    if "credence" in cmd and " serve" in f" {cmd}":
        fix = (
            f"CLI commands go through a running 'credence serve' by its channel; this one did not answer: stop it "
            f"(kill {pid}) and start it again"
        )
    else:
        fix = f"wait for that program to finish, or stop it (kill {pid}), then run the command again"
    return f"the store {path} is held by another program: PID {pid} ({cmd})", fix
