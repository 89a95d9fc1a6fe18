"""Policies: a partner's benefit or restriction, with a purpose, a context and a score condition.

A policy pack is YAML (see ``credence/policies/default.yaml``). Loading refuses, naming the rule:

- guardrail 2: a condition on anyone but the subject (relatives, friends, employer, another entity's
  score or data, an ``entity_id``) -- only the subject bears its score;
- guardrail 3: any policy in an essential-service context (public transport, education, employment,
  housing of last resort, healthcare, public services), and a ban or exclusion in any context --
  restrictions are proportionate (a deposit, a lower limit);
- guardrail 1: special-category data or a protected characteristic anywhere in the policy.

A condition is exactly one of ``score_at_least: N`` (benefits) or ``score_below: N`` (restrictions).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from credence.domain.bands import MAX_SCORE, MIN_SCORE
from credence.domain.files import read_shipped_yaml, read_yaml
from credence.domain.guardrails import check_name, words
from credence.errors import ConfigError, GuardrailError, NotFoundError

RULE_SUBJECT_ONLY = "2 (only the subject bears its score)"
RULE_ESSENTIAL = "3 (no score for essential services)"
RULE_PROPORTIONATE = "3 (restrictions are proportionate, never bans)"

KINDS = ("benefit", "restriction")
CONDITIONS = {"benefit": "score_at_least", "restriction": "score_below"}
FIELDS = ("id", "partner", "kind", "purpose", "context", "condition", "effect", "description")
ANY_PARTNER = "*"

# Outcomes of a decision. "adverse" ones carry an adverse-action notice.
GRANTED = "granted"
NOT_GRANTED = "not granted"
RESTRICTED = "restricted"
NOT_RESTRICTED = "not restricted"
NO_DECISION = "no decision: insufficient data"
ADVERSE_OUTCOMES = (NOT_GRANTED, RESTRICTED)

# Guardrail 2: words that point a policy at someone other than the subject.
OTHER_ENTITY_TERMS = (
    "relative",
    "relatives",
    "family",
    "families",
    "household",
    "parent",
    "parents",
    "mother",
    "father",
    "child",
    "children",
    "son",
    "daughter",
    "sibling",
    "siblings",
    "brother",
    "sister",
    "spouse",
    "partner of",
    "husband",
    "wife",
    "friend",
    "friends",
    "contact",
    "contacts",
    "follower",
    "followers",
    "neighbour",
    "neighbours",
    "neighbor",
    "neighbors",
    "colleague",
    "colleagues",
    "employer",
    "employers",
    "employee",
    "employees",
    "associate",
    "associates",
    "acquaintance",
    "acquaintances",
    "connection of",
    "vouchee",
    "vouchees",
    "voucher of",
    "other entity",
    "another entity",
    "other entities",
    "third party",
    "entity id",
    "entity",
    "subject id",
    "counterparty",
    "counterparty id",
    # a guarantor's or cosigner's score is another entity's score (guardrail 2)
    "guarantor",
    "guarantors",
    "guarantee giver",
    "cosigner",
    "cosigners",
    "co signer",
    "co signers",
    "cosignatory",
    "co signatory",
    "co applicant",
    "co applicants",
    "coapplicant",
    "joint applicant",
    "surety",
    "sureties",
    "backer",
    "sponsor",
    "referee",
    "buerge",
    "burge",
    "garant",
    "fiador",
    "avalista",
    "garante",
    "fideiussore",
    "danbaoren",
)
# Guardrail 3: essential-service contexts, where no score may decide access.
ESSENTIAL_TERMS = {
    "public transport": (
        "public transport",
        "public transit",
        "train",
        "trains",
        "rail",
        "railway",
        "high speed rail",
        "bus",
        "buses",
        "metro",
        "subway",
        "tram",
        "trams",
        "commuter",
    ),
    "education": (
        "education",
        "school",
        "schools",
        "schooling",
        "university",
        "universities",
        "college",
        "tuition",
        "enrolment",
        "enrollment",
        "admission to study",
        "kindergarten",
        "student place",
    ),
    "employment": (
        "employment",
        "job",
        "jobs",
        "hiring",
        "recruitment",
        "recruiting",
        "job application",
        "promotion at work",
        "work permit",
    ),
    "housing of last resort": (
        "social housing",
        "public housing",
        "shelter",
        "shelters",
        "emergency housing",
        "homeless",
        "homelessness",
        "council housing",
        "housing of last resort",
    ),
    "healthcare": (
        "healthcare",
        "health care",
        "hospital",
        "hospitals",
        "clinic",
        "clinics",
        "medical",
        "medicine",
        "doctor",
        "doctors",
        "medical treatment",
        "pharmacy",
        "ambulance",
        "care home",
    ),
    "public services": (
        "public service",
        "public services",
        "government",
        "civil service",
        "social security",
        "welfare",
        "state pension",
        "pension payments",
        "unemployment benefit",
        "court access",
        "legal aid",
        "police",
        "identity card",
        "civil registration",
        "water supply",
        "emergency services",
    ),
}
# Guardrail 3: a restriction is a deposit or a lower limit, never a ban or an exclusion.
BAN_TERMS = (
    "ban",
    "bans",
    "banned",
    "banning",
    "barred",
    "bar from",
    "blacklist",
    "blacklisted",
    "blocklist",
    "blocked",
    "block access",
    "prohibit",
    "prohibited",
    "forbid",
    "forbidden",
    "exclude",
    "excluded",
    "exclusion",
    "expel",
    "expelled",
    "deny access",
    "denied access",
    "access denied",
    "deny entry",
    "denied entry",
    "refuse entry",
    "refused entry",
    "denied boarding",
    "refused boarding",
    "no access",
    "not allowed",
    "suspend access",
    "lifetime",
    "permanent",
    "permanently",
)


def _phrase_in(text_words: list[str], terms) -> str | None:
    text = " " + " ".join(text_words) + " "
    for term in terms:
        if f" {' '.join(words(term))} " in text:
            return term
    return None


@dataclass(frozen=True)
class Policy:
    """One benefit or restriction. ``threshold`` is the score in its condition."""

    id: str
    partner: str
    kind: str  # benefit | restriction
    purpose: str
    context: str
    threshold: int
    effect: str
    description: str = ""

    @property
    def condition(self) -> dict[str, int]:
        return {CONDITIONS[self.kind]: self.threshold}

    @property
    def condition_text(self) -> str:
        return f"score {self.threshold}+" if self.kind == "benefit" else f"score below {self.threshold}"

    def applies_to_partner(self, partner_id: str) -> bool:
        return self.partner in (ANY_PARTNER, partner_id)

    def outcome(self, score: int | None) -> str:
        """The decision for a score; None (insufficient data) is never a refusal."""
        if score is None:
            return NO_DECISION
        if self.kind == "benefit":
            return GRANTED if score >= self.threshold else NOT_GRANTED
        return RESTRICTED if score < self.threshold else NOT_RESTRICTED

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "partner": self.partner,
            "kind": self.kind,
            "purpose": self.purpose,
            "context": self.context,
            "condition": self.condition,
            "condition_text": self.condition_text,
            "effect": self.effect,
            "description": self.description,
        }


@dataclass(frozen=True)
class PolicyPack:
    version: int
    policies: tuple[Policy, ...]
    source: str = "policies"

    def get(self, policy_id: str) -> Policy:
        for p in self.policies:
            if p.id == policy_id:
                return p
        raise NotFoundError(
            f"no policy '{policy_id}' in {self.source}",
            field="policy_id",
            fix=f"use one of {', '.join(p.id for p in self.policies)} (credence policies lists them)",
        )

    def ids(self) -> list[str]:
        return [p.id for p in self.policies]


# ------------------------------------------------------------------------------------------ guardrails
def _strings(value, path: str = "") -> list[tuple[str, str]]:
    """Every (where, text) in a nested mapping: keys and string values alike."""
    out: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            here = f"{path}.{k}" if path else str(k)
            out.append((here, str(k)))
            out.extend(_strings(v, here))
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            out.extend(_strings(v, f"{path}[{i}]"))
    elif isinstance(value, str):
        out.append((path, value))
    return out


def check_subject_only(raw: dict, where: str) -> None:
    """Guardrail 2: nothing in the policy may point at another entity."""
    for key in ("subject", "applies_to", "of", "entity_id", "about"):
        if key in raw and str(raw[key]).strip().lower() not in ("subject", "self", "the subject"):
            raise GuardrailError(
                RULE_SUBJECT_ONLY,
                f"{where} names '{raw[key]}' in '{key}': a policy may only look at the subject's own score",
                field=key,
                fix="remove it; a policy decides on the subject's own score only",
            )
    skip = {"description"}
    for path, text in _strings({k: v for k, v in raw.items() if k not in skip}):
        term = _phrase_in(words(text), OTHER_ENTITY_TERMS)
        if term is not None:
            raise GuardrailError(
                RULE_SUBJECT_ONLY,
                f"{where} refers to another entity ('{term}' in {path}): no sanction or benefit may depend on "
                "relatives, friends, employers or anyone but the subject",
                field=path,
                fix="condition only on the subject's own score (score_at_least / score_below)",
            )


def essential_service(text: str) -> tuple[str, str] | None:
    """(service, matched term) when ``text`` is about an essential service (guardrail 3), else None."""
    ws = words(text)
    for service, terms in ESSENTIAL_TERMS.items():
        term = _phrase_in(ws, terms)
        if term is not None:
            return service, term
    return None


def check_essential(raw: dict, where: str) -> None:
    """Guardrail 3: no policy in an essential-service context; no bans anywhere."""
    fields = {k: raw.get(k) for k in ("id", "purpose", "context", "effect", "partner")}
    for key, value in fields.items():
        if not isinstance(value, str):
            continue
        ws = words(value)
        for service, terms in ESSENTIAL_TERMS.items():
            term = _phrase_in(ws, terms)
            if term is not None:
                raise GuardrailError(
                    RULE_ESSENTIAL,
                    f"{where} is about {service} ('{term}' in {key}): a score may not deny, restrict or ration "
                    "access to public transport, education, employment, housing of last resort, healthcare or "
                    "public services",
                    field=key,
                    fix="remove the policy; essential services are never conditioned on a score",
                )
    for key in ("effect", "id", "context", "purpose"):
        value = raw.get(key)
        if not isinstance(value, str):
            continue
        term = _phrase_in(words(value), BAN_TERMS)
        if term is not None:
            raise GuardrailError(
                RULE_PROPORTIONATE,
                f"{where} is a ban or exclusion ('{term}' in {key}): a restriction must be proportionate",
                field=key,
                fix="use a proportionate restriction such as a deposit or a lower limit",
            )


def check_special(raw: dict, where: str) -> None:
    """Guardrail 1: no special category or protected characteristic anywhere in the policy."""
    for path, text in _strings({k: v for k, v in raw.items() if k != "description"}):
        check_name(text, f"{where} {path}")


# ------------------------------------------------------------------------------------------ parsing
def parse_policy(raw: dict, source: str = "policy") -> Policy:
    """Validate one policy mapping; guardrails first (2, 3, 1), then its shape."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: a policy must be a mapping")
    where = f"{source}: policy '{raw.get('id', '?')}'"
    check_subject_only(raw, where)
    check_essential(raw, where)
    check_special(raw, where)
    for key in raw:
        if key not in FIELDS:
            raise ConfigError(f"{where}: unknown field '{key}'", field=key, fix=f"use {', '.join(FIELDS)}")
    for key in ("id", "kind", "purpose", "context", "condition", "effect"):
        if not raw.get(key):
            raise ConfigError(f"{where}: missing '{key}'", field=key)
    kind = raw["kind"]
    if kind not in KINDS:
        raise ConfigError(f"{where}: kind '{kind}' unknown", field="kind", fix="use benefit or restriction")
    cond = raw["condition"]
    expected = CONDITIONS[kind]
    if not isinstance(cond, dict) or list(cond) != [expected]:
        raise ConfigError(
            f"{where}: a {kind} needs the condition {{{expected}: N}}, got {cond!r}",
            field="condition",
            fix=f"a benefit uses score_at_least, a restriction score_below, each with one score in {MIN_SCORE}-{MAX_SCORE}",
        )
    threshold = cond[expected]
    if not isinstance(threshold, int) or isinstance(threshold, bool) or not MIN_SCORE < threshold <= MAX_SCORE:
        raise ConfigError(
            f"{where}: {expected} must be a whole score above {MIN_SCORE} and at most {MAX_SCORE}, got {threshold!r}",
            field=f"condition.{expected}",
        )
    return Policy(
        id=str(raw["id"]),
        partner=str(raw.get("partner", ANY_PARTNER)),
        kind=kind,
        purpose=str(raw["purpose"]).strip(),
        context=str(raw["context"]).strip(),
        threshold=threshold,
        effect=str(raw["effect"]).strip(),
        description=str(raw.get("description") or ""),
    )


