"""Every request and response body of the API, with an example each (the OpenAPI document, /docs and /redoc
show them). They import only pydantic and the domain, so ``credence.client`` types its answers with them
without loading the server.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from credence.domain.catalogue import DIMENSIONS

ROLES = ("operator", "provider", "partner", "subject", "auditor")
ID = Field(min_length=1, max_length=200)


def _utc(value: Timestamp) -> datetime:
    """The store keeps naive UTC; the API says so (RFC 3339 with a zone, e.g. 2026-11-26T18:05:39Z)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


Timestamp = Annotated[datetime, AfterValidator(_utc)]
FieldName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
Record = dict[FieldName, Any]  # one submitted record: field names are identifiers, values anything JSON


def example(value: dict) -> ConfigDict:
    """The model's example in the OpenAPI document (``tests/api/test_docs_pages.py`` validates each)."""
    return ConfigDict(json_schema_extra={"examples": [value]})


T = "2026-12-01T09:30:00Z"
REASONS = [
    {"code": "on_time_payment_share", "text": "76% of your instalments and bills paid on time in the last 24 months"},
    {"code": "late_payments_12m", "text": "3 late or overdue payments in the last 12 months"},
]
POINTS = {"credit_history": 125.0, "behaviour": 110.0, "capacity": 55.0, "identity": 40.0, "connections": 20.0}
SCORE = {
    "entity_id": "P0000001",
    "kind": "person",
    "score": 581,
    "band": "fair",
    "as_of": T,
    "scorecard": "person-expert@2",
    "dimensions": POINTS,
    "reasons": REASONS,
}
CLAIMS = {"iss": "credence:demo", "sub": "P0000001", "aud": "citybike", "score": 581, "band": "fair", "jti": "C-55516"}


# The example of every path and query parameter, by name (``credence.api.docs`` puts them in the document).
PARAMETER_EXAMPLES: dict[str, Any] = {
    "entity_id": "P0000001",
    "subject_id": "P0000001",
    "certificate_id": "C-55516",
    "dispute_id": "D-865f4b510e79",
    "grant_id": "G-fe1fd9c00ab4",
    "key_id": "d6b7a80df879",
    "as_of": T,
    "base": "S20261101-8f987f8d",
    "current": "S20261201-cf11d57c",
    "baseline": 600,
    "threshold": 650,
    "direction": "at_least",
    "bucket": 25,
    "features": True,
    "kind": "person",
    "limit": 50,
    "offset": 0,
    "live_only": True,
    "purpose": "bike rental",
    "subscription_id": "WH-3f9c2a7d1e04",
    "event_id": "evt_8e04b8080093488bb5266493bc09424f",
    "outcome": "failed",
    "include_ended": False,
}


class Open(BaseModel):
    """A body that may carry more fields than documented (services add detail over time)."""

    model_config = ConfigDict(extra="allow")


class ErrorBody(BaseModel):
    """Every error, on every route (docs/api.md, Errors)."""

    model_config = example(
        {
            "ok": False,
            "status": 400,
            "code": "invalid",
            "error": "field 'viewer_id' is missing",
            "field": "viewer_id",
            "record": None,
        }
    )
    ok: bool = False
    status: int
    code: str
    error: str
    field: str | None = None
    record: str | None = None
    rule: str | None = None


# ------------------------------------------------------------------------------------------ scores
class Reason(BaseModel):
    model_config = example(REASONS[0])
    code: str
    text: str


class Score(BaseModel):
    model_config = example(SCORE)
    entity_id: str
    kind: str
    score: int | None = Field(description="350-950, or null when there is too little data")
    band: str
    as_of: Timestamp
    scorecard: str
    dimensions: dict[str, float | None] = Field(description="points per dimension: " + ", ".join(DIMENSIONS))
    reasons: list[Reason]
    grant_id: str | None = Field(None, description="the grant a viewer read this under")
    purpose: str | None = None


class Feature(BaseModel):
    feature: str
    dimension: str
    description: str | None = None
    value: float | str | None = None
    points: float | None = None
    max_points: float | None = None
    lost_points: float | None = None
    score_points_lost: float | None = None


