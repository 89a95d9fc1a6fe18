"""Guardrails 4 and 5: no grant, no score and no decision; revocation takes effect at once; notices explain."""

from __future__ import annotations

from datetime import timedelta

import pytest
import yaml

from credence.errors import ConflictError, GuardrailError, NotFoundError, PermissionDenied, ValidationError
from credence.services.access import access_log, read_score
from credence.services.decisions import decide, list_decisions
from credence.services.grants import grant, list_grants, live_grant, revoke
from tests.builder import NOW, add_entity, poor_history


def test_partner_without_a_grant_gets_no_score_and_no_decision_and_the_attempt_is_logged(ws):
    with pytest.raises(PermissionDenied, match="'bikeshare' has no live grant from 'P1'") as e:
        read_score(ws, "P1", "bikeshare", "bike rental")
    assert "/subjects/P1#grants" in e.value.fix and "credence grant" not in e.value.fix
    with pytest.raises(PermissionDenied, match="no live grant"):
        decide(ws, "P1", "bike-deposit-free", "bikeshare")
    assert list_decisions(ws, "P1") == []
    log = access_log(ws, "P1")
    assert [(a["viewer_id"], a["action"], a["allowed"]) for a in log] == [
        ("bikeshare", "read_score", False),
        ("bikeshare", "decision", False),
    ]


def test_the_subject_always_sees_its_own_score_with_reasons(ws):
    row = read_score(ws, "P1", "P1")
    assert row["score"] is not None and row["reasons"]
    assert access_log(ws, "P1")[-1]["allowed"] is True


def test_a_score_grant_shows_the_score_for_that_purpose_only_and_not_the_reasons(ws):
    add_entity(ws, "friend-ann")  # a friend is a registered entity
    g = grant(ws, "P1", "friend-ann", "score", "Curiosity", "30d")
    row = read_score(ws, "P1", "friend-ann", "curiosity")
    assert row["score"] is not None and row["grant_id"] == g["grant_id"]
    assert "reasons" not in row and "features" not in row
    with pytest.raises(PermissionDenied):
        read_score(ws, "P1", "friend-ann", "bike rental")  # another purpose
    with pytest.raises(PermissionDenied):
        read_score(ws, "P1", "friend-bob", "curiosity")  # another viewer
    with pytest.raises(PermissionDenied):
        decide(ws, "P1", "bike-deposit-free", "friend-ann")  # a score grant is not a decisions grant


def test_a_live_decisions_grant_gives_a_logged_decision_with_score_and_band(ws):
    g = grant(ws, "P1", "bikeshare", "decisions", "bike rental", "30d")
    d = decide(ws, "P1", "bike-deposit-free", "bikeshare")
    assert d["outcome"] == "granted" and not d["adverse"] and d["notice"] is None
    assert d["score"] >= 600 and d["band"] in ("good", "excellent", "extraordinary")
    stored = list_decisions(ws, "P1")
    assert [(s["decision_id"], s["outcome"], s["score"]) for s in stored] == [(d["decision_id"], "granted", d["score"])]
    entry = access_log(ws, "P1")[-1]
    assert (entry["viewer_id"], entry["action"], entry["allowed"], entry["grant_id"]) == (
        "bikeshare",
        "decision",
        True,
        g["grant_id"],
    )


def test_revoking_a_grant_takes_effect_at_once(ws):
    g = grant(ws, "P1", "bikeshare", "decisions", "bike rental", "30d")
    decide(ws, "P1", "bike-deposit-free", "bikeshare")
    revoke(ws, g["grant_id"])
    assert live_grant(ws, "P1", "bikeshare", "decisions", "bike rental") is None
    with pytest.raises(PermissionDenied):
        decide(ws, "P1", "bike-deposit-free", "bikeshare")
    assert len(list_decisions(ws, "P1")) == 1
    with pytest.raises(ConflictError, match="already revoked"):
        revoke(ws, g["grant_id"])
    # the grant itself is not changed: a revocation is a new record
    assert ws.store.count("grants") == 1 and ws.store.count("grant_revocations") == 1
    assert list_grants(ws, "P1")[0]["status"] == "revoked"


def test_an_expired_grant_is_not_live(ws):
    g = grant(ws, "P1", "bikeshare", "decisions", "bike rental", "1d", at=NOW - timedelta(days=3))
    assert list_grants(ws, "P1")[0]["status"] == "expired"
    with pytest.raises(PermissionDenied):
        decide(ws, "P1", "bike-deposit-free", "bikeshare")
    assert (
        live_grant(ws, "P1", "bikeshare", "decisions", "bike rental", NOW - timedelta(days=2, hours=12))["grant_id"]
        == g["grant_id"]
    )


