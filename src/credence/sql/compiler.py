"""Scorecard -> one SQL query, built as a SQLGlot expression tree (never by pasting strings).

The query, as of a time T, for every entity of the card's kinds:

    event_types  per catalogue type: retention days and the type-level part of each filter (sql/event_types.py)
    ev      events that count at T: occurred at or before T, adverse ones within retention (guardrail 6)
    agg     one row per entity: every feature's aggregate in a single GROUP BY pass
    v*      only for cards with vouch features: consented vouches and the vouchees' events (sql/vouches.py)
    feat    entities LEFT JOIN agg: feature values (ratios, missing values)
    pts     points per feature from its bins
    lost    total, dimension points, points lost against each feature's maximum
    ranked  each feature's place in the order of points lost (most first; ties: the earlier feature)
    picked  reason k+1: the feature at place k, if it lost points
    final   score (scaled, rounded half up, clamped 350-950), band, top-4 reason codes and words

Top-4 reasons use no sort and no chain of CTEs: each feature's place is a sum of n-1 comparisons of losses,
scalar expressions per entity that every engine vectorises and none can nest into an exponential plan.

``population_query`` puts every events card of a workspace in one statement: one scan of the events and
one GROUP BY for all cards' aggregates (prefixed ``c{j}_``), then each card's part over its own kinds.
"""

from __future__ import annotations

from datetime import datetime

from sqlglot import exp
from sqlglot.errors import ErrorLevel

from credence.domain.bands import BANDS, INSUFFICIENT, MAX_SCORE, MIN_SCORE
from credence.domain.catalogue import DIMENSIONS, Catalogue, default_catalogue
from credence.domain.score import MAX_REASONS
from credence.domain.scorecard import CategoryBin, Feature, NumericBin, Scorecard
from credence.sql.dialects import MATERIALIZE_CTES, VERIFIED, check_dialect
from credence.sql.event_types import RETENTION, TYPE_KEY, EventTypes
from credence.sql.expressions import (
    case,
    col,
    concat,
    double,
    entity_value,
    fid,
    in_list,
    num,
    round_half_up,
    string,
    text_of_int,
    timestamp,
    weight,
    windowed,
)
from credence.sql.vouches import (
    VOUCH_AGGREGATES,
    has_vouch_features,
    vagg_cte,
    vouch_ctes,
    vouch_feature_value,
    vouch_link_ctes,
)

# The relations an events card's query reads and the columns it needs, with their SQL types: what a
# warehouse must hold to run ``credence export-sql``'s query (the store's effective_events and entities).
INPUT_COLUMNS: dict[str, dict[str, str]] = {
    "effective_events": {
        "entity_id": "VARCHAR",
        "occurred_at": "TIMESTAMP",
        "type": "VARCHAR",
        "category": "VARCHAR",
        "dimension": "VARCHAR",
        "adverse": "BOOLEAN",
        "amount": "DOUBLE",
        "days_late": "INT",
        "purchase_category": "VARCHAR",
        "rental_asset": "VARCHAR",
        "counterparty_id": "VARCHAR",
    },
    "entities": {"entity_id": "VARCHAR", "kind": "VARCHAR"},
}


# ------------------------------------------------------------------------------------------ ev / agg / feat
def _count(cond: exp.Expression, feature: Feature) -> exp.Expression:
    """Matching events (never NULL): a plain COUNT, or the sum of their decay weights."""
    if feature.decay_half_life_days is None:
        return exp.Count(this=case((cond, num(1))))  # a cheaper state than SUM of integers
    return exp.Sum(this=case((cond, weight(feature)), default=num(0)))


