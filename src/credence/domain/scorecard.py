"""Scorecards: declarative features -> bins -> points -> 350-950 (SPEC section 2).

A scorecard YAML is parsed into frozen model objects here and checked (guardrail 1 on every name, bins
that cover every value exactly once, dimensions and event types from the catalogue). The SQL compiler
(``credence.sql.compiler``) turns a ``Scorecard`` into one query; nothing here touches a database.

Numeric bins are half-open ``[min, max)``; a missing ``min``/``max`` is unbounded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import yaml

from credence.domain.bands import MAX_SCORE, MIN_SCORE
from credence.domain.catalogue import DIMENSIONS, Catalogue, default_catalogue
from credence.domain.files import read_shipped_yaml, read_yaml
from credence.domain.guardrails import check_lifestyle, check_name
from credence.errors import ConfigError

# vouches: live mutually consented vouches the entity is part of (either side);
# vouchee_adverse: adverse events of those it vouched for, since each vouch began (SQL in compiler.vouch_ctes)
AGGREGATES = ("count", "sum", "ratio", "recency", "tenure", "column", "vouches", "vouchee_adverse")
FORMATS = ("count", "percent", "days", "amount", "number", "category")
KINDS = ("person", "business", "institution")
SCALING = ("minmax", "pdo", "sum")


@dataclass(frozen=True)
class EventFilter:
    """Which events a feature counts. Empty fields mean "any"."""

    types: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    dimensions: tuple[str, ...] = ()
    adverse: bool | None = None
    min_days_late: int | None = None
    purchase_categories: tuple[str, ...] = ()
    rental_assets: tuple[str, ...] = ()


@dataclass(frozen=True)
class NumericBin:
    min: float | None
    max: float | None
    points: float

    def contains(self, x: float) -> bool:
        return (self.min is None or x >= self.min) and (self.max is None or x < self.max)

    @property
    def label(self) -> str:
        lo = "-inf" if self.min is None else f"{self.min:g}"
        hi = "inf" if self.max is None else f"{self.max:g}"
        return f"[{lo}, {hi})"


@dataclass(frozen=True)
class CategoryBin:
    values: tuple[str, ...]
    points: float

    @property
    def label(self) -> str:
        return "{" + ", ".join(self.values) + "}"


@dataclass(frozen=True)
class Feature:
    name: str
    dimension: str
    aggregate: str
    bins: tuple[NumericBin | CategoryBin, ...]
    missing_points: float
    other_points: float | None = None  # categories not listed in any bin
    where: EventFilter = EventFilter()
    numerator: EventFilter | None = None
    denominator: EventFilter | None = None
    window_days: int | None = None
    decay_half_life_days: float | None = None
    column: str | None = None
    format: str = "number"
    description: str = ""
    reason: str = "{value}"
    missing_reason: str | None = None
    improve: str = ""

    @property
    def categorical(self) -> bool:
        return any(isinstance(b, CategoryBin) for b in self.bins)

    @property
    def max_points(self) -> float:
        return max([b.points for b in self.bins] + [self.missing_points] + _opt(self.other_points))

    @property
    def min_points(self) -> float:
        return min([b.points for b in self.bins] + [self.missing_points] + _opt(self.other_points))

    def points_for(self, value) -> float:
        """Reference (pure Python) binning of one value: what the SQL computes."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return self.missing_points
        for b in self.bins:
            if isinstance(b, CategoryBin):
                if str(value) in b.values:
                    return b.points
            elif b.contains(float(value)):
                return b.points
        if self.other_points is not None:
            return self.other_points
        return self.missing_points


def _opt(x):
    return [] if x is None else [x]


@dataclass(frozen=True)
class Scaling:
    method: str = "minmax"  # minmax: total points mapped linearly onto [min, max]
    min: float = MIN_SCORE
    max: float = MAX_SCORE
    base_score: float = 600.0  # pdo: score at base_odds
    base_odds: float = 50.0
    pdo: float = 20.0  # points to double the odds
    points_min: float | None = None  # minmax: total points that map to `min` (default: the card's lowest total)
    points_max: float | None = None  # minmax: total points that map to `max` (default: the card's highest total)