def parse_policies(raw: dict, source: str = "policies") -> PolicyPack:
    if not isinstance(raw, dict) or not isinstance(raw.get("policies"), list):
        raise ConfigError(f"{source}: a policy pack needs 'version' and a list 'policies'", field="policies")
    version = raw.get("version", 1)
    if not isinstance(version, int):
        raise ConfigError(f"{source}: 'version' must be an integer", field="version")
    policies: list[Policy] = []
    for i, praw in enumerate(raw["policies"]):
        p = parse_policy(praw, f"{source} #{i + 1}")
        if any(q.id == p.id for q in policies):
            raise ConfigError(f"{source}: policy '{p.id}' is defined twice", field="id")
        policies.append(p)
    if not policies:
        raise ConfigError(f"{source}: the pack has no policies", field="policies")
    return PolicyPack(version, tuple(policies), source)


def load_policies(path: str | Path | None = None) -> PolicyPack:
    """Load a policy pack from a YAML file, or the shipped default pack."""
    if path is None:
        return default_policies()
    return parse_policies(read_yaml(path, "policy pack", fix="fix the 'policies' path in credence.yaml"), str(path))


@lru_cache(maxsize=1)
def default_policies() -> PolicyPack:
    return parse_policies(read_shipped_yaml("credence.policies", "default.yaml"), "shipped policy pack")
