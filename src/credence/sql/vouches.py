"""Connections (guardrail 2): vouches count only while both sides consent; a voucher shares, like a
guarantor, in the adverse outcomes of whom it vouched for. Nothing else about another entity reaches a score.

A vouch exists only while both sides consent: the voucher's latest act towards the vouchee is vouch_given
(not a later vouch_revoked) and the vouchee's latest act towards the voucher is vouch_accepted (not a later
vouch_revoked). A voucher then shares in the adverse events its vouchees incur after the vouch began.
These CTEs are added to a card's query only when it uses a vouch feature.
"""

from __future__ import annotations

from sqlglot import exp

from credence.domain.catalogue import Catalogue
from credence.domain.scorecard import Feature, Scorecard
from credence.sql.expressions import (
    case,
    col,
    double,
    entity_value,
    event_condition,
    fid,
    in_list,
    num,
    retention_condition,
    string,
    weight,
    windowed,
)

VOUCH_AGGREGATES = ("vouches", "vouchee_adverse")
VOUCH_TYPES = ("vouch_given", "vouch_accepted", "vouch_revoked")


def has_vouch_features(card: Scorecard) -> bool:
    return any(f.aggregate in VOUCH_AGGREGATES for f in card.features)


def _days_between(start: exp.Expression, as_of: exp.Expression) -> exp.Expression:
    return exp.DateDiff(
        this=exp.cast(as_of, exp.DataType.build("DATE")),
        expression=exp.cast(start, exp.DataType.build("DATE")),
        unit=exp.var("DAY"),
    )


def _latest(type_name: str, alias: str) -> exp.Expression:
    return exp.alias_(
        exp.Max(this=case((exp.EQ(this=col("type"), expression=string(type_name)), col("occurred_at")))), alias
    )


def _consents(side: str, act: str) -> exp.Expression:
    """This side's latest act is ``act`` (given / accepted), not a later (or simultaneous) revocation."""
    return exp.and_(
        exp.Not(this=exp.Is(this=col(act, side), expression=exp.Null())),
        exp.or_(
            exp.Is(this=col("revoked_at", side), expression=exp.Null()),
            exp.LT(this=col("revoked_at", side), expression=col(act, side)),
        ),
    )


def vouch_ctes(
    card: Scorecard, catalogue: Catalogue, as_of: exp.Expression, events: str, entity_id: str | exp.Expression | None
):
    """(name, query) CTEs: the links of ``vouch_link_ctes``, then vagg -- one row per entity in vagg."""
    return [*vouch_link_ctes(catalogue, as_of, events, entity_id), ("vagg", vagg_cte(card))]


