"""The store's generation cache: a value stands until the next committed write of that database file."""

from __future__ import annotations

from credence.store.cache import GenerationCache


class FakeStore:
    def __init__(self, path: str, generation: int | None):
        self.path, self.generation = path, generation


def test_a_value_stands_until_the_generation_moves(tmp_path):
    cache, calls = GenerationCache(), []
    store = FakeStore(str(tmp_path / "a.duckdb"), 1)

    def compute():
        calls.append(1)
        return len(calls)

    assert cache.get(store, "k", compute) == 1
    assert cache.get(store, "k", compute) == 1 and cache.hits == 1
    store.generation = 2  # a write committed
    assert cache.get(store, "k", compute) == 2
    other = FakeStore(str(tmp_path / "b.duckdb"), 2)  # another file: its own entries
    assert cache.get(other, "k", compute) == 3


def test_nothing_is_kept_without_a_generation_or_for_memory_stores(tmp_path):
    cache, calls = GenerationCache(), []
    for store in (FakeStore(str(tmp_path / "a.duckdb"), None), FakeStore(":memory:", 1)):
        cache.get(store, "k", lambda: calls.append(1))
        cache.get(store, "k", lambda: calls.append(1))
    assert len(calls) == 4 and cache.hits == 0


def test_it_stays_bounded(tmp_path):
    cache = GenerationCache(maxsize=3)
    store = FakeStore(str(tmp_path / "a.duckdb"), 1)
    for i in range(10):
        cache.get(store, i, lambda i=i: i)
    assert len(cache._data) <= 3
