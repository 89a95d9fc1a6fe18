"""Core commands: init, simulate, ingest, score, show, explain, export-sql, demo."""

from __future__ import annotations

import shlex
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from credence.cli.app import (
    DATA,
    SCORING,
    WORKSPACE,
    WorkspaceOption,
    app,
    console,
    err_console,
    in_server,
    workspace,
)
from credence.cli.choices import Band, Engine, RecordKind
from credence.cli.output import JsonOption, emit, score_json
from credence.clock import parse_time, utcnow
from credence.errors import ConfigError, CredenceError, ValidationError

if TYPE_CHECKING:
    from rich.progress import Progress

QUARANTINED_EXIT = 3  # ingest --strict: the files were read, but some records were quarantined

# Heavy modules (the store, SQLGlot, the services) are imported inside the commands that use them, so that
# `credence --help` and a command's usage errors answer at once (docs/performance.md, CLI).


def progress_bar(label: str) -> Progress:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


@app.command(rich_help_panel=WORKSPACE)
def init(directory: Path = typer.Argument(Path("."), help="Directory for the new workspace.")) -> None:
    """Create a workspace: a config file and an embedded DuckDB store."""
    from credence.workspace import init_workspace

    ws = init_workspace(directory)
    console.print(f"Created workspace [bold]{ws.root}[/] (config credence.yaml, store credence.duckdb)")


