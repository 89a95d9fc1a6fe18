"""Finding 1: every pseudonymised output resists re-identification by hashing candidate ids.

The attacker knows the id scheme (P1, P2, ... or P0000001, ...) and tries every common unkeyed digest of every
registered id, whole and truncated, against the auditor's access log and the erasure records; details must
carry no score. Pseudonyms are keyed per workspace, and rotating the key changes them.
"""

from __future__ import annotations

import hashlib
import re

from credence.api.auth import create_key
from credence.services import pseudonyms
from credence.services.access import read_score
from credence.services.certificates import certify
from credence.services.decisions import decide
from credence.services.grants import grant
from credence.services.retention import erase, erasures

BANDS = ("poor", "fair", "good", "excellent", "extraordinary")
ALGORITHMS = ("md5", "sha1", "sha224", "sha256", "sha384", "sha512", "blake2b", "blake2s", "sha3_256")


def dictionary(ids: list[str]) -> set[str]:
    """Every unkeyed digest (hex, whole and any prefix of 8+ characters) of every candidate id, and the ids."""
    out = set()
    for i in ids:
        out |= {i, i.lower()}
        for alg in ALGORITHMS:
            for text in (i, i.lower(), f"entity:{i}", f"subject:{i}"):
                h = hashlib.new(alg, text.encode()).hexdigest()
                out |= {h[:n] for n in range(8, len(h) + 1)}
    return out


def tokens(value: str | None) -> set[str]:
    """The parts of a pseudonym an attacker would try to match: the whole, and every hex run in it."""
    if value is None:
        return set()
    return {value, *re.findall(r"[0-9a-f]{8,}", value)}


def test_the_auditors_access_log_names_no_one_and_carries_no_score(api, api_ws):
    keys = api_ws["keys"]
    api.post("/v1/grants", key=keys["subject"], json={"viewer_id": "citybike", "purpose": "bike rental"})
    for who in ("subject", "subject_other", "partner", "operator"):  # self-reads, a grant read, refusals
        api.get("/v1/scores/P1?purpose=bike%20rental", key=keys[who])
    api.get("/v1/scores/P2", key=keys["operator"])
    api.get("/v1/scores/P2", key=keys["subject_other"])
    rows = api.get("/v1/access-log", key=keys["auditor"]).json()
    assert len(rows) >= 6
    ids = [r["entity_id"] for r in api.app.state.ctx.ws.store.query("SELECT entity_id FROM entities")]
    known = dictionary(ids + [f"P{n}" for n in range(1, 100)])
    for r in rows:
        for column in ("subject_id", "viewer_id"):
            assert not tokens(r[column]) & known, f"{column} {r[column]} re-identified"
        assert r["subject_id"].startswith("ps1:")
        assert not re.search(r"\b[3-9]\d\d\b", r["detail"] or ""), f"a score in the detail: {r['detail']}"
    self_reads = [r for r in rows if r["viewer_id"] == r["subject_id"]]
    assert self_reads, "a self-read keeps one pseudonym for subject and viewer (linkable, not identifiable)"
    assert any(r["viewer_id"] == "citybike" for r in rows)  # partners are organisations, named
    # the operator sees the ids: the bureau holds the data anyway
    assert any(r["subject_id"] == "P1" for r in api.get("/v1/access-log", key=keys["operator"]).json())


def test_log_details_never_carry_a_score(ws):
    create_key(ws.store, "partner", "stayeasy")
    grant(ws, "P1", "bikeshare", "decisions", "bike rental", "30d")
    grant(ws, "P1", "bikeshare", "score", "bike rental", "30d")
    read_score(ws, "P1", "P1")
    read_score(ws, "P1", "bikeshare", "bike rental")
    decide(ws, "P1", "bike-deposit-free", "bikeshare")
    certify(ws, "P1", "hotel")
    details = [r["detail"] for r in ws.store.query("SELECT detail FROM access_log")]
    assert len(details) >= 4
    score = read_score(ws, "P1", "P1")["score"]
    for d in details:
        assert str(score) not in (d or "") and not re.search(r"\b[3-9]\d\d\b", d or ""), d
        assert not set(re.findall(r"[a-z]+", d or "")) & set(BANDS), d
        assert "granted" not in (d or "")  # an outcome with the policy's threshold bounds the score


def test_pseudonyms_are_keyed_per_workspace_and_rotation_unlinks_them(ws, tmp_path, template_workspace):
    import shutil

    from credence.workspace import open_workspace

    other_root = tmp_path / "other"
    shutil.copytree(template_workspace, other_root)
    other = open_workspace(other_root)
    try:
        assert pseudonyms.pseudonym(ws, "P1") != pseudonyms.pseudonym(other, "P1")
    finally:
        other.close()
    before = pseudonyms.pseudonym(ws, "P1")
    assert pseudonyms.pseudonym(ws, "P1") == before  # stable: an auditor can follow one subject
    key = pseudonyms.key_path(ws)
    assert key.stat().st_mode & 0o077 == 0, "the key is readable by the bureau's account only"
    assert key.parent != ws.db_path.parent or key.name != ws.db_path.name
    assert pseudonyms.rotate_key(ws) == 2
    after = pseudonyms.pseudonym(ws, "P1")
    assert after.startswith("ps2:") and after[4:] != before[4:]
    # the key is not in the database: a copy of the database alone cannot recompute any pseudonym
    hexkey = key.read_text().split(":", 1)[1].strip()
    assert hexkey.encode() not in ws.db_path.read_bytes()


def test_an_erasure_record_cannot_be_reversed_by_hashing_ids(ws):
    grant(ws, "P2", "P1", "score", "curiosity", "30d")
    record = erase(ws, "P1")
    known = dictionary([f"P{n}" for n in range(1, 100)])
    stored = erasures(ws)[0]
    for value in (record["subject_hash"], stored["subject_hash"]):
        assert not tokens(value) & known
    assert record["subject_hash"] == pseudonyms.pseudonym(ws, "P1")  # the bureau can still tell
    mention = ws.store.scalar("SELECT viewer_id FROM grants WHERE subject_id = 'P2'")
    assert mention.startswith("erased:") and not tokens(mention) & known


def test_threads_making_the_first_key_at_once_share_one_key(ws):
    """The first pseudonym of a workspace makes its key; readers racing to make it all end with the same key
    (a second key written over the first would make earlier pseudonyms unlinkable), and leave no stray file."""
    import threading

    key = pseudonyms.key_path(ws)
    assert not key.exists()
    start = threading.Barrier(8)
    got, errors = [], []

    def first_use() -> None:
        start.wait()
        try:
            got.append(pseudonyms.pseudonym(ws, "P1"))
        except Exception as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=first_use) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(set(got)) == 1 and len(got) == 8
    assert got[0] == pseudonyms.pseudonym(ws, "P1") and [p.name for p in key.parent.iterdir()].count(key.name) == 1
    assert not [p for p in key.parent.iterdir() if p.name.endswith(".tmp")]
