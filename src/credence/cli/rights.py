"""Rights commands: policies, decide, grant/grants/revoke, read, certify/verify, dispute, report, purge, erase.

Every command is a thin shell over ``credence.services.*``; mistakes raise ``CredenceError`` and reach the user
as one line (``credence.cli.app.main``), never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.panel import Panel
from rich.table import Table

from credence.cli.app import DATA, RIGHTS, WORKSPACE, WorkspaceOption, app, console, err_console, workspace
from credence.cli.choices import Answer, DisputeStatus, ReportFormat, Scope
from credence.cli.output import JsonOption, emit, score_json
from credence.errors import CredenceError, ValidationError

BAND_STYLE = {"poor": "red", "fair": "yellow", "good": "green", "excellent": "bold green", "extraordinary": "bold cyan"}


def _when(value) -> str:
    return "" if value is None else str(value).replace("T", " ")[:19]


def _band(band: str | None) -> str:
    return f"[{BAND_STYLE.get(band or '', 'dim')}]{band}[/]"


# ------------------------------------------------------------------------------------------ policies
@app.command(rich_help_panel=RIGHTS)
def policies(as_json: bool = JsonOption, ws_path: Path = WorkspaceOption) -> None:
    """List the policy pack: each benefit or restriction, its purpose and its score condition."""
    pack = workspace(ws_path).policies
    if as_json:
        fields = ("id", "kind", "partner", "purpose", "context", "threshold", "effect", "description")
        rows = [{f: getattr(p, f) for f in fields} | {"condition": p.condition_text} for p in pack.policies]
        emit({"source": str(pack.source), "policies": rows})
        return
    from credence.cli.render import id_column, print_table

    t = Table(title=f"Policies ({pack.source})")
    id_column(t, "id")
    t.add_column("kind")
    id_column(t, "partner")
    for c in ("purpose", "condition", "effect"):
        t.add_column(c)
    for p in pack.policies:
        t.add_row(p.id, p.kind, p.partner, p.purpose, p.condition_text, p.effect)
    print_table(console, t)
    console.print(
        "A decision needs the subject's grant: credence grant SUBJECT --to PARTNER --scope decisions "
        "--purpose PURPOSE --until 30d",
        highlight=False,
        soft_wrap=True,
    )


# ------------------------------------------------------------------------------------------ decisions
@app.command(rich_help_panel=RIGHTS)
def decide(
    entity: str = typer.Argument(..., help="The subject."),
    policy: str = typer.Argument(..., help="Policy id (credence policies lists them)."),
    partner: str = typer.Option(..., "--partner", "-p", help="The partner asking; needs the subject's grant."),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """Apply a policy to a subject for a partner (needs a live 'decisions' grant for the policy's purpose)."""
    from credence.services.decisions import decide as run

    d = run(workspace(ws_path), entity, policy, partner)
    if as_json:
        emit(d)
        return
    style = "red" if d["adverse"] else ("green" if d["outcome"] == "granted" else "yellow")
    body = [f"[bold {style}]{d['outcome']}[/]: {d['effect']}"]
    if d["score"] is not None:
        body.append(f"score used {d['score']} ({_band(d['band'])}); the policy needs {d['policy']['condition_text']}")
    else:
        body.append("there is too little data for a score: nothing is refused for lack of data")
    body.append(f"decision {d['decision_id']} for {partner}, recorded and visible to {entity}")
    console.print(Panel("\n".join(body), title=f"{entity} · {policy}", expand=False), highlight=False)
    if d["notice"]:
        console.print(
            Panel(d["notice"], title="adverse-action notice", border_style="red", expand=False), highlight=False
        )


# ------------------------------------------------------------------------------------------ grants
@app.command("grant", rich_help_panel=RIGHTS)
def grant_cmd(
    subject: str = typer.Argument(..., help="The subject giving consent."),
    to: str = typer.Option(..., "--to", help="The viewer (a partner or a person)."),
    scope: Scope = typer.Option("score", "--scope", help="score (see the score) or decisions (ask for decisions)."),
    purpose: str = typer.Option(..., "--purpose", help="What it is for, e.g. 'bike rental' (a policy's purpose)."),
    until: str = typer.Option("30d", "--until", help="Expiry: a date/time, or a duration such as 30d, 12h, 6m."),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """Record the subject's consent for a viewer, for a purpose, until a time."""
    from credence.services.grants import grant

    g = grant(workspace(ws_path), subject, to, scope, purpose, until)
    if as_json:
        emit(g)
        return
    console.print(
        f"Granted [bold]{g['grant_id']}[/]: {to} may {_scope_words(scope)} of {subject} for "
        f"'{g['purpose']}' until {_when(g['expires_at'])} UTC",
        highlight=False,
    )
    console.print(f"Revoke it at any time: credence revoke {g['grant_id']}", highlight=False, soft_wrap=True)


def _scope_words(scope: str) -> str:
    return "see the score" if scope == "score" else "ask for decisions"


@app.command("grants", rich_help_panel=RIGHTS)
def grants_cmd(
    subject: str = typer.Argument(..., help="The subject."),
    live: bool = typer.Option(False, "--live", help="Only live grants."),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """List the grants a subject gave, with their status."""
    from credence.services.grants import list_grants

    rows = list_grants(workspace(ws_path), subject, live_only=live)
    if as_json:
        emit({"subject_id": subject, "grants": rows})
        return
    from credence.cli.render import id_column, print_table

    t = Table(title=f"Grants given by {subject}")
    id_column(t, "grant")
    id_column(t, "viewer")
    for c in ("scope", "purpose", "from", "until", "status"):
        t.add_column(c, overflow="fold")
    for g in rows:
        style = "green" if g["status"] == "live" else "dim"
        t.add_row(
            g["grant_id"],
            g["viewer_id"],
            g["scope"],
            g["purpose"],
            _when(g["granted_at"]),
            _when(g["expires_at"]),
            f"[{style}]{g['status']}[/]",
        )
    print_table(console, t)


@app.command(rich_help_panel=RIGHTS)
def revoke(
    grant_id: str = typer.Argument(..., help="The grant to revoke."),
    by: str = typer.Option(None, "--by", help="Who revokes (default: the subject)."),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """Revoke a grant; it stops working at once (the revocation is appended)."""
    from credence.services.grants import revoke as run

    g = run(workspace(ws_path), grant_id, revoked_by=by)
    if as_json:
        emit(g)
        return
    console.print(
        f"Revoked {grant_id}: {g['viewer_id']} may no longer {_scope_words(g['scope'])} of "
        f"{g['subject_id']} (from {_when(g['revoked_at'])} UTC)",
        highlight=False,
    )


@app.command("read", rich_help_panel=RIGHTS)
def read_cmd(
    entity: str = typer.Argument(..., help="The subject whose score to read."),
    as_viewer: str = typer.Option(..., "--as", help="Who is reading (the subject itself, or a grantee)."),
    purpose: str = typer.Option(None, "--purpose", help="Why (must match the grant's purpose)."),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """Read a score as a viewer: the subject always, anyone else with a live grant. Every read is logged."""
    from credence.cli.core import card_of
    from credence.cli.render import print_score
    from credence.services.access import read_score

    ws = workspace(ws_path)
    row = read_score(ws, entity, as_viewer, purpose)
    if as_json:
        emit(score_json(row) | {"viewer": as_viewer, "grant_id": row.get("grant_id"), "purpose": row.get("purpose")})
        return
    print_score(console, row, title=f"{entity} read by {as_viewer}", card=card_of(ws, row))


# ------------------------------------------------------------------------------------------ certificates
@app.command(rich_help_panel=RIGHTS)
def certify(
    entity: str = typer.Argument(..., help="The subject certifying its own score."),
    audience: str = typer.Option(..., "--audience", "-a", help="Who the certificate is for."),
    ttl: str = typer.Option("7d", "--ttl", help="Validity, e.g. 7d, 12h (at most 365d)."),
    out: Path = typer.Option(None, "--out", help="Write the token to this file."),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """Issue a signed certificate (EdDSA JWT) of the subject's score for one audience."""
    from credence.services.certificates import certify as run

    ws = workspace(ws_path)
    c = run(ws, entity, audience, ttl=ttl)
    if out:
        out.write_text(c["token"] + "\n")
    if as_json:
        emit(c)
        return
    err_console.print(
        f"Certificate {c['certificate_id']}: {entity} scores {c['claims']['score']} ({_band(c['claims']['band'])}) "
        f"for {audience}, valid until {_when(c['expires_at'])} UTC, key {c['key_id']}",
        highlight=False,
    )
    err_console.print(
        f"Verify offline: credence verify TOKEN --jwks {ws.keys.jwks} --audience {audience}",
        highlight=False,
        soft_wrap=True,
    )
    if not out:
        typer.echo(c["token"])


@app.command(rich_help_panel=RIGHTS)
def verify(
    token: str = typer.Argument(..., help="The certificate, '@FILE' to read it from a file, or '-' for stdin."),
    jwks_file: Path = typer.Option(None, "--jwks", help="JWKS file (default: the workspace's published jwks.json)."),
    audience: str = typer.Option(None, "--audience", "-a", help="Check the certificate was issued for this audience."),
    revoked: Path = typer.Option(None, "--revoked", help="Revocation list (default: the workspace's revoked.json)."),
    issuer: str = typer.Option(
        None,
        "--issuer",
        help="The bureau that must have issued it (default: the workspace's, or the one the JWKS names).",
    ),
    url: str = typer.Option(
        None,
        "--url",
        help="A running bureau's address: fetch its JWKS and revocation list from it (instead of files).",
    ),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """Verify a certificate offline (no database): signature, key id, expiry, issuer, audience, revocation."""
    from credence.services.certificates import document_issuer, load_jwks, load_revocations, revocation_issuer
    from credence.services.certificates import issuer as issuer_of
    from credence.services.certificates import verify as run
    from credence.workspace import open_workspace

    if token == "-":
        token = sys.stdin.read().strip()
    elif token.startswith("@"):
        token = Path(token[1:]).read_text().strip()
    if url is not None:
        if jwks_file is not None or revoked is not None:
            raise ValidationError(
                "--url fetches the JWKS and the revocation list",
                field="url",
                fix="pass --url without --jwks and --revoked",
            )
        keyset, revocations = _published(url)
        issuer = issuer or document_issuer(keyset) or document_issuer(revocations)
        revoked_ids = [r["jti"] if isinstance(r, dict) else str(r) for r in revocations["revoked"]]
    else:
        try:
            ws = open_workspace(ws_path)  # the config only: verifying needs no database (nor a server)
        except CredenceError:
            ws = None
        d = ws.keys.dir if ws is not None else None
        if jwks_file is None:
            if d is None:
                raise ValidationError(
                    "no JWKS to verify with", field="jwks", fix="pass --jwks FILE, --url BUREAU or --workspace DIR"
                )
            jwks_file = d / "jwks.json"
        if revoked is None and d is not None and (d / "revoked.json").exists():
            revoked = d / "revoked.json"
        keyset = load_jwks(jwks_file)
        issuer = (
            issuer
            or (issuer_of(ws) if ws is not None else None)
            or document_issuer(keyset)
            or (revocation_issuer(revoked) if revoked else None)
        )
        revoked_ids = load_revocations(revoked) if revoked else None
    if not issuer:
        raise ValidationError(
            "no issuer to check the certificate against",
            field="issuer",
            fix="pass --issuer 'credence:NAME' (the bureau's name), --revoked FILE or --workspace DIR",
        )
    claims = run(token, keyset, audience=audience, revoked_ids=revoked_ids, issuer=issuer)
    checked = (
        "signature, expiry, issuer"
        + (", audience" if audience else "")
        + (", revocation" if revoked_ids is not None else "")
    )
    if as_json:
        emit({"valid": True, "checked": checked.split(", "), "claims": claims})
        return
    console.print(
        f"[bold green]valid[/]: {claims['sub']} scores {claims['score']} ({_band(claims['band'])}) as of "
        f"{claims['as_of'][:10]}, for {claims['aud']}, certificate {claims['jti']} (checked {checked})",
        highlight=False,
    )
    if not audience:
        console.print("[yellow]audience not checked[/]: pass --audience to make sure it was issued for you")


def _published(url: str) -> tuple[dict, dict]:
    """The JWKS and the revocation list a running bureau publishes, fetched with ``credence.client``."""
    from credence.client import Client

    with Client(url, timeout=15) as bureau:
        return bureau.jwks().model_dump(), bureau.revocations().model_dump()


@app.command("revoke-certificate", rich_help_panel=RIGHTS)
def revoke_certificate_cmd(
    certificate_id: str = typer.Argument(..., help="The certificate id (its jti)."),
    reason: str = typer.Option(None, "--reason", help="Why (kept with the revocation)."),
    ws_path: Path = WorkspaceOption,
) -> None:
    """Revoke a certificate and republish the revocation list."""
    from credence.services.certificates import revoke_certificate

    ws = workspace(ws_path)
    revoke_certificate(ws, certificate_id, reason=reason)
    console.print(f"Revoked {certificate_id}; published {ws.keys.revocations}", highlight=False)


@app.command("rotate-key", rich_help_panel=WORKSPACE)
def rotate_key_cmd(ws_path: Path = WorkspaceOption) -> None:
    """Start signing with a new key; old public keys stay in the JWKS so issued certificates still verify."""
    from credence.services.certificates import rotate_key

    ws = workspace(ws_path)
    kid = rotate_key(ws)
    console.print(f"Signing key is now {kid}; JWKS published at {ws.keys.jwks}", highlight=False)


@app.command("rotate-pseudonym-key", rich_help_panel=WORKSPACE)
def rotate_pseudonym_key_cmd(
    yes: bool = typer.Option(False, "--yes", help="Confirm: earlier pseudonyms can no longer be linked to new ones."),
    ws_path: Path = WorkspaceOption,
) -> None:
    """Replace the key of the auditor's pseudonyms; the old key is deleted, so old and new ones never link."""
    from credence.services.pseudonyms import key_path, rotate_key

    if not yes:
        raise ValidationError(
            "rotating the pseudonym key unlinks every earlier pseudonym (auditors' exports, erasure records)",
            field="yes",
            fix="run again with --yes",
        )
    ws = workspace(ws_path)
    version = rotate_key(ws)
    console.print(f"Pseudonyms now use key version {version} ({key_path(ws)}); the old key is gone.", highlight=False)


@app.command("jwks", rich_help_panel=RIGHTS)
def jwks_cmd(ws_path: Path = WorkspaceOption) -> None:
    """Print the JWKS document (public keys only)."""
    from credence.services.certificates import jwks

    typer.echo(json.dumps(jwks(workspace(ws_path)), indent=2))


# ------------------------------------------------------------------------------------------ disputes
dispute_app = typer.Typer(help="Disputes: open (subject), answer (provider), expire, list.", no_args_is_help=True)
app.add_typer(dispute_app, name="dispute", rich_help_panel=RIGHTS)


def _print_dispute(d: dict) -> None:
    console.print(
        f"[bold]{d['dispute_id']}[/] event {d['provider_id']}/{d['event_id']} of {d['entity_id']}: "
        f"[bold]{d['status']}[/]",
        highlight=False,
    )
    for h in d["history"]:
        note = f": {h['note']}" if h["note"] else ""
        console.print(f"  {_when(h['acted_at'])}  {h['action']} by {h['actor']}{note}", highlight=False)


@dispute_app.command("open")
def dispute_open(
    entity: str = typer.Argument(..., help="The subject contesting its event."),
    provider: str = typer.Argument(..., help="The provider that reported it."),
    event_id: str = typer.Argument(..., help="The provider's event id."),
    note: str = typer.Option(None, "--note", help="Why it is wrong."),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """Contest an event: it stops counting until the provider answers (30 days, or it is removed)."""
    from credence.services.disputes import open_dispute

    d = open_dispute(workspace(ws_path), entity, provider, event_id, note=note)
    if as_json:
        emit(d)
        return
    _print_dispute(d)
    console.print(
        f"The event no longer counts while pending; {provider} must answer by {_when(d['answer_due'])} UTC.",
        highlight=False,
    )


@dispute_app.command("answer")
def dispute_answer(
    dispute_id: str = typer.Argument(..., help="The dispute."),
    provider: str = typer.Option(..., "--provider", help="The provider answering (must be the event's)."),
    action: Answer = typer.Option(..., "--action", help="What the provider does with the event."),
    type_: str = typer.Option(None, "--type", help="correct: the corrected event type."),
    occurred_at: str = typer.Option(None, "--occurred-at", help="correct: the corrected time."),
    amount: float = typer.Option(None, "--amount", help="correct: the corrected amount."),
    days_late: int = typer.Option(None, "--days-late", help="correct: the corrected days late."),
    new_event_id: str = typer.Option(None, "--new-event-id", help="correct: the id of the correcting event."),
    note: str = typer.Option(None, "--note", help="The provider's explanation."),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """Answer a dispute as the provider: confirm it, correct it (a new event supersedes it) or retract it."""
    from credence.services.disputes import answer_dispute

    fields = {
        "type": type_,
        "occurred_at": occurred_at,
        "amount": amount,
        "days_late": days_late,
        "event_id": new_event_id,
    }
    correction = {k: v for k, v in fields.items() if v is not None} or None
    d = answer_dispute(workspace(ws_path), dispute_id, provider, action, correction=correction, note=note)
    if as_json:
        emit(d)
        return
    _print_dispute(d)
    if d.get("correction"):
        console.print(
            f"Correcting event {d['correction']['event_id']} ({d['correction']['type']}) supersedes {d['event_id']}",
            highlight=False,
        )


@dispute_app.command("expire")
def dispute_expire(
    now: str = typer.Option(None, "--now", help="Treat this as the current time (default: now)."),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """Expire every dispute left unanswered for 30 days: the event no longer counts."""
    from credence.services.disputes import expire_disputes

    done = expire_disputes(workspace(ws_path), now)
    if as_json:
        emit({"expired": done})
        return
    console.print(
        f"Expired {len(done)} unanswered dispute(s)"
        + (": " + ", ".join(d["dispute_id"] for d in done) if done else ""),
        highlight=False,
    )


@dispute_app.command("list")
def dispute_list(
    entity: str = typer.Option(None, "--entity", help="Only this subject's disputes."),
    provider: str = typer.Option(None, "--provider", help="Only disputes about this provider's events."),
    status: DisputeStatus | None = typer.Option(None, "--status", help="Only disputes in this status."),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """List disputes with their status and when an answer is due."""
    from credence.cli.render import id_column, print_table
    from credence.services.disputes import list_disputes

    rows = list_disputes(workspace(ws_path), entity, provider, status)
    if as_json:
        emit({"disputes": rows})
        return
    t = Table(title="Disputes")
    id_column(t, "dispute")
    id_column(t, "subject")
    id_column(t, "event")
    for c in ("status", "opened", "answer due"):
        t.add_column(c)
    for d in rows:
        t.add_row(
            d["dispute_id"],
            d["entity_id"],
            f"{d['provider_id']}/{d['event_id']}",
            d["status"],
            _when(d["opened_at"]),
            _when(d["answer_due"]),
        )
    print_table(console, t)


# ------------------------------------------------------------------------------------------ disclosure
@app.command(rich_help_panel=RIGHTS)
def report(
    entity: str = typer.Argument(..., help="The subject."),
    fmt: ReportFormat = typer.Option("text", "--format", "-f", help="The report's format."),
    out: Path = typer.Option(None, "--out", "-o", help="Write to this file instead of the terminal."),
    ws_path: Path = WorkspaceOption,
) -> None:
    """Everything held about a subject: events, scores and reasons, disputes, grants, decisions, who looked."""
    from credence.services.disclosure import FORMATS, disclosure, render

    if fmt not in FORMATS:
        raise ValidationError(f"format '{fmt}' unknown", field="format", fix=f"use {', '.join(FORMATS)}")
    text = render(disclosure(workspace(ws_path), entity), fmt)
    if out:
        out.write_text(text)
        console.print(f"Wrote the disclosure report of {entity} to {out}", highlight=False)
    else:
        typer.echo(text)


# ------------------------------------------------------------------------------------------ retention
@app.command(rich_help_panel=DATA)
def purge(
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would be removed; remove nothing."),
    now: str = typer.Option(None, "--now", help="Treat this as the current time (default: now)."),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """Delete adverse events past retention (7 years, bankruptcy 10) and settled webhook events past theirs (with
    their delivery log); a purge record is appended."""
    from credence.services.retention import purge as run

    r = run(workspace(ws_path), now=now, dry_run=dry_run)
    if as_json:
        emit(r | {"dry_run": dry_run})
        return
    verb = "Would remove" if dry_run else "Removed"
    detail = ", ".join(f"{t} {n}" for t, n in r["by_type"].items())
    console.print(
        f"{verb} {r['events']} adverse event(s) past retention{f' ({detail})' if detail else ''} and "
        f"{r['disputes']} dispute record(s) about them; {r['webhook_events']} settled webhook event(s) and "
        f"{r['webhook_deliveries']} delivery log row(s) past webhook retention",
        highlight=False,
    )


@app.command(rich_help_panel=RIGHTS)
def erase(
    entity: str = typer.Argument(..., help="The subject to erase."),
    yes: bool = typer.Option(False, "--yes", help="Confirm: erasure cannot be undone."),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """Erase a subject: its rows go from every table; a record (hash and counts only) remains."""
    from credence.services.retention import erase as run

    if not yes:
        raise ValidationError(f"erasing '{entity}' cannot be undone", field="yes", fix="add --yes to confirm")
    r = run(workspace(ws_path), entity)
    if as_json:
        emit(r)
        return
    t = Table(title=f"Erasure {r['erasure_id']}")
    t.add_column("table")
    t.add_column("rows", justify="right")
    for table, n in r["rows_removed"].items():
        t.add_row(table, str(n))
    console.print(t)
    console.print(
        f"Erased. The record keeps only the keyed pseudonym {r['subject_hash']} and these counts.", highlight=False
    )
