"""The one test-workspace builder: rows written with SQL (category, dimension and adverse from the shipped
catalogue) so tests do not depend on the ingest service, and two ready workspaces built from them.

    rights_workspace(root)   five providers, persons P1, P2 (good histories) and P3 (no data); not scored
    scored_workspace(root)   four providers, P1-P4 and business B1, scored a month ago and now, one API key
                             per principal (the API, served and browser tests)
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from credence.api.auth import create_key
from credence.clock import utcnow
from credence.domain.catalogue import default_catalogue
from credence.services.scoring import score_entity, score_population
from credence.store import current, supersessions
from credence.store.schema import EVENT_COLUMNS
from credence.workspace import Workspace, init_workspace

NOW = utcnow()


# ------------------------------------------------------------------------------------------ rows
def add_providers(ws: Workspace, providers: dict[str, list[str]], registered: datetime | None = None) -> None:
    with ws.store.transaction() as con:
        for pid, cats in providers.items():
            con.execute(
                "INSERT INTO providers (provider_id, name, categories, registered_at, batch_id) "
                "VALUES (?, ?, ?, ?, 'test')",
                [pid, pid.title(), cats, registered or NOW],
            )


def add_entity(ws: Workspace, entity_id: str, kind: str = "person", registered: datetime | None = None) -> None:
    with ws.store.transaction() as con:
        con.execute(
            "INSERT INTO entities (entity_id, kind, display_name, registered_at, batch_id) VALUES (?, ?, ?, ?, 'test')",
            [entity_id, kind, f"Test {entity_id}", registered or NOW - timedelta(days=1000)],
        )


def event_row(
    provider: str,
    event_id: str,
    entity_id: str,
    type_: str,
    occurred_at: datetime,
    *,
    amount: float | None = None,
    days_late: int | None = None,
    counterparty: str | None = None,
    supersedes: str | None = None,
    ingested_at: datetime | None = None,
) -> dict:
    """One ``events`` row by column name."""
    t = default_catalogue().type(type_)
    return {
        "provider_id": provider,
        "event_id": event_id,
        "entity_id": entity_id,
        "occurred_at": occurred_at,
        "type": type_,
        "category": t.category,
        "dimension": t.dimension,
        "adverse": t.adverse,
        "amount": amount,
        "days_late": days_late,
        "purchase_category": None,
        "rental_asset": None,
        "counterparty_id": counterparty,
        "supersedes": supersedes,
        "ingested_at": ingested_at or NOW,
        "batch_id": "test",
    }


def add_events(ws: Workspace, rows: list[dict]) -> None:
    """Append events (and the supersessions their corrections make) in one transaction."""
    sql = f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES ({', '.join('?' for _ in EVENT_COLUMNS)})"
    with ws.store.transaction() as con:
        con.executemany(sql, [[r[c] for c in EVENT_COLUMNS] for r in rows])
        supersessions.record(con)
        current.mark_ids(con, sorted({r["entity_id"] for r in rows}))  # as ingest does: their current scores re-score


def add_event(ws: Workspace, *args, **kw) -> None:
    """Insert one event: (provider, event_id, entity_id, type, occurred_at, amount=, days_late=, counterparty=)."""
    add_events(ws, [event_row(*args, **kw)])


def add_protected(ws: Workspace, entity_id: str, attribute: str, value: str) -> None:
    with ws.store.transaction() as con:
        con.execute(
            "INSERT INTO protected_attributes (entity_id, attribute, value, source) VALUES (?, ?, ?, 'test')",
            [entity_id, attribute, value],
        )


def good_history(ws: Workspace, entity_id: str, months: int = 24) -> None:
    """A reliable person: monthly instalments on time, verified identity and income, clean rentals."""
    rows = [
        event_row(
            "bank",
            f"{entity_id}-inst-{m}",
            entity_id,
            "instalment_paid_on_time",
            NOW - timedelta(days=30 * m + 5),
            amount=200.0,
        )
        for m in range(months)
    ]
    for i, kind in enumerate(["identity_verified", "address_verified", "employment_verified"]):
        rows.append(event_row("idcheck", f"{entity_id}-id-{i}", entity_id, kind, NOW - timedelta(days=100 + i)))
    rows.append(
        event_row("idcheck", f"{entity_id}-inc", entity_id, "income_verified", NOW - timedelta(days=40), amount=7000.0)
    )
    for r in range(4):
        rows.append(
            event_row("bikes", f"{entity_id}-bike-{r}", entity_id, "rental_returned_ok", NOW - timedelta(days=20 + r))
        )
    add_events(ws, rows)


def poor_history(ws: Workspace, entity_id: str) -> None:
    """An unreliable person: late instalments, defaults, an unpaid judgment, late rentals."""
    rows = [
        event_row(
            "bank",
            f"{entity_id}-late-{m}",
            entity_id,
            "instalment_paid_late",
            NOW - timedelta(days=30 * m + 5),
            amount=200.0,
            days_late=40,
        )
        for m in range(8)
    ]
    rows += [
        event_row("bank", f"{entity_id}-default-1", entity_id, "loan_default", NOW - timedelta(days=60), amount=900.0),
        event_row("bank", f"{entity_id}-default-2", entity_id, "loan_default", NOW - timedelta(days=400)),
        event_row("court", f"{entity_id}-court", entity_id, "court_judgment_unfulfilled", NOW - timedelta(days=90)),
    ]
    rows += [
        event_row("bikes", f"{entity_id}-bike-{r}", entity_id, "rental_returned_late", NOW - timedelta(days=15 + r))
        for r in range(4)
    ]
    add_events(ws, rows)


def score(ws: Workspace, entity_id: str, at: datetime | None = None) -> dict:
    return score_entity(ws, entity_id, as_of=at or NOW)


# ------------------------------------------------------------------------------------------ workspaces
RIGHTS_PROVIDERS = {
    "bank": ["lending", "bills"],
    "bikes": ["rentals"],
    "idcheck": ["identity", "capacity"],
    "circle": ["connections"],
    "court": ["public_records"],
}


PARTNERS = ("bikeshare", "lender", "hotel", "rival")


def rights_workspace(root: Path) -> Workspace:
    """A workspace with five providers, persons P1, P2 (good histories) and P3 (no data)."""
    ws = init_workspace(root)
    add_providers(ws, RIGHTS_PROVIDERS)
    for e in ("P1", "P2", "P3"):
        add_entity(ws, e)
    for partner in PARTNERS:  # a grant goes only to a registered partner (one with a partner key) or entity
        create_key(ws.store, "partner", partner)
    good_history(ws, "P1")
    good_history(ws, "P2")
    return ws


SCORED_PROVIDERS = {
    "northlend": ["lending"],
    "utilitel": ["bills"],
    "trustid": ["identity", "capacity"],
    "paywise": ["commerce", "bills"],
}
SCORED_ENTITIES = {"P1": "person", "P2": "person", "P3": "person", "P4": "person", "B1": "business"}
PARTNER = "citybike"


def _scored_events(now: datetime) -> list[dict]:
    rows = []

    def ev(provider, event_id, who, days_ago, type_, amount=None, late=None):
        rows.append(
            event_row(
                provider, event_id, who, type_, now - timedelta(days=days_ago), amount=amount, days_late=late,
                ingested_at=now,
            )
        )  # fmt: skip

    for who, late in (("P1", 3), ("P2", 0), ("P4", 6)):
        for k in range(12):
            ev("northlend", f"{who}-inst-{k}", who, 20 + 30 * k, "instalment_paid_on_time", 120.0)
        for k in range(late):
            ev("utilitel", f"{who}-rent-{k}", who, 15 + 40 * k, "rent_overdue", 700.0, 12)
        ev("trustid", f"{who}-id", who, 300, "identity_verified")
        ev("trustid", f"{who}-inc", who, 100, "income_verified", 42000.0)
        ev("paywise", f"{who}-buy", who, 10, "purchase", 55.0)
        ev("northlend", f"{who}-loan", who, 400, "loan_opened", 3000.0)
    ev("trustid", "P3-id", "P3", 5, "identity_verified")  # too little data
    for k in range(8):
        ev("utilitel", f"B1-bill-{k}", "B1", 10 + 30 * k, "utility_bill_paid_on_time", 900.0)
    ev("trustid", "B1-id", "B1", 500, "identity_verified")
    return rows


def scored_workspace(root: Path) -> dict:
    """Create, fill and score a workspace in ``root``; returns its path, ids and one API key per principal."""
    ws = init_workspace(root)
    now = utcnow()
    add_providers(ws, SCORED_PROVIDERS, registered=now - timedelta(900))
    for eid, kind in SCORED_ENTITIES.items():
        with ws.store.transaction() as con:
            con.execute(
                "INSERT INTO entities (entity_id, kind, display_name, registered_at, batch_id) "
                "VALUES (?, ?, ?, ?, 'test')",
                [eid, kind, f"Entity {eid}", now - timedelta(days=800)],
            )
    add_events(ws, _scored_events(now))
    for eid, sex, age in (
        ("P1", "female", "25-34"),
        ("P2", "male", "35-49"),
        ("P4", "female", "50+"),
        ("P3", "male", "25-34"),
    ):
        add_protected(ws, eid, "sex", sex)
        add_protected(ws, eid, "age_band", age)
    store = ws.store
    score_population(ws, as_of=now - timedelta(days=30))
    score_population(ws, as_of=now)
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
