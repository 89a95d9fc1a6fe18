"""Population-scale commands: ``credence export-parquet`` (the input of ``credence score --engine spark``)."""

from __future__ import annotations

from pathlib import Path

import typer

from credence.cli.app import DATA, WorkspaceOption, app, console, workspace
from credence.cli.output import JsonOption, emit


@app.command("export-parquet", rich_help_panel=DATA)
def export_parquet_command(
    out: Path = typer.Option(None, "--out", help="Directory to write (default: <workspace>/exports/parquet)."),
    buckets: int = typer.Option(
        None, "--buckets", min=1, max=1024, help="Hash buckets of entity_id (default: one per ~4M events)."
    ),
    as_json: bool = JsonOption,
    ws_path: Path = WorkspaceOption,
) -> None:
    """Export effective events (hash-bucketed by entity) and entities as Parquet, for Spark or a warehouse."""
    from credence.engines.parquet import export_parquet

    ws = workspace(ws_path)
    target = out or ws.root / "exports" / "parquet"
    with console.status(f"exporting to {target}"):
        result = export_parquet(ws.store, target, buckets=buckets)
    if as_json:
        keys = ("path", "events", "entities", "buckets", "seconds")
        emit({k: getattr(result, k) for k in keys})
        return
    console.print(
        f"Exported {result.events:,} effective events of {result.entities:,} entities "
        f"in {result.buckets} bucket(s) to {result.path} in {result.seconds:.1f}s"
    )
