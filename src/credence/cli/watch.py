"""A watched provider drop folder (``credence serve --watch DIR``): files that appear there are ingested.

Every ``interval`` seconds the folder is listed; a file whose size and modification time did not change since
the previous look (so it is no longer being written) is ingested exactly as ``credence ingest FILE`` would
do it inside the server (the same command, serialised with the other channel commands), then moved to
``DIR/done/`` if the command succeeded (quarantined records are in its log, as for any ingest) or to
``DIR/failed/`` if it did not, with the command's output beside it as ``NAME.log``. Hidden files and names
ending in ``.part`` or ``.tmp`` are left alone: write there, then rename.
"""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

SUFFIXES = (".csv", ".jsonl", ".json", ".ndjson", ".parquet")
DONE, FAILED = "done", "failed"


class DropFolder:
    """Watches ``folder`` for provider files and ingests them into the workspace at ``root``."""

    def __init__(self, root: Path, folder: Path, *, interval: float = 2.0, log=print):
        self.root, self.folder, self.interval, self.log = root, folder.resolve(), interval, log
        for sub in (DONE, FAILED):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        self._seen: dict[Path, tuple[int, float]] = {}
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="credence-watch", daemon=True)

    def start(self) -> DropFolder:
        self.thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        self.thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.scan()
            except Exception as e:  # the server goes on; the next look tries again
                self.log(f"watch {self.folder}: {type(e).__name__}: {e}")
            self._stop.wait(self.interval)

    def scan(self) -> list[Path]:
        """Ingest the files that are complete; returns where they were moved."""
        moved = []
        current: dict[Path, tuple[int, float]] = {}
        for path in sorted(self.folder.iterdir()):
            if not path.is_file() or path.name.startswith(".") or path.suffix.lower() not in SUFFIXES:
                continue
            st = path.stat()
            current[path] = (st.st_size, st.st_mtime)
            if self._seen.get(path) == current[path]:
                moved.append(self.ingest(path))
                current.pop(path)
        self._seen = current
        return moved

    def ingest(self, path: Path) -> Path:
        from credence.cli.app import run_forwarded

        out = io.StringIO()
        started = time.monotonic()
        code = run_forwarded(
            ["ingest", str(path), "--workspace", str(self.root)],
            cwd=str(self.root),
            env={},
            out=out,
            err=out,
            columns=120,
            color=False,
        )
        target = self.folder / (DONE if code == 0 else FAILED) / path.name
        if target.exists():
            target = target.with_name(f"{time.strftime('%Y%m%dT%H%M%S')}-{path.name}")
        path.rename(target)
        target.with_name(target.name + ".log").write_text(out.getvalue())
        lines = out.getvalue().strip().splitlines()
        self.log(
            f"watch: {path.name} -> {target.parent.name}/ in {time.monotonic() - started:.1f}s"
            + (f": {lines[-1]}" if lines else "")
        )
        return target
