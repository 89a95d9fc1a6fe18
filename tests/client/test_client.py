"""``credence.client`` against the app served for real (uvicorn on loopback): every route, typed answers,
paging, errors as ``CredenceError``s; and its retries against a real server that answers 429 and 503."""

from __future__ import annotations

import re
import shutil
import socket

import pytest

from credence.api import models
from credence.client import Client
from credence.errors import AuthenticationError, CredenceError, NotFoundError, PermissionDenied, StoreBusy
from credence.errors import ValidationError as Invalid


@pytest.fixture(scope="module")
def bureau(template, tmp_path_factory, serve):
    """The scored test workspace served; yields (url, keys, the app's operations as (METHOD, path regex))."""
    from credence.app import create_app

    root = tmp_path_factory.mktemp("client") / "ws"
    shutil.copytree(template["root"], root)
    app = create_app(root)
    operations = {
        (method.upper(), path): re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")
        for path, ops in app.openapi()["paths"].items()
        for method in ops
    }
    with serve(app) as srv:
        yield srv.url, template["keys"], operations
    app.state.ctx.ws.close()


def test_every_route_through_the_client(bureau):
    url, keys, operations = bureau
    called: set[tuple[str, str]] = set()

    def record(response):
        path = response.request.url.raw_path.decode().split("?")[0]
        called.update(
            op for op, pattern in operations.items() if op[0] == response.request.method and pattern.match(path)
        )

    def client(role: str | None = None) -> Client:
        return Client(url, keys[role] if role else None, event_hooks={"response": [record]})

    public, op, aud, partner, prov, subj = (
        client(r) for r in (None, "operator", "auditor", "partner", "provider", "subject")
    )
    assert public.health().ok and public.jwks().keys and public.revocations().issuer
    assert op.me() == models.Me(key_id=op.me().key_id, role="operator", name="ops")
    new = op.create_key("auditor", "eu-regulator")
    assert new.secret.startswith("cred_") and new.key_id in {k.key_id for k in op.keys()}
    assert op.revoke_key(new.key_id).revoked_at is not None
    assert "utilitel" in {p.provider_id for p in op.providers()}
    assert op.register_providers([{"provider_id": "newco", "name": "Newco", "categories": ["bills"]}]).received == 1

    record_ = {"entity_id": "P1", "occurred_at": "2026-01-05T10:00:00Z", "type": "utility_bill_paid_on_time"}
    report = prov.submit_events([record_ | {"event_id": "C-1"}, record_ | {"event_id": "C-2", "type": "nope"}])
    assert isinstance(report, models.IngestReport) and (report.accepted, report.quarantined) == (1, 1)
    assert op.quarantine(limit=1).total >= 1 and len(list(op.iter_quarantine(page=1))) == op.quarantine().total
    assert op.signin_code("P1").link.startswith(url) and op.revoke_sessions("subject", "P1").ended >= 0

    first = op.entities(limit=2)
    every = list(op.iter_entities(page=2))  # three pages of two
    assert first.total == len(every) == len({e.entity_id for e in every}) >= 5
    assert op.register_entities([{"entity_id": "P9", "kind": "person"}]).received == 1
    assert op.entity("P1").kind == "person"
    events = subj.events("P1", limit=5000)
    assert [e.event_id for e in subj.iter_events("P1", page=3)] == [e.event_id for e in events]

    score = subj.score("P1")
    assert isinstance(score, models.Score) and 350 <= score.score <= 950 and score.reasons
    assert public.ready().ok  # the score read brought today's current scores forward
    assert subj.explanation("P1").features and len(subj.history("P1")) >= 2
    assert op.run_scoring().scored >= 4

    assert "bike-deposit-free" in {p.id for p in partner.policies()}
    subj.grant("citybike", "bike rental", scope="decisions")
    seen = subj.grant("citybike", "bike rental", scope="score")
    assert partner.decide("P1", "bike-deposit-free").subject_id == "P1" and partner.decisions()
    assert partner.score("P1", purpose="bike rental").grant_id == seen.grant_id
    assert seen.grant_id in {g.grant_id for g in subj.grants(live_only=True)}
    assert subj.revoke_grant(seen.grant_id).status == "revoked"

    cert = subj.certify("citybike")
    assert cert.certificate_id in {c.certificate_id for c in subj.certificates()}
    assert public.verify(cert.token, audience="citybike").valid
    subj.revoke_certificate(cert.certificate_id)
    assert not public.verify(cert.token, audience="citybike").valid

    event = events[0]
    dispute = subj.open_dispute(event.provider_id, event.event_id, note="not mine")
    assert dispute.status == "pending" and dispute.dispute_id in {d.dispute_id for d in subj.disputes()}
    assert op.answer_dispute(dispute.dispute_id, "confirm", note="checked").status == "confirmed"

    assert subj.disclosure("P1").subject_id == "P1" and subj.subject_access_log("P1")
    assert aud.access_log(limit=5) and aud.distribution().scored >= 4
    assert aud.whatif(650).threshold == 650 and aud.drift().report == "drift" and aud.fairness().report == "fairness"

    hook = op.add_webhook("partner", "citybike", "http://127.0.0.1:9/hook", types=["decision.made"])
    assert hook.secret.startswith("whsec_") and hook.subscription_id in {w.subscription_id for w in op.webhooks()}
    assert op.webhook_deliveries(subscription_id=hook.subscription_id, outcome="failed") == []
    assert op.remove_webhook(hook.subscription_id).status == "ended"
    assert not op.webhooks() and op.webhooks(include_ended=True)

    for c in (public, op, aud, partner, prov, subj):
        c.close()
    assert called == set(operations), f"routes the client did not call: {sorted(set(operations) - called)}"


