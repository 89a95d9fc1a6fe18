"""The Typer app, shared options, and how errors reach the user (one line, no traceback)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer
from rich.console import Console

from credence.errors import CredenceError
from credence.workspace import Workspace, open_workspace

app = typer.Typer(
    name="credence",
    help="Credence: open, auditable credit and reputation scoring (350-950, explained, contestable).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

WorkspaceOption = typer.Option(
    None, "--workspace", "-w", help="Workspace directory (default: the current directory).", envvar="CREDENCE_WORKSPACE"
)


def workspace(path: Path | None) -> Workspace:
    return open_workspace(path)


def main() -> None:
    if not sys.stdout.isatty() and not os.environ.get("COLUMNS"):
        os.environ["COLUMNS"] = "120"  # piped output (logs, CI) gets 120 columns rather than Rich's 80
    try:
        app(standalone_mode=False)
    except CredenceError as e:
        err_console.print(f"[bold red]error:[/] {e}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except (typer.Abort, KeyboardInterrupt):
        err_console.print("aborted")
        sys.exit(130)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except Exception as e:  # click usage errors
        import click

        if isinstance(e, click.exceptions.ClickException):
            e.show()
            sys.exit(e.exit_code)
        raise
