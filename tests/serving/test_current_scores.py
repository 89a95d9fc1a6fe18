"""Served current scores are exactly a fresh ``score_entity`` at that moment, whatever the writes before.

A hypothesis property test drives random sequences of every kind of write that can move a score (ingest
batches, vouches and their acceptance and revocation, corrections, disputes opened and answered, expiry,
retention purge, erasure), future-stamped events, and the clock crossing days (with or without the next day's
rows prepared ahead), through the real services, and after each step compares every served score, band,
dimension points and reasons with ``score_entity``.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credence.clock import utcnow
from credence.errors import NotFoundError
from credence.services import disputes, retention, serving
from credence.services.ingest import ingest_records
from credence.services.scoring import score_entity
from credence.store import current
from credence.workspace import init_workspace

PERSONS = ["P1", "P2", "P3", "P4", "P5"]
ENTITIES = [*PERSONS, "B1"]
PROVIDERS = [
    {"provider_id": "bank", "name": "Bank", "categories": "lending;bills"},
    {"provider_id": "bikes", "name": "Bikes", "categories": "rentals"},
    {"provider_id": "idcheck", "name": "ID check", "categories": "identity;capacity"},
    {"provider_id": "circle", "name": "Circle", "categories": "connections"},
    {"provider_id": "court", "name": "Court", "categories": "public_records"},
]
PROVIDER_OF = {
    "instalment_paid_on_time": "bank",
    "instalment_paid_late": "bank",
    "loan_default": "bank",
    "rental_returned_ok": "bikes",
    "rental_returned_late": "bikes",
    "identity_verified": "idcheck",
    "income_verified": "idcheck",
    "court_judgment_unfulfilled": "court",
}
START = (utcnow() - timedelta(days=40)).replace(hour=20, minute=0, second=0)  # well before the wall clock
DIMS = ("credit_history", "behaviour", "capacity", "identity", "connections")


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def event(event_id: str, entity: str, type_: str, at: datetime, **kw) -> dict:
    row = {
        "provider_id": kw.pop("provider", PROVIDER_OF.get(type_, "circle")),
        "event_id": event_id,
        "entity_id": entity,
        "occurred_at": at.isoformat(),
        "type": type_,
    }
    if type_ in ("instalment_paid_on_time", "instalment_paid_late", "loan_default", "income_verified"):
        row["amount"] = 300.0 if type_ != "income_verified" else 5000.0
    if type_ == "instalment_paid_late":
        row["days_late"] = 35
    return row | {k: v for k, v in kw.items() if v is not None}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One workspace for every example, reset to the same facts before each (so SQL compiles once)."""
    root = tmp_path_factory.mktemp("serving") / "ws"
    ws = init_workspace(root)
    clock = Clock()
    serving.attach(ws, clock=clock)
    ingest_records(ws.store, PROVIDERS, kind="providers", catalogue=ws.catalogue)
    entities = [{"entity_id": e, "kind": "person", "display_name": e} for e in PERSONS]
    ingest_records(
        ws.store,
        [*entities, {"entity_id": "B1", "kind": "business", "display_name": "B1"}],
        kind="entities",
        catalogue=ws.catalogue,
    )
    history = []
    for e in ENTITIES:
        for m in range(10):
            history.append(event(f"{e}-i{m}", e, "instalment_paid_on_time", START - timedelta(days=30 * m + 3)))
        history.append(event(f"{e}-id", e, "identity_verified", START - timedelta(days=50)))
        history.append(event(f"{e}-bike", e, "rental_returned_ok", START - timedelta(days=12)))
    # an adverse event just inside retention: it stops counting on a day boundary the clock may cross
    retention_days = ws.catalogue.retention_days(ws.catalogue.type("loan_default"))
    history.append(event("P2-old", "P2", "loan_default", START - timedelta(days=retention_days, hours=-6)))
    history.append(event("P3-older", "P3", "loan_default", START - timedelta(days=retention_days + 30)))
    # a live vouch P1 -> P2 (both consent)
    history.append(event("v-P1-P2", "P1", "vouch_given", START - timedelta(days=100), counterparty_id="P2"))
    history.append(event("a-P2-P1", "P2", "vouch_accepted", START - timedelta(days=99), counterparty_id="P1"))
    ingest_records(ws.store, history, catalogue=ws.catalogue)
    tables = [r[0] for r in ws.store.reader().execute("SELECT table_name FROM duckdb_tables()").fetchall()]
    base = {t: ws.store.reader().execute(f"SELECT * FROM {t}").fetchall() for t in tables}
    yield ws, clock, base
    ws.close()


