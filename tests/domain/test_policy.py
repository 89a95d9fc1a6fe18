"""Policies: the shipped Sesame-style pack, and guardrails 1-3 refusing bad policies at load."""

from __future__ import annotations

import pytest
import yaml

from credence.domain.policy import (
    GRANTED,
    NO_DECISION,
    NOT_GRANTED,
    NOT_RESTRICTED,
    RESTRICTED,
    default_policies,
    load_policies,
    parse_policies,
    parse_policy,
)
from credence.errors import ConfigError, GuardrailError, NotFoundError


def base(**over) -> dict:
    p = {
        "id": "p",
        "partner": "*",
        "kind": "restriction",
        "purpose": "bike rental",
        "context": "bike rental",
        "condition": {"score_below": 550},
        "effect": "deposit required",
    }
    p.update(over)
    return p


def test_default_pack_has_the_sesame_thresholds():
    pack = default_policies()
    got = {p.id: (p.kind, p.threshold) for p in pack.policies}
    assert got == {
        "bike-deposit-free": ("benefit", 600),
        "hotel-deposit-free": ("benefit", 600),
        "rental-housing-deposit-free": ("benefit", 650),
        "car-rental-deposit-free": ("benefit", 650),
        "shopping-discount": ("benefit", 700),
        "visa-fast-track": ("benefit", 700),
        "travel-upgrade": ("benefit", 750),
        "rental-deposit-required": ("restriction", 550),
        "credit-line-declined": ("restriction", 500),
    }


def test_outcomes_follow_the_condition_and_missing_data_is_never_a_refusal():
    pack = default_policies()
    bike, deposit = pack.get("bike-deposit-free"), pack.get("rental-deposit-required")
    assert (bike.outcome(600), bike.outcome(599), bike.outcome(None)) == (GRANTED, NOT_GRANTED, NO_DECISION)
    assert (deposit.outcome(549), deposit.outcome(550), deposit.outcome(None)) == (
        RESTRICTED,
        NOT_RESTRICTED,
        NO_DECISION,
    )


def test_unknown_policy_is_not_found_with_the_list():
    with pytest.raises(NotFoundError, match="no policy 'nope'.*bike-deposit-free"):
        default_policies().get("nope")


@pytest.mark.parametrize(
    "policy,term",
    [
        (base(condition={"relatives_score_below": 500}), "relatives"),
        (base(condition={"score_below": 550, "entity_id": "P2"}), "entity id"),
        (base(id="employer-check", condition={"employer_score_below": 500}), "employer"),
        (base(effect="deposit required when a friend scores below 500"), "friend"),
        (base(subject="P7"), None),
        (base(context="children of low scorers"), "children"),
    ],
)
def test_guardrail_2_policy_on_another_entity_is_refused(policy, term):
    with pytest.raises(GuardrailError) as e:
        parse_policy(policy, "pack")
    assert e.value.rule.startswith("2")
    assert str(e.value).startswith("refused by guardrail 2")
    if term:
        assert f"'{term}'" in str(e.value)


@pytest.mark.parametrize(
    "policy,service",
    [
        (base(context="high speed rail", effect="deposit required for train tickets"), "public transport"),
        (base(kind="restriction", context="public transport", effect="surcharge on bus fares"), "public transport"),
        (base(context="university admission", purpose="enrolment"), "education"),
        (base(context="job applications", purpose="hiring"), "employment"),
        (base(context="social housing", purpose="tenancy"), "housing of last resort"),
        (base(context="hospital admission", purpose="treatment booking"), "healthcare"),
        (base(context="government services", purpose="permits"), "public services"),
        (
            base(kind="benefit", condition={"score_at_least": 700}, context="school", effect="priority place"),
            "education",
        ),
    ],
)
def test_guardrail_3_no_score_for_essential_services(policy, service):
    with pytest.raises(GuardrailError, match=rf"refused by guardrail 3 .*is about {service}") as e:
        parse_policy(policy, "pack")
    assert "essential" in e.value.rule


@pytest.mark.parametrize(
    "effect",
    ["banned from all hotels", "blacklisted", "denied access to the shop", "permanently excluded from rentals"],
)
def test_guardrail_3_restrictions_are_proportionate_never_bans(effect):
    with pytest.raises(GuardrailError, match="refused by guardrail 3 .*ban or exclusion") as e:
        parse_policy(base(effect=effect), "pack")
    assert "proportionate" in e.value.rule
    assert "deposit" in (e.value.fix or "")


@pytest.mark.parametrize(
    "policy,group",
    [
        (base(condition={"score_below": 550}, purpose="under age discount"), "age"),
        (base(condition={"nationality": "foreign", "score_below": 550}), "national origin"),
        (base(context="bike rental for married couples"), "marital status"),
        (base(effect="deposit required unless religious exemption"), "religious"),
        (base(id="gender-surcharge"), "sex or gender"),
    ],
)
def test_guardrail_1_special_categories_and_protected_characteristics_are_refused(policy, group):
    with pytest.raises(GuardrailError, match=rf"refused by guardrail 1 .*\({group}"):
        parse_policy(policy, "pack")


def test_a_pack_with_one_bad_policy_is_refused_whole_naming_the_rule(tmp_path):
    pack = {"version": 1, "policies": [base(id="ok"), base(id="bad", condition={"family_score_below": 500})]}
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump(pack))
    with pytest.raises(GuardrailError, match=r"refused by guardrail 2.*pack.yaml #2: policy 'bad'"):
        load_policies(path)


@pytest.mark.parametrize(
    "policy,field",
    [
        (base(kind="benefit"), "condition"),  # a benefit needs score_at_least
        (base(condition={"score_below": 2000}), "condition.score_below"),
        (base(kind="sanction"), "kind"),
        (base(colour="red"), "colour"),
    ],
)
def test_malformed_policies_say_what_and_where(policy, field):
    with pytest.raises(ConfigError) as e:
        parse_policies({"version": 1, "policies": [policy]}, "pack")
    assert e.value.field == field
