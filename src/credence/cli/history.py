"""The learning loop's own commands: load outcomes and protected attributes, compare cards, promote one."""

from __future__ import annotations

from pathlib import Path

import typer

from credence.cli.app import WorkspaceOption, app, console, workspace


@app.command()
def load(
    kind: str = typer.Argument(
        ..., help="outcomes (entity_id, observed_from, months, defaulted) or protected (entity_id, attribute, value)."
    ),
    files: list[Path] = typer.Argument(..., help="CSV or Parquet files; each is loaded in one transaction."),
    ws_path: Path = WorkspaceOption,
) -> None:
    """Load observed outcomes or protected attributes; bad records are quarantined with their reason."""
    from credence.services.labels import load_labels

    ws = workspace(ws_path)
    for path in files:
        r = load_labels(ws.store, path, kind)
        console.print(
            f"{r.source}: {kind} received {r.received:,} = accepted {r.accepted:,} + duplicate "
            f"{r.duplicates:,} + quarantined {r.quarantined:,}",
            highlight=False,
        )
        for reason in r.sample_reasons:
            console.print(f"  [yellow]quarantined[/] {reason}", highlight=False)
