"""Performance definitions: which events after an observation date make an entity bad (SPEC section 4).

A definition says, for an entity observed at date T:

- ``bad``: event filters; any matching event in (T, T + window] makes the outcome bad;
- ``indeterminate``: not bad, but a matching event in the window: neither good nor bad (left out);
- ``excluded``: a matching event at or before T: the entity was already bad when observed (left out);
- otherwise the outcome is good.

Filters are the scorecards' own event filters (types, categories, adverse, ``min_days_late`` ...), so the
SQL compiler builds them the same way (``credence.sql.outcomes``). Nothing here touches a database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from credence.domain.catalogue import Catalogue, default_catalogue
from credence.domain.files import read_shipped_yaml, read_yaml
from credence.domain.guardrails import check_name
from credence.domain.scorecard import EventFilter, parse_filter
from credence.errors import ConfigError

SHIPPED = ("default",)
STATUSES = ("good", "bad", "indeterminate", "excluded")
_WINDOW = re.compile(r"^\s*(\d+)\s*(m|mo|months?|y|years?)\s*$", re.IGNORECASE)


def parse_window(text: str | int) -> int:
    """A window in months from ``12m``, ``6 months``, ``1y`` or a plain number of months."""
    if isinstance(text, int) and not isinstance(text, bool):
        months = text
    else:
        m = _WINDOW.match(str(text))
        if not m:
            raise ConfigError(
                f"window {text!r} is not a number of months or years",
                field="window",
                fix="write it like 12m, 6m or 1y",
            )
        months = int(m.group(1)) * (12 if m.group(2).lower().startswith("y") else 1)
    if not 1 <= months <= 120:
        raise ConfigError(f"window of {months} months is out of range", field="window", fix="use 1 to 120 months")
    return months


@dataclass(frozen=True)
class PerformanceDefinition:
    id: str
    window_months: int
    bad: tuple[EventFilter, ...]
    indeterminate: tuple[EventFilter, ...] = ()
    excluded: tuple[EventFilter, ...] = ()
    title: str = ""

    def with_window(self, months: int) -> PerformanceDefinition:
        from dataclasses import replace

        return replace(self, window_months=months)

    def describe(self) -> str:
        return f"{self.id} ({self.title or 'bad outcome'}) over {self.window_months} months"


def parse_performance(raw: object, *, source: str = "performance definition", catalogue: Catalogue | None = None):
    """A checked ``PerformanceDefinition`` from its YAML mapping."""
    catalogue = catalogue or default_catalogue()
    if not isinstance(raw, dict):
        raise ConfigError(f"{source} must be a mapping", fix="give id, window, bad (and indeterminate, excluded)")
    allowed = {"id", "title", "window", "bad", "indeterminate", "excluded"}
    for key in raw:
        if key not in allowed:
            raise ConfigError(f"{source}: unknown key '{key}'", field=str(key), fix=f"use {', '.join(sorted(allowed))}")
    pid = str(raw.get("id") or "")
    if not pid:
        raise ConfigError(f"{source}: an id is required", field="id")
    check_name(pid, f"{source} id")

    def filters(key: str, required: bool) -> tuple[EventFilter, ...]:
        items = raw.get(key) or []
        if not isinstance(items, list):
            raise ConfigError(f"{source}: '{key}' must be a list of event filters", field=key)
        if required and not items:
            raise ConfigError(f"{source}: '{key}' needs at least one event filter", field=key)
        out = []
        for j, item in enumerate(items):
            f = parse_filter(item, f"{source} {key}[{j}]", catalogue)
            if f == EventFilter():
                raise ConfigError(f"{source} {key}[{j}]: an empty filter would match every event", field=key)
            out.append(f)
        return tuple(out)

    return PerformanceDefinition(
        id=pid,
        window_months=parse_window(raw.get("window", "12m")),
        bad=filters("bad", True),
        indeterminate=filters("indeterminate", False),
        excluded=filters("excluded", False),
        title=str(raw.get("title") or ""),
    )


def load_performance(ref: str | Path | None = None, *, catalogue: Catalogue | None = None) -> PerformanceDefinition:
    """A performance definition from a YAML path, or a shipped one by name (default: ``default``)."""
    ref = str(ref or "default")
    if ref in SHIPPED:
        raw, source = read_shipped_yaml("credence.performance", f"{ref}.yaml"), f"shipped performance {ref}"
    else:
        raw = read_yaml(ref, "performance definition", fix=f"give a YAML path or one of {', '.join(SHIPPED)}")
        source = ref
    return parse_performance(raw, source=source, catalogue=catalogue)