@dataclass(frozen=True)
class Scorecard:
    id: str
    version: int
    kinds: tuple[str, ...]
    features: tuple[Feature, ...]
    scaling: Scaling = Scaling()
    title: str = ""
    source: str = "events"  # events | table
    id_column: str = "entity_id"
    min_events: int = 3
    min_history_days: int = 60
    metadata: dict = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def restrict(self, kinds: tuple[str, ...] | list[str]) -> Scorecard:
        """This card scoring only those of its kinds that are in ``kinds`` (a workspace may give a card fewer
        kinds than it can score)."""
        return replace(self, kinds=tuple(k for k in self.kinds if k in kinds))

    @cached_property
    def total_range(self) -> tuple[float, float]:
        return sum(f.min_points for f in self.features), sum(f.max_points for f in self.features)

    def scale(self) -> tuple[float, float]:
        """(offset, factor): score = offset + factor * total points, before rounding and clamping."""
        s = self.scaling
        if s.method == "sum":
            return 0.0, 1.0
        if s.method == "pdo":
            factor = s.pdo / math.log(2)
            return s.base_score - factor * math.log(s.base_odds), factor
        lo, hi = self.total_range
        lo = lo if s.points_min is None else s.points_min
        hi = hi if s.points_max is None else s.points_max
        factor = (s.max - s.min) / (hi - lo) if hi > lo else 0.0
        return s.min - factor * lo, factor

    def score_of(self, total_points: float) -> int:
        """Reference scaling of total points to a score: rounded half up, clamped to 350-950."""
        offset, factor = self.scale()
        raw = math.floor(offset + factor * total_points + 0.5)
        return int(min(MAX_SCORE, max(MIN_SCORE, raw)))

    def feature(self, name: str) -> Feature:
        for f in self.features:
            if f.name == name:
                return f
        raise ConfigError(f"scorecard {self.ref} has no feature '{name}'")

    def dimensions_used(self) -> set[str]:
        return {f.dimension for f in self.features}


# --------------------------------------------------------------------------------------------- parsing


def parse_scorecard(raw: dict, *, source: str = "scorecard", catalogue: Catalogue | None = None) -> Scorecard:
    """Validate a scorecard mapping (as loaded from YAML) into a ``Scorecard``."""
    catalogue = catalogue or default_catalogue()
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: a scorecard must be a mapping")
    for key in ("id", "features"):
        if key not in raw:
            raise ConfigError(f"{source}: missing '{key}'", field=key)
    card_source = raw.get("source", "events")
    if card_source not in ("events", "table"):
        raise ConfigError(f"{source}: 'source' must be 'events' or 'table'", field="source")
    kinds = tuple(raw.get("kinds") or ("person",))
    for k in kinds:
        if k not in KINDS:
            raise ConfigError(f"{source}: unknown entity kind '{k}'", field="kinds", fix=f"use {', '.join(KINDS)}")
    scaling_raw = dict(raw.get("scaling") or {})
    if scaling_raw.get("method", "minmax") not in SCALING:
        raise ConfigError(f"{source}: scaling method must be one of {', '.join(SCALING)}", field="scaling.method")
    unknown = set(scaling_raw) - set(Scaling.__dataclass_fields__)
    if unknown:
        raise ConfigError(
            f"{source}: unknown scaling setting '{sorted(unknown)[0]}'",
            field="scaling",
            fix=f"use {', '.join(Scaling.__dataclass_fields__)}",
        )
    scaling = Scaling(**scaling_raw)
    features = []
    names = set()
    for i, fraw in enumerate(raw["features"] or []):
        f = _parse_feature(fraw, f"{source}: feature #{i + 1}", catalogue, card_source)
        if f.name in names:
            raise ConfigError(f"{source}: feature '{f.name}' is defined twice")
        names.add(f.name)
        features.append(f)
    if not features:
        raise ConfigError(f"{source}: a scorecard needs at least one feature", field="features")
    insufficient = raw.get("insufficient_data") or {}
    card = Scorecard(
        id=str(raw["id"]),
        version=int(raw.get("version", 1)),
        kinds=kinds,
        features=tuple(features),
        scaling=scaling,
        title=raw.get("title", ""),
        source=card_source,
        id_column=raw.get("id_column", "entity_id"),
        min_events=int(insufficient.get("min_events", 3 if card_source == "events" else 0)),
        min_history_days=int(insufficient.get("min_history_days", 60 if card_source == "events" else 0)),
        metadata=dict(raw.get("metadata") or {}),
    )
    lo, hi = card.total_range
    lo = lo if scaling.points_min is None else scaling.points_min
    hi = hi if scaling.points_max is None else scaling.points_max
    if scaling.method == "minmax" and hi <= lo:
        raise ConfigError(f"{source}: all features give the same points; min-max scaling needs a spread")
    return card


