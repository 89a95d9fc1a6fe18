"""Helpers for the rights tests: a small workspace with providers, persons and events inserted directly."""

from __future__ import annotations

from datetime import datetime, timedelta

from credence.domain.catalogue import default_catalogue
from credence.services.scoring import score_entity, utcnow, workspace_scorecards
from credence.store import current, supersessions
from credence.workspace import Workspace, init_workspace

NOW = utcnow()
PROVIDERS = {
    "bank": ["lending", "bills"],
    "bikes": ["rentals"],
    "idcheck": ["identity", "capacity"],
    "circle": ["connections"],
    "court": ["public_records"],
}


def add_entity(ws: Workspace, entity_id: str, kind: str = "person", registered: datetime | None = None) -> None:
    with ws.store.transaction() as con:
        con.execute(
            "INSERT INTO entities VALUES (?, ?, ?, ?, 'test')",
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
) -> list:
    t = default_catalogue().type(type_)
    return [
        provider,
        event_id,
        entity_id,
        occurred_at,
        type_,
        t.category,
        t.dimension,
        t.adverse,
        amount,
        days_late,
        None,
        None,
        counterparty,
        supersedes,
        NOW,
        "test",
    ]


def add_events(ws: Workspace, rows: list[list]) -> None:
    with ws.store.transaction() as con:
        con.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        supersessions.record(con)
        current.mark_ids(con, sorted({r[2] for r in rows}))  # as ingest does: their current scores re-score


def add_event(ws: Workspace, *args, **kw) -> None:
    """Insert one event: (provider, event_id, entity_id, type, occurred_at, amount=, days_late=, counterparty=)."""
    add_events(ws, [event_row(*args, **kw)])


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


def score(ws: Workspace, entity_id: str, at: datetime | None = None) -> dict:
    return score_entity(ws.store, workspace_scorecards(ws), entity_id, as_of=at or NOW)


def make_workspace(root) -> Workspace:
    """A workspace with five providers, persons P1, P2 (good histories) and P3 (no data)."""
    w = init_workspace(root)
    with w.store.transaction() as con:
        for pid, cats in PROVIDERS.items():
            con.execute("INSERT INTO providers VALUES (?, ?, ?, ?, 'test')", [pid, pid.title(), cats, NOW])
    for e in ("P1", "P2", "P3"):
        add_entity(w, e)
    good_history(w, "P1")
    good_history(w, "P2")
    return w


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
