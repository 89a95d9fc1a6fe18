"""Scorecard -> one SQL query, built as a SQLGlot expression tree (never by pasting strings).

The query, as of a time T, for every entity of the card's kinds:

    ev      events that count at T: occurred at or before T, adverse ones within retention (guardrail 6)
    agg     one row per entity: every feature's aggregate in a single GROUP BY pass
    v*      only for cards with vouch features: consented vouches and the vouchees' events (sql/vouches.py)
    feat    entities LEFT JOIN agg: feature values (ratios, missing values)
    pts     points per feature from its bins
    lost    total, dimension points, points lost against each feature's maximum
    ranked  each feature's rank by points lost;  picked  the feature index of reasons 1-4
    final   score (scaled, rounded half up, clamped 350-950), band, top-4 reason codes and words

Top-4 reasons use no sort: feature i's rank is the number of features that lost more points (ties go to
the earlier feature), a fixed set of scalar comparisons that every engine vectorises.
"""

from __future__ import annotations

from datetime import datetime

import sqlglot
from sqlglot import exp

from credence.domain.bands import BANDS, INSUFFICIENT, MAX_SCORE, MIN_SCORE
from credence.domain.catalogue import DIMENSIONS, Catalogue, default_catalogue
from credence.domain.scorecard import CategoryBin, Feature, Scorecard
from credence.sql.expressions import (
    case,
    col,
    concat,
    double,
    entity_value,
    event_condition,
    fid,
    in_list,
    num,
    retention_condition,
    round_half_up,
    string,
    text_of_int,
    timestamp,
    weight,
    windowed,
)
from credence.sql.vouches import VOUCH_AGGREGATES, has_vouch_features, vouch_ctes, vouch_feature_value

MAX_REASONS = 4


# ------------------------------------------------------------------------------------------ ev / agg / feat
def aggregates(i: int, feature: Feature) -> list[exp.Expression]:
    """The GROUP BY expressions a feature needs, aliased f{i}_*."""
    stem = fid(i)
    if feature.aggregate in VOUCH_AGGREGATES:
        return []  # aggregated over consented vouches in vagg (see vouch_ctes)
    if feature.aggregate == "ratio":
        out = []
        for part, filt in (("num", feature.numerator), ("den", feature.denominator)):
            cond = windowed(event_condition(filt), feature)
            out.append(exp.alias_(exp.Sum(this=case((cond, weight(feature)), default=num(0))), f"{stem}_{part}"))
        return out
    cond = windowed(event_condition(feature.where), feature)
    if feature.aggregate == "count":
        agg = exp.Sum(this=case((cond, weight(feature)), default=num(0)))
    elif feature.aggregate == "sum":
        agg = exp.Sum(this=case((cond, exp.Mul(this=col("amount"), expression=weight(feature)))))
    elif feature.aggregate == "recency":
        agg = exp.Min(this=case((cond, col("age_days"))))
    elif feature.aggregate == "tenure":
        agg = exp.Max(this=case((cond, col("age_days"))))
    else:
        raise AssertionError(feature.aggregate)
    return [exp.alias_(agg, stem)]


def events_cte(
    card: Scorecard,
    catalogue: Catalogue,
    as_of: exp.Expression,
    events: str,
    entity_id: str | exp.Expression | None,
    entities: str | None = None,
) -> exp.Select:
    age = exp.DateDiff(
        this=exp.cast(as_of, exp.DataType.build("DATE")),
        expression=exp.cast(col("occurred_at"), exp.DataType.build("DATE")),
        unit=exp.var("DAY"),
    )
    cols = [
        "entity_id",
        "type",
        "category",
        "dimension",
        "adverse",
        "amount",
        "days_late",
        "purchase_category",
        "rental_asset",
    ]
    where = exp.LTE(this=col("occurred_at"), expression=as_of)
    if entity_id is not None:
        where = exp.and_(exp.EQ(this=col("entity_id"), expression=entity_value(entity_id)), where)
    elif entities is not None:
        # only this card's kinds: a business card never aggregates the persons' events
        of_kinds = exp.select(col("entity_id")).from_(entities).where(in_list(col("kind"), card.kinds))
        where = exp.and_(exp.In(this=col("entity_id"), query=exp.Subquery(this=of_kinds)), where)
    inner = exp.select(*[col(c) for c in cols], exp.alias_(age, "age_days")).from_(events).where(where)
    return exp.select("*").from_(inner.subquery("e")).where(retention_condition(catalogue))


