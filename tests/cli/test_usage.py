"""Usage errors and help (issue 17, CLI): every command answers a usage error with its usage and one error line,
exit 2, never a traceback; ``--help`` names values, not Python types; commands sit in help panels.

The commands are read from the app itself, so a command added later is covered without touching this file.
"""

from __future__ import annotations

from typing import get_args

import pytest
import typer

from credence.cli import app as typer_app
from credence.cli import choices
from credence.cli.app import run

PANELS = {"Workspace", "Data", "Scoring", "Rights", "Learning", "Serving"}


def walk(group, path=()):
    """(argv path, click command) of every runnable command, sub-groups spelled out."""
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from walk(command, (*path, name))
        else:
            yield (*path, name), command


ROOT = typer.main.get_command(typer_app)
COMMANDS = sorted(walk(ROOT))


def usage_error(capfd, argv: list[str]) -> str:
    capfd.readouterr()
    code = run(argv)
    out, err = capfd.readouterr()
    assert code == 2, f"{argv}: exit {code}\n{out}{err}"
    assert "Traceback" not in out + err
    lines = [line for line in err.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, err
    assert "Usage: credence" in err, err
    return err


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=" ".join)
def test_a_mistyped_option_is_a_usage_error(capfd, path):
    err = usage_error(capfd, [*path, "--no-such-option"])
    assert f"Usage: credence {' '.join(path)} " in err
    assert "Error: No such option: --no-such-option" in err


@pytest.mark.parametrize(
    "path", [p for p, c in COMMANDS if any(getattr(a, "required", False) for a in c.params)], ids=" ".join
)
def test_a_missing_argument_or_option_is_a_usage_error(capfd, path):
    err = usage_error(capfd, list(path))
    assert f"Usage: credence {' '.join(path)} " in err and "Error: Missing " in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["score", "--engine", "nope"], "'nope' is not one of 'duckdb', 'spark'"),
        (["score", "--engine"], "Option '--engine' requires an argument"),  # raised by the parser, no context
        (["simulate", "--entities", "many"], "Invalid value for '--entities'"),
        (["dispute", "nope"], "No such command 'nope'"),
        (["--nope"], "No such option: --nope"),
    ],
)
def test_bad_values_and_unknown_commands(capfd, argv, message):
    err = usage_error(capfd, argv)
    assert message in err and "Usage: credence" in err


def test_help_names_values_and_choices(capfd):
    capfd.readouterr()
    assert run(["score", "--help"]) == 0
    out = capfd.readouterr().out
    assert "[duckdb|spark]" in out and "PATH" in out
    for python_type in ("<str>", "<bool>", "<path>", "<int>", "list["):
        assert python_type not in out


def test_every_command_sits_in_a_panel():
    for name, command in ROOT.commands.items():
        assert getattr(command, "rich_help_panel", None) in PANELS, f"{name}: rich_help_panel=one of {PANELS}"


def test_version(capfd):
    from credence import __version__

    capfd.readouterr()
    assert run(["--version"]) == 0
    assert capfd.readouterr().out.strip() == f"credence {__version__}"


def test_choices_are_the_services_own():
    from credence.api.auth import ROLES
    from credence.engines import ENGINES
    from credence.learning.history import KNOWN
    from credence.learning.learners import LEARNERS
    from credence.services.disclosure import FORMATS
    from credence.services.disputes import ACTIONS, STATUS
    from credence.services.grants import SCOPES
    from credence.services.labels import SPECS

    assert get_args(choices.Engine) == tuple(ENGINES)
    assert get_args(choices.Role) == ROLES
    assert get_args(choices.Known) == KNOWN
    assert get_args(choices.Learner) == LEARNERS
    assert get_args(choices.ReportFormat) == FORMATS
    assert set(get_args(choices.Answer)) == set(ACTIONS)
    assert set(get_args(choices.DisputeStatus)) == set(STATUS.values())
    assert get_args(choices.Scope) == SCOPES
    assert set(get_args(choices.LabelKind)) == set(SPECS)
