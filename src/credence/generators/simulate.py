"""Deterministic population simulator: synthetic providers, entities, events and outcomes.

Every entity gets latent traits (reliability, capacity, stability, sociability) from a seeded numpy
Generator; event rates, the share of adverse events, amounts, days late and the 12-month ``defaulted``
outcome are all functions of those traits, so the data carries signal a scorecard can learn. Traits are
never written out. Purchase categories are drawn independently of the traits on purpose: what someone
buys is no measure of their worth.

Generation is vectorised per chunk of ``CHUNK_ENTITIES`` entities (Poisson counts, ``np.repeat``) and each
chunk is written as soon as it is made, so memory stays bounded at any population size. Chunk ``k`` draws
from ``SeedSequence([seed, k])``: the same arguments give byte-identical files.

Layout written into ``out_dir``::

    providers.csv            provider_id,name,categories (';'-joined catalogue categories)
    entities.parquet         entity_id, kind, display_name, registered_at
    events/part-00000.parquet ...  one file per chunk (provider_id, event_id, entity_id, occurred_at, type,
                             amount, days_late, purchase_category, rental_asset, counterparty_id)
    outcomes.parquet         entity_id, defaulted (default within 12 months after as_of; never an event)
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from credence.domain.catalogue import default_catalogue
from credence.errors import ValidationError

CHUNK_ENTITIES = 250_000  # part of the data's definition: changing it changes the rows for a seed
KINDS = ("person", "business", "institution")
KIND_SHARE = (0.90, 0.08, 0.02)
KIND_PREFIX = ("P", "B", "I")
KIND_LABEL = ("Person", "Business", "Institution")
KIND_AMOUNT_SCALE = np.array([1.0, 12.0, 30.0])  # businesses and institutions deal in larger sums
KIND_DEFAULT_LOGIT = np.array([-2.75, -2.6, -3.4])
KIND_RELIABILITY_SHIFT = np.array([0.0, 0.0, 0.8])
THIN_SHARE, THIN_ACTIVITY = 0.025, 0.15  # entities with very little history ("insufficient data")
BASE_MONTHS = 24  # stream rates below are expected events per entity over this many months
MONTH_DAYS = 30.436875
P, B, I = 0, 1, 2
ORG = (B, I)

# provider_id, name, licensed categories, rental assets (weights) or None
PROVIDERS: tuple[tuple[str, str, tuple[str, ...], dict[str, float] | None], ...] = (
    ("paywise", "PayWise payments app", ("commerce", "bills"), None),
    ("northlend", "NorthLend consumer lender", ("lending",), None),
    ("citybike", "CityBike bike-share", ("rentals",), {"bike": 0.8, "scooter": 0.2}),
    ("drivenow", "DriveNow car rental", ("rentals",), {"car": 1.0}),
    ("stayeasy", "StayEasy short-let housing", ("rentals",), {"apartment": 1.0}),
    ("utilitel", "Utilitel utility and telecom", ("bills",), None),
    ("bazaar", "Bazaar e-commerce marketplace", ("commerce",), None),
    ("courts", "District court registry", ("public_records",), None),
    ("trustid", "TrustID credential verifier", ("identity", "capacity"), None),
    ("taxreg", "Tax authority and business registry", ("business",), None),
    ("tradenet", "TradeNet supplier invoice network", ("business",), None),
    ("circle", "Circle vouch platform", ("connections",), None),
)
PROVIDER_IDS = [p[0] for p in PROVIDERS]
PURCHASE_CATEGORIES = {
    "groceries": 30,
    "household": 14,
    "electronics": 9,
    "clothing": 14,
    "travel": 5,
    "books": 5,
    "education": 3,
    "games": 5,
    "baby": 4,
    "fuel": 8,
    "other": 3,
}


@dataclass(frozen=True)
class Stream:
    """One provider's flow of events for some kinds of entity.

    ``rate`` is the expected count per active entity over ``BASE_MONTHS``, multiplied by
    ``exp(rate_traits . traits)``; an event is adverse with probability ``sigmoid(bad[0] + bad[1] . traits)``
    and its type is then drawn from ``bad_types``, otherwise from ``good``.
    """

    provider: str
    kinds: tuple[int, ...]
    rate: float
    good: dict[str, float]
    bad_types: dict[str, float] | None = None
    bad: tuple[float, tuple[float, float, float, float]] = (0.0, (0.0, 0.0, 0.0, 0.0))
    rate_traits: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    share: float = 1.0  # fraction of entities that deal with this provider at all
    categorised: bool = False  # purchases carry a purchase_category


_UNRELIABLE = (-1.0, 0.0, -0.3, 0.0)
_LOANS = (
    {"loan_opened": 15, "instalment_paid_on_time": 75, "loan_closed": 10},
    {"instalment_paid_late": 88, "loan_default": 12},
    (-2.7, (-1.1, -0.3, -0.2, 0.0)),
)
_BILLS = (
    {"utility_bill_paid_on_time": 55, "phone_bill_paid_on_time": 45},
    {"utility_bill_overdue": 55, "phone_bill_overdue": 45},
    (-2.5, _UNRELIABLE),
)
STREAMS: tuple[Stream, ...] = (
    Stream("northlend", (P,), 3.2, *_LOANS, (0.0, 0.3, 0.0, 0.0), share=0.5),
    Stream("utilitel", (P,), 2.2, *_BILLS),
    Stream(
        "paywise", (P,), 3.0, {"rent_paid_on_time": 1}, {"rent_overdue": 1}, (-2.6, (-1.0, -0.3, -0.2, 0.0)), share=0.4
    ),
    Stream(
        "paywise", (P,), 1.0, {"purchase": 92, "refund": 8}, {"fraudulent_chargeback": 1}, (-5.0, (-0.9, 0.0, 0.0, 0.0))
    ),
    Stream(
        "bazaar",
        (P,),
        1.6,
        {"purchase": 90, "refund": 10},
        {"fraudulent_chargeback": 1},
        (-5.0, (-0.9, 0.0, 0.0, 0.0)),
        (0.0, 0.2, 0.0, 0.0),
        categorised=True,
    ),
    Stream(
        "citybike",
        (P,),
        1.5,
        {"rental_returned_ok": 1},
        {
            "rental_returned_late": 50,
            "rental_parked_outside_zone": 30,
            "rental_returned_damaged": 12,
            "rental_deposit_forfeited": 8,
        },
        (-2.2, (-0.9, 0.0, 0.0, 0.0)),
        share=0.6,
    ),
    Stream(
        "drivenow",
        (P,),
        0.25,
        {"rental_returned_ok": 1},
        {"rental_returned_late": 60, "rental_returned_damaged": 25, "rental_deposit_forfeited": 15},
        (-2.6, (-0.9, 0.0, 0.0, 0.0)),
        (0.0, 0.4, 0.0, 0.0),
    ),
    Stream(
        "stayeasy",
        (P,),
        0.15,
        {"rental_returned_ok": 1},
        {"rental_returned_late": 50, "rental_returned_damaged": 35, "rental_deposit_forfeited": 15},
        (-2.6, (-0.9, 0.0, 0.0, 0.0)),
        (0.0, 0.3, 0.0, 0.0),
    ),
    Stream(
        "courts",
        (P, B),
        0.03,
        {"court_judgment_fulfilled": 1},
        {"court_judgment_entered": 70, "court_judgment_unfulfilled": 25, "bankruptcy": 5},
        (0.2, (-0.8, -0.3, 0.0, 0.0)),
        (-1.1, -0.2, 0.0, 0.0),
    ),
    Stream(
        "trustid",
        (P,),
        0.5,
        {"identity_verified": 40, "address_verified": 30, "education_verified": 15, "employment_verified": 15},
        rate_traits=(0.0, 0.0, 0.3, 0.0),
    ),
    Stream("trustid", (P,), 0.3, {"income_verified": 70, "assets_verified": 30}, rate_traits=(0.0, 0.2, 0.2, 0.0)),
    Stream("circle", (P,), 0.25, {"vouch_given": 1}, rate_traits=(0.2, 0.0, 0.0, 0.8)),
    Stream("taxreg", ORG, 3.0, {"tax_filed_on_time": 1}, {"tax_filed_overdue": 1}, (-2.2, _UNRELIABLE)),
    Stream("taxreg", ORG, 1.0, {"licence_valid": 1}, {"licence_revoked": 1}, (-4.0, _UNRELIABLE)),
    Stream("taxreg", ORG, 0.1, {"regulatory_penalty": 1}, rate_traits=(-0.8, 0.0, 0.0, 0.0)),
    Stream(
        "tradenet",
        ORG,
        3.5,
        {"supplier_invoice_paid_on_time": 1},
        {"supplier_invoice_paid_late": 1},
        (-2.0, (-1.0, -0.3, 0.0, 0.0)),
        (0.0, 0.3, 0.0, 0.0),
    ),
    Stream("northlend", ORG, 1.5, *_LOANS),
    Stream("utilitel", ORG, 2.0, *_BILLS),
    Stream(
        "trustid",
        ORG,
        0.8,
        {"identity_verified": 35, "address_verified": 20, "assets_verified": 20, "income_verified": 25},
    ),
)

# type -> (median amount, log-sd, capacity elasticity); types absent here carry no amount
AMOUNTS: dict[str, tuple[float, float, float]] = {
    "loan_opened": (5000, 0.6, 0.6),
    "instalment_paid_on_time": (250, 0.5, 0.5),
    "instalment_paid_late": (250, 0.5, 0.5),
    "loan_default": (3000, 0.7, 0.5),
    "utility_bill_paid_on_time": (80, 0.4, 0.3),
    "utility_bill_overdue": (80, 0.4, 0.3),
    "phone_bill_paid_on_time": (40, 0.4, 0.2),
    "phone_bill_overdue": (40, 0.4, 0.2),
    "rent_paid_on_time": (900, 0.35, 0.4),
    "rent_overdue": (900, 0.35, 0.4),
    "rental_returned_damaged": (120, 0.8, 0.0),
    "rental_deposit_forfeited": (200, 0.5, 0.0),
    "purchase": (45, 1.0, 0.4),
    "refund": (35, 0.9, 0.3),
    "fraudulent_chargeback": (150, 0.8, 0.2),
    "court_judgment_entered": (2000, 0.9, 0.3),
    "court_judgment_fulfilled": (2000, 0.9, 0.3),
    "court_judgment_unfulfilled": (2000, 0.9, 0.3),
    "income_verified": (32000, 0.35, 0.5),
    "assets_verified": (20000, 1.1, 0.9),
    "tax_filed_on_time": (4000, 0.9, 0.6),
    "tax_filed_overdue": (4000, 0.9, 0.6),
    "supplier_invoice_paid_on_time": (1500, 1.0, 0.5),
    "supplier_invoice_paid_late": (1500, 1.0, 0.5),
    "regulatory_penalty": (2500, 0.8, 0.2),
}
# type -> exponent on the uniform time draw: > 1 leans early in the window, < 1 leans late
TIME_SKEW = {
    "loan_opened": 1.6,
    "loan_default": 0.5,
    "loan_closed": 0.6,
    "court_judgment_entered": 1.4,
    "court_judgment_fulfilled": 0.6,
    "court_judgment_unfulfilled": 0.6,
    "bankruptcy": 0.7,
}

EVENTS_SCHEMA = pa.schema(
    [
        pa.field("provider_id", pa.string(), False),
        pa.field("event_id", pa.string(), False),
        pa.field("entity_id", pa.string(), False),
        pa.field("occurred_at", pa.timestamp("us"), False),
        pa.field("type", pa.string(), False),
        ("amount", pa.float64()),
        ("days_late", pa.int32()),
        ("purchase_category", pa.string()),
        ("rental_asset", pa.string()),
        ("counterparty_id", pa.string()),
    ]
)
ENTITIES_SCHEMA = pa.schema(
    [
        pa.field("entity_id", pa.string(), False),
        pa.field("kind", pa.string(), False),
        ("display_name", pa.string()),
        pa.field("registered_at", pa.timestamp("us"), False),
    ]
)
OUTCOMES_SCHEMA = pa.schema([pa.field("entity_id", pa.string(), False), pa.field("defaulted", pa.bool_(), False)])


@dataclass(frozen=True)
class SimulationSummary:
    """What ``simulate`` wrote, with its counts and paths."""

    out_dir: Path
    entities: int
    persons: int
    businesses: int
    institutions: int
    events: int
    providers: int
    defaulted: int
    seed: int
    months: int
    as_of: datetime
    window_start: datetime
    providers_path: Path
    entities_path: Path
    events_dir: Path
    event_files: tuple[Path, ...]
    outcomes_path: Path
    seconds: float

    @property
    def default_rate(self) -> float:
        return self.defaulted / self.entities


class _Vocab:
    """Integer codes for event types and their per-type parameters, as arrays indexed by type code."""

    def __init__(self) -> None:
        cat = default_catalogue()
        self.types = sorted(cat.types)
        self.code = {t: i for i, t in enumerate(self.types)}
        spec = np.array([AMOUNTS.get(t, (np.nan, 0.0, 0.0)) for t in self.types], dtype=np.float64)
        self.median, self.sigma, self.elasticity = spec.T
        self.skew = np.array([TIME_SKEW.get(t, 1.0) for t in self.types])
        self.late = np.array(["days_late" in cat.types[t].attributes for t in self.types])
        self.assets = sorted(cat.attributes["rental_asset"].values)


def simulate(
    out_dir: str | Path,
    *,
    entities: int,
    months: int = 24,
    seed: int = 7,
    as_of: datetime | None = None,
    progress: Callable[[int, int], object] | None = None,
) -> SimulationSummary:
    """Simulate ``entities`` entities with ``months`` of events before ``as_of`` and write them to ``out_dir``.

    ``as_of`` defaults to today 00:00 UTC (naive timestamps are UTC); pass it explicitly for output that is
    identical from one day to the next. ``progress(done_entities, total_entities)`` is called after each
    chunk. Existing ``events/part-*.parquet`` files in ``out_dir`` are replaced.
    """
    _check_args(entities, months, seed, as_of)
    started = time.perf_counter()
    as_of = _normalise_as_of(as_of)
    start = as_of - timedelta(days=months * MONTH_DAYS)
    out = Path(out_dir)
    events_dir = out / "events"
    events_dir.mkdir(parents=True, exist_ok=True)
    for old in events_dir.glob("part-*.parquet"):
        old.unlink()
    providers_path = _write_providers(out / "providers.csv")
    vocab = _Vocab()
    window_s = int((as_of - start).total_seconds())
    start_us = (start - datetime(1970, 1, 1)) // timedelta(microseconds=1)
    kind_seq = np.zeros(3, dtype=np.int64)
    n_events = n_default = 0
    files: list[Path] = []
    with (
        pq.ParquetWriter(out / "entities.parquet", ENTITIES_SCHEMA, compression="zstd") as ent_w,
        pq.ParquetWriter(out / "outcomes.parquet", OUTCOMES_SCHEMA, compression="zstd") as out_w,
    ):
        for k, lo in enumerate(range(0, entities, CHUNK_ENTITIES)):
            n = min(CHUNK_ENTITIES, entities - lo)
            rng = np.random.default_rng(np.random.SeedSequence([seed, k]))
            chunk = _Chunk(rng, n, kind_seq, months / BASE_MONTHS, window_s)
            ent_w.write_table(chunk.entities_table(start_us))
            defaulted = chunk.outcomes()
            out_w.write_table(pa.table([chunk.ids, defaulted], schema=OUTCOMES_SCHEMA))
            events = chunk.events(vocab, start_us, n_events)
            files.append(events_dir / f"part-{k:05d}.parquet")
            pq.write_table(events, files[-1], compression="zstd")
            n_events += events.num_rows
            n_default += int(np.count_nonzero(defaulted))
            if progress is not None:
                progress(lo + n, entities)
    return SimulationSummary(
        out,
        entities,
        int(kind_seq[P]),
        int(kind_seq[B]),
        int(kind_seq[I]),
        n_events,
        len(PROVIDERS),
        n_default,
        seed,
        months,
        as_of,
        start,
        providers_path,
        out / "entities.parquet",
        events_dir,
        tuple(files),
        out / "outcomes.parquet",
        time.perf_counter() - started,
    )


def _check_args(entities: int, months: int, seed: int, as_of: datetime | None) -> None:
    for name, value in (("entities", entities), ("months", months)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValidationError(
                f"'{name}' must be a whole number of at least 1, got {value!r}",
                field=name,
                fix=f"pass {name}=1 or more",
            )
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValidationError(
            f"'seed' must be a non-negative whole number, got {seed!r}", field="seed", fix="pass seed=0 or more"
        )
    if as_of is not None and not isinstance(as_of, datetime):
        raise ValidationError(
            f"'as_of' must be a datetime, got {type(as_of).__name__}",
            field="as_of",
            fix="pass a datetime, or None for today 00:00 UTC",
        )


def _normalise_as_of(as_of: datetime | None) -> datetime:
    """Naive UTC; today at midnight UTC when not given."""
    if as_of is None:
        return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    if as_of.tzinfo is not None:
        return as_of.astimezone(UTC).replace(tzinfo=None)
    return as_of


def _write_providers(path: Path) -> Path:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["provider_id", "name", "categories"])
        for pid, name, cats, _ in PROVIDERS:
            w.writerow([pid, name, ";".join(cats)])
    return path


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _choose(weights: dict[str, float], codes: dict[str, int], u: np.ndarray) -> np.ndarray:
    """Map uniforms ``u`` in [0, 1) to type codes drawn with ``weights``."""
    w = np.array(list(weights.values()), dtype=np.float64)
    picks = np.searchsorted(np.cumsum(w) / w.sum(), u, side="right")
    return np.array([codes[t] for t in weights], dtype=np.int16)[np.minimum(picks, len(w) - 1)]


def _ids(prefix: pa.Array | str, numbers: np.ndarray, width: int) -> pa.Array:
    """``prefix`` + zero-padded ``numbers`` as a string array (vectorised in Arrow)."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(prefix, digits, "")