def aggregates(i: int, feature: Feature, types: EventTypes, prefix: str = "") -> list[exp.Expression]:
    """The GROUP BY expressions a feature needs, aliased {prefix}f{i}_*."""
    stem = prefix + fid(i)
    if feature.aggregate in VOUCH_AGGREGATES:
        return []  # aggregated over consented vouches in vagg (see vouch_ctes)
    if feature.aggregate == "ratio":
        out = []
        for part, filt in (("num", feature.numerator), ("den", feature.denominator)):
            cond = windowed(types.condition(filt), feature)
            out.append(exp.alias_(_count(cond, feature), f"{stem}_{part}"))
        return out
    cond = windowed(types.condition(feature.where), feature)
    if feature.aggregate == "count":
        agg = _count(cond, feature)
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
    types: EventTypes,
    as_of: exp.Expression,
    events: str,
    entity_id: str | exp.Expression | None,
    entities: str | None = None,
) -> exp.Select:
    """The events that count at T, each with its age in days and its type's flags (``event_types``)."""
    age = exp.DateDiff(
        this=exp.cast(as_of, exp.DataType.build("DATE")),
        expression=exp.cast(col("occurred_at"), exp.DataType.build("DATE")),
        unit=exp.var("DAY"),
    )
    cols = ["entity_id", "adverse", "amount", "days_late", "purchase_category", "rental_asset"]
    where = exp.LTE(this=col("occurred_at"), expression=as_of)
    if entity_id is not None:
        where = exp.and_(exp.EQ(this=col("entity_id"), expression=entity_value(entity_id)), where)
    elif entities is not None:
        # only this card's kinds: a business card never aggregates the persons' events
        of_kinds = exp.select(col("entity_id")).from_(entities).where(in_list(col("kind"), card.kinds))
        where = exp.and_(exp.In(this=col("entity_id"), query=exp.Subquery(this=of_kinds)), where)
    inner = (
        exp.select(*[col(c) for c in cols], exp.alias_(age, "age_days"), *map(col, types.columns))
        .from_(exp.to_table(events))
        .join("event_types", on=exp.EQ(this=col(TYPE_KEY), expression=col("type")), join_type="left")
        .where(where)
    )
    # guardrail 6: an adverse event older than its type's retention period no longer counts
    kept = exp.or_(exp.Not(this=exp.paren(col("adverse"))), exp.LTE(this=col("age_days"), expression=col(RETENTION)))
    return exp.select("*").from_(inner.subquery("e")).where(kept)


def agg_cte(cards: list[tuple[str, Scorecard]], types: EventTypes) -> exp.Select:
    """One row per entity with the aggregates of every (prefix, card): one pass over the events for all."""
    exprs: list[exp.Expression] = [
        col("entity_id"),
        exp.alias_(exp.Count(this=exp.Star()), "n_events"),
        exp.alias_(exp.Max(this=col("age_days")), "history_days"),
    ]
    for prefix, card in cards:
        for i, f in enumerate(card.features):
            exprs.extend(aggregates(i, f, types, prefix))
    return exp.select(*exprs).from_("ev").group_by(col("entity_id"))


def feature_value(i: int, feature: Feature, prefix: str = "") -> exp.Expression:
    stem = prefix + fid(i)
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


