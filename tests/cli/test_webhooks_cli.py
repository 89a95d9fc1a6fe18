"""``credence webhooks``: add, list, deliveries and remove, as tables and as JSON."""

from __future__ import annotations

import json

from typer.testing import CliRunner

import credence.cli  # noqa: F401  registers every command
from credence.cli.app import app
from credence.errors import ValidationError

runner = CliRunner()


def cli(ws, *args: str, ok: bool = True):
    result = runner.invoke(app, ["webhooks", *args, "-w", str(ws.root)], env={"COLUMNS": "250", "NO_COLOR": "1"})
    if ok:
        assert result.exit_code == 0, (result.output, result.exception)
    return result


def test_add_list_deliveries_remove(ws):
    out = cli(ws, "add", "http://127.0.0.1:9/hook", "--partner", "bikeshare", "-e", "decision.made").output
    sid = out.split("Subscribed ")[1].split(":")[0]
    assert "whsec_" in out and "decision.made" in out
    made = json.loads(cli(ws, "add", "https://example.org/h", "--subject", "P1", "--json").output)
    assert made["secret"].startswith("whsec_") and "dispute.deadline" in made["types"]
    listed = json.loads(cli(ws, "list", "--json").output)["subscriptions"]
    assert [s["subscription_id"] for s in listed] == [sid, made["subscription_id"]]
    assert "secret" not in json.dumps(listed)
    table = cli(ws, "list").output
    assert sid in table and "bikeshare" in table and "whsec_" not in table
    assert json.loads(cli(ws, "deliveries", sid, "--json").output) == {"deliveries": []}
    assert "Subscription" in cli(ws, "remove", sid).output
    listed = json.loads(cli(ws, "list", "--json").output)["subscriptions"]
    assert [s["subscription_id"] for s in listed] == [made["subscription_id"]]
    assert json.loads(cli(ws, "list", "--all", "--json").output)["subscriptions"][0]["status"] == "ended"


def test_choices_and_api_types_are_the_services_own():
    from typing import get_args

    from credence.api import models
    from credence.cli import choices
    from credence.services.webhooks.outbox import EVENT_TYPES
    from credence.services.webhooks.subscriptions import OUTCOMES

    assert get_args(choices.WebhookOutcome) == get_args(models.WebhookOutcome) == OUTCOMES
    assert get_args(models.WebhookEvent) == tuple(EVENT_TYPES)


def test_one_channel_is_required(ws):
    neither = cli(ws, "add", "http://127.0.0.1:9/hook", ok=False)
    assert isinstance(neither.exception, ValidationError) and "one channel" in str(neither.exception)
    both = cli(ws, "add", "http://127.0.0.1:9/hook", "--partner", "bikeshare", "--subject", "P1", ok=False)
    assert isinstance(both.exception, ValidationError)