def _filter(raw: dict | None, where: str, catalogue: Catalogue) -> EventFilter:
    raw = dict(raw or {})
    allowed = set(EventFilter.__dataclass_fields__)
    for key in raw:
        check_name(key, f"{where} filter")
        if key not in allowed:
            raise ConfigError(f"{where}: unknown filter '{key}'", fix=f"use {', '.join(sorted(allowed))}")
    for t in raw.get("types", ()):
        if t not in catalogue.types:
            raise ConfigError(f"{where}: event type '{t}' is not in the catalogue", field="types")
    for c in raw.get("categories", ()):
        if c not in catalogue.categories:
            raise ConfigError(f"{where}: category '{c}' is not in the catalogue", field="categories")
    for d in raw.get("dimensions", ()):
        if d not in DIMENSIONS:
            raise ConfigError(f"{where}: unknown dimension '{d}'", field="dimensions")
    for key in ("purchase_categories", "rental_assets"):
        for v in raw.get(key, ()):
            check_name(v, f"{where} {key} value")
    for key, value in raw.items():
        if value not in (None, (), [], ""):
            check_lifestyle(key, f"{where} filter")  # guardrail 8: purchase_categories (what is bought)
    tuples = {k: tuple(v) for k, v in raw.items() if isinstance(v, list)}
    return EventFilter(**{**raw, **tuples})


# A feature's event filter, public for other declarations over events (performance definitions).
parse_filter = _filter


def _parse_bins(braw: list, where: str) -> tuple[tuple, float, float | None]:
    bins: list = []
    missing = None
    other = None
    for j, b in enumerate(braw or []):
        if not isinstance(b, dict) or "points" not in b:
            raise ConfigError(f"{where}: bin #{j + 1} needs 'points'", field="bins")
        pts = float(b["points"])
        if not math.isfinite(pts):
            raise ConfigError(f"{where}: bin #{j + 1} has non-finite points", field="bins")
        if b.get("missing"):
            missing = pts
        elif b.get("other"):
            other = pts
        elif "categories" in b:
            values = tuple(str(v) for v in b["categories"])
            for v in values:
                check_name(v, f"{where} category value")
                check_lifestyle(v, f"{where} category value")
            bins.append(CategoryBin(values, pts))
        else:
            lo, hi = b.get("min"), b.get("max")
            bins.append(NumericBin(None if lo is None else float(lo), None if hi is None else float(hi), pts))
    if not bins:
        raise ConfigError(f"{where}: needs at least one bin", field="bins")
    numeric = [b for b in bins if isinstance(b, NumericBin)]
    if numeric and len(numeric) != len(bins):
        raise ConfigError(f"{where}: bins mix numeric ranges and category sets", field="bins")
    if numeric:
        numeric.sort(key=lambda b: -math.inf if b.min is None else b.min)
        if numeric[0].min is not None or numeric[-1].max is not None:
            raise ConfigError(
                f"{where}: numeric bins must cover every value",
                field="bins",
                fix="leave 'min' out of the lowest bin and 'max' out of the highest",
            )
        for a, b in zip(numeric, numeric[1:], strict=False):
            if a.max is None or b.min is None or a.max != b.min:
                raise ConfigError(
                    f"{where}: bins {a.label} and {b.label} leave a gap or overlap",
                    field="bins",
                    fix="make each bin's 'min' equal the previous bin's 'max'",
                )
        bins = numeric
    else:
        seen: set[str] = set()
        for b in bins:
            dup = seen.intersection(b.values)
            if dup:
                raise ConfigError(f"{where}: category {sorted(dup)[0]!r} is in two bins", field="bins")
            seen.update(b.values)
    if missing is None:
        missing = min(b.points for b in bins)
    return tuple(bins), missing, other