def feat_cte_events(
    card: Scorecard, entities: str, entity_id: str | exp.Expression | None, prefix: str = ""
) -> exp.Select:
    sel = exp.select(
        exp.alias_(col("entity_id", "n"), "entity_id"),
        exp.alias_(col("kind", "n"), "kind"),
        exp.alias_(exp.Coalesce(this=col("n_events", "a"), expressions=[num(0)]), "n_events"),
        exp.alias_(col("history_days", "a"), "history_days"),
        *[exp.alias_(feature_value(i, f, prefix), fid(i)) for i, f in enumerate(card.features)],
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
def _tiles_the_line(bins) -> bool:
    """Numeric bins in order, each starting where the last ended, from -inf to +inf."""
    return (
        all(isinstance(b, NumericBin) for b in bins)
        and bins[0].min is None
        and bins[-1].max is None
        and all(a.max is not None and a.max == b.min for a, b in zip(bins, bins[1:], strict=False))
    )


def _search(v: exp.Expression, bins) -> exp.Expression:
    """Binary search as nested CASEs: about log2(n) comparisons per row instead of up to 2n."""
    if len(bins) == 1:
        return num(bins[0].points)
    mid = len(bins) // 2
    return case((exp.LT(this=v, expression=num(bins[mid].min)), _search(v, bins[:mid])), default=_search(v, bins[mid:]))


def bin_points(i: int, f: Feature) -> exp.Expression:
    v = col(fid(i))
    missing = (exp.Is(this=v, expression=exp.Null()), num(f.missing_points))
    if f.bins and _tiles_the_line(f.bins):
        return case(missing, default=_search(v, list(f.bins)))
    whens: list[tuple[exp.Expression, exp.Expression]] = [missing]
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


def _sum(terms: list[exp.Expression]) -> exp.Expression:
    out = terms[0]
    for t in terms[1:]:
        out = exp.Add(this=out, expression=t)
    return out


def pick_ctes(card: Scorecard) -> list[tuple[str, exp.Select]]:
    """``ranked`` then ``picked``: reason k+1 is ``k{k}``, the index of the feature at place k of the order
    (loss descending, then feature index), else NULL -- a feature that lost nothing is no reason.

    ``r{i}`` is feature i's place: how many features come before it (a larger loss, or the same loss and a
    lower index), or n when it lost nothing; ``k{k}`` is then a plain lookup of place k. Neither CTE reads
    a column the one before computes more than once per feature, so an engine that inlines CTEs (PostgreSQL,
    ClickHouse) does not multiply them into each other: a chain of one CTE per reason, each taking the
    largest loss still open, took ClickHouse minutes to plan.
    """
    n = len(card.features)
    loss = [col(f"l{i}") for i in range(n)]

    def before(j: int, i: int) -> exp.Expression:
        ahead = exp.GTE(this=loss[j], expression=loss[i]) if j < i else exp.GT(this=loss[j], expression=loss[i])
        return case((ahead, num(1)), default=num(0))

    places = []
    for i in range(n):
        place = _sum([before(j, i) for j in range(n) if j != i]) if n > 1 else num(0)
        places.append(exp.alias_(case((exp.GT(this=loss[i], expression=num(0)), place), default=num(n)), f"r{i}"))
    picks = [
        exp.alias_(case(*[(exp.EQ(this=col(f"r{i}"), expression=num(k)), num(i)) for i in range(n)]), f"k{k}")
        for k in range(min(MAX_REASONS, n))
    ]
    return [("ranked", exp.select("*", *places).from_("lost")), ("picked", exp.select("*", *picks).from_("ranked"))]


# ------------------------------------------------------------------------------------------ words
def value_text(i: int, f: Feature) -> list[exp.Expression | str]:
    """A feature's value as text parts: a percentage, a category, or a whole number."""
    v = col(fid(i))
    if f.format == "percent":
        return [text_of_int(round_half_up(exp.Mul(this=v, expression=num(100)))), "%"]
    if f.format == "category" or f.categorical:
        return [v]
    return [text_of_int(round_half_up(v))]


def reason_text(i: int, f: Feature, factor: float) -> exp.Expression:
    """ "<what the record shows>; <what would help> would add about N points" -- one CONCAT per entity."""
    prefix, _, suffix = f.reason.partition("{value}")
    missing = f.missing_reason or f"no {f.name.replace('_', ' ')} on record"
    would = f"; {f.improve or 'improving this'} would add about "
    gain = text_of_int(round_half_up(exp.Mul(this=col(f"l{i}"), expression=num(factor))))
    present = concat(prefix, *value_text(i, f), suffix + would, gain, " points")
    return case(
        (exp.Is(this=col(fid(i)), expression=exp.Null()), concat(missing + would, gain, " points")), default=present
    )


def final_select(card: Scorecard, *, detail: bool, reasons: bool = True, feature_points: bool = False) -> exp.Select:
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
    if feature_points:  # every feature's points in card order, as one list (the served rows keep it)
        exprs.append(exp.alias_(exp.Array(expressions=[double(col(f"p{i}")) for i in range(n)]), "feature_points"))
    if detail:
        exprs.append(col("total_points"))
        for i in range(n):
            exprs += [exp.alias_(col(fid(i)), f"value_{i}"), exp.alias_(col(f"p{i}"), f"points_{i}")]
        if card.source == "events":
            exprs += [col("n_events"), col("history_days")]
    return exp.select(*exprs).from_("picked" if reasons and n else "lost")


# ------------------------------------------------------------------------------------------ entry points
def _per_entity(query: exp.Select, card: Scorecard, reasons: bool) -> exp.Select:
    """Add the CTEs from feature values to reasons: pts, lost and the picks."""
    query = query.with_("pts", as_=pts_cte(card), copy=False).with_("lost", as_=lost_cte(card), copy=False)
    for name, cte in pick_ctes(card) if reasons else []:
        query = query.with_(name, as_=cte, copy=False)
    return query


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
    query = final_select(card, detail=detail, reasons=reasons)
    if card.source == "events":
        if as_of is None:
            raise ValueError("an events scorecard needs as_of")
        t, types = timestamp(as_of), EventTypes.of(catalogue, [card])
        query = query.with_("event_types", as_=types.relation(), copy=False)
        query = query.with_("ev", as_=events_cte(card, types, t, events, entity_id, entities), copy=False)
        query = query.with_("agg", as_=agg_cte([("", card)], types), copy=False)
        if has_vouch_features(card):
            for name, cte in vouch_ctes(card, catalogue, t, events, entity_id):
                query = query.with_(name, as_=cte, copy=False)
        query = query.with_("feat", as_=feat_cte_events(card, entities, entity_id), copy=False)
    else:
        query = query.with_("feat", as_=feat_cte_table(card, table), copy=False)
    return _per_entity(query, card, reasons)


def population_query(
    cards: list[Scorecard],
    *,
    as_of: datetime | str | exp.Expression,
    catalogue: Catalogue | None = None,
    events: str = "effective_events",
    entities: str = "entities",
    feature_points: bool = False,
) -> exp.Query:
    """Every events card of a workspace in one query, with a ``scorecard`` column naming each row's card.

    One scan of the events and one GROUP BY compute every card's aggregates (card j's as ``c{j}_f{i}``);
    the consented-vouch links are found once; then each card scores the entities of its own kinds. The rows
    are exactly those of ``scorecard_query`` for each card (tested). ``feature_points`` adds a list of every
    feature's points in its card's order (``points_{i}`` of the detail).
    """
    catalogue = catalogue or default_catalogue()
    t = timestamp(as_of)
    prefixes = [f"c{j}_" for j in range(len(cards))]
    parts = []
    for prefix, card in zip(prefixes, cards, strict=True):
        if card.source != "events":
            raise ValueError(f"population_query scores events cards; {card.ref} reads a table")
        part = final_select(card, detail=False, feature_points=feature_points)
        part = part.select(exp.alias_(string(card.ref), "scorecard"), copy=False)
        if has_vouch_features(card):
            part = part.with_("vagg", as_=vagg_cte(card), copy=False)
        part = part.with_("feat", as_=feat_cte_events(card, entities, None, prefix), copy=False)
        parts.append(exp.select("*").from_(_per_entity(part, card, True).subquery(f"card{len(parts)}")))
    query = parts[0] if len(parts) == 1 else exp.union(*parts, distinct=False)
    types = EventTypes.of(catalogue, cards)
    query = query.with_("event_types", as_=types.relation(), copy=False)
    query = query.with_("ev", as_=events_cte(cards[0], types, t, events, None, None), copy=False)
    query = query.with_("agg", as_=agg_cte(list(zip(prefixes, cards, strict=True)), types), copy=False)
    if any(has_vouch_features(card) for card in cards):
        for name, cte in vouch_link_ctes(catalogue, t, events, None):
            query = query.with_(name, as_=cte, copy=False)
    return query


def compile_scorecard(card: Scorecard, *, dialect: str = "duckdb", pretty: bool = False, **kw) -> str:
    """The scoring query as SQL text in any SQLGlot dialect (duckdb, spark, postgres, clickhouse, sqlite, ...).

    An unknown dialect is refused. Where the planner would inline every CTE (``MATERIALIZE_CTES``), each is
    marked MATERIALIZED. For a verified one (``sql/dialects.py``) execution is the proof, so
    SQLGlot's own doubts are not printed (it doubts SQLite's day difference, which is exact).
    """
    check_dialect(dialect)
    query = scorecard_query(card, **kw)
    if dialect in MATERIALIZE_CTES:
        for cte in query.find_all(exp.CTE):
            cte.set("materialized", True)
    level = ErrorLevel.IGNORE if dialect in VERIFIED else ErrorLevel.WARN
    return query.sql(dialect=dialect, pretty=pretty, unsupported_level=level)