def reset(ws, clock: Clock, base: dict) -> None:
    clock.now = START
    with ws.store.transaction(hooks=False) as con:
        for table, rows in base.items():
            con.execute(f"DELETE FROM {table}")
            if rows:
                con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)
        con.execute("DELETE FROM current_state")  # the copy is as good as a fresh store: rebuild on first read


def fresh(ws, entity: str, now: datetime):
    try:
        row = score_entity(ws, entity, as_of=now, detail=True)
    except NotFoundError:
        return None
    return row | {"feature_points": [f["points"] for f in row["features"]]}


def served(ws, entity: str):
    try:
        return serving.current_score(ws, entity, feature_points=True)
    except NotFoundError:
        return None


def same(a: dict | None, b: dict | None) -> bool:
    if a is None or b is None:
        return a is b
    key = lambda r: (  # noqa: E731
        r["score"],
        r["band"],
        r["reasons"],
        [r[f"points_{d}"] for d in DIMS],
        r["scorecard"],
        [float(p) for p in r["feature_points"]],  # the portal's dimension table and simulator read these
    )
    return key(a) == key(b)


entity = st.sampled_from(ENTITIES)
person = st.sampled_from(PERSONS)
ops = st.one_of(
    st.tuples(
        st.just("ingest"),
        entity,
        st.sampled_from(sorted(PROVIDER_OF)),
        st.integers(0, 400),  # days ago
    ),
    st.tuples(st.just("future"), entity, st.sampled_from(["loan_default", "identity_verified"]), st.integers(1, 300)),
    st.tuples(st.just("vouch"), person, person, st.booleans()),
    st.tuples(st.just("revoke"), person, person),
    st.tuples(st.just("correct"), entity),
    st.tuples(st.just("dispute"), entity),
    st.tuples(st.just("answer"), st.sampled_from(["confirm", "retract", "correct"])),
    st.tuples(st.just("expire")),
    st.tuples(st.just("purge")),
    st.tuples(st.just("erase"), entity),
    st.tuples(st.just("advance"), st.integers(1, 30)),  # hours: crosses midnight now and then
    st.tuples(st.just("prepare")),  # tomorrow's rows computed now, brought in when the clock crosses midnight
    st.tuples(st.just("read"), entity),
)


def pending_dispute(ws, dispute_id: str) -> bool:
    try:
        return disputes.get_dispute(ws, dispute_id)["status"] == "pending"
    except NotFoundError:  # its subject was erased, or its event purged, since it was opened
        return False


