"""The workspace's training table: event features as of a date, joined with the outcome that followed.

The features are exactly those an events scorecard computes: its compiled detail query
(``scorecard_query(card, as_of=..., detail=True)``) gives every entity's ``value_i``, renamed to the
feature's name. The outcome comes from the ``outcomes`` table (kept apart from everything that scores):
rows observed from that date over a window of ``months``. Entities the card would not score (insufficient
data) are left out, since they never get a score; entities without an outcome are left out. Protected
attributes (the ``protected_attributes`` table) come along only to audit fairness.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlglot import exp

from credence.domain.bands import INSUFFICIENT
from credence.domain.catalogue import Catalogue
from credence.domain.scorecard import Scorecard
from credence.errors import DataError
from credence.learning.data import Prepared, prepare
from credence.sql.compiler import scorecard_query
from credence.sql.expressions import num, timestamp
from credence.store import Store

TARGET = "defaulted"


@dataclass
class WorkspaceTable:
    frame: pd.DataFrame  # entity_id, one column per feature, defaulted, protected attributes
    features: list[str]
    protected: list[str]
    as_of: datetime
    months: int
    insufficient: int  # labelled entities left out: the card gives them no score
    notes: list[str] = field(default_factory=list)


def _df(store: Store, sql: str, params: list | None = None) -> pd.DataFrame:
    cur = store.cursor()
    try:
        return cur.execute(sql, params or []).df()
    finally:
        cur.close()


def outcome_windows(store: Store) -> pd.DataFrame:
    """The outcome observations on record: (observed_from, months) with their counts."""
    return _df(
        store,
        "SELECT observed_from, months, count(*) AS entities, count(*) FILTER (WHERE defaulted) AS defaults "
        "FROM outcomes GROUP BY ALL ORDER BY observed_from, months",
    )


def choose_window(store: Store, as_of: datetime | None, months: int | None) -> tuple[datetime, int]:
    windows = outcome_windows(store)
    if windows.empty:
        raise DataError(
            "the workspace has no outcomes to learn from",
            fix="'credence simulate' stores the simulated population's outcomes; or train on a file with --data",
        )
    listing = "; ".join(
        f"{r.observed_from:%Y-%m-%d} over {r.months} months ({r.entities:,} entities)" for r in windows.itertuples()
    )
    w = windows
    if as_of is not None:
        w = w[pd.to_datetime(w["observed_from"]).dt.date == as_of.date()]
    if months is not None:
        w = w[w["months"] == months]
    if w.empty:
        raise DataError(
            "no outcomes were observed from that date over that window",
            field="as_of",
            fix=f"outcomes on record: {listing}",
        )
    if as_of is None:
        w = w[w["observed_from"] == w["observed_from"].max()]
    if len(w) > 1:
        raise DataError(
            "outcomes over several windows start on that date",
            field="months",
            fix=f"choose one with --months; on record: {listing}",
        )
    row = w.iloc[0]
    return pd.Timestamp(row["observed_from"]).to_pydatetime(), int(row["months"])


def training_query(card: Scorecard, as_of: datetime, months: int, catalogue: Catalogue | None) -> exp.Select:
    """Features as of ``as_of`` (the card's detail query) joined with the outcomes observed from then."""
    detail = scorecard_query(card, as_of=as_of, catalogue=catalogue, detail=True).subquery("q")
    day = exp.cast(timestamp(as_of), exp.DataType.build("DATE"))
    outcomes = (
        exp.select(exp.column("entity_id"), exp.alias_(exp.func("bool_or", exp.column("defaulted")), TARGET))
        .from_("outcomes")
        .where(
            exp.and_(
                exp.EQ(this=exp.cast(exp.column("observed_from"), exp.DataType.build("DATE")), expression=day),
                exp.EQ(this=exp.column("months"), expression=num(months)),
            )
        )
        .group_by(exp.column("entity_id"))
        .subquery("o")
    )
    cols = [exp.column("entity_id", "q"), exp.column("band", "q")]
    cols += [exp.alias_(exp.column(f"value_{i}", "q"), f.name, quoted=True) for i, f in enumerate(card.features)]
    cols.append(exp.column(TARGET, "o"))
    return (
        exp.select(*cols)
        .from_(detail)
        .join(outcomes, on=exp.EQ(this=exp.column("entity_id", "q"), expression=exp.column("entity_id", "o")))
        .order_by(exp.column("entity_id", "q"))
    )


def protected_frame(store: Store) -> pd.DataFrame:
    """entity_id and one column per protected attribute (held apart: fairness only)."""
    rows = _df(
        store,
        "SELECT entity_id, attribute, arg_max(value, source) AS value FROM protected_attributes "
        "GROUP BY entity_id, attribute",
    )
    if rows.empty:
        return pd.DataFrame({"entity_id": pd.Series(dtype=str)})
    return rows.pivot(index="entity_id", columns="attribute", values="value").reset_index()


def workspace_table(
    store: Store,
    card: Scorecard,
    *,
    as_of: datetime | None = None,
    months: int | None = None,
    catalogue: Catalogue | None = None,
) -> WorkspaceTable:
    """The labelled feature table of an events card's entities (see the module docstring)."""
    if card.source != "events":
        raise DataError(
            f"scorecard {card.ref} reads a feature table, not the workspace's events",
            fix="train from the workspace with an events scorecard, or use --data",
        )
    as_of, months = choose_window(store, as_of, months)
    frame = _df(store, training_query(card, as_of, months, catalogue).sql(dialect="duckdb"))
    insufficient = int((frame["band"] == INSUFFICIENT).sum())
    frame = frame[frame["band"] != INSUFFICIENT].drop(columns=["band"]).reset_index(drop=True)
    notes = []
    if insufficient:
        notes.append(f"{insufficient:,} labelled entities have too little data for a score and are left out")
    prot = protected_frame(store)
    protected = [c for c in prot.columns if c != "entity_id"]
    if protected:
        frame = frame.merge(prot, on="entity_id", how="left")
    return WorkspaceTable(frame, [f.name for f in card.features], protected, as_of, months, insufficient, notes)


def prepare_workspace(table: WorkspaceTable, **kw) -> Prepared:
    """The workspace table as training data: the card's features are the only inputs."""
    if table.frame.empty:
        raise DataError(
            f"no entity has both a score-able history as of {table.as_of:%Y-%m-%d} and an outcome",
            fix="ingest the events and the outcomes of the same population",
        )
    cols = ["entity_id", *table.features, TARGET, *table.protected]
    prepared = prepare(table.frame[cols], TARGET, protected=table.protected, bad="True", id_column="entity_id", **kw)
    prepared.notes.extend(table.notes)
    return prepared
