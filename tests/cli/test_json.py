"""``--json`` (issue 17, CLI): every command that prints data prints one JSON document with the top-level keys
that docs/operator.md ("JSON output") documents. The commands run in-process on a copy of the scored test
workspace, in an order that gives each what it needs (a grant to revoke, a dispute to answer)."""

from __future__ import annotations

import json
import re
import shutil
from datetime import timedelta

import pytest
import typer

from credence.cli import app as typer_app
from credence.cli.app import run
from tests.test_docs import OPERATOR, section

SCORE_KEYS = {"entity_id", "kind", "score", "band", "as_of", "scorecard", "dimensions", "reasons"}
ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|(.*)\|\s*$")


def documented() -> dict[str, set[str]]:
    """command -> its documented top-level keys (parenthesised detail left out)."""
    rows = {}
    for line in section(OPERATOR.read_text(), "JSON output").splitlines():
        m = ROW.match(line.strip())
        if m:
            rows[m.group(1)] = m.group(2)
    shapes: dict[str, set[str]] = {}

    def keys(command: str) -> set[str]:
        if command not in shapes:
            cell = rows[command]
            while re.search(r"\([^()]*\)", cell):
                cell = re.sub(r"\([^()]*\)", "", cell)
            same = re.match(r"\s*as `([^`]+)`", cell)
            found = set(keys(same.group(1))) if same else set(re.findall(r"`([a-z_]+)`", cell))
            found -= set(re.findall(r"without `([a-z_]+)`", cell))
            if "the score's keys" in cell:
                found |= SCORE_KEYS
            if "the grant's keys" in cell:
                found |= keys("grant")
            shapes[command] = found
        return shapes[command]

    return {command: keys(command) for command in rows}


DOCUMENTED = documented()


@pytest.fixture(scope="module")
def outputs(template, tmp_path_factory) -> dict[str, object]:
    """Every documented command's JSON, run in order on a copy of the scored workspace."""
    home = tmp_path_factory.mktemp("json")
    root = home / "ws"
    shutil.copytree(template["root"], root)
    got: dict[str, object] = {}
    between_snapshots = (template["now"] - timedelta(days=20)).isoformat()

    def j(name: str, *argv: str) -> dict:
        import io
        from contextlib import redirect_stdout

        out = io.StringIO()
        with redirect_stdout(out):
            code = run([*argv, "--json", "-w", str(root)])
        assert code == 0, f"{argv}: exit {code}\n{out.getvalue()}"
        got[name] = json.loads(out.getvalue())  # one document, nothing else on stdout
        return got[name]

    j("show", "show", "P1")
    j("explain", "explain", "P1")
    j("score", "score")
    j("scores", "scores", "--band", "good", "--band", "excellent", "--changed-since", between_snapshots)
    simulated = j("simulate", "simulate", "--entities", "60", "--months", "6", "--out", str(home / "sim"))
    j("ingest", "ingest", simulated["files"][0])
    outcomes = home / "outcomes.csv"
    outcomes.write_text("entity_id,observed_from,months,defaulted\nP1,2026-01-01,12,false\n")
    j("load", "load", "outcomes", str(outcomes))
    j("export-parquet", "export-parquet", "--out", str(home / "parquet"))
    j("policies", "policies")
    grant = j("grant", "grant", "P1", "--to", "citybike", "--scope", "decisions", "--purpose", "bike rental")
    j("grants", "grants", "P1")
    j("decide", "decide", "P1", "bike-deposit-free", "--partner", "citybike")
    j("read", "read", "P1", "--as", "P1")
    j("revoke", "revoke", grant["grant_id"])
    cert = j("certify", "certify", "P1", "--audience", "hotel")
    j("verify", "verify", cert["token"], "--audience", "hotel")
    dispute = j("dispute open", "dispute", "open", "P1", "northlend", "P1-inst-0")
    j("dispute answer", "dispute", "answer", dispute["dispute_id"], "--provider", "northlend", "--action", "confirm")
    j("dispute list", "dispute", "list")
    j("dispute expire", "dispute", "expire")
    j("purge", "purge", "--dry-run")
    j("audit --list", "audit", "--list")
    j("audit", "audit", "--no-features", "--report", str(home / "audit"))
    key = j("keys create", "keys", "create", "--role", "auditor", "--name", "inspector")
    j("keys list", "keys", "list")
    j("keys revoke", "keys", "revoke", key["key_id"])
    j("signin-code", "signin-code", "P2")
    j("sessions list", "sessions", "list")
    j("sessions revoke", "sessions", "revoke", "P2")
    hook = j("webhooks add", "webhooks", "add", "http://127.0.0.1:9/hook", "--partner", "citybike")
    j("webhooks list", "webhooks", "list")
    j("webhooks deliveries", "webhooks", "deliveries")
    j("webhooks remove", "webhooks", "remove", hook["subscription_id"])
    j("erase", "erase", "P4", "--yes")
    return got


@pytest.mark.parametrize("command", sorted(DOCUMENTED))
def test_json_has_the_documented_keys(outputs, command):
    assert command in outputs, f"tests/cli/test_json.py runs no '{command} --json'"
    assert set(outputs[command]) == DOCUMENTED[command], command


def test_every_command_with_json_is_documented():
    def walk(group, prefix=""):
        for name, command in group.commands.items():
            full = f"{prefix} {name}".strip()
            if hasattr(command, "commands"):
                yield from walk(command, full)
            elif any("--json" in p.opts for p in command.params):
                yield full

    missing = sorted(set(walk(typer.main.get_command(typer_app))) - {c.split(" --")[0] for c in DOCUMENTED})
    assert not missing, f"document the --json shape of {missing} in docs/operator.md (JSON output)"


def test_shapes_hold_values(outputs):
    show = outputs["show"]
    assert show["entity_id"] == "P1" and 350 <= show["score"] <= 950 and set(show["dimensions"]) >= {"identity"}
    assert [h["snapshot_id"] for h in show["history"]] and show["reasons"][0]["text"]
    assert outputs["explain"]["features"][0]["feature"]
    found = outputs["scores"]
    assert found["since"]["as_of"] < outputs["score"]["as_of"]  # the snapshot of a month ago
    assert all(r["band"] in ("good", "excellent") for r in found["scores"]) and found["total"] == len(found["scores"])
    totals = outputs["ingest"]["totals"]
    assert totals["received"] == totals["accepted"] + totals["duplicates"] + totals["quarantined"] > 0
    assert outputs["simulate"]["next"].startswith("credence ingest ")
    assert outputs["verify"]["valid"] is True and outputs["verify"]["claims"]["sub"] == "P1"
    assert any(k["key_id"] == outputs["keys revoke"]["key_id"] for k in outputs["keys list"]["keys"])