def test_errors_are_the_credence_error_family(bureau):
    url, keys, _ = bureau
    with Client(url, keys["subject"]) as subj, Client(url, keys["operator"]) as op:
        with pytest.raises(PermissionDenied) as denied:
            subj.score("P2")
        assert denied.value.status == 403 and isinstance(denied.value, CredenceError)
        assert "P2" in str(denied.value) or "subject" in str(denied.value)
        with pytest.raises(NotFoundError) as missing:
            op.entity("NOPE")
        assert missing.value.field == "entity_id" and missing.value.to_dict()["status"] == 404
        with pytest.raises(Invalid) as invalid:
            subj.grant("citybike", "bike rental", scope="everything")
        assert invalid.value.status == 400 and invalid.value.field == "scope"
    with Client(url, "cred_nope_nope") as stranger, pytest.raises(AuthenticationError):
        stranger.me()


class Flaky:
    """A real ASGI app: each path answers its scripted statuses in turn (then 200), e.g. 429 with Retry-After."""

    def __init__(self, script: dict[str, list[tuple[int, dict]]]):
        self.script = script
        self.seen: list[str] = []

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        self.seen.append(scope["path"])
        steps = self.script.get(scope["path"], [])
        status, headers = steps.pop(0) if steps else (200, {})
        body = (
            b'{"ok": true, "workspace": "flaky", "schema_version": 1}'
            if status == 200
            else b'{"ok": false, "status": %d, "code": "%s", "error": "busy", "field": null, "record": null}'
            % (status, b"store_busy" if status == 503 else b"rate_limited")
        )
        raw = [(b"content-type", b"application/json")] + [(k.encode(), v.encode()) for k, v in headers.items()]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})


def test_retries_honour_retry_after_and_back_off(serve):
    app = Flaky(
        {
            "/v1/health": [(429, {"Retry-After": "2"}), (503, {})],
            "/v1/me": [(503, {})] * 5,
        }
    )
    waits: list[float] = []
    with serve(app) as srv, Client(srv.url, retries=3, backoff=0.25, sleep=waits.append) as flaky:
        assert flaky.health().workspace == "flaky"  # 429, 503, then 200
        assert waits[0] == 2.0 and 0.25 <= waits[1] <= 0.5  # the server's Retry-After, then backoff
        waits.clear()
        with pytest.raises(StoreBusy) as busy:  # four 503s: the retries are spent
            flaky.me()
        assert busy.value.status == 503 and app.seen.count("/v1/me") == 4
        assert len(waits) == 3 and waits[0] < waits[2] <= 2.0  # exponential: 0.25, 0.5, 1.0 times 0.5-1 (jitter)


def test_cli_verify_fetches_the_bureaus_keys_and_revocations_with_the_client(bureau, tmp_path):
    from typer.testing import CliRunner

    import credence.cli  # noqa: F401  registers every command
    from credence.cli.app import app

    url, keys, _ = bureau
    with Client(url, keys["subject"]) as subj:
        cert = subj.certify("hotel")
        token = tmp_path / "cert.jwt"
        token.write_text(cert.token)
        runner = CliRunner()
        out = runner.invoke(app, ["verify", f"@{token}", "--url", url, "--audience", "hotel"])
        assert out.exit_code == 0 and "valid" in out.output and "revocation" in out.output, out.output
        subj.revoke_certificate(cert.certificate_id)
    out = runner.invoke(app, ["verify", f"@{token}", "--url", url, "--audience", "hotel"])
    assert out.exit_code != 0 and isinstance(out.exception, CredenceError) and "revoked" in str(out.exception)
    with socket.socket() as s:  # a free port on loopback: nothing listens there
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    out = runner.invoke(app, ["verify", f"@{token}", "--url", closed])
    assert out.exit_code != 0 and isinstance(out.exception, CredenceError) and "cannot reach" in str(out.exception)
