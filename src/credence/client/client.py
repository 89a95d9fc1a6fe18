"""``Client``: one method per route of the HTTP API (docs/api.md), answers typed with the API's own models.

    from credence.client import Client

    with Client("https://bureau.example", key="cred_...") as bureau:
        score = bureau.score("P0000001", purpose="bike rental")
        print(score.score, score.band)

Lists that page (entities, an entity's events, quarantine) also have an ``iter_...`` method that walks every
page. Errors are raised as ``credence.errors.CredenceError`` subclasses; 429 and 503 answers are retried
(``credence.client.transport``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from credence.api.models import (
    Access,
    Certificate,
    CertificateRow,
    Decision,
    Disclosure,
    Dispute,
    Distribution,
    DriftReport,
    Entity,
    EntityPage,
    Event,
    Explanation,
    FairnessReport,
    Grant,
    Health,
    HistoryPoint,
    IngestReport,
    Jwks,
    KeyOut,
    Me,
    NewKey,
    NewWebhookSubscription,
    Policy,
    Provider,
    QuarantinePage,
    QuarantineRow,
    Ready,
    Revocations,
    Score,
    SessionsRevoked,
    SigninCode,
    SnapshotOut,
    Verification,
    WebhookDelivery,
    WebhookSubscription,
    WhatIf,
)
from credence.client.transport import Transport, params, segment

PAGE = 500  # rows per request when an iter_... method walks the pages


class Client:
    """The Credence HTTP API at ``base_url``, as the principal of ``key`` (None for the public routes).

    ``retries``, ``backoff`` and ``max_wait`` shape the retries on 429/503; other keyword arguments go to
    ``httpx.Client`` (e.g. ``verify``, ``transport``, ``event_hooks``).
    """

    def __init__(self, base_url: str, key: str | None = None, **options: Any):
        self.transport = Transport(base_url, key, **options)
        self._call = self.transport.call

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.transport.close()

    # ------------------------------------------------------------------------------------------ admin
    def health(self) -> Health:
        return self._call("GET", "/v1/health", Health)

    def ready(self) -> Ready:
        """Readiness (no key): the store answers and today's current scores hold (a 503 meanwhile is retried)."""
        return self._call("GET", "/v1/ready", Ready)

    def me(self) -> Me:
        return self._call("GET", "/v1/me", Me)

    def keys(self) -> list[KeyOut]:
        return self._call("GET", "/v1/keys", list[KeyOut])

    def create_key(self, role: str, name: str) -> NewKey:
        return self._call("POST", "/v1/keys", NewKey, json={"role": role, "name": name})

    def revoke_key(self, key_id: str) -> KeyOut:
        return self._call("POST", f"/v1/keys/{segment(key_id)}/revoke", KeyOut)

    def providers(self) -> list[Provider]:
        return self._call("GET", "/v1/providers", list[Provider])

    def register_providers(self, records: list[dict]) -> IngestReport:
        return self._call("POST", "/v1/providers", IngestReport, json={"records": records})

    def quarantine(self, limit: int = 100, offset: int = 0) -> QuarantinePage:
        return self._call("GET", "/v1/quarantine", QuarantinePage, params=params(limit=limit, offset=offset))

    def iter_quarantine(self, page: int = PAGE) -> Iterator[QuarantineRow]:
        yield from _pages(lambda offset: self.quarantine(limit=page, offset=offset), "rows")

    def signin_code(self, subject_id: str, minutes: int = 15) -> SigninCode:
        return self._call("POST", "/v1/signin-codes", SigninCode, json={"subject_id": subject_id, "minutes": minutes})

    def revoke_sessions(self, role: str, name: str) -> SessionsRevoked:
        return self._call("POST", "/v1/sessions/revoke", SessionsRevoked, json={"role": role, "name": name})

    # ------------------------------------------------------------------------------------------ entities, events
    def entities(self, kind: str | None = None, limit: int = 50, offset: int = 0) -> EntityPage:
        return self._call("GET", "/v1/entities", EntityPage, params=params(kind=kind, limit=limit, offset=offset))

    def iter_entities(self, kind: str | None = None, page: int = PAGE) -> Iterator[Entity]:
        yield from _pages(lambda offset: self.entities(kind=kind, limit=page, offset=offset), "entities")

    def register_entities(self, records: list[dict]) -> IngestReport:
        return self._call("POST", "/v1/entities", IngestReport, json={"records": records})

    def entity(self, entity_id: str) -> Entity:
        return self._call("GET", f"/v1/entities/{segment(entity_id)}", Entity)

    def events(self, entity_id: str, limit: int = 500, offset: int = 0) -> list[Event]:
        path = f"/v1/entities/{segment(entity_id)}/events"
        return self._call("GET", path, list[Event], params=params(limit=limit, offset=offset))

    def iter_events(self, entity_id: str, page: int = PAGE) -> Iterator[Event]:
        offset = 0
        while rows := self.events(entity_id, limit=page, offset=offset):
            yield from rows
            offset += len(rows)
            if len(rows) < page:
                return

    def submit_events(self, records: list[dict]) -> IngestReport:
        """With a provider's key, records may leave out ``provider_id``: the key's is used."""
        return self._call("POST", "/v1/events", IngestReport, json={"records": records})

    # ------------------------------------------------------------------------------------------ scores
    def score(self, entity_id: str, purpose: str | None = None) -> Score:
        return self._call("GET", f"/v1/scores/{segment(entity_id)}", Score, params=params(purpose=purpose))

    def explanation(self, entity_id: str, as_of: datetime | None = None) -> Explanation:
        path = f"/v1/scores/{segment(entity_id)}/explanation"
        return self._call("GET", path, Explanation, params=params(as_of=as_of))

    def history(self, entity_id: str) -> list[HistoryPoint]:
        return self._call("GET", f"/v1/scores/{segment(entity_id)}/history", list[HistoryPoint])

    def run_scoring(self, as_of: datetime | None = None) -> SnapshotOut:
        body = {"as_of": as_of.isoformat()} if as_of else None
        return self._call("POST", "/v1/scores/run", SnapshotOut, json=body)

    # ------------------------------------------------------------------------------------------ decisions, grants
    def policies(self) -> list[Policy]:
        return self._call("GET", "/v1/policies", list[Policy])

    def decide(self, subject_id: str, policy_id: str) -> Decision:
        return self._call("POST", "/v1/decisions", Decision, json={"subject_id": subject_id, "policy_id": policy_id})

    def decisions(self, subject_id: str | None = None, limit: int = 200) -> list[Decision]:
        return self._call("GET", "/v1/decisions", list[Decision], params=params(subject_id=subject_id, limit=limit))

    def grant(self, viewer_id: str, purpose: str, scope: str = "score", until: str = "30d") -> Grant:
        body = {"viewer_id": viewer_id, "purpose": purpose, "scope": scope, "until": until}
        return self._call("POST", "/v1/grants", Grant, json=body)

    def grants(self, subject_id: str | None = None, live_only: bool = False) -> list[Grant]:
        return self._call("GET", "/v1/grants", list[Grant], params=params(subject_id=subject_id, live_only=live_only))

    def revoke_grant(self, grant_id: str) -> Grant:
        return self._call("POST", f"/v1/grants/{segment(grant_id)}/revoke", Grant)

    # ------------------------------------------------------------------------------------------ certificates
    def certify(self, audience: str, ttl: str = "7d") -> Certificate:
        return self._call("POST", "/v1/certificates", Certificate, json={"audience": audience, "ttl": ttl})

    def certificates(self, subject_id: str | None = None) -> list[CertificateRow]:
        return self._call("GET", "/v1/certificates", list[CertificateRow], params=params(subject_id=subject_id))

    def verify(self, token: str, audience: str | None = None) -> Verification:
        """The bureau's own check of a certificate (public: no key needed). Offline: ``credence verify``."""
        return self._call("POST", "/v1/certificates/verify", Verification, json={"token": token, "audience": audience})

    def revoke_certificate(self, certificate_id: str) -> CertificateRow:
        return self._call("POST", f"/v1/certificates/{segment(certificate_id)}/revoke", CertificateRow)

    def revocations(self) -> Revocations:
        return self._call("GET", "/v1/certificates/revocations", Revocations)

    def jwks(self) -> Jwks:
        return self._call("GET", "/.well-known/jwks.json", Jwks)

    # ------------------------------------------------------------------------------------------ disputes
    def open_dispute(self, provider_id: str, event_id: str, note: str | None = None) -> Dispute:
        body = {"provider_id": provider_id, "event_id": event_id, "note": note}
        return self._call("POST", "/v1/disputes", Dispute, json=body)

    def disputes(self, entity_id: str | None = None) -> list[Dispute]:
        return self._call("GET", "/v1/disputes", list[Dispute], params=params(entity_id=entity_id))

    def answer_dispute(
        self, dispute_id: str, action: str, note: str | None = None, correction: dict | None = None
    ) -> Dispute:
        body = {"action": action, "note": note, "correction": correction}
        return self._call("POST", f"/v1/disputes/{segment(dispute_id)}/answer", Dispute, json=body)

    # ------------------------------------------------------------------------------------------ reports, audit
    def disclosure(self, entity_id: str) -> Disclosure:
        return self._call("GET", f"/v1/entities/{segment(entity_id)}/disclosure", Disclosure)

    def subject_access_log(self, entity_id: str, limit: int = 500) -> list[Access]:
        path = f"/v1/entities/{segment(entity_id)}/access-log"
        return self._call("GET", path, list[Access], params=params(limit=limit))

    def access_log(self, limit: int = 500) -> list[Access]:
        return self._call("GET", "/v1/access-log", list[Access], params=params(limit=limit))

    def distribution(self, bucket: int = 25) -> Distribution:
        return self._call("GET", "/v1/audit/distribution", Distribution, params=params(bucket=bucket))

    def whatif(self, threshold: int, baseline: int = 600, direction: str = "at_least") -> WhatIf:
        query = params(threshold=threshold, baseline=baseline, direction=direction)
        return self._call("GET", "/v1/audit/whatif", WhatIf, params=query)

    def drift(self, base: str | None = None, current: str | None = None, features: bool = True) -> DriftReport:
        query = params(base=base, current=current, features=features)
        return self._call("GET", "/v1/audit/drift", DriftReport, params=query)

    def fairness(self) -> FairnessReport:
        return self._call("GET", "/v1/audit/fairness", FairnessReport)

    # ------------------------------------------------------------------------------------------ webhooks
    def add_webhook(
        self, channel: str, principal: str, url: str, types: list[str] | None = None, secret: str | None = None
    ) -> NewWebhookSubscription:
        """Subscribe ``url`` to a partner's or a subject's channel; the answer holds the signing secret (once)."""
        body = {"channel": channel, "principal": principal, "url": url, "types": types, "secret": secret}
        return self._call("POST", "/v1/webhooks", NewWebhookSubscription, json=body)

    def webhooks(self, include_ended: bool = False) -> list[WebhookSubscription]:
        return self._call("GET", "/v1/webhooks", list[WebhookSubscription], params=params(include_ended=include_ended))

    def remove_webhook(self, subscription_id: str) -> WebhookSubscription:
        return self._call("DELETE", f"/v1/webhooks/{segment(subscription_id)}", WebhookSubscription)

    def webhook_deliveries(
        self,
        subscription_id: str | None = None,
        event_id: str | None = None,
        outcome: str | None = None,
        limit: int = 100,
    ) -> list[WebhookDelivery]:
        query = params(subscription_id=subscription_id, event_id=event_id, outcome=outcome, limit=limit)
        return self._call("GET", "/v1/webhooks/deliveries", list[WebhookDelivery], params=query)


def _pages(fetch, field: str) -> Iterator[Any]:
    """Every row of a paged list (``{total, limit, offset, <field>}``), one request per page."""
    offset = 0
    while True:
        page = fetch(offset)
        rows = getattr(page, field)
        yield from rows
        offset += len(rows)
        if not rows or offset >= page.total:
            return