def apply(ws, clock: Clock, op: tuple, n: int, store: dict) -> None:
    now = clock.now
    kind = op[0]
    if kind == "ingest":
        _, e, type_, days = op
        ingest_records(
            ws.store, [event(f"x{n}", e, type_, now - timedelta(days=days, minutes=1))], catalogue=ws.catalogue
        )
    elif kind == "future":  # stamped after now: it counts once the clock reaches it
        _, e, type_, minutes = op
        ingest_records(ws.store, [event(f"f{n}", e, type_, now + timedelta(minutes=minutes))], catalogue=ws.catalogue)
    elif kind == "vouch":
        _, a, b, accepted = op
        rows = [event(f"v{n}", a, "vouch_given", now - timedelta(hours=1), counterparty_id=b)]
        if accepted:
            rows.append(event(f"a{n}", b, "vouch_accepted", now - timedelta(minutes=30), counterparty_id=a))
        ingest_records(ws.store, rows, catalogue=ws.catalogue)
    elif kind == "revoke":
        _, a, b = op
        ingest_records(
            ws.store,
            [event(f"r{n}", a, "vouch_revoked", now - timedelta(minutes=10), counterparty_id=b)],
            catalogue=ws.catalogue,
        )
    elif kind == "correct":  # the provider re-sends an instalment as paid late, superseding the original
        e = op[1]
        rows = ws.store.query(
            "SELECT event_id FROM effective_events WHERE entity_id = ? AND type = 'instalment_paid_on_time' "
            "ORDER BY event_id LIMIT 1",
            [e],
        )
        if rows:
            at = ws.store.scalar("SELECT occurred_at FROM events WHERE event_id = ?", [rows[0]["event_id"]])
            fix = event(f"c{n}", e, "instalment_paid_late", at, supersedes=rows[0]["event_id"])
            ingest_records(ws.store, [fix], catalogue=ws.catalogue)
    elif kind == "dispute":
        e = op[1]
        rows = ws.store.query(
            "SELECT provider_id, event_id FROM effective_events WHERE entity_id = ? AND event_id NOT IN "
            "(SELECT event_id FROM disputes) AND type <> 'vouch_given' ORDER BY occurred_at DESC LIMIT 1",
            [e],
        )
        if rows:
            d = disputes.open_dispute(ws, e, rows[0]["provider_id"], rows[0]["event_id"], at=now)
            store.setdefault("open", []).append(d["dispute_id"])
    elif kind == "answer":
        pending = [d for d in store.get("open", []) if pending_dispute(ws, d)]
        if pending:
            d = disputes.get_dispute(ws, pending[0])
            correction = {"type": "instalment_paid_late", "days_late": 40} if op[1] == "correct" else None
            disputed = ws.store.scalar("SELECT type FROM events WHERE event_id = ?", [d["event_id"]])
            if correction and disputed != "instalment_paid_on_time":
                correction = {"occurred_at": (now - timedelta(days=2)).isoformat()}
            disputes.answer_dispute(ws, d["dispute_id"], d["provider_id"], op[1], correction=correction, at=now)
    elif kind == "expire":
        disputes.expire_disputes(ws, now + timedelta(days=31))
    elif kind == "purge":
        retention.purge(ws, now=now)
    elif kind == "erase":
        try:
            retention.erase(ws, op[1], at=now)
        except NotFoundError:
            pass  # already erased
    elif kind == "advance":
        clock.now = now + timedelta(hours=op[1])
    elif kind == "prepare":
        serving.prepare_next(ws)
    elif kind == "read":
        pass
    if kind != "advance":
        clock.now += timedelta(minutes=1)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
@given(steps=st.lists(ops, min_size=3, max_size=8))
def test_served_scores_equal_a_fresh_score_entity_after_any_writes(world, steps):
    ws, clock, base = world
    reset(ws, clock, base)
    store: dict = {}
    for n, op in enumerate(steps):
        apply(ws, clock, op, n, store)
        targets = ENTITIES if n == len(steps) - 1 else sorted({op[1] if op[0] == "read" else "P1", "P2"})
        for e in targets:
            got, want = served(ws, e), fresh(ws, e, clock.now)
            assert same(got, want), (op, e, got, want)


def test_a_change_is_re_scored_in_its_own_transaction(world):
    """The ingest's transaction re-scores the touched entity and its vouch neighbour: nothing is left pending."""
    ws, clock, base = world
    reset(ws, clock, base)
    s = serving.attach(ws)
    serving.current_score(ws, "P1")  # the day's rebuild
    rebuilds, settles = s.rebuilds, s.settles
    before = served(ws, "P1")
    clock.now += timedelta(minutes=1)
    # P2 (whom P1 vouches for) defaults: P2 re-scores, and so does P1 (its vouchee_adverse reads P2's events)
    ingest_records(
        ws.store, [event("late", "P2", "loan_default", clock.now - timedelta(days=1))], catalogue=ws.catalogue
    )
    assert ws.store.scalar("SELECT count(*) FROM current_pending") == 0
    assert s.settles == settles + 1 and s.rebuilds == rebuilds
    touched = ws.store.query("SELECT entity_id FROM current_scores WHERE as_of = ? ORDER BY 1", [clock.now])
    assert [r["entity_id"] for r in touched] == ["P1", "P2"]
    after = served(ws, "P1")
    assert same(after, fresh(ws, "P1", clock.now)) and not same(before, after)