def agg_cte(card: Scorecard) -> exp.Select:
    exprs: list[exp.Expression] = [
        col("entity_id"),
        exp.alias_(exp.Count(this=exp.Star()), "n_events"),
        exp.alias_(exp.Max(this=col("age_days")), "history_days"),
    ]
    for i, f in enumerate(card.features):
        exprs.extend(aggregates(i, f))
    return exp.select(*exprs).from_("ev").group_by(col("entity_id"))


def feature_value(i: int, feature: Feature) -> exp.Expression:
    stem = fid(i)
    a = f"{stem}"
    if feature.aggregate == "ratio":
        den = col(f"{stem}_den", "a")
        return case(
            (exp.GT(this=den, expression=num(0)), exp.Div(this=double(col(f"{stem}_num", "a")), expression=double(den)))
        )
    if feature.aggregate == "count":
        return exp.Coalesce(this=double(col(a, "a")), expressions=[num(0.0)])
    if feature.aggregate in VOUCH_AGGREGATES:
        return vouch_feature_value(i, feature)
    return double(col(a, "a"))


def feat_cte_events(card: Scorecard, entities: str, entity_id: str | exp.Expression | None) -> exp.Select:
    sel = exp.select(
        exp.alias_(col("entity_id", "n"), "entity_id"),
        exp.alias_(col("kind", "n"), "kind"),
        exp.alias_(exp.Coalesce(this=col("n_events", "a"), expressions=[num(0)]), "n_events"),
        exp.alias_(col("history_days", "a"), "history_days"),
        *[exp.alias_(feature_value(i, f), fid(i)) for i, f in enumerate(card.features)],
    )
    where = in_list(col("kind", "n"), card.kinds)
    if entity_id is not None:
        where = exp.and_(exp.EQ(this=col("entity_id", "n"), expression=entity_value(entity_id)), where)
    ents = (
        exp.select(col("entity_id"), exp.alias_(exp.Max(this=col("kind")), "kind"))
        .from_(entities)
        .group_by(col("entity_id"))
    )
    sel = sel.from_(ents.subquery("n")).join(
        exp.to_table("agg").as_("a"),
        on=exp.EQ(this=col("entity_id", "n"), expression=col("entity_id", "a")),
        join_type="left",
    )
    if has_vouch_features(card):
        sel = sel.join(
            exp.to_table("vagg").as_("v"),
            on=exp.EQ(this=col("entity_id", "n"), expression=col("entity_id", "v")),
            join_type="left",
        )
    return sel.where(where)


def feat_cte_table(card: Scorecard, table: str) -> exp.Select:
    exprs = [exp.alias_(col(card.id_column), "entity_id"), exp.alias_(string("row"), "kind")]
    for i, f in enumerate(card.features):
        c = col(f.column)
        value = exp.cast(c, exp.DataType.build("VARCHAR")) if f.categorical else double(c)
        exprs.append(exp.alias_(value, fid(i)))
    return exp.select(*exprs).from_(table)


# ------------------------------------------------------------------------------------------ points
def bin_points(i: int, f: Feature) -> exp.Expression:
    v = col(fid(i))
    whens: list[tuple[exp.Expression, exp.Expression]] = [
        (exp.Is(this=v, expression=exp.Null()), num(f.missing_points))
    ]
    for b in f.bins:
        if isinstance(b, CategoryBin):
            whens.append((in_list(v, b.values), num(b.points)))
        else:
            conds = []
            if b.min is not None:
                conds.append(exp.GTE(this=v, expression=num(b.min)))
            if b.max is not None:
                conds.append(exp.LT(this=v, expression=num(b.max)))
            whens.append((exp.and_(*conds) if conds else exp.true(), num(b.points)))
    fallback = f.other_points if f.other_points is not None else f.missing_points
    return case(*whens, default=num(fallback))


def pts_cte(card: Scorecard) -> exp.Select:
    return exp.select("*", *[exp.alias_(bin_points(i, f), f"p{i}") for i, f in enumerate(card.features)]).from_("feat")