FEATURE = {
    "feature": "late_payments_12m",
    "dimension": "credit_history",
    "description": "late or overdue payments in the last 12 months",
    "value": 3,
    "points": 0.0,
    "max_points": 60.0,
    "lost_points": 60.0,
    "score_points_lost": 63.0,
}


class Explanation(Score):
    model_config = example({**SCORE, "features": [FEATURE]})
    features: list[Feature]


class HistoryPoint(BaseModel):
    model_config = example(
        {"as_of": T, "score": 638, "band": "good", "scorecard": "person-expert@2", "snapshot_id": "S20261101-67a1b25c"}
        | {"created_at": T}
    )
    as_of: Timestamp
    score: int | None
    band: str
    scorecard: str
    snapshot_id: str
    created_at: Timestamp


class RunBody(BaseModel):
    model_config = example({"as_of": T})
    as_of: Timestamp | None = None


class SnapshotOut(Open):
    model_config = example(
        {"snapshot_id": "S20261201-cf11d57c", "as_of": T, "engine": "duckdb", "scored": 19874, "insufficient": 126}
        | {"bands": {"poor": 1204, "fair": 6310, "good": 8022, "excellent": 3901, "extraordinary": 437}}
    )
    snapshot_id: str
    as_of: Timestamp
    engine: str
    scored: int
    insufficient: int
    bands: dict[str, int]


# ------------------------------------------------------------------------------------------ paging, ingest
class Page(BaseModel):
    total: int
    limit: int
    offset: int


class IngestReport(Open):
    model_config = example(
        {"batch_id": "events-20261201T093000-66c40f8e", "received": 2, "accepted": 1, "duplicates": 0}
        | {
            "quarantined": 1,
            "sample_reasons": [
                "record 2 (northlend/L-77): field 'type': 'loan_repayed' is not an event type of the catalogue"
            ],
        }
    )
    batch_id: str | None = None
    received: int
    accepted: int
    duplicates: int
    quarantined: int


EVENT_RECORD = {
    "event_id": "L-2026-0042",
    "entity_id": "P0000001",
    "occurred_at": "2026-11-30T14:00:00Z",
    "type": "instalment_paid_on_time",
    "amount": 120.5,
    "days_late": 0,
}


class EventBatch(BaseModel):
    model_config = example({"records": [EVENT_RECORD]})
    records: list[Record] = Field(
        max_length=10_000,
        description="events: event_id, entity_id, occurred_at, type, optional amount and attributes, and "
        "provider_id (taken from a provider's key when absent)",
    )


# ------------------------------------------------------------------------------------------ admin
class Health(BaseModel):
    model_config = example({"ok": True, "workspace": "demo", "schema_version": 5})
    ok: bool
    workspace: str
    schema_version: int


class Ready(BaseModel):
    model_config = example({"ok": True, "store": "open", "current_scores": "the current scores hold for 2026-12-01"})
    ok: bool
    store: str
    current_scores: str


class Me(BaseModel):
    model_config = example({"key_id": "34ccb507098c", "role": "partner", "name": "citybike"})
    key_id: str
    role: str
    name: str


class KeyIn(BaseModel):
    model_config = example({"role": "auditor", "name": "eu-regulator"})
    role: str = Field(description=", ".join(ROLES))
    name: str = ID


class KeyOut(BaseModel):
    model_config = example(
        {"key_id": "d6b7a80df879", "role": "auditor", "name": "eu-regulator", "created_at": T, "revoked_at": None}
    )
    key_id: str
    role: str
    name: str
    created_at: Timestamp
    revoked_at: Timestamp | None = None


class NewKey(BaseModel):
    model_config = example(
        {"key_id": "0922286cf613", "role": "auditor", "name": "eu-regulator"}
        | {"secret": "cred_0922286cf613_jKXIFjy-9bnd-jjxvO5TyMdJLEInh9wW"}
    )
    key_id: str
    role: str
    name: str
    secret: str = Field(description="shown once; store it now")


class Provider(BaseModel):
    model_config = example(
        {"provider_id": "northlend", "name": "Northlend", "categories": ["lending"]} | {"registered_at": T}
    )
    provider_id: str
    name: str
    categories: list[str]
    registered_at: Timestamp


class ProviderBatch(BaseModel):
    model_config = example({"records": [{"provider_id": "northlend", "name": "Northlend", "categories": ["lending"]}]})
    records: list[Record] = Field(max_length=1000, description="provider_id, name, categories")


