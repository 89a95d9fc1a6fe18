"""Small SQLGlot builders shared by the compiler's parts: literals, columns, CASE, text, time.

Everything here builds expression trees; nothing pastes strings into SQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlglot import exp

from credence.domain.catalogue import Catalogue
from credence.domain.scorecard import EventFilter, Feature


def num(x: float | int) -> exp.Expression:
    """A numeric literal; non-integers are typed DOUBLE so no engine reads them as a narrow DECIMAL."""
    if isinstance(x, float):
        if x.is_integer() and abs(x) < 1e15:
            return exp.Literal.number(int(x))
        return double(exp.Literal.number(repr(x)))
    return exp.Literal.number(x)


def string(s: str) -> exp.Literal:
    return exp.Literal.string(s)


def col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table, quoted=False)


def double(e: exp.Expression) -> exp.Expression:
    return exp.cast(e, exp.DataType.build("DOUBLE"))


def text_of_int(e: exp.Expression) -> exp.Expression:
    """An integer-valued number as text, identical on every engine."""
    return exp.cast(exp.cast(e, exp.DataType.build("BIGINT")), exp.DataType.build("VARCHAR"))


def round_half_up(e: exp.Expression) -> exp.Expression:
    return exp.Floor(this=exp.Add(this=e, expression=num(0.5)))


def concat(*parts: exp.Expression | str) -> exp.Expression:
    """Text concatenation (str parts are literals; adjacent ones are merged, empty ones dropped).

    SQLGlot's ``Concat`` is written as each dialect spells it (``CONCAT(...)``, ``||`` in SQLite and
    PostgreSQL); the parts must never be NULL (engines differ on NULL in concatenation).
    """
    merged: list[exp.Expression | str] = []
    for p in parts:
        if isinstance(p, str) and merged and isinstance(merged[-1], str):
            merged[-1] += p
        elif not (isinstance(p, str) and not p):
            merged.append(p)
    args = [string(p) if isinstance(p, str) else p for p in merged]
    if len(args) == 1:
        return args[0]
    return exp.Concat(expressions=args)


def case(*whens: tuple[exp.Expression, exp.Expression], default: exp.Expression | None = None) -> exp.Case:
    c = exp.Case()
    for cond, value in whens:  # copy only the branch, not the growing CASE (copying it each time is quadratic)
        c.append("ifs", exp.If(this=cond.copy(), true=value.copy()))
    if default is not None:
        c.set("default", default.copy())
    return c


def in_list(e: exp.Expression, values) -> exp.Expression:
    return exp.In(this=e, expressions=[string(v) for v in values])


def timestamp(value: datetime | str | exp.Expression) -> exp.Expression:
    """A point in time from ISO text ('YYYY-MM-DD HH:MM:SS'), or from a bound parameter (``exp.Placeholder``).

    Built as SQLGlot's ``TimeStrToTime`` so each dialect writes its own timestamp (a CAST to TIMESTAMP,
    DateTime64 in ClickHouse, the ISO text itself in SQLite, whose date functions read text).
    """
    if not isinstance(value, exp.Expression):
        when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        value = string(when.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds"))
    return exp.TimeStrToTime(this=value)


def entity_value(entity_id: str | exp.Expression) -> exp.Expression:
    """The one entity of the online path: a string literal or a bound parameter."""
    return entity_id if isinstance(entity_id, exp.Expression) else string(entity_id)


def fid(i: int) -> str:
    """Column stem of the i-th feature (names are the card's, columns are positional and safe)."""
    return f"f{i}"


def retention_condition(catalogue: Catalogue) -> exp.Expression:
    """Guardrail 6: an adverse event older than its retention period no longer counts."""
    by_days: dict[int, list[str]] = {}
    for t in catalogue.types.values():
        days = catalogue.retention_days(t)
        if days is not None:
            by_days.setdefault(days, []).append(t.name)
    limit = case(*((in_list(col("type"), sorted(types)), num(days)) for days, types in sorted(by_days.items())))
    return exp.or_(
        exp.Not(this=exp.paren(col("adverse"))),
        exp.LTE(this=col("age_days"), expression=limit),
    )


def event_condition(f: EventFilter) -> exp.Expression:
    """The whole filter on an event's own columns (type, category, dimension, adverse and attributes)."""
    conds: list[exp.Expression] = []
    if f.types:
        conds.append(in_list(col("type"), f.types))
    if f.categories:
        conds.append(in_list(col("category"), f.categories))
    if f.dimensions:
        conds.append(in_list(col("dimension"), f.dimensions))
    if f.adverse is not None:
        conds.append(exp.EQ(this=col("adverse"), expression=exp.Boolean(this=f.adverse)))
    conds += attribute_conditions(f)
    return exp.and_(*conds) if conds else exp.true()


def attribute_conditions(f: EventFilter) -> list[exp.Expression]:
    """The filter's tests of event attributes (days late, purchase category, rental asset)."""
    conds: list[exp.Expression] = []
    if f.min_days_late is not None:
        conds.append(exp.GTE(this=col("days_late"), expression=num(f.min_days_late)))
    if f.purchase_categories:
        conds.append(in_list(col("purchase_category"), f.purchase_categories))
    if f.rental_assets:
        conds.append(in_list(col("rental_asset"), f.rental_assets))
    return conds


def windowed(cond: exp.Expression, feature: Feature) -> exp.Expression:
    if feature.window_days is None:
        return cond
    return exp.and_(cond, exp.LT(this=col("age_days"), expression=num(feature.window_days)))


def weight(feature: Feature) -> exp.Expression:
    """1, or the exponential decay weight 0.5^(age/half-life)."""
    if feature.decay_half_life_days is None:
        return num(1)
    return exp.Pow(
        this=num(0.5), expression=exp.Div(this=double(col("age_days")), expression=num(feature.decay_half_life_days))
    )
