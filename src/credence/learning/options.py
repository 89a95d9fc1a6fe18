"""The modelling options ``credence train`` accepts, checked once and handed to the learner.

Each maps onto optbinning (``BinningProcess``/``OptimalBinning``) or the logistic regression:
``categorical`` (numeric codes binned as categories), ``monotonic`` (per-column ``monotonic_trend``, from ``--monotone COL=up|down``),
``min_bin_size`` (share of rows in every bin), ``class_weight`` (``balanced`` re-weights the classes),
``missing`` (what a missing value earns when training saw none: ``neutral`` — the learner's zero weight of
evidence — or ``lowest``, the feature's lowest points), and ``dimensions`` (column -> one of the five).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from credence.domain.catalogue import DIMENSIONS
from credence.errors import ConfigError, DataError

MISSING = ("neutral", "lowest")
CLASS_WEIGHTS = ("none", "balanced")


@dataclass(frozen=True)
class FitOptions:
    categorical: tuple[str, ...] = ()
    monotonic: dict[str, str] = field(default_factory=dict)
    min_bin_size: float | None = None
    class_weight: str | None = None
    missing: str = "neutral"
    dimensions: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "categorical": list(self.categorical),
            "monotonic": dict(self.monotonic),
            "min_bin_size": self.min_bin_size,
            "class_weight": self.class_weight,
            "missing": self.missing,
            "dimensions": dict(self.dimensions),
        }


def trend_of(way: str) -> str:
    """``--monotone COL=up|down`` (points rise or fall as the value rises) as optbinning's bad-rate trend."""
    return {"up": "descending", "down": "ascending"}[way]


def read_dimensions(path: Path | None) -> dict[str, str]:
    """A dimension mapping file: YAML ``{column: dimension}`` or a CSV with columns ``column,dimension``."""
    if path is None:
        return {}
    p = Path(path)
    if not p.exists():
        raise ConfigError(f"dimension mapping {p} does not exist", field="dimensions")
    if p.suffix.lower() == ".csv":
        import csv

        with p.open(newline="") as fh:
            rows = list(csv.DictReader(fh))
        if rows and not {"column", "dimension"} <= set(rows[0]):
            raise ConfigError(f"{p}: a dimension mapping CSV needs the columns column,dimension", field="dimensions")
        mapping = {r["column"].strip(): r["dimension"].strip() for r in rows}
    else:
        from credence.domain.files import read_yaml

        mapping = read_yaml(p, "dimension mapping")
        if not isinstance(mapping, dict):
            raise ConfigError(f"{p}: a dimension mapping is a mapping of column: dimension", field="dimensions")
        mapping = {str(k): str(v) for k, v in mapping.items()}
    for col, dim in mapping.items():
        if dim not in DIMENSIONS:
            raise ConfigError(
                f"{p}: column '{col}' is mapped to '{dim}', which is not a dimension",
                field=col,
                fix=f"use one of {', '.join(DIMENSIONS)}",
            )
    return mapping


def check(options: FitOptions, inputs: list[str]) -> None:
    """Every column an option names is an input; every value is allowed."""
    for what, cols in (("--monotone", options.monotonic), ("--dimensions", options.dimensions)):
        unknown = [c for c in cols if c not in inputs]
        if unknown:
            raise DataError(
                f"{what} names '{unknown[0]}', which is not an input",
                field=unknown[0],
                fix=f"inputs: {', '.join(inputs)}",
            )
    if options.min_bin_size is not None and not 0 < options.min_bin_size < 0.5:
        raise ConfigError(f"--min-bin-size {options.min_bin_size} must be above 0 and below 0.5", field="min_bin_size")
    if options.missing not in MISSING:
        raise ConfigError(f"--missing {options.missing!r} is not one of {', '.join(MISSING)}", field="missing")
    if options.class_weight not in (None, *CLASS_WEIGHTS):
        raise ConfigError(
            f"--class-weight {options.class_weight!r} is not one of {', '.join(CLASS_WEIGHTS)}", field="class_weight"
        )
