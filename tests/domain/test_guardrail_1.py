"""Guardrail 1: special categories and protected characteristics are refused when loaded."""

import copy

import pytest
import yaml

from credence.domain.catalogue import default_catalogue, load_catalogue, parse_catalogue
from credence.domain.guardrails import RULE_PROTECTED, RULE_SPECIAL, default_rules
from credence.domain.scorecard import load_scorecard, parse_scorecard, scorecard_to_dict
from credence.errors import ConfigError, GuardrailError

SHIPPED = yaml.safe_load(
    __import__("importlib.resources").resources.files("credence.domain").joinpath("catalogue.yaml").read_text()
)


@pytest.mark.parametrize(
    "name,rule",
    [
        ("religion", RULE_SPECIAL),
        ("ethnic_origin", RULE_SPECIAL),
        ("trade_union_member", RULE_SPECIAL),
        ("healthRecord", RULE_SPECIAL),
        ("biometric_hash", RULE_SPECIAL),
        ("sexual_orientation", RULE_SPECIAL),
        ("political_party_membership", RULE_SPECIAL),
        ("social_media_posts", RULE_SPECIAL),
        ("gender", RULE_PROTECTED),
        ("marital_status", RULE_PROTECTED),
        ("date_of_birth", RULE_PROTECTED),
        ("age_in_years", RULE_PROTECTED),
        ("citizenship", RULE_PROTECTED),
        ("foreign_worker", RULE_PROTECTED),
        ("personal_status_and_sex", RULE_PROTECTED),
    ],
)
def test_names_that_break_the_rule_are_caught(name, rule):
    m = default_rules().match(name)
    assert m is not None and m.rule == rule


@pytest.mark.parametrize(
    "name",
    [
        "duration_in_month",
        "page_views",
        "mileage",
        "usage",
        "purpose",
        "rent_overdue",
        "credit_amount",
        "sexton_street",
        "passage",
    ],
)
def test_ordinary_names_pass(name):
    assert default_rules().match(name) is None


def test_shipped_catalogue_loads_and_covers_the_spec():
    cat = default_catalogue()
    assert {
        "lending",
        "bills",
        "rentals",
        "commerce",
        "public_records",
        "identity",
        "capacity",
        "connections",
        "business",
    } <= set(cat.categories)
    assert {t.dimension for t in cat.types.values()} == {
        "credit_history",
        "behaviour",
        "capacity",
        "identity",
        "connections",
    }


@pytest.mark.parametrize(
    "mutate,needle",
    [
        (
            lambda c: c["categories"]["commerce"].update({"religious_donation": {"dimension": "behaviour"}}),
            "religious_donation",
        ),
        (lambda c: c["categories"].update({"health": {"clinic_visit": {"dimension": "behaviour"}}}), "health"),
        (lambda c: c["attributes"].update({"ethnicity": {"type": "text"}}), "ethnicity"),
        (lambda c: c["attributes"]["purchase_category"]["values"].append("pregnancy_tests"), "pregnancy_tests"),
        (lambda c: c["categories"]["commerce"].update({"purchase_by_gender": {"dimension": "behaviour"}}), "gender"),
    ],
)
def test_catalogue_with_special_category_is_refused(mutate, needle, tmp_path):
    raw = copy.deepcopy(SHIPPED)
    mutate(raw)
    path = tmp_path / "cat.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(GuardrailError) as e:
        load_catalogue(path)
    assert "refused by guardrail 1" in str(e.value)
    assert needle in str(e.value)


def card_dict():
    return scorecard_to_dict(load_scorecard("person-expert"))


def test_scorecard_feature_on_protected_characteristic_is_refused():
    raw = card_dict()
    raw["features"][0]["name"] = "age_band_share"
    with pytest.raises(GuardrailError, match="guardrail 1.*age_band_share.*protected"):
        parse_scorecard(raw)


def test_table_scorecard_column_on_special_category_is_refused():
    raw = {
        "id": "t",
        "source": "table",
        "scaling": {"method": "sum"},
        "features": [
            {
                "name": "x",
                "column": "religion",
                "dimension": "behaviour",
                "bins": [{"categories": ["a"], "points": 1}, {"other": True, "points": 0}],
            }
        ],
    }
    with pytest.raises(GuardrailError, match="religion"):
        parse_scorecard(raw)


def test_scorecard_filter_on_sensitive_purchase_category_is_refused():
    raw = card_dict()
    raw["features"][0]["numerator"] = {"purchase_categories": ["medical_supplies"]}
    with pytest.raises(GuardrailError, match="medical_supplies"):
        parse_scorecard(raw)


def test_scorecard_bins_must_cover_every_value():
    raw = card_dict()
    raw["features"][1]["bins"] = [{"max": 1, "points": 70}, {"min": 2, "points": 0}]
    with pytest.raises(ConfigError, match="gap or overlap"):
        parse_scorecard(raw)


def test_scorecard_unknown_event_type_is_refused():
    raw = card_dict()
    raw["features"][1]["where"] = {"types": ["late_night_shopping"]}
    with pytest.raises(ConfigError, match="late_night_shopping.*not in the catalogue"):
        parse_scorecard(raw)


def test_round_trip_of_a_scorecard():
    card = load_scorecard("person-expert")
    assert parse_scorecard(scorecard_to_dict(card)) == card


def test_shipped_cards_use_all_five_dimensions():
    for name in ("person-expert", "business-expert"):
        assert load_scorecard(name).dimensions_used() == {
            "credit_history",
            "behaviour",
            "capacity",
            "identity",
            "connections",
        }


def test_parse_catalogue_requires_categories():
    with pytest.raises(ConfigError):
        parse_catalogue({"version": 1})
