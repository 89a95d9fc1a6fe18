"""Findings 4 (times), 5 (durations) and 8 (grants): bounded times and durations, never a 500; grants only to
registered viewers, for a purpose a policy uses, never for an essential service, with a "did you mean"."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import credence.cli  # noqa: F401  registers every command
from credence.api.auth import create_key
from credence.cli.app import app
from credence.errors import GuardrailError, NotFoundError, ValidationError
from credence.services.certificates import certify
from credence.services.grants import MAX_GRANT, grant
from credence.services.scoring import score_population, snapshot_time

runner = CliRunner()
HUGE = ["99999999999y", "9999999999999999999999d", "999999999w", "1000000y"]


@pytest.mark.parametrize("until", HUGE + ["9999-12-31", "3000-01-01"])
def test_a_grant_lasts_at_most_two_years_and_huge_durations_are_a_clear_error(ws, until):
    with pytest.raises(ValidationError) as e:
        grant(ws, "P1", "bikeshare", "score", "bike rental", until)
    assert e.value.field == "until"
    assert grant(ws, "P1", "bikeshare", "score", "bike rental", f"{MAX_GRANT.days - 1}d")["status"] == "live"


@pytest.mark.parametrize("ttl", HUGE)
def test_a_certificate_ttl_that_overflows_is_a_clear_error(ws, ttl):
    with pytest.raises(ValidationError) as e:
        certify(ws, "P1", "hotel", ttl=ttl)
    assert e.value.field == "ttl"


def test_over_http_oversized_durations_are_4xx_and_the_connection_lives(api, api_ws):
    keys = api_ws["keys"]
    for until in HUGE:
        r = api.post(
            "/v1/grants", key=keys["subject"], json={"viewer_id": "citybike", "purpose": "bike rental", "until": until}
        )
        assert r.status_code in (400, 422), r.text
        r = api.post("/v1/certificates", key=keys["subject"], json={"audience": "hotel", "ttl": until})
        assert r.status_code in (400, 422), r.text
    assert api.get("/v1/health").status_code == 200


@pytest.mark.parametrize("as_of", ["0001-01-01", "1899-12-31", "9999-12-31", "2999-01-01T00:00:00Z"])
def test_a_snapshot_outside_1900_to_now_is_refused(ws, as_of):
    with pytest.raises(ValidationError) as e:
        score_population(ws, as_of=as_of)
    assert e.value.field == "as_of"
    assert ws.store.scalar("SELECT count(*) FROM snapshots") == 0


def test_a_snapshot_in_the_future_is_refused_by_the_api_and_the_cli(api, api_ws, ws):
    before = api.app.state.ctx.ws.store.scalar("SELECT count(*) FROM snapshots")
    for as_of in ("0001-01-01T00:00:00Z", "9999-12-31T00:00:00Z", "2030-01-01T00:00:00Z"):
        r = api.post("/v1/scores/run", key=api_ws["keys"]["operator"], json={"as_of": as_of})
        assert r.status_code in (400, 422), r.text
    assert api.app.state.ctx.ws.store.scalar("SELECT count(*) FROM snapshots") == before
    out = runner.invoke(app, ["score", "--as-of", "2030-01-01", "-w", str(ws.root)])
    assert out.exit_code != 0 and "in the future" in str(out.exception)
    assert snapshot_time("2020-01-01").year == 2020


def test_a_grant_goes_only_to_a_registered_partner_or_entity_with_did_you_mean(ws):
    with pytest.raises(NotFoundError, match="no registered partner or entity 'nobody'"):
        grant(ws, "P1", "nobody", "score", "bike rental", "30d")
    create_key(ws.store, "partner", "StayEasy")
    with pytest.raises(NotFoundError) as e:
        grant(ws, "P1", "stayeasy", "decisions", "hotel check-in", "30d")
    assert "did you mean 'StayEasy'" in e.value.fix
    g = grant(ws, "P1", "StayEasy", "decisions", "Hotel  Check-in", "30d")  # purposes fold case and spaces
    assert g["viewer_id"] == "StayEasy" and g["purpose"] == "hotel check-in"
    with pytest.raises(NotFoundError) as e:
        grant(ws, "P1", "StayEasy", "decisions", "hotel checkin", "30d")
    assert "did you mean 'hotel check-in'" in e.value.fix


@pytest.mark.parametrize(
    "purpose", ["train tickets", "bus pass", "school enrolment", "hospital admission", "job application"]
)
def test_a_grant_for_an_essential_service_is_refused_by_guardrail_3(ws, purpose):
    for viewer in ("bikeshare", "P2"):
        with pytest.raises(GuardrailError, match="guardrail 3"):
            grant(ws, "P1", viewer, "score", purpose, "30d")


def test_a_partners_grant_is_for_a_purpose_one_of_its_policies_has(ws):
    with pytest.raises(NotFoundError, match="purpose 'astrology'"):
        grant(ws, "P1", "bikeshare", "score", "astrology", "30d")
    with pytest.raises(ValidationError, match="only a partner asks for decisions"):
        grant(ws, "P1", "P2", "decisions", "bike rental", "30d")
    assert grant(ws, "P1", "P2", "score", "curiosity", "30d")["status"] == "live"  # a friend's look


def test_over_http_a_grant_to_nobody_or_for_train_tickets_is_refused(api, api_ws):
    key = api_ws["keys"]["subject"]
    r = api.post("/v1/grants", key=key, json={"viewer_id": "nobody", "purpose": "bike rental"})
    assert r.status_code == 404 and r.json()["field"] == "viewer_id"
    r = api.post("/v1/grants", key=key, json={"viewer_id": "citybike", "purpose": "train tickets"})
    assert r.status_code in (400, 422) and "guardrail 3" in r.text
    r = api.post("/v1/grants", key=key, json={"viewer_id": "CityBike", "purpose": "bike rental"})
    assert r.status_code == 404 and "did you mean 'citybike'" in r.text
