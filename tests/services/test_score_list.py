"""Finding entities by today's score (``credence scores``): filters, paging and change since a snapshot."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest

from credence.errors import NotFoundError, ValidationError
from credence.services.score_list import list_scores
from credence.services.serving import current_score
from credence.store import queries
from credence.workspace import open_workspace


@pytest.fixture(scope="module")
def scored(template, tmp_path_factory):
    root = tmp_path_factory.mktemp("score-list") / "ws"
    shutil.copytree(template["root"], root)  # list_scores brings current_scores up to now: a write
    ws = open_workspace(root)
    yield ws, template["now"]
    ws.close()


def ids(found: dict) -> list[str]:
    return [r["entity_id"] for r in found["scores"]]


def test_everyone_by_default_ordered_by_id_with_todays_scores(scored):
    ws, _ = scored
    found = list_scores(ws)
    assert ids(found) == ["B1", "P1", "P2", "P3", "P4"] and found["total"] == 5 and found["since"] is None
    for row in found["scores"]:
        served = current_score(ws, row["entity_id"])
        assert (row["score"], row["band"], row["kind"]) == (served["score"], served["band"], served["kind"])


def test_filters(scored):
    ws, _ = scored
    assert ids(list_scores(ws, kinds=["business"])) == ["B1"]
    assert ids(list_scores(ws, bands=["insufficient data"])) == ["P3"]
    everyone = list_scores(ws)["scores"]
    scores = sorted(r["score"] for r in everyone if r["score"] is not None)
    low, high = scores[0], scores[-1]
    ranged = list_scores(ws, min_score=low + 1, max_score=high)
    assert all(low < r["score"] <= high for r in ranged["scores"]) and ranged["total"] == len(scores) - 1
    band = everyone[1]["band"]
    assert all(r["band"] == band for r in list_scores(ws, bands=[band])["scores"])


def test_pages(scored):
    ws, _ = scored
    pages = [list_scores(ws, limit=2, offset=k) for k in (0, 2, 4)]
    assert [ids(p) for p in pages] == [["B1", "P1"], ["P2", "P3"], ["P4"]]
    assert {p["total"] for p in pages} == {5}


def test_changed_since_compares_with_the_snapshot_as_of_then(scored):
    ws, now = scored
    found = list_scores(ws, changed_since=(now - timedelta(days=20)).isoformat())
    month_ago = found["since"]
    assert month_ago["as_of"] <= now - timedelta(days=29)
    before = {r["entity_id"]: r for r in ws.store.query("SELECT * FROM scores WHERE snapshot_id = ?",
                                                        [month_ago["snapshot_id"]])}  # fmt: skip
    expected = [
        r["entity_id"]
        for r in list_scores(ws)["scores"]
        if r["entity_id"] not in before
        or (before[r["entity_id"]]["score"], before[r["entity_id"]]["band"]) != (r["score"], r["band"])
    ]
    assert ids(found) == expected
    for r in found["scores"]:
        assert r["previous_score"] == before.get(r["entity_id"], {}).get("score")
    latest = queries.latest_snapshot(ws.store)["snapshot_id"]
    assert list_scores(ws, changed_since=latest)["since"]["snapshot_id"] == latest  # a snapshot id works too


def test_mistakes_name_the_field(scored):
    ws, now = scored
    with pytest.raises(NotFoundError, match="no score snapshot") as e:
        list_scores(ws, changed_since="2000-01-01")
    assert e.value.field == "changed_since"
    with pytest.raises(ValidationError, match="above max_score"):
        list_scores(ws, min_score=700, max_score=600)
    with pytest.raises(ValidationError, match="outside 350-950"):
        list_scores(ws, min_score=100)
    with pytest.raises(ValidationError, match="limit"):
        list_scores(ws, limit=0)
