"""Training data: read a feature table, check the target, and hold protected columns apart (guardrail 1).

``prepare`` splits a table into the scoring inputs, the target (1 = bad outcome) and the columns held
apart. A column is held apart when its name breaks a guardrail name rule, when the caller names it with
``protected=``, or when its values do (a category value such as ``married``); it is then never an input and
is kept only for the fairness report. Every exclusion is reported with its reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from credence.domain.guardrails import RULE_PROTECTED, RULE_SPECIAL, NameRules, default_rules
from credence.errors import DataError
from credence.learning.checks import LEAK_AUC, LEAK_IV, id_like, screen

MIN_ROWS = 50  # fewer labelled rows cannot support binning, a hold-out and cross-validation
MIN_PER_CLASS = 10  # nor can fewer goods or bads
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
ID_NAMES = ("entity_id", "id", "row_id", "customer_id", "applicant_id")


@dataclass(frozen=True)
class Excluded:
    """A column that is not a scoring input, and why."""

    column: str
    reason: str  # protected | special-category | named | lifestyle | identifier | excluded | unusable
    detail: str
    rule: str | None = None

    def to_dict(self) -> dict:
        return {"column": self.column, "reason": self.reason, "detail": self.detail, "rule": self.rule}

    @property
    def held_for_fairness(self) -> bool:
        return self.reason in ("protected", "named", "special-category")


@dataclass
class Prepared:
    X: pd.DataFrame  # the scoring inputs only
    y: np.ndarray  # 1 = bad outcome
    protected: pd.DataFrame  # held apart: fairness only
    excluded: list[Excluded]
    target: str
    bad_value: str
    ids: pd.Series | None = None
    id_column: str | None = None
    notes: list[str] = field(default_factory=list)
    screen: list = field(default_factory=list)  # checks.Screen of every input: IV and AUC alone
    leaky_allowed: tuple[str, ...] = ()  # inputs flagged as leaks and kept with --allow-leaky
    categorical: tuple[str, ...] = ()  # inputs declared categorical (numeric codes)

    @property
    def rows(self) -> int:
        return len(self.y)

    @property
    def bad_rate(self) -> float:
        return float(np.mean(self.y))

    def data_summary(self) -> dict:
        return {
            "rows": self.rows,
            "bads": int(self.y.sum()),
            "bad_rate": self.bad_rate,
            "target": self.target,
            "bad_value": self.bad_value,
            "inputs": list(self.X.columns),
            "excluded": [e.to_dict() for e in self.excluded],
            "held_for_fairness": list(self.protected.columns),
            "screen": [c.to_dict() for c in self.screen],
            "leaky_allowed": list(self.leaky_allowed),
            "categorical": list(self.categorical),
        }


def read_table(path: str | Path) -> pd.DataFrame:
    """A feature table from CSV or Parquet."""
    p = Path(path)
    if not p.exists():
        raise DataError(f"data file {p} not found", field="data", fix="give the path of a CSV or Parquet file")
    try:
        if p.suffix.lower() in (".parquet", ".pq") or p.is_dir():
            return pd.read_parquet(p)
        if p.suffix.lower() in (".csv", ".txt", ".tsv"):
            return pd.read_csv(p, sep="\t" if p.suffix.lower() == ".tsv" else ",")
    except Exception as e:  # pandas/pyarrow parse errors
        raise DataError(f"cannot read {p}: {str(e).splitlines()[0]}", field="data") from None
    raise DataError(f"{p}: unknown file type '{p.suffix}'", field="data", fix="use a .csv or .parquet file")


# ------------------------------------------------------------------------------------------ target
def target_vector(series: pd.Series, name: str, bad: str | None = None) -> tuple[np.ndarray, str]:
    """The target as 1 (bad) / 0 (good) and the value taken as bad; DataError when it cannot be one."""
    missing = series.isna()
    if missing.any():
        first = int(np.flatnonzero(missing.to_numpy())[0]) + 1
        raise DataError(
            f"target '{name}' is missing in {int(missing.sum())} rows (first: data row {first})",
            field=name,
            fix="give every row a known outcome, or remove the rows without one",
        )
    values = series.astype(str).str.strip()
    distinct = sorted(values.unique())
    if len(distinct) == 0:
        raise DataError("the data has no rows", field=name, fix="give a table with labelled rows")
    if len(distinct) == 1:
        raise DataError(
            f"target '{name}' has a single class ('{distinct[0]}' in every row)",
            field=name,
            fix="a scorecard needs both good and bad outcomes",
        )
    if len(distinct) > 2:
        shown = ", ".join(repr(v) for v in distinct[:5]) + (", ..." if len(distinct) > 5 else "")
        raise DataError(
            f"target '{name}' is not binary: it has {len(distinct)} values ({shown})",
            field=name,
            fix="use a column with exactly two values, e.g. good/bad or 0/1",
        )
    if bad is None:
        from credence.learning.checks import bad_value

        bad = "True" if series.dtype == bool else bad_value(name, values, distinct)
    elif str(bad) not in distinct:
        raise DataError(
            f"--bad value {bad!r} does not occur in target '{name}' (values: {distinct[0]!r}, {distinct[1]!r})",
            field=name,
        )
    y = (values == str(bad)).to_numpy().astype(int)
    return y, str(bad)


def check_size(y: np.ndarray, what: str = "the data") -> None:
    n, bads = len(y), int(np.sum(y))
    goods = n - bads
    if n < MIN_ROWS or min(bads, goods) < MIN_PER_CLASS:
        raise DataError(
            f"{what} has {n} rows ({bads} bad, {goods} good): too few to fit a scorecard",
            fix=f"give at least {MIN_ROWS} rows with at least {MIN_PER_CLASS} of each outcome",
        )


# ------------------------------------------------------------------------------------------ columns
def _value_match(series: pd.Series, rules: NameRules):
    if not (series.dtype == object or isinstance(series.dtype, pd.CategoricalDtype) or series.dtype == "string"):
        return None, None
    for v in series.dropna().astype(str).unique()[:1000]:
        m = rules.match(v)
        if m is not None:
            return v, m
    return None, None


def prepare(
    df: pd.DataFrame,
    target: str,
    *,
    protected: tuple[str, ...] | list[str] = (),
    bad: str | None = None,
    id_column: str | None = None,
    rules: NameRules | None = None,
    check_rows: bool = True,
    exclude: tuple[str, ...] | list[str] = (),
    categorical: tuple[str, ...] | list[str] = (),
    allow_leaky: tuple[str, ...] | list[str] = (),
    screen_inputs: bool = True,
) -> Prepared:
    """Split ``df`` into inputs, target and held-apart columns; see the module docstring."""
    rules = rules or default_rules()
    if target not in df.columns:
        raise DataError(
            f"target column '{target}' is not in the data",
            field=target,
            fix=f"use one of: {', '.join(map(str, df.columns[:30]))}",
        )
    for col in protected:
        if col not in df.columns:
            raise DataError(f"--protected column '{col}' is not in the data", field=col)
    if id_column is not None and id_column not in df.columns:
        raise DataError(f"id column '{id_column}' is not in the data", field=id_column)
    for option, cols in (("--exclude", exclude), ("--categorical", categorical), ("--allow-leaky", allow_leaky)):
        for col in cols:
            if col not in df.columns:
                raise DataError(
                    f"{option} column '{col}' is not in the data",
                    field=col,
                    fix=f"use one of: {', '.join(map(str, df.columns[:30]))}",
                )
    y, bad_value = target_vector(df[target], target, bad)
    if check_rows:
        check_size(y)
    if id_column is None:
        id_column = next((c for c in ID_NAMES if c in df.columns and c != target), None)

    excluded: list[Excluded] = []
    inputs: list[str] = []
    held: list[str] = []
    for col in df.columns:
        if col == target:
            continue
        name = str(col)
        m = rules.match(name)
        life = rules.match_lifestyle(name)
        if col == id_column:
            excluded.append(Excluded(name, "identifier", "identifies the row; not an input"))
        elif col in exclude:
            excluded.append(Excluded(name, "excluded", "named with --exclude"))
        elif col in protected:
            excluded.append(Excluded(name, "named", "named with --protected", RULE_PROTECTED))
            held.append(col)
        elif m is not None:
            kind = "special-category" if m.rule == RULE_SPECIAL else "protected"
            excluded.append(Excluded(name, kind, f"{m.group} (name matched '{m.term}')", m.rule))
            held.append(col)
        elif life is not None:  # guardrail 8: no learner selects what people buy or when
            excluded.append(Excluded(name, "lifestyle", f"{life.group} (name matched '{life.term}')", life.rule))
        else:
            value, vm = _value_match(df[col], rules)
            if vm is not None:
                kind = "special-category" if vm.rule == RULE_SPECIAL else "protected"
                excluded.append(Excluded(name, kind, f"{vm.group} (value {value!r} matched '{vm.term}')", vm.rule))
                held.append(col)
            elif df[col].isna().all():
                excluded.append(Excluded(name, "unusable", "has no values"))
            elif pd.api.types.is_datetime64_any_dtype(df[col]):
                excluded.append(Excluded(name, "unusable", "a date or time; derive a number (e.g. days since) instead"))
            elif df[col].nunique(dropna=True) < 2:
                excluded.append(Excluded(name, "unusable", "has the same value in every row"))
            elif screen_inputs and col not in categorical and (why := id_like(df[col], name)) is not None:
                excluded.append(Excluded(name, "identifier", f"looks like a row identifier: {why}"))
            else:
                inputs.append(col)
    for col in inputs:
        if not _IDENTIFIER.match(str(col)):
            raise DataError(
                f"column name {str(col)!r} is not a plain identifier, so a scorecard cannot name it in SQL",
                field=str(col),
                fix="rename it to letters, digits and underscores (e.g. "
                f"{re.sub(r'[^A-Za-z0-9_]+', '_', str(col)).strip('_') or 'column_1'!r})",
            )
    if not inputs:
        raise DataError(
            "no columns are left to score with after holding apart protected and unusable columns",
            fix="add behavioural or financial columns to the data",
        )
    X = df[inputs].copy()
    for col in inputs:
        if X[col].dtype == bool:
            X[col] = X[col].astype(float)
        elif isinstance(X[col].dtype, pd.CategoricalDtype) or X[col].dtype == "string":
            X[col] = X[col].astype(object)
    for col in categorical:
        if col in X.columns:  # numeric codes as categories: their text, missing kept missing
            X[col] = (
                X[col]
                .map(
                    lambda v: (
                        None if pd.isna(v) else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
                    )
                )
                .astype(object)
            )
    X.columns = [str(c) for c in X.columns]
    results = screen(X.reset_index(drop=True), y, tuple(map(str, categorical))) if screen_inputs else []
    leaks = [r for r in results if r.leaky and r.column not in allow_leaky]
    if leaks:
        listing = "; ".join(f"{r.column} ({r.text()})" for r in leaks)
        raise DataError(
            f"{len(leaks)} input(s) nearly determined by the target (AUC alone >= {LEAK_AUC} or IV >= {LEAK_IV}): "
            f"{listing}. A column known only after the outcome would make a card that fails in use",
            field=leaks[0].column,
            fix=f"drop it with --exclude {leaks[0].column}, or keep it knowingly with --allow-leaky {leaks[0].column}",
        )
    ids = df[id_column].astype(str) if id_column is not None else None
    return Prepared(
        X.reset_index(drop=True),
        y,
        df[held].reset_index(drop=True),
        excluded,
        target,
        bad_value,
        ids=None if ids is None else ids.reset_index(drop=True),
        id_column=id_column,
        screen=results,
        leaky_allowed=tuple(r.column for r in results if r.leaky),
        categorical=tuple(str(c) for c in categorical),
    )


# ------------------------------------------------------------------------------------------ dimensions
_DIMENSION_WORDS = (
    ("connections", ("guarantor", "guarantors", "debtors", "vouch", "vouches", "cosigner", "co", "reference")),
    (
        "identity",
        (
            "employment",
            "employed",
            "job",
            "occupation",
            "residence",
            "telephone",
            "phone",
            "address",
            "identity",
            "verified",
            "verification",
            "education",
        ),
    ),
    (
        "capacity",
        (
            "amount",
            "income",
            "savings",
            "saving",
            "asset",
            "assets",
            "property",
            "housing",
            "account",
            "balance",
            "maintenance",
            "liable",
            "dependents",
            "salary",
            "wealth",
            "spending",
        ),
    ),
    ("behaviour", ("purpose", "rental", "rentals", "purchase", "purchases", "chargeback", "behaviour", "behavior")),
)


def guess_dimension(column: str) -> str:
    """Which of the five dimensions a feature-table column most likely measures (default: credit history)."""
    from credence.domain.guardrails import words

    ws = set(words(column))
    for dim, terms in _DIMENSION_WORDS:
        if ws.intersection(terms):
            return dim
    return "credit_history"


def german_credit_path() -> Path:
    """The bundled UCI Statlog German Credit table (CC BY 4.0; see ``credence/data/GERMANCREDIT.md``)."""
    from importlib import resources

    return Path(str(resources.files("credence").joinpath("data", "germancredit.csv")))
