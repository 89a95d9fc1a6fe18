"""What a catalogue type decides about an event, looked up once per type instead of tested once per event.

An event's category, dimension and adverse flag are its catalogue type's (ingest sets them from the
catalogue), so the type-level part of every feature filter ("types in [...]", "category in [...]", ...) and
the event's retention period are facts about the *type*. ``EventTypes`` evaluates them for the ~40
catalogue types into a small ``VALUES`` relation (one boolean column per distinct filter, ``t0``, ``t1``, ...)
that the events scan joins on ``type``; a feature's per-event condition is then a boolean column, the
window and any event-level attribute test (days late, purchase category, rental asset).

Measured at 10M events: string ``IN`` lists evaluated per event per feature were the largest single cost
of population scoring (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlglot import exp

from credence.domain.catalogue import Catalogue, EventType
from credence.domain.scorecard import EventFilter, Scorecard
from credence.sql.expressions import attribute_conditions, col, num, string
from credence.sql.vouches import VOUCH_AGGREGATES

TYPE_KEY = "type_key"
RETENTION = "retention_days"


def _type_part(f: EventFilter) -> tuple:
    return (tuple(f.types), tuple(f.categories), tuple(f.dimensions), f.adverse)


_NO_TYPE_PART = ((), (), (), None)


def _matches(t: EventType, f: EventFilter) -> bool:
    return (
        (not f.types or t.name in f.types)
        and (not f.categories or t.category in f.categories)
        and (not f.dimensions or t.dimension in f.dimensions)
        and (f.adverse is None or t.adverse == f.adverse)
    )


def _filters(cards: Iterable[Scorecard]) -> Iterator[EventFilter]:
    """Every filter an events aggregate of ``cards`` tests per event, in card and feature order."""
    for card in cards:
        for f in card.features:
            if f.aggregate == "ratio":
                yield from (f.numerator, f.denominator)
            elif f.aggregate not in VOUCH_AGGREGATES:  # vouch features filter the vouchees' events
                yield f.where


@dataclass(frozen=True)
class EventTypes:
    """The type flags of the filters of some cards (``t0``, ``t1``, ... in order of first use) and the
    relation that holds them; built once from the cards, then only read (``condition`` is a lookup)."""

    catalogue: Catalogue
    flags: dict[tuple, tuple[str, EventFilter]]

    @classmethod
    def of(cls, catalogue: Catalogue, cards: Iterable[Scorecard]) -> EventTypes:
        flags: dict[tuple, tuple[str, EventFilter]] = {}
        for f in _filters(cards):
            key = _type_part(f)
            if key != _NO_TYPE_PART and key not in flags:
                flags[key] = (f"t{len(flags)}", f)
        return cls(catalogue, flags)

    def condition(self, f: EventFilter) -> exp.Expression:
        """The filter as a per-event condition: its type flag, then the event-level attribute tests."""
        key = _type_part(f)
        conds: list[exp.Expression] = []
        if key != _NO_TYPE_PART:
            if key not in self.flags:
                raise KeyError(f"no type flag for filter {f}: build EventTypes.of(...) from the cards that use it")
            conds.append(col(self.flags[key][0]))
        conds += attribute_conditions(f)
        return exp.and_(*conds) if conds else exp.true()

    @property
    def columns(self) -> list[str]:
        return [RETENTION, *(name for name, _ in self.flags.values())]

    def relation(self) -> exp.Query:
        """One row per catalogue type: its key, retention days (NULL unless adverse) and every flag.

        Written as ``SELECT ... UNION ALL SELECT ...`` with every value typed and named in each row:
        the one form every engine reads alike (``VALUES`` with column aliases is not SQLite's or ClickHouse's
        syntax, and an untyped ``NULL`` column is text to PostgreSQL).
        """
        rows = []
        for t in self.catalogue.types.values():
            days = self.catalogue.retention_days(t)
            values = [
                exp.alias_(string(t.name), TYPE_KEY),
                exp.alias_(exp.cast(exp.Null() if days is None else num(days), exp.DataType.build("INT")), RETENTION),
                *(exp.alias_(exp.Boolean(this=_matches(t, f)), name) for name, f in self.flags.values()),
            ]
            rows.append(exp.select(*values))
        return exp.union(*rows, distinct=False) if len(rows) > 1 else rows[0]
