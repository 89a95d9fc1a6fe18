"""Guardrail 1 on training data, and the target's clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credence.domain.guardrails import RULE_PROTECTED, default_rules
from credence.errors import DataError
from credence.learning.data import prepare

PROTECTED = {"personal_status_and_sex", "age_in_years", "foreign_worker"}


def test_german_credit_protected_columns_are_held_apart_and_reported(german_frame):
    p = prepare(german_frame, "creditability")
    assert PROTECTED.isdisjoint(p.X.columns)
    assert set(p.protected.columns) == PROTECTED
    reasons = {e.column: e for e in p.excluded}
    assert set(reasons) == PROTECTED
    assert all(e.rule == RULE_PROTECTED and e.held_for_fairness for e in reasons.values())
    assert "sex" in reasons["personal_status_and_sex"].detail and "age" in reasons["age_in_years"].detail
    assert p.rows == 1000 and p.y.sum() == 300 and p.bad_value == "bad"
    assert len(p.X.columns) == 17


def test_learned_card_never_uses_a_protected_column(german):
    names = {f.column for f in german.card.features}
    assert PROTECTED.isdisjoint(names)
    excluded = {e["column"] for e in german.card.metadata["learned"]["excluded"]}
    assert excluded == PROTECTED
    assert {e["column"] for e in german.report["data"]["excluded"]} == PROTECTED


def _frame(n=200, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    return pd.DataFrame(
        {
            "income": x * 1000 + 3000,
            "region": rng.choice(["north", "south"], n),
            "status": rng.choice(["single", "married"], n),  # name is fine, values are marital status
            "group_code": rng.choice(["a", "b"], n),
            "target": np.where(rng.random(n) < 1 / (1 + np.exp(0.8 * x)), "bad", "good"),
        }
    )


def test_named_and_value_matched_columns_are_held_apart():
    p = prepare(_frame(), "target", protected=["group_code"])
    assert list(p.X.columns) == ["income", "region"]
    by = {e.column: e for e in p.excluded}
    assert by["group_code"].reason == "named"
    assert by["status"].reason == "protected" and "married" in by["status"].detail or "single" in by["status"].detail
    assert set(p.protected.columns) == {"status", "group_code"}


def test_extra_rules_are_configurable():
    rules = default_rules().with_extra(protected={"region of origin": ["region"]})
    p = prepare(_frame(), "target", rules=rules)
    assert "region" not in p.X.columns and "region" in p.protected.columns


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.drop(columns=["target"]), "target column 'target' is not in the data"),
        (lambda d: d.assign(target=np.resize(["good", "bad", "unknown"], len(d))), "is not binary"),
        (lambda d: d.assign(target="good"), "single class"),
        (lambda d: d.head(30), "too few to fit"),
        (lambda d: d.assign(target=d["target"].where(d.index != 4)), "missing in 1 rows (first: data row 5)"),
        (
            lambda d: d.assign(target=np.resize(["yes", "no"], len(d)).astype(object)).assign(
                target=lambda e: e["target"].map({"yes": "alpha", "no": "beta"})
            ),
            "cannot tell which value",
        ),
    ],
)
def test_target_errors_are_clear(change, message):
    with pytest.raises(DataError) as info:
        prepare(change(_frame()), "target")
    assert message in str(info.value)
    assert "Fix:" in str(info.value) or "not binary" not in message


def test_bad_value_can_be_given():
    d = _frame().assign(target=lambda e: e["target"].map({"bad": "alpha", "good": "beta"}))
    p = prepare(d, "target", bad="alpha")
    assert p.bad_value == "alpha" and 0 < p.y.mean() < 1
    with pytest.raises(DataError, match="does not occur"):
        prepare(d, "target", bad="gamma")


def test_numeric_zero_one_target_is_taken_only_when_its_name_says_bad():
    d = _frame().assign(defaulted=lambda e: (e["target"] == "bad").astype(int)).drop(columns=["target"])
    assert prepare(d, "defaulted").bad_value == "1"
    with pytest.raises(DataError, match="cannot tell which value of target 'target'") as info:
        prepare(_frame().assign(target=lambda e: (e["target"] == "bad").astype(int)), "target")
    assert "'0' (" in str(info.value) and "'1' (" in str(info.value) and "--bad" in str(info.value)


def test_a_column_name_sql_cannot_carry_is_a_clear_error():
    with pytest.raises(DataError, match="not a plain identifier") as info:
        prepare(_frame().rename(columns={"income": "monthly income"}), "target")
    assert "monthly_income" in str(info.value)