def test_a_re_score_updates_changed_rows_where_they_lie_and_leaves_the_others(world):
    """Re-scored rows are updated in place (the same rowid: the index on entity_id is not touched, so a large
    re-score does not hold every other statement of the process at its COMMIT), and a marked entity whose
    values did not move keeps its row and its computed_at."""
    ws, clock, base = world
    reset(ws, clock, base)
    serving.current_score(ws, "P1")  # the day's rebuild

    def rows() -> dict:
        return {r["entity_id"]: (r["rowid"], r["as_of"]) for r in ws.store.query("SELECT rowid, * FROM current_scores")}

    before = rows()
    clock.now += timedelta(minutes=1)
    ingest_records(  # P2 defaults: P2 and its voucher P1 move
        ws.store, [event("moves", "P2", "loan_default", clock.now - timedelta(days=1))], catalogue=ws.catalogue
    )
    with ws.store.transaction() as con:  # P3 marked, nothing of it changed
        current.mark_ids(con, ["P3"])
    after = rows()
    assert after.keys() == before.keys()
    assert all(after[e][0] == before[e][0] for e in before)  # no row deleted and inserted again
    assert after["P1"][1] == after["P2"][1] == clock.now and after["P3"] == before["P3"]
    for e in ("P1", "P2", "P3"):
        assert same(served(ws, e), fresh(ws, e, clock.now))


def test_without_the_hook_a_change_waits_in_pending_and_the_next_read_settles_it(world):
    ws, clock, base = world
    reset(ws, clock, base)
    serving.current_score(ws, "P3")
    serving.detach(ws)
    try:
        ingest_records(
            ws.store, [event("lone", "P3", "loan_default", clock.now - timedelta(days=1))], catalogue=ws.catalogue
        )
        assert ws.store.scalar("SELECT count(*) FROM current_pending") >= 1
    finally:
        serving.attach(ws, clock=clock)
    assert same(served(ws, "P3"), fresh(ws, "P3", clock.now))
    assert ws.store.scalar("SELECT count(*) FROM current_pending") == 0


def test_unknown_entities_and_past_times_take_the_online_path(world):
    ws, clock, base = world
    reset(ws, clock, base)
    with pytest.raises(NotFoundError):
        serving.current_score(ws, "NOBODY")
    past = clock.now - timedelta(days=200)
    row = serving.score_at(ws, "P1", past)
    want = fresh(ws, "P1", past)
    assert row["as_of"] == past and same(row | {"feature_points": want["feature_points"]}, want)


def test_the_next_day_prepared_ahead_is_brought_in_at_midnight_exact_and_without_a_rebuild(world):
    """Prepared at 23:40; then an ingest, a future-stamped event due at 00:03 and an erasure before midnight;
    the day's first read copies the prepared rows in (no population run) and every served score equals a
    fresh one. The erased subject's row left the prepared rows when it was erased."""
    ws, clock, base = world
    reset(ws, clock, base)
    s = serving.attach(ws)
    clock.now = START.replace(hour=23, minute=40)
    assert served(ws, "P1") is not None  # today's rows hold at 23:40
    midnight = serving.prepare_next(ws)
    assert midnight == (START + timedelta(days=1)).replace(hour=0, minute=0)
    assert ws.store.count("current_next") == len(ENTITIES)
    clock.now += timedelta(minutes=5)
    ingest_records(
        ws.store, [event("late-1", "P1", "loan_default", clock.now - timedelta(days=2))], catalogue=ws.catalogue
    )
    ingest_records(
        ws.store, [event("soon", "P3", "loan_default", midnight + timedelta(minutes=3))], catalogue=ws.catalogue
    )
    retention.erase(ws, "P4", at=clock.now)
    assert ws.store.count("current_next") == len(ENTITIES) - 1  # P4's prepared row went with the erasure
    assert not ws.store.query("SELECT 1 FROM current_next WHERE entity_id = 'P4'")
    rebuilds, brought_in = s.rebuilds, s.brought_in
    for minutes in (1, 5):  # before and after the future-stamped event comes due
        clock.now = midnight + timedelta(minutes=minutes)
        for e in ENTITIES:
            assert same(served(ws, e), fresh(ws, e, clock.now)), (minutes, e)
    assert (s.rebuilds, s.brought_in) == (rebuilds, brought_in + 1)
    assert ws.store.count("current_next") == 0 and ws.store.scalar("SELECT count(*) FROM current_next_state") == 0


