"""The group commit (store/commit.py): rows from many callers, threads and an event loop, land exactly as
sent (types, NULLs, order within a unit) in few transactions; a failing unit fails alone; inside
``no_blocking`` a store read raises ``WouldBlock`` and inside ``deferred`` an append only collects."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime, timedelta

import pytest

from credence.store import Store
from credence.store.commit import WouldBlock, deferred, no_blocking

INSERT = "INSERT INTO t (stamp, name, flag, n, x, tags) VALUES (?, ?, ?, ?, ?, ?)"


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "g.duckdb")
    with s.transaction() as con:
        con.execute(
            "CREATE TABLE t (stamp TIMESTAMP, name VARCHAR NOT NULL, flag BOOLEAN, n INTEGER, x DOUBLE, tags VARCHAR[])"
        )
        con.execute("CREATE TABLE u (name VARCHAR, k INTEGER)")
    yield s
    s.close()


def row(i: int) -> list:
    """A row whose every column is NULL in some rows (but ``name``)."""
    at = datetime(2026, 1, 1) + timedelta(seconds=i)
    return [
        at if i % 3 else None,
        f"n{i}",
        None if i % 5 == 0 else i % 2 == 0,
        i if i % 7 else None,
        i / 4 if i % 4 else None,
        [f"t{i}", None] if i % 6 else None,
    ]


def stored(store: Store) -> list[tuple]:
    return [tuple(r.values()) for r in store.query("SELECT * FROM t ORDER BY name")]


def test_rows_from_threads_and_a_loop_land_exactly_in_few_commits(store):
    threads = [
        threading.Thread(target=lambda k=k: [store.append([(INSERT, row(i))]) for i in range(k, 400, 8)])
        for k in range(4)
    ]

    async def from_the_loop():
        async def one(i):
            await store.group.commit(
                [([(INSERT, row(i)), ("INSERT INTO u (name, k) VALUES (?, ?)", [f"n{i}", i])], None)]
            )

        await asyncio.gather(*(one(i) for i in range(400) if i % 8 >= 4))

    for t in threads:
        t.start()
    asyncio.run(from_the_loop())
    for t in threads:
        t.join()
    expected = sorted((tuple(row(i)) for i in range(400)), key=lambda r: r[1])
    assert stored(store) == expected
    assert store.count("u") == 200
    assert store.group.units == 400 and store.group.commits < 400
    assert store.group._columns[INSERT].startswith("INSERT INTO t (stamp, name, flag, n, x, tags) SELECT unnest(")


def test_a_failing_unit_fails_alone_and_its_caller_hears_of_it(store):
    bad = [(INSERT, [None, None, True, 1, 1.0, None])]  # name is NOT NULL

    async def run():
        good = [([(INSERT, row(i))], None) for i in range(5)]
        results = await asyncio.gather(
            store.group.commit(good[:2]),
            store.group.commit([(bad, None)]),
            store.group.commit(good[2:]),
            return_exceptions=True,
        )
        return results

    first, failed, last = asyncio.run(run())
    assert first is None and last is None
    assert "NOT NULL" in str(failed)
    assert [r[1] for r in stored(store)] == [f"n{i}" for i in range(5)]
    with pytest.raises(Exception, match="NOT NULL"):
        store.append(bad)


def test_no_blocking_refuses_store_reads_and_deferred_collects_appends(store):
    units: list = []
    with deferred(units), no_blocking():
        store.append([(INSERT, row(1))])
        with pytest.raises(WouldBlock):
            store.query("SELECT 1")
        with pytest.raises(WouldBlock), store.transaction():
            pass
    assert units == [([(INSERT, row(1))], None)] and store.count("t") == 0
    asyncio.run(store.group.commit(units))
    assert stored(store) == [tuple(row(1))]
