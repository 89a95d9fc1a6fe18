"""Versioned schema of the append-only store.

Facts are only ever appended: a correction, retraction, dispute outcome or revocation is a new row, and
current state is a query (see ``views``). The one exception is erasure and retention purge (guardrail 6),
which delete a subject's rows and append a record that they did so.

To change the schema, append a new entry to ``MIGRATIONS``; never edit a released one.
"""

from __future__ import annotations

V1 = [
    """CREATE TABLE entities (
        entity_id VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,              -- person | business | institution
        display_name VARCHAR,
        registered_at TIMESTAMP NOT NULL,
        batch_id VARCHAR NOT NULL
    )""",
    """CREATE TABLE providers (
        provider_id VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        categories VARCHAR[] NOT NULL,      -- event categories it is licensed to report
        registered_at TIMESTAMP NOT NULL,
        batch_id VARCHAR NOT NULL
    )""",
    """CREATE TABLE events (
        provider_id VARCHAR NOT NULL,
        event_id VARCHAR NOT NULL,          -- the provider's id; (provider_id, event_id) is unique
        entity_id VARCHAR NOT NULL,
        occurred_at TIMESTAMP NOT NULL,
        type VARCHAR NOT NULL,
        category VARCHAR NOT NULL,
        dimension VARCHAR NOT NULL,
        adverse BOOLEAN NOT NULL,
        amount DOUBLE,
        days_late INTEGER,
        purchase_category VARCHAR,
        rental_asset VARCHAR,
        counterparty_id VARCHAR,
        supersedes VARCHAR,                 -- event_id (same provider) that this correction replaces
        ingested_at TIMESTAMP NOT NULL,
        batch_id VARCHAR NOT NULL
    )""",
    """CREATE TABLE batches (
        batch_id VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,              -- events | entities | providers
        source VARCHAR,
        submitted_by VARCHAR,
        committed_at TIMESTAMP NOT NULL,
        received BIGINT NOT NULL,
        accepted BIGINT NOT NULL,
        duplicates BIGINT NOT NULL,
        quarantined BIGINT NOT NULL
    )""",
    """CREATE TABLE quarantine (
        batch_id VARCHAR NOT NULL,
        source VARCHAR,
        record_no BIGINT,                   -- 1-based position in the submitted file or batch
        record_key VARCHAR,                 -- provider_id/event_id when known
        field VARCHAR,
        reason VARCHAR NOT NULL,
        record VARCHAR,                     -- the record as JSON
        quarantined_at TIMESTAMP NOT NULL
    )""",
    """CREATE TABLE snapshots (
        snapshot_id VARCHAR NOT NULL,
        as_of TIMESTAMP NOT NULL,
        created_at TIMESTAMP NOT NULL,
        engine VARCHAR NOT NULL,
        scorecards VARCHAR NOT NULL,        -- JSON: kind -> scorecard id@version
        scored BIGINT NOT NULL,
        insufficient BIGINT NOT NULL
    )""",
    """CREATE TABLE scores (
        snapshot_id VARCHAR NOT NULL,
        entity_id VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        as_of TIMESTAMP NOT NULL,
        scorecard VARCHAR NOT NULL,         -- id@version
        score INTEGER,                      -- NULL when insufficient data
        band VARCHAR NOT NULL,
        points_credit_history DOUBLE,
        points_behaviour DOUBLE,
        points_capacity DOUBLE,
        points_identity DOUBLE,
        points_connections DOUBLE,
        reason1_code VARCHAR, reason1_text VARCHAR,
        reason2_code VARCHAR, reason2_text VARCHAR,
        reason3_code VARCHAR, reason3_text VARCHAR,
        reason4_code VARCHAR, reason4_text VARCHAR
    )""",
    # Kept apart from everything that scores: the simulator's outcome per entity, for training only.
    """CREATE TABLE outcomes (
        entity_id VARCHAR NOT NULL,
        observed_from TIMESTAMP NOT NULL,
        months INTEGER NOT NULL,
        defaulted BOOLEAN NOT NULL,
        source VARCHAR NOT NULL
    )""",
    # Held apart for fairness audits only; never read by the scoring compiler.
    """CREATE TABLE protected_attributes (
        entity_id VARCHAR NOT NULL,
        attribute VARCHAR NOT NULL,
        value VARCHAR NOT NULL,
        source VARCHAR NOT NULL
    )""",
    # --- consent, decisions and rights (SPEC section 2, guardrails 2-7) ---
    """CREATE TABLE grants (
        grant_id VARCHAR NOT NULL,
        subject_id VARCHAR NOT NULL,
        viewer_id VARCHAR NOT NULL,
        scope VARCHAR NOT NULL,             -- score | decisions
        purpose VARCHAR NOT NULL,
        granted_at TIMESTAMP NOT NULL,
        expires_at TIMESTAMP NOT NULL
    )""",
    """CREATE TABLE grant_revocations (
        grant_id VARCHAR NOT NULL,
        revoked_at TIMESTAMP NOT NULL,
        revoked_by VARCHAR NOT NULL
    )""",
    """CREATE TABLE decisions (
        decision_id VARCHAR NOT NULL,
        partner_id VARCHAR NOT NULL,
        subject_id VARCHAR NOT NULL,
        policy_id VARCHAR NOT NULL,
        purpose VARCHAR NOT NULL,
        outcome VARCHAR NOT NULL,
        score INTEGER,
        band VARCHAR,
        reasons VARCHAR,                    -- JSON
        notice VARCHAR,                     -- adverse-action notice text, for a refusal
        decided_at TIMESTAMP NOT NULL
    )""",
    """CREATE TABLE access_log (
        accessed_at TIMESTAMP NOT NULL,
        subject_id VARCHAR NOT NULL,
        viewer_id VARCHAR NOT NULL,
        action VARCHAR NOT NULL,            -- read_score | decision | certificate | report | ...
        purpose VARCHAR,
        grant_id VARCHAR,
        allowed BOOLEAN NOT NULL,
        detail VARCHAR
    )""",
    """CREATE TABLE certificates (
        certificate_id VARCHAR NOT NULL,
        subject_id VARCHAR NOT NULL,
        audience VARCHAR NOT NULL,
        score INTEGER,
        band VARCHAR,
        as_of TIMESTAMP,
        issued_at TIMESTAMP NOT NULL,
        expires_at TIMESTAMP NOT NULL,
        key_id VARCHAR NOT NULL
    )""",
    """CREATE TABLE certificate_revocations (
        certificate_id VARCHAR NOT NULL,
        revoked_at TIMESTAMP NOT NULL,
        reason VARCHAR
    )""",
    """CREATE TABLE disputes (
        dispute_id VARCHAR NOT NULL,
        provider_id VARCHAR NOT NULL,
        event_id VARCHAR NOT NULL,
        entity_id VARCHAR NOT NULL,
        action VARCHAR NOT NULL,            -- opened | confirmed | corrected | retracted | expired
        actor VARCHAR NOT NULL,
        note VARCHAR,
        acted_at TIMESTAMP NOT NULL
    )""",
    """CREATE TABLE erasures (
        erasure_id VARCHAR NOT NULL,
        subject_hash VARCHAR NOT NULL,      -- sha256 of the entity id: proves it happened, names no one
        requested_at TIMESTAMP NOT NULL,
        rows_removed VARCHAR NOT NULL       -- JSON: table -> rows
    )""",
    """CREATE TABLE purges (
        purged_at TIMESTAMP NOT NULL,
        rows_removed VARCHAR NOT NULL
    )""",
    """CREATE TABLE api_keys (
        key_id VARCHAR NOT NULL,
        key_hash VARCHAR NOT NULL,
        role VARCHAR NOT NULL,              -- operator | provider | partner | subject | auditor
        name VARCHAR NOT NULL,              -- principal: entity id, provider id, partner id, ...
        created_at TIMESTAMP NOT NULL,
        revoked_at TIMESTAMP
    )""",
]

