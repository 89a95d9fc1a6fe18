"""Outcomes from the bureau's own events, and the events known at an observation date (point in time).

``outcome_query(definition, observe=T)`` gives one row per entity of the given kinds registered by T:
``entity_id`` and ``status`` (``excluded`` | ``bad`` | ``indeterminate`` | ``good``, in that precedence),
from one pass over the events in ``(-inf, T + window]``:

    excluded       a matching event at or before T (already bad when observed)
    bad            a matching event in (T, T + window]
    indeterminate  not bad, a matching event in (T, T + window]

``known_events(T)`` is the events relation a training table reads features from when only what the bureau
had *received* by T may count: events ingested by T, less those superseded by a correction ingested by T
or under a dispute open at T. (The scoring query itself never reads an event that occurred after T.)
Both are SQLGlot trees, so they run on any engine the compiler targets.
"""

from __future__ import annotations

import calendar
from datetime import datetime

from sqlglot import exp

from credence.domain.performance import PerformanceDefinition
from credence.domain.scorecard import EventFilter
from credence.sql.expressions import case, col, event_condition, in_list, num, string, timestamp


def add_months(t: datetime, months: int) -> datetime:
    """``t`` plus whole calendar months (the day clamped to the month's length)."""
    y, m = divmod(t.month - 1 + months, 12)
    year, month = t.year + y, m + 1
    return t.replace(year=year, month=month, day=min(t.day, calendar.monthrange(year, month)[1]))


def _any(filters: tuple[EventFilter, ...]) -> exp.Expression:
    return exp.or_(*(exp.paren(event_condition(f)) for f in filters)) if filters else exp.false()


def _flag(cond: exp.Expression, name: str) -> exp.Expression:
    """1 when any event of the entity meets ``cond`` (MAX of a CASE: portable, unlike BOOL_OR)."""
    return exp.alias_(exp.Max(this=case((cond, num(1)), default=num(0))), name)


def outcome_query(
    definition: PerformanceDefinition,
    *,
    observe: datetime,
    kinds: tuple[str, ...] = ("person",),
    events: str = "effective_events",
    entities: str = "entities",
) -> exp.Select:
    """Every entity's outcome after ``observe`` under ``definition`` (see the module docstring)."""
    t = timestamp(observe)
    end = timestamp(add_months(observe, definition.window_months))
    after = exp.and_(exp.GT(this=col("occurred_at"), expression=t), exp.LTE(this=col("occurred_at"), expression=end))
    before = exp.LTE(this=col("occurred_at"), expression=t)
    ents = (
        exp.select(col("entity_id"))
        .from_(entities)
        .where(exp.and_(in_list(col("kind"), kinds), exp.LTE(this=col("registered_at"), expression=t)))
        .group_by(col("entity_id"))
    )
    flags = (
        exp.select(
            col("entity_id"),
            _flag(exp.and_(before, exp.paren(_any(definition.excluded))), "is_excluded"),
            _flag(exp.and_(after, exp.paren(_any(definition.bad))), "is_bad"),
            _flag(exp.and_(after, exp.paren(_any(definition.indeterminate))), "is_indeterminate"),
        )
        .from_(exp.to_table(events))
        .where(
            exp.and_(
                exp.LTE(this=col("occurred_at"), expression=end),
                exp.In(this=col("entity_id"), query=exp.Subquery(this=ents.copy())),
            )
        )
        .group_by(col("entity_id"))
    )
    one = num(1)
    status = case(
        (exp.EQ(this=col("is_excluded", "f"), expression=one), string("excluded")),
        (exp.EQ(this=col("is_bad", "f"), expression=one), string("bad")),
        (exp.EQ(this=col("is_indeterminate", "f"), expression=one), string("indeterminate")),
        default=string("good"),
    )
    return (
        exp.select(exp.alias_(col("entity_id", "n"), "entity_id"), exp.alias_(status, "status"))
        .from_(ents.subquery("n"))
        .join(
            flags.subquery("f"),
            on=exp.EQ(this=col("entity_id", "n"), expression=col("entity_id", "f")),
            join_type="left",
        )
    )


def known_events(observe: datetime, *, events: str = "events") -> exp.Select:
    """The effective events as the bureau knew them at ``observe`` (see the module docstring)."""
    t = timestamp(observe)
    known = exp.LTE(this=col("ingested_at", "c"), expression=t)
    superseded = (
        exp.select(col("provider_id", "s"), col("event_id", "s"))
        .from_(exp.to_table("superseded_events").as_("s"))
        .join(
            exp.to_table(events).as_("c"),
            on=exp.and_(
                exp.EQ(this=col("provider_id", "c"), expression=col("provider_id", "s")),
                exp.EQ(this=col("event_id", "c"), expression=col("superseded_by", "s")),
            ),
        )
        .where(known)
    )
    last_action = exp.select(
        col("provider_id"), col("event_id"), exp.alias_(exp.func("arg_max", col("action"), col("acted_at")), "action")
    )
    disputed = (
        exp.select(col("provider_id"), col("event_id"))
        .from_(
            last_action.from_("disputes")
            .where(exp.LTE(this=col("acted_at"), expression=t))
            .group_by(col("provider_id"), col("event_id"))
            .subquery("d")
        )
        .where(exp.NEQ(this=col("action"), expression=string("confirmed")))
    )

    def not_in(q: exp.Select) -> exp.Expression:
        pair = exp.Tuple(expressions=[col("provider_id", "e"), col("event_id", "e")])
        return exp.Not(this=exp.In(this=pair, query=exp.Subquery(this=q)))

    return (
        exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("e")))
        .from_(exp.to_table(events).as_("e"))
        .where(
            exp.and_(
                exp.LTE(this=col("ingested_at", "e"), expression=t),
                not_in(superseded),
                not_in(disputed),
            )
        )
    )
