"""Disputes change the score as the rules say, every step is appended, and the disclosure report tells it all."""

from __future__ import annotations

from datetime import timedelta

import pytest

from credence.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from credence.services.access import read_score
from credence.services.disclosure import disclosure, render
from credence.services.disputes import answer_dispute, expire_disputes, list_disputes, open_dispute
from credence.services.grants import grant
from credence.store.queries import entity_events
from tests.builder import NOW, add_event, score


@pytest.fixture
def disputed(ws):
    """P2 with one loan default; returns (ws, clean score, score with the default)."""
    clean = score(ws, "P2")["score"]
    add_event(ws, "bank", "P2-default", "P2", "loan_default", NOW - timedelta(days=100), amount=900.0)
    with_default = score(ws, "P2")
    assert with_default["score"] < clean
    assert "serious_delinquencies" in [r["code"] for r in with_default["reasons"]]
    return ws, clean, with_default["score"]


def test_a_pending_dispute_stops_the_event_counting_and_confirmation_restores_it(disputed):
    ws, clean, with_default = disputed
    d = open_dispute(ws, "P2", "bank", "P2-default", note="I never had this loan")
    assert d["status"] == "pending" and d["answer_due"] == d["opened_at"] + timedelta(days=30)
    assert score(ws, "P2")["score"] == clean
    answer_dispute(ws, d["dispute_id"], "bank", "confirm", note="signed contract on file")
    after = score(ws, "P2")
    assert after["score"] == with_default
    assert "serious_delinquencies" in [r["code"] for r in after["reasons"]]
    assert [h["action"] for h in list_disputes(ws, "P2")[0]["history"]] == ["opened", "confirmed"]


def test_a_correction_supersedes_the_event_with_a_new_one(disputed):
    ws, clean, with_default = disputed
    d = open_dispute(ws, "P2", "bank", "P2-default")
    out = answer_dispute(
        ws,
        d["dispute_id"],
        "bank",
        "correct",
        correction={"type": "instalment_paid_late", "days_late": 12, "event_id": "P2-late-fix"},
    )
    assert out["status"] == "corrected"
    new = ws.store.query("SELECT * FROM events WHERE event_id = 'P2-late-fix'")[0]
    assert (new["provider_id"], new["entity_id"], new["supersedes"], new["type"], new["adverse"]) == (
        "bank",
        "P2",
        "P2-default",
        "instalment_paid_late",
        True,
    )
    assert ws.store.count("events WHERE event_id = 'P2-default'") == 1  # the old fact is kept
    effective = {r["event_id"] for r in ws.store.query("SELECT event_id FROM effective_events WHERE entity_id='P2'")}
    assert "P2-late-fix" in effective and "P2-default" not in effective
    s = score(ws, "P2")
    assert with_default < s["score"] < clean  # one late instalment instead of a default
    assert "late_payments_12m" in [r["code"] for r in s["reasons"]]
    with pytest.raises(ConflictError, match="corrected by P2-late-fix"):
        open_dispute(ws, "P2", "bank", "P2-default")
    assert open_dispute(ws, "P2", "bank", "P2-late-fix")["status"] == "pending"  # the correction is contestable


def test_a_retraction_removes_the_event(disputed):
    ws, clean, _ = disputed
    d = open_dispute(ws, "P2", "bank", "P2-default")
    answer_dispute(ws, d["dispute_id"], "bank", "retract", note="reported in error")
    assert score(ws, "P2")["score"] == clean
    with pytest.raises(ConflictError, match="already retracted"):
        answer_dispute(ws, d["dispute_id"], "bank", "confirm")
    with pytest.raises(ConflictError, match="already disputed"):
        open_dispute(ws, "P2", "bank", "P2-default")


def test_an_unanswered_dispute_expires_after_30_days_and_the_event_stays_out(disputed):
    ws, clean, _ = disputed
    d = open_dispute(ws, "P2", "bank", "P2-default", at=NOW - timedelta(days=29))
    assert expire_disputes(ws, now=NOW) == []
    expired = expire_disputes(ws, now=NOW + timedelta(days=2))
    assert [(e["dispute_id"], e["status"]) for e in expired] == [(d["dispute_id"], "expired")]
    assert expire_disputes(ws, now=NOW + timedelta(days=3)) == []  # appended once
    assert score(ws, "P2")["score"] == clean
    with pytest.raises(ConflictError, match="already expired"):
        answer_dispute(ws, d["dispute_id"], "bank", "confirm")


def test_only_the_subject_disputes_its_own_events_and_only_the_provider_answers(disputed):
    ws, *_ = disputed
    with pytest.raises(NotFoundError):
        open_dispute(ws, "P1", "bank", "P2-default")  # P2's event: P1 cannot even learn it exists
    with pytest.raises(NotFoundError):
        open_dispute(ws, "P2", "bank", "nope")
    d = open_dispute(ws, "P2", "bank", "P2-default")
    with pytest.raises(PermissionDenied, match="provider 'bank', not 'court'"):
        answer_dispute(ws, d["dispute_id"], "court", "retract")
    with pytest.raises(ValidationError, match="confirm, correct or retract"):
        answer_dispute(ws, d["dispute_id"], "bank", "ignore")
    with pytest.raises(ValidationError, match="cannot correct entity_id"):
        answer_dispute(ws, d["dispute_id"], "bank", "correct", correction={"entity_id": "P1"})
    with pytest.raises(ValidationError, match="not licensed for 'rentals'"):
        answer_dispute(ws, d["dispute_id"], "bank", "correct", correction={"type": "rental_returned_late"})
    assert list_disputes(ws, "P2")[0]["status"] == "pending"  # failed answers leave nothing behind
    assert ws.store.count("events WHERE batch_id LIKE 'dispute:%'") == 0