# Current state as queries over the facts. An event counts unless a later correction supersedes it or
# its latest dispute action is anything but "confirmed" (pending, retracted, corrected, expired).
V1 += [
    """CREATE VIEW effective_events AS
    SELECT e.* FROM events e
    WHERE NOT EXISTS (
        SELECT 1 FROM (SELECT provider_id, supersedes FROM events WHERE supersedes IS NOT NULL) c
        WHERE c.provider_id = e.provider_id AND c.supersedes = e.event_id)
      AND NOT EXISTS (
        SELECT 1 FROM (
            SELECT provider_id, event_id, arg_max(action, acted_at) AS action
            FROM disputes GROUP BY provider_id, event_id) d
        WHERE d.provider_id = e.provider_id AND d.event_id = e.event_id AND d.action <> 'confirmed')""",
    """CREATE VIEW latest_scores AS
    SELECT s.* FROM scores s
    JOIN snapshots n USING (snapshot_id)
    QUALIFY row_number() OVER (PARTITION BY s.entity_id ORDER BY n.created_at DESC, s.as_of DESC) = 1""",
]

# V2 (performance, same meaning): effective_events as two hash anti-joins. The V1 form (correlated NOT
# EXISTS) was planned as a delim join over the whole events table even when the query asked for one
# entity; as anti-joins the entity filter reaches the events scan, so the online path reads one entity's
# events, and a population scan is ~4x cheaper. Same rows: an event drops out when a correction of the
# same provider supersedes it or its latest dispute action is anything but "confirmed".
V2 = [
    """CREATE OR REPLACE VIEW effective_events AS
    SELECT e.* FROM events e
    ANTI JOIN (SELECT provider_id, supersedes AS event_id FROM events WHERE supersedes IS NOT NULL) c
        USING (provider_id, event_id)
    ANTI JOIN (SELECT provider_id, event_id FROM disputes GROUP BY provider_id, event_id
               HAVING arg_max(action, acted_at) <> 'confirmed') d
        USING (provider_id, event_id)""",
]