def _parse_feature(raw: dict, where: str, catalogue: Catalogue, card_source: str) -> Feature:
    if not isinstance(raw, dict) or "name" not in raw:
        raise ConfigError(f"{where}: needs a 'name'")
    name = str(raw["name"])
    where = where.split(": ")[0] + f": feature '{name}'"
    check_name(name, "scorecard feature")
    check_lifestyle(name, "scorecard feature")
    if raw.get("column"):
        check_name(raw["column"], f"{where} column")
        check_lifestyle(raw["column"], f"{where} column")
    for text_key in ("description", "reason", "improve"):
        if raw.get(text_key):
            pass  # free text for people, not an input
    dim = raw.get("dimension")
    if dim not in DIMENSIONS:
        raise ConfigError(f"{where}: dimension {dim!r} unknown", field="dimension", fix=f"use {', '.join(DIMENSIONS)}")
    agg = raw.get("aggregate", "column" if card_source == "table" else None)
    if agg not in AGGREGATES:
        raise ConfigError(f"{where}: aggregate {agg!r} unknown", field="aggregate", fix=f"use {', '.join(AGGREGATES)}")
    if card_source == "table" and agg != "column":
        raise ConfigError(f"{where}: a feature-table scorecard uses only 'column' features", field="aggregate")
    if card_source == "events" and agg == "column":
        raise ConfigError(f"{where}: an events scorecard cannot use 'column' features", field="aggregate")
    fmt = raw.get("format", "category" if agg == "column" and raw.get("categorical") else "number")
    if fmt not in FORMATS:
        raise ConfigError(f"{where}: format {fmt!r} unknown", field="format", fix=f"use {', '.join(FORMATS)}")
    bins, missing, other = _parse_bins(raw.get("bins"), where)
    numerator = denominator = None
    if agg == "ratio":
        if "numerator" not in raw or "denominator" not in raw:
            raise ConfigError(f"{where}: a ratio needs 'numerator' and 'denominator' filters")
        numerator = _filter(raw["numerator"], where, catalogue)
        denominator = _filter(raw["denominator"], where, catalogue)
    if agg == "vouches" and raw.get("where"):
        raise ConfigError(f"{where}: a 'vouches' feature counts consented vouches and takes no 'where'", field="where")
    window = raw.get("window_days")
    if window is not None and (not isinstance(window, int) or window <= 0):
        raise ConfigError(f"{where}: 'window_days' must be a positive integer", field="window_days")
    decay = raw.get("decay_half_life_days")
    if decay is not None and (float(decay) <= 0 or agg not in ("count", "sum", "ratio")):
        raise ConfigError(
            f"{where}: 'decay_half_life_days' must be positive and only on count, sum or ratio",
            field="decay_half_life_days",
        )
    return Feature(
        name=name,
        dimension=dim,
        aggregate=agg,
        bins=bins,
        missing_points=missing,
        other_points=other,
        where=_filter(raw.get("where"), where, catalogue),
        numerator=numerator,
        denominator=denominator,
        window_days=window,
        decay_half_life_days=None if decay is None else float(decay),
        column=raw.get("column", name if agg == "column" else None),
        format=fmt,
        description=raw.get("description", ""),
        reason=raw.get("reason", f"{name}: {{value}}"),
        missing_reason=raw.get("missing_reason"),
        improve=raw.get("improve", ""),
    )


