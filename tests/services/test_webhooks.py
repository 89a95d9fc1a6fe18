"""Webhooks in-process: the outbox is written with the change, guardrails at delivery, signatures, retries."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest

from credence.errors import ConfigError, NotFoundError, ValidationError
from credence.services import certificates, decisions, disputes, grants, retention, serving
from credence.services.metrics import WEBHOOK_DELIVERIES
from credence.services.webhooks import dispatcher, signature, subscriptions
from credence.services.webhooks.dispatcher import Dispatcher
from tests.builder import NOW, add_event
from tests.receiver import Receiver

URL = "http://127.0.0.1:9/hook"


@pytest.fixture
def live(ws):
    serving.refresh(ws)  # current scores ready: writes re-score in their own transaction
    return ws


def outbox(ws) -> list[dict]:
    rows = ws.store.query("SELECT * FROM webhook_events ORDER BY seq")
    return [r | {"data": json.loads(r["data"])} for r in rows]


def default(ws, who: str = "P1", days: int = 3) -> None:
    add_event(ws, "bank", f"{who}-default-{days}", who, "loan_default", NOW - timedelta(days=days), amount=900.0)


def test_nothing_is_written_without_a_subscription(live):
    default(live)
    g = grants.grant(live, "P1", "bikeshare", "decisions", "bike rental", "30d")
    decisions.decide(live, "P1", "bike-deposit-free", "bikeshare")
    grants.revoke(live, g["grant_id"])
    assert outbox(live) == []


def test_every_kind_of_change_writes_its_event_in_its_transaction(live):
    subscriptions.add(live, "subject", "P1", URL)
    before = serving.current_score(live, "P1")
    default(live)
    after = serving.current_score(live, "P1")
    g = grants.grant(live, "P1", "bikeshare", "decisions", "bike rental", "30d")
    d = decisions.decide(live, "P1", "bike-deposit-free", "bikeshare")
    grants.revoke(live, g["grant_id"])
    cert = certificates.certify(live, "P1", "bikeshare")
    certificates.revoke_certificate(live, cert["certificate_id"], reason="lost phone")
    dispute = disputes.open_dispute(live, "P1", "bank", "P1-default-3")
    disputes.answer_dispute(live, dispute["dispute_id"], "bank", "confirm")
    default(live, "P2")  # P2 has no channel: nothing about it

    events = outbox(live)
    assert [e["type"] for e in events] == [
        "score.changed",
        "decision.made",
        "grant.revoked",
        "certificate.revoked",
        "dispute.deadline",
        "score.changed",  # the disputed default stopped counting
        "dispute.deadline",
        "score.changed",  # confirmed: it counts again
    ]
    assert {e["entity_id"] for e in events} == {"P1"}
    assert len({e["event_id"] for e in events}) == len(events)
    first = events[0]["data"]
    assert (first["previous_score"], first["previous_band"]) == (before["score"], before["band"])
    assert (first["score"], first["band"]) == (after["score"], after["band"]) and after["score"] < before["score"]
    assert events[1]["data"]["decision_id"] == d["decision_id"] and events[1]["partner_id"] == "bikeshare"
    assert [e["data"]["state"] for e in events if e["type"] == "dispute.deadline"] == ["set", "met"]


def test_a_failed_write_writes_no_event(live):
    subscriptions.add(live, "subject", "P1", URL)
    with pytest.raises(RuntimeError), live.store.transaction() as con:
        con.execute("INSERT INTO current_pending VALUES ('P1')")
        default(live)  # nested: the same writer lock, its own transaction commits
        raise RuntimeError("the outer write fails")
    assert [e["type"] for e in outbox(live)] == ["score.changed"]  # only the committed one


def test_partner_channel_guardrails_at_delivery(live):
    partner = subscriptions.add(live, "partner", "bikeshare", URL)
    rival = subscriptions.add(live, "partner", "rival", URL)
    g = grants.grant(live, "P1", "bikeshare", "score", "bike rental", "30d")
    default(live)  # P1 granted bikeshare: its score change is for bikeshare
    default(live, "P2")  # P2 granted no one: not even written
    assert [(e["type"], e["entity_id"]) for e in outbox(live)] == [("score.changed", "P1")]
    sub = {s["subscription_id"]: s for s in subscriptions.live(live)}
    assert dispatcher.next_event(live, sub[rival["subscription_id"]]) is None  # never granted rival
    ev = dispatcher.next_event(live, sub[partner["subscription_id"]])
    body = json.loads(dispatcher.payload(sub[partner["subscription_id"]], ev))
    assert set(body["data"]) == set(dispatcher.PARTNER_FIELDS["score.changed"])  # no scorecard, no reasons
    assert dispatcher.withheld_because(live, sub[partner["subscription_id"]], ev, grants.moment()) is None
    grants.revoke(live, g["grant_id"])
    reason = dispatcher.withheld_because(live, sub[partner["subscription_id"]], ev, grants.moment())
    assert reason and "no live score grant" in reason
    d = Dispatcher(live)
    assert d.deliver(sub[partner["subscription_id"]], ev) == "withheld"
    nxt = dispatcher.next_event(live, sub[partner["subscription_id"]])
    assert nxt["type"] == "grant.revoked"  # its own grant's revocation still reaches it
    assert d.deliver(sub[partner["subscription_id"]], nxt) in ("retrying", "failed")  # nothing listens on :9


def test_subscriptions_are_checked_and_listed_without_secrets(live):
    with pytest.raises(NotFoundError):
        subscriptions.add(live, "partner", "nobody", URL)
    with pytest.raises(NotFoundError):
        subscriptions.add(live, "subject", "P404", URL)
    with pytest.raises(ValidationError, match="not an http"):
        subscriptions.add(live, "subject", "P1", "ftp://example.org/x")
    with pytest.raises(ValidationError, match="not available to a partner"):
        subscriptions.add(live, "partner", "bikeshare", URL, ["dispute.deadline"])
    s = subscriptions.add(live, "partner", "bikeshare", URL, ["decision.made"])
    assert s["secret"].startswith("whsec_") and s["types"] == ["decision.made"]
    assert "secret" not in subscriptions.list_subscriptions(live)[0]
    ended = subscriptions.remove(live, s["subscription_id"])
    assert ended["status"] == "ended" and subscriptions.list_subscriptions(live) == []
    assert subscriptions.list_subscriptions(live, include_ended=True)[0]["subscription_id"] == s["subscription_id"]


def test_erasure_removes_the_subjects_events_and_channel(live):
    subscriptions.add(live, "subject", "P1", URL)
    default(live)
    assert outbox(live)
    retention.erase(live, "P1")
    assert outbox(live) == [] and subscriptions.list_subscriptions(live, include_ended=True) == []


# ------------------------------------------------------------------------------------------ signatures
def test_signature_verifies_and_refuses_a_wrong_secret_an_old_time_and_a_changed_body():
    body = b'{"id":"evt_1"}'
    t = int(time.time())
    header = signature.sign("s3cret-s3cret-s3cret", body, t)
    assert signature.verify("s3cret-s3cret-s3cret", body, header) == t
    with pytest.raises(signature.SignatureError, match="does not match"):
        signature.verify("another-secret-entirely", body, header)
    with pytest.raises(signature.SignatureError, match="does not match"):
        signature.verify("s3cret-s3cret-s3cret", body + b" ", header)
    with pytest.raises(signature.SignatureError, match="outside the 300 s window"):
        signature.verify("s3cret-s3cret-s3cret", body, header, now=t + 301)
    old = signature.sign("s3cret-s3cret-s3cret", body, t - 3600)
    with pytest.raises(signature.SignatureError, match="window"):
        signature.verify("s3cret-s3cret-s3cret", body, old)
    for bad in (None, "", "v1=abc", "t=x,v1=abc", f"t={t}"):
        with pytest.raises(signature.SignatureError):
            signature.verify("s3cret-s3cret-s3cret", body, bad)


def test_backoff_doubles_is_bounded_and_jittered_the_same_after_a_restart():
    waits = [dispatcher.backoff(n, "k", base=1.0, cap=30.0) for n in range(1, 9)]
    for n, w in enumerate(waits, start=1):
        assert 0.5 * min(30.0, 2 ** (n - 1)) <= w < min(30.0, 2 ** (n - 1))
    assert max(waits) < 30.0
    assert waits == [dispatcher.backoff(n, "k", base=1.0, cap=30.0) for n in range(1, 9)]
    assert waits != [dispatcher.backoff(n, "other", base=1.0, cap=30.0) for n in range(1, 9)]


# ------------------------------------------------------------------------------------------ delivery
def test_dispatcher_retries_then_delivers_in_order_and_gives_up_after_n(live):
    failed_before = next(
        (
            s.value
            for s in WEBHOOK_DELIVERIES.collect()[0].samples
            if s.name.endswith("_total") and s.labels == {"type": "decision.made", "outcome": "failed"}
        ),
        0.0,
    )
    with Receiver() as rx:
        s = subscriptions.add(live, "subject", "P1", rx.url)
        rx.fail = 2  # the first two attempts are refused
        default(live)
        grants.grant(live, "P1", "bikeshare", "decisions", "bike rental", "30d")
        for _ in range(2):
            decisions.decide(live, "P1", "bike-deposit-free", "bikeshare")
        ids = [e["event_id"] for e in outbox(live)]
        assert len(ids) == 3
        d = Dispatcher(live, base=0.05, interval=0.02).start()
        try:
            got = rx.wait(lambda got: len(got) >= 3)
        finally:
            d.close()
        assert [e["id"] for e in got] == ids  # in order, each once
        for r in rx.requests:
            signature.verify(s["secret"], r["body"], r["headers"]["Credence-Signature"])
        log = subscriptions.deliveries(live, s["subscription_id"])
        assert sorted((r["outcome"], r["attempt"]) for r in log if r["event_id"] == ids[0]) == [
            ("delivered", 3),
            ("retrying", 1),
            ("retrying", 2),
        ]
        assert [r["status_code"] for r in log if r["outcome"] == "retrying"] == [503, 503]

        rx.down = True
        decisions.decide(live, "P1", "bike-deposit-free", "bikeshare")
        d = Dispatcher(live, base=0.01, interval=0.02, max_attempts=3).start()
        try:
            deadline = time.monotonic() + 30
            while not subscriptions.deliveries(live, s["subscription_id"], outcome="failed"):
                assert time.monotonic() < deadline
                time.sleep(0.05)
        finally:
            d.close()
        failed = subscriptions.deliveries(live, s["subscription_id"], outcome="failed")
        assert failed[0]["attempt"] == 3 and "gave up after 3 attempts" in failed[0]["error"]
    counted = {
        (s.labels["type"], s.labels["outcome"]): s.value
        for s in WEBHOOK_DELIVERIES.collect()[0].samples
        if s.name.endswith("_total")
    }
    assert counted[("decision.made", "failed")] - failed_before == 1  # /metrics counts every attempt
    assert counted[("score.changed", "delivered")] >= 1


def test_the_receiver_in_the_docs_verifies_and_refuses():
    """docs/webhooks.md's receiver, run as written (on a free port): a genuine delivery 204, a forged or
    replayed one 401, a duplicate accepted once."""
    import threading
    from http.server import HTTPServer
    from pathlib import Path

    import httpx

    text = (Path(__file__).resolve().parents[2] / "docs" / "webhooks.md").read_text()
    code = text.split("## A receiver", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    run_line = 'HTTPServer(("127.0.0.1", 8080), Hook).serve_forever()'
    assert run_line in code
    ns: dict = {}
    exec(compile(code.replace(run_line, ""), "docs/webhooks.md", "exec"), ns)  # noqa: S102 - the doc's own code
    ns["SECRET"] = "whsec_docs-example-secret"
    server = HTTPServer(("127.0.0.1", 0), ns["Hook"])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    body = json.dumps({"id": "evt_1", "type": "score.changed", "data": {"score": 600}}).encode()

    def post(secret: str, t: int) -> int:
        header = signature.sign(secret, body, t)
        return httpx.post(url, content=body, headers={"Credence-Signature": header}).status_code

    try:
        now = int(time.time())
        assert post(ns["SECRET"], now) == 204
        assert post(ns["SECRET"], now) == 204  # a duplicate: accepted, handled once
        assert ns["seen"] == {"evt_1"}
        assert post("whsec_someone-else-secret", now) == 401
        assert post(ns["SECRET"], now - 600) == 401  # outside the replay window
    finally:
        server.shutdown()
        server.server_close()


def test_the_served_loop_expires_disputes_past_their_deadline(live):
    subscriptions.add(live, "subject", "P1", URL, ["dispute.deadline"])
    default(live, days=60)
    disputes.open_dispute(live, "P1", "bank", "P1-default-60", at=grants.moment() - timedelta(days=31))
    d = Dispatcher(live, interval=0.02, expire_every=0.05).start()
    try:
        deadline = time.monotonic() + 30
        while [e["data"]["state"] for e in outbox(live)] != ["set", "passed"]:
            assert time.monotonic() < deadline, outbox(live)
            time.sleep(0.05)
    finally:
        d.close()
    assert disputes.list_disputes(live, subject_id="P1")[0]["status"] == "expired"


# ------------------------------------------------------------------------------------------ retention
def test_the_retention_purge_removes_settled_events_and_their_log_and_keeps_what_is_owed(live):
    """``credence purge`` removes the outbox events past ``webhook_retention_days`` that every live subscription
    taking them has settled, with their delivery log rows, and records the counts; an event a live subscription
    still owes stays, however old, and nothing is delivered twice because of a purge."""
    with Receiver() as rx:
        ok = subscriptions.add(live, "subject", "P1", rx.url)
        down = subscriptions.add(live, "subject", "P1", URL)  # nothing listens on :9
        other = subscriptions.add(live, "subject", "P2", rx.url)
        default(live)
        default(live, days=4)
        default(live, "P2")
        first, second, about_p2 = outbox(live)
        subs = {s["subscription_id"]: s for s in subscriptions.live(live)}
        ok, down, other = (subs[s["subscription_id"]] for s in (ok, down, other))
        for ev in dispatcher.next_events(live, ok, 10):
            assert Dispatcher(live).deliver(ok, ev) == "delivered"
        [ev] = [e for e in dispatcher.next_events(live, down, 10) if e["event_id"] == first["event_id"]]
        assert Dispatcher(live, max_attempts=1).deliver(down, ev) == "failed"  # settled: failed
        [ev] = [e for e in dispatcher.next_events(live, down, 10) if e["event_id"] == second["event_id"]]
        assert Dispatcher(live).deliver(down, ev) == "retrying"  # still owed
        assert Dispatcher(live).deliver(other, dispatcher.next_event(live, other)) == "delivered"
        retention.erase(live, "P2")  # its event goes, the log of its delivery stays (ids, outcome, time)

    def log() -> list[tuple]:
        return [(r["event_id"], r["outcome"]) for r in live.store.query("SELECT * FROM webhook_deliveries")]

    assert len(log()) == 5
    t = grants.moment()
    assert retention.purge(live, now=t) | {"by_type": {}} == retention.purge(live, now=t, dry_run=True) | {
        "dry_run": False,
        "by_type": {},
    }  # nothing is 90 days old yet
    assert (retention.purge(live, now=t)["webhook_events"], len(log())) == (0, 5)

    later = t + timedelta(days=91)
    counted = retention.purge(live, now=later, dry_run=True)
    assert (counted["webhook_events"], counted["webhook_deliveries"], len(log())) == (1, 3, 5)  # dry run
    done = retention.purge(live, now=later)
    assert (done["webhook_events"], done["webhook_deliveries"]) == (1, 3)
    assert [e["event_id"] for e in outbox(live)] == [second["event_id"]]  # owed to the receiver that is down
    assert sorted(log()) == sorted([(second["event_id"], "delivered"), (second["event_id"], "retrying")])
    assert about_p2["event_id"] not in {e for e, _ in log()}  # the erased subject's log is gone too
    record = retention.purges(live)[-1]["rows_removed"]
    assert (record["webhook_events"], record["webhook_deliveries"]) == (1, 3)
    assert dispatcher.next_event(live, ok) is None  # nothing to send again

    subscriptions.remove(live, down["subscription_id"])  # no live subscription owes it any more
    assert retention.purge(live, now=later)["webhook_events"] == 1 and outbox(live) == [] and log() == []


def test_the_webhook_retention_period_is_checked(live):
    live.config["webhook_retention_days"] = 0
    with pytest.raises(ConfigError, match="webhook_retention_days") as e:
        retention.purge(live)
    assert e.value.field == "webhook_retention_days" and "at least 1" in str(e.value)
