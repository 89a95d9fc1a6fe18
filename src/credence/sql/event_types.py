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

from sqlglot import exp

from credence.domain.catalogue import Catalogue, EventType
from credence.domain.scorecard import EventFilter
from credence.sql.expressions import attribute_conditions, col

TYPE_KEY = "type_key"
RETENTION = "retention_days"


def _type_part(f: EventFilter) -> tuple:
    return (tuple(f.types), tuple(f.categories), tuple(f.dimensions), f.adverse)


def _matches(t: EventType, f: EventFilter) -> bool:
    return (
        (not f.types or t.name in f.types)
        and (not f.categories or t.category in f.categories)
        and (not f.dimensions or t.dimension in f.dimensions)
        and (f.adverse is None or t.adverse == f.adverse)
    )


class EventTypes:
    """The flags the filters of some scorecards need, and the ``VALUES`` relation that holds them."""

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue
        self.flags: dict[tuple, tuple[str, EventFilter]] = {}

    def condition(self, f: EventFilter) -> exp.Expression:
        """The filter as a per-event condition: its type flag, then the event-level attribute tests."""
        key = _type_part(f)
        conds: list[exp.Expression] = []
        if key != ((), (), (), None):
            if key not in self.flags:
                self.flags[key] = (f"t{len(self.flags)}", f)
            conds.append(col(self.flags[key][0]))
        conds += attribute_conditions(f)
        return exp.and_(*conds) if conds else exp.true()

    @property
    def columns(self) -> list[str]:
        return [RETENTION, *(name for name, _ in self.flags.values())]

    def relation(self) -> exp.Select:
        """One row per catalogue type: its key, retention days (NULL unless adverse) and every flag."""
        rows = [
            (t.name, self.catalogue.retention_days(t), *(_matches(t, f) for _, f in self.flags.values()))
            for t in self.catalogue.types.values()
        ]
        values = exp.values(rows, alias="v", columns=[TYPE_KEY, *self.columns])
        return exp.select("*").from_(values)
