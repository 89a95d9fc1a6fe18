"""``credence webhooks``: the operator's subscriptions to events about subjects, and the delivery log."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from credence.cli.app import SERVING, WorkspaceOption, app, console, workspace
from credence.cli.choices import WebhookOutcome
from credence.cli.output import JsonOption, emit

webhooks_app = typer.Typer(
    help="Webhook subscriptions (a partner's or a subject's channel), signed deliveries and their log.",
    no_args_is_help=True,
)
app.add_typer(webhooks_app, name="webhooks", rich_help_panel=SERVING)


@webhooks_app.command("add")
def webhooks_add(
    url: str = typer.Argument(..., help="The receiver's http(s) URL."),
    partner: str = typer.Option(None, "--partner", help="A partner's channel: events about subjects who granted it."),
    subject: str = typer.Option(None, "--subject", help="A subject's own channel: events about that subject."),
    events: list[str] = typer.Option(
        None,
        "--event",
        "-e",
        help="An event type to send, repeatable (score.changed, grant.revoked, certificate.revoked, decision.made, "
        "dispute.deadline); default: every type the channel takes.",
    ),
    secret: str = typer.Option(None, "--secret", help="The signing secret (default: a new random one, shown once)."),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """Subscribe a URL to a partner's or a subject's events; prints the signing secret once."""
    from credence.errors import ValidationError
    from credence.services.webhooks import subscriptions

    if (partner is None) == (subject is None):
        raise ValidationError("name one channel", field="--partner", fix="give --partner PARTNER or --subject ENTITY")
    channel, principal = ("partner", partner) if partner is not None else ("subject", subject)
    s = subscriptions.add(workspace(ws_path), channel, principal, url, events, secret=secret, by="operator:cli")
    if as_json:
        emit(s)
        return
    console.print(
        f"Subscribed {s['subscription_id']}: {channel} '{principal}' → {s['url']} ({', '.join(s['types'])})",
        highlight=False,
        soft_wrap=True,
    )
    console.print("Signing secret (store it now; it is not shown again):")
    console.print(s["secret"], highlight=False, soft_wrap=True)


@webhooks_app.command("list")
def webhooks_list(
    all_: bool = typer.Option(False, "--all", help="Ended subscriptions too."),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """List subscriptions (never secrets) with their delivery counts."""
    from credence.cli.render import id_column, print_table
    from credence.services.webhooks import subscriptions

    rows = subscriptions.list_subscriptions(workspace(ws_path), include_ended=all_)
    if as_json:
        emit({"subscriptions": rows})
        return
    table = Table()
    id_column(table, "id")
    table.add_column("channel")
    id_column(table, "principal")
    for c in ("url", "events", "delivered", "failed", "withheld", "status"):
        table.add_column(c)
    for s in rows:
        table.add_row(
            s["subscription_id"],
            s["channel"],
            s["principal"],
            s["url"],
            ", ".join(s["types"]),
            str(s["delivered"]),
            str(s["failed"]),
            str(s["withheld"]),
            s["status"],
        )
    print_table(console, table)


@webhooks_app.command("remove")
def webhooks_remove(
    subscription_id: str = typer.Argument(..., help="The subscription id (see 'credence webhooks list')."),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """End a subscription: nothing more is sent to it."""
    from credence.services.webhooks import subscriptions

    s = subscriptions.remove(workspace(ws_path), subscription_id, by="operator:cli")
    if as_json:
        emit(s)
        return
    console.print(f"Subscription {s['subscription_id']} ended at {s['ended_at']:%Y-%m-%d %H:%M:%S}", highlight=False)


@webhooks_app.command("deliveries")
def webhooks_deliveries(
    subscription_id: str = typer.Argument(None, help="Only this subscription's attempts."),
    event_id: str = typer.Option(None, "--event-id", help="Only this event's attempts."),
    outcome: WebhookOutcome = typer.Option(None, "--outcome", help="Only attempts with this outcome."),
    limit: int = typer.Option(50, "--limit", help="At most this many rows, newest first."),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """The delivery log: one row per attempt, newest first."""
    from credence.services.webhooks import subscriptions

    rows = subscriptions.deliveries(
        workspace(ws_path), subscription_id, event_id=event_id, outcome=outcome, limit=limit
    )
    from credence.cli.render import id_column, print_table

    if as_json:
        emit({"deliveries": rows})
        return
    table = Table("time")
    id_column(table, "subscription")
    id_column(table, "event")
    for c in ("type", "attempt", "outcome", "status", "error"):
        table.add_column(c)
    for d in rows:
        table.add_row(
            f"{d['attempted_at']:%Y-%m-%d %H:%M:%S}",
            d["subscription_id"],
            d["event_id"],
            d["type"] or "",
            str(d["attempt"]),
            d["outcome"],
            "" if d["status_code"] is None else str(d["status_code"]),
            d["error"] or "",
        )
    print_table(console, table)
