"""``credence train`` never guesses silently: bad value, identifiers, leaks, modelling options, dimensions."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from credence.cli import app
from credence.errors import DataError
from credence.learning.checks import id_like
from credence.learning.data import prepare

runner = CliRunner()
N = 600


def run(*args: str, ok: bool = True):
    result = runner.invoke(app, list(args), env={"COLUMNS": "250", "NO_COLOR": "1"})
    if ok:
        assert result.exit_code == 0, (result.output, result.exception)
    return result


@pytest.fixture(scope="module")
def card_csv(tmp_path_factory):
    """A 'card' yes/no target (yes = got the card = good), a row number, a leak, a numeric code."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=N)
    got_card = rng.random(N) < 1 / (1 + np.exp(-(x * 0.7 + 0.8)))
    frame = pd.DataFrame(
        {
            "rownames": np.arange(1, N + 1),
            "income": x * 1000 + 3000,
            "code": rng.integers(1, 5, N),
            "tenure": rng.integers(0, 40, N).astype(float),
            "leak": np.where(got_card, 1.0, 0.0) + rng.normal(0, 0.15, N),
            "card": np.where(got_card, "yes", "no"),
        }
    )
    path = tmp_path_factory.mktemp("friction") / "card.csv"
    frame.to_csv(path, index=False)
    return path


def train(path, tmp_path, *extra: str, ok: bool = True):
    return run(
        "train", "--data", str(path), "--target", "card", "--repeats", "0", "--c", "0.1",
        "--out", str(tmp_path / "card.yaml"), "--report", str(tmp_path / "report"), *extra, ok=ok,
    )  # fmt: skip


def test_an_unclear_bad_value_is_refused_with_the_values_listed(card_csv, tmp_path):
    result = train(card_csv, tmp_path, ok=False)
    message = str(result.exception)
    assert result.exit_code != 0 and "cannot tell which value of target 'card' is the bad outcome" in message
    assert "'no' (" in message and "'yes' (" in message and "--bad" in message


def test_leaks_are_refused_unless_allowed_and_every_input_is_printed(card_csv, tmp_path):
    result = train(card_csv, tmp_path, "--bad", "no", ok=False)
    assert "nearly determined by the target" in str(result.exception) and "leak (IV" in str(result.exception)
    assert "--allow-leaky leak" in str(result.exception)
    out = train(card_csv, tmp_path, "--bad", "no", "--allow-leaky", "leak").output
    assert "Target 'card': bad = 'no' (" in out and "%)" in out  # the choice and the bad rate, always
    assert "not an input rownames: looks like a row identifier" in out
    assert "4 input(s):" in out and all(f"  {c}: " in out for c in ("income", "code", "tenure", "leak"))
    assert "leak kept leak" in out
    rep = json.loads((tmp_path / "report" / "validation.json").read_text())
    assert rep["data"]["leaky_allowed"] == ["leak"]
    assert {r["column"] for r in rep["data"]["screen"]} == {"income", "code", "tenure", "leak"}


def test_exclude_drops_a_column_without_calling_it_protected(card_csv, tmp_path):
    out = train(card_csv, tmp_path, "--bad", "no", "--exclude", "leak").output
    assert "not an input leak: named with --exclude" in out and "held apart" not in out
    card = yaml.safe_load((tmp_path / "card.yaml").read_text())
    assert {f["column"] for f in card["features"]} <= {"income", "code", "tenure"}


def test_validate_uses_the_stored_bad_value_and_warns_below_half(card_csv, tmp_path):
    train(card_csv, tmp_path, "--bad", "no", "--exclude", "leak")
    out = run("validate", str(tmp_path / "card.yaml"), "--data", str(card_csv), "--report", str(tmp_path / "v")).output
    assert "bad = 'no': the value card-learned@1 was trained with" in out and "warning" not in out
    out = run(
        "validate",
        str(tmp_path / "card.yaml"),
        "--data",
        str(card_csv),
        "--bad",
        "yes",
        "--report",
        str(tmp_path / "v"),
    ).output
    assert "is below 0.5" in out


def test_modelling_options_reach_the_card(card_csv, tmp_path):
    dims = tmp_path / "dims.yaml"
    dims.write_text("income: capacity\ntenure: identity\n")
    out = train(
        card_csv, tmp_path, "--bad", "no", "--exclude", "leak", "--categorical", "code",
        "--monotone", "income=up", "--min-bin-size", "0.15", "--class-weight", "balanced",
        "--missing", "lowest", "--dimensions", str(dims),
    ).output  # fmt: skip
    assert (
        "code: categorical (declared)" in out
        and "income: numeric, monotone (bad rate descending), capacity (mapped)" in out
    )
    assert "What a missing value earns:" in out and "(--missing lowest)" in out
    card = yaml.safe_load((tmp_path / "card.yaml").read_text())
    feats = {f["name"]: f for f in card["features"]}
    assert feats["income"]["dimension"] == "capacity"
    if "tenure" in feats:
        assert feats["tenure"]["dimension"] == "identity"
    if "code" in feats:
        assert any("categories" in b for b in feats["code"]["bins"])
    regular = [b["points"] for b in feats["income"]["bins"] if "missing" not in b]
    assert regular == sorted(regular) and len(regular) <= int(1 / 0.15)  # fewer bads as income rises
    missing = next(b["points"] for b in feats["income"]["bins"] if b.get("missing"))
    assert missing == min(regular)
    learned = card["metadata"]["learned"]
    assert learned["options"]["class_weight"] == "balanced" and learned["options"]["min_bin_size"] == 0.15


def test_an_unknown_dimension_or_option_column_is_refused(card_csv, tmp_path):
    dims = tmp_path / "dims.yaml"
    dims.write_text("income: wealth\n")
    result = train(card_csv, tmp_path, "--bad", "no", "--exclude", "leak", "--dimensions", str(dims), ok=False)
    assert "not a dimension" in str(result.exception)
    result = train(card_csv, tmp_path, "--bad", "no", "--exclude", "leak", "--monotone", "nope=up", ok=False)
    assert "not an input" in str(result.exception)


def test_identifier_detection():
    n = 100
    assert id_like(pd.Series(np.arange(n)), "n") is not None  # a row number
    assert id_like(pd.Series([f"c{i}" for i in range(n)]), "customer") is not None
    assert id_like(pd.Series(np.arange(n)), "customer_id") is not None
    assert id_like(pd.Series(np.random.default_rng(0).normal(size=n)), "income") is None
    assert id_like(pd.Series(np.random.default_rng(0).permutation(n)), "score") is None


def test_a_leak_is_refused_in_the_library_too():
    rng = np.random.default_rng(0)
    y = rng.random(300) < 0.3
    d = pd.DataFrame({"x": rng.normal(size=300), "after": y.astype(float), "defaulted": y.astype(int)})
    with pytest.raises(DataError, match="after"):
        prepare(d, "defaulted")
    p = prepare(d, "defaulted", allow_leaky=["after"])
    assert p.leaky_allowed == ("after",)