QUARANTINED = {"batch_id": "events-20261201T093000-66c40f8e", "source": "api", "record_no": 2} | {
    "record_key": "northlend/L-77",
    "field": "type",
    "reason": "field 'type': 'loan_repayed' is not an event type of the catalogue",
    "quarantined_at": T,
}


class QuarantineRow(BaseModel):
    model_config = example(QUARANTINED)
    batch_id: str
    source: str | None = None
    record_no: int | None = None
    record_key: str | None = None
    field: str | None = None
    reason: str
    record: str | None = None
    quarantined_at: Timestamp


class QuarantinePage(Page):
    model_config = example({"total": 1, "limit": 100, "offset": 0, "rows": [QUARANTINED]})
    rows: list[QuarantineRow]


class SigninCodeIn(BaseModel):
    model_config = example({"subject_id": "P0000001", "minutes": 15})
    subject_id: str = ID
    minutes: int = Field(15, ge=1, le=7 * 24 * 60, description="how long the code works; it works once")


class SigninCode(BaseModel):
    model_config = example(
        {"code": "ZD5Q-1RQT-SG0R", "code_id": "1fc8d9df82b6", "subject_id": "P0000001", "expires_at": T}
        | {"link": "https://bureau.example/signin/link?code=ZD5Q-1RQT-SG0R"}
    )
    code: str = Field(description="shown once; give it to the subject (or send the link)")
    code_id: str
    subject_id: str
    expires_at: Timestamp
    link: str = Field(description="the portal's one-time sign-in link for this code")


class SessionsRevoked(BaseModel):
    model_config = example({"role": "subject", "name": "P0000001", "ended": 1})
    role: str
    name: str
    ended: int


# ------------------------------------------------------------------------------------------ entities
ENTITY = {"entity_id": "P0000001", "kind": "person", "display_name": "Ana Ribeiro", "registered_at": T}


class Entity(BaseModel):
    model_config = example(ENTITY)
    entity_id: str
    kind: str
    display_name: str | None = None
    registered_at: Timestamp


class EntityPage(Page):
    model_config = example({"total": 20000, "limit": 50, "offset": 0, "entities": [ENTITY]})
    entities: list[Entity]


class EntityBatch(BaseModel):
    model_config = example({"records": [{"entity_id": "P0000001", "kind": "person", "display_name": "Ana Ribeiro"}]})
    records: list[Record] = Field(max_length=10_000, description="entity_id, kind, display_name, registered_at")


class Event(BaseModel):
    model_config = example(
        {"provider_id": "utilitel", "event_id": "U-9912", "entity_id": "P0000001", "occurred_at": T}
        | {"type": "utility_bill_overdue", "category": "bills", "dimension": "credit_history", "adverse": True}
        | {"amount": 70.0, "days_late": 12, "counts": True, "dispute": None}
    )
    provider_id: str
    event_id: str
    entity_id: str
    occurred_at: Timestamp
    type: str
    category: str
    dimension: str
    adverse: bool
    amount: float | None = None
    days_late: int | None = None
    purchase_category: str | None = None
    rental_asset: str | None = None
    counterparty_id: str | None = None
    supersedes: str | None = None
    counts: bool = Field(description="false while disputed, or once corrected, retracted or past retention")
    dispute: str | None = Field(None, description="latest dispute action on this event, if any")


# ------------------------------------------------------------------------------------------ decisions
class Policy(Open):
    model_config = example(
        {"id": "bike-deposit-free", "partner": "*", "kind": "benefit", "purpose": "bike rental"}
        | {"context": "bike rental", "condition": {"score_at_least": 600}, "condition_text": "score 600+"}
        | {"effect": "deposit-free bike rental"}
    )
    id: str
    partner: str
    kind: str = Field(description="benefit | restriction")
    purpose: str
    context: str
    condition: dict[str, int]
    condition_text: str
    effect: str


class DecisionIn(BaseModel):
    model_config = example({"subject_id": "P0000001", "policy_id": "bike-deposit-free"})
    subject_id: str = ID
    policy_id: str = ID