class _Chunk:
    """Traits, entities, outcomes and events of one chunk of consecutive entities."""

    def __init__(self, rng: np.random.Generator, n: int, kind_seq: np.ndarray, scale: float, window_s: int):
        self.rng, self.n, self.scale, self.window_s = rng, n, scale, window_s
        self.kind = np.searchsorted(np.cumsum(KIND_SHARE), rng.random(n), side="right").clip(0, 2)
        seq = np.empty(n, dtype=np.int64)
        for k in range(3):  # three vectorised passes, one per kind
            mask = self.kind == k
            seq[mask] = kind_seq[k] + np.arange(1, np.count_nonzero(mask) + 1)
            kind_seq[k] += np.count_nonzero(mask)
        self.seq = seq
        self.ids = _ids(pc.take(pa.array(KIND_PREFIX), pa.array(self.kind)), seq, 7)
        z = rng.standard_normal((n, 4))
        z[:, 1] = 0.3 * z[:, 0] + np.sqrt(1 - 0.09) * z[:, 1]  # capacity correlates with reliability
        z[:, 0] += KIND_RELIABILITY_SHIFT[self.kind]
        self.traits = z
        activity = np.exp(0.35 * rng.standard_normal(n) - 0.35**2 / 2)
        self.activity = np.where(rng.random(n) < THIN_SHARE, THIN_ACTIVITY, activity)

    def entities_table(self, start_us: int) -> pa.Table:
        """Entity rows; registration falls 30 days to 6 years before the window opens."""
        before_s = self.rng.integers(30 * 86400, 6 * 365 * 86400, self.n)
        registered = pa.array(start_us - before_s * 1_000_000, type=pa.timestamp("us"))
        names = pc.binary_join_element_wise(
            pc.take(pa.array(KIND_LABEL), pa.array(self.kind)), pc.cast(pa.array(self.seq), pa.string()), " "
        )
        kinds = pc.take(pa.array(KINDS), pa.array(self.kind))
        return pa.Table.from_arrays([self.ids, kinds, names, registered], schema=ENTITIES_SCHEMA)

    def outcomes(self) -> pa.Array:
        """Default within the next 12 months: a logistic function of the same traits that drive events."""
        r, c, s = self.traits[:, 0], self.traits[:, 1], self.traits[:, 2]
        logit = KIND_DEFAULT_LOGIT[self.kind] - 1.25 * r - 0.45 * c - 0.35 * s
        return pa.array(self.rng.random(self.n) < _sigmoid(logit))

    def events(self, vocab: _Vocab, start_us: int, first_seq: int) -> pa.Table:
        """All events of the chunk, sorted by entity then time, as an Arrow table."""
        parts = [self._stream(s, vocab) for s in STREAMS]
        ev = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
        ev = self._add_vouches(ev, vocab)
        order = np.lexsort((ev["t"], ev["ent"]))
        ev = {key: col[order] for key, col in ev.items()}
        return self._to_table(ev, vocab, start_us, first_seq)

    def _stream(self, s: Stream, vocab: _Vocab) -> dict[str, np.ndarray]:
        rng, traits = self.rng, self.traits
        active = np.isin(self.kind, s.kinds) & (rng.random(self.n) < s.share)
        lam = s.rate * self.scale * self.activity * np.exp(traits @ np.array(s.rate_traits)) * active
        ent = np.repeat(np.arange(self.n, dtype=np.int32), rng.poisson(lam))
        m = len(ent)
        typ = _choose(s.good, vocab.code, rng.random(m))
        if s.bad_types:
            p_bad = _sigmoid(s.bad[0] + traits[ent] @ np.array(s.bad[1]))
            typ = np.where(rng.random(m) < p_bad, _choose(s.bad_types, vocab.code, rng.random(m)), typ)
        t = (rng.random(m) ** vocab.skew[typ] * self.window_s).astype(np.int64)
        pcat = np.full(m, -1, dtype=np.int8)
        if s.categorised:
            is_purchase = typ == vocab.code["purchase"]
            codes = {c: i for i, c in enumerate(PURCHASE_CATEGORIES)}
            pcat[is_purchase] = _choose(PURCHASE_CATEGORIES, codes, rng.random(int(is_purchase.sum())))
        asset = np.full(m, -1, dtype=np.int8)
        assets = PROVIDERS[PROVIDER_IDS.index(s.provider)][3]
        if assets:
            asset[:] = _choose(assets, {a: vocab.assets.index(a) for a in assets}, rng.random(m))
        prov = np.full(m, PROVIDER_IDS.index(s.provider), dtype=np.int8)
        cp = np.full(m, -1, dtype=np.int32)
        return {"ent": ent, "typ": typ, "prov": prov, "t": t, "pcat": pcat, "asset": asset, "cp": cp}

    def _add_vouches(self, ev: dict[str, np.ndarray], vocab: _Vocab) -> dict[str, np.ndarray]:
        """Give each vouch a counterparty, mirror it as vouch_accepted, and revoke some.

        Persons vouch for persons near them in (noisy) reliability, so vouches carry signal; 90% of vouches
        are accepted, and vouches for unreliable persons are revoked more often.
        """
        rng = self.rng
        persons = np.flatnonzero(self.kind == P).astype(np.int32)
        given = np.flatnonzero(ev["typ"] == vocab.code["vouch_given"])
        if len(persons) < 2:
            keep = np.ones(len(ev["typ"]), dtype=bool)
            keep[given] = False
            return {key: col[keep] for key, col in ev.items()}
        ranked = persons[np.argsort(self.traits[persons, 0] + 0.7 * rng.standard_normal(len(persons)))]
        rank_of = np.empty(self.n, dtype=np.int64)
        rank_of[ranked] = np.arange(len(ranked))
        reach = min(50, len(ranked) - 1)
        step = rng.integers(1, reach + 1, len(given)) * np.where(rng.random(len(given)) < 0.5, -1, 1)
        voucher = ev["ent"][given]
        target = ranked[(rank_of[voucher] + step) % len(ranked)]
        ev["cp"][given] = target
        t_given = ev["t"][given]
        accepted = rng.random(len(given)) < 0.9
        t_acc = np.minimum(t_given + rng.integers(0, 3 * 86400, len(given)), self.window_s - 1)
        revoked = rng.random(len(given)) < _sigmoid(-2.4 - 1.0 * self.traits[target, 0])
        t_rev = t_given + (rng.random(len(given)) * (self.window_s - t_given)).astype(np.int64)
        extra = {
            "ent": np.concatenate([target[accepted], voucher[revoked]]),
            "cp": np.concatenate([voucher[accepted], target[revoked]]),
            "t": np.concatenate([t_acc[accepted], t_rev[revoked]]),
            "typ": np.concatenate(
                [
                    np.full(int(accepted.sum()), vocab.code["vouch_accepted"], np.int16),
                    np.full(int(revoked.sum()), vocab.code["vouch_revoked"], np.int16),
                ]
            ),
        }
        m = len(extra["ent"])
        extra |= {
            "prov": np.full(m, PROVIDER_IDS.index("circle"), np.int8),
            "pcat": np.full(m, -1, np.int8),
            "asset": np.full(m, -1, np.int8),
        }
        return {key: np.concatenate([ev[key], extra[key].astype(ev[key].dtype)]) for key in ev}

    def _to_table(self, ev: dict[str, np.ndarray], vocab: _Vocab, start_us: int, first_seq: int) -> pa.Table:
        """Attach amounts and days late, then build the string columns in Arrow."""
        rng, m = self.rng, len(ev["ent"])
        ent, typ = ev["ent"], ev["typ"]
        scale = KIND_AMOUNT_SCALE[self.kind[ent]] * np.exp(vocab.elasticity[typ] * self.traits[ent, 1])
        amount = np.round(vocab.median[typ] * scale * np.exp(vocab.sigma[typ] * rng.standard_normal(m)), 2)
        late = vocab.late[typ]
        days = 1 + rng.lognormal(np.log(6.0) - 0.5 * self.traits[ent, 0], 0.9).astype(np.int64)
        days_late = pa.array(np.minimum(days, 365).astype(np.int32), mask=~late)

        def take(values: list[str] | pa.Array, codes: np.ndarray) -> pa.Array:
            return pc.take(
                values if isinstance(values, pa.Array) else pa.array(values), pa.array(codes, mask=codes < 0)
            )

        columns = [
            take(PROVIDER_IDS, ev["prov"]),
            _ids("E", np.arange(first_seq + 1, first_seq + m + 1, dtype=np.int64), 10),
            take(self.ids, ent),
            pa.array(start_us + ev["t"] * 1_000_000, type=pa.timestamp("us")),
            take(vocab.types, typ),
            pa.array(amount, mask=np.isnan(amount)),
            days_late,
            take(list(PURCHASE_CATEGORIES), ev["pcat"]),
            take(vocab.assets, ev["asset"]),
            take(self.ids, ev["cp"]),
        ]
        return pa.Table.from_arrays(columns, schema=EVENTS_SCHEMA)
