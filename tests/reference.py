"""An independent, pure-Python computation of a scorecard: the oracle for the SQL compiler.

It shares only the scorecard model with the code under test, and computes every aggregate with plain
loops over events, the way a careful analyst would by hand.
"""

from __future__ import annotations

import math
from datetime import datetime

from credence.domain.bands import band_of
from credence.domain.catalogue import DIMENSIONS, Catalogue
from credence.domain.scorecard import EventFilter, Feature, Scorecard


def matches(f: EventFilter, e: dict) -> bool:
    return (
        (not f.types or e["type"] in f.types)
        and (not f.categories or e["category"] in f.categories)
        and (not f.dimensions or e["dimension"] in f.dimensions)
        and (f.adverse is None or e["adverse"] == f.adverse)
        and (f.min_days_late is None or (e.get("days_late") is not None and e["days_late"] >= f.min_days_late))
        and (not f.purchase_categories or e.get("purchase_category") in f.purchase_categories)
        and (not f.rental_assets or e.get("rental_asset") in f.rental_assets)
    )


def counts_at(e: dict, as_of: datetime, catalogue: Catalogue) -> bool:
    if e["occurred_at"] > as_of:
        return False
    days = catalogue.retention_days(catalogue.types[e["type"]])
    return days is None or age(e, as_of) <= days


def age(e: dict, as_of: datetime) -> int:
    return (as_of.date() - e["occurred_at"].date()).days


VOUCH_TYPES = ("vouch_given", "vouch_accepted", "vouch_revoked")


def live_vouches(population: list[dict], as_of: datetime) -> dict[tuple[str, str], datetime]:
    """(voucher, vouchee) -> since, for the vouches both sides consent to at ``as_of``: the voucher's latest act
    towards the vouchee is vouch_given and the vouchee's latest towards the voucher is vouch_accepted, each
    after any vouch_revoked between them in that direction."""
    side: dict[tuple[str, str], dict[str, datetime]] = {}
    for e in population:
        if e["type"] in VOUCH_TYPES and e.get("counterparty_id") and e["occurred_at"] <= as_of:
            d = side.setdefault((e["entity_id"], e["counterparty_id"]), {})
            d[e["type"]] = max(d.get(e["type"], e["occurred_at"]), e["occurred_at"])
    out = {}
    for (a, b), mine in side.items():
        theirs = side.get((b, a), {})
        given, accepted = mine.get("vouch_given"), theirs.get("vouch_accepted")
        r_mine, r_theirs = mine.get("vouch_revoked"), theirs.get("vouch_revoked")
        if (
            a != b
            and given
            and accepted
            and (r_mine is None or r_mine < given)
            and (r_theirs is None or r_theirs < accepted)
        ):
            out[(a, b)] = max(given, accepted)
    return out


def vouch_value(f: Feature, entity_id: str | None, population: list[dict], as_of: datetime, catalogue: Catalogue):
    """'vouches': live vouches the entity is part of (window on the vouch's age); 'vouchee_adverse': adverse
    events of those it vouched for since each vouch began (None when it vouched for no one)."""
    vouches = live_vouches(population, as_of)
    links = [(b, "voucher", s) for (a, b), s in vouches.items() if a == entity_id]
    links += [(a, "vouchee", s) for (a, b), s in vouches.items() if b == entity_id]

    def in_window(t: datetime) -> bool:
        return f.window_days is None or (as_of.date() - t.date()).days < f.window_days

    if f.aggregate == "vouches":
        return float(sum(1 for _, _, since in links if in_window(since)))
    given = [(other, since) for other, role, since in links if role == "voucher"]
    if not given:
        return None
    return float(
        sum(
            1
            for other, since in given
            for e in population
            if e["entity_id"] == other
            and since <= e["occurred_at"]
            and counts_at(e, as_of, catalogue)
            and e["adverse"]
            and matches(f.where, e)
            and in_window(e["occurred_at"])
        )
    )


def feature_value(f: Feature, events: list[dict], as_of: datetime):
    def in_window(e):
        return f.window_days is None or age(e, as_of) < f.window_days

    def w(e):
        return 1.0 if f.decay_half_life_days is None else 0.5 ** (age(e, as_of) / f.decay_half_life_days)

    if f.aggregate == "ratio":
        num = sum(w(e) for e in events if in_window(e) and matches(f.numerator, e))
        den = sum(w(e) for e in events if in_window(e) and matches(f.denominator, e))
        return num / den if den > 0 else None
    hits = [e for e in events if in_window(e) and matches(f.where, e)]
    if f.aggregate == "count":
        return float(sum(w(e) for e in hits))
    if f.aggregate == "sum":
        vals = [e["amount"] * w(e) for e in hits if e.get("amount") is not None]
        return float(sum(vals)) if vals else None
    if f.aggregate == "recency":
        return float(min(age(e, as_of) for e in hits)) if hits else None
    if f.aggregate == "tenure":
        return float(max(age(e, as_of) for e in hits)) if hits else None
    raise AssertionError(f.aggregate)


def score(
    card: Scorecard,
    events: list[dict],
    as_of: datetime,
    catalogue: Catalogue,
    *,
    population: list[dict] | None = None,
    entity_id: str | None = None,
) -> dict:
    """Score one entity from its events; returns score, band, dimension points, values, points, reason codes.

    Vouch features also read ``population`` (every entity's events; default: this entity's own)."""
    live = [e for e in events if counts_at(e, as_of, catalogue)]
    entity_id = entity_id or (events[0]["entity_id"] if events else None)
    values = [
        vouch_value(f, entity_id, events if population is None else population, as_of, catalogue)
        if f.aggregate in ("vouches", "vouchee_adverse")
        else feature_value(f, live, as_of)
        for f in card.features
    ]
    points = [f.points_for(v) for f, v in zip(card.features, values, strict=True)]
    history = max((age(e, as_of) for e in live), default=None)
    insufficient = len(live) < card.min_events or history is None or history < card.min_history_days
    lost = [f.max_points - p for f, p in zip(card.features, points, strict=True)]
    order = sorted(range(len(lost)), key=lambda i: (-lost[i], i))
    reasons = [card.features[i].name for i in order if lost[i] > 0][:4]
    if insufficient:
        return {
            "score": None,
            "band": band_of(None),
            "values": values,
            "points": points,
            "reasons": [],
            "dimensions": {d: None for d in DIMENSIONS},
        }
    total = sum(points)
    offset, factor = card.scale()
    s = int(min(950, max(350, math.floor(offset + factor * total + 0.5))))
    dims = {}
    for d in DIMENSIONS:
        members = [p for f, p in zip(card.features, points, strict=True) if f.dimension == d]
        dims[d] = float(sum(members)) if members else None
    return {"score": s, "band": band_of(s), "values": values, "points": points, "reasons": reasons, "dimensions": dims}
