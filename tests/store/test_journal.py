"""The group commit's journal (store/journal.py): a unit is acknowledged once journaled, while the store is
busy; readers of its table see it; a journal left by a killed process is replayed into the store exactly once,
its torn tail ignored; values come back as they went in."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date, datetime
from decimal import Decimal

import pytest

from credence.store import Store
from credence.store.journal import HEADER, Journal, decode, encode

INSERT = "INSERT INTO t (stamp, name, n) VALUES (?, ?, ?)"


def make(path) -> Store:
    s = Store(path)
    with s.transaction() as con:
        con.execute("CREATE TABLE IF NOT EXISTS t (stamp TIMESTAMP, name VARCHAR NOT NULL, n INTEGER)")
    return s


def test_values_come_back_as_they_went_in():
    unit = (
        [
            (INSERT, [datetime(2026, 12, 1, 7, 30, 1, 5), 'a\n"b" ☃', None]),
            ("X", [date(2026, 1, 2), Decimal("1.10"), 3.5, True, ["x", None]]),
        ],
        ["P1", "hash"],
    )
    statements, subject = decode(encode(unit))
    assert statements == unit[0] and subject == ("P1", "hash")
    with pytest.raises(TypeError, match="journal cannot hold a bytes"):
        encode(([("X", [b"raw"])], None))


def test_an_append_is_acknowledged_while_the_store_is_busy_and_readers_wait_for_it(tmp_path):
    store = make(tmp_path / "j.duckdb")
    try:
        busy, acknowledged = threading.Event(), threading.Event()

        def hold_the_store():  # as a long commit would: the store thread cannot store meanwhile
            with store.group.paused():
                busy.set()
                acknowledged.wait(30)
                time.sleep(0.2)

        holder = threading.Thread(target=hold_the_store)
        holder.start()
        busy.wait(30)
        store.append([(INSERT, [datetime(2026, 1, 1), "kept", 1])])  # returns: journaled and flushed
        acknowledged.set()
        assert store.group.units == 0 and any((tmp_path / "j.duckdb.journal").iterdir())
        # a reader of the table waits for the store thread; it sees the row
        assert [r["name"] for r in store.query("SELECT name FROM t")] == ["kept"]
        holder.join()
        assert store.group.units == 1
    finally:
        store.close()
    assert not any((tmp_path / "j.duckdb.journal").iterdir())  # closed cleanly: nothing left to replay


def test_a_journal_left_behind_is_replayed_exactly_once_and_a_torn_tail_ignored(tmp_path):
    path = tmp_path / "r.duckdb"
    make(path).close()
    journal = Journal(str(path) + ".journal")
    journal.write([(seq, encode(([(INSERT, [datetime(2026, 1, 1), f"r{seq}", seq])], None))) for seq in (1, 2, 3)])
    journal.close()
    segment = next((tmp_path / "r.duckdb.journal").iterdir())
    whole = segment.read_bytes()
    with segment.open("ab") as f:  # a record whose flush never returned: cut short
        f.write(HEADER.pack(100, 0, 4) + b'[[["INSERT')
    store = Store(path)
    try:
        assert [r["name"] for r in store.query("SELECT name FROM t ORDER BY n")] == ["r1", "r2", "r3"]
        assert store.group.replayed == 3 and store.scalar("SELECT seq FROM journal_state") == 3
        assert not any((tmp_path / "r.duckdb.journal").iterdir())
    finally:
        store.close()
    # the same records again (as if the journal had not been emptied after the replay): the store holds them
    segment.write_bytes(whole)
    store = Store(path)
    try:
        assert store.count("t") == 3 and store.group.replayed == 0
        store.append([(INSERT, [None, "after", 9])])  # seqs go on after the replayed ones
        assert store.count("t") == 4 and store.scalar("SELECT seq FROM journal_state") == 4
    finally:
        store.close()


KILLED = """
import os, sys, threading
from datetime import datetime
from credence.store import Store
store = Store(sys.argv[1])
with store.transaction() as con:
    con.execute("CREATE TABLE IF NOT EXISTS t (stamp TIMESTAMP, name VARCHAR NOT NULL, n INTEGER)")
held = store.group.paused()
held.__enter__()  # the store thread can store nothing: acknowledged units stay in the journal
for i in range(50):
    store.append([("INSERT INTO t (stamp, name, n) VALUES (?, ?, ?)", [datetime(2026, 1, 1), f"k{i}", i])])
    print(i, flush=True)  # acknowledged
threading.Event().wait()
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_acknowledged_units_survive_kill_9_before_they_reach_the_store(tmp_path):
    path = tmp_path / "k.duckdb"
    proc = subprocess.Popen([sys.executable, "-c", KILLED, str(path)], stdout=subprocess.PIPE, text=True)
    acknowledged = [proc.stdout.readline() for _ in range(50)]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    assert len(acknowledged) == 50
    store = Store(path)
    try:
        assert [r["n"] for r in store.query("SELECT n FROM t ORDER BY n")] == list(range(50))
        assert store.group.replayed == 50
    finally:
        store.close()


def test_a_unit_the_store_refuses_after_its_journal_flush_is_logged_and_never_blocks_the_others(tmp_path, caplog):
    """A constraint the check before the journal cannot see (a CHECK): the unit was acknowledged, so it is
    logged with its rows and counted; the others are stored, and a reopen does not replay it again."""
    path = tmp_path / "p.duckdb"
    store = Store(path)
    try:
        with store.transaction() as con:
            con.execute("CREATE TABLE c (name VARCHAR NOT NULL, n INTEGER CHECK (n > 0))")
        sql = "INSERT INTO c (name, n) VALUES (?, ?)"
        with store.group.paused():  # all three reach the store in one transaction, which fails
            for name, n in (("a", 1), ("bad", -1), ("b", 2)):
                store.append([(sql, [name, n])])
        assert sorted(r["name"] for r in store.query("SELECT name FROM c")) == ["a", "b"]
        assert store.group.refused == 1
        assert "refused a journaled unit" in caplog.text and '"bad",-1' in caplog.text
    finally:
        store.close()
    store = Store(path)
    try:
        assert store.group.replayed == 0 and store.count("c") == 2
    finally:
        store.close()