@app.command(rich_help_panel=DATA)
def simulate(
    entities: int = typer.Option(20_000, "--entities", "-n", help="Number of entities to simulate."),
    months: int = typer.Option(24, help="Months of history before --as-of."),
    seed: int = typer.Option(7, help="Random seed: the same seed gives the same population."),
    as_of: str = typer.Option(None, "--as-of", help="End of the simulated window (default: today)."),
    out: Path = typer.Option(None, help="Where to write the files (default: WORKSPACE/simulated)."),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """Simulate a population (people, businesses, institutions) and its providers' events, as files.

    Outcomes (default within 12 months) are stored apart, in the `outcomes` table, for training only.
    """
    from credence.generators.simulate import simulate as run

    ws = workspace(ws_path)
    out = out or ws.root / "simulated"
    with progress_bar("simulating") as bar:
        task = bar.add_task("simulate", total=entities)
        summary = run(
            out,
            entities=entities,
            months=months,
            seed=seed,
            as_of=parse_time(as_of) if as_of else None,
            progress=lambda done, total: bar.update(task, completed=done),
        )
    store_outcomes(ws, summary)
    files = [summary.providers_path, summary.entities_path, summary.events_dir]
    next_command = "credence ingest " + " ".join(shlex.quote(str(shown_path(f))) for f in files)
    if as_json:
        keys = ("entities", "persons", "businesses", "institutions", "events", "providers", "defaulted", "seed")
        emit(
            {k: getattr(summary, k) for k in keys}
            | {"months": summary.months, "as_of": summary.as_of, "out_dir": summary.out_dir, "files": files}
            | {"next": next_command}
        )
        return
    console.print(
        f"Simulated {summary.entities:,} entities ({summary.persons:,} persons, {summary.businesses:,} businesses, "
        f"{summary.institutions:,} institutions), {summary.events:,} events from {summary.providers} providers "
        f"in {summary.seconds:.1f}s into {out}",
        highlight=False,
    )
    console.print(f"Next: {next_command}", highlight=False, soft_wrap=True)  # one line, to paste


def shown_path(path: Path) -> Path:
    """``path`` relative to the current directory when it lies below it (shorter to read and to paste)."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def store_outcomes(ws, summary) -> None:
    with ws.store.transaction() as con:
        con.execute("DELETE FROM outcomes WHERE source = 'simulator'")
        con.execute(
            "INSERT INTO outcomes (entity_id, observed_from, months, defaulted, source) "
            "SELECT entity_id, ?::TIMESTAMP, 12, defaulted, 'simulator' FROM read_parquet(?)",
            [summary.as_of, str(summary.outcomes_path)],
        )


@app.command(rich_help_panel=DATA)
def ingest(
    files: list[Path] = typer.Argument(..., help="CSV, JSON Lines or Parquet files (or folders of Parquet parts)."),
    kind: RecordKind | None = typer.Option(None, help="What the files hold (default: detected from the columns)."),
    strict: bool = typer.Option(
        False, "--strict", help=f"Exit {QUARANTINED_EXIT} when any record was quarantined (the others are loaded)."
    ),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """Validate and load files; bad records are quarantined with their reason, duplicates are no-ops."""
    ws = workspace(ws_path)
    reports = []
    for path in files:
        for r in ingest_with_progress(ws, path, kind):
            reports.append(r)
            if as_json:
                continue
            console.print(
                f"{r.source}: {r.kind} received {r.received:,} = accepted {r.accepted:,} + duplicate "
                f"{r.duplicates:,} + quarantined {r.quarantined:,}",
                highlight=False,
            )
            for reason in getattr(r, "sample_reasons", [])[:5]:  # whole lines: they name records and fields
                console.print(f"  [yellow]quarantined[/] {reason}", highlight=False, soft_wrap=True)
    counts = ("received", "accepted", "duplicates", "quarantined")
    totals = {k: sum(getattr(r, k) for r in reports) for k in counts}
    if as_json:
        emit({"files": [r.to_dict() for r in reports], "totals": totals})
    if strict and totals["quarantined"]:
        err_console.print(
            f"strict: {totals['quarantined']:,} of {totals['received']:,} record(s) quarantined (the reasons: "
            "above, and in the quarantine table); the others are loaded",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(QUARANTINED_EXIT)


def ingest_with_progress(ws, path: Path, kind: str | None = None) -> list:
    from credence.services.ingest import ingest_files

    with progress_bar(f"ingesting {path.name}") as bar:
        task = bar.add_task("ingest", total=None)
        return ingest_files(
            ws.store,
            [path],
            catalogue=ws.catalogue,
            kind=kind,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )


@app.command(rich_help_panel=SCORING)
def score(
    as_of: str = typer.Option(None, "--as-of", help="Score as of this time (default: now)."),
    engine: Engine = typer.Option("duckdb", help="duckdb (embedded) or spark."),
    master: str = typer.Option(
        None, help="Spark master URL, e.g. spark://host:7077 (with --engine spark; default local[*])."
    ),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """Score the whole population in the engine and append a snapshot."""
    from credence.cli.render import band_table
    from credence.services import scoring

    ws = workspace(ws_path)
    started = time.perf_counter()
    options = {"master": master} if master else {}
    snap = scoring.score_population(ws, engine=engine, as_of=scoring.snapshot_time(as_of), **options)
    if as_json:
        emit(snap.to_dict() | {"seconds": round(time.perf_counter() - started, 3)})
        return
    console.print(
        f"Snapshot {snap.snapshot_id} as of {snap.as_of:%Y-%m-%d %H:%M}: {snap.scored:,} scored, "
        f"{snap.insufficient:,} with insufficient data, in {time.perf_counter() - started:.1f}s ({engine})"
    )
    console.print(band_table(snap.bands))


@app.command(rich_help_panel=SCORING)
def show(
    entity: str = typer.Argument(..., help="Entity id."), as_json: bool = JsonOption, ws_path: Path = WorkspaceOption
) -> None:
    """Score, band, dimensions, reasons (today's, kept current) and score history (snapshots) of one entity."""
    from credence.cli.render import print_score
    from credence.services.serving import current_score
    from credence.store.queries import score_history

    ws = workspace(ws_path)
    row = current_score(ws, entity)
    log_operator_read(ws, entity, "show")
    hist = score_history(ws.store, entity)
    if as_json:
        emit(score_json(row) | {"computed_at": row.get("computed_at"), "history": hist})
        return
    print_score(console, row, card=card_of(ws, row))
    if len(hist) > 1:
        console.print("[bold]History[/]: " + ", ".join(f"{h['as_of']:%Y-%m-%d} {h['score'] or '—'}" for h in hist))


@app.command("scores", rich_help_panel=SCORING)
def scores_cmd(
    band: list[Band] = typer.Option([], "--band", help="Only this band (repeatable)."),
    kind: list[str] = typer.Option([], "--kind", help="Only this entity kind: person, business, ... (repeatable)."),
    min_score: int = typer.Option(None, "--min", help="Only scores of at least this (350-950)."),
    max_score: int = typer.Option(None, "--max", help="Only scores of at most this (350-950)."),
    changed_since: str = typer.Option(
        None,
        "--changed-since",
        help="A time or a snapshot id: only entities whose score or band differs from the latest snapshot as of "
        "then (credence audit --list shows them).",
    ),
    limit: int = typer.Option(50, "--limit", help="Rows per page (at most 10,000)."),
    page: int = typer.Option(1, "--page", help="Which page (1 is the first)."),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """List entities by today's score: filter by band, kind, score range and change since a snapshot, paged."""
    from rich.table import Table

    from credence.cli.render import BAND_STYLE, id_column, print_table
    from credence.services.score_list import list_scores

    if page < 1:
        raise ValidationError(f"page {page} is below 1", field="page", fix="pages start at 1")
    ws = workspace(ws_path)
    found = list_scores(
        ws,
        bands=[b.value for b in band],
        kinds=list(kind),
        min_score=min_score,
        max_score=max_score,
        changed_since=changed_since,
        limit=limit,
        offset=(page - 1) * limit,
    )
    if as_json:
        emit(found | {"page": page})
        return
    rows, since = found["scores"], found["since"]
    pages = max(1, -(-found["total"] // limit))
    t = Table(title=f"Scores today: page {page} of {pages} ({found['total']:,} entities)")
    id_column(t, "entity")
    t.add_column("kind", overflow="fold")
    t.add_column("score", justify="right")
    t.add_column("band", overflow="fold")
    if since:
        t.add_column(f"in {since['snapshot_id']}", justify="right", overflow="fold")
    t.add_column("scorecard", overflow="fold")
    for r in rows:
        before = f"{r['previous_score'] or '—'} {r['previous_band'] or 'not scored'}" if since else None
        band_text = f"[{BAND_STYLE.get(r['band'], 'dim')}]{r['band']}[/]"
        t.add_row(r["entity_id"], r["kind"], str(r["score"] or "—"), band_text, *([before] if since else []),
                  r["scorecard"])  # fmt: skip
    print_table(console, t)
    if page < pages:
        console.print(f"Next page: add --page {page + 1}", highlight=False, soft_wrap=True)


@app.command(rich_help_panel=SCORING)
def explain(
    entity: str = typer.Argument(..., help="Entity id."),
    as_of: str = typer.Option(None, "--as-of", help="Explain as of this time (default: now)."),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """The full breakdown of one entity's score, feature by feature (computed now, for that entity only)."""
    ws = workspace(ws_path)
    explain_entity(ws, entity, as_of, as_json=as_json)


def explain_entity(ws, entity: str, as_of=None, *, as_json: bool = False) -> None:
    from credence.cli.render import feature_table, print_score
    from credence.services.scoring import score_entity

    row = score_entity(ws, entity, as_of=parse_time(as_of) if as_of else None, detail=True)
    log_operator_read(ws, entity, "explain")
    if as_json:
        extra = {"n_events": row.get("n_events"), "history_days": row.get("history_days")}
        emit(score_json(row) | extra | {"features": row.get("features") or []})
        return
    card = card_of(ws, row)
    print_score(console, row, card=card)
    console.print(f"{row['n_events']} events count towards this score; history {row['history_days'] or 0} days.")
    if row.get("score") is not None and card is not None:
        console.print(feature_table(row["features"], card))


def card_of(ws, row: dict):
    """The configured scorecard that made ``row`` (same id@version), or None when it is no longer configured."""
    return next((c for c in ws.scorecards.values() if c.ref == row.get("scorecard")), None)


def log_operator_read(ws, entity: str, action: str) -> None:
    """Every read of a score is logged, the bureau's own included: the subject can see it (guardrail 5).

    Inside ``credence serve`` (a command sent over its channel) the row goes through the group commit, as the
    API's reads do. In a command's own process nothing else can write the store (DuckDB lets one process write
    a file), so the row is committed in a transaction of its own with its values as SQL literals: binding
    them would make DuckDB import pandas, most of a ``credence show`` (``store/literal.py``)."""
    from credence.services.access import access_row, log_access
    from credence.store.literal import inline

    viewer, what, purpose = "operator:cli", f"read_score:{action}", "operator console"
    if in_server():
        log_access(ws, entity, viewer, what, allowed=True, purpose=purpose)
        return
    with ws.store.transaction(hooks=False) as con:
        con.execute(inline(*access_row(entity, viewer, what, True, purpose)))


@app.command("export-sql", rich_help_panel=SCORING)
def export_sql(
    dialect: str = typer.Option(
        "duckdb",
        help="Verified: duckdb, spark, postgres, clickhouse, sqlite; any other SQLGlot dialect with a warning.",
    ),
    kind: str = typer.Option("person", help="Entity kind whose scorecard to compile."),
    as_of: str = typer.Option(None, "--as-of", help="As-of time baked into the query (default: now)."),
    ws_path: Path = WorkspaceOption,
) -> None:
    """Print the one SQL query that scores a population, for any engine."""
    import sys

    from credence.sql import compile_scorecard
    from credence.sql.dialects import check_dialect

    warning = check_dialect(dialect)
    ws = workspace(ws_path)
    cards = ws.scorecards
    if kind not in cards:
        raise ConfigError(f"no scorecard configured for kind '{kind}'", field="kind", fix=f"use {', '.join(cards)}")
    print(
        compile_scorecard(
            cards[kind],
            dialect=dialect,
            pretty=True,
            as_of=parse_time(as_of),
            catalogue=ws.catalogue,
        )
    )
    if warning:
        print(warning, file=sys.stderr)


@app.command(rich_help_panel=WORKSPACE)
def demo(
    size: int = typer.Option(200_000, "--size", help="Entities to simulate (about 10 events each)."),
    ws_path: Path = typer.Option(Path("demo-workspace"), "--workspace", "-w", help="Workspace to (re)build."),
    seed: int = typer.Option(7, help="Random seed."),
) -> None:
    """The main job: init, simulate, ingest, score; print the bands and two explanations."""
    import shutil

    from credence.cli.demo import after_scoring
    from credence.cli.render import band_table
    from credence.generators.simulate import simulate as run
    from credence.services import scoring
    from credence.workspace import init_workspace

    started = time.perf_counter()
    if (ws_path / "credence.yaml").exists():
        shutil.rmtree(ws_path)
    ws = init_workspace(ws_path)
    console.rule("[bold]Credence demo")
    console.print(f"1. workspace {ws.root}")
    as_of = utcnow().replace(hour=0, minute=0, second=0)
    with progress_bar("2. simulating") as bar:
        task = bar.add_task("simulate", total=size)
        summary = run(
            ws.root / "simulated",
            entities=size,
            seed=seed,
            as_of=as_of,
            progress=lambda done, total: bar.update(task, completed=done),
        )
    store_outcomes(ws, summary)
    console.print(
        f"2. simulated {summary.entities:,} entities and {summary.events:,} events from {summary.providers} providers"
    )
    counts = {"accepted": 0, "duplicates": 0, "quarantined": 0, "received": 0}
    for path in (summary.providers_path, summary.entities_path, summary.events_dir):
        for r in ingest_with_progress(ws, path):
            for k in counts:
                counts[k] += getattr(r, k)
    console.print(
        f"3. ingested {counts['received']:,} records: {counts['accepted']:,} accepted, "
        f"{counts['duplicates']:,} duplicate, {counts['quarantined']:,} quarantined"
    )
    from credence.cli import demo_console

    late = demo_console.late_file(ws, as_of)
    console.print(
        f"   a provider's late file: {late.quarantined:,} of {late.received:,} records quarantined, with reasons"
    )
    held = demo_console.synthetic_protected(ws, seed=seed)
    if held:
        console.print(f"   synthetic sex and age band for {held:,} persons, held apart for the fairness audit only")
    earlier = demo_console.earlier_snapshot(ws, as_of)
    console.print(f"   scored as of {earlier.as_of:%Y-%m-%d} first, so drift has two dated snapshots")
    snap = scoring.score_population(ws, as_of=as_of)
    console.print(
        f"4. scored {snap.scored:,} entities ({snap.insufficient:,} with insufficient data) "
        f"in one SQL query per scorecard"
    )
    console.print(band_table(snap.bands))
    for kind in ("person", "business"):
        entity = ws.store.scalar(
            "SELECT entity_id FROM scores WHERE snapshot_id = ? AND kind = ? AND score IS NOT NULL "
            "ORDER BY abs(score - 620), entity_id LIMIT 1",
            [snap.snapshot_id, kind],
        )
        if entity:
            console.rule(f"One {kind}: credence explain {entity}")
            explain_entity(ws, entity, as_of)
    from credence.cli.demo_learning import learn_from_history

    try:
        learn_from_history(ws, as_of, console, seed=seed)
    except CredenceError as e:  # e.g. a population too small to learn from: the rest of the demo stands
        console.print(f"[yellow]learning skipped[/]: {e}", highlight=False)
    after_scoring(ws, console)
    console.print(f"Demo finished in {time.perf_counter() - started:.0f}s. Workspace: {ws.root}")