# V3 (performance, same meaning): which events a correction supersedes, kept in a small table beside the
# events (``store/supersessions.py`` appends to it in the transaction that stores the correction). The
# view's anti-join then reads this table, not the ``supersedes`` column of every stored event: that scan
# grew with the store and was most of the one-entity latency at 10M events (docs/performance.md).
V3 = [
    """CREATE TABLE superseded_events (
        provider_id VARCHAR NOT NULL,
        event_id VARCHAR NOT NULL,          -- the superseded event
        superseded_by VARCHAR NOT NULL      -- the correction (same provider)
    )""",
    """INSERT INTO superseded_events
    SELECT provider_id, supersedes, event_id FROM events WHERE supersedes IS NOT NULL""",
    """CREATE OR REPLACE VIEW effective_events AS
    SELECT e.* FROM events e
    ANTI JOIN (SELECT provider_id, event_id FROM superseded_events) c
        USING (provider_id, event_id)
    ANTI JOIN (SELECT provider_id, event_id FROM disputes GROUP BY provider_id, event_id
               HAVING arg_max(action, acted_at) <> 'confirmed') d
        USING (provider_id, event_id)""",
]

# V4 (portal sessions, issue 14 / finding 9 of issue 15): a browser holds only a random session token; the
# store keeps its hash, who it belongs to and when it expires. Signing out or revoking appends an end;
# one-time sign-in codes for subjects are kept hashed, and their single use is a row of its own.
V4 = [
    """CREATE TABLE web_sessions (
        session_hash VARCHAR NOT NULL,      -- sha256 of the token in the browser's cookie
        role VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        key_id VARCHAR,                     -- the API key signed in with, or NULL for a sign-in code
        via VARCHAR NOT NULL,               -- key | code:<code_id>
        started_at TIMESTAMP NOT NULL,
        expires_at TIMESTAMP NOT NULL
    )""",
    """CREATE TABLE web_session_ends (
        session_hash VARCHAR NOT NULL,
        ended_at TIMESTAMP NOT NULL,
        reason VARCHAR NOT NULL             -- signed out | revoked by <who>
    )""",
    """CREATE TABLE signin_codes (
        code_id VARCHAR NOT NULL,
        code_hash VARCHAR NOT NULL,         -- sha256 of the code; the code itself is shown once
        role VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        issued_by VARCHAR NOT NULL,
        issued_at TIMESTAMP NOT NULL,
        expires_at TIMESTAMP NOT NULL
    )""",
    """CREATE TABLE signin_code_uses (
        code_id VARCHAR NOT NULL,
        used_at TIMESTAMP NOT NULL
    )""",
]

# The columns of an event that scoring reads, then the bookkeeping ones: one list for every module that
# copies or exports events.
EVENT_FACT_COLUMNS = (
    "provider_id", "event_id", "entity_id", "occurred_at", "type", "category", "dimension", "adverse",
    "amount", "days_late", "purchase_category", "rental_asset", "counterparty_id",
)  # fmt: skip
EVENT_COLUMNS = (*EVENT_FACT_COLUMNS, "supersedes", "ingested_at", "batch_id")

