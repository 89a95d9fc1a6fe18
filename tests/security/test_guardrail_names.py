"""Finding 3: guardrail 1 on names is token-based and multilingual. The corpus in ``corpus/`` holds names that
must be refused (disguised, abbreviated, foreign, camelCase, prefixed and suffixed) and harmless look-alikes
that must pass; both are checked where names are loaded: the catalogue, scorecard features and ingest."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from credence.domain.catalogue import load_catalogue
from credence.domain.guardrails import RULE_PROTECTED, RULE_SPECIAL, default_rules
from credence.errors import GuardrailError

CORPUS = Path(__file__).parent / "corpus"


def names(file: str) -> list[str]:
    lines = (CORPUS / file).read_text(encoding="utf-8").splitlines()
    return [s.strip() for s in lines if s.strip() and not s.startswith("#")]


REFUSED, HARMLESS = names("refused.txt"), names("harmless.txt")


def test_the_corpus_is_large_enough():
    assert len(set(REFUSED)) >= 150 and len(set(HARMLESS)) >= 60


def test_every_refused_name_is_refused():
    rules = default_rules()
    passed = [n for n in REFUSED if rules.match(n) is None]
    assert not passed, f"{len(passed)} special-category or protected names pass: {passed}"


def test_every_harmless_look_alike_passes():
    rules = default_rules()
    refused = {n: rules.match(n) for n in HARMLESS if rules.match(n) is not None}
    assert not refused, f"{len(refused)} harmless names refused: {refused}"


@pytest.mark.parametrize(
    "name,rule,group",
    [
        ("female", RULE_PROTECTED, "sex or gender"),
        ("is_female", RULE_PROTECTED, "sex or gender"),
        ("clinic_visits", RULE_SPECIAL, "health"),
        ("union_dues", RULE_SPECIAL, "trade-union membership"),
        ("tithe_amount", RULE_SPECIAL, "religious or philosophical beliefs"),
        ("Staatsangehörigkeit", RULE_PROTECTED, "national origin or citizenship"),
    ],
)
def test_a_refusal_names_the_rule_and_the_group(name, rule, group):
    m = default_rules().match(name)
    assert (m.rule, m.group) == (rule, group)


def _catalogue_with_attribute(tmp_path, attribute: str) -> Path:
    text = (Path(__import__("credence.domain", fromlist=["x"]).__file__).parent / "catalogue.yaml").read_text()
    raw = yaml.safe_load(text)
    raw["attributes"][attribute] = {"type": "number", "description": "test"}
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


@pytest.mark.parametrize("name", REFUSED[::12] + ["clinic_visits", "union_dues", "religious_giving", "is_female"])
def test_a_catalogue_attribute_named_so_is_refused_when_loaded(tmp_path, name):
    with pytest.raises(GuardrailError, match="guardrail 1"):
        load_catalogue(_catalogue_with_attribute(tmp_path, name))


@pytest.mark.parametrize("name", HARMLESS[::8] + ["post_code", "credit_union_member", "foreign_currency_loan"])
def test_a_catalogue_attribute_with_a_harmless_name_loads(tmp_path, name):
    assert name in load_catalogue(_catalogue_with_attribute(tmp_path, name)).attributes


def test_ingest_never_stores_the_value_of_a_refused_or_unknown_column(ws):
    from credence.services.ingest import ingest_records

    record = {
        "provider_id": "bank",
        "event_id": "q1",
        "entity_id": "P1",
        "occurred_at": "2024-01-01",
        "type": "loan_opened",
    }
    for column, value in (("religion", "catholic"), ("clinicVisits", "oncology 4x"), ("unknown_note", "HIV+")):
        r = ingest_records(
            ws.store, [record | {column: value, "event_id": f"q-{column}"}], kind="events", catalogue=ws.catalogue
        )
        assert r.quarantined == 1
    rows = ws.store.query("SELECT field, reason, record FROM quarantine")
    assert {r["field"] for r in rows} >= {"religion", "clinicVisits", "unknown_note"}
    for r in rows:
        for secret in ("catholic", "oncology", "HIV"):
            assert secret not in (r["record"] or "") and secret not in r["reason"], r
