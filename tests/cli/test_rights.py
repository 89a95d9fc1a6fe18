"""The rights commands through the CLI: rich output, and one-line errors for user mistakes."""

from __future__ import annotations

import json
import sys

import pytest
from typer.testing import CliRunner

import credence.cli  # noqa: F401  registers every command
from credence.cli.app import app, main

runner = CliRunner()


def cli(ws, *args: str, ok: bool = True):
    result = runner.invoke(app, [*args, "-w", str(ws.root)], env={"COLUMNS": "200", "NO_COLOR": "1"})
    if ok:
        assert result.exit_code == 0, (result.output, result.exception)
    return result


def test_policies_grant_decide_revoke(ws):
    out = cli(ws, "policies").output
    assert "bike-deposit-free" in out and "score 600+" in out and "score below 550" in out
    out = cli(ws, "grant", "P1", "--to", "bikeshare", "--scope", "decisions", "--purpose", "bike rental").output
    grant_id = out.split("Granted ")[1].split(":")[0]
    assert "credence revoke" in out
    out = cli(ws, "decide", "P1", "bike-deposit-free", "--partner", "bikeshare").output
    assert "granted" in out and "score used" in out
    assert grant_id in cli(ws, "grants", "P1").output
    assert "Revoked" in cli(ws, "revoke", grant_id).output
    denied = cli(ws, "decide", "P1", "bike-deposit-free", "--partner", "bikeshare", ok=False)
    assert denied.exit_code != 0 and "no live grant" in str(denied.exception)


def test_certify_then_verify_offline(ws, tmp_path):
    token_file = tmp_path / "cert.jwt"
    cli(ws, "certify", "P1", "--audience", "hotel", "--out", str(token_file))
    jwks = tmp_path / "jwks.json"
    jwks.write_text(cli(ws, "jwks").output)
    out = runner.invoke(app, ["verify", f"@{token_file}", "--jwks", str(jwks), "--audience", "hotel"])
    assert out.exit_code == 0 and "valid" in out.output and "P1 scores" in out.output
    bad = runner.invoke(app, ["verify", f"@{token_file}", "--jwks", str(jwks), "--audience", "lender"])
    assert bad.exit_code != 0 and "wrong audience" in str(bad.exception)


def test_dispute_report_purge_erase(ws, tmp_path):
    out = cli(ws, "dispute", "open", "P1", "bank", "P1-inst-0", "--note", "paid on time").output
    dispute_id = out.split()[0]
    assert "pending" in out
    out = cli(
        ws,
        "dispute",
        "answer",
        dispute_id,
        "--provider",
        "bank",
        "--action",
        "correct",
        "--type",
        "instalment_paid_on_time",
        "--new-event-id",
        "P1-inst-0b",
    ).output
    assert "corrected" in out and "P1-inst-0b" in out
    assert dispute_id in cli(ws, "dispute", "list", "--entity", "P1").output
    report = json.loads(cli(ws, "report", "P1", "--format", "json").output)
    assert report["disputes"][0]["status"] == "corrected"
    html = tmp_path / "r.html"
    cli(ws, "report", "P1", "--format", "html", "--out", str(html))
    assert "corrected by P1-inst-0b" in html.read_text()
    assert "Removed 0 adverse event" in cli(ws, "purge").output
    refused = cli(ws, "erase", "P1", ok=False)
    assert "--yes" in str(refused.exception)
    assert "Erased" in cli(ws, "erase", "P1", "--yes").output


def test_user_mistakes_are_one_line_without_a_traceback(ws, monkeypatch, capsys):
    monkeypatch.setattr(
        sys, "argv", ["credence", "decide", "P1", "no-such-policy", "--partner", "x", "-w", str(ws.root)]
    )
    with pytest.raises(SystemExit) as e:
        main()
    assert e.value.code == 1
    err = capsys.readouterr().err
    assert "error:" in err and "no policy 'no-such-policy'" in err and "Traceback" not in err
