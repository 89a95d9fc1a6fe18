"""Serving today's scores from the maintained ``current_scores`` table, kept exact.

Every score is a function of an entity's effective events, its consented vouch links and the date (ages are
whole days), so today's score of every entity can be kept ready:

- **On every committed change that can move a score** the writer marks the entities it touched (and their
  vouch neighbours) in ``current_pending`` (``store/current.py``). The hook :func:`attach` installs runs
  inside that same transaction, before COMMIT: it re-scores the marked entities with the *same* compiled
  population statement restricted to them (``sql/scope.py``), into a temporary table, and writes the rows
  that differ (:func:`_replace_rows`: updated in place, never a mass delete). Facts and their scores become
  visible together. A row's ``as_of`` (``computed_at``) says since when it has held its values.
- **When the date changes** (or the scorecards or catalogue change), the first read of the day rebuilds
  every row in one population statement, under the writer lock; the rows say for which day they hold. A
  server prepares tomorrow's rows before midnight instead (:func:`prepare_next`, run by ``NextDay`` in
  ``services/next_day.py``): every change re-scores its entities in them too, and the day's first read
  copies them in and brings them from midnight to its time, so no read waits for a population run.
- **A future-stamped event** (providers may stamp up to 5 minutes ahead) starts to count when its time
  comes: ``current_state.horizon`` is the earliest stored event after the rows' time; a read at or past it
  re-scores the entities with events that came due.

A read (:func:`current_score`) is one indexed lookup on the caller's own cursor; when the cache does not
hold (a new day, pending marks, the horizon passed) it settles first. Explanations feature by feature and
scores as of a past time stay on the online path (``scoring.score_entity``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from credence.clock import utcnow
from credence.domain.catalogue import Catalogue
from credence.domain.score import SCORE_COLUMNS, reasons_of
from credence.domain.scorecard import Scorecard, distinct_cards
from credence.services.webhooks.outbox import score_changes
from credence.sql.cache import cached
from credence.store import Store, indexes
from credence.store.cache import GenerationCache
from credence.store.current import (
    INDEX,
    NEXT_TABLE,
    PENDING_TABLE,
    ROW_SCAN_SQL,
    ROW_SQL,
    SCORE_TABLE,
    STATE_SQL,
    clear_next,
    mark,
)
from credence.store.literal import inline
from credence.workspace import Workspace

Clock = Callable[[], datetime]
_STATE = "SELECT day, as_of, horizon, fingerprint FROM current_state"
LOCK_WAIT = 0.05  # seconds a stale read waits for the writer lock before computing online instead
BRING_IN_WAIT = 1.0  # the same on a new day whose rows were prepared (:func:`_lock_wait`)
# The served row: id, kind, time, card, score and band as columns (score lists and webhooks read them), and
# everything a read returns as one JSON text: a point lookup fetches each column of its row apart, so a read
# fetches two columns, not twenty. The JSON keeps every feature's points too (the subject page's simulator).
_SERVED = ["kind", "scorecard", *SCORE_COLUMNS[2:], "feature_points"]
_ROWS_OF = (  # + "(population statement)": the table's rows of what it scores, as of $as_of
    "SELECT entity_id, kind, $as_of::TIMESTAMP AS as_of, scorecard, score, band, "
    f"to_json(struct_pack({', '.join(f'{c} := {c}' for c in _SERVED)}))::VARCHAR AS served FROM "
)
_COLUMNS = "(entity_id, kind, as_of, scorecard, score, band, served)"
_NEXT = f"INSERT INTO {NEXT_TABLE} {_COLUMNS} {_ROWS_OF}"
_FRESH = "current_fresh"  # a re-score's rows, in a temporary table of its transaction
_PENDING = f"SELECT entity_id FROM {PENDING_TABLE}"


@dataclass
class Statements:
    """The population statement for one set of cards, whole and restricted to the pending entities."""

    fingerprint: str
    everyone: str
    pending: str


@dataclass
class Serving:
    """What a workspace's store serves with: its cards, the compiled statements, and the clock."""

    ws: Workspace
    clock: Clock = utcnow
    _compiled: dict = field(default_factory=dict)
    _valid: tuple | None = None  # (store generation, day, as_of, horizon, fingerprint) when last checked
    _last: tuple | None = None  # (cards, catalogue, statements) of the last call
    settles: int = 0  # partial re-scores run (for tests and benchmarks)
    rebuilds: int = 0  # whole-table rebuilds run
    prepared: int = 0  # tomorrow's rows computed ahead (prepare_next)
    brought_in: int = 0  # days begun with the rows prepared for them instead of a rebuild

    def cards(self) -> tuple[dict[str, Scorecard], Catalogue]:
        return self.ws.scorecards, self.ws.catalogue

    def statements(self) -> Statements:
        """Compiled once per set of cards and catalogue (``$as_of`` bound at run time)."""
        cards, catalogue = self.cards()
        last = self._last  # every read asks: the same card objects as last time answer without planning
        if last is not None and last[1] is catalogue and _same(last[0], cards):
            return last[2]
        plan = distinct_cards(cards)
        key = (tuple((id(card), kinds) for card, kinds in plan), id(catalogue))
        hit = self._compiled.get(key)
        if hit is None:
            self._compiled.clear()
            folder = self.ws.root / ".credence" / "compiled"  # kept between processes (sql/cache.py)
            hit = self._compiled[key] = (plan, catalogue, compiled(plan, catalogue, folder))
        self._last = (dict(cards), catalogue, hit[2])
        return hit[2]

    # -- keeping the table exact --------------------------------------------------------------------------
    def settle(self, con: duckdb.DuckDBPyConnection, now: datetime | None = None, *, rebuild: bool = True) -> None:
        """Bring the table up to ``now`` inside ``con``'s transaction (the caller holds the writer lock).

        When the rows are of another day or other cards, rebuild them all (``rebuild``), or leave the marks
        for the next read (the hook in a writer's transaction: an unrelated write does not pay for the day).
        """
        now = now or self.clock()
        sql = self.statements()
        state = con.execute(_STATE).fetchone()
        if state is None or state[0] != now.date() or state[3] != sql.fingerprint or now < state[1]:
            if not rebuild:
                return
            if not self._bring_in_next(con, sql, now):
                self._rebuild(con, sql, now)
                return
            state = con.execute(_STATE).fetchone()  # today's rows as of midnight: bring them up to now
        _, as_of, horizon, _ = state
        due = horizon is not None and horizon <= now
        if due:  # future-stamped events came due: their entities (and neighbours) re-score
            mark(con, "SELECT DISTINCT entity_id FROM events WHERE occurred_at > ? AND occurred_at <= ?", [as_of, now])
        pending = con.execute(f"SELECT count(*) FROM {PENDING_TABLE}").fetchone()[0]
        if pending:
            with score_changes(con, now, _PENDING):  # webhook events, set-based
                _write_rows(con, sql.pending, now, within=_PENDING)
            self._rescore_next(con, sql)
            con.execute(f"DELETE FROM {PENDING_TABLE}")
            self.settles += 1
        if pending or due:
            self._set_state(con, now, sql.fingerprint)

    def _rebuild(self, con: duckdb.DuckDBPyConnection, sql: Statements, now: datetime) -> None:
        with score_changes(con, now):
            _write_rows(con, sql.everyone, now)
        self._rescore_next(con, sql)  # marks left by a writer without the hook: tomorrow's rows of them too
        con.execute(f"DELETE FROM {PENDING_TABLE}")
        self._set_state(con, now, sql.fingerprint)
        self.rebuilds += 1

    def prepare_next(self, con: duckdb.DuckDBPyConnection, now: datetime) -> datetime:
        """Compute every entity's score as of the next midnight into ``current_next``, in one population
        statement (the caller holds the writer lock): from then on every change re-scores its entities there
        too, and the day's first read brings the rows in (:meth:`_bring_in_next`). Returns that midnight."""
        sql = self.statements()
        midnight = next_midnight(now)
        clear_next(con)
        con.execute(_NEXT + f"({sql.everyone})", {"as_of": midnight})
        con.execute("INSERT INTO current_next_state (as_of, fingerprint) VALUES (?, ?)", [midnight, sql.fingerprint])
        self.prepared += 1
        return midnight

    def _rescore_next(self, con: duckdb.DuckDBPyConnection, sql: Statements) -> None:
        """Re-score the pending entities in tomorrow's prepared rows too (as of that midnight), so they stay
        exact as today's are; an erased subject's row leaves them as it leaves today's. Rows prepared from other
        cards are of no use: dropped (no rows are kept that nothing keeps exact)."""
        prepared = con.execute("SELECT as_of, fingerprint FROM current_next_state").fetchone()
        if prepared is None:  # none prepared: the table is empty
            return
        if prepared[1] != sql.fingerprint:
            clear_next(con)
            return
        _write_rows(con, sql.pending, prepared[0], NEXT_TABLE, within=_PENDING)

    def _bring_in_next(self, con: duckdb.DuckDBPyConnection, sql: Statements, now: datetime) -> bool:
        """On a new day: today's rows are the ones prepared for its midnight, when they were prepared for it
        and for these cards (the rows then hold at midnight; the caller brings them up to ``now``). Rows
        prepared for a midnight that has come are used up either way; rows for one to come are kept. False
        when there were none to use: rebuild."""
        prepared = con.execute("SELECT as_of, fingerprint FROM current_next_state").fetchone()
        if prepared is None or prepared[0] > now:  # none, or for a midnight to come: kept (and kept exact)
            return False
        usable = prepared[0].date() == now.date() and prepared[1] == sql.fingerprint
        if usable:
            with score_changes(con, now):
                _replace_rows(con, NEXT_TABLE)
            self._set_state(con, prepared[0], sql.fingerprint)
            self.brought_in += 1
        clear_next(con)
        return usable

    def _set_state(self, con: duckdb.DuckDBPyConnection, now: datetime, fingerprint: str) -> None:
        con.execute("DELETE FROM current_state")
        con.execute(
            "INSERT INTO current_state (day, as_of, horizon, fingerprint) "
            "SELECT ?::DATE, ?, (SELECT min(occurred_at) FROM events WHERE occurred_at > ?), ?",
            [now.date(), now, now, fingerprint],
        )

    # -- knowing when the table holds ---------------------------------------------------------------------
    def fresh(self, now: datetime) -> bool:
        """Whether the table holds at ``now`` as last checked, with no write committed since (in memory)."""
        v = self._valid
        return (
            v is not None
            and v[0] == self.ws.store.generation
            and v[1] == now.date()
            and v[2] <= now
            and (v[3] is None or now < v[3])
            and v[4] == self.statements().fingerprint
        )

    def check(self, now: datetime) -> bool:
        """Look at the table's state; settle it when it does not hold at ``now``. False when a long write
        holds the writer lock (the caller then computes online)."""
        store = self.ws.store
        for _ in range(3):  # look, settle, look; once more when another write came first (it may not settle)
            generation = store.generation
            state = store.reader().execute(STATE_SQL).fetchone()
            fingerprint = self.statements().fingerprint
            if (
                state is not None
                and state[0] == now.date()
                and state[1] <= now
                and (state[2] is None or now < state[2])
                and state[3] == fingerprint
                and not state[4]
            ):
                self._valid = (generation, state[0], state[1], state[2], fingerprint)
                return True
            if not store.write_lock.acquire(timeout=_lock_wait(state, now)):
                return False
            try:
                if store.generation == generation:  # no write meanwhile (another read may have settled it)
                    with store.transaction(hooks=False) as con:
                        self.settle(con, now)
            finally:
                store.write_lock.release()
        return False


