"""The command line: ``credence COMMAND``. One module per group of commands, all on one Typer app."""

# Importing a module registers its commands on ``app``.
from credence.cli import core, history, learning, rights, scale, serve, webhooks  # noqa: F401
from credence.cli.app import app, main

__all__ = ["app", "main"]
