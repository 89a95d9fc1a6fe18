"""Point-in-time training tables from the bureau's own history.

For an observation date T and a performance definition (``credence.domain.performance``):

- features: the events card's compiled detail query as of T, so only events that occurred at or before T
  reach a feature (``known="ingested"`` narrows that further to the events the bureau had *received* by T,
  for stores that were fed live rather than back-filled: ``credence.sql.outcomes.known_events``);
- outcome: the status the definition gives from the events in (T, T + window] (``outcome_query``);
  ``bad`` is 1, ``good`` 0; ``indeterminate`` and ``excluded`` entities are counted and left out.

Features and outcome are one SQL statement run in the engine; nothing loops over entities in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlglot import exp

from credence.domain.bands import INSUFFICIENT
from credence.domain.catalogue import Catalogue
from credence.domain.performance import PerformanceDefinition
from credence.domain.scorecard import Scorecard
from credence.errors import DataError, ValidationError
from credence.learning.features import TARGET, WorkspaceTable, _df, protected_frame
from credence.sql.compiler import scorecard_query
from credence.sql.expressions import col
from credence.sql.outcomes import add_months, known_events, outcome_query
from credence.store import Store

KNOWN = ("occurred", "ingested")
PIT_EVENTS = "pit_events"


@dataclass
class HistoryCounts:
    """How the entities observed at T divide (they add up to ``observed``)."""

    observed: int
    good: int
    bad: int
    indeterminate: int
    excluded: int
    insufficient: int  # good or bad, but too little data at T for the card to score

    def line(self) -> str:
        return (
            f"{self.observed:,} entities observed = {self.good:,} good + {self.bad:,} bad + "
            f"{self.indeterminate:,} indeterminate + {self.excluded:,} excluded (already bad at T) + "
            f"{self.insufficient:,} with too little data at T"
        )


def _with_first(query: exp.Select, name: str, cte: exp.Select) -> exp.Select:
    """``query`` with ``cte`` as its first common table expression (the others may read it)."""
    query = query.with_(name, as_=cte)
    ctes = query.args["with_" if "with_" in query.args else "with"].expressions
    ctes.insert(0, ctes.pop())
    return query


def history_query(
    card: Scorecard,
    definition: PerformanceDefinition,
    observe: datetime,
    *,
    catalogue: Catalogue | None = None,
    known: str = "occurred",
) -> exp.Select:
    """Features of ``card`` as of ``observe`` joined with the outcome status that followed."""
    if known not in KNOWN:
        raise ValidationError(f"known={known!r} is not one of {', '.join(KNOWN)}", field="known")
    events = "effective_events"
    if known == "ingested":
        events = PIT_EVENTS
    detail = scorecard_query(card, as_of=observe, catalogue=catalogue, detail=True, events=events, reasons=False)
    if known == "ingested":
        detail = _with_first(detail, PIT_EVENTS, known_events(observe))
    status = outcome_query(definition, observe=observe, kinds=card.kinds)  # what followed, as known now
    cols = [col("entity_id", "q"), col("band", "q"), col("status", "o")]
    cols += [exp.alias_(col(f"value_{i}", "q"), f.name, quoted=True) for i, f in enumerate(card.features)]
    return (
        exp.select(*cols)
        .from_(detail.subquery("q"))
        .join(status.subquery("o"), on=exp.EQ(this=col("entity_id", "q"), expression=col("entity_id", "o")))
        .order_by(col("entity_id", "q"))
    )


def check_window_closed(store: Store, observe: datetime, months: int) -> datetime:
    """The window's end; refused when it runs past the latest event on record (outcomes not yet known)."""
    end = add_months(observe, months)
    latest = store.scalar("SELECT max(occurred_at) FROM events")
    if latest is None:
        raise DataError("the workspace holds no events to learn from", fix="ingest the providers' events first")
    if end.date() > latest.date() + timedelta(days=1):  # a window ending at midnight after the last day is closed
        raise DataError(
            f"the outcome window ({observe:%Y-%m-%d}, {end:%Y-%m-%d}] ends after the latest event on record "
            f"({latest:%Y-%m-%d}): those outcomes are not known yet",
            field="observe",
            fix=f"observe on or before {add_months(latest + timedelta(days=1), -months):%Y-%m-%d}, or choose a shorter --window",
        )
    return end


def history_table(
    store: Store,
    card: Scorecard,
    definition: PerformanceDefinition,
    observe: datetime,
    *,
    catalogue: Catalogue | None = None,
    known: str = "occurred",
) -> tuple[WorkspaceTable, HistoryCounts]:
    """The labelled point-in-time table of ``card``'s entities observed at ``observe`` (module docstring)."""
    if card.source != "events":
        raise DataError(
            f"scorecard {card.ref} reads a feature table, not the workspace's events",
            fix="train from the workspace with an events scorecard, or use --data",
        )
    check_window_closed(store, observe, definition.window_months)
    sql = history_query(card, definition, observe, catalogue=catalogue, known=known).sql(dialect="duckdb")
    frame = _df(store, sql)
    by = frame["status"].value_counts()
    scoreable = frame["band"] != INSUFFICIENT
    labelled = frame["status"].isin(["good", "bad"])
    counts = HistoryCounts(
        observed=len(frame),
        good=int((labelled & scoreable & (frame["status"] == "good")).sum()),
        bad=int((labelled & scoreable & (frame["status"] == "bad")).sum()),
        indeterminate=int(by.get("indeterminate", 0)),
        excluded=int(by.get("excluded", 0)),
        insufficient=int((labelled & ~scoreable).sum()),
    )
    frame = frame[labelled & scoreable].reset_index(drop=True)
    frame[TARGET] = frame["status"] == "bad"
    frame = frame.drop(columns=["band", "status"])
    prot = protected_frame(store)
    protected = [c for c in prot.columns if c != "entity_id"]
    if protected:
        frame = frame.merge(prot, on="entity_id", how="left")
    table = WorkspaceTable(
        frame, [f.name for f in card.features], protected, observe, definition.window_months, counts.insufficient
    )
    return table, counts