def _lock_wait(state: tuple | None, now: datetime) -> float:
    """How long a read that finds the table stale waits for the writer lock before computing online.

    ``LOCK_WAIT`` (a long write holds the lock: the read does not wait for it), except on a new day whose rows
    were prepared: they are brought in within a second (0.34 s at 200,000 entities), so its reads wait for that
    instead of all computing their scores online at the same moment (16 readers at the turn of the 200k demo:
    52 online scorings and a 2.0 s slowest read that way)."""
    prepared = state[5] if state is not None else None
    if prepared is not None and state[0] != now.date() and prepared.date() == now.date() and prepared <= now:
        return BRING_IN_WAIT
    return LOCK_WAIT


def next_midnight(now: datetime) -> datetime:
    """The midnight that begins the day after ``now``'s: what tomorrow's prepared rows hold at."""
    return datetime.combine(now.date() + timedelta(days=1), datetime.min.time())


def _write_rows(
    con: duckdb.DuckDBPyConnection,
    statement: str,
    as_of: datetime,
    table: str = SCORE_TABLE,
    *,
    within: str | None = None,
) -> None:
    """Score with ``statement`` as of ``as_of`` into a temporary table, and make ``table`` hold those rows
    (:func:`_replace_rows`)."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_FRESH} AS {_ROWS_OF}({statement})", {"as_of": as_of})
    _replace_rows(con, _FRESH, table, within=within)
    con.execute(f"DROP TABLE {_FRESH}")


def _replace_rows(
    con: duckdb.DuckDBPyConnection, source: str, table: str = SCORE_TABLE, *, within: str | None = None
) -> None:
    """Make ``table`` hold ``source``'s rows (for the entities ``within`` selects, or all), writing only those
    that differ: a row whose served values are the same stays as it is (its ``as_of``, when it was computed,
    too), a changed one is updated in place, and only an entity that lost its row (erased, or no card for its
    kind now) is deleted.

    Updated in place, not deleted and inserted: DuckDB removes a deleted row from ``current_scores``' index
    when the transaction commits or is cleaned up, holding its transaction lock, so every other statement of
    the process waits. Re-scoring 125,000 of the 200,000-entity demo's entities that way took 6.1 s of COMMIT
    and held a concurrent read 5.2 s (a provider file for every person held every HTTP read 4-5 s); in place,
    0.1 s and 26 ms (``benchmarks/serving.py --only rescore``). At a day's turn about a sixth of the rows
    change: replacing every row took 3.7 s of statements and COMMIT, deleting and inserting the changed ones
    0.8 s, updating them 0.16 s."""
    con.execute(
        f"UPDATE {table} c SET kind = n.kind, as_of = n.as_of, scorecard = n.scorecard, score = n.score, "
        f"band = n.band, served = n.served FROM {source} n "
        "WHERE c.entity_id = n.entity_id AND c.served IS DISTINCT FROM n.served"  # (it holds all but as_of)
    )
    scope = f"entity_id IN ({within}) AND " if within else ""
    con.execute(f"DELETE FROM {table} WHERE {scope}entity_id NOT IN (SELECT entity_id FROM {source})")
    con.execute(f"INSERT INTO {table} SELECT n.* FROM {source} n ANTI JOIN {table} c USING (entity_id)")


def _same(a: dict, b: dict) -> bool:
    """The same kinds mapped to the very same card objects (the workspace's cache hands out the same ones
    while the files stand)."""
    return a.keys() == b.keys() and all(a[k] is b[k] for k in a)


_COMPILED: dict[str, Statements] = {}


def compiled(
    plan: list[tuple[Scorecard, tuple[str, ...]]], catalogue: Catalogue, folder: Path | None = None
) -> Statements:
    """The statements for these cards and catalogue, compiled once per process for the same content
    (SQLGlot takes seconds for two cards; workspaces with equal cards share them), and kept in ``folder``
    for the next process (``sql/cache.py``)."""
    content = hashlib.sha256(repr((plan, catalogue)).encode()).hexdigest()
    hit = _COMPILED.get(content)
    if hit is None:

        def build() -> dict[str, str]:
            from sqlglot import exp

            from credence.sql.compiler import population_query
            from credence.sql.scope import restrict_population, scope_of

            cards = [card.restrict(kinds) for card, kinds in plan]
            query = population_query(
                cards, as_of=exp.Placeholder(this="as_of"), catalogue=catalogue, feature_points=True
            )
            pending = restrict_population(query, scope_of(PENDING_TABLE))
            return {"everyone": query.sql(dialect="duckdb"), "pending": pending.sql(dialect="duckdb")}

        texts = cached(folder, "serving-points:" + content, build)  # (with every feature's points)
        everyone, pending = texts["everyone"], texts["pending"]
        if len(_COMPILED) > 16:
            _COMPILED.clear()
        hit = _COMPILED[content] = Statements(hashlib.sha256(everyone.encode()).hexdigest()[:16], everyone, pending)
    return hit


_SERVING: weakref.WeakKeyDictionary[Store, Serving] = weakref.WeakKeyDictionary()
_ATTACH = threading.Lock()


def attach(ws: Workspace, *, clock: Clock | None = None) -> Serving:
    """The workspace's serving state; installs the re-scoring hook in every write transaction of its store.

    ``clock`` replaces the wall clock (tests drive days with it); by default the first attach keeps utcnow.
    """
    store = ws.store
    with _ATTACH:
        serving = _SERVING.get(store)
        if serving is None:
            serving = _SERVING[store] = Serving(ws)
            store.before_commit.append(lambda con, s=serving: s.settle(con, rebuild=False))
        if clock is not None:
            serving.clock = clock
    return serving


def detach(ws: Workspace) -> None:
    """Remove the hook (writers still mark pending entities; the next read re-scores them)."""
    store = ws.store
    with _ATTACH:
        _SERVING.pop(store, None)
        store.before_commit.clear()


def refresh(ws: Workspace, now: datetime | None = None) -> None:
    """Bring the current scores up to now (a population run when the day or the cards changed)."""
    serving = attach(ws)
    with ws.store.transaction(hooks=False) as con:
        serving.settle(con, now)


def prepare_next(ws: Workspace, now: datetime | None = None) -> datetime:
    """Compute tomorrow's current scores now (as of the next midnight), kept exact by every change until the
    day's first read brings them in: that read then copies them instead of running a population statement
    while the other reads compute online. The server runs it before midnight (``NextDay``). Writes wait
    meanwhile (one population statement under the writer lock); reads do not. Returns the midnight."""
    serving = attach(ws)
    with ws.store.transaction(hooks=False, touches=()) as con:  # no served row changes: caches stay
        return serving.prepare_next(con, now or serving.clock())


def current_score(ws: Workspace, entity_id: str, *, now: datetime | None = None, feature_points: bool = False) -> dict:
    """Today's score of one entity, served from ``current_scores``: the keys of ``score_entity`` (no
    features), identical to it at ``now``. ``computed_at`` says since when the row has held these values (a
    re-score that changes nothing keeps it). ``feature_points`` adds every feature's points in its card's order
    (the ``points`` of ``score_entity``'s features): what the portal's dimension table and score simulator
    need, without the online query."""
    serving = attach(ws)
    now = now or serving.clock()
    if not serving.fresh(now) and not serving.check(now):
        return _online(serving, entity_id, now, feature_points)
    # the row, kept while the table holds as checked (same write generation, day, horizon and cards)
    found = _ROWS.get(ws.store, (entity_id, serving._valid), lambda: _served_row(ws.store, entity_id))
    if found is None:  # not an entity, or no card for its kind: the online path says which
        return _online(serving, entity_id, now, feature_points)
    computed_at, fields = found
    row = {"entity_id": entity_id, "kind": fields["kind"], "as_of": now, "scorecard": fields["scorecard"]}
    row |= {c: fields[c] for c in SCORE_COLUMNS[2:]}
    row["computed_at"] = computed_at
    row["reasons"] = reasons_of(row)
    if feature_points:
        row["feature_points"] = list(fields["feature_points"])
    return row


_ROWS = GenerationCache(maxsize=20000)  # served rows of the entities read since the last write


def _served_row(store: Store, entity_id: str) -> tuple[datetime, dict] | None:
    """(computed at, the served fields) of the entity's row; the caller does not change the dict (cached).

    Called while the table holds for today, so every entity with a card has a row: when the index lookup finds
    none, the row is looked for without the index. Found that way, the index lost it (DuckDB can write an index
    without the rows a replayed log held: ``store/store.py``): the row is served all the same, the miss counted
    (``credence_index_misses_total``) and the index rebuilt once, with one warning."""
    cur = store.reader()
    found = cur.execute(inline(ROW_SQL, [entity_id])).fetchone()  # the id as a literal: store/literal.py
    if found is None:
        found = cur.execute(inline(ROW_SCAN_SQL, [entity_id])).fetchone()
        if found is not None:
            from credence.services import metrics  # prometheus_client: loaded only when it has this to count

            metrics.INDEX_MISSES.labels(SCORE_TABLE).inc()
            _repair_index(store, SCORE_TABLE, INDEX)
    return None if found is None else (found[0], json.loads(found[1]))


log = logging.getLogger("credence.serving")
REPAIR_INTERVAL = 600.0  # seconds: an index is rebuilt at most this often (a miss meanwhile is counted, and served)
_REPAIRS: dict[tuple[str, str], tuple[float, threading.Thread]] = {}  # (store path, index) -> (started, rebuild)
_REPAIRS_GUARD = threading.Lock()


def _repair_index(store: Store, table: str, index: str) -> None:
    """Rebuild ``index`` in a thread of its own (the read that found the miss does not wait for it), at most
    once per ``REPAIR_INTERVAL`` per store and index, with one warning."""
    from credence.services import metrics

    key = (store.path, index)
    with _REPAIRS_GUARD:
        last = _REPAIRS.get(key)
        if last is not None and (last[1].is_alive() or time.monotonic() - last[0] < REPAIR_INTERVAL):
            return
        log.warning(
            "the index %s missed rows of %s that a scan found (DuckDB wrote it without rows a replayed log held); "
            "served from the table, rebuilding the index",
            index,
            table,
        )

        def rebuild() -> None:
            try:
                indexes.rebuild(store, index)
            except Exception:  # a closed store, or DuckDB refused: reads keep their scan fallback
                metrics.INDEX_REPAIRS.labels(table, "failed").inc()
                log.exception("rebuilding the index %s failed", index)
            else:
                metrics.INDEX_REPAIRS.labels(table, "rebuilt").inc()

        thread = threading.Thread(target=rebuild, name=f"rebuild {index}", daemon=True)
        _REPAIRS[key] = (time.monotonic(), thread)
        thread.start()


def index_repairs_done(timeout: float = 30) -> None:
    """Wait for the index rebuilds under way (tests)."""
    for _, thread in list(_REPAIRS.values()):
        thread.join(timeout)


def _online(serving: Serving, entity_id: str, now: datetime, feature_points: bool = False) -> dict:
    from credence.services.scoring import score_entity  # the compiler and engines: not on the served read

    cards, catalogue = serving.cards()
    row = score_entity(serving.ws, entity_id, as_of=now, detail=feature_points, cards=cards)
    if feature_points:
        row["feature_points"] = [f["points"] for f in row.pop("features")]
    return row | {"computed_at": now}


def score_at(ws: Workspace, entity_id: str, at: datetime | None = None) -> dict:
    """A plain score read: served from the table now (``at`` None), else computed online as of ``at``."""
    if at is None:
        return current_score(ws, entity_id)
    from credence.services.scoring import score_entity  # the compiler and engines: not on the served read

    cards, _ = attach(ws).cards()
    return score_entity(ws, entity_id, as_of=at, detail=False, cards=cards)


def brought_forward(ws: Workspace, now: datetime | None = None) -> tuple[bool, str]:
    """Whether the current scores hold for today's date and today's cards (read only; pending marks and
    due future events are settled by the next read, so they do not count), and a sentence saying so."""
    serving = attach(ws)
    now = now or serving.clock()
    state = ws.store.reader().execute(STATE_SQL).fetchone()
    if state is None:
        return False, "the current scores have not been computed yet"
    if state[0] != now.date():
        return False, f"the current scores are of {state[0]}, not of today ({now.date()})"
    if state[3] != serving.statements().fingerprint:
        return False, "the scorecards or the catalogue changed since the current scores were computed"
    return True, f"the current scores hold for {state[0]}"
