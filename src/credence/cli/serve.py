"""``credence serve`` (the HTTP API and web portal) and ``credence keys`` (API keys per principal)."""

from __future__ import annotations

import gc
import os
import signal
import sys
from datetime import timedelta
from pathlib import Path

import typer
from rich.table import Table

from credence.cli.app import SERVING, WorkspaceOption, app, console, workspace
from credence.cli.channel import Channel, refuse_second_server
from credence.cli.choices import Role
from credence.cli.output import JsonOption, emit

SWITCH_INTERVAL = 0.001  # seconds (benchmarks/api_load.py: p99 under the mixed load)
# The collector's first threshold (Python's is 700): net new container objects before a young collection.
# 50 requests in flight keep ~3,000 young objects alive, so at 700 the collector ran every ~70 requests
# (~1 ms each) and promoted them, which brought a full collection (10-20 ms, every request in flight waits)
# every few seconds; none of it was garbage (a request leaves no reference cycle: tests/cli/test_http_protocol.py).
GC_YOUNG = 10_000
keys_app = typer.Typer(help="API keys: one per principal and role, shown once, stored hashed.", no_args_is_help=True)
app.add_typer(keys_app, name="keys", rich_help_panel=SERVING)


@app.command(rich_help_panel=SERVING)
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to bind (default: this machine only)."),
    port: int = typer.Option(8000, help="TCP port."),
    watch: Path = typer.Option(
        None,
        "--watch",
        help="A provider drop folder: files appearing there are ingested, then moved to done/ or failed/.",
    ),
    watch_interval: float = typer.Option(2.0, "--watch-interval", help="Seconds between two looks at --watch."),
    access_log: bool = typer.Option(
        True,
        "--access-log/--no-access-log",
        help="Log one JSON line per HTTP request on stderr: route template, status, duration, role; no ids.",
    ),
    webhook_attempts: int = typer.Option(
        8, "--webhook-attempts", min=1, help="Attempts per webhook delivery before it is marked failed."
    ),
    store_threads: int = typer.Option(
        None,
        "--store-threads",
        min=1,
        help="Threads DuckDB may use for the jobs the server runs (ingests, scoring runs); default: the cores "
        "less one, so a long job leaves a core for the requests.",
    ),
    webhook_backoff: float = typer.Option(
        2.0, "--webhook-backoff", min=0.0, help="Seconds before a webhook's second attempt (doubled each time)."
    ),
    next_day_lead: float = typer.Option(
        30.0,
        "--next-day-lead",
        min=0.0,
        help="Minutes before midnight (UTC) at which tomorrow's scores are computed, so the day's first reads "
        "do not wait for them (writes wait meanwhile); 0: the first read after midnight computes them.",
    ),
    ws_path: Path = WorkspaceOption,
) -> None:
    """Serve the HTTP API (/v1, OpenAPI at /openapi.json) and the web portal (/) on a workspace."""
    import uvicorn

    from credence.api.observe import log_config
    from credence.app import create_app
    from credence.cli.http_protocol import OneWriteProtocol
    from credence.workspace import open_workspace

    ws = open_workspace(ws_path)
    refuse_second_server(ws.root)
    application = create_app(ws.root)
    threads = store_threads or max(1, (os.cpu_count() or 2) - 1)
    application.state.ctx.ws.store.con.execute(f"SET threads = {int(threads)}")  # one database per file: all cursors
    drop = None
    if watch is not None:
        from credence.cli.watch import DropFolder

        drop = DropFolder(ws.root, watch, interval=watch_interval, log=lambda m: console.print(m, highlight=False))
    from credence.services.serving import refresh

    refresh(application.state.ctx.ws)  # today's current scores ready before the first request
    from credence.services.webhooks.dispatcher import Dispatcher

    dispatcher = Dispatcher(
        application.state.ctx.ws,
        max_attempts=webhook_attempts,
        base=webhook_backoff,
        log=lambda m: console.print(m, highlight=False),
    )
    url = f"http://{host}:{port}/"
    channel = Channel(ws.root, url)
    console.print(f"Credence on [bold]{url}[/] (OpenAPI at /openapi.json) for workspace {ws.root}")
    console.print("Sign in with a key from: credence keys create --role ROLE --name PRINCIPAL", soft_wrap=True)
    console.print(f"CLI commands on this workspace run inside this server (channel {channel.socket})")
    if drop is not None:
        console.print(f"Watching {drop.folder} for provider files (ingested, then moved to done/ or failed/)")
        drop.start()
    dispatcher.start()  # webhooks: delivers the outbox while the server runs
    next_day = None
    if next_day_lead > 0:
        from credence.services.next_day import NextDay

        next_day = NextDay(application.state.ctx.ws, lead=timedelta(minutes=next_day_lead))
        next_day.start()
    # uvicorn re-raises SIGTERM after its graceful stop; exit through Python so the channel is removed
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    # The event loop answers the hot routes itself; when it gives the GIL away (a system call) it waits for a
    # busy thread (group commit, a store read) to hand it back: 1 ms at most instead of Python's 5 ms.
    sys.setswitchinterval(SWITCH_INTERVAL)
    settle_memory()
    try:
        uvicorn.run(
            application,
            host=host,
            port=port,
            http=OneWriteProtocol,  # a response's headers and body in one write (one system call)
            log_config=log_config(access_log),
            access_log=False,
        )
    finally:
        if drop is not None:
            drop.close()
        dispatcher.close()
        if next_day is not None:
            next_day.close()
        channel.close()