class Decision(Open):
    model_config = example(
        {"decision_id": "DEC-e2116e59ce4e", "partner_id": "citybike", "subject_id": "P0000001"}
        | {"policy_id": "bike-deposit-free", "purpose": "bike rental", "outcome": "not granted", "score": 581}
        | {"band": "fair", "reasons": REASONS, "adverse": True, "decided_at": T}
        | {"notice": "Adverse-action notice for P0000001: deposit-free bike rental was not granted (score 581 < 600)"}
    )
    decision_id: str
    partner_id: str
    subject_id: str
    policy_id: str
    purpose: str
    outcome: str
    score: int | None = None
    band: str | None = None
    reasons: list[Reason] = []
    notice: str | None = Field(None, description="the adverse-action notice, for a refusal or a restriction")
    adverse: bool = False
    decided_at: Timestamp


# ------------------------------------------------------------------------------------------ grants
class GrantIn(BaseModel):
    model_config = example({"viewer_id": "citybike", "scope": "decisions", "purpose": "bike rental", "until": "30d"})
    viewer_id: str = ID
    scope: str = Field("score", description="score | decisions")
    purpose: str = ID
    until: str = Field("30d", max_length=40, description="a time (ISO 8601) or a duration: 12h, 30d, 2w, 6m, 1y")


class Grant(Open):
    model_config = example(
        {"grant_id": "G-fe1fd9c00ab4", "subject_id": "P0000001", "viewer_id": "citybike", "scope": "decisions"}
        | {"purpose": "bike rental", "granted_at": T, "expires_at": "2026-12-31T09:30:00Z", "status": "live"}
        | {"revoked_at": None}
    )
    grant_id: str
    subject_id: str
    viewer_id: str
    scope: str
    purpose: str
    granted_at: Timestamp
    expires_at: Timestamp
    status: str = Field(description="live | expired | revoked | pending")
    revoked_at: Timestamp | None = None


# ------------------------------------------------------------------------------------------ certificates
class CertifyIn(BaseModel):
    model_config = example({"audience": "citybike", "ttl": "7d"})
    audience: str = ID
    ttl: str = Field("7d", max_length=40, description="how long it is valid: 12h, 7d, 2w ...")


class Certificate(Open):
    model_config = example(
        {"certificate_id": "C-55516", "token": "eyJhbGciOiJFZERTQSIsImtpZCI6Ijh0UTB5dEJn...", "key_id": "8tQ0ytBg"}
        | {"expires_at": "2026-12-08T09:30:00Z", "claims": CLAIMS}
    )
    certificate_id: str
    token: str
    key_id: str
    expires_at: Timestamp
    claims: dict


class CertificateRow(Open):
    model_config = example(
        {"certificate_id": "C-55516", "subject_id": "P0000001", "audience": "citybike", "score": 581, "band": "fair"}
        | {"issued_at": T, "expires_at": "2026-12-08T09:30:00Z", "revoked_at": None}
    )
    certificate_id: str
    subject_id: str
    audience: str
    score: int | None = None
    band: str | None = None
    issued_at: Timestamp
    expires_at: Timestamp
    revoked_at: Timestamp | None = None


class VerifyIn(BaseModel):
    model_config = example({"token": "eyJhbGciOiJFZERTQSIsImtpZCI6Ijh0UTB5dEJn...", "audience": "citybike"})
    token: str = Field(min_length=1, max_length=10_000)
    audience: str | None = Field(None, max_length=200)


class Verification(Open):
    model_config = example({"valid": True, "reason": None, "claims": CLAIMS})
    valid: bool
    reason: str | None = None
    claims: dict | None = None


class Jwks(BaseModel):
    model_config = example(
        {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "lgKcA2p_l0Mpu6wr4gl_QPor1i8y97Ke2FFxfQIVYqg"}]}
        | {"issuer": "credence:demo"}
    )
    keys: list[dict]
    issuer: str | None = None


class Revocations(Open):
    model_config = example({"issuer": "credence:demo", "revoked": [{"jti": "C-55516", "revoked_at": T}]})
    issuer: str
    revoked: list[dict]


# ------------------------------------------------------------------------------------------ disputes
class DisputeIn(BaseModel):
    model_config = example({"provider_id": "utilitel", "event_id": "U-9912", "note": "paid on time, receipt attached"})
    provider_id: str = ID
    event_id: str = ID
    note: str | None = Field(None, max_length=2000)