def lost_cte(card: Scorecard) -> exp.Select:
    n = len(card.features)
    total = exp.Add(this=col("p0"), expression=num(0)) if n == 1 else None
    total = col("p0")
    for i in range(1, n):
        total = exp.Add(this=total, expression=col(f"p{i}"))
    exprs: list[exp.Expression] = ["*", exp.alias_(total, "total_points")]
    for dim in DIMENSIONS:
        members = [i for i, f in enumerate(card.features) if f.dimension == dim]
        if members:
            s = col(f"p{members[0]}")
            for i in members[1:]:
                s = exp.Add(this=s, expression=col(f"p{i}"))
            exprs.append(exp.alias_(double(s), f"points_{dim}"))
        else:
            exprs.append(exp.alias_(exp.cast(exp.Null(), exp.DataType.build("DOUBLE")), f"points_{dim}"))
    for i, f in enumerate(card.features):
        exprs.append(exp.alias_(exp.Sub(this=num(f.max_points), expression=col(f"p{i}")), f"l{i}"))
    sel = exp.select(*exprs).from_("pts")
    return sel


def rank_cte(card: Scorecard) -> exp.Select:
    n = len(card.features)
    exprs: list[exp.Expression] = ["*"]
    for i in range(n):
        terms: list[exp.Expression] = []
        for j in range(n):
            if j == i:
                continue
            li, lj = col(f"l{i}"), col(f"l{j}")
            beats = exp.GT(this=lj, expression=li) if j > i else exp.GTE(this=lj, expression=li)
            terms.append(exp.cast(beats, exp.DataType.build("INT")))
        rank = num(0)
        for t in terms:
            rank = exp.Add(this=rank, expression=t)
        exprs.append(exp.alias_(rank, f"r{i}"))
    return exp.select(*exprs).from_("lost")


def pick_cte(card: Scorecard) -> exp.Select:
    """``k{k}``: the index of the feature that is reason k (it lost points and ranks k-th), else NULL."""
    exprs: list[exp.Expression] = ["*"]
    for k in range(min(MAX_REASONS, len(card.features))):
        hits = [
            (
                exp.and_(exp.EQ(this=col(f"r{i}"), expression=num(k)), exp.GT(this=col(f"l{i}"), expression=num(0))),
                num(i),
            )
            for i in range(len(card.features))
        ]
        exprs.append(exp.alias_(case(*hits), f"k{k}"))
    return exp.select(*exprs).from_("ranked")


# ------------------------------------------------------------------------------------------ words
def value_text(i: int, f: Feature) -> exp.Expression:
    v = col(fid(i))
    if f.format == "percent":
        return concat(text_of_int(round_half_up(exp.Mul(this=v, expression=num(100)))), string("%"))
    if f.format == "category" or f.categorical:
        return v
    return text_of_int(round_half_up(v))


def reason_text(i: int, f: Feature, factor: float) -> exp.Expression:
    prefix, _, suffix = f.reason.partition("{value}")
    present = concat(string(prefix), value_text(i, f), string(suffix))
    missing = string(f.missing_reason or f"no {f.name.replace('_', ' ')} on record")
    stated = case((exp.Is(this=col(fid(i)), expression=exp.Null()), missing), default=present)
    gain = text_of_int(round_half_up(exp.Mul(this=col(f"l{i}"), expression=num(factor))))
    improve = f.improve or "improving this"
    return concat(stated, string(f"; {improve} would add about "), gain, string(" points"))