def settle_memory() -> None:
    """Before serving: everything loaded so far (modules, cards, compiled SQL, caches' first rows) lives as
    long as the server, so it leaves the collector's generations and its full collections no longer walk it
    in the middle of requests (p99 of the mixed load 182 -> 92 ms, benchmarks/api_load.py); young
    collections wait for ``GC_YOUNG`` new objects."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG, *gc.get_threshold()[1:])


@keys_app.command("create")
def keys_create(
    role: Role = typer.Option(..., help="What the key may do (docs/api.md: keys and roles)."),
    name: str = typer.Option(..., help="The principal: entity id (subject), provider id, partner id, or a name."),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """Create a key. The secret is printed once; only its hash is stored."""
    from credence.api.auth import create_key

    key_id, secret = create_key(workspace(ws_path).store, role, name)
    if as_json:
        emit({"key_id": key_id, "role": role, "name": name, "secret": secret})
        return
    console.print(f"Created key {key_id} for {role} '{name}'. Store the secret now; it is not shown again:")
    console.print(secret, highlight=False, soft_wrap=True)


@keys_app.command("list")
def keys_list(as_json: bool = JsonOption, ws_path: Path = WorkspaceOption) -> None:
    """List keys (ids, roles, principals; never secrets)."""
    from credence.api.auth import list_keys
    from credence.cli.render import id_column, print_table

    keys = list_keys(workspace(ws_path).store)
    if as_json:
        emit({"keys": keys})
        return
    table = Table()
    id_column(table, "key id")
    table.add_column("role")
    id_column(table, "name")
    table.add_column("created")
    table.add_column("revoked")
    for k in keys:
        table.add_row(
            k["key_id"],
            k["role"],
            k["name"],
            f"{k['created_at']:%Y-%m-%d %H:%M}",
            f"{k['revoked_at']:%Y-%m-%d %H:%M}" if k["revoked_at"] else "",
        )
    print_table(console, table)


@keys_app.command("revoke")
def keys_revoke(
    key_id: str = typer.Argument(..., help="The key id (see 'credence keys list')."),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """Revoke a key; it stops working at once."""
    from credence.api.auth import revoke_key

    k = revoke_key(workspace(ws_path).store, key_id)
    if as_json:
        emit(k)
        return
    console.print(f"Key {k['key_id']} ({k['role']} '{k['name']}') revoked at {k['revoked_at']:%Y-%m-%d %H:%M:%S}")


sessions_app = typer.Typer(help="Portal sessions: kept on the server, listed and revoked here.", no_args_is_help=True)
app.add_typer(sessions_app, name="sessions", rich_help_panel=SERVING)


@app.command("signin-code", rich_help_panel=SERVING)
def signin_code(
    subject: str = typer.Argument(..., help="The subject's entity id."),
    minutes: int = typer.Option(15, "--minutes", help="How long the code works (1 minute to 7 days); it works once."),
    url: str = typer.Option("http://127.0.0.1:8000", "--url", help="The portal's address, for the sign-in link."),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """Issue a one-time sign-in code (and link) for a subject; it starts a revocable, expiring portal session."""
    from urllib.parse import quote

    from credence.services.sessions import issue_code

    c = issue_code(workspace(ws_path).store, subject, issued_by="operator:cli", minutes=minutes)
    link = f"{url.rstrip('/')}/signin/link?code={quote(c['code'])}"
    if as_json:
        emit({"subject_id": subject, "code": c["code"], "expires_at": c["expires_at"], "link": link})
        return
    console.print(f"Sign-in code for {subject}, valid once until {c['expires_at']:%Y-%m-%d %H:%M} UTC:")
    console.print(c["code"], highlight=False)
    console.print(f"Link: {link}", highlight=False, soft_wrap=True)


@sessions_app.command("list")
def sessions_list(
    name: str = typer.Option(None, "--name", help="Only this principal's sessions."),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """List portal sessions with their status (live, expired, signed out, revoked); never tokens."""
    from credence.cli.render import id_column, print_table
    from credence.services.sessions import list_sessions

    sessions = list_sessions(workspace(ws_path).store, name=name)
    if as_json:
        emit({"sessions": sessions})
        return
    table = Table("role")
    id_column(table, "name")
    for c in ("via", "started", "expires", "status"):
        table.add_column(c)
    for s in sessions:
        table.add_row(
            s["role"],
            s["name"],
            s["via"],
            f"{s['started_at']:%Y-%m-%d %H:%M}",
            f"{s['expires_at']:%Y-%m-%d %H:%M}",
            s["status"],
        )
    print_table(console, table)


@sessions_app.command("revoke")
def sessions_revoke(
    name: str = typer.Argument(..., help="The principal whose portal sessions end now."),
    role: Role = typer.Option("subject", "--role", help="The principal's role."),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """End every live portal session of a principal at once."""
    from credence.services.sessions import revoke_sessions

    n = revoke_sessions(workspace(ws_path).store, role, name, by="operator:cli")
    if as_json:
        emit({"role": role, "name": name, "ended": n})
        return
    console.print(f"Ended {n} live session(s) of {role} '{name}'.")