def test_only_the_subject_or_viewer_may_revoke(ws):
    g = grant(ws, "P1", "bikeshare", "decisions", "bike rental", "30d")
    with pytest.raises(PermissionDenied):
        revoke(ws, g["grant_id"], revoked_by="P2")
    assert revoke(ws, g["grant_id"], revoked_by="bikeshare")["status"] == "revoked"


@pytest.mark.parametrize(
    "kw,field",
    [
        ({"scope": "everything"}, "scope"),
        ({"purpose": "  "}, "purpose"),
        ({"until": "2000-01-01"}, "until"),
        ({"viewer_id": "P1"}, "viewer_id"),
        ({"until": "next week"}, "until"),
    ],
)
def test_bad_grants_say_which_field(ws, kw, field):
    args = {"subject_id": "P1", "viewer_id": "bikeshare", "scope": "score", "purpose": "bike rental", "until": "30d"}
    with pytest.raises(ValidationError) as e:
        grant(ws, **(args | kw))
    assert e.value.field == field


def test_a_refusal_carries_an_adverse_action_notice_with_reasons_and_how_to_dispute(ws):
    add_entity(ws, "P4")
    poor_history(ws, "P4")
    grant(ws, "P4", "lender", "decisions", "consumer credit", "30d")
    grant(ws, "P4", "hotel", "decisions", "hotel check-in", "30d")
    d = decide(ws, "P4", "credit-line-declined", "lender")
    assert d["outcome"] == "restricted" and d["adverse"] and d["score"] < 500
    assert len(d["reasons"]) == 4
    notice = d["notice"]
    assert "Adverse-action notice for P4" in notice and f"The score used was {d['score']} (poor)" in notice
    for r in d["reasons"]:
        assert r["text"] in notice
    assert "/subjects/P4#events" in notice and "/subjects/P4#grants" in notice and "30 days" in notice
    assert "credence " not in notice.replace("Credence portal", "")  # people get portal links, not commands
    refused = decide(ws, "P4", "hotel-deposit-free", "hotel")
    assert refused["outcome"] == "not granted" and refused["notice"]
    assert [s["notice"] is not None for s in list_decisions(ws, "P4")] == [True, True]


def test_too_little_data_is_no_decision_never_a_refusal(ws):
    grant(ws, "P3", "lender", "decisions", "consumer credit", "30d")
    d = decide(ws, "P3", "credit-line-declined", "lender")
    assert d["outcome"] == "no decision: insufficient data"
    assert d["score"] is None and not d["adverse"] and d["notice"] is None


def test_a_partner_cannot_apply_another_partners_policy(ws, tmp_path):
    pack = {
        "version": 1,
        "policies": [
            {
                "id": "acme-bikes",
                "partner": "acme",
                "kind": "benefit",
                "purpose": "bike rental",
                "context": "bike rental",
                "condition": {"score_at_least": 600},
                "effect": "free first hour",
            }
        ],
    }
    (tmp_path / "pack.yaml").write_text(yaml.safe_dump(pack))
    ws.config["policies"] = str(tmp_path / "pack.yaml")
    with pytest.raises(NotFoundError, match="no policy partner 'rival' may apply has the purpose 'bike rental'"):
        grant(ws, "P1", "rival", "decisions", "bike rental", "30d")
    with pytest.raises(PermissionDenied, match="belongs to partner 'acme'"):
        decide(ws, "P1", "acme-bikes", "rival")


def test_a_workspace_pack_breaking_a_guardrail_stops_every_decision(ws, tmp_path):
    pack = {
        "version": 1,
        "policies": [
            {
                "id": "metro",
                "partner": "*",
                "kind": "restriction",
                "purpose": "commuting",
                "context": "metro",
                "condition": {"score_below": 500},
                "effect": "deposit required",
            }
        ],
    }
    (tmp_path / "pack.yaml").write_text(yaml.safe_dump(pack))
    ws.config["policies"] = str(tmp_path / "pack.yaml")
    with pytest.raises(GuardrailError, match="refused by guardrail 3"):
        grant(ws, "P1", "bikeshare", "decisions", "commuting", "30d")
    with pytest.raises(GuardrailError, match="refused by guardrail 3"):
        decide(ws, "P1", "metro", "bikeshare")
