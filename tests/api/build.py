"""A small scored workspace for API and browser tests: four providers, five entities, a few dozen events.

Rows are written with SQL (category, dimension and adverse from the shipped catalogue) so these tests do not
depend on the ingest service; then the population is scored twice (a month ago and now) for a history.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from credence.api.auth import create_key
from credence.domain.catalogue import default_catalogue
from credence.services.scoring import score_population, utcnow, workspace_scorecards
from credence.workspace import init_workspace

PROVIDERS = {
    "northlend": ["lending"],
    "utilitel": ["bills"],
    "trustid": ["identity", "capacity"],
    "paywise": ["commerce", "bills"],
}
ENTITIES = {"P1": "person", "P2": "person", "P3": "person", "P4": "person", "B1": "business"}
PARTNER = "citybike"


def _events(now) -> list[tuple]:
    """(provider, event_id, entity, days_ago, type, amount, days_late)"""
    rows = []
    for who, late in (("P1", 3), ("P2", 0), ("P4", 6)):
        for k in range(12):
            rows.append(("northlend", f"{who}-inst-{k}", who, 20 + 30 * k, "instalment_paid_on_time", 120.0, None))
        for k in range(late):
            rows.append(("utilitel", f"{who}-rent-{k}", who, 15 + 40 * k, "rent_overdue", 700.0, 12))
        rows.append(("trustid", f"{who}-id", who, 300, "identity_verified", None, None))
        rows.append(("trustid", f"{who}-inc", who, 100, "income_verified", 42000.0, None))
        rows.append(("paywise", f"{who}-buy", who, 10, "purchase", 55.0, None))
        rows.append(("northlend", f"{who}-loan", who, 400, "loan_opened", 3000.0, None))
    rows.append(("trustid", "P3-id", "P3", 5, "identity_verified", None, None))  # too little data
    for k in range(8):
        rows.append(("utilitel", f"B1-bill-{k}", "B1", 10 + 30 * k, "utility_bill_paid_on_time", 900.0, None))
    rows.append(("trustid", "B1-id", "B1", 500, "identity_verified", None, None))
    return rows


def build_workspace(root: Path) -> dict:
    """Create, fill and score a workspace in ``root``; returns its path, ids and one API key per principal."""
    ws = init_workspace(root)
    store = ws.store
    cat = default_catalogue()
    now = utcnow()
    with store.transaction() as con:
        for pid, cats in PROVIDERS.items():
            con.execute(
                "INSERT INTO providers VALUES (?, ?, ?, ?, 'test')", [pid, pid.title(), cats, now - timedelta(900)]
            )
        for eid, kind in ENTITIES.items():
            con.execute(
                "INSERT INTO entities VALUES (?, ?, ?, ?, 'test')",
                [eid, kind, f"Entity {eid}", now - timedelta(days=800)],
            )
        for pid, ev, who, ago, typ, amount, late in _events(now):
            t = cat.type(typ)
            con.execute(
                "INSERT INTO events (provider_id, event_id, entity_id, occurred_at, type, category, dimension, adverse,"
                " amount, days_late, ingested_at, batch_id) VALUES (?,?,?,?,?,?,?,?,?,?,?, 'test')",
                [pid, ev, who, now - timedelta(days=ago), typ, t.category, t.dimension, t.adverse, amount, late, now],
            )
        for eid, sex, age in (
            ("P1", "female", "25-34"),
            ("P2", "male", "35-49"),
            ("P4", "female", "50+"),
            ("P3", "male", "25-34"),
        ):
            con.execute("INSERT INTO protected_attributes VALUES (?, 'sex', ?, 'test')", [eid, sex])
            con.execute("INSERT INTO protected_attributes VALUES (?, 'age_band', ?, 'test')", [eid, age])
    cards = workspace_scorecards(ws)
    score_population(store, cards, as_of=now - timedelta(days=30))
    score_population(store, cards, as_of=now)
    keys = {
        "operator": create_key(store, "operator", "ops")[1],
        "auditor": create_key(store, "auditor", "regulator")[1],
        "partner": create_key(store, "partner", PARTNER)[1],
        "provider": create_key(store, "provider", "utilitel")[1],
        "provider_other": create_key(store, "provider", "northlend")[1],
        "subject": create_key(store, "subject", "P1")[1],
        "subject_other": create_key(store, "subject", "P2")[1],
    }
    ws.close()
    return {"root": root, "keys": keys, "now": now}


class Served:
    """A real uvicorn server for ``app`` on 127.0.0.1 and a free port, in a background thread."""

    def __init__(self, app):
        import socket
        import threading

        import uvicorn

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Served:
        import time

        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
