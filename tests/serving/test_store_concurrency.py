"""Reads in parallel on per-thread cursors; small records committed in groups, none lost, a bad one alone."""

from __future__ import annotations

import threading

import duckdb
import pytest

from credence.store import Store


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "c.duckdb")
    yield s
    s.close()


def test_group_commit_commits_every_unit_in_fewer_transactions(store):
    def writer(k: int) -> None:
        for n in range(25):
            store.append(
                [
                    (
                        "INSERT INTO access_log VALUES (now()::TIMESTAMP, ?, 'v', 'read_score', ?, NULL, true, NULL)",
                        [f"S{k}", f"{k}-{n}"],
                    )
                ]
            )

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.count("access_log") == 16 * 25
    assert store.group.units == 16 * 25 and store.group.commits < store.group.units


def test_a_failing_unit_fails_alone(store):
    errors = []

    def writer(k: int) -> None:
        sql = "INSERT INTO access_log VALUES (now()::TIMESTAMP, ?, 'v', 'read_score', NULL, NULL, true, NULL)"
        try:
            store.append([(sql, [f"S{k}"]), (sql if k != 3 else "INSERT INTO no_such_table VALUES (?)", [f"S{k}"])])
        except duckdb.Error as e:
            errors.append((k, e))

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [k for k, _ in errors] == [3]
    assert store.count("access_log") == 7 * 2  # the failing unit's first row is not committed either


def test_reads_run_on_each_threads_own_cursor_while_a_write_is_open(store):
    with store.transaction() as con:
        con.execute("INSERT INTO purges VALUES (now()::TIMESTAMP, '{}')")
        seen = []
        t = threading.Thread(target=lambda: seen.append(store.count("purges")))
        t.start()
        t.join(timeout=10)
        assert seen == [0]  # not blocked by the writer, and it does not see the uncommitted row
    assert store.count("purges") == 1
    assert store.reader() is store.reader()