def final_select(card: Scorecard, *, detail: bool, reasons: bool = True) -> exp.Select:
    offset, factor = card.scale()
    raw = round_half_up(exp.Add(this=num(offset), expression=exp.Mul(this=num(factor), expression=col("total_points"))))
    clamped = case(
        (exp.LT(this=raw, expression=num(MIN_SCORE)), num(MIN_SCORE)),
        (exp.GT(this=raw, expression=num(MAX_SCORE)), num(MAX_SCORE)),
        default=raw,
    )
    if card.source == "events":
        insufficient = exp.or_(
            exp.LT(this=col("n_events"), expression=num(card.min_events)),
            exp.Is(this=col("history_days"), expression=exp.Null()),
            exp.LT(this=col("history_days"), expression=num(card.min_history_days)),
        )
    else:
        insufficient = exp.false()
    score = case((insufficient, exp.Null()), default=exp.cast(clamped, exp.DataType.build("INT")))
    band = case(
        (insufficient, string(INSUFFICIENT)),
        *[(exp.GTE(this=clamped, expression=num(low)), string(name)) for low, name in BANDS],
        default=string(BANDS[-1][1]),
    )
    exprs: list[exp.Expression] = [
        col("entity_id"),
        col("kind"),
        exp.alias_(score, "score"),
        exp.alias_(band, "band"),
    ]
    for dim in DIMENSIONS:
        exprs.append(exp.alias_(case((insufficient, exp.Null()), default=col(f"points_{dim}")), f"points_{dim}"))
    n = len(card.features)
    for k in range(MAX_REASONS if reasons else 0):
        if k >= n:
            exprs += [exp.alias_(exp.Null(), f"reason{k + 1}_code"), exp.alias_(exp.Null(), f"reason{k + 1}_text")]
            continue
        pick = case((insufficient, exp.Null()), default=col(f"k{k}"))
        code = exp.Case(this=pick, ifs=[exp.If(this=num(i), true=string(f.name)) for i, f in enumerate(card.features)])
        text = exp.Case(
            this=pick.copy(),
            ifs=[exp.If(this=num(i), true=reason_text(i, f, factor)) for i, f in enumerate(card.features)],
        )
        exprs += [exp.alias_(code, f"reason{k + 1}_code"), exp.alias_(text, f"reason{k + 1}_text")]
    if detail:
        exprs.append(col("total_points"))
        for i in range(n):
            exprs += [exp.alias_(col(fid(i)), f"value_{i}"), exp.alias_(col(f"p{i}"), f"points_{i}")]
        if card.source == "events":
            exprs += [col("n_events"), col("history_days")]
    return exp.select(*exprs).from_("picked" if reasons else "lost")


# ------------------------------------------------------------------------------------------ entry points
def scorecard_query(
    card: Scorecard,
    *,
    as_of: datetime | str | exp.Expression | None = None,
    catalogue: Catalogue | None = None,
    events: str = "effective_events",
    entities: str = "entities",
    table: str = "features",
    entity_id: str | exp.Expression | None = None,
    detail: bool = False,
    reasons: bool = True,
) -> exp.Select:
    """The scoring query for ``card`` as a SQLGlot expression.

    ``events``/``entities`` name the relations an events card reads; ``table`` the feature table a
    ``source: table`` card reads. ``entity_id`` restricts to one entity (the online path). ``detail`` adds
    every feature's value and points (``value_{i}``, ``points_{i}``) for explanations and tests.
    ``reasons=False`` leaves out the reason columns (score-only batches).
    """
    catalogue = catalogue or default_catalogue()
    if card.source == "events":
        if as_of is None:
            raise ValueError("an events scorecard needs as_of")
        t = timestamp(as_of)
        query = (
            final_select(card, detail=detail, reasons=reasons)
            .with_("ev", as_=events_cte(card, catalogue, t, events, entity_id, entities), copy=False)
            .with_("agg", as_=agg_cte(card), copy=False)
        )
        if has_vouch_features(card):
            for name, cte in vouch_ctes(card, catalogue, t, events, entity_id):
                query = query.with_(name, as_=cte, copy=False)
        query = query.with_("feat", as_=feat_cte_events(card, entities, entity_id), copy=False)
    else:
        query = final_select(card, detail=detail, reasons=reasons).with_(
            "feat", as_=feat_cte_table(card, table), copy=False
        )
    query = query.with_("pts", as_=pts_cte(card), copy=False).with_("lost", as_=lost_cte(card), copy=False)
    if reasons:
        query = query.with_("ranked", as_=rank_cte(card), copy=False).with_("picked", as_=pick_cte(card), copy=False)
    return query


def compile_scorecard(card: Scorecard, *, dialect: str = "duckdb", pretty: bool = False, **kw) -> str:
    """The scoring query as SQL text in any SQLGlot dialect (duckdb, spark, postgres, snowflake, ...)."""
    try:
        sqlglot.Dialect.get_or_raise(dialect)
    except ValueError:
        from credence.errors import ConfigError

        raise ConfigError(
            f"unknown SQL dialect '{dialect}'", fix="use e.g. duckdb, spark, postgres, snowflake, bigquery"
        ) from None
    return scorecard_query(card, **kw).sql(dialect=dialect, pretty=pretty)