def vouch_link_ctes(catalogue: Catalogue, as_of: exp.Expression, events: str, entity_id: str | exp.Expression | None):
    """(name, query) CTEs that do not depend on the card: vside, vouch, vlink, vev.

    vside  each (entity, counterparty) pair's latest vouch_given / vouch_accepted / vouch_revoked time
    vouch  live mutually consented vouches (voucher, vouchee, since)
    vlink  each entity's vouches as voucher and as vouchee, with the vouch's age in days
    vev    the vouchees' adverse events since the vouch began, re-keyed to the voucher (retention applies;
           vouchee_adverse is the one feature that reads them, and it counts adverse events only)
    The online path (``entity_id``) reads only the pairs involving that entity and its vouchees' events.
    """
    side_where = exp.and_(
        in_list(col("type"), VOUCH_TYPES),
        exp.Not(this=exp.Is(this=col("counterparty_id"), expression=exp.Null())),
        exp.LTE(this=col("occurred_at"), expression=as_of),
    )
    source: exp.Expression = exp.to_table(events)
    if entity_id is not None:
        # Two keyed selects rather than one OR: each can skip row groups on its own column.
        acts = ["entity_id", "counterparty_id", "type", "occurred_at"]
        mine = (
            exp.select(*map(col, acts))
            .from_(events)
            .where(exp.and_(side_where, exp.EQ(this=col("entity_id"), expression=entity_value(entity_id))))
        )
        # Every live vouch of this entity has an act of its own naming the other side (the voucher's
        # vouch_given, the vouchee's vouch_accepted), so the other sides' acts are found by joining those
        # names to *their* entity ids: keyed reads of the clustered entity_id, not a scan of every
        # counterparty_id in the store.
        named = exp.select(col("entity_id"), col("counterparty_id")).from_(mine.subquery("m")).distinct()
        theirs = (
            exp.select(*[col(c, "x") for c in acts])
            .from_(named.subquery("n"))
            .join(
                exp.to_table(events).as_("x"),
                on=exp.and_(
                    exp.EQ(this=col("entity_id", "x"), expression=col("counterparty_id", "n")),
                    exp.EQ(this=col("counterparty_id", "x"), expression=col("entity_id", "n")),
                ),
            )
            .where(
                exp.and_(
                    in_list(col("type", "x"), VOUCH_TYPES),
                    exp.LTE(this=col("occurred_at", "x"), expression=as_of),
                    exp.NEQ(this=col("entity_id", "x"), expression=col("entity_id", "n")),
                )
            )
        )
        source = exp.union(mine, theirs, distinct=False).subquery("acts")
        side_where = exp.true()
    vside = (
        exp.select(
            col("entity_id"),
            col("counterparty_id"),
            _latest("vouch_given", "given_at"),
            _latest("vouch_accepted", "accepted_at"),
            _latest("vouch_revoked", "revoked_at"),
        )
        .from_(source)
        .where(side_where)
        .group_by(col("entity_id"), col("counterparty_id"))
    )
    since = case(
        (exp.GT(this=col("given_at", "g"), expression=col("accepted_at", "a")), col("given_at", "g")),
        default=col("accepted_at", "a"),
    )
    vouch = (
        exp.select(
            exp.alias_(col("entity_id", "g"), "voucher"),
            exp.alias_(col("counterparty_id", "g"), "vouchee"),
            exp.alias_(since, "since"),
        )
        .from_(exp.to_table("vside").as_("g"))
        .join(
            exp.to_table("vside").as_("a"),
            on=exp.and_(
                exp.EQ(this=col("entity_id", "a"), expression=col("counterparty_id", "g")),
                exp.EQ(this=col("counterparty_id", "a"), expression=col("entity_id", "g")),
            ),
        )
        .where(
            exp.and_(
                _consents("g", "given_at"),
                _consents("a", "accepted_at"),
                exp.NEQ(this=col("entity_id", "g"), expression=col("counterparty_id", "g")),
            )
        )
    )
    links = []
    for me, other, role in (("voucher", "vouchee", "voucher"), ("vouchee", "voucher", "vouchee")):
        q = exp.select(
            exp.alias_(col(me), "entity_id"),
            exp.alias_(col(other), "other"),
            exp.alias_(string(role), "role"),
            col("since"),
            exp.alias_(_days_between(col("since"), as_of), "age_days"),
        ).from_("vouch")
        if entity_id is not None:
            q = q.where(exp.EQ(this=col(me), expression=entity_value(entity_id)))
        links.append(q)
    vlink = exp.union(*links, distinct=False)
    ev_cols = ["type", "category", "dimension", "adverse", "amount", "days_late", "purchase_category", "rental_asset"]
    joined = (
        exp.select(
            col("entity_id", "l"),
            *[col(c, "x") for c in ev_cols],
            exp.alias_(_days_between(col("occurred_at", "x"), as_of), "age_days"),
        )
        .from_(exp.to_table("vlink").as_("l"))
        .join(
            exp.to_table(events).as_("x"),
            on=exp.and_(
                exp.EQ(this=col("entity_id", "x"), expression=col("other", "l")),
                col("adverse", "x"),
                exp.GTE(this=col("occurred_at", "x"), expression=col("since", "l")),
                exp.LTE(this=col("occurred_at", "x"), expression=as_of),
            ),
        )
        .where(exp.EQ(this=col("role", "l"), expression=string("voucher")))
    )
    vev = exp.select("*").from_(joined.subquery("e")).where(retention_condition(catalogue))
    return [("vside", vside), ("vouch", vouch), ("vlink", vlink), ("vev", vev)]


def vagg_cte(card: Scorecard) -> exp.Select:
    """Per entity: n_vouched, and each vouch feature's value (f{i})."""
    is_voucher = exp.EQ(this=col("role"), expression=string("voucher"))
    counts: list[exp.Expression] = [
        col("entity_id"),
        exp.alias_(exp.Sum(this=case((is_voucher, num(1)), default=num(0))), "n_vouched"),
    ]
    adverse: list[exp.Expression] = [col("entity_id")]
    for i, f in enumerate(card.features):
        if f.aggregate == "vouches":
            cond = windowed(exp.true(), f)  # counts vouches (by their age), not events
            counts.append(exp.alias_(exp.Sum(this=case((cond, num(1)), default=num(0))), fid(i)))
        elif f.aggregate == "vouchee_adverse":
            cond = windowed(exp.and_(col("adverse"), event_condition(f.where)), f)
            adverse.append(exp.alias_(exp.Sum(this=case((cond, weight(f)), default=num(0))), fid(i)))
    c = exp.select(*counts).from_("vlink").group_by(col("entity_id"))
    a = exp.select(*adverse).from_("vev").group_by(col("entity_id"))
    out = [col("entity_id", "c"), col("n_vouched", "c")]
    for i, f in enumerate(card.features):
        if f.aggregate == "vouches":
            out.append(col(fid(i), "c"))
        elif f.aggregate == "vouchee_adverse":
            out.append(col(fid(i), "d"))
    return (
        exp.select(*out)
        .from_(c.subquery("c"))
        .join(
            a.subquery("d"), on=exp.EQ(this=col("entity_id", "c"), expression=col("entity_id", "d")), join_type="left"
        )
    )


def vouch_feature_value(i: int, feature: Feature) -> exp.Expression:
    """vouches: live vouches (0 when none). vouchee_adverse: missing unless the entity vouched for someone."""
    value = exp.Coalesce(this=double(col(fid(i), "v")), expressions=[num(0.0)])
    if feature.aggregate == "vouches":
        return value
    return case((exp.GT(this=exp.Coalesce(this=col("n_vouched", "v"), expressions=[num(0)]), expression=num(0)), value))
