"""Guardrails 1 and 8 on names: special-category data, protected characteristics and lifestyle judgments.

A name is split into words (:func:`words`: non-letters, camelCase, letter/digit changes; accents dropped), the
harmless phrases of ``guardrails.yaml`` (``neutral``: post code, credit union, the age of an account, ...) are
taken out, and what is left is matched against the terms, in seven languages: a word or a run of words equal
to a term, or a long word that starts or ends with a term of six letters or more (``Kirchensteuer``,
``Gewerkschaftsmitglied``). The rules are data, but the shipped terms cannot be removed:
``NameRules.with_extra`` only adds.

Guardrail 1 (:meth:`NameRules.match`) applies to everything loaded or ingested; guardrail 8
(:meth:`NameRules.match_lifestyle`) to what scores: scorecard features and their filters, and learners' inputs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from credence.domain.files import read_shipped_yaml
from credence.errors import GuardrailError

RULE_SPECIAL = "1 (no special-category data)"
RULE_PROTECTED = "1 (protected characteristics are never scoring inputs)"
RULE_LIFESTYLE = "8 (no lifestyle judgments)"

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_DIGITS = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")
_NON_WORD = re.compile(r"[^a-z0-9]+")
SPLIT_MIN = 6  # a term this long also matches the start or end of a longer word ...
SPLIT_REST = 3  # ... when at least this many letters remain


def _plain(text: str) -> str:
    """Accents and compatibility forms dropped: 'Santé' -> 'Sante', 'ß' -> 'ss'."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(name: str) -> list[str]:
    """Split ``personal_status_and_sex``, ``dateOfBirth`` or ``Religion2`` into lower-case words."""
    text = _CAMEL.sub(" ", _plain(str(name)))
    return [w for w in _NON_WORD.split(_DIGITS.sub(" ", text.lower())) if w]


@dataclass(frozen=True)
class Match:
    rule: str  # RULE_SPECIAL, RULE_PROTECTED or RULE_LIFESTYLE
    group: str  # e.g. "health", "age"
    term: str


@dataclass(frozen=True)
class NameRules:
    special: dict[str, tuple[str, ...]]
    protected: dict[str, tuple[str, ...]]
    lifestyle: dict[str, tuple[str, ...]] = None  # type: ignore[assignment]
    neutral: tuple[str, ...] = ()
    allow_words: frozenset[str] = frozenset()

    def match(self, name: str) -> Match | None:
        """The first guardrail-1 rule that ``name`` breaks, or None."""
        return self._first(name, ((RULE_SPECIAL, self.special), (RULE_PROTECTED, self.protected)))

    def match_lifestyle(self, name: str) -> Match | None:
        """The guardrail-8 rule that ``name`` breaks (what is bought, or when), or None."""
        return self._first(name, ((RULE_LIFESTYLE, self.lifestyle or {}),))

    def _first(self, name: str, rules) -> Match | None:
        ws = self._words(name)
        if not ws:
            return None
        text = " " + " ".join(ws) + " "
        for rule, groups in rules:
            for group, terms in groups.items():
                for term in terms:
                    if f" {term} " in text or (
                        " " not in term and len(term) >= SPLIT_MIN and any(self._splits(w, term) for w in ws)
                    ):
                        return Match(rule, group, term)
        return None

    def _words(self, name: str) -> list[str]:
        text = " ".join(words(name))
        if self.neutral:
            text = _neutral_pattern(self.neutral).sub(" ", f" {text} ")
        return text.split()

    def _splits(self, word: str, term: str) -> bool:
        if len(word) - len(term) < SPLIT_REST or word in self.allow_words:
            return False
        return word.startswith(term) or word.endswith(term)

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

    def check_lifestyle(self, name: str, what: str) -> None:
        """Raise GuardrailError (rule 8) if ``name`` weighs what people buy, or at what hour or day."""
        m = self.match_lifestyle(name)
        if m is None:
            return
        raise GuardrailError(
            m.rule,
            f"{what} '{name}' judges a lifestyle ({m.group}, matched '{m.term}'): Credence scores how obligations "
            "are met, not what people buy or when",
            field=str(name),
            fix="remove it; purchase categories, merchants and times of day or week serve disclosure and disputes only",
        )

    def with_extra(self, protected: dict[str, list[str]] | None = None) -> NameRules:
        """These rules plus extra protected terms (never fewer)."""
        merged = dict(self.protected)
        for group, terms in (protected or {}).items():
            merged[group] = tuple(merged.get(group, ())) + tuple(" ".join(words(t)) for t in terms)
        return NameRules(self.special, merged, self.lifestyle, self.neutral, self.allow_words)


@lru_cache(maxsize=8)
def _neutral_pattern(phrases: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(f"(?<= ){p}(?= )" for p in phrases))


@lru_cache(maxsize=1)
def default_rules() -> NameRules:
    raw = read_shipped_yaml("credence.domain", "guardrails.yaml")

    def norm(groups: dict) -> dict[str, tuple[str, ...]]:
        return {g: tuple(" ".join(words(t)) for t in terms) for g, terms in groups.items()}

    return NameRules(
        norm(raw["special_categories"]),
        norm(raw["protected_characteristics"]),
        norm(raw.get("lifestyle") or {}),
        tuple(raw.get("neutral") or ()),
        frozenset(raw.get("allow_words") or ()),
    )


def check_name(name: str, what: str) -> None:
    default_rules().check(name, what)


def check_lifestyle(name: str, what: str) -> None:
    default_rules().check_lifestyle(name, what)
