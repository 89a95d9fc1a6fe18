"""Compiled SQL kept on disk between processes (``credence.sql.cache``): the same text back, keyed by content
and code, rebuilt when the file is damaged, and no error where the folder cannot be written."""

from __future__ import annotations

from credence.sql import cache


def test_the_second_call_reads_what_the_first_built(tmp_path):
    calls = []

    def build():
        calls.append(1)
        return {"everyone": "SELECT 1", "pending": "SELECT 2"}

    assert cache.cached(tmp_path, "cards-a", build) == build()
    calls.clear()
    assert cache.cached(tmp_path, "cards-a", build) == {"everyone": "SELECT 1", "pending": "SELECT 2"}
    assert calls == []  # from the file
    cache.cached(tmp_path, "cards-b", build)
    assert calls == [1]  # other content, other key
    assert len(list(tmp_path.glob("*.json"))) == 2 and not list(tmp_path.glob("*.tmp"))


def test_a_damaged_file_is_rebuilt_and_an_unwritable_folder_is_no_error(tmp_path):
    cache.cached(tmp_path, "cards", lambda: {"q": "SELECT 1"})
    (path,) = tmp_path.glob("*.json")
    path.write_text('{"q": 1')
    assert cache.cached(tmp_path, "cards", lambda: {"q": "SELECT 3"}) == {"q": "SELECT 3"}
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert cache.cached(blocked / "sub", "cards", lambda: {"q": "SELECT 4"}) == {"q": "SELECT 4"}


def test_the_key_covers_the_code_that_writes_sql():
    assert len(cache.code_version()) == 64
    assert cache.code_version() == cache.code_version()


def test_served_statements_survive_a_new_process(built, monkeypatch):
    from credence.services import serving
    from credence.services.scoring import distinct_cards
    from credence.sql import compiler
    from credence.workspace import open_workspace

    ws = open_workspace(built["root"])
    try:
        plan, catalogue, folder = distinct_cards(ws.scorecards), ws.catalogue, built["root"] / "compiled"
        monkeypatch.setattr(serving, "_COMPILED", {})  # compiled here, whatever ran before in this process
        first = serving.compiled(plan, catalogue, folder)
        monkeypatch.setattr(serving, "_COMPILED", {})  # as in a new process
        monkeypatch.setattr(compiler, "population_query", None)  # compiling again would fail
        again = serving.compiled(plan, catalogue, folder)
        assert (again.everyone, again.pending, again.fingerprint) == (first.everyone, first.pending, first.fingerprint)
    finally:
        ws.close()