class AnswerIn(BaseModel):
    model_config = example({"action": "correct", "note": "paid 2 days late, not 12", "correction": {"days_late": 2}})
    action: str = Field(description="confirm | correct | retract")
    note: str | None = Field(None, max_length=2000)
    correction: dict | None = Field(
        None,
        description="for 'correct': the corrected fields (type, occurred_at, "
        "amount, days_late, ...), optionally a new event_id",
    )


class Step(BaseModel):
    action: str
    actor: str
    note: str | None = None
    acted_at: Timestamp


class Dispute(Open):
    model_config = example(
        {"dispute_id": "D-865f4b510e79", "provider_id": "utilitel", "event_id": "U-9912", "entity_id": "P0000001"}
        | {"status": "pending", "opened_at": T, "answer_due": "2026-12-31T09:30:00Z"}
        | {"history": [{"action": "opened", "actor": "P0000001", "note": "paid on time", "acted_at": T}]}
    )
    dispute_id: str
    provider_id: str
    event_id: str
    entity_id: str
    status: str = Field(description="pending | confirmed | corrected | retracted | expired")
    opened_at: Timestamp
    answer_due: Timestamp | None = None
    history: list[Step]


# ------------------------------------------------------------------------------------------ reports
class Access(BaseModel):
    model_config = example(
        {"accessed_at": T, "subject_id": "P0000001", "viewer_id": "citybike", "action": "decision"}
        | {"purpose": "bike rental", "grant_id": "G-fe1fd9c00ab4", "allowed": True, "detail": "DEC-e2116e59ce4e"}
    )
    accessed_at: Timestamp
    subject_id: str
    viewer_id: str
    action: str
    purpose: str | None = None
    grant_id: str | None = None
    allowed: bool
    detail: str | None = None


# ------------------------------------------------------------------------------------------ audit
class Bin(BaseModel):
    low: int
    high: int
    n: int


class BandCount(BaseModel):
    band: str
    n: int


class Distribution(BaseModel):
    model_config = example(
        {"bucket": 25, "histogram": [{"low": 550, "high": 574, "n": 812}, {"low": 575, "high": 599, "n": 934}]}
        | {"bands": [{"band": "fair", "n": 1746}], "scored": 1746, "insufficient": 12}
    )
    bucket: int
    histogram: list[Bin]
    bands: list[BandCount]
    scored: int
    insufficient: int


class Counts(BaseModel):
    n: int
    before: int
    after: int
    gained: int
    lost: int


class BandCounts(Counts):
    band: str


class GroupCounts(Counts):
    attribute: str
    value: str
    rate_before: float | None = None
    rate_after: float | None = None


COUNTS = {"n": 2000, "before": 1200, "after": 1010, "gained": 0, "lost": 190}


class WhatIf(Counts):
    model_config = example(
        COUNTS
        | {"baseline": 600, "threshold": 650, "direction": "at_least", "insufficient": 12}
        | {"by_band": [COUNTS | {"band": "good"}]}
        | {"by_group": [COUNTS | {"attribute": "age_band", "value": "25-34", "rate_before": 0.6, "rate_after": 0.5}]}
    )
    baseline: int
    threshold: int
    direction: str
    insufficient: int
    by_band: list[BandCounts]
    by_group: list[GroupCounts]


class DriftReport(Open):
    """PSI of the score, dimensions and features between two snapshots, and the band migration matrix."""

    model_config = example(
        {"report": "drift", "base": {"snapshot_id": "S20261101-8f987f8d"}, "current": {"snapshot_id": "S20261201-cf11"}}
        | {"thresholds": {"watch": 0.1, "act": 0.25}, "status": "watch", "score": {"psi": 0.14, "status": "watch"}}
        | {"dimensions": [{"dimension": "credit_history", "psi": 0.12, "status": "watch"}], "features": []}
        | {"migration": {"bands": ["fair", "good"], "matrix": [[900, 40], [60, 1000]], "moved_up": 40}}
    )


class FairnessReport(Open):
    """Per protected group: score distribution, approval rate at each cut-off, disparate-impact ratio."""

    model_config = example(
        {"report": "fairness", "basis": "latest score of every entity", "cutoffs": [600], "di_threshold": 0.8}
        | {"attributes": [{"attribute": "age_band", "groups": [{"group": "25-34", "n": 412, "share": 0.21}]}]}
        | {"flags": []}
    )