# V5 (serving, issue 11): current scores kept ready, and history reads by entity.
# ``current_scores`` is a derived cache, not a fact: today's score of every entity, kept exact by
# ``services/serving.py`` (re-scored in the transaction of every change that can move a score, brought
# forward when the date changes). It can be dropped and rebuilt from the facts at any time.
# ``current_pending`` holds entities a committed change touched that are not re-scored yet (a writer that
# ran without the serving hook); ``current_state`` says for which day, cards and horizon the rows hold.
# The index on ``scores(entity_id)`` made one entity's latest score and history an index lookup (dropped
# in V6: ``entity_scores`` replaces it).
V5 = [
    """CREATE TABLE current_scores (
        entity_id VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        as_of TIMESTAMP NOT NULL,           -- when this row was computed (its score holds until a change)
        scorecard VARCHAR NOT NULL,
        score INTEGER,
        band VARCHAR NOT NULL,
        points_credit_history DOUBLE,
        points_behaviour DOUBLE,
        points_capacity DOUBLE,
        points_identity DOUBLE,
        points_connections DOUBLE,
        reason1_code VARCHAR, reason1_text VARCHAR,
        reason2_code VARCHAR, reason2_text VARCHAR,
        reason3_code VARCHAR, reason3_text VARCHAR,
        reason4_code VARCHAR, reason4_text VARCHAR
    )""",
    "CREATE INDEX current_scores_entity ON current_scores (entity_id)",
    "CREATE TABLE current_pending (entity_id VARCHAR NOT NULL)",
    """CREATE TABLE current_state (
        day DATE NOT NULL,                  -- the rows are today's scores for this day
        as_of TIMESTAMP NOT NULL,           -- every row is exact for events up to this time
        horizon TIMESTAMP,                  -- earliest stored event after as_of (a future-stamped one)
        fingerprint VARCHAR NOT NULL        -- hash of the compiled statement (cards and catalogue)
    )""",
    "CREATE INDEX scores_entity ON scores (entity_id)",
]

# V6 (webhooks, issue 17): an outbox of events, written in the transaction of the change that causes them
# (``services/webhooks/outbox.py``), the operator's subscriptions (ended by an appended row), and the
# delivery log: one appended row per attempt (``services/webhooks/dispatcher.py``).
V6 = [
    "CREATE SEQUENCE webhook_event_seq START 1",
    """CREATE TABLE webhook_events (
        seq BIGINT NOT NULL,                -- order of the outbox; deliveries to a subscription follow it
        event_id VARCHAR NOT NULL,          -- stable across retries and restarts: receivers de-duplicate on it
        type VARCHAR NOT NULL,              -- score.changed | grant.revoked | certificate.revoked | decision.made | dispute.deadline
        entity_id VARCHAR NOT NULL,         -- the subject the event is about
        partner_id VARCHAR,                 -- the partner it concerns (its decision, its grant, its certificate)
        created_at TIMESTAMP NOT NULL,
        data VARCHAR NOT NULL               -- the payload's data, JSON
    )""",
    "CREATE INDEX webhook_events_seq ON webhook_events (seq)",
    """CREATE TABLE webhook_subscriptions (
        subscription_id VARCHAR NOT NULL,
        channel VARCHAR NOT NULL,           -- partner | subject
        principal VARCHAR NOT NULL,         -- the partner id, or the subject's entity id
        url VARCHAR NOT NULL,
        secret VARCHAR NOT NULL,            -- the HMAC-SHA256 key (the sender must hold it to sign)
        types VARCHAR[] NOT NULL,
        start_seq BIGINT NOT NULL,          -- events after this one are delivered
        created_at TIMESTAMP NOT NULL,
        created_by VARCHAR NOT NULL
    )""",
    """CREATE TABLE webhook_subscription_ends (
        subscription_id VARCHAR NOT NULL,
        ended_at TIMESTAMP NOT NULL,
        ended_by VARCHAR NOT NULL
    )""",
    """CREATE TABLE webhook_deliveries (
        subscription_id VARCHAR NOT NULL,
        event_id VARCHAR NOT NULL,
        seq BIGINT NOT NULL,
        attempt INTEGER NOT NULL,           -- 1, 2, ...; 0 for an event withheld by a guardrail
        outcome VARCHAR NOT NULL,           -- delivered | retrying | failed | withheld
        status_code INTEGER,                -- the receiver's HTTP status, NULL when none came back
        error VARCHAR,
        attempted_at TIMESTAMP NOT NULL,
        next_attempt_at TIMESTAMP           -- when outcome is retrying
    )""",
    "CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, event_id)",
]

