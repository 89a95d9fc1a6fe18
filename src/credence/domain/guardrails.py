"""Guardrail 1: special-category data and protected characteristics are never inputs.

Names are split into words and matched against ``guardrails.yaml``. The rules are data, but the shipped
terms cannot be removed: ``NameRules.with_extra`` only adds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from credence.errors import GuardrailError

RULE_SPECIAL = "1 (no special-category data)"
RULE_PROTECTED = "1 (protected characteristics are never scoring inputs)"

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def words(name: str) -> list[str]:
    """Split ``personal_status_and_sex`` or ``dateOfBirth`` into lower-case words."""
    return [w for w in _NON_WORD.split(_CAMEL.sub(" ", str(name)).lower()) if w]


@dataclass(frozen=True)
class Match:
    rule: str  # RULE_SPECIAL or RULE_PROTECTED
    group: str  # e.g. "health", "age"
    term: str


@dataclass(frozen=True)
class NameRules:
    special: dict[str, tuple[str, ...]]
    protected: dict[str, tuple[str, ...]]

    def match(self, name: str) -> Match | None:
        """The first rule that ``name`` breaks, or None."""
        text = " " + " ".join(words(name)) + " "
        for rule, groups in ((RULE_SPECIAL, self.special), (RULE_PROTECTED, self.protected)):
            for group, terms in groups.items():
                for term in terms:
                    if f" {term} " in text:
                        return Match(rule, group, term)
        return None

    def check(self, name: str, what: str) -> None:
        """Raise GuardrailError if ``name`` (described by ``what``) is special-category or protected."""
        m = self.match(name)
        if m is None:
            return
        kind = "special-category data" if m.rule == RULE_SPECIAL else "a protected characteristic"
        raise GuardrailError(
            m.rule,
            f"{what} '{name}' refers to {kind} ({m.group}, matched '{m.term}')",
            field=str(name),
            fix="remove it; such data may be held apart only to audit fairness, never used to score",
        )

    def with_extra(self, protected: dict[str, list[str]] | None = None) -> NameRules:
        """These rules plus extra protected terms (never fewer)."""
        merged = dict(self.protected)
        for group, terms in (protected or {}).items():
            merged[group] = tuple(merged.get(group, ())) + tuple(" ".join(words(t)) for t in terms)
        return NameRules(self.special, merged)


@lru_cache(maxsize=1)
def default_rules() -> NameRules:
    text = resources.files("credence.domain").joinpath("guardrails.yaml").read_text()
    raw = yaml.safe_load(text)

    def norm(groups: dict) -> dict[str, tuple[str, ...]]:
        return {g: tuple(" ".join(words(t)) for t in terms) for g, terms in groups.items()}

    return NameRules(norm(raw["special_categories"]), norm(raw["protected_characteristics"]))


def check_name(name: str, what: str) -> None:
    default_rules().check(name, what)