def test_at_midnight_a_read_waits_for_the_prepared_rows_instead_of_computing_online(world, monkeypatch):
    """While the day prepared for is brought in (the writer lock held longer than ``LOCK_WAIT``), a read of the
    new day waits for it and is served from the table; on a day with nothing prepared, a read that finds the
    lock held does not wait: it computes online."""
    ws, clock, base = world
    reset(ws, clock, base)
    clock.now = START.replace(hour=23, minute=40)
    assert served(ws, "P1") is not None
    midnight = serving.prepare_next(ws)
    online: list[str] = []
    real = serving._online
    monkeypatch.setattr(serving, "_online", lambda *a, **kw: online.append(a[1]) or real(*a, **kw))

    def read_while_the_lock_is_held(entity: str, then=None):
        held = threading.Event()

        def holder():
            with ws.store.write_lock:
                held.set()
                time.sleep(0.3)  # longer than LOCK_WAIT
                if then is not None:
                    then()

        thread = threading.Thread(target=holder)
        thread.start()
        held.wait()
        try:
            return served(ws, entity)
        finally:
            thread.join()

    clock.now = midnight + timedelta(minutes=1)
    row = read_while_the_lock_is_held("P1", then=lambda: serving.refresh(ws, clock.now))  # NextDay's bring-in
    assert online == [] and same(row, fresh(ws, "P1", clock.now))
    clock.now += timedelta(days=1)  # nothing prepared for this day
    row = read_while_the_lock_is_held("P2")
    assert online == ["P2"] and same(row, fresh(ws, "P2", clock.now))


def test_prepared_rows_of_another_day_or_other_cards_are_not_used(world):
    ws, clock, base = world
    reset(ws, clock, base)
    s = serving.attach(ws)
    serving.prepare_next(ws)
    clock.now = START + timedelta(days=2)  # past the midnight they were prepared for: a day later
    rebuilds = s.rebuilds
    assert same(served(ws, "P2"), fresh(ws, "P2", clock.now))
    assert s.rebuilds == rebuilds + 1 and ws.store.count("current_next") == 0
    midnight = serving.prepare_next(ws)  # for the right day, but compiled from other cards than today's
    with ws.store.transaction(hooks=False) as con:
        con.execute("UPDATE current_next_state SET fingerprint = 'cards since changed'")
    clock.now = midnight + timedelta(minutes=1)
    assert same(served(ws, "P2"), fresh(ws, "P2", clock.now))
    assert s.rebuilds == rebuilds + 2 and ws.store.count("current_next") == 0


def test_no_prepared_row_outlives_what_keeps_it_exact(world):
    """Rows nothing keeps exact any more are dropped at once, so an erased subject's prepared row cannot stay at
    rest: when the cards change (the first change re-scored after it) and when a bulk writer invalidates."""
    from credence.store import current

    ws, clock, base = world
    reset(ws, clock, base)
    assert served(ws, "P1") is not None
    serving.prepare_next(ws)
    with ws.store.transaction(hooks=False) as con:  # as if tomorrow's rows were compiled from other cards
        con.execute("UPDATE current_next_state SET fingerprint = 'cards since changed'")
    retention.erase(ws, "P4", at=clock.now)
    assert ws.store.count("current_next") == 0
    assert ws.store.scalar("SELECT count(*) FROM current_next_state") == 0
    serving.prepare_next(ws)
    assert ws.store.count("current_next") == len(ENTITIES) - 1
    with ws.store.transaction(hooks=False) as con:
        current.invalidate(con)
    assert ws.store.count("current_next") == 0


def test_next_day_prepares_before_midnight_and_brings_the_day_in_after_it(world):
    from credence.services.next_day import NextDay

    ws, clock, base = world
    reset(ws, clock, base)
    s = serving.attach(ws)
    clock.now = START.replace(hour=22, minute=0)
    job = NextDay(ws, lead=timedelta(minutes=30), clock=clock)
    assert job.step() == pytest.approx(90 * 60) and job.prepared is None  # nothing due before 23:30
    clock.now = START.replace(hour=23, minute=31)
    assert job.step() == pytest.approx(29 * 60, abs=1) and job.prepared == (START + timedelta(days=1)).replace(hour=0)
    assert ws.store.count("current_next") == len(ENTITIES)
    clock.now = job.prepared + timedelta(seconds=1)
    brought_in = s.brought_in
    assert job.step() > 23 * 3600 and s.brought_in == brought_in + 1  # brought in; the next lead is a day away
    assert same(served(ws, "P1"), fresh(ws, "P1", clock.now))
