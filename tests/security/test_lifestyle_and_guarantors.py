"""Finding 10 (guardrail 8): no feature filters or weighs events by merchant or purchase category, hour of day or
day of week, in an expert or a learned card, and no learner selects such a column. Finding 3, last point
(guardrail 2): a guarantor's or cosigner's score reached through a policy's wording is refused."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from credence.domain.catalogue import default_catalogue
from credence.domain.policy import parse_policy
from credence.domain.scorecard import load_scorecard, parse_scorecard, scorecard_to_dict
from credence.errors import GuardrailError
from credence.learning.data import prepare


@pytest.fixture(scope="module")
def card() -> dict:
    return scorecard_to_dict(load_scorecard("person-expert"))


def _with_feature(card: dict, **feature) -> dict:
    raw = copy.deepcopy(card)
    base = {
        "name": "extra",
        "dimension": "behaviour",
        "aggregate": "count",
        "where": {"types": ["purchase"]},
        "window_days": 365,
        "bins": [{"max": 1, "points": 0}, {"min": 1, "points": 10}],
    }
    raw["features"].append(base | feature)
    return raw


@pytest.mark.parametrize(
    "feature",
    [
        {"where": {"types": ["purchase"], "purchase_categories": ["games"]}},  # the seed's own example
        {"where": {"types": ["purchase"], "purchase_categories": ["baby"]}},
        {"name": "night_purchases"},
        {"name": "purchasesAfterMidnight"},
        {"name": "weekend_spending_share"},
        {"name": "spend_by_hour_of_day"},
        {"name": "day_of_week_pattern"},
        {"name": "merchant_mix"},
        {"name": "mcc_5816_count"},
        {"name": "videogames_spend"},
        {"name": "achats_nuit"},
    ],
)
def test_an_expert_card_weighing_a_lifestyle_is_refused_with_rule_8(card, feature):
    with pytest.raises(GuardrailError, match="guardrail 8"):
        parse_scorecard(_with_feature(card, **feature), catalogue=default_catalogue())


def test_a_learned_table_card_on_a_lifestyle_column_is_refused_with_rule_8():
    raw = {
        "id": "learned",
        "kinds": ["person"],
        "source": "table",
        "scaling": {"method": "minmax", "min": 350, "max": 950},
        "features": [
            {
                "name": "duration",
                "dimension": "credit_history",
                "bins": [{"max": 12, "points": 0}, {"min": 12, "points": 9}],
            },
            {
                "name": "night_share",
                "dimension": "behaviour",
                "column": "share_of_purchases_at_night",
                "bins": [{"max": 0.5, "points": 0}, {"min": 0.5, "points": 5}],
            },
        ],
    }
    with pytest.raises(GuardrailError, match="guardrail 8"):
        parse_scorecard(raw)


def test_the_shipped_cards_still_load(card):
    assert parse_scorecard(card, catalogue=default_catalogue()).id == "person-expert"


def test_no_learner_selects_a_lifestyle_column():
    n = 120
    df = pd.DataFrame(
        {
            "months_on_book": [i % 40 for i in range(n)],
            "weekend_spend": [i % 7 for i in range(n)],
            "purchase_hour_mean": [i % 24 for i in range(n)],
            "merchant_category_games": [i % 2 for i in range(n)],
            "bad": [int(i % 3 == 0) for i in range(n)],
        }
    )
    prepared = prepare(df, "bad")
    assert list(prepared.X.columns) == ["months_on_book"]
    rules = {e.column: e.rule for e in prepared.excluded}
    assert all(rules[c].startswith("8") for c in ("weekend_spend", "purchase_hour_mean", "merchant_category_games"))


@pytest.mark.parametrize(
    "context",
    [
        "deposit waived when the guarantor's score is 650+",
        "lower limit if the cosigner scores below 550",
        "co-signer score",
        "based on the co-applicant's rating",
        "surety rating",
        "score of the Bürge",
    ],
)
def test_a_policy_reaching_a_guarantors_score_is_refused_with_rule_2(context):
    raw = {
        "id": "p",
        "kind": "benefit",
        "purpose": "car rental",
        "context": context,
        "condition": {"score_at_least": 650},
        "effect": "no deposit",
    }
    with pytest.raises(GuardrailError, match="guardrail 2"):
        parse_policy(raw)