def corrected_and_disputed(ws, note: str | None = None) -> tuple[dict, dict]:
    """P2's default disputed and corrected by P2-fix (the first dispute), and a late bike return under dispute."""
    d1 = open_dispute(ws, "P2", "bank", "P2-default", note=note)
    answer_dispute(
        ws,
        d1["dispute_id"],
        "bank",
        "correct",
        correction={"type": "instalment_paid_late", "days_late": 5, "event_id": "P2-fix"},
    )
    add_event(ws, "bikes", "P2-late-bike", "P2", "rental_returned_late", NOW - timedelta(days=3))
    return d1, open_dispute(ws, "P2", "bikes", "P2-late-bike")


def test_the_disclosure_report_shows_the_whole_story(disputed):
    ws, _, with_default = disputed
    d1, d2 = corrected_and_disputed(ws, note="not mine")
    g = grant(ws, "P2", "bikeshare", "score", "bike rental", "30d")
    read_score(ws, "P2", "bikeshare", "bike rental")
    with pytest.raises(PermissionDenied):
        read_score(ws, "P2", "snoop", "curiosity")

    report = disclosure(ws, "P2")
    events = {e["event_id"]: e for e in report["events"]}
    assert events["P2-default"]["status"] == "corrected by P2-fix" and not events["P2-default"]["counts"]
    assert events["P2-fix"]["status"] == "counts" and events["P2-fix"]["supersedes"] == "P2-default"
    assert events["P2-late-bike"]["status"].startswith("disputed: pending")
    assert events["P2-late-bike"]["provider_name"] == "Bikes"
    assert {x["dispute_id"]: x["status"] for x in report["disputes"]} == {
        d1["dispute_id"]: "corrected",
        d2["dispute_id"]: "pending",
    }
    assert report["grants_given"][0]["grant_id"] == g["grant_id"]
    assert [(a["viewer_id"], a["allowed"]) for a in report["access_log"]] == [("bikeshare", True), ("snoop", False)]
    assert report["score"]["reasons"] and report["score"]["score"] is not None

    text = render(report, "text")
    for needle in (
        "P2-default",
        "corrected by P2-fix",
        "not mine",
        "bikeshare",
        "REFUSED",
        "snoop",
        d2["dispute_id"],
        "WHO SAW YOUR DATA",
    ):
        assert needle in text, needle
    html = render(report, "html")
    assert html.startswith("<!doctype html>") and "corrected by P2-fix" in html and "snoop" in html
    json_text = render(report, "json")
    assert '"P2-fix"' in json_text
    # making the report is itself on the record
    assert disclosure(ws, "P2")["access_log"][-1]["action"] == "report"


def test_html_report_escapes_what_providers_wrote(disputed):
    ws, *_ = disputed
    d = open_dispute(ws, "P2", "bank", "P2-default", note="<script>alert(1)</script>")
    assert d["status"] == "pending"
    html = render(disclosure(ws, "P2"), "html")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


# The events query before it was joined by key (correlated subqueries over the view): the reference it must equal.
REFERENCE_EVENTS_SQL = """
SELECT e.*, p.name AS provider_name,
       EXISTS (SELECT 1 FROM effective_events f WHERE f.provider_id = e.provider_id AND f.event_id = e.event_id)
           AS counts,
       (SELECT max(s.superseded_by) FROM superseded_events s
        WHERE s.provider_id = e.provider_id AND s.event_id = e.event_id) AS superseded_by,
       (SELECT arg_max(d.action, d.acted_at) FROM disputes d
        WHERE d.provider_id = e.provider_id AND d.event_id = e.event_id) AS dispute
FROM events e LEFT JOIN (SELECT provider_id, max(name) AS name FROM providers GROUP BY provider_id) p
    USING (provider_id)
WHERE e.entity_id = $entity_id
ORDER BY e.occurred_at {order}, e.provider_id, e.event_id
LIMIT $limit OFFSET $offset
"""


def test_an_entitys_events_and_their_status_equal_the_reference_query(disputed):
    ws, _, _ = disputed
    corrected_and_disputed(ws)
    seen = 0
    for entity_id in ("P1", "P2", "nobody"):
        for newest_first in (True, False):
            for limit, offset in ((None, 0), (2, 1)):
                got = entity_events(ws.store, entity_id, newest_first=newest_first, limit=limit, offset=offset)
                sql = REFERENCE_EVENTS_SQL.format(order="DESC" if newest_first else "ASC")
                params = {"entity_id": entity_id, "limit": limit, "offset": offset}
                assert got == ws.store.query(sql, params), (entity_id, newest_first, limit)
                seen += len(got)
    assert seen and any(not e["counts"] for e in entity_events(ws.store, "P2"))
    assert {e["dispute"] for e in entity_events(ws.store, "P2")} >= {"opened", "corrected"}
