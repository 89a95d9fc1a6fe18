"""The command line: ``credence COMMAND``. One module per group of commands, all on one Typer app."""

# Importing a module registers its commands on ``app``.
from credence.cli import core as _core  # noqa: E402,F401  init, simulate, ingest, score, show, explain, export-sql, demo
from credence.cli.app import app, main

for _optional in ("learning", "history", "rights", "serve", "scale"):
    try:
        __import__(f"credence.cli.{_optional}")
    except ModuleNotFoundError as _e:  # a command group not built yet
        if _e.name != f"credence.cli.{_optional}":
            raise

__all__ = ["app", "main"]
