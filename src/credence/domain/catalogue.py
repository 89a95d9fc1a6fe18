"""The event catalogue: a closed, versioned vocabulary of event types (SPEC section 2).

Loading checks guardrail 1 on every category, type, attribute and category value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from credence.domain.files import read_shipped_yaml, read_yaml
from credence.domain.guardrails import check_name
from credence.errors import ConfigError

DIMENSIONS = ("credit_history", "behaviour", "capacity", "identity", "connections")
DIMENSION_LABELS = {
    "credit_history": "Credit history",
    "behaviour": "Behaviour",
    "capacity": "Fulfilment capacity",
    "identity": "Identity",
    "connections": "Connections",
}
ATTRIBUTE_TYPES = ("integer", "number", "category", "entity", "text")


@dataclass(frozen=True)
class Attribute:
    name: str
    type: str
    values: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    description: str = ""


@dataclass(frozen=True)
class EventType:
    name: str
    category: str
    dimension: str
    adverse: bool = False
    amount: str = "none"  # none | optional | required
    attributes: dict[str, str] = field(default_factory=dict)  # attribute -> required|optional
    retention: str | None = None  # key into Catalogue.retention_years, for adverse types


@dataclass(frozen=True)
class Catalogue:
    version: int
    types: dict[str, EventType]
    attributes: dict[str, Attribute]
    retention_years: dict[str, int]
    amounts: tuple[float, float] = (0.0, 1e9)  # bounds of every event amount (the catalogue's `amounts`)

    @property
    def categories(self) -> list[str]:
        return sorted({t.category for t in self.types.values()})

    def type(self, name: str) -> EventType:
        try:
            return self.types[name]
        except KeyError:
            raise ConfigError(f"unknown event type '{name}'", fix="use a type from the catalogue") from None

    def retention_days(self, event_type: EventType) -> int | None:
        """Days after which an adverse event stops counting (guardrail 6), or None."""
        if not event_type.adverse:
            return None
        years = self.retention_years[event_type.retention or "adverse"]
        return int(round(years * 365.25))


def parse_catalogue(raw: dict, source: str = "catalogue") -> Catalogue:
    if not isinstance(raw, dict) or "categories" not in raw:
        raise ConfigError(f"{source}: a catalogue needs 'version' and 'categories'")
    version = raw.get("version")
    if not isinstance(version, int):
        raise ConfigError(f"{source}: 'version' must be an integer", field="version")
    attributes = {}
    for name, spec in (raw.get("attributes") or {}).items():
        check_name(name, "catalogue attribute")
        spec = spec or {}
        if spec.get("type") not in ATTRIBUTE_TYPES:
            raise ConfigError(
                f"{source}: attribute '{name}' has type {spec.get('type')!r}",
                field=f"attributes.{name}.type",
                fix=f"use one of {', '.join(ATTRIBUTE_TYPES)}",
            )
        values = tuple(str(v) for v in spec.get("values") or ())
        for v in values:
            check_name(v, f"value of attribute '{name}'")
        attributes[name] = Attribute(
            name, spec["type"], values, spec.get("min"), spec.get("max"), spec.get("description", "")
        )
    retention = {"adverse": 7, "bankruptcy": 10, **(raw.get("retention_years") or {})}
    types: dict[str, EventType] = {}
    for category, members in raw["categories"].items():
        check_name(category, "catalogue category")
        for name, spec in (members or {}).items():
            check_name(name, "event type")
            where = f"{source}: event type '{name}'"
            if name in types:
                raise ConfigError(f"{where} is defined twice")
            spec = spec or {}
            dim = spec.get("dimension")
            if dim not in DIMENSIONS:
                raise ConfigError(
                    f"{where} has dimension {dim!r}", field="dimension", fix=f"use one of {', '.join(DIMENSIONS)}"
                )
            attrs = dict(spec.get("attributes") or {})
            for a, need in attrs.items():
                check_name(a, f"attribute of event type '{name}'")
                if a not in attributes:
                    raise ConfigError(f"{where} uses undeclared attribute '{a}'", fix="declare it under 'attributes'")
                if need not in ("required", "optional"):
                    raise ConfigError(f"{where}: attribute '{a}' must be 'required' or 'optional'")
            amount = spec.get("amount", "none")
            if amount not in ("none", "optional", "required"):
                raise ConfigError(f"{where}: 'amount' must be none, optional or required", field="amount")
            ret = spec.get("retention")
            if ret is not None and ret not in retention:
                raise ConfigError(f"{where}: unknown retention class '{ret}'", field="retention")
            types[name] = EventType(name, category, dim, bool(spec.get("adverse", False)), amount, attrs, ret)
    bounds = raw.get("amounts") or {}
    amounts = (float(bounds.get("min", 0)), float(bounds.get("max", 1e9)))
    if not amounts[0] < amounts[1] or not all(abs(x) < 1e15 for x in amounts):
        raise ConfigError(f"{source}: 'amounts' must give min < max, both finite", field="amounts")
    return Catalogue(version, types, attributes, retention, amounts)


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Load a catalogue file, or the shipped one."""
    if path is None:
        return default_catalogue()
    return parse_catalogue(
        read_yaml(path, "catalogue file", fix="fix the 'catalogue' path in credence.yaml"), str(path)
    )


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    return parse_catalogue(read_shipped_yaml("credence.domain", "catalogue.yaml"), "shipped catalogue")