# --------------------------------------------------------------------------------------------- loading

SHIPPED = ("person-expert", "business-expert")


def load_scorecard(ref: str | Path, *, catalogue: Catalogue | None = None) -> Scorecard:
    """Load a scorecard from a YAML path, or a shipped card by name (``person-expert``)."""
    ref = str(ref)
    if ref in SHIPPED:
        raw, source = read_shipped_yaml("credence.scorecards", f"{ref}.yaml"), f"shipped scorecard {ref}"
    else:
        raw = read_yaml(ref, "scorecard", fix=f"give a YAML path or one of {', '.join(SHIPPED)}")
        source = ref
    return parse_scorecard(raw, source=source, catalogue=catalogue)


def scorecard_to_dict(card: Scorecard) -> dict:
    """The YAML form of a scorecard (what ``parse_scorecard`` reads back)."""

    def filt(f: EventFilter | None) -> dict | None:
        if f is None:
            return None
        out = {}
        for k in EventFilter.__dataclass_fields__:
            v = getattr(f, k)
            if v in ((), None):
                continue
            out[k] = list(v) if isinstance(v, tuple) else v
        return out

    def bins(f: Feature) -> list[dict]:
        out = []
        for b in f.bins:
            if isinstance(b, CategoryBin):
                out.append({"categories": list(b.values), "points": b.points})
            else:
                d = {}
                if b.min is not None:
                    d["min"] = b.min
                if b.max is not None:
                    d["max"] = b.max
                out.append({**d, "points": b.points})
        if f.other_points is not None:
            out.append({"other": True, "points": f.other_points})
        out.append({"missing": True, "points": f.missing_points})
        return out

    features = []
    for f in card.features:
        d = {"name": f.name, "dimension": f.dimension, "aggregate": f.aggregate}
        if f.aggregate == "column":
            d["column"] = f.column
        if f.aggregate == "ratio":
            d["numerator"], d["denominator"] = filt(f.numerator), filt(f.denominator)
        elif filt(f.where):
            d["where"] = filt(f.where)
        for k in ("window_days", "decay_half_life_days", "description", "missing_reason", "improve"):
            v = getattr(f, k)
            if v not in (None, ""):
                d[k] = v
        d["format"] = f.format
        d["reason"] = f.reason
        d["bins"] = bins(f)
        features.append(d)
    s = card.scaling
    scaling = {"method": s.method}
    if s.method == "minmax":
        scaling.update(min=s.min, max=s.max)
        for k in ("points_min", "points_max"):
            if getattr(s, k) is not None:
                scaling[k] = getattr(s, k)
    elif s.method == "pdo":
        scaling.update(base_score=s.base_score, base_odds=s.base_odds, pdo=s.pdo)
    out = {
        "id": card.id,
        "version": card.version,
        "title": card.title,
        "kinds": list(card.kinds),
        "source": card.source,
    }
    if card.source == "table":
        out["id_column"] = card.id_column
    else:
        out["insufficient_data"] = {"min_events": card.min_events, "min_history_days": card.min_history_days}
    out["scaling"] = scaling
    if card.metadata:
        out["metadata"] = card.metadata
    out["features"] = features
    return out


def dump_scorecard(card: Scorecard, path: str | Path) -> None:
    Path(path).write_text(yaml.safe_dump(scorecard_to_dict(card), sort_keys=False, allow_unicode=True))


def distinct_cards(cards: dict[str, Scorecard]) -> list[tuple[Scorecard, tuple[str, ...]]]:
    """Each scorecard of a ``kind -> card`` mapping once, with the kinds it scores there."""
    seen: dict[str, tuple[Scorecard, list[str]]] = {}
    for kind, card in cards.items():
        seen.setdefault(card.ref, (card, []))[1].append(kind)
    return [(card, tuple(kinds)) for card, kinds in seen.values()]
