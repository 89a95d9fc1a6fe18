"""The group commit's journal: the small records a read or a decision must leave, durable before DuckDB has them.

A unit (a few INSERTs and their parameters) is acknowledged once it is in this file and the file is flushed
to disk (the segment is opened with ``O_DSYNC``: one system call writes and flushes); the group commit moves it into the store afterwards (``store/commit.py``). So a
response never waits for DuckDB's COMMIT, which a long write (a provider's batch of a million events, with
its checkpoint) holds for seconds.

The journal is a directory beside the database file (``credence.duckdb.journal/``) of segments, each a run of
framed records: ``length, crc32, seq`` (little-endian ``<IIQ``) then the unit as JSON. A record cut short by a
crash (its write never returned, so nobody was told it was kept) fails its length or checksum and ends
its segment's records. The store remembers the last seq it holds (``journal_state``, written in the same
transaction as the rows), so replaying a journal at open moves each record into the store exactly once.
Segments whose records are all in the store are deleted (or, the one being written, emptied).
"""

from __future__ import annotations

import json
import os
import struct
import threading
import zlib
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

HEADER = struct.Struct("<IIQ")  # payload length, crc32 of the payload, seq
SEGMENT_BYTES = 4 << 20  # a new segment once the one being written holds this much
Unit = tuple[list[tuple[str, list]], tuple[str, str] | None]  # (statements, (entity id, erasure key) or None)


def encode(unit: Unit) -> bytes:
    """A unit as JSON, its dates and decimals tagged (``{"$t": ...}``) so ``decode`` gives back the same values."""
    return json.dumps(unit, default=_tag, separators=(",", ":")).encode()


def decode(payload: bytes) -> Unit:
    statements, subject = json.loads(payload, object_hook=_untag)
    return [(sql, params) for sql, params in statements], None if subject is None else tuple(subject)


def _tag(value):
    if isinstance(value, datetime):
        return {"$t": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$n": str(value)}
    raise TypeError(f"a journal cannot hold a {type(value).__name__} ({value!r})")


def _untag(obj: dict):
    if len(obj) == 1:
        ((key, value),) = obj.items()
        if key == "$t":
            return datetime.fromisoformat(value)
        if key == "$d":
            return date.fromisoformat(value)
        if key == "$n":
            return Decimal(value)
    return obj


class Journal:
    """The segments of one database file's journal. ``write`` appends records and flushes them to disk;
    ``records`` reads back every whole record; ``discard_through(seq)`` drops what the store holds."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self.directory.mkdir(exist_ok=True)
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._name: str | None = None  # the segment being written
        self._size = 0
        self._last = 0  # the last seq written to the segment being written
        self._closed: list[tuple[str, int]] = []  # older segments: (name, their last seq)

    def segments(self) -> list[str]:
        return sorted(p.name for p in self.directory.iterdir() if p.name.isdigit())

    def records(self) -> Iterator[tuple[int, Unit]]:
        """Every whole record of every segment, in order (a torn record ends its segment)."""
        for name in self.segments():
            data = (self.directory / name).read_bytes()
            at = 0
            while at + HEADER.size <= len(data):
                length, crc, seq = HEADER.unpack_from(data, at)
                payload = data[at + HEADER.size : at + HEADER.size + length]
                if len(payload) < length or zlib.crc32(payload) != crc:
                    break
                yield seq, decode(payload)
                at += HEADER.size + length

    def write(self, records: list[tuple[int, bytes]]) -> None:
        """Append ``(seq, encoded unit)`` records and flush them to disk: kept once this returns."""
        blob = b"".join(HEADER.pack(len(p), zlib.crc32(p), seq) + p for seq, p in records)
        with self._lock:
            if self._fd is None or self._size >= SEGMENT_BYTES:
                self._start_segment()
            view = memoryview(blob)
            while view:  # O_DSYNC: each write returns once its data is on disk (one system call, not two)
                view = view[os.write(self._fd, view) :]
            self._size += len(blob)
            self._last = records[-1][0]

    def discard_through(self, seq: int) -> None:
        """Drop the records up to ``seq`` (the store holds them): older segments deleted, the segment being
        written emptied when all of it is held."""
        with self._lock:
            while self._closed and self._closed[0][1] <= seq:
                (self.directory / self._closed.pop(0)[0]).unlink(missing_ok=True)
            if self._fd is not None and self._size and self._last <= seq:
                os.ftruncate(self._fd, 0)
                self._size = 0

    def reset(self) -> None:
        """Delete every segment (after a replay moved them all into the store)."""
        with self._lock:
            self._close_fd()
            for name in self.segments():
                (self.directory / name).unlink()
            self._closed.clear()

    def close(self) -> None:
        with self._lock:
            self._close_fd()

    def _start_segment(self) -> None:
        if self._fd is not None:
            self._closed.append((self._name, self._last))
            self._close_fd()
        names = self.segments()
        self._name = f"{int(names[-1]) + 1 if names else 1:012d}"
        self._fd = os.open(self.directory / self._name, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_DSYNC, 0o600)
        self._size = 0
        dir_fd = os.open(self.directory, os.O_RDONLY)  # the new file's name is durable too
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def _close_fd(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
