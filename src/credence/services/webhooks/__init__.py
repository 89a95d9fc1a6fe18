"""Webhooks: events about subjects, signed and delivered to operator-managed subscriptions.

- ``outbox``: events appended in the transaction of the change that causes them (never lost, never early);
- ``subscriptions``: partner and subject channels, and the delivery log;
- ``dispatcher``: the delivery loop in ``credence serve`` (order per subscription, retries, guardrails);
- ``signature``: HMAC-SHA256 over timestamp and body, and the check receivers run.
"""
