"""Webhooks end to end: ``credence serve`` started as a user starts it, real receivers on loopback.

The partner's receiver refuses its first attempts (retries), gets its decisions in order and verifies every
signature (a wrong secret and an old timestamp are refused); the server is killed with SIGKILL while
deliveries are pending, a decision is made on the store while no server runs, and the server is restarted:
everything arrives, in order, a duplicate only ever with the same event id; after
the subject revokes its grants the partner receives nothing more about it but the revocations themselves.
"""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from credence.services import decisions, serving
from credence.services.webhooks.signature import SignatureError, verify
from credence.workspace import open_workspace
from tests.receiver import Receiver
from tests.served import credence_serve, free_port

PARTNER_SECRET = "partner-secret-0123456789"
SUBJECT_SECRET = "subject-secret-0123456789"


def served(root, port: int):
    """``credence serve`` with a short webhook backoff and many attempts; yields it and an HTTP client."""
    return credence_serve(root, port, "--webhook-backoff", "0.2", "--webhook-attempts", "30")


def by(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def decisions_of(events: list[dict]) -> list[tuple[str, str]]:
    return [(e["data"]["decision_id"], e["id"]) for e in events if e["type"] == "decision.made"]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_webhooks_signed_ordered_retried_survive_kill_9_and_stop_at_revocation(built):
    root, keys = built["root"], built["keys"]
    port = free_port()
    with Receiver() as partner_rx, Receiver() as subject_rx:
        decided: list[str] = []

        def decide(http) -> None:
            r = http.post(
                "/v1/decisions",
                headers=by(keys["partner"]),
                json={"subject_id": "P1", "policy_id": "bike-deposit-free"},
            )
            assert r.status_code == 201, r.text
            decided.append(r.json()["decision_id"])

        with served(root, port) as (proc, http):
            for channel, principal, rx, secret in (
                ("partner", "citybike", partner_rx, PARTNER_SECRET),
                ("subject", "P1", subject_rx, SUBJECT_SECRET),
            ):
                r = http.post(
                    "/v1/webhooks",
                    headers=by(keys["operator"]),
                    json={"channel": channel, "principal": principal, "url": rx.url, "secret": secret},
                )
                assert r.status_code == 201, r.text
            subs = {s["channel"]: s for s in http.get("/v1/webhooks", headers=by(keys["operator"])).json()}
            assert "secret" not in str(subs)
            grants = [
                http.post(
                    "/v1/grants",
                    headers=by(keys["subject"]),
                    json={"viewer_id": "citybike", "scope": scope, "purpose": "bike rental"},
                ).json()["grant_id"]
                for scope in ("score", "decisions")
            ]
            partner_rx.fail = 2  # the partner's receiver refuses the first two attempts
            for _ in range(3):
                decide(http)
            got = partner_rx.wait(lambda got: len(decisions_of(got)) >= 3)
            assert [d for d, _ in decisions_of(got)] == decided  # in order
            first = partner_rx.requests[:3]
            assert [r["status"] for r in first] == [503, 503, 204]
            assert len({r["headers"]["Credence-Event-Id"] for r in first}) == 1  # retried: the same event
            assert [r["headers"]["Credence-Delivery-Attempt"] for r in first] == ["1", "2", "3"]
            for r in partner_rx.requests:
                t = verify(PARTNER_SECRET, r["body"], r["headers"]["Credence-Signature"])
                with pytest.raises(SignatureError, match="does not match"):
                    verify("a-wrong-secret-0123456789", r["body"], r["headers"]["Credence-Signature"])
                with pytest.raises(SignatureError, match="window"):
                    verify(PARTNER_SECRET, r["body"], r["headers"]["Credence-Signature"], now=t + 301)
            # the subject's own channel: its decisions, with the partner's name
            mine = subject_rx.wait(lambda got: len(decisions_of(got)) >= 3)
            assert {e["data"]["partner_id"] for e in mine if e["type"] == "decision.made"} == {"citybike"}
            for r in subject_rx.requests:
                verify(SUBJECT_SECRET, r["body"], r["headers"]["Credence-Signature"])

            # deliveries pending when the server dies
            partner_rx.down = True
            seen = len(partner_rx.requests)
            for _ in range(3):
                decide(http)
            deadline = time.monotonic() + 60
            while len(partner_rx.requests) <= seen:
                assert time.monotonic() < deadline
                time.sleep(0.05)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)

        # a write while no server runs (a script on the store): its event waits in the outbox
        ws = open_workspace(root)
        try:
            serving.attach(ws)
            decided.append(decisions.decide(ws, "P1", "bike-deposit-free", "citybike")["decision_id"])
        finally:
            ws.close()
        partner_rx.down = False
        with served(root, port) as (proc, http):
            got = partner_rx.wait(lambda got: {d for d, _ in decisions_of(got)} >= set(decided))
            pairs = decisions_of(got)
            firsts = list(dict.fromkeys(d for d, _ in pairs))
            assert firsts == decided  # every decision arrived, in order
            assert len(set(pairs)) == len(decided)  # a duplicate only ever with the same event id
            assert len({e for _, e in pairs}) == len(decided)

            # the subject revokes its grants: the partner hears that, and nothing more about P1
            for g in grants:
                assert http.post(f"/v1/grants/{g}/revoke", headers=by(keys["subject"])).status_code == 200
            before = {e["id"] for e in partner_rx.accepted()}
            r = http.post(
                "/v1/events",
                headers=by(keys["provider_other"]),
                json={
                    "records": [
                        {
                            "provider_id": "northlend",
                            "event_id": "P1-default-late",
                            "entity_id": "P1",
                            "occurred_at": time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86400 * 3)),
                            "type": "loan_default",
                            "amount": 2500.0,
                        }
                    ]
                },
            )
            assert r.status_code == 200 and r.json()["accepted"] == 1, r.text
            # the subject's channel gets the score change; the partner's channel withholds it
            subject_rx.wait(lambda got: any(e["type"] == "score.changed" and e["id"] not in before for e in got))
            partner_sub = subs["partner"]["subscription_id"]
            deadline = time.monotonic() + 60
            while True:
                log = http.get(
                    "/v1/webhooks/deliveries",
                    headers=by(keys["operator"]),
                    params={"subscription_id": partner_sub, "outcome": "withheld"},
                ).json()
                if log:
                    break
                assert time.monotonic() < deadline
                time.sleep(0.1)
            assert "no live score grant" in log[0]["error"] and log[0]["type"] == "score.changed"
            after = [e for e in partner_rx.wait(lambda got: sum(e["type"] == "grant.revoked" for e in got) >= 2)]
            assert {e["type"] for e in after if e["id"] not in before} == {"grant.revoked"}
            assert (
                http.post(
                    "/v1/decisions",
                    headers=by(keys["partner"]),
                    json={"subject_id": "P1", "policy_id": "bike-deposit-free"},
                ).status_code
                == 403
            )
            listed = http.get("/v1/webhooks", headers=by(keys["operator"])).json()
            counts = {s["channel"]: s for s in listed}
            assert counts["partner"]["delivered"] >= 9 and counts["partner"]["withheld"] >= 1