# V7 (history reads flat, issue 11): one entity's latest snapshot row and history in one row of
# ``entity_scores`` (``store/history.py``), rewritten in each snapshot's transaction. A read is an index lookup
# in a table of one row per entity; the ``scores(entity_id)`` index of V5 is no longer read (it grew with every
# snapshot and was loaded lazily on its first use: seconds).
# ``current_scores`` keeps its rows as the id, kind, time, card, score and band (score lists and webhooks read them)
# and one JSON text of the rest (``served``): a read by id fetches two columns instead of twenty
# (services/serving.py). A cache: emptied here, rebuilt on first read.
V7 = [
    # (the V7 layout of ``entity_scores``: its latest row and a list of every snapshot's entry, replaced in V8)
    """CREATE OR REPLACE TABLE entity_scores AS
    WITH h AS (
        SELECT s.entity_id, struct_pack(created_at := n.created_at, as_of := s.as_of, snapshot_id := s.snapshot_id,
                                        score := s.score, band := s.band, scorecard := s.scorecard) AS e, s AS rec
        FROM scores s JOIN snapshots n USING (snapshot_id)
    )
    SELECT entity_id, arg_max(rec, e) AS latest, list(e ORDER BY e) AS history
    FROM h GROUP BY entity_id""",
    "CREATE INDEX entity_scores_entity ON entity_scores (entity_id)",
    "DROP INDEX IF EXISTS scores_entity",
    "DROP INDEX IF EXISTS current_scores_entity",
    "DROP TABLE current_scores",
    """CREATE TABLE current_scores (
        entity_id VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        as_of TIMESTAMP NOT NULL,           -- when this row was computed (its score holds until a change)
        scorecard VARCHAR NOT NULL,
        score INTEGER,
        band VARCHAR NOT NULL,
        served VARCHAR NOT NULL             -- JSON: kind, scorecard, score, band, points_*, reasons, feature_points
    )""",
    "CREATE INDEX current_scores_entity ON current_scores (entity_id)",
    "DELETE FROM current_state",
    "DELETE FROM current_pending",
]

# V8 (history writes flat, issue 11): the V7 lists made every population run rewrite every entity's whole history
# (59.6 s per run at 24 snapshots). The history moves to ``score_history``, one appended row per entity per
# snapshot, indexed by entity; ``entity_scores`` keeps one row per entity, its latest snapshot row and that
# row's place in the order of snapshots (``key``). A run appends its rows and remakes the one-row-per-entity
# table: O(population) whatever the number of snapshots (``store/history.py``). Built from V7's lists as they are.
V8 = [
    """CREATE TABLE score_history (
        entity_id VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,      -- the snapshot's
        as_of TIMESTAMP NOT NULL,
        snapshot_id VARCHAR NOT NULL,
        score INTEGER,
        band VARCHAR NOT NULL,
        scorecard VARCHAR NOT NULL
    )""",
    """INSERT INTO score_history (entity_id, created_at, as_of, snapshot_id, score, band, scorecard)
    SELECT entity_id, e.created_at, e.as_of, e.snapshot_id, e.score, e.band, e.scorecard
    FROM (SELECT entity_id, unnest(history) AS e FROM entity_scores)""",
    "CREATE INDEX score_history_entity ON score_history (entity_id)",
    """CREATE OR REPLACE TABLE entity_scores AS
    SELECT entity_id, struct_pack(created_at := history[-1].created_at, as_of := history[-1].as_of,
                                  snapshot_id := history[-1].snapshot_id) AS key, latest
    FROM entity_scores""",
    "CREATE INDEX entity_scores_entity ON entity_scores (entity_id)",
]

# V9 (the group commit's journal, issue 11): the seq of the last journal record the store holds, written in the
# same transaction as the journaled rows, so a replay at open stores each record exactly once (store/journal.py).
V9 = [
    "CREATE TABLE journal_state (seq BIGINT NOT NULL)",
    "INSERT INTO journal_state (seq) VALUES (0)",
]

# V10 (serving across midnight, issue 11): tomorrow's current scores, computed before midnight
# (``services/serving.py``: ``prepare_next``), kept exact as today's are, and brought in at midnight in place of
# a population run while the day's first reads wait. A cache like ``current_scores``; ``current_next_state``
# says for which midnight and cards its rows hold (no row: none prepared).
CURRENT_NEXT = """CREATE TABLE current_next (
        entity_id VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        as_of TIMESTAMP NOT NULL,
        scorecard VARCHAR NOT NULL,
        score INTEGER,
        band VARCHAR NOT NULL,
        served VARCHAR NOT NULL
    )"""  # also how ``store/current.py::clear_next`` empties it: dropped and made again
V10 = [
    CURRENT_NEXT,
    """CREATE TABLE current_next_state (
        as_of TIMESTAMP NOT NULL,           -- the midnight the rows hold at (tomorrow's date, 00:00)
        fingerprint VARCHAR NOT NULL        -- as current_state's
    )""",
]

MIGRATIONS: list[list[str]] = [V1, V2, V3, V4, V5, V6, V7, V8, V9, V10]
SCHEMA_VERSION = len(MIGRATIONS)