class Disclosure(Open):
    """Everything held about a subject (docs/subject-rights.md)."""

    model_config = example(
        {"subject_id": "P0000001", "generated_at": T, "entity": ENTITY, "score": SCORE, "events": []}
        | {"score_history": [], "disputes": [], "grants_given": [], "grants_received": [], "decisions": []}
        | {"certificates": [], "access_log": []}
    )


# ------------------------------------------------------------------------------------------ webhooks
WebhookEvent = Literal["score.changed", "grant.revoked", "certificate.revoked", "decision.made", "dispute.deadline"]
WebhookOutcome = Literal["delivered", "retrying", "failed", "withheld"]
SUBSCRIPTION = {
    "subscription_id": "WH-3f9c2a7d1e04",
    "channel": "partner",
    "principal": "citybike",
    "url": "https://citybike.example/hooks/credence",
    "types": ["score.changed", "grant.revoked", "certificate.revoked", "decision.made"],
    "created_at": T,
    "created_by": "operator:ops",
    "ended_at": None,
    "status": "live",
    "delivered": 41,
    "retrying": 1,
    "failed": 0,
    "withheld": 2,
}


class WebhookSubscriptionIn(BaseModel):
    model_config = example(
        {"channel": "partner", "principal": "citybike", "url": "https://citybike.example/hooks/credence"}
    )
    channel: Literal["partner", "subject"] = Field(
        description="partner: events about subjects who granted it; subject: events about that subject"
    )
    principal: str = Field(min_length=1, max_length=200, description="the partner id, or the subject's entity id")
    url: str = Field(min_length=1, max_length=2000, description="the receiver's http(s) URL")
    types: list[WebhookEvent] | None = Field(None, description="event types; default: every type the channel takes")
    secret: str | None = Field(None, min_length=16, max_length=200, description="default: a new random secret")


class WebhookSubscription(BaseModel):
    model_config = example(SUBSCRIPTION)
    subscription_id: str
    channel: str
    principal: str
    url: str
    types: list[str]
    created_at: Timestamp
    created_by: str
    ended_at: Timestamp | None = None
    status: str = Field(description="live | ended")
    delivered: int
    retrying: int = Field(description="attempts that failed and were retried")
    failed: int
    withheld: int = Field(description="events a guardrail kept back (the subject's grant was no longer live)")


class NewWebhookSubscription(WebhookSubscription):
    model_config = example(SUBSCRIPTION | {"secret": "whsec_q0mTq5d3J1bX3Yp8cD2l9Qe6aR4tV7uW1xZ0sB5nK8h"})
    secret: str = Field(description="the signing secret: shown once; store it now")


class WebhookDelivery(BaseModel):
    model_config = example(
        {"subscription_id": "WH-3f9c2a7d1e04", "event_id": "evt_8e04b8080093488bb5266493bc09424f"}
        | {"type": "decision.made", "seq": 1207, "attempt": 2, "outcome": "retrying", "status_code": 503}
        | {"error": "the receiver answered HTTP 503", "attempted_at": T, "next_attempt_at": "2026-12-01T09:30:08Z"}
    )
    subscription_id: str
    event_id: str
    type: str | None
    seq: int
    attempt: int = Field(description="1, 2, ...; 0 for an event a guardrail withheld")
    outcome: WebhookOutcome
    status_code: int | None = Field(description="the receiver's HTTP status; null when none came back")
    error: str | None
    attempted_at: Timestamp
    next_attempt_at: Timestamp | None = Field(description="when the next attempt is due (outcome retrying)")


def score_body(row: dict) -> dict:
    """The API shape of a scoring row (online or stored)."""
    return {
        "entity_id": row["entity_id"],
        "kind": row["kind"],
        "score": row["score"],
        "band": row["band"],
        "as_of": row["as_of"],
        "scorecard": row["scorecard"],
        "dimensions": {d: _num(row.get(f"points_{d}")) for d in DIMENSIONS},
        "reasons": row.get("reasons") or [],
    }


def _num(v: Any) -> float | None:
    return None if v is None else float(v)
